"""The data scripts in the emulator: ``get.php`` history, inbox and statistics; ``info.php``.

``get_messages`` and ``get_answers`` read the emulator's :class:`~smsc_async.testing._outbox.Outbox`
(shared with ``send.php`` and ``status.php``); ``get_stat`` sums it up; ``get_operator``
looks numbers up in the sample numbering table ``send.php`` uses too. The reply layouts
follow the SDK's reading of spec §5 (UNVERIFIED where the docs show none) but are written
here, from the spec, sharing nothing with the SDK's decoders.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import attrs

from smsc_async import Format
from smsc_async.testing._calls import Call, Handler, Refusal, Render
from smsc_async.testing._message_text import STATUS_NAMES, number_info, recipient
from smsc_async.testing._outbox import InboxEntry, Outbox, OutboxEntry, phone_key

__all__ = [
    "HistoryFamily",
    "StatsRow",
    "render_answers",
    "render_history",
    "render_operator",
    "render_stats",
]

Fields = Sequence[tuple[str, Any]]

_HISTORY_CNT = 1000  # get_messages: "The maximum value is 1000."
_INBOX_CNT = 10_000  # get_answers: "The maximum value is 10000."
_MAX_HOURS = 168  # get_answers: "Maximum number of hours - 168 (7 days)."
_MAX_MONTHS = 6  # get_messages: "The maximum period ... is six months."
_MAIL_FORMAT = "8"
_CURRENCY = "RUR"  # Assumption: as balance.php writes roubles (spec §4); mycur changes nothing
# Sample data: the time zone (hours from UTC) of the regions in the numbering table.
_REGION_TZ = {"Москва": 3, "Санкт-Петербург": 3, "Новосибирская обл.": 7}


# -- renderers ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _json(document: Any) -> str:
    return json.dumps(document, indent=0, ensure_ascii=False)  # spec §1.6: no indentation


def _number(value: str) -> int | str:
    """An id as JSON writes it: a number when it is one."""
    return int(value) if value.isdigit() else value


def _rows(fmt: Format, element: str, rows: Sequence[Fields], *, line_keys: dict[str, str]) -> str:
    """Records in one of the four layouts (``line_keys`` renames keys in fmt=0).

    ``key = value`` lines, comma-separated cells, a ``<list>`` of elements, an array.
    """
    if fmt is Format.LINES:
        return "\n".join(
            ", ".join(f"{line_keys.get(k, k)} = {_text(v)}" for k, v in row) for row in rows
        )
    if fmt is Format.CSV:
        return "\n".join(",".join(_text(v) for _, v in row) for row in rows)
    if fmt is Format.XML:
        parts = ["<list>"]
        for row in rows:
            parts.append(f"<{element}>")
            parts += [f"<{k}>{escape(_text(v))}</{k}>" for k, v in row]
            parts.append(f"</{element}>")
        parts.append("</list>")
        return "\n".join(parts)
    return _json([{k: _text(v) if isinstance(v, Decimal) else v for k, v in row} for row in rows])


def _date(moment: dt.datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M:%S")


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _history_fields(entry: OutboxEntry) -> list[tuple[str, Any]]:
    # The order of the docs' list (status, last_date, last_timestamp, err, send_date,
    # send_timestamp, ...), then a full status reply's fields, then the ids (Assumption).
    return [
        ("status", entry.status),
        ("last_date", _date(entry.changed_wall)),
        ("last_timestamp", int(entry.changed_wall.timestamp())),
        ("err", entry.err),
        ("send_date", _date(entry.sent_wall)),
        ("send_timestamp", int(entry.sent_wall.timestamp())),
        ("phone", entry.phone),
        ("cost", _money(entry.cost)),
        ("sender_id", entry.sender),
        ("status_name", STATUS_NAMES.get(entry.status, "")),
        ("message", entry.text),
        ("country", entry.country),
        ("operator", entry.operator),
        ("region", entry.region),
        ("mccmnc", entry.mccmnc),
        ("type", entry.type),
        ("sms_cnt", entry.parts),
        ("id", _number(entry.id)),
        ("int_id", entry.int_id),
    ]


def render_history(fmt: Format, entries: Iterable[OutboxEntry]) -> str:
    """The reply to ``get.php?get_messages=1``: one record per message and recipient.

    fmt=0 names the last change ``check_time`` and the id ``ID``, as a real reply does.
    """
    rows = [_history_fields(e) for e in entries]
    return _rows(fmt, "sms", rows, line_keys={"last_date": "check_time", "id": "ID"})


def render_answers(fmt: Format, answers: Iterable[InboxEntry]) -> str:
    """The reply to ``get.php?get_answers=1``: one record per incoming message.

    Assumption (spec §5.2): ``id, received, phone, message, to_phone, sent``.
    """
    rows = [
        [
            ("id", a.id),
            ("received", _date(a.received_wall)),
            ("phone", a.phone),
            ("message", a.text),
            ("to_phone", a.to_phone),
            ("sent", _date(a.sent_wall)),
        ]
        for a in answers
    ]
    return _rows(fmt, "answer", rows, line_keys={})


@attrs.frozen
class StatsRow:
    """One login's line of ``get_stat``: messages, money paid in (credit) and spent (debit)."""

    login: str
    messages: int
    credit: Decimal
    debit: Decimal
    currency: str = _CURRENCY


