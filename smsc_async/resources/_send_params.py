"""Checks and renderings of ``send.php`` parameters (spec §2.1), apart from the resource.

Each function records what is wrong in a :class:`~smsc_async._validation.Checks` and
returns the wire value (``None`` when absent or bad), so one call lists every bad field.
"""

from __future__ import annotations

import datetime as dt
import itertools
import mimetypes
import re
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from smsc_async._types import Files
from smsc_async._validation import FILENAME_MAX, Checks, Text, is_email, is_phone
from smsc_async.models.messages import Attachment, CallSettings, MessageType

__all__ = [
    "TEXT_MAX",
    "message_id",
    "new_message_id",
    "recipients",
    "render_attachments",
    "render_call",
    "render_list",
    "render_period",
    "render_text",
    "render_time",
    "render_valid",
]

TEXT_MAX = 1000  # characters of one message text (spec §2.1)
_ID_MAX = 2_147_483_647  # a numeric id is a positive 32-bit integer
_ID_TEXT = re.compile(r"[A-Za-z0-9._-]{1,40}")
_GROUP = re.compile(r"G[0-9]+")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_TZ = (-15, 11)  # UTC-12 to UTC+14, counted from Moscow (UTC+3)
_PERIOD = (Decimal("0.1"), Decimal(720))  # hours
_FREQ = (1, 1440)  # minutes
_VALID_HOURS = (1, 24)
_MINUTE = dt.timedelta(minutes=1)
_DAY = dt.timedelta(hours=24)
_CALL_WAIT, _CALL_INTERVAL, _CALL_ATTEMPTS = (0, 99), (10, 3600), (1, 9)

# time= forms (spec §2.1): DDMMYYhhmm, "DD.MM.YY hh:mm", "h1-h2", "0<unix time>", "+m".
_TIME_DIGITS = re.compile(r"(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)")
_TIME_DOTTED = re.compile(r"(\d\d)\.(\d\d)\.(\d\d) (\d\d):(\d\d)")
_TIME_HOURS = re.compile(r"(\d{1,2})-(\d{1,2})")
_TIME_UNIX = re.compile(r"0\d*")
_TIME_OFFSET = re.compile(r"\+\d+")
_VALID_CLOCK = re.compile(r"(\d\d):(\d\d)")


class _IdSource:
    """Numeric ids for sends the caller gave none: unique within the process.

    They count up from a random start, so two processes rarely hand out the same id at
    the same time (an id only needs to tell one phone's messages apart, spec §7.9).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count(secrets.randbelow(_ID_MAX // 2) + 1)

    def next(self) -> str:
        with self._lock:
            value = next(self._counter)
            if value > _ID_MAX:
                self._counter = itertools.count(2)
                value = 1
        return str(value)


_IDS = _IdSource()


def new_message_id() -> str:
    """A fresh id for a send whose caller gave none."""
    return _IDS.next()


def message_id(check: Checks, field: str, value: int | str | None) -> str | None:
    """A message id: an integer 1 to 2147483647, or up to 40 of ``A-Z a-z 0-9 . - _``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        check.fail(field, f"must be an integer or a string, got {type(value).__name__}")
    elif isinstance(value, int):
        if 1 <= value <= _ID_MAX:
            return str(value)
        check.fail(field, f"must be between 1 and {_ID_MAX}, got {value}")
    elif _ID_TEXT.fullmatch(value):
        return value
    else:
        check.fail(field, f"must be up to 40 of A-Z, a-z, 0-9, '.', '-', '_'; got {value!r}")
    return None


def _split(value: str | Iterable[str]) -> list[object]:
    if isinstance(value, str):
        return list(re.split(r"[,;]", value))
    return list(value)


def recipients(
    check: Checks, field: str, phones: str | Iterable[str], kind: MessageType
) -> str | None:
    """Phone numbers (or ``G<group id>``), or e-mail addresses for :attr:`MessageType.MAIL`.

    A string may hold several, separated by ``,`` or ``;``.
    """
    if not isinstance(phones, str | Iterable):
        check.fail(field, f"must be a phone number or a list of them, not {type(phones).__name__}")
        return None
    items = _split(phones)
    mail = kind is MessageType.MAIL
    accept = "e-mail addresses" if mail else "phone numbers or G<group id>"
    bad = [
        repr(item)
        for item in items
        if not (
            isinstance(item, str)
            and (is_email(item) if mail else is_phone(item) or _GROUP.fullmatch(item.strip()))
        )
    ]
    if bad:
        check.fail(field, f"must hold only {accept}; bad: {', '.join(bad[:3])}")
        return None
    if not items:
        check.fail(field, f"must hold at least one of {accept}")
        return None
    return ",".join(str(item).strip() for item in items)


