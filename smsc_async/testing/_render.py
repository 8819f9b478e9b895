"""Renderers of SMSC replies in the four wire formats, written from the documentation.

They are the emulator's voice, and deliberately share nothing with the SDK's decoders:
a test that renders with these and decodes with the SDK checks one reading of the docs
against another. Each function returns text; the caller encodes it in the reply charset.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import attrs

from smsc_async import (
    BlacklistEntry,
    Contact,
    ContactGroup,
    Format,
    OperatorTemplate,
    Sender,
    SubclientDayStats,
    SubclientStats,
    Tariffs,
    TemplateAdded,
)
from smsc_async.models import OperatorStatuses

__all__ = [
    "render_blacklist",
    "render_contacts",
    "render_created_id",
    "render_error",
    "render_groups",
    "render_ok",
    "render_op_templates",
    "render_sender_id",
    "render_senders",
    "render_subclient_day_stats",
    "render_subclient_id",
    "render_subclient_stats",
    "render_tariffs",
]

# Per-operator keys in the order seed 002 gives them for fmt=0.
OPERATOR_KEYS = tuple(a.name for a in attrs.fields(OperatorStatuses))


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(int(value)) if isinstance(value, int) else str(value)


def _json(document: Any) -> str:
    # SMSC's JSON: a newline after each brace and comma, no indentation (spec §1.6).
    return json.dumps(document, indent=0, ensure_ascii=False)


def _lines(rows: Iterable[Sequence[tuple[str, Any]]]) -> str:
    return "\n".join(", ".join(f"{k} = {_value(v)}" for k, v in row) for row in rows)


def _csv(rows: Iterable[Sequence[tuple[str, Any]]]) -> str:
    return "\n".join(",".join(_value(v) for _, v in row) for row in rows)


def render_error(fmt: Format, code: int, message: str, *, id: str | None = None) -> str:  # noqa: A002
    """An error envelope (spec §1.5; with a message id as send.php gives for 3, 6, 7, 8)."""
    if fmt is Format.LINES:
        return f"ERROR = {code} ({message})" + (f", ID - {id}" if id is not None else "")
    if fmt is Format.CSV:
        return f"{id if id is not None else 0},-{code}"
    if fmt is Format.XML:
        tail = f"\n<id>{escape(id)}</id>" if id is not None else ""
        return (
            f"<result>\n<error>{escape(message)}</error>\n<error_code>{code}</error_code>"
            f"{tail}\n</result>"
        )
    document: dict[str, Any] = {"error": message, "error_code": code}
    if id is not None:
        document["id"] = int(id) if id.isdigit() else id
    return _json(document)


def render_ok(fmt: Format) -> str:
    """The acknowledgement of a change, delete, code request or check."""
    if fmt is Format.XML:
        return "<result>OK</result>"
    if fmt is Format.JSON:
        return _json({"result": "OK"})
    return "OK"


def render_tariffs(fmt: Format, tariffs: Tariffs) -> str:
    """The reply to ``get.php?get_price=1`` (seed 003)."""
    zones = [
        [
            ("zone", z.zone),
            ("name", z.name),
            ("api", z.api),
            ("mass", z.mass),
            ("mms", z.mms),
            ("hlr", z.hlr),
            ("call", z.call),
        ]
        for z in tariffs.zones
    ]
    codes = [[("mccmnc", c.mccmnc), ("cost", c.cost)] for c in tariffs.codes]
    mail = [[("mail", tariffs.mail)]] if tariffs.mail is not None else []
    if fmt is Format.LINES:
        return _lines([*zones, *codes, *mail])
    if fmt is Format.CSV:
        return _csv([*zones, *codes, *mail])
    if fmt is Format.XML:
        parts = ["<price>", "<zones>"]
        for zone in zones:
            attributes = " ".join(f"{k}={quoteattr(_value(v))}" for k, v in zone[1:])
            parts.append(f"<zone {attributes}>{escape(_value(zone[0][1]))}</zone>")
        parts += ["</zones>", "<codes>"]
        parts += [
            f"<mccmnc cost={quoteattr(_value(c.cost))}>{escape(c.mccmnc)}</mccmnc>"
            for c in tariffs.codes
        ]
        parts.append("</codes>")
        if tariffs.mail is not None:
            parts.append(f"<mail>{_value(tariffs.mail)}</mail>")
        parts.append("</price>")
        return "\n".join(parts)
    document: dict[str, Any] = {
        "zones": [{k: _value(v) for k, v in zone} for zone in zones],
        "codes": [{k: _value(v) for k, v in code} for code in codes],
    }
    if tariffs.mail is not None:
        document["mail"] = _value(tariffs.mail)
    return _json(document)


def _sender_fields(sender: Sender, *, all: bool, operators: bool) -> list[tuple[str, Any]]:  # noqa: A002
    fields: list[tuple[str, Any]] = []
    if all:
        fields.append(("status", sender.status))
    if operators:
        statuses = sender.operators or OperatorStatuses()
        fields += [(key, getattr(statuses, key)) for key in OPERATOR_KEYS]
    return fields


def render_senders(
    fmt: Format,
    senders: Sequence[Sender],
    *,
    all: bool = False,  # noqa: A002 - SMSC's own parameter name
    operators: bool = False,
) -> str:
    """The reply to ``senders.php?get=1`` with the given ``all`` and ``operators`` flags.

    The documented layouts are used as written; where the docs show none (fmt=1 with
    ``operators=1``; ``all`` and ``operators`` together), the fields follow fmt=0's order.
    """
    rows = [(sender, _sender_fields(sender, all=all, operators=operators)) for sender in senders]
    if fmt is Format.LINES:
        return _lines([("name", s.sender), *fields, ("id", s.id)] for s, fields in rows)
    if fmt is Format.CSV:
        return _csv([("sender", s.sender), *fields, ("id", s.id)] for s, fields in rows)
    if fmt is Format.XML:
        parts = ["<list>"]
        for sender, fields in rows:
            attributes = "".join(f" {k}={quoteattr(_value(v))}" for k, v in fields)
            parts.append(f'<sender{attributes} id="{sender.id}">{escape(sender.sender)}</sender>')
        parts.append("</list>")
        return "\n".join(parts)
    documents = []
    for sender, fields in rows:
        document: dict[str, Any] = {"sender": sender.sender}
        for key, value in fields:
            # The docs quote per-operator statuses (and then the id) as strings.
            if key == "status":
                document[key] = None if value is None else int(value)
            else:
                document[key] = _value(value)
        document["id"] = str(sender.id) if operators else sender.id
        documents.append(document)
    return _json(documents)


def render_sender_id(fmt: Format, id: int) -> str:  # noqa: A002
    """The reply to ``senders.php?add=1``: the new name's id."""
    if fmt is Format.LINES:
        return f"ID = {id}"
    if fmt is Format.CSV:
        return str(id)
    if fmt is Format.XML:
        return f"<sender>\n<id>{id}</id>\n</sender>"
    return _json({"sender": id})


