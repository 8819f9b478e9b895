"""Renderers of ``send.php``, ``status.php`` and ``balance.php`` replies (spec §2.2, §3.2, §4).

Written from the documentation and the recorded replies, apart from the SDK's decoders,
like ``_render``. Where the spec marks a layout UNVERIFIED the choice is said next to it.
Money is written with two decimals and quoted in JSON (spec §1.6); ids are JSON numbers
when they are numbers.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import attrs

from smsc_async import Format
from smsc_async.testing._message_text import STATUS_NAMES
from smsc_async.testing._outbox import OutboxEntry

__all__ = [
    "PhoneRow",
    "money",
    "render_balance",
    "render_price",
    "render_sent",
    "render_statuses",
    "status_fields",
]

Fields = Sequence[tuple[str, Any]]


def money(value: Decimal) -> str:
    """A sum as SMSC writes it: two decimals."""
    return format(value.quantize(Decimal("0.01")), "f")


def _json(document: Any) -> str:
    return json.dumps(document, indent=0, ensure_ascii=False)  # spec §1.6


def _id(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@attrs.frozen
class PhoneRow:
    """One recipient in a send reply with ``op=1`` or ``err=1`` (spec §2.2).

    ``status`` is the message's status then (spec §3.3: -1 queued; 22 invalid number...),
    ``error`` its ``err`` code (spec §3.4).
    """

    phone: str
    mccmnc: str
    cost: Decimal
    status: int
    error: int

    def fields(self) -> list[tuple[str, str]]:
        """The row's fields in order, as text."""
        return [
            ("phone", self.phone),
            ("mccmnc", self.mccmnc),
            ("cost", money(self.cost)),
            ("status", str(self.status)),
            ("error", str(self.error)),
        ]


def _with_phones(fmt: Format, head: str, phones: Sequence[PhoneRow] | None) -> str:
    """A fmt=0/1 reply's first line, then one line per recipient.

    Assumption (no sample): ``key = value`` lines (fmt=0) or comma-separated cells
    (fmt=1) in the order phone, mccmnc, cost, status, error.
    """
    if not phones:
        return head
    if fmt is Format.LINES:
        rows = [", ".join(f"{k} = {v}" for k, v in p.fields()) for p in phones]
    else:
        rows = [",".join(v for _, v in p.fields()) for p in phones]
    return "\n".join([head, *rows])


def _xml(fields: Fields, phones: Sequence[PhoneRow] | None, root: str = "result") -> str:
    parts = [f"<{root}>"]
    parts += [f"<{k}>{escape(_text(v))}</{k}>" for k, v in fields]
    if phones:
        # Assumption (no sample): <phones> holds one <item> per recipient.
        parts.append("<phones>")
        for phone in phones:
            parts.append("<item>")
            parts += [f"<{k}>{escape(v)}</{k}>" for k, v in phone.fields()]
            parts.append("</item>")
        parts.append("</phones>")
    parts.append(f"</{root}>")
    return "\n".join(parts)


def _document(fields: Fields, phones: Sequence[PhoneRow] | None) -> str:
    document = dict(fields)
    if phones:
        # Per-recipient values are strings, as the client libraries model them.
        document["phones"] = [dict(p.fields()) for p in phones]
    return _json(document)


def render_sent(
    fmt: Format,
    *,
    id: str,  # noqa: A002 - SMSC's own name
    cnt: int,
    cost: Decimal | None = None,
    balance: Decimal | None = None,
    phones: Sequence[PhoneRow] | None = None,
) -> str:
    """The reply to a send: ``cost=0``; with ``cost`` for 2; with ``balance`` too for 3.

    fmt=0: ``OK - <cnt> SMS, ID - <id>[, COST - <cost>[, BALANCE - <balance>]]`` (the
    ``BALANCE`` part is an assumption); fmt=1: ``<id>,<cnt>[,<cost>[,<balance>]]``.
    """
    if fmt is Format.LINES:
        head = f"OK - {cnt} SMS, ID - {id}"
        if cost is not None:
            head += f", COST - {money(cost)}"
        if balance is not None:
            head += f", BALANCE - {money(balance)}"
        return _with_phones(fmt, head, phones)
    if fmt is Format.CSV:
        cells = [id, str(cnt)]
        cells += [money(v) for v in (cost, balance) if v is not None]
        return _with_phones(fmt, ",".join(cells), phones)
    fields: list[tuple[str, Any]] = [("id", _id(id)), ("cnt", cnt)]
    fields += [(k, money(v)) for k, v in (("cost", cost), ("balance", balance)) if v is not None]
    if fmt is Format.XML:
        return _xml(fields, phones)
    return _document(fields, phones)


def render_price(
    fmt: Format, *, cnt: int, cost: Decimal, phones: Sequence[PhoneRow] | None = None
) -> str:
    """The reply to ``cost=1``: the price and the number of SMS, nothing sent.

    fmt=1 ``<cost>,<cnt>`` (docs). fmt=0 has no sample: the emulator answers
    ``OK - <cnt> SMS, COST - <cost>`` (the send reply's wording without an id).
    """
    if fmt is Format.LINES:
        return _with_phones(fmt, f"OK - {cnt} SMS, COST - {money(cost)}", phones)
    if fmt is Format.CSV:
        return _with_phones(fmt, f"{money(cost)},{cnt}", phones)
    fields = [("cnt", cnt), ("cost", money(cost))]
    if fmt is Format.XML:
        return _xml(fields, phones)
    return _document(fields, phones)


# -- status.php ------------------------------------------------------------------------------

