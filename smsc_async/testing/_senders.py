"""The sender-names family in the emulator: ``senders.php`` (seed 002)."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict

import attrs

from smsc_async import OperatorStatus, OperatorStatuses, Sender, SenderStatus
from smsc_async.testing._calls import Call, Handler, Refusal, Render
from smsc_async.testing._render import render_ok, render_sender_id, render_senders

__all__ = ["ConfirmationCode", "SenderEntry", "SendersFamily"]

_OPERATOR_FLAGS = tuple(a.name for a in attrs.fields(OperatorStatuses))
_UA_FIELDS = ("fio", "inn", "email", "address", "desc", "subj")
_DOCUMENT_TYPES = frozenset({"jpg", "jpeg", "tif", "tiff", "pdf", "png", "zip", "rar"})
_DOCUMENT_MAX = 3 * 1024 * 1024
_DIGITS = re.compile(r"[0-9]{1,15}")
_CODE_PAUSE_MINUTES = 8 * 60  # "Retry is possible after 8 hours."


@attrs.define
class SenderEntry:
    """A sender name as the server keeps it."""

    id: int
    sender: str
    status: SenderStatus
    cmt: str = ""
    operators: dict[str, OperatorStatus] = attrs.field(factory=dict)
    changed: dt.datetime | None = None
    documents: list[str] = attrs.field(factory=list)

    def model(self) -> Sender:
        """The public model of this entry (with every optional part filled)."""
        statuses = OperatorStatuses(**{k: self.operators.get(k) for k in _OPERATOR_FLAGS})
        return Sender(self.sender, self.id, self.status, statuses)


@attrs.define
class ConfirmationCode:
    """A confirmation code the emulator "texted" to a digital sender name (``send_code``).

    Attributes:
        code: The six digits ``check_code`` wants.
        sent: Event-loop time it was sent (``send_code`` again is refused for 8 hours).
    """

    code: str
    sent: float


@attrs.define
class SendersFamily:
    """State: sender names per owner (account or subclient), confirmation codes.

    A real SMSC texts the code for a digital name to that number; the emulator keeps it
    instead, for the test (or the person at the workbench) to read: :meth:`code`.

    Attributes:
        approve: New names are allowed at once instead of waiting for moderation.
        minute: Seconds per emulated minute (for the 8-hour code pause).
        seed: Seed of the codes drawn.
        names: Owner login -> name id -> :class:`SenderEntry`.
        codes: ``(owner login, digital name)`` -> the :class:`ConfirmationCode` not yet
            checked (a right ``check_code`` removes it).
    """

    approve: bool = False
    minute: float = 60.0
    seed: int = 0
    names: dict[str, dict[int, SenderEntry]] = attrs.field(factory=lambda: defaultdict(dict))
    codes: dict[tuple[str, str], ConfirmationCode] = attrs.field(factory=dict)
    _next_id: int = 1000
    _random: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - test codes, not secrets

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher."""
        return {
            ("senders.php", "get"): self.get,
            ("senders.php", "add"): self.add,
            ("senders.php", "chg"): self.chg,
            ("senders.php", "del"): self.delete,
            ("senders.php", "send_code"): self.send_code,
            ("senders.php", "check_code"): self.check_code,
        }

    def code(self, sender: str, login: str = "demo") -> str | None:
        """The code last sent to the digital name ``sender`` of ``login``, not yet checked.

        ``None`` if none was sent (or it was checked already). ``login`` is the account
        or subclient that asked (the emulator's default account by default)::

            await smsc.senders.send_code("79999999999")
            await smsc.senders.check_code("79999999999", emulator.senders.code("79999999999"))
        """
        sent = self.codes.get((login, sender))
        return None if sent is None else sent.code

    # -- lookups ------------------------------------------------------------------------

    def _find(self, call: Call) -> SenderEntry:
        names = self.names[call.owner()]
        sender, raw_id = call.params.get("sender"), call.params.get("id")
        if (sender is None) == (raw_id is None):
            raise Refusal(1, "give sender or id")
        if raw_id is not None:
            entry = names.get(int(raw_id)) if raw_id.isdigit() else None
        else:
            entry = next((e for e in names.values() if e.sender == sender), None)
        if entry is None:
            raise Refusal(3, "sender name not found")
        return entry

    # -- commands -----------------------------------------------------------------------

    def get(self, call: Call) -> Render:
        """List names: activated ones, or all; by id (``prev_id``) or by change date."""
        entries = list(self.names[call.owner()].values())
        if not call.flag("all"):
            entries = [e for e in entries if e.status is SenderStatus.ALLOWED]
        from_date = call.params.get("from_date")
        if from_date:
            try:
                since = dt.datetime.strptime(from_date, "%d.%m.%Y").replace(tzinfo=call.wall.tzinfo)
            except ValueError:
                raise Refusal(1, "bad from_date") from None
            entries = [e for e in entries if e.changed is not None and e.changed >= since]
            entries.sort(key=lambda e: (e.changed, e.id), reverse=True)
        else:
            entries.sort(key=lambda e: e.id, reverse=True)
        if prev_id := call.params.get("prev_id"):
            entries = [e for e in entries if e.id < _int(prev_id, "prev_id")]
        if cnt := call.params.get("cnt"):
            count = _int(cnt, "cnt")
            if not 1 <= count <= 15000:  # noqa: PLR2004 - the documented maximum
                raise Refusal(1, "cnt out of range")
            entries = entries[:count]
        models = [e.model() for e in entries]
        all_, operators = call.flag("all"), call.flag("operators")
        return lambda fmt: render_senders(fmt, models, all=all_, operators=operators)

    def add(self, call: Call) -> Render:
        """Create a name; digital names wait for a confirmation code."""
        sender = call.params.get("sender", "")
        _check_name(sender, mail=call.flag("mail"))
        names = self.names[call.owner()]
        if any(e.sender == sender for e in names.values()):
            raise Refusal(5, "sender name already exists")
        status = SenderStatus.ALLOWED if self.approve else SenderStatus.MODERATION
        if _DIGITS.fullmatch(sender):
            status = SenderStatus.MODERATION  # confirmed by check_code
        entry = SenderEntry(self._next_id + 1, sender, status, call.params.get("cmt", ""))
        self._apply(entry, call)
        self._next_id = entry.id  # only a name that was kept uses up an id
        names[entry.id] = entry
        new_id = entry.id
        return lambda fmt: render_sender_id(fmt, new_id)

    def chg(self, call: Call) -> Render:
        """Change a name's comment, registrations or documents."""
        entry = self._find(call)
        self._apply(entry, call)  # refuses before changing anything
        if "cmt" in call.params:
            entry.cmt = call.params["cmt"]
        return render_ok

    def delete(self, call: Call) -> Render:
        """Delete a name."""
        entry = self._find(call)
        del self.names[call.owner()][entry.id]
        return render_ok

    def send_code(self, call: Call) -> Render:
        """Text a confirmation code to a digital name (kept in :attr:`codes` for tests)."""
        sender = call.params.get("sender", "")
        if not _DIGITS.fullmatch(sender):
            raise Refusal(7, "invalid number")
        key = (call.owner(), sender)
        previous = self.codes.get(key)
        if previous is not None and call.now - previous.sent < _CODE_PAUSE_MINUTES * self.minute:
            raise Refusal(10, "code already sent")
        self.codes[key] = ConfirmationCode(f"{self._random.randrange(10**6):06d}", call.now)
        return render_ok

    def check_code(self, call: Call) -> Render:
        """Confirm a digital name with its code."""
        sender = call.params.get("sender", "")
        key = (call.owner(), sender)
        sent = self.codes.get(key)
        if sent is None or call.params.get("code") != sent.code:
            raise Refusal(11, "invalid code")
        del self.codes[key]
        for entry in self.names[call.owner()].values():
            if entry.sender == sender:
                entry.status = SenderStatus.ALLOWED
                entry.changed = call.wall
        return render_ok

    # -- helpers ------------------------------------------------------------------------

    def _apply(self, entry: SenderEntry, call: Call) -> None:
        """Registrations and documents of an add/chg request, all checked before any is kept."""
        if call.flag("ua_reg") and any(not call.params.get(f) for f in _UA_FIELDS):
            raise Refusal(1, "ua_reg needs fio, inn, email, address, desc, subj")
        for upload in call.files.values():
            suffix = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
            if suffix not in _DOCUMENT_TYPES or not 0 < len(upload.content) <= _DOCUMENT_MAX:
                raise Refusal(1, "bad document")
        for flag in _OPERATOR_FLAGS:
            if call.flag(flag):
                entry.operators[flag] = OperatorStatus.SENT_FOR_REGISTRATION
                entry.changed = call.wall
        entry.documents.extend(upload.filename for upload in call.files.values())


def _check_name(sender: str, *, mail: bool) -> None:
    if not sender:
        raise Refusal(1, "sender is empty")
    if mail:
        if "@" not in sender:
            raise Refusal(1, "not an e-mail address")
    elif len(sender) > (15 if sender.isdigit() else 11):  # the documented limits
        raise Refusal(1, "sender name too long")


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise Refusal(1, f"bad {name}") from None
