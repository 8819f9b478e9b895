"""What a ``send.php`` request asks for, read and checked (errors 1 and 5; spec §2.1).

The messages family decides the rest (errors 3, 6, 7, 8, prices, records); this module
only reads: the message kind, the recipients with their texts and senders, when each
recipient's message goes, the caller's id and the ``cost`` mode.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal

import attrs

from smsc_async import Tariffs
from smsc_async.testing._calls import Call, Refusal
from smsc_async.testing._message_text import (
    number_info,
    parse_time,
    parse_valid,
    recipient,
    shorten_links,
    transliterate,
    truncate,
)

__all__ = ["Recipient", "SendRequest", "number", "price", "read_send"]

_KINDS = ("flash", "push", "bin", "hlr", "ping", "mms", "mail", "call", "viber")
_NO_TEXT = frozenset({"hlr", "ping"})
_MAX_TEXT = 1000
_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")
_MAX_ID = 2147483647
# Assumption: prices for what the price list does not cover.
FALLBACK_PRICE = Decimal("2.50")
VIBER_PRICE = Decimal("0.80")


@attrs.frozen
class Recipient:
    """One recipient as asked: the item given, the number it is (``None``: invalid)."""

    raw: str
    phone: str | None
    text: str
    sender: str


@attrs.frozen
class SendRequest:
    """A send request, read.

    Attributes:
        kind: ``"sms"``, or the kind flag set (``"flash"``, ``"viber"``...).
        recipients: Who gets what, in order.
        starts: Loop time each recipient's message goes (``time``, ``period``/``freq``).
        id: The caller's message id, if given.
        mode: The ``cost`` mode: 0 send, 1 price only, 2 and 3 send and tell the cost.
        binary: The ``bin`` mode (1 text bytes, 2 hex) of a binary message.
    """

    kind: str
    recipients: tuple[Recipient, ...]
    starts: tuple[float, ...]
    id: str | None
    mode: int
    binary: int = 0


Expand = Callable[[str, str], list[str]]
"""``(item, kind) -> recipients``: a ``G<id>`` group's addresses, or the item itself."""


def read_send(
    call: Call, *, expand: Expand, link_code: Callable[[str], str], minute: float
) -> SendRequest:
    """Read a send request.

    Args:
        call: The request.
        expand: Resolves a ``phones`` item (groups).
        link_code: Names a link shortened by ``tinyurl=1``.
        minute: Loop seconds per emulated minute.

    Raises:
        Refusal: Error 1 for a missing or malformed parameter, 5 for an unknown ``time``.
    """
    p = call.params
    kinds = [k for k in _KINDS if call.flag(k)]
    if len(kinds) > 1:
        raise Refusal(1, "more than one message kind")  # Assumption: the server refuses
    kind = kinds[0] if kinds else "sms"
    binary = number(p.get("bin", "0"), "bin", 0, 2) if kind == "bin" else 0
    mode = number(p.get("cost", "0") or "0", "cost", 0, 3)
    given = p.get("id")
    if given is not None and not _valid_id(given):
        raise Refusal(1, "bad id")
    if "valid" in p:
        try:
            parse_valid(p["valid"])
        except ValueError:
            raise Refusal(1, "bad valid") from None
    recipients = _recipients(call, kind, expand, link_code)
    starts = _schedule(call, len(recipients), minute)
    return SendRequest(kind, tuple(recipients), tuple(starts), given, mode, binary)