_HLR_KEYS = ("imsi", "msc", "mcc", "mnc", "cn", "net", "rcn", "rnet")


def _date(moment: dt.datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M:%S")


def _hlr(entry: OutboxEntry) -> list[tuple[str, Any]]:
    # Assumption: sample HLR data made up from the number's mccmnc, country and operator.
    digits = "".join(c for c in entry.phone if c.isdigit())
    values = (
        f"{entry.mccmnc}{digits[-10:]}" if entry.mccmnc else "",
        "79168880000" if entry.mccmnc else "",
        entry.mccmnc[:3],
        entry.mccmnc[3:],
        entry.country,
        entry.operator,
        "",
        "",
    )
    return list(zip(_HLR_KEYS, values, strict=True))


def status_fields(
    entry: OutboxEntry | None,
    *,
    phone: str,
    id: str,  # noqa: A002 - SMSC's own name
    all: int,  # noqa: A002 - SMSC's own name
    multi: bool,
) -> list[tuple[str, Any]]:
    """One message's fields in a status reply, every format's keys in fmt=1's order.

    Order (spec §3.2): ``status, last_timestamp, err``, the HLR fields for an HLR request,
    then with ``all=1`` ``send_timestamp, phone, cost, sender_id, status_name, message``
    (``all=2`` puts ``country, operator, region`` after ``phone``); the dates
    (``last_date``, ``send_date``) sit before their timestamps. A multiple request adds
    ``id`` and (with ``all=0``) ``phone`` last. An unknown message has status -3 only.
    """
    tail: list[tuple[str, Any]] = []
    if multi:
        tail = (
            [("id", _id(id)), ("phone", phone)] if all == 0 or entry is None else [("id", _id(id))]
        )
    if entry is None:
        return [("status", -3), *tail]
    fields: list[tuple[str, Any]] = [
        ("status", entry.status),
        ("last_date", _date(entry.changed_wall)),
        ("last_timestamp", int(entry.changed_wall.timestamp())),
        ("err", entry.err),
    ]
    if entry.kind == "hlr":
        fields += _hlr(entry)
    if all >= 1:
        fields += [
            ("send_date", _date(entry.sent_wall)),
            ("send_timestamp", int(entry.sent_wall.timestamp())),
            ("phone", entry.phone),
        ]
        if all >= 2:  # noqa: PLR2004 - all=2
            fields += [
                ("country", entry.country),
                ("operator", entry.operator),
                ("region", entry.region),
            ]
        fields += [
            ("cost", money(entry.cost)),
            # The official library tells HLR rows by ``HLR`` in this column.
            ("sender_id", "HLR" if entry.kind == "hlr" else entry.sender),
            ("status_name", STATUS_NAMES.get(entry.status, "")),
            ("message", entry.text),
        ]
    return [*fields, *tail]


# fmt=0 names: the docs' ``Status = 1, check_time = ...`` (dates, no timestamps).
# Assumption: the other keys keep their JSON names; ``id`` is upper-case as in get_messages.
_LINE_NAMES = {"status": "Status", "last_date": "check_time", "id": "ID"}
_DATES = frozenset({"last_date", "send_date"})
_TIMESTAMPS = frozenset({"last_timestamp", "send_timestamp"})


def render_statuses(fmt: Format, rows: Sequence[Fields], *, multi: bool) -> str:
    """The reply to ``status.php``: one message, or one row per message of a multi request.

    fmt=0/1 give a line per message (fmt=0 dates, fmt=1 timestamps; ``err`` always);
    fmt=2/3 every field but ``err`` when it is 0, as the recorded replies show. fmt=2:
    ``<sms>`` per message, under ``<list>`` for a multi request (Assumption: the root).
    fmt=3: an object, or an array for a multi request.
    """
    if fmt is Format.LINES:
        return "\n".join(
            ", ".join(
                f"{_LINE_NAMES.get(k, k)} = {_text(v)}" for k, v in row if k not in _TIMESTAMPS
            )
            for row in rows
        )
    if fmt is Format.CSV:
        return "\n".join(",".join(_text(v) for k, v in row if k not in _DATES) for row in rows)
    shown = [[(k, v) for k, v in row if not (k == "err" and v == 0)] for row in rows]
    if fmt is Format.XML:
        if not multi:
            return _xml(shown[0], None, root="sms")
        return "\n".join(["<list>", *(_xml(row, None, root="sms") for row in shown), "</list>"])
    documents = [dict(row) for row in shown]
    return _json(documents if multi else documents[0])


# -- balance.php -----------------------------------------------------------------------------


def render_balance(
    fmt: Format, balance: Decimal, *, credit: Decimal | None = None, currency: str | None = None
) -> str:
    """The reply to ``balance.php``; ``currency`` (and a ``credit``) with ``cur=1``.

    fmt=0 and 1: ``<balance>`` (docs); with ``cur=1`` ``<balance>[,<credit>],<currency>``
    (Assumption, spec §4). fmt=2: ``<result>`` around ``<balance>`` (and ``<credit>``,
    ``<currency>``); fmt=3: ``{"balance": "..."}`` and the same keys.
    """
    fields: list[tuple[str, str]] = [("balance", money(balance))]
    if credit is not None:
        fields.append(("credit", money(credit)))
    if currency is not None:
        fields.append(("currency", currency))
    if fmt in (Format.LINES, Format.CSV):
        return ",".join(v for _, v in fields)
    if fmt is Format.XML:
        return _xml(fields, None)
    return _json(dict(fields))
