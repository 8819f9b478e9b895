"""The mailings family in the emulator: ``jobs.php`` (spec §6.1, the jobs_answer docs page).

A mailing is kept with its recipients, text, start time and price; it is not sent through
the outbox (no messages appear in ``status.php`` or the history, and nothing is debited).
Errors follow the jobs_answer page, which lists only 1, 2, 3, 4, 5 and 9: 1 for a missing
or malformed parameter (a bad number too), 3 for an unknown mailing or template (the page:
"error saving a record"), 5 for an unknown ``time``.

Replies of ``add`` are the documented ones (``OK, ID - <id>[, COST - <cost>]`` ...). For
``get``/``get_all`` the page available shows no layout; the emulator answers rows of
``id, name, status, sender, mes`` (``<list><job>`` for fmt=2) with these states (the docs
list none, so they are the emulator's own): :data:`WAITING` until its time, :data:`SENT`
from then on, :data:`CANCELLED` once cancelled.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import attrs

from smsc_async import Format
from smsc_async.testing._calls import Call, Handler, Refusal, Render
from smsc_async.testing._contacts import ContactsFamily
from smsc_async.testing._message_text import count_parts, parse_time, parse_valid, recipient
from smsc_async.testing._render import render_ok
from smsc_async.testing._send_request import number, price
from smsc_async.testing._tariffs import TariffsFamily
from smsc_async.testing._templates import TemplatesFamily

__all__ = ["CANCELLED", "SENT", "WAITING", "MailingEntry", "MailingsFamily"]

WAITING = 0
"""A mailing whose time has not come (``cancel`` applies to it)."""
SENT = 1
"""A mailing whose time has come."""
CANCELLED = 2
"""A mailing cancelled while it waited."""

_KINDS = ("flash", "push", "bin", "hlr", "ping", "mms", "mail", "soc", "viber", "call")
_NO_TEXT = frozenset({"hlr", "ping"})
_MAX_TEXT = 1000
_GROUP = re.compile(r"[Gg]([0-9]+)")
_DATE = "%d.%m.%Y"


@attrs.define
class MailingEntry:
    """A mailing as the server keeps it.

    Attributes:
        id: Its id.
        name: Its name.
        kind: ``"sms"``, ``"flash"``, ``"viber"``... (the request's flag).
        recipients: Recipient -> text (numbers corrected, e-mail addresses lower-cased).
        mes: The common text (empty for ``list`` mailings, hlr and ping).
        sender: The sender name (empty: the account's default).
        created: When it was created (Moscow calendar time).
        start: When it goes.
        cost: Its price.
        params: Every parameter it was created with (repeats, validity...), for tests.
        cancelled: Cancelled while it waited.
    """

    id: int
    name: str
    kind: str
    recipients: dict[str, str]
    mes: str
    sender: str
    created: dt.datetime
    start: dt.datetime
    cost: Decimal
    params: dict[str, str]
    cancelled: bool = False

    def status(self, wall: dt.datetime) -> int:
        """Its state at calendar time ``wall``."""
        if self.cancelled:
            return CANCELLED
        return SENT if wall >= self.start else WAITING


@attrs.define
class MailingsFamily:
    """State: mailings per owner (account or subclient), by id.

    Attributes:
        tariffs: Prices (a mailing's cost is its messages' price).
        templates: Message templates (``tpl`` names one).
        contacts: Phone and e-mail books (``G<id>`` names a group).
        mailings: ``owner -> id -> mailing``.
    """

    tariffs: TariffsFamily
    templates: TemplatesFamily
    contacts: ContactsFamily
    mailings: dict[str, dict[int, MailingEntry]] = attrs.field(factory=lambda: defaultdict(dict))
    _next_id: int = 0

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher."""
        return {
            ("jobs.php", "add"): self.add,
            ("jobs.php", "get"): self.get,
            ("jobs.php", "get_all"): self.get_all,
            ("jobs.php", "cancel"): self.cancel,
            ("jobs.php", "del"): self.delete,
        }

    # -- commands -----------------------------------------------------------------------

    def add(self, call: Call) -> Render:
        """Create a mailing; ``cost=1`` adds its price to the reply."""
        p = call.params
        name = p.get("name", "").strip()
        if not name:
            raise Refusal(1, "name is required")
        kinds = [k for k in _KINDS if call.flag(k)]
        if len(kinds) > 1:
            raise Refusal(1, "more than one message kind")
        kind = kinds[0] if kinds else "sms"
        with_cost = number(p.get("cost", "0") or "0", "cost", 0, 1) == 1
        recipients, mes = self._recipients(call, kind)
        sender = p.get("sender", "")
        if kind == "mail" and not (p.get("subj") and sender):
            raise Refusal(1, "mail needs subj and sender")
        self._check_options(call)
        try:
            start = parse_time(
                p.get("time", "0"), tz=number(p.get("tz", "0"), "tz", -23, 23), wall=call.wall
            )
        except ValueError:
            raise Refusal(5, "invalid date format") from None
        cost = sum(
            (
                price(self.tariffs.tariffs, kind, to, count_parts(text, kind))
                for to, text in recipients.items()
            ),
            Decimal(0),
        )
        self._next_id += 1
        entry = MailingEntry(
            self._next_id, name, kind, recipients, mes, sender, call.wall, start, cost, dict(p)
        )
        self.mailings[call.owner()][entry.id] = entry
        return lambda fmt: render_mailing_created(fmt, entry.id, cost if with_cost else None)

    def get(self, call: Call) -> Render:
        """One mailing."""
        entry = self._find(call)
        row = _row(entry, call.wall)
        return lambda fmt: render_mailings(fmt, [row], single=True)

    def get_all(self, call: Call) -> Render:
        """Every mailing of the caller, by id; ``start``/``end`` bound the creation date."""
        start, end = _date(call, "start"), _date(call, "end")
        entries = sorted(self.mailings.get(call.owner(), {}).values(), key=lambda e: e.id)
        rows = [
            _row(e, call.wall)
            for e in entries
            if (start is None or e.created.date() >= start)
            and (end is None or e.created.date() <= end)
        ]
        return lambda fmt: render_mailings(fmt, rows)

    def cancel(self, call: Call) -> Render:
        """Disable a mailing that waits (error 3 for one that does not)."""
        entry = self._find(call)
        if entry.status(call.wall) != WAITING:
            raise Refusal(3, "mailing is not waiting")
        entry.cancelled = True
        return render_ok

    def delete(self, call: Call) -> Render:
        """Delete a mailing."""
        entry = self._find(call)
        del self.mailings[call.owner()][entry.id]
        return render_ok

    # -- helpers ------------------------------------------------------------------------

    def _find(self, call: Call) -> MailingEntry:
        raw = call.params.get("id", "")
        entry = self.mailings.get(call.owner(), {}).get(int(raw)) if raw.isdigit() else None
        if entry is None:
            raise Refusal(3, "mailing not found")
        return entry

    def _recipients(self, call: Call, kind: str) -> tuple[dict[str, str], str]:
        """Recipient -> text, and the common text.

        From ``phones`` with ``mes`` or ``tpl``, or from ``list`` lines ``recipient:text``.
        """
        p = call.params
        texts = [k for k in ("mes", "tpl", "list") if k in p]
        if kind in _NO_TEXT:
            if texts:
                raise Refusal(1, f"a {kind} mailing has no text")
        elif len(texts) != 1:
            raise Refusal(1, "give one of mes, tpl or list")
        if "list" in p:
            if "phones" in p:
                raise Refusal(1, "give phones or list")
            pairs = [line.split(":", 1) for line in p["list"].splitlines() if line.strip()]
            if any(len(pair) != 2 for pair in pairs):  # noqa: PLR2004 - recipient and text
                raise Refusal(1, "bad list line")
            return {self._one(call, to, kind): text for to, text in pairs}, ""
        mes = "" if kind in _NO_TEXT else self._text(call)
        items = [item.strip() for item in re.split(r"[,;]", p.get("phones", "")) if item.strip()]
        if not items:
            raise Refusal(1, "no phones")
        recipients: dict[str, str] = {}
        for item in items:
            for to in self._expand(call, item, kind):
                recipients[self._one(call, to, kind)] = mes
        return recipients, mes

    def _text(self, call: Call) -> str:
        raw = call.params.get("tpl")
        if raw is None:
            mes = call.params.get("mes", "")
        else:
            template = self.templates.find(call.owner(), int(raw)) if raw.isdigit() else None
            if template is None:
                raise Refusal(3, "template not found")
            mes = template.text or ""
        if not mes.strip() or len(mes) > _MAX_TEXT:
            raise Refusal(1, "mes is empty or too long")
        return mes

    def _expand(self, call: Call, item: str, kind: str) -> list[str]:
        """``G<id>``: the numbers (addresses) of the group's contacts."""
        match = _GROUP.fullmatch(item)
        if match is None:
            return [item]
        book = self.contacts.books[call.owner(), "mails.php" if kind == "mail" else "phones.php"]
        group = int(match[1])
        members = [c.addresses[0] for c in book.contacts.values() if group in c.groups]
        if not members:
            raise Refusal(1, f"group {group} has no contacts")
        return members

    @staticmethod
    def _one(call: Call, raw: str, kind: str) -> str:
        del call
        corrected = recipient(raw, kind)
        if corrected is None:
            raise Refusal(1, f"bad recipient {raw.strip()!r}")
        return corrected

    @staticmethod
    def _check_options(call: Call) -> None:
        p = call.params
        number(p.get("rpt", "0"), "rpt", 0, 7)
        if "rptn" in p:
            number(p["rptn"], "rptn", 1, 2**31 - 1)
        if "freq" in p:
            number(p["freq"], "freq", 1, 1440)
        if "translit" in p:
            number(p["translit"], "translit", 0, 2)
        if "valid" in p:
            try:
                parse_valid(p["valid"])
            except ValueError:
                raise Refusal(1, "bad valid") from None
        if "period" in p:
            try:
                hours = Decimal(p["period"])
            except ArithmeticError:
                raise Refusal(1, "bad period") from None
            if not Decimal("0.1") <= hours <= 720:  # noqa: PLR2004 - the documented range
                raise Refusal(1, "period out of range")


def _date(call: Call, name: str) -> dt.date | None:
    raw = call.params.get(name)
    if not raw:
        return None
    try:
        return dt.datetime.strptime(raw, _DATE).date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise Refusal(5, "invalid date format") from None


Row = list[tuple[str, Any]]


def _row(entry: MailingEntry, wall: dt.datetime) -> Row:
    return [
        ("id", entry.id),
        ("name", entry.name),
        ("status", entry.status(wall)),
        ("sender", entry.sender),
        ("mes", entry.mes),
    ]


def _json(document: Any) -> str:
    return json.dumps(document, indent=0, ensure_ascii=False)


def render_mailing_created(fmt: Format, mailing_id: int, cost: Decimal | None) -> str:
    """The reply to ``jobs.php?add=1``, with the cost for ``cost=1`` (jobs_answer docs)."""
    money = None if cost is None else format(cost.quantize(Decimal("0.01")), "f")
    if fmt is Format.LINES:
        return f"OK, ID - {mailing_id}" + ("" if money is None else f", COST - {money}")
    if fmt is Format.CSV:
        return str(mailing_id) + ("" if money is None else f",{money}")
    if fmt is Format.XML:
        tail = "" if money is None else f"\n<cost>{money}</cost>"
        return f"<result>\n<id>{mailing_id}</id>{tail}\n</result>"
    document: dict[str, Any] = {"id": mailing_id}
    if money is not None:
        document["cost"] = money
    return _json(document)


def render_mailings(fmt: Format, rows: Sequence[Row], *, single: bool = False) -> str:
    """The reply to ``get`` (``single``: one record) or ``get_all`` (a list of them)."""
    if fmt is Format.LINES:
        return "\n".join(", ".join(f"{k} = {v}" for k, v in row) for row in rows)
    if fmt is Format.CSV:
        return "\n".join(",".join(str(v) for _, v in row) for row in rows)
    if fmt is Format.XML:
        elements = [
            "\n".join(["<job>", *(f"<{k}>{escape(str(v))}</{k}>" for k, v in row), "</job>"])
            for row in rows
        ]
        if single:
            return elements[0]
        return "\n".join(["<list>", *elements, "</list>"])
    documents = [dict(row) for row in rows]
    return _json(documents[0] if single else documents)
