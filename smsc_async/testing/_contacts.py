"""Contacts, groups and blacklists in the emulator: ``phones.php`` and ``mails.php`` (seed 004).

Each owner (account or subclient) has one address book per script: its contacts and its
blacklist. Groups are the owner's, of two kinds (``type`` 0 phone groups, 1 e-mail
groups), managed through either script. Lists answer error 3 when nothing matches, which
the seed documents as "no records found".
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

import attrs

from smsc_async import BlacklistEntry, BlockType, Contact, ContactGroup
from smsc_async.testing._calls import Call, Handler, Refusal, Render
from smsc_async.testing._render import (
    render_blacklist,
    render_contacts,
    render_created_id,
    render_groups,
    render_ok,
)

__all__ = ["AddressBook", "BlacklistRecord", "ContactEntry", "ContactsFamily", "GroupEntry"]

SCRIPTS = {"phones.php": "phone", "mails.php": "mail"}
"""Each script and its address parameter."""
_MAX_CNT = 1000
_SEPARATORS = re.compile(r"[,;\s]+")  # "separated by any separator"
_PHONE = re.compile(r"\+?[0-9]{7,15}")
_MAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
_DATE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}")
# Request parameter -> contact field, for add and chg.
_FIELDS = {
    "name": "name",
    "fnm": "first_name",
    "lnm": "last_name",
    "mnm": "middle_name",
    "bd": "birthday",
    "myid": "myid",
    "cmt": "comment",
    "tags": "tags",
}


@attrs.define
class ContactEntry:
    """A contact as the server keeps it (text fields as sent; ``""`` when unset).

    ``id`` is the server's own id (the ``int_id`` that ``after_id`` takes); ``myid`` the
    client's, which lists show as ``id``.
    """

    id: int
    addresses: list[str]
    name: str = ""
    groups: list[int] = attrs.field(factory=list)
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    birthday: str = ""
    myid: str = ""
    comment: str = ""
    tags: str = ""
    other: list[str] = attrs.field(factory=list)

    def model(self) -> Contact:
        """The public model of this entry."""
        birthday = dt.datetime.strptime(self.birthday, "%d.%m.%Y").date() if self.birthday else None  # noqa: DTZ007
        # Seed 004: the listed id is the client's (``myid``); the server's own id is the
        # int_id that after_id takes.
        return Contact(
            tuple(self.addresses),
            self.myid or None,
            self.name or None,
            tuple(self.groups),
            self.first_name or None,
            self.last_name or None,
            self.middle_name or None,
            birthday,
            self.comment or None,
            self.tags or None,
            tuple(self.other),
            int_id=self.id,
        )


@attrs.define
class GroupEntry:
    """A group as the server keeps it."""

    id: int
    name: str
    number: int | None = None
    type: int = 0


@attrs.define
class BlacklistRecord:
    """A blacklist entry as the server keeps it."""

    id: int
    address: str
    type: BlockType = BlockType.ALL
    comment: str = ""


@attrs.define
class AddressBook:
    """One owner's contacts and blacklist in one script, both in id order."""

    contacts: dict[int, ContactEntry] = attrs.field(factory=dict)
    blacklist: dict[int, BlacklistRecord] = attrs.field(factory=dict)

    def holder(self, address: str) -> ContactEntry | None:
        """The contact that has ``address``."""
        return next((c for c in self.contacts.values() if address in c.addresses), None)


