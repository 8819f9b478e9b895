"""The emulator's store of messages: those sent (``send.php``) and answers received.

``status.php`` and the ``get.php`` history scripts read it.

One :class:`OutboxEntry` is kept per recipient of a send (spec §7.9: the phones of one send
share its id, so a message is known by its ``(phone, id)`` pair). An entry's status moves on
with emulated time through its pending :class:`Step`s; readers call :meth:`Outbox.settle`
with the request's loop time before they look at statuses.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Protocol

import attrs

__all__ = [
    "KIND_TYPES",
    "InboxEntry",
    "Outbox",
    "OutboxEntry",
    "OutboxObserver",
    "Step",
    "message_pairs",
    "phone_key",
]

KIND_TYPES: dict[str, int] = {
    "sms": 0,
    "flash": 1,
    "bin": 2,
    "push": 3,
    "hlr": 4,
    "ping": 5,
    "mms": 6,
    "call": 7,
    "mail": 8,
    "viber": 10,
}
"""Message kinds and their ``type`` codes in status replies (spec §3.2)."""


@attrs.frozen
class Step:
    """A change of status due at loop time ``at``."""

    at: float
    status: int
    err: int = 0


@attrs.define
class OutboxEntry:
    """One message to one recipient, as the server keeps it.

    Attributes:
        login: The account that sent it.
        id: The message id: the caller's (a number or a string) or the one assigned.
        phone: The recipient (a phone number, or an e-mail address for ``mail``).
        text: The text sent (after ``translit``/``maxsms``), empty for hlr and ping.
        sender: The sender name used (empty: the account's default).
        kind: ``"sms"``, ``"flash"``, ``"viber"``... (the keys of :data:`KIND_TYPES`).
        sent: Loop time it was accepted.
        sent_wall: The emulator's calendar time it was accepted (Moscow).
        parts: SMS parts (seconds for a call).
        cost: Its price (for this recipient).
        status: Its status now (spec §3.3): -1 queued, 0 handed over, 1 delivered...
        err: The error code of a failed delivery (spec §3.4), 0 if none.
        changed: Loop time of the last status change.
        changed_wall: Calendar time of the last status change.
        int_id: The server's global id of the entry (``get_messages`` pages by it).
        country: Country of the number.
        operator: Operator of the number.
        region: Region of the number.
        mccmnc: Mobile country and network codes of the number.
        steps: Status changes still to come, in time order.
        applied: The status changes made so far, in order (what callbacks report).
    """

    login: str
    id: str
    phone: str
    text: str
    sender: str
    kind: str
    sent: float
    sent_wall: dt.datetime
    parts: int
    cost: Decimal
    status: int = -1
    err: int = 0
    changed: float = attrs.field()
    changed_wall: dt.datetime = attrs.field()
    int_id: int = 0
    country: str = ""
    operator: str = ""
    region: str = ""
    mccmnc: str = ""
    steps: list[Step] = attrs.field(factory=list)
    applied: list[Step] = attrs.field(factory=list)

    @changed.default
    def _changed(self) -> float:
        return self.sent

    @changed_wall.default
    def _changed_wall(self) -> dt.datetime:
        return self.sent_wall

    @property
    def type(self) -> int:
        """The kind's ``type`` code (spec §3.2)."""
        return KIND_TYPES.get(self.kind, 0)

    def settle(self, now: float, minute: float) -> None:
        """Apply the steps due by ``now`` (``minute``: loop seconds per emulated minute)."""
        while self.steps and self.steps[0].at <= now:
            step = self.steps.pop(0)
            self.status, self.err = step.status, step.err
            self.changed = step.at
            self.changed_wall = self.wall_at(step.at, minute)
            self.applied.append(step)

    def wall_at(self, at: float, minute: float) -> dt.datetime:
        """The calendar time at loop time ``at`` (``minute``: loop seconds per minute)."""
        return self.sent_wall + dt.timedelta(seconds=(at - self.sent) * 60.0 / minute)


@attrs.define
class InboxEntry:
    """An incoming message (an answer to the account's number).

    Attributes:
        login: The account it came to.
        id: The server's id of the incoming message (increasing).
        phone: Who sent it.
        to_phone: The account's number it came to.
        text: Its text.
        received: Loop time it arrived.
        received_wall: Calendar time it arrived (Moscow).
        sent_wall: When the sender's operator says it was sent (defaults to
            ``received_wall``).
    """

    login: str
    id: int
    phone: str
    to_phone: str
    text: str
    received: float
    received_wall: dt.datetime
    sent_wall: dt.datetime = attrs.field()

    @sent_wall.default
    def _sent_wall(self) -> dt.datetime:
        return self.received_wall


class OutboxObserver(Protocol):
    """Told of every change to the outbox (the emulator's callback sender is one)."""

    def changed(self, entry: OutboxEntry) -> None:
        """A message was added, or its coming status changes were replaced."""

    def received(self, answer: InboxEntry) -> None:
        """An incoming message arrived."""


@attrs.define
class Outbox:
    """Sent messages and received answers of every account.

    Attributes:
        wall_clock: Loop time -> the emulator's calendar time (``Emulator.wall_clock``).
        minute: Loop seconds per emulated minute.
        entries: Every message to every recipient, in the order sent (change it through
            :meth:`add` and :meth:`delete`, which keep the lookup index).
        answers: Every incoming message, in the order received.
        observers: Told of each message added or forced and each answer received.
    """

    wall_clock: Callable[[float], dt.datetime] = attrs.field(repr=False)
    minute: float = 60.0
    entries: list[OutboxEntry] = attrs.field(factory=list)
    answers: list[InboxEntry] = attrs.field(factory=list)
    observers: list[OutboxObserver] = attrs.field(factory=list)
    _next_int_id: int = 100_000
    _next_answer_id: int = 500
    _next_ids: dict[str, int] = attrs.field(factory=dict)
    # (login, id, phone key) -> the entries with them, oldest first: status lookups stay
    # quick with thousands of messages. Keep entries with add() and delete() for it.
    _index: dict[tuple[str, str, str], list[OutboxEntry]] = attrs.field(factory=dict)
    # The loop the emulator last sent on: the clock of a receive() or force() called from a
    # thread without a loop, beside a served emulator (at 0.0 such an answer was stamped
    # hours before the messages it answers; found by tests/testing/test_callbacks_sender.py).
    _loop: asyncio.AbstractEventLoop | None = attrs.field(default=None, repr=False, eq=False)

    def next_id(self, login: str) -> str:
        """Assign the next message id of ``login`` (ids count up from 1 per account)."""
        self._next_ids[login] = self._next_ids.get(login, 0) + 1
        return str(self._next_ids[login])

    def add(self, entry: OutboxEntry) -> OutboxEntry:
        """Keep a sent message; it gets the next global ``int_id``."""
        self._next_int_id += 1
        entry.int_id = self._next_int_id
        with contextlib.suppress(RuntimeError):  # no loop: tests setting state up front
            self._loop = asyncio.get_running_loop()
        if entry.id.isdigit():  # a caller's numeric id moves the account's counter on
            self._next_ids[entry.login] = max(self._next_ids.get(entry.login, 0), int(entry.id))
        self.entries.append(entry)
        self._index.setdefault(_key(entry), []).append(entry)
        for observer in self.observers:
            observer.changed(entry)
        return entry

    def settle(self, now: float) -> None:
        """Bring every message's status up to loop time ``now``."""
        for entry in self.entries:
            entry.settle(now, self.minute)

    def find(self, login: str, id: str, phone: str) -> OutboxEntry | None:  # noqa: A002
        """The message ``id`` of ``login`` to ``phone`` (the latest, if ids repeat).

        Phones compare by :func:`phone_key` (``+7 900...`` and ``8900...`` find ``7900...``).
        """
        found = self._index.get((login, id, phone_key(phone)))
        return found[-1] if found else None

    def holds(self, entry: OutboxEntry) -> bool:
        """Whether ``entry`` is still kept (not deleted)."""
        return any(e is entry for e in self._index.get(_key(entry), ()))

    def for_login(self, login: str) -> Iterator[OutboxEntry]:
        """The messages ``login`` sent, oldest first."""
        return (e for e in self.entries if e.login == login)

    def delete(self, entry: OutboxEntry) -> None:
        """Forget a message (``status.php?del=1``)."""
        self.entries.remove(entry)
        self._index[_key(entry)].remove(entry)

    def force(
        self,
        login: str,
        id: str,  # noqa: A002
        phone: str,
        status: int,
        *,
        err: int = 0,
        now: float | None = None,
    ) -> OutboxEntry:
        """Set a message's status (and ``err``) now, dropping the changes it had to come.

        Raises:
            KeyError: No such message.
        """
        entry = self.find(login, id, phone)
        if entry is None:
            raise KeyError((login, id, phone))
        at = self._now() if now is None else now
        entry.steps = [Step(max(at, entry.sent), status, err)]
        entry.settle(max(at, entry.sent), self.minute)
        for observer in self.observers:
            observer.changed(entry)
        return entry

    def receive(
        self,
        login: str,
        phone: str,
        text: str,
        *,
        to_phone: str = "",
        now: float | None = None,
    ) -> InboxEntry:
        """An answer from ``phone`` arrives for ``login`` (a hook for tests).

        Args:
            login: The account it comes to.
            phone: Who sends it.
            text: Its text.
            to_phone: The account's number it comes to.
            now: Loop time of arrival (the running loop's time by default).
        """
        at = self._now() if now is None else now
        self._next_answer_id += 1
        entry = InboxEntry(
            login, self._next_answer_id, phone, to_phone, text, at, self.wall_clock(at)
        )
        self.answers.append(entry)
        for observer in self.observers:
            observer.received(entry)
        return entry

    def answers_for(self, login: str) -> Iterator[InboxEntry]:
        """The answers ``login`` received, oldest first."""
        return (a for a in self.answers if a.login == login)

    def _now(self) -> float:
        """The running loop's time; in a thread without one, the emulator's loop's (or 0)."""
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            loop = self._loop
            # A clock read, safe from another thread; 0.0 for tests setting state up front.
            return loop.time() if loop is not None and not loop.is_closed() else 0.0


def _key(entry: OutboxEntry) -> tuple[str, str, str]:
    return entry.login, entry.id, phone_key(entry.phone)


def phone_key(phone: str) -> str:
    """What identifies a recipient: an address in lower case, or a phone number's digits.

    Assumption: the server corrects Russian numbers written nationally (``8 900...``,
    ``900...``) to ``7900...``, so they name the same recipient.
    """
    if "@" in phone:
        return phone.strip().lower()
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) == 11 and digits.startswith("8"):  # noqa: PLR2004 - a Russian number
        return "7" + digits[1:]
    if len(digits) == 10 and digits.startswith("9"):  # noqa: PLR2004 - without its 8 or 7
        return "7" + digits
    return digits


def message_pairs(phones: str, ids: str) -> list[tuple[str, str]]:
    """The ``(phone, id)`` pairs a ``status.php`` request names, in order.

    The comma-separated lists pair up in order; one phone pairs with every id (as the real
    server answered a request with one phone and two ids) and, by the same reading, one id
    with every phone. Empty items (a trailing comma) are dropped. Lists that cannot be
    paired give no pairs.
    """
    phone_list = [p.strip() for p in phones.split(",") if p.strip()]
    id_list = [i.strip() for i in ids.split(",") if i.strip()]
    if len(phone_list) == 1:
        phone_list *= len(id_list)
    elif len(id_list) == 1:
        id_list *= len(phone_list)
    if len(phone_list) != len(id_list):
        return []
    return list(zip(phone_list, id_list, strict=True))