def render_stats(fmt: Format, rows: Iterable[StatsRow]) -> str:
    """The reply to ``get.php?get_stat=1``: ``login, cnt, credit, debit, currency`` per login."""
    fields = [
        [
            ("login", r.login),
            ("cnt", r.messages),
            ("credit", _money(r.credit)),
            ("debit", _money(r.debit)),
            ("currency", r.currency),
        ]
        for r in rows
    ]
    return _rows(fmt, "stat", fields, line_keys={})


def render_operator(fmt: Format, fields: Fields) -> str:
    """The reply to ``info.php?get_operator=1``: one record (``<result>`` in fmt=2)."""
    if fmt is Format.LINES:
        return ", ".join(f"{k} = {_text(v)}" for k, v in fields)
    if fmt is Format.CSV:
        return ",".join(_text(v) for _, v in fields)
    if fmt is Format.XML:
        inner = "".join(f"\n<{k}>{escape(_text(v))}</{k}>" for k, v in fields)
        return f"<result>{inner}\n</result>"
    return _json(dict(fields))


# -- the family --------------------------------------------------------------------------------


def _int(call: Call, name: str, low: int, high: int, default: int | None = None) -> int | None:
    raw = call.params.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Refusal(1, f"bad {name}") from None
    if not low <= value <= high:
        raise Refusal(1, f"{name} out of range")
    return value


def _day(call: Call, name: str) -> dt.date | None:
    raw = call.params.get(name, "")
    if not raw:
        return None
    try:
        return dt.datetime.strptime(raw, "%d.%m.%Y").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise Refusal(1, f"bad {name}") from None


