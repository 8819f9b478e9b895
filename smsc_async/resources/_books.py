"""The two address books, declared once as data: ``phones.php`` and ``mails.php`` (seed 004).

Both scripts take the same commands and answer in the same shapes; they differ in the name
of the address parameter (``phone`` / ``mail``), the reply keys that carry addresses, and
how an address is checked. A :class:`Book` holds those differences and the book's commands,
so the contacts, groups and blacklist resources are written once for both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Format, Rule
from smsc_async._validation import Checks, is_email, is_phone
from smsc_async.formats import Column, ListOf, Ok, Row, Single
from smsc_async.models.contacts import BlacklistEntry, Contact, ContactGroup, CreatedId

__all__ = [
    "ADD_GROUP",
    "CHANGE_GROUP",
    "DELETE_GROUP",
    "GET_GROUP",
    "MAILS",
    "MAX_CNT",
    "PHONES",
    "Book",
    "MoveGroup",
]

MAX_CNT = 1000
"""The most records one list request returns (``cnt``)."""

# "more than three identical requests for operations with groups, contacts, or blacklist
# entries within a minute" -> error 9.
_RULES = (Rule(3),)
# A phone number in a list column of fmt=1 replies; an e-mail address has no comma either.
_PHONE_ITEM = r"\+?[0-9]{7,15}"
_MAIL_ITEM = r"[^,@\s]+@[^,@\s]+\.[^,@\s]+"
_ID_ITEM = r"[0-9]+"
# A client's own contact id (``myid``, seed 004's listed <id>): any text, or none. Assumption:
# it does not start with a space, which a cell cut from prose after ", " does, so such a
# cell is never taken for the id in fmt=1.
_CLIENT_ID_CELL = r"(?:[^\s,][^,]*)?"
_PHONE_SEPARATORS = re.compile(r"[\s()\-]")
_DATE_CELL = r"([0-9]{2}\.[0-9]{2}\.[0-9]{4})?"


def _everywhere(renames: Mapping[str, str]) -> dict[Format, Mapping[str, str]]:
    return dict.fromkeys(Format, renames)


def _contact_row(key: str, item: str) -> Row:
    # Seed 004's key order; fmt=1 has the same columns without keys. Assumption: several
    # addresses or groups are written comma-separated, without spaces, as requests give
    # them. fmt=1 is read by the one split that fits every column: numbers, group ids, the
    # date by their patterns, the client's id as text without a comma; comments and tags may
    # hold commas, so a comma in either, or several other addresses, leave two readings and
    # raise ParseError. Names and the id are taken to hold none. Seed 004 lists no int_id in
    # this layout, so fmt=1 has none (the column count would change); fmt=0/2/3 keep one a
    # reply carries, by its key.
    return Row(
        (
            Column("addresses", items=item),
            # Names are text: fmt=0 never guesses where one ends (a ", key = " in it).
            Column("name", text=True),
            Column("groups", items=_ID_ITEM),
            Column("first_name", text=True),
            Column("last_name", text=True),
            Column("middle_name", text=True),
            Column("birthday", pattern=_DATE_CELL),
            Column("id", pattern=_CLIENT_ID_CELL),
            Column("comment", free_text=True),
            Column("tags", free_text=True),
            Column("other_addresses", items=item),
        ),
        renames=_everywhere(
            # The seed's ``comments`` is the ``comment`` of every other family.
            {
                key: "addresses",
                f"{key}_other": "other_addresses",
                "group": "groups",
                "comments": "comment",
            }
        ),
    )


_GROUP_ROW = Row(
    (Column("id"), Column("name", free_text=True), Column("number"), Column("count")),
    renames=_everywhere({"cnt": "count"}),
)
_ID_ROW = Row((Column("id"),))


def _black_row(*keys: str) -> Row:
    return Row(
        (Column("id"), Column("address"), Column("type"), Column("comment", free_text=True)),
        renames=_everywhere(dict.fromkeys(keys, "address")),
    )


class MoveGroup:
    """The three ``move_group`` values: what happens to a contact's groups."""

    MOVE = "1"
    """Move the contact to the group (out of its others)."""
    ADD = "2"
    """Add the group to the contact's groups."""
    REMOVE = "3"
    """Remove the contact from the group."""