def render_text(
    check: Checks,
    field: str,
    text: str | bytes | None,
    kind: MessageType,
    lines: Text = Text.LINES,
) -> str | None:
    """The ``mes`` of a message: checked for its kind (hex for binary messages).

    A text may hold line breaks, unless ``lines`` says otherwise (a list's entries).
    """
    if kind in (MessageType.HLR, MessageType.PING):
        if text is not None:
            check.fail(field, f"{kind.name} requests carry no text: leave it out")
        return None
    if kind is MessageType.BIN:
        if isinstance(text, bytes | bytearray):
            text = bytes(text).hex().upper()
        elif not (isinstance(text, str) and _HEX.fullmatch(text)):
            check.fail(field, "a binary message is bytes, or their hex digits (pairs)")
            return None
    return check.text(field, text, max_len=TEXT_MAX, kind=lines, required=True)


def render_list(
    check: Checks, field: str, messages: Mapping[str, str] | Iterable[tuple[str, str]]
) -> str | None:
    """``list=``: one ``phone:text`` line per recipient."""
    if isinstance(messages, str) or not isinstance(messages, Mapping | Iterable):
        check.fail(field, "must map phone numbers to texts (or be (phone, text) pairs)")
        return None
    pairs = list(messages.items()) if isinstance(messages, Mapping) else list(messages)
    lines: list[str] = []
    for n, pair in enumerate(pairs):
        where = f"{field}[{n}]"
        if not (isinstance(pair, tuple) and len(pair) == 2):  # noqa: PLR2004 - a pair
            check.fail(where, "must be a (phone, text) pair")
            continue
        phone, text = pair
        if not is_phone(phone):
            check.fail(where, f"bad phone number {phone!r}")
        # Assumption: the server splits the list at line breaks (spec §2.1: lines
        # separated by \n); a text holding one cannot be sent this way.
        if render_text(check, where, text, MessageType.SMS, Text.LINE) is not None:
            lines.append(f"{str(phone).strip()}:{text}")
    if not pairs:
        check.fail(field, "must hold at least one (phone, text) pair")
    return "\n".join(lines)


def _ddmmyy(check: Checks, field: str, parts: Sequence[str]) -> None:
    day, month, year, hour, minute = (int(p) for p in parts)
    try:
        dt.datetime(2000 + year, month, day, hour, minute)  # noqa: DTZ001 - a check only
    except ValueError:
        check.fail(field, "is not a real date and time")