@attrs.define
class ContactsFamily:
    """State: address books per ``(owner, script)``, groups per owner.

    Attributes:
        books: ``(owner, script) -> AddressBook``.
        groups: ``owner -> group id -> GroupEntry`` (both kinds).
    """

    books: dict[tuple[str, str], AddressBook] = attrs.field(
        factory=lambda: defaultdict(AddressBook)
    )
    groups: dict[str, dict[int, GroupEntry]] = attrs.field(factory=lambda: defaultdict(dict))
    _next_contact: int = 0
    _next_group: int = 300
    _next_black: int = 0

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher, for both scripts."""
        table: dict[tuple[str, str], Handler] = {}
        for script in SCRIPTS:
            table.update(
                {
                    (script, "add"): self.add,
                    (script, "chg"): self.chg,
                    (script, "del"): self.delete,
                    (script, "get"): self.get,
                    (script, "move_group"): self.move_group,
                    (script, "add_group"): self.add_group,
                    (script, "chg_group"): self.chg_group,
                    (script, "del_group"): self.del_group,
                    (script, "get_group"): self.get_group,
                    (script, "add_black"): self.add_black,
                    (script, "del_black"): self.del_black,
                    (script, "get_black"): self.get_black,
                }
            )
        return table

    # -- set-up (no requests, no checks) ------------------------------------------------

    def move(self, old: str, new: str) -> None:
        """Give ``old``'s address books and groups to ``new`` (a renamed subclient)."""
        for owner, script in [key for key in self.books if key[0] == old]:
            self.books[new, script] = self.books.pop((owner, script))
        if old in self.groups:
            self.groups[new] = self.groups.pop(old)

    def add_contact(
        self,
        addresses: Iterable[str],
        *,
        owner: str = "demo",
        script: str = "phones.php",
        groups: Iterable[int] = (),
        **fields: str,
    ) -> ContactEntry:
        """Put a contact in ``owner``'s book of ``script`` as ``add=1`` would."""
        self._next_contact += 1
        entry = ContactEntry(self._next_contact, list(addresses), groups=list(groups))
        for name, value in fields.items():
            setattr(entry, name, value)
        self.books[owner, script].contacts[entry.id] = entry
        return entry

    # -- lookups ------------------------------------------------------------------------

    def _book(self, call: Call) -> AddressBook:
        return self.books[call.owner(), call.script]

    def _address(self, call: Call, name: str | None = None) -> str:
        raw = call.params.get(name or SCRIPTS[call.script], "").strip()
        if not raw:
            raise Refusal(1, f"{name or SCRIPTS[call.script]} is required")
        _check_address(call.script, raw)
        return raw

    def _addresses(self, call: Call, name: str) -> list[str]:
        items = [a for a in _SEPARATORS.split(call.params.get(name, "")) if a]
        for item in items:
            _check_address(call.script, item)
        return list(dict.fromkeys(items))  # a number given twice is kept once

    def _contact(self, call: Call) -> ContactEntry:
        entry = self._book(call).holder(self._address(call))
        if entry is None:
            raise Refusal(3, "contact not found")
        return entry

    def _group(self, call: Call, raw: str | None = None) -> GroupEntry:
        group = self.groups[call.owner()].get(_int(raw or call.params.get("grp", ""), "grp"))
        if group is None:
            raise Refusal(3, "group not found")
        return group

    def _group_ids(self, call: Call) -> list[int] | None:
        if not call.params.get("grp"):
            return None
        return [self._group(call, raw).id for raw in _SEPARATORS.split(call.params["grp"]) if raw]

    # -- contacts -----------------------------------------------------------------------

    def add(self, call: Call) -> Render:
        """Create one contact holding every address given; answers its id."""
        addresses = self._addresses(call, SCRIPTS[call.script])
        if not addresses:
            raise Refusal(1, f"{SCRIPTS[call.script]} is required")
        book = self._book(call)
        # Assumption: an address belongs to one contact; adding it again is refused.
        if any(book.holder(a) is not None for a in addresses):
            raise Refusal(5, "the address belongs to a contact already")
        fields = _contact_fields(call.params)
        groups = self._group_ids(call) or []
        other = self._addresses(call, "pho")
        self._next_contact += 1
        entry = ContactEntry(self._next_contact, addresses, groups=groups, other=other, **fields)
        book.contacts[entry.id] = entry
        new_id = entry.id
        return lambda fmt: render_created_id(fmt, new_id, root=SCRIPTS[call.script])

    def chg(self, call: Call) -> Render:
        """Change the contact with ``phone`` (``mail``): every field given is replaced."""
        entry = self._contact(call)
        fields = _contact_fields(call.params)
        groups = self._group_ids(call)
        new = f"new_{SCRIPTS[call.script]}"
        addresses = self._addresses(call, new) if new in call.params else None
        if addresses == []:
            raise Refusal(1, f"{new} is empty")
        book = self._book(call)
        if addresses and any(book.holder(a) not in (None, entry) for a in addresses):
            raise Refusal(5, "the address belongs to another contact")
        other = self._addresses(call, "pho") if "pho" in call.params else None
        for name, value in fields.items():
            setattr(entry, name, value)
        if groups is not None:
            entry.groups = groups
        if addresses is not None:
            entry.addresses = addresses
        if other is not None:
            entry.other = other
        return render_ok

    def delete(self, call: Call) -> Render:
        """Delete the contact with ``phone`` (``mail``)."""
        entry = self._contact(call)
        del self._book(call).contacts[entry.id]
        return render_ok

    def get(self, call: Call) -> Render:
        """Contacts matching the filters, after ``after_id``, in id order, ``cnt`` at most."""
        after = _int(call.params.get("after_id") or "0", "after_id")
        count = _count(call)
        later = (c for c in self._book(call).contacts.values() if c.id > after)
        models = []
        for entry in _matching(call, self._group_ids(call), later):
            models.append(entry.model())
            if len(models) == count:
                break
        if not models:
            raise Refusal(3, "no records found")
        key = SCRIPTS[call.script]
        return lambda fmt: render_contacts(fmt, models, key=key)

    def move_group(self, call: Call) -> Render:
        """``move_group=1`` move to the groups, ``2`` add them, ``3`` leave them.

        Seed 004: ``grp`` names one group or several, "separated by commas".
        """
        how = call.params.get("move_group")
        entry = self._contact(call)
        groups = self._group_ids(call)
        if not groups:
            raise Refusal(1, "grp is required")
        if how == "1":
            entry.groups = list(dict.fromkeys(groups))
        elif how == "2":
            entry.groups += [g for g in dict.fromkeys(groups) if g not in entry.groups]
        elif how == "3":
            # Assumption: leaving a group the contact is not in is refused (3), as for one
            # group, and then nothing changes.
            if any(g not in entry.groups for g in groups):
                raise Refusal(3, "the contact is not in the group")
            entry.groups = [g for g in entry.groups if g not in groups]
        else:
            raise Refusal(1, "move_group is 1, 2 or 3")
        return render_ok

    # -- groups -------------------------------------------------------------------------

    def add_group(self, call: Call) -> Render:
        """Create a group; answers its id."""
        name = call.params.get("name", "")
        if not name:
            raise Refusal(1, "name is required")
        kind = _int(call.params.get("type", _default_type(call)), "type")
        if kind not in (0, 1):
            raise Refusal(1, "bad type")
        self._next_group += 1
        raw_number = call.params.get("num")
        number = _int(raw_number, "num") if raw_number else None
        self.groups[call.owner()][self._next_group] = GroupEntry(
            self._next_group, name, number, kind
        )
        new_id = self._next_group
        return lambda fmt: render_created_id(fmt, new_id, root="group")

    def chg_group(self, call: Call) -> Render:
        """Rename a group (and renumber it, with ``num``)."""
        group = self._group(call)
        name = call.params.get("name", "")
        if not name:
            raise Refusal(1, "name is required")
        group.name = name
        if call.params.get("num"):
            group.number = _int(call.params["num"], "num")
        return render_ok

    def del_group(self, call: Call) -> Render:
        """Delete a group; its contacts stay, without it."""
        group = self._group(call)
        del self.groups[call.owner()][group.id]
        for (owner, _), book in self.books.items():
            if owner == call.owner():
                for entry in book.contacts.values():
                    if group.id in entry.groups:
                        entry.groups.remove(group.id)
        return render_ok

    def get_group(self, call: Call) -> Render:
        """The owner's groups of one kind, each with its number of contacts."""
        kind = _int(call.params.get("type", _default_type(call)), "type")
        if kind not in (0, 1):
            raise Refusal(1, "bad type")
        script = "mails.php" if kind == 1 else "phones.php"
        contacts = self.books[call.owner(), script].contacts.values()
        models = [
            ContactGroup(g.id, g.name, g.number, sum(g.id in c.groups for c in contacts))
            for g in self.groups[call.owner()].values()
            if g.type == kind
        ][: _count(call)]
        if not models:
            raise Refusal(3, "no records found")
        return lambda fmt: render_groups(fmt, models)

    # -- blacklist ----------------------------------------------------------------------

    def add_black(self, call: Call) -> Render:
        """Blacklist an address; adding it again changes its entry and keeps its id."""
        address = self._address(call)
        try:
            kind = BlockType(_int(call.params.get("type") or "0", "type"))
        except ValueError:
            raise Refusal(1, "bad type") from None
        if kind.name.startswith("UNKNOWN"):
            raise Refusal(1, "bad type")
        book = self._book(call)
        record = next((r for r in book.blacklist.values() if r.address == address), None)
        if record is None:
            self._next_black += 1
            record = book.blacklist[self._next_black] = BlacklistRecord(self._next_black, address)
        record.type = kind
        if "cmt" in call.params:
            record.comment = call.params["cmt"]
        new_id = record.id
        return lambda fmt: render_created_id(fmt, new_id, root=SCRIPTS[call.script])

    def del_black(self, call: Call) -> Render:
        """Take an address off the blacklist."""
        address = self._address(call)
        book = self._book(call)
        record = next((r for r in book.blacklist.values() if r.address == address), None)
        if record is None:
            raise Refusal(3, "not in the blacklist")
        del book.blacklist[record.id]
        return render_ok

    def get_black(self, call: Call) -> Render:
        """Entries before ``prev_id``, newest first, ``cnt`` at most."""
        prev = call.params.get("prev_id")
        before = _int(prev, "prev_id") if prev else None
        count = _count(call)
        records = sorted(self._book(call).blacklist.values(), key=lambda r: r.id, reverse=True)
        models = [
            BlacklistEntry(r.id, r.address, r.type, r.comment or None)
            for r in records
            if before is None or r.id < before
        ][:count]
        if not models:
            raise Refusal(3, "no records found")
        # seed 004: "<email> when requesting an e-mail blacklist".
        key = "phone" if call.script == "phones.php" else "email"
        return lambda fmt: render_blacklist(fmt, models, key=key)