def _recipients(
    call: Call, kind: str, expand: Expand, link_code: Callable[[str], str]
) -> list[Recipient]:
    """``phones`` and ``mes``, or the ``list`` lines ``[sender[,tz]|]phone:message``."""
    p = call.params
    default_sender = p.get("sender", "")
    asked: list[tuple[str, str, str]] = []
    if "list" in p:
        for line in p["list"].splitlines():
            if not line.strip():
                continue
            sender, rest = default_sender, line
            if "|" in line.split(":", 1)[0]:
                head, rest = line.split("|", 1)
                sender = head.split(",", 1)[0]
            if ":" not in rest:
                raise Refusal(1, "bad list line")
            phone, text = rest.split(":", 1)
            asked.append((phone, text, sender))
    else:
        text = p.get("mes", "")
        for item in re.split(r"[,;]", p.get("phones", "")):
            if item.strip():
                asked += [(phone, text, default_sender) for phone in expand(item.strip(), kind)]
    if not asked:
        raise Refusal(1, "no phones")
    if kind == "mail" and not (p.get("subj") and default_sender):
        raise Refusal(1, "mail needs subj and sender")  # spec §2.1
    recipients = []
    for raw, given, sender in asked:
        if kind not in _NO_TEXT and (not given.strip() or len(given) > _MAX_TEXT):
            raise Refusal(1, "mes is empty or too long")
        text = "" if kind in _NO_TEXT else _text(call, given, link_code)
        recipients.append(Recipient(raw.strip(), recipient(raw, kind), text, sender))
    return recipients


def _text(call: Call, text: str, link_code: Callable[[str], str]) -> str:
    """The text as sent: ``translit``, then ``tinyurl``, then ``maxsms``."""
    p = call.params
    text = transliterate(text, number(p.get("translit", "0") or "0", "translit", 0, 2))
    if call.flag("tinyurl"):
        text = shorten_links(text, link_code)
    if "maxsms" in p:
        text = truncate(text, number(p["maxsms"], "maxsms", 1, 1000))
    return text


def _schedule(call: Call, count: int, minute: float) -> list[float]:
    """Loop times the ``count`` recipients go at."""
    p = call.params
    tz = number(p.get("tz", "0") or "0", "tz", -24, 24)
    try:
        start = parse_time(p.get("time", ""), tz=tz, wall=call.wall)
    except ValueError:
        raise Refusal(5, "invalid time format") from None
    begin = call.now + (start - call.wall).total_seconds() * minute / 60.0
    if "period" not in p:
        return [begin] * count
    try:
        period = float(Decimal(p["period"]))
    except ArithmeticError:
        raise Refusal(1, "bad period") from None
    if not 0.1 <= period <= 720:  # noqa: PLR2004 - the documented range, hours
        raise Refusal(1, "period out of range")
    freq = number(p.get("freq", "60"), "freq", 1, 1440)
    batches = max(1, math.ceil(period * 60 / freq))
    # Assumption: the recipients are split into equal batches, one every ``freq`` minutes.
    return [begin + (i * batches // count) * freq * minute for i in range(count)]


def price(tariffs: Tariffs, kind: str, phone: str, parts: int) -> Decimal:
    """A recipient's price: per part (SMS kinds), per message, or per started minute (call).

    The operator's own price (``mccmnc``) comes first for SMS, then the zone's column for
    the kind (``api``, ``mms``, ``hlr`` for hlr and ping, ``call``); ``mail`` has its own
    price; what the list does not cover costs :data:`FALLBACK_PRICE`.
    """
    if kind == "mail":
        return tariffs.mail if tariffs.mail is not None else FALLBACK_PRICE
    if kind == "viber":
        return VIBER_PRICE
    info = number_info(phone)
    zone = next((z for z in tariffs.zones if z.zone == info.zone), None)
    column = {"mms": "mms", "hlr": "hlr", "ping": "hlr", "call": "call"}.get(kind, "api")
    unit: Decimal | None = getattr(zone, column) if zone is not None else None
    if column == "api":
        unit = next((c.cost for c in tariffs.codes if c.mccmnc == info.mccmnc), unit)
    unit = unit if unit is not None else FALLBACK_PRICE
    if kind == "call":
        return unit * math.ceil(parts / 60)
    return unit * (parts if column == "api" else 1)


def _valid_id(raw: str) -> bool:
    """An id: an integer 1..2147483647, or up to 40 of ``[A-Za-z0-9.-_]`` (spec §2.1)."""
    if raw.isdigit():
        return 1 <= int(raw) <= _MAX_ID
    return _ID.fullmatch(raw) is not None


def number(raw: str, name: str, low: int, high: int) -> int:
    """The integer parameter ``name`` within ``low..high``, else error 1."""
    try:
        value = int(raw)
    except ValueError:
        raise Refusal(1, f"bad {name}") from None
    if not low <= value <= high:
        raise Refusal(1, f"{name} out of range")
    return value