# -- users.php and op_templates.php: no documented layout (spec §A.1, §A.2) -----------------
# Assumption: their rows follow the sender-list pattern: ``key = value`` lines (fmt=0),
# comma-separated cells in the same order (fmt=1), a root element with one element per row
# whose children are the fields (fmt=2), an array of objects (fmt=3).

Fields = Sequence[tuple[str, Any]]


def _money(value: Decimal | None) -> str | None:
    # Sums as the statistics page shows them: two decimals.
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")


def _rows(fmt: Format, root: str, element: str, rows: Sequence[Fields]) -> str:
    """Rows of fields in one of the four layouts; a field's value is text, a number or None."""
    if fmt is Format.LINES:
        return _lines(rows)
    if fmt is Format.CSV:
        return _csv(rows)
    if fmt is Format.XML:
        parts = [f"<{root}>"]
        for row in rows:
            parts.append(f"<{element}>")
            parts += [f"<{k}>{escape(_value(v))}</{k}>" for k, v in row]
            parts.append(f"</{element}>")
        parts.append(f"</{root}>")
        return "\n".join(parts)
    return _json([dict(row) for row in rows])


def render_subclient_id(fmt: Format, id: int) -> str:  # noqa: A002
    """The reply to ``users.php?add=1``: the new subclient's id."""
    return render_created_id(fmt, id, root="result")


def render_subclient_stats(fmt: Format, rows: Sequence[SubclientStats]) -> str:
    """The reply to ``users.php?get_stat=1``: one row per subclient (``<stats>``/``<user>``)."""
    fields = [
        [
            ("login", r.login),
            ("user_id", r.user_id),
            ("messages", r.messages),
            ("credit", _money(r.credit)),
            ("debit", _money(r.debit)),
            ("balance", _money(r.balance)),
            ("currency", r.currency),
        ]
        for r in rows
    ]
    return _rows(fmt, "stats", "user", fields)