def _default_type(call: Call) -> str:
    return "1" if call.script == "mails.php" else "0"


def _check_address(script: str, address: str) -> None:
    if script == "phones.php" and not _PHONE.fullmatch(address):
        raise Refusal(1, "bad phone number")
    if script == "mails.php" and not _MAIL.fullmatch(address):
        raise Refusal(1, "bad e-mail address")


def _contact_fields(params: Mapping[str, str]) -> dict[str, str]:
    fields = {field: params[param] for param, field in _FIELDS.items() if param in params}
    if fields.get("birthday") and not _valid_date(fields["birthday"]):
        raise Refusal(1, "bad bd")
    return fields


def _valid_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        dt.datetime.strptime(text, "%d.%m.%Y")  # noqa: DTZ007 - a calendar date
    except ValueError:
        return False
    return True


def _matching(
    call: Call, groups: list[int] | None, contacts: Iterable[ContactEntry]
) -> Iterator[ContactEntry]:
    address = call.params.get(SCRIPTS[call.script], "").strip()
    fio = call.params.get("fio", "").strip().lower()
    search = call.params.get("search", "").strip().lower()
    if groups is None and not (address or fio or search):
        yield from contacts
        return
    for entry in contacts:
        if groups is not None and not set(groups) & set(entry.groups):
            continue
        if address and address not in entry.addresses:
            continue
        names = f"{entry.last_name} {entry.first_name} {entry.middle_name}".lower()
        if fio and fio not in names:
            continue
        if (
            search
            and search not in entry.name.lower()
            and not any(search in a.lower() for a in entry.addresses)
        ):
            continue
        yield entry


def _count(call: Call) -> int:
    raw = call.params.get("cnt")
    count = _int(raw, "cnt") if raw else _MAX_CNT
    if not 1 <= count <= _MAX_CNT:
        raise Refusal(1, "cnt out of range")
    return count


def _int(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise Refusal(1, f"bad {name}") from None
