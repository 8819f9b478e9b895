"""The contact groups of both address books (``phones.php``, ``mails.php``; seed 004)."""

from __future__ import annotations

from collections.abc import Iterable

from smsc_async._validation import NAME_MAX, Checks, Text, checking
from smsc_async.models.contacts import ContactGroup
from smsc_async.resources._base import Call, Resource, form
from smsc_async.resources._books import (
    ADD_GROUP,
    CHANGE_GROUP,
    DELETE_GROUP,
    GET_GROUP,
    PHONES,
    Book,
    MoveGroup,
)
from smsc_async.resources._paging import or_empty
from smsc_async.resources.contacts import check_cnt, check_groups, check_id

__all__ = ["GroupsResource"]

_NUMBER_MAX = 2**31 - 1


class GroupsResource(Resource):
    """``smsc.groups`` (phone groups) and ``smsc.mail_groups`` (e-mail groups).

    SMSC accepts at most 3 identical requests a minute; calls are paced so.
    """

    def __init__(self, call: Call, book: Book = PHONES) -> None:
        super().__init__(call)
        self._book = book

    async def add(self, name: str, *, number: int | None = None) -> int:
        """Create a group.

        Args:
            name: Its name.
            number: Its number for sending to the group (``num``).

        Returns:
            The new group's id.

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(ADD_GROUP.name) as check:
            check.text("name", name, max_len=NAME_MAX, kind=Text.NAME, required=True)
            check.int_range("number", number, 0, _NUMBER_MAX)
        params = form(name=name, num=number, type=str(self._book.group_type))
        reply = await self._call(ADD_GROUP, params)
        return reply.id

    async def rename(self, group_id: int, name: str, *, number: int | None = None) -> None:
        """Give a group a new name, and a new number where ``number`` is given.

        Args:
            group_id: The group (``grp``).
            name: Its new name (``name``).
            number: Its new number for sending to the group (``num``); kept if ``None``.

        Raises:
            ValidationError: A bad argument; nothing was sent.
            NotFoundError: No such group.
        """
        with checking(CHANGE_GROUP.name) as check:
            _check_group(check, group_id)
            check.text("name", name, max_len=NAME_MAX, kind=Text.NAME, required=True)
            check.int_range("number", number, 0, _NUMBER_MAX)
        # Seed 004 documents ``num`` ("the number of the group for sending messages") among
        # phones.php's parameters without naming its commands; chg_group takes it as
        # add_group does. Assumption: name stays required, as every chg_group example has it.
        await self._call(CHANGE_GROUP, form(grp=group_id, name=name, num=number))

    async def delete(self, group_id: int) -> None:
        """Delete a group.

        Raises:
            ValidationError: A bad id; nothing was sent.
            NotFoundError: No such group.
        """
        with checking(DELETE_GROUP.name) as check:
            _check_group(check, group_id)
        await self._call(DELETE_GROUP, form(grp=group_id))

    async def list(self, *, cnt: int | None = None) -> list[ContactGroup]:
        """The groups of this book, with their sizes.

        Args:
            cnt: At most this many (``cnt``, 1 to 1000; seed 004: "the number of records
                returned in the Server response").

        Returns:
            The groups; an empty list where there are none (SMSC's error 3).

        Raises:
            ValidationError: A bad ``cnt``; nothing was sent.
        """
        with checking(GET_GROUP.name) as check:
            check_cnt(check, "cnt", cnt)
        params = form(type=str(self._book.group_type), cnt=cnt)
        return await or_empty(self._call(GET_GROUP, params))

    async def move_contact(self, address: str, group_id: int | Iterable[int]) -> None:
        """Move a contact to a group (or several), out of its other groups (``move_group=1``).

        Seed 004: ``grp`` takes several group ids "separated by commas".

        Raises:
            ValidationError: A bad argument; nothing was sent.
            NotFoundError: No such contact or group.
        """
        await self._move(MoveGroup.MOVE, address, group_id)

    async def add_contact(self, address: str, group_id: int | Iterable[int]) -> None:
        """Add a contact to a group (or several), keeping its others (``move_group=2``).

        Raises:
            ValidationError: A bad argument; nothing was sent.
            NotFoundError: No such contact or group.
        """
        await self._move(MoveGroup.ADD, address, group_id)

    async def remove_contact(self, address: str, group_id: int | Iterable[int]) -> None:
        """Take a contact out of a group (or several) (``move_group=3``).

        Raises:
            ValidationError: A bad argument; nothing was sent.
            NotFoundError: No such contact or group.
        """
        await self._move(MoveGroup.REMOVE, address, group_id)

    async def _move(self, how: str, address: str, group_id: int | Iterable[int]) -> None:
        book = self._book
        command = book.move_group[how]
        with checking(command.name) as check:
            named = book.naming(check, address)
            if group_id is None:
                check.fail("group_id", "is required")
            grp = check_groups(check, "group_id", group_id)
        await self._call(command, {**named, "grp": grp or ""})


def _check_group(check: Checks, group_id: int) -> None:
    if group_id is None:
        check.fail("group_id", "is required")
    check_id(check, "group_id", group_id)
