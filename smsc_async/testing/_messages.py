"""The messages family in the emulator: ``send.php``, ``status.php``, ``balance.php``.

These scripts have no command flag. The emulator names their commands (in
:class:`~smsc_async.testing.Exchange` records, faults and rules) ``send.send`` (a send,
``cost`` 0, 2 or 3), ``send.cost`` (``cost=1``: the price only), ``status.status``,
``status.del`` (``del=1``) and ``balance.balance``.

Every send is recorded in the :class:`~smsc_async.testing._outbox.Outbox`, one entry per
recipient, including those refused with errors 3, 6, 7 and 8, whose ids the server returns
(spec §7.6): their entries carry the final status of the refusal (24, 23, 22, 20). An
accepted message is queued (-1), handed to the operator (0) a second later and delivered
(1) five seconds after it goes, in emulated time, unless :attr:`MessagesFamily.fates` says
otherwise. Tests provoke the errors: 1 a missing or malformed parameter, 3
:meth:`MessagesFamily.set_balance`, 5 an unknown ``time``, 6
:attr:`~MessagesFamily.denied_words` or :attr:`~MessagesFamily.denied_senders`, 7 a
malformed number, 8 :attr:`~MessagesFamily.undeliverable`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from smsc_async import SenderStatus
from smsc_async.testing._calls import Call, Handler, Refusal, Render
from smsc_async.testing._contacts import ContactsFamily
from smsc_async.testing._message_text import count_parts, number_info
from smsc_async.testing._outbox import Outbox, OutboxEntry, Step, message_pairs
from smsc_async.testing._render import render_ok
from smsc_async.testing._render_messages import (
    PhoneRow,
    render_balance,
    render_price,
    render_sent,
    render_statuses,
    status_fields,
)
from smsc_async.testing._send_request import Recipient, SendRequest, number, price, read_send
from smsc_async.testing._senders import SendersFamily
from smsc_async.testing._tariffs import TariffsFamily
from smsc_async.testing._users import UsersFamily

__all__ = ["DEFAULT_BALANCE", "MessagesFamily", "Resolver"]

DEFAULT_BALANCE = Decimal("100000.00")
"""An account's balance until a test sets it (subclients keep their own)."""

Resolver = Callable[[Mapping[str, str]], str]
"""Names the command of a request to a script that has no command flag."""

# The final status and err a refusal leaves on a message's record (spec §3.3, §3.4).
_DENIED_TEXT = (23, 253)  # forbidden, spam filter
_DENIED_SENDER = (23, 254)  # forbidden, unregistered sender id
_INVALID = (22, 249)  # invalid number, bad number format
_UNDELIVERABLE = (20, 248)  # cannot deliver, no route
_NO_MONEY = (24, 0)


@attrs.frozen
class _Outcome:
    """One recipient's fate at the time of the send."""

    recipient: Recipient
    parts: int
    cost: Decimal
    refusal: tuple[int, int] | None  # the status and err of a refused recipient