def _months_later(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _period(call: Call, *, max_months: int | None = None) -> Callable[[dt.datetime], bool]:
    """Whether a moment falls in the request's ``start``..``end`` days (either may be open)."""
    start, end = _day(call, "start"), _day(call, "end")
    if start and end and end < start:
        raise Refusal(1, "end is before start")
    if max_months and start and end and end > _months_later(start, max_months):
        raise Refusal(1, f"the period is longer than {max_months} months")

    def within(moment: dt.datetime) -> bool:
        day = moment.date()
        return (start is None or start <= day) and (end is None or day <= end)

    return within


def _list(call: Call, name: str) -> set[str] | None:
    raw = call.params.get(name, "")
    items = {phone_key(item) for item in raw.replace(";", ",").split(",") if item.strip()}
    return items or None


@attrs.define
class HistoryFamily:
    """``get.php`` (``get_messages``, ``get_answers``, ``get_stat``) and ``info.php``.

    Attributes:
        outbox: The messages sent and received, shared with ``send.php``/``status.php``.
    """

    outbox: Outbox

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher."""
        return {
            ("get.php", "get_messages"): self.get_messages,
            ("get.php", "get_answers"): self.get_answers,
            ("get.php", "get_stat"): self.get_stat,
            ("info.php", "get_operator"): self.get_operator,
        }

    def get_messages(self, call: Call) -> Render:
        """The history of sent messages, newest first, paged back with ``prev_id``."""
        within = _period(call, max_months=_MAX_MONTHS)
        mail = call.params.get("format", "0") == _MAIL_FORMAT
        wanted = _list(call, "email" if mail else "phone")
        prev_id = _int(call, "prev_id", 1, 2**63 - 1)
        # Assumption: without cnt the server answers as many as it may (1000).
        cnt = _int(call, "cnt", 1, _HISTORY_CNT, _HISTORY_CNT)
        self.outbox.settle(call.now)
        found = [
            entry
            for entry in reversed(list(self.outbox.for_login(call.owner())))
            # Assumption: format=0 ("SMS") is every kind but e-mail.
            if (entry.kind == "mail") == mail
            and within(entry.sent_wall)
            and (wanted is None or phone_key(entry.phone) in wanted)
            and (prev_id is None or entry.int_id < prev_id)
        ][:cnt]
        if not found:
            raise Refusal(3, "messages not found")  # as phones.php answers an empty list
        return lambda fmt: render_history(fmt, found)

    def get_answers(self, call: Call) -> Render:
        """Incoming messages of the last ``hour`` hours, oldest first, after ``after_id``."""
        # Assumption: without hour, the longest period the docs allow (168 hours).
        hours = _int(call, "hour", 1, _MAX_HOURS, _MAX_HOURS) or _MAX_HOURS
        after_id = _int(call, "after_id", 0, 2**63 - 1)
        cnt = _int(call, "cnt", 1, _INBOX_CNT, _INBOX_CNT)
        to_phone = call.params.get("to_phone", "")
        since = call.wall - dt.timedelta(hours=hours)
        found = [
            answer
            for answer in self.outbox.answers_for(call.owner())
            if answer.received_wall >= since
            and (after_id is None or answer.id > after_id)
            and (not to_phone or phone_key(answer.to_phone) == phone_key(to_phone))
        ][:cnt]
        if not found:
            raise Refusal(3, "messages not found")
        return lambda fmt: render_answers(fmt, found)

    def get_stat(self, call: Call) -> Render:
        """The caller's messages and spending in the ``start``..``end`` days.

        Assumption: one row, the caller's; nothing is paid from a second balance here, so
        ``balance2=1`` counts nothing; payments are not recorded, so credit is 0.
        """
        within = _period(call)
        self.outbox.settle(call.now)
        owned = [] if call.flag("balance2") else self.outbox.for_login(call.owner())
        sent = [entry for entry in owned if within(entry.sent_wall)]
        row = StatsRow(call.owner(), len(sent), Decimal(0), sum((e.cost for e in sent), Decimal(0)))
        return lambda fmt: render_stats(fmt, [row])

    def get_operator(self, call: Call) -> Render:
        """The operator, country and region of one number (sample numbering data)."""
        raw = call.params.get("phone", "")
        # Assumption: the reply to a list of numbers is not documented; one number is served.
        number = recipient(raw, "sms") if "," not in raw and ";" not in raw else None
        if number is None:
            raise Refusal(1, "bad phone")
        info = number_info(number)
        if not info.operator:
            raise Refusal(3, "operator not found")
        tz = _REGION_TZ.get(info.region, "")
        fields = [
            ("country", info.country),
            ("operator", info.operator),
            ("region", info.region),
            ("mcc", info.mccmnc[:3]),
            ("mnc", info.mccmnc[3:]),
            ("tz", tz),
        ]
        return lambda fmt: render_operator(fmt, fields)