@attrs.frozen
class Book:
    """One address book: its script, its address parameter, and its commands.

    Attributes:
        script: ``phones.php`` or ``mails.php``.
        address: The address parameter: ``phone`` or ``mail``.
        new_address: The parameter of new addresses in ``chg``: ``new_phone``/``new_mail``.
        what: What an address is, for error messages.
        is_address: The check an address must pass.
        normalize: How an address is sent: a phone number without its separators.
        group_type: ``type`` of ``add_group``/``get_group``: 0 phone groups, 1 e-mail groups.
    """

    script: str
    address: str
    new_address: str
    what: str
    is_address: Callable[[object], bool]
    normalize: Callable[[str], str]
    group_type: int
    add: Command[CreatedId]
    change: Command[None]
    delete: Command[None]
    get: Command[list[Contact]]
    move_group: Mapping[str, Command[None]]
    add_black: Command[CreatedId]
    del_black: Command[None]
    get_black: Command[list[BlacklistEntry]]

    def commands(self) -> tuple[Command[Any], ...]:
        """Every command of the book's own script (the group commands are shared)."""
        return (
            self.add,
            self.change,
            self.delete,
            self.get,
            *self.move_group.values(),
            self.add_black,
            self.del_black,
            self.get_black,
        )

    def addresses(
        self, check: Checks, field: str, values: str | Iterable[str] | None
    ) -> str | None:
        """One address or several, checked and joined with commas (``None`` passes)."""
        if values is None:
            return None
        items = [values] if isinstance(values, str) else values
        if not isinstance(items, Iterable):
            check.fail(field, f"must be {self.what} or a list of them")
            return None
        listed = list(items)
        bad = [repr(v) for v in listed if not self.is_address(v)]
        if bad:
            check.fail(field, f"must be {self.what} (several: a list); bad: {', '.join(bad[:3])}")
            return None
        if not listed:
            check.fail(field, f"must hold at least one {self.what}")
        return ",".join(self.normalize(v) for v in listed)

    def naming(self, check: Checks, address: str | None) -> dict[str, str]:
        """The parameter naming a contact or entry by its address (required)."""
        if address is None:
            check.fail("address", f"is required: {self.what}")
        return {self.address: self.address_one(check, "address", address) or ""}

    def address_one(self, check: Checks, field: str, value: str | None) -> str | None:
        """Exactly one address (``None`` passes)."""
        if value is None:
            return None
        if not self.is_address(value):
            check.fail(field, f"must be {self.what}, got {value!r}")
            return None
        return self.normalize(value)


def _command(
    stem: str, flag: str, shape: ListOf | Single | Ok, result: Any, retry: RetryClass
) -> Command[Any]:
    return Command(f"{stem}.{flag}", f"{stem}.php", flag, shape, result, retry, rules=_RULES)


def _digits(phone: str) -> str:
    # "+7 (999) 111-22-33" is sent as "+79991112233": in a list of numbers "separated by any
    # separator" a space inside a number would split it.
    return _PHONE_SEPARATORS.sub("", phone)


def _book(stem: str, address: str, what: str, is_address: Callable[[object], bool]) -> Book:
    item = _PHONE_ITEM if address == "phone" else _MAIL_ITEM
    black_keys = ("phone",) if address == "phone" else ("mail", "email")
    write, read = RetryClass.WRITE, RetryClass.SAFE_READ
    move: dict[str, Command[None]] = {
        value: Command(
            f"{stem}.move_group.{label}",
            f"{stem}.php",
            "move_group",
            Ok(),
            None,
            write,
            rules=_RULES,
            value=value,
        )
        for value, label in (
            (MoveGroup.MOVE, "move"),
            (MoveGroup.ADD, "add"),
            (MoveGroup.REMOVE, "remove"),
        )
    }
    return Book(
        script=f"{stem}.php",
        address=address,
        new_address=f"new_{address}",
        what=what,
        is_address=is_address,
        normalize=_digits if address == "phone" else str.strip,
        group_type=0 if address == "phone" else 1,
        add=_command(stem, "add", Single(_ID_ROW), CreatedId, write),
        change=_command(stem, "chg", Ok(), None, write),
        delete=_command(stem, "del", Ok(), None, write),
        get=_command(stem, "get", ListOf(_contact_row(address, item)), list[Contact], read),
        move_group=move,
        add_black=_command(stem, "add_black", Single(_ID_ROW), CreatedId, write),
        del_black=_command(stem, "del_black", Ok(), None, write),
        get_black=_command(
            stem, "get_black", ListOf(_black_row(*black_keys)), list[BlacklistEntry], read
        ),
    )


PHONES = _book("phones", "phone", "a phone number", is_phone)
"""The phone book: ``phones.php``."""
MAILS = _book("mails", "mail", "an e-mail address", is_email)
"""The e-mail book: ``mails.php`` (the same commands with ``mail``/``new_mail``)."""

# Assumption: groups of both books are managed through phones.php: seed 004 documents
# ``type`` (0 phone groups, 1 e-mail groups) for add_group and get_group there. Only
# move_group, which names an address, goes to each book's own script.
_GROUPS = "phones"
ADD_GROUP: Command[CreatedId] = _command(
    _GROUPS, "add_group", Single(_ID_ROW), CreatedId, RetryClass.WRITE
)
CHANGE_GROUP: Command[None] = _command(_GROUPS, "chg_group", Ok(), None, RetryClass.WRITE)
DELETE_GROUP: Command[None] = _command(_GROUPS, "del_group", Ok(), None, RetryClass.WRITE)
GET_GROUP: Command[list[ContactGroup]] = _command(
    _GROUPS, "get_group", ListOf(_GROUP_ROW), list[ContactGroup], RetryClass.SAFE_READ
)
