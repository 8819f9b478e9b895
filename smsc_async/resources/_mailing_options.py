"""Checks and renderings of the options of ``jobs.php?add`` (spec §6.1; forms of §2.1).

Each helper records every problem on the :class:`~smsc_async._validation.Checks` it is given
and returns what to send; nothing here talks to the server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from smsc_async._validation import SUBJECT_MAX, Checks, Text, is_email, is_phone, text_list
from smsc_async.models.mailings import MailingKind, MailingRepeat
from smsc_async.resources.senders import check_sender_name

__all__ = [
    "MES_MAX",
    "check_kind",
    "extras",
    "schedule",
    "send_time",
    "spread",
    "text",
    "valid",
]

MES_MAX = 1000  # characters of one message (send.php docs; jobs.php applies them per message)
# Assumption: an e-mail's text is not bound by SMS limits; 100,000 characters is far above a
# newsletter and far below an absurd request.
_MAIL_MAX = 100_000
_NO_TEXT = frozenset({MailingKind.HLR, MailingKind.PING})
_SUBJECT = frozenset({MailingKind.MMS, MailingKind.MAIL})
_ID_MAX = 2**63 - 1
_MSK = dt.timezone(dt.timedelta(hours=3), "MSK")
_GROUP = re.compile(r"G[0-9]+")  # "G<id>": every number of a contact group
# ``time`` as the docs write it: DDMMYYhhmm, DD.MM.YY hh:mm, h1-h2, 0<unix time>, +minutes.
_STAMP = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})")
_DOTTED = re.compile(r"([0-9]{2})\.([0-9]{2})\.([0-9]{2}) ([0-9]{2}):([0-9]{2})")
_HOURS = re.compile(r"([0-9]{1,2})-([0-9]{1,2})")
_OTHER_TIME = re.compile(r"0[0-9]*|\+[0-9]+")
_HHMM = re.compile(r"([0-9]{2}):([0-9]{2})")
_DAY_HOURS = 24
_DAY_MINUTES = 24 * 60
_REPEATS = range(8)  # rpt 0-7


def check_kind(check: Checks, kind: MailingKind | str) -> MailingKind:
    """A :class:`MailingKind` (or its word); SMS when it is bad (the problem is recorded)."""
    try:
        return MailingKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in MailingKind)
        check.fail("kind", f"must be a MailingKind ({known}), got {kind!r}")
        return MailingKind.SMS


def _check_text(
    check: Checks, field: str, text: object, kind: MailingKind, lines: Text = Text.LINES
) -> str | None:
    longest = _MAIL_MAX if kind is MailingKind.MAIL else MES_MAX
    return check.text(field, text, max_len=longest, kind=lines, required=True)


def _recipients(kind: MailingKind) -> tuple[str, Callable[[object], bool]]:
    """What a recipient must be, for messages; and the test."""
    if kind is MailingKind.MAIL:
        return "e-mail addresses", is_email

    def phone_or_group(value: object) -> bool:
        return is_phone(value) or (isinstance(value, str) and bool(_GROUP.fullmatch(value)))

    return "phone numbers or group codes (G<id>)", phone_or_group


def _per_recipient(
    check: Checks, items: Mapping[str, str] | Iterable[tuple[str, str]], kind: MailingKind
) -> str | None:
    """``list``: ``recipient:text`` lines, one per recipient."""
    pairs = items.items() if isinstance(items, Mapping) else items
    if isinstance(pairs, str) or not isinstance(pairs, Iterable):
        check.fail("list", "must map recipients to their texts")
        return None
    accept, test = _recipients(kind)
    lines = []
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):  # noqa: PLR2004 - a pair
            check.fail("list", f"must hold (recipient, text) pairs, got {pair!r}")
            return None
        recipient, message = pair
        if not test(recipient):
            check.fail("list", f"must hold only {accept}; bad: {recipient!r}")
        # One line each: the list's lines are its entries.
        _check_text(check, "list", message, kind, Text.LINE)
        lines.append(f"{str(recipient).strip()}:{message}")
    if not lines:
        check.fail("list", "must hold at least one recipient")
    return "\n".join(lines)


def text(
    check: Checks,
    kind: MailingKind,
    *,
    phones: Iterable[str] | None,
    text: str | None,
    tpl: int | None,
    per_recipient: Mapping[str, str] | Iterable[tuple[str, str]] | None,
) -> dict[str, str]:
    """The recipients and the text: ``phones`` with ``text`` (``mes``) or ``tpl``; or ``list``."""
    params: dict[str, str] = {}
    chosen = (("text", text), ("tpl", tpl), ("list", per_recipient))
    given = [f for f, v in chosen if v is not None]
    if kind in _NO_TEXT:
        if given:
            check.fail("/".join(given), f"a {kind.value} mailing sends no text")
    elif len(given) != 1:
        problem = "several given" if given else "none given"
        check.fail("text/tpl/list", f"give exactly one of text, tpl or list ({problem})")
    if text is not None:
        _check_text(check, "text", text, kind)
        params["mes"] = str(text)
    check.int_range("tpl", tpl, 1, _ID_MAX)
    if tpl is not None:
        params["tpl"] = str(tpl)
    accept, test = _recipients(kind)
    if per_recipient is not None:
        if phones is not None:
            check.fail("phones", "list names the recipients: give phones or list, not both")
        rendered = _per_recipient(check, per_recipient, kind)
        if rendered is not None:
            params["list"] = rendered
    elif phones is None:
        check.fail("phones", "name the recipients (or give list)")
    else:
        joined = text_list(check, "phones", phones, accept, test)
        if joined is not None:
            params["phones"] = joined
    return params


def _real_time(day: str, month: str, year: str, hour: str, minute: str) -> bool:
    try:
        dt.datetime(2000 + int(year), int(month), int(day), int(hour), int(minute))  # noqa: DTZ001
    except ValueError:
        return False
    return True


def send_time(check: Checks, value: dt.datetime | dt.timedelta | str | None) -> str | None:
    """``time``: a datetime (an aware one in Moscow time), a delay, or one of SMSC's forms."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value.astimezone(_MSK) if value.tzinfo is not None else value
        return moment.strftime("%d.%m.%y %H:%M")
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
        if seconds < 0 or seconds % 60:
            check.fail("time", f"a delay must be whole minutes, zero or more, got {value}")
            return None
        return f"+{int(seconds) // 60}"
    form = value.strip() if isinstance(value, str) else None
    if form is None or not _known_form(form):
        check.fail(
            "time",
            "must be a datetime, a timedelta, or 'DDMMYYhhmm', 'DD.MM.YY hh:mm', 'h1-h2', "
            f"'0<unix time>' or '+<minutes>', got {value!r}",
        )
    return form