def render_subclient_day_stats(fmt: Format, rows: Sequence[SubclientDayStats]) -> str:
    """The reply to ``users.php?get_stat_all=1``: one row per subclient and day (``<day>``)."""
    fields = [
        [
            ("login", r.login),
            ("user_id", r.user_id),
            ("date", _date(r.date)),
            ("messages", r.messages),
            ("credit", _money(r.credit)),
            ("debit", _money(r.debit)),
            ("currency", r.currency),
        ]
        for r in rows
    ]
    return _rows(fmt, "stats", "day", fields)


def render_op_templates(fmt: Format, rows: Sequence[TemplateAdded | OperatorTemplate]) -> str:
    """The reply to ``op_templates.php?add=1`` or ``?get=1``: a row per operator and kind.

    A row without an id has an empty id (fmt=0/1/2) or ``null`` (fmt=3).
    """
    fields = [[("name", r.name), ("id", r.id), ("status", int(r.status))] for r in rows]
    return _rows(fmt, "templates", "template", fields)


def _date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


# -- phones.php and mails.php (seed 004) ----------------------------------------------------


def render_created_id(fmt: Format, id: int, *, root: str = "phone") -> str:  # noqa: A002
    """The reply to creating a contact, group or blacklist entry: its new id.

    fmt=2 wraps it in ``<phone>`` for a contact or blacklist entry, ``<group>`` for a group.
    """
    if fmt is Format.LINES:
        return f"ID = {id}"
    if fmt is Format.CSV:
        return str(id)
    if fmt is Format.XML:
        return f"<{root}>\n<id>{id}</id>\n</{root}>"
    return _json({"id": id})


def render_contacts(fmt: Format, contacts: Sequence[Contact], *, key: str = "phone") -> str:
    """The reply to ``phones.php?get=1`` (``key="mail"`` for ``mails.php``).

    Several addresses or groups are written comma-separated (the project's assumption);
    fmt=3 quotes the id and gives one group as a number, as the seed shows. ``id`` is the
    client's own id (``myid``; seed 004: "contact Id assigned by the Client"), empty where
    it gave none.
    """
    rows = []
    for c in contacts:
        groups: Any = ",".join(str(g) for g in c.groups)
        if fmt is Format.JSON and len(c.groups) == 1:
            groups = c.groups[0]
        row: list[tuple[str, Any]] = [
            (key, ",".join(c.addresses)),
            ("name", c.name),
            ("group", groups),
            ("first_name", c.first_name),
            ("last_name", c.last_name),
            ("middle_name", c.middle_name),
            ("birthday", c.birthday.strftime("%d.%m.%Y") if c.birthday else None),
            ("id", c.id),
            ("comments", c.comment),
            ("tags", c.tags),
            (f"{key}_other", ",".join(c.other_addresses)),
        ]
        # Seed 004 says after_id takes the "Contact ID (int_id)" in the fmt=3 get command:
        # a client can learn that id only from the fmt=3 list, so fmt=3 records carry it (a
        # JSON number, as ids are); fmt=0/1/2 keep the seed's eleven fields.
        if fmt is Format.JSON and c.int_id is not None:
            row.append(("int_id", c.int_id))
        rows.append(row)
    if fmt is Format.JSON:
        return _json([{k: "" if v is None else v for k, v in row} for row in rows])
    return _rows(fmt, "list", "contact", rows)


def render_groups(fmt: Format, groups: Sequence[ContactGroup]) -> str:
    """The reply to ``phones.php?get_group=1``; fmt=3 quotes ``cnt``, as the seed shows."""
    rows = [
        [
            ("id", g.id),
            ("name", g.name),
            ("number", g.number),
            ("cnt", str(g.count) if fmt is Format.JSON and g.count is not None else g.count),
        ]
        for g in groups
    ]
    return _rows(fmt, "list", "group", rows)


def render_blacklist(fmt: Format, entries: Sequence[BlacklistEntry], *, key: str = "phone") -> str:
    """The reply to ``phones.php?get_black=1`` (``key="email"`` for ``mails.php``)."""
    rows = [
        [("id", e.id), (key, e.address), ("type", int(e.type)), ("comment", e.comment or "")]
        for e in entries
    ]
    return _rows(fmt, "list", "record", rows)