def render_time(  # noqa: PLR0911 - one return per form
    check: Checks, field: str, value: dt.datetime | dt.timedelta | str | None
) -> str | None:
    """When to send.

    An aware ``datetime`` is sent as Unix time; a naive one as ``DD.MM.YY hh:mm``, which
    SMSC reads in ``tz`` (else the account's time zone); a ``timedelta`` of whole minutes
    from now as ``+<minutes>``; a string must be one of SMSC's own forms (``DDMMYYhhmm``,
    ``DD.MM.YY hh:mm``, ``h1-h2``, ``0<unix time>``, ``+<minutes>``).
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return f"0{int(value.timestamp())}"
        return value.strftime("%d.%m.%y %H:%M")
    if isinstance(value, dt.timedelta):
        if value <= dt.timedelta(0) or value % _MINUTE:
            check.fail(field, f"a delay must be a positive whole number of minutes, got {value}")
            return None
        return f"+{value // _MINUTE}"
    if not isinstance(value, str):
        check.fail(field, f"must be a datetime, timedelta or str, got {type(value).__name__}")
        return None
    text = value.strip()
    digits = _TIME_DIGITS.fullmatch(text) or _TIME_DOTTED.fullmatch(text)
    hours = _TIME_HOURS.fullmatch(text)
    if digits:
        _ddmmyy(check, field, digits.groups())
    elif hours:
        start, end = int(hours[1]), int(hours[2])
        if not 0 <= start < end <= 24:  # noqa: PLR2004 - hours of a day
            check.fail(field, f"an hour window h1-h2 needs 0 <= h1 < h2 <= 24, got {text!r}")
    elif not (_TIME_UNIX.fullmatch(text) or _TIME_OFFSET.fullmatch(text)):
        check.fail(
            field,
            "unknown form: give a datetime or timedelta, or 'DDMMYYhhmm', 'DD.MM.YY hh:mm', "
            f"'h1-h2', '0<unix time>' or '+<minutes>'; got {value!r}",
        )
        return None
    return text


def render_valid(  # noqa: PLR0911 - one return per form
    check: Checks, field: str, value: int | dt.timedelta | str | None
) -> str | None:
    """A message's lifetime.

    Hours 1 to 24, a ``timedelta`` of 1 minute to 24 hours (whole minutes), or ``"hh:mm"``
    from ``00:01`` to ``24:00``.
    """
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        if not _MINUTE <= value <= _DAY or value % _MINUTE:
            check.fail(field, f"must be whole minutes from 1 minute to 24 hours, got {value}")
            return None
        minutes = value // _MINUTE
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, str):
        text = value.strip()
        clock = _VALID_CLOCK.fullmatch(text)
        if clock is not None:
            span = dt.timedelta(hours=int(clock[1]), minutes=int(clock[2]))
            if int(clock[2]) < 60 and _MINUTE <= span <= _DAY:  # noqa: PLR2004 - minutes
                return text
            check.fail(field, f"must be from 00:01 to 24:00, got {value!r}")
            return None
        if not (text.isascii() and text.isdigit()):
            check.fail(field, f"must be hours (1 to 24) or 'hh:mm', got {value!r}")
            return None
        value = int(text)
    errors = len(check.errors)
    check.int_range(field, value, *_VALID_HOURS)
    return str(value) if len(check.errors) == errors else None


def render_period(
    check: Checks, period: float | Decimal | None, freq: int | None
) -> dict[str, str]:
    """A mailing spread over ``period`` hours (0.1 to 720), in batches every ``freq`` minutes.

    ``freq`` (1 to 1440) needs ``period``.
    """
    params: dict[str, str] = {}
    hours = check.decimal_range("period", period, *_PERIOD)
    if hours is not None:
        params["period"] = format(hours.normalize(), "f")
    if freq is not None:
        check.int_range("freq", freq, *_FREQ)
        if period is None:
            check.fail("freq", "sets the batch interval of a spread mailing: needs period")
        elif isinstance(freq, int):
            params["freq"] = str(freq)
    return params


def render_tz(check: Checks, tz: int | None) -> str | None:
    """Hours from Moscow time that ``time`` is given in."""
    check.int_range("tz", tz, *_TZ)
    return None if tz is None else str(tz)


def render_call(check: Checks, settings: CallSettings | None) -> str | None:
    """``param=wait,interval,attempts`` of a voice call."""
    if settings is None:
        return None
    if not isinstance(settings, CallSettings):
        check.fail("call", "must be a CallSettings")
        return None
    check.int_range("call.wait", settings.wait, *_CALL_WAIT)
    check.int_range("call.interval", settings.interval, *_CALL_INTERVAL)
    check.int_range("call.attempts", settings.attempts, *_CALL_ATTEMPTS)
    return f"{settings.wait},{settings.interval},{settings.attempts}"


def render_attachments(check: Checks, attachments: Sequence[Attachment]) -> Files | None:
    """Files sent with an MMS or an e-mail.

    Posted as ``file0``, ``file1``... as SMSC's own libraries do (spec §1.3).
    """
    files: dict[str, tuple[str, bytes, str]] = {}
    for n, attachment in enumerate(attachments):
        if not isinstance(attachment, Attachment) or not attachment.content:
            check.fail(f"attachments[{n}]", "must be a non-empty Attachment")
            continue
        name = attachment.filename
        where = f"attachments[{n}]"
        if check.text(where, name, max_len=FILENAME_MAX, kind=Text.NAME, required=True) is None:
            continue
        content_type = (
            attachment.content_type
            or mimetypes.guess_type(attachment.filename)[0]
            or "application/octet-stream"
        )
        files[f"file{n}"] = (attachment.filename, attachment.content, content_type)
    return files or None