@attrs.define
class MessagesFamily:
    """State: balances, and what tests set to provoke refusals and delivery failures.

    Attributes:
        outbox: Where sent messages are kept.
        tariffs: The price list (``Emulator.tariffs``).
        users: The subclients, whose balances are their own or their parent's.
        senders: Sender names (checked with :attr:`registered_senders_only`).
        contacts: Contact groups, for ``phones=G<id>``.
        balances: Balances of accounts that are not subclients (:data:`DEFAULT_BALANCE`
            until set).
        credits: Credit allowed per account: sends may take the balance down to ``-credit``.
        currency: The currency ``balance.php?cur=1`` names.
        denied_words: Texts containing any of these (case-insensitive) are refused (error 6).
        denied_senders: Sender names refused (error 6).
        registered_senders_only: Refuse (error 6) a sender name that is not an allowed
            name of the account.
        undeliverable: Numbers no message can reach (error 8 when no recipient is left).
        fates: Number -> ``(status, err)`` its messages end in instead of delivered (1).
        handover_after: Emulated seconds from going to being handed to the operator (0).
        deliver_after: Emulated seconds from going to the final status.
    """

    outbox: Outbox
    tariffs: TariffsFamily
    users: UsersFamily
    senders: SendersFamily
    contacts: ContactsFamily
    balances: dict[str, Decimal] = attrs.field(factory=dict)
    credits: dict[str, Decimal] = attrs.field(factory=dict)
    currency: str = "RUR"  # Assumption: the code a recorded reply shows (spec §4)
    denied_words: set[str] = attrs.field(factory=set)
    denied_senders: set[str] = attrs.field(factory=set)
    registered_senders_only: bool = False
    undeliverable: set[str] = attrs.field(factory=set)
    fates: dict[str, tuple[int, int]] = attrs.field(factory=dict)
    handover_after: float = 1.0
    deliver_after: float = 5.0
    _links: dict[str, str] = attrs.field(factory=dict)

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher."""
        return {
            ("send.php", "send"): self.send,
            ("send.php", "cost"): self.cost,
            ("status.php", "status"): self.status,
            ("status.php", "del"): self.delete,
            ("balance.php", "balance"): self.balance,
        }

    @staticmethod
    def resolvers() -> dict[str, Resolver]:
        """How the dispatcher names the commands of these scripts, which have no flag."""
        return {
            "send.php": lambda p: "cost" if p.get("cost", "").strip() == "1" else "send",
            "status.php": lambda p: "del" if p.get("del", "0") not in ("", "0") else "status",
            "balance.php": lambda p: "balance",
        }

    # -- balances -----------------------------------------------------------------------

    def balance_of(self, login: str) -> Decimal:
        """The balance ``login`` spends from (a subclient's own, or its parent's)."""
        sub = self.users.subclients.get(login)
        if sub is None:
            return self.balances.get(login, DEFAULT_BALANCE)
        return sub.balance if sub.type.independent_balance else self.balance_of(sub.parent)

    def set_balance(self, login: str, amount: Decimal) -> None:
        """Set the balance ``login`` spends from (a shared one is the parent's)."""
        sub = self.users.subclients.get(login)
        if sub is None:
            self.balances[login] = amount
        elif sub.type.independent_balance:
            sub.balance = amount
        else:
            self.set_balance(sub.parent, amount)

    def credit_of(self, login: str) -> Decimal | None:
        """The credit set for the balance ``login`` spends from, if any."""
        sub = self.users.subclients.get(login)
        if sub is not None and not sub.type.independent_balance:
            return self.credit_of(sub.parent)
        return self.credits.get(login)

    # -- send.php -----------------------------------------------------------------------

    def send(self, call: Call) -> Render:
        """Send (``cost`` 0, 2 or 3): debit, record, answer the id and count."""
        return self._send(call)

    def cost(self, call: Call) -> Render:
        """Price a send (``cost=1``) without sending or recording anything."""
        return self._send(call)

    def _send(self, call: Call) -> Render:
        request = read_send(
            call, expand=self._expand(call), link_code=self._link_code, minute=self.outbox.minute
        )
        price_only = request.mode == 1
        # Pricing assigns no id (Assumption); its errors carry the caller's id, if any.
        msg_id = request.id if price_only else request.id or self.outbox.next_id(call.login)
        outcomes = [self._fate(request, r) for r in request.recipients]
        accepted = [o for o in outcomes if o.refusal is None]
        cnt = sum(o.parts for o in accepted)
        total = sum((o.cost for o in accepted), Decimal(0))
        refusal, fate = self._refusal(call, outcomes, total, msg_id, price_only=price_only)
        if refusal is not None:
            if not price_only and msg_id is not None:
                for o in outcomes:  # the message record exists (spec §7.6)
                    self._record(
                        call, request, msg_id, o, start=call.now, refused=o.refusal or fate
                    )
            raise refusal
        rows = self._rows(call, outcomes)
        if price_only:
            return lambda fmt: render_price(fmt, cnt=cnt, cost=total, phones=rows)
        assert msg_id is not None  # noqa: S101 - a send always has one
        balance = self.balance_of(call.login) - total
        self.set_balance(call.login, balance)
        if (sub := self.users.subclients.get(call.login)) is not None:
            sub.messages += len(accepted)
        for o, start in zip(outcomes, request.starts, strict=True):
            self._record(call, request, msg_id, o, start=start, refused=o.refusal)
        cost = total if request.mode >= 2 else None  # noqa: PLR2004 - cost=2 and 3
        left = balance if request.mode == 3 else None  # noqa: PLR2004 - cost=3
        sent_id = msg_id
        return lambda fmt: render_sent(
            fmt, id=sent_id, cnt=cnt, cost=cost, balance=left, phones=rows
        )

    def _refusal(
        self,
        call: Call,
        outcomes: list[_Outcome],
        total: Decimal,
        msg_id: str | None,
        *,
        price_only: bool,
    ) -> tuple[Refusal | None, tuple[int, int]]:
        """Errors 6, 7, 8 and 3, in that order, each with the message id; the records' fate."""
        senders = {o.recipient.sender for o in outcomes} - {"", "."}
        if any(not self._sender_allowed(call, s) for s in senders):
            return Refusal(6, "message is denied", id=msg_id), _DENIED_SENDER
        texts = " ".join(o.recipient.text for o in outcomes).lower()
        if any(word.lower() in texts for word in self.denied_words):
            return Refusal(6, "message is denied", id=msg_id), _DENIED_TEXT
        if all(o.recipient.phone is None for o in outcomes):
            return Refusal(7, "invalid number", id=msg_id), _INVALID
        if all(o.refusal is not None for o in outcomes):
            return Refusal(8, "can't to deliver", id=msg_id), _UNDELIVERABLE
        available = self.balance_of(call.login) + (self.credit_of(call.login) or 0)
        if not price_only and total > available:
            return Refusal(3, "no money", id=msg_id), _NO_MONEY
        return None, _NO_MONEY

    def _sender_allowed(self, call: Call, sender: str) -> bool:
        if sender in self.denied_senders:
            return False
        if not self.registered_senders_only:
            return True
        names = self.senders.names[call.login].values()
        return any(e.sender == sender and e.status is SenderStatus.ALLOWED for e in names)

    def _expand(self, call: Call) -> Callable[[str, str], list[str]]:
        def expand(item: str, kind: str) -> list[str]:
            """``G<id>``: the group's contacts (none: the item, an invalid number)."""
            if not re.fullmatch(r"[Gg][0-9]+", item):
                return [item]
            script = "mails.php" if kind == "mail" else "phones.php"
            book = self.contacts.books[call.login, script]
            group = int(item[1:])
            return [c.addresses[0] for c in book.contacts.values() if group in c.groups] or [item]

        return expand

    def _link_code(self, link: str) -> str:
        return self._links.setdefault(link, f"{len(self._links) + 1:05x}")

    def _fate(self, request: SendRequest, r: Recipient) -> _Outcome:
        parts = count_parts(r.text, request.kind, binary=request.binary)
        if r.phone is None:
            return _Outcome(r, parts, Decimal(0), _INVALID)
        if r.phone in self.undeliverable:
            return _Outcome(r, parts, Decimal(0), _UNDELIVERABLE)
        return _Outcome(r, parts, price(self.tariffs.tariffs, request.kind, r.phone, parts), None)

    def _rows(self, call: Call, outcomes: list[_Outcome]) -> list[PhoneRow] | None:
        """Per-recipient rows: every one with ``op=1``, the refused ones with ``err=1``."""
        if not (call.flag("op") or call.flag("err")):
            return None
        rows = []
        for o in outcomes:
            if o.refusal is None and not call.flag("op"):
                continue
            status, err = o.refusal or (-1, 0)
            phone = o.recipient.phone or o.recipient.raw
            mccmnc = number_info(phone).mccmnc if o.recipient.phone else ""
            rows.append(PhoneRow(phone, mccmnc, o.cost, status, err))
        return rows

    def _record(
        self,
        call: Call,
        request: SendRequest,
        msg_id: str,
        o: _Outcome,
        *,
        start: float,
        refused: tuple[int, int] | None,
    ) -> None:
        """Keep one recipient's message: refused now, or on its way to its fate."""
        phone = o.recipient.phone or o.recipient.raw
        info = number_info(phone) if o.recipient.phone else None
        scale = self.outbox.minute / 60.0
        if refused is not None:
            steps = [Step(call.now, *refused)]
        else:
            steps = [
                Step(start + self.handover_after * scale, 0),
                Step(start + self.deliver_after * scale, *self.fates.get(phone, (1, 0))),
            ]
        entry = OutboxEntry(
            call.login,
            msg_id,
            phone,
            o.recipient.text,
            "" if o.recipient.sender == "." else o.recipient.sender,
            request.kind,
            call.now,
            call.wall,
            o.parts,
            o.cost if refused is None else Decimal(0),
            country=info.country if info else "",
            operator=info.operator if info else "",
            region=info.region if info else "",
            mccmnc=info.mccmnc if info else "",
            steps=steps,
        )
        entry.settle(call.now, self.outbox.minute)
        self.outbox.add(entry)

    # -- status.php ---------------------------------------------------------------------

    def status(self, call: Call) -> Render:
        """The status of one message, or of several (a list, or a trailing comma)."""
        phones, ids = call.params.get("phone", ""), call.params.get("id", "")
        pairs = message_pairs(phones, ids)
        if not pairs:
            raise Refusal(1, "give phone and id")
        level = number(call.params.get("all", "0") or "0", "all", 0, 2)
        multi = "," in phones or "," in ids
        rows = []
        for phone, msg_id in pairs:
            entry = self.outbox.find(call.login, msg_id, phone)
            if entry is not None:
                entry.settle(call.now, self.outbox.minute)
            rows.append(status_fields(entry, phone=phone, id=msg_id, all=level, multi=multi))
        return lambda fmt: render_statuses(fmt, rows, multi=multi)

    def delete(self, call: Call) -> Render:
        """Delete messages (``del=1``); error 5 if one of them is not there."""
        pairs = message_pairs(call.params.get("phone", ""), call.params.get("id", ""))
        if not pairs:
            raise Refusal(1, "give phone and id")
        entries = [self.outbox.find(call.login, msg_id, phone) for phone, msg_id in pairs]
        if any(e is None for e in entries):
            raise Refusal(5, "message not found")  # Assumption: nothing is deleted then
        for entry in entries:
            if entry is not None and entry in self.outbox.entries:
                self.outbox.delete(entry)
        return render_ok

    # -- balance.php --------------------------------------------------------------------

    def balance(self, call: Call) -> Render:
        """The balance; with ``cur=1`` the currency (and the credit, if one is set)."""
        amount = self.balance_of(call.login)
        cur = call.flag("cur")
        credit = self.credit_of(call.login) if cur else None
        currency = self.currency if cur else None
        return lambda fmt: render_balance(fmt, amount, credit=credit, currency=currency)