def _known_form(form: str) -> bool:
    """One of the documented ``time`` forms, with a real date and hours."""
    stamp = _STAMP.fullmatch(form) or _DOTTED.fullmatch(form)
    if stamp is not None:
        return _real_time(*stamp.groups())
    hours = _HOURS.fullmatch(form)
    if hours is not None:
        return int(hours[1]) < int(hours[2]) <= _DAY_HOURS
    return _OTHER_TIME.fullmatch(form) is not None


def valid(check: Checks, value: int | dt.timedelta | str | None) -> str | None:
    """``valid``: hours 1-24, a timedelta, or ``hh:mm`` from 00:01 to 24:00; sent as hh:mm."""
    if value is None:
        return None
    minutes: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value * 60 if 1 <= value <= _DAY_HOURS else None
    elif isinstance(value, dt.timedelta) and not value.total_seconds() % 60:
        minutes = int(value.total_seconds()) // 60
    elif isinstance(value, str) and (match := _HHMM.fullmatch(value.strip())):
        minutes = int(match[1]) * 60 + int(match[2]) if int(match[2]) < 60 else None  # noqa: PLR2004
    if minutes is None or not 1 <= minutes <= _DAY_MINUTES:
        check.fail("valid", f"must be 1-24 hours or 'hh:mm' from 00:01 to 24:00, got {value!r}")
        return None
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def spread(check: Checks, period: float | Decimal | None, freq: int | None) -> dict[str, str]:
    """``period`` (0.1-720 hours) and ``freq`` (1-1440 minutes between batches)."""
    params: dict[str, str] = {}
    number = check.decimal_range("period", period, Decimal("0.1"), Decimal(720))
    if number is not None:
        params["period"] = format(number.normalize(), "f")
    check.int_range("freq", freq, 1, _DAY_MINUTES)
    if freq is not None:
        if period is None:
            check.fail("freq", "spaces the batches of a period: give period too")
        params["freq"] = str(freq)
    return params


def schedule(
    check: Checks,
    time: object,
    tz: int | None,
    repeat: MailingRepeat | int | None,
    repeat_count: int | None,
) -> dict[str, str]:
    """``tz`` (with naive times), ``rpt`` and ``rptn``."""
    params: dict[str, str] = {}
    aware = isinstance(time, dt.datetime) and time.tzinfo is not None
    if tz is not None:
        check.int_range("tz", tz, -23, 23)
        if aware:
            check.fail("tz", "an aware datetime carries its zone: give tz with naive times only")
        params["tz"] = str(tz)
    elif aware:
        params["tz"] = "0"  # sent in Moscow time; without tz SMSC reads the account's zone
    if repeat is not None:
        if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat not in _REPEATS:
            check.fail("repeat", f"must be a MailingRepeat (0-7), got {repeat!r}")
        else:
            params["rpt"] = str(int(repeat))
    check.int_range("repeat_count", repeat_count, 1, _ID_MAX)
    if repeat_count is not None:
        if not repeat:
            check.fail("repeat_count", "limits the repeats: give repeat too")
        params["rptn"] = str(repeat_count)
    return params


def extras(
    check: Checks,
    kind: MailingKind,
    *,
    sender: str | None,
    subject: str | None,
    sender2: str | None,
    fileurl: str | None,
    auto_repeat: bool,
) -> dict[str, str]:
    """The kind's flag, ``fl[5]``, and the checks of the sender names, subject and file."""
    mail = kind is MailingKind.MAIL
    check_sender_name(check, "sender", sender, mail=mail)
    check_sender_name(check, "sender2", sender2, mail=mail)
    if mail and sender is None:
        check.fail("sender", "an e-mail mailing needs the sender's address")
    if subject is not None and kind not in _SUBJECT:
        check.fail("subject", "is the (non-empty) subject of an mms or mail mailing")
    else:
        check.text("subject", subject, max_len=SUBJECT_MAX, blank=False)
    if mail and subject is None:
        check.fail("subject", "an e-mail mailing needs a subject")
    if sender2 is not None and not auto_repeat:
        check.fail("sender2", "names the sender of automatic repeats: give auto_repeat=True")
    check.url("fileurl", fileurl)
    params = {} if kind is MailingKind.SMS else {kind.value: "1"}
    if auto_repeat:
        params["fl[5]"] = "1"
    return params
