"""The contacts family: ``phones.php`` and ``mails.php`` contacts (seed 004, spec §A.5)."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import AsyncIterator, Iterable

from smsc_async._validation import COMMENT_MAX, NAME_MAX, Checks, Text, checking, smsc_date
from smsc_async.errors import ParseError
from smsc_async.models.contacts import Contact
from smsc_async.resources._base import Call, Resource, form
from smsc_async.resources._books import MAX_CNT, PHONES, Book
from smsc_async.resources._paging import or_empty, pages

__all__ = ["ContactsResource", "check_cnt", "check_groups", "check_id"]

_ID_MAX = 2**63 - 1


def check_id(check: Checks, field: str, value: int | None) -> None:
    """A server-assigned id (contact, group, blacklist entry), when given."""
    check.int_range(field, value, 1, _ID_MAX)


def check_cnt(check: Checks, field: str, value: int | None) -> None:
    """How many records one list request returns: 1 to 1000."""
    check.int_range(field, value, 1, MAX_CNT)


def _int_id(contact: Contact) -> int | None:
    return contact.int_id


def check_groups(check: Checks, field: str, value: int | Iterable[int] | None) -> str | None:
    """One group id or several, joined with commas as ``grp`` takes them."""
    if value is None:
        return None
    listed = [value] if isinstance(value, int) else value
    if isinstance(listed, str) or not isinstance(listed, Iterable):
        check.fail(field, f"must be a group id or a list of them, not {type(value).__name__}")
        return None
    ids = list(listed)
    for item in ids:
        check_id(check, field, item)
    if not ids:
        check.fail(field, "must hold at least one group id")
    return ",".join(str(i) for i in ids)


class ContactsResource(Resource):
    """``smsc.contacts`` (phone book) and ``smsc.mail_contacts`` (e-mail book).

    A contact is named in requests by one of its addresses: a phone number in the phone
    book, an e-mail address in the e-mail book. SMSC accepts at most 3 identical requests a
    minute; calls are paced so.
    """

    def __init__(self, call: Call, book: Book = PHONES) -> None:
        super().__init__(call)
        self._book = book

    def _fields(
        self,
        check: Checks,
        *,
        name: str | None,
        groups: int | Iterable[int] | None,
        first_name: str | None,
        last_name: str | None,
        middle_name: str | None,
        birthday: dt.date | str | None,
        myid: str | None,
        comment: str | None,
        tags: str | None,
        other_addresses: str | Iterable[str] | None,
    ) -> dict[str, str]:
        # Checked in argument order, so ValidationError lists the fields as they were given.
        # Names are one line without tabs; a comment or tags one line (a line break would
        # forge a second contact in fmt=0 lists).
        check.text("name", name, max_len=NAME_MAX, kind=Text.NAME)
        grp = check_groups(check, "groups", groups)
        for field, value in (
            ("first_name", first_name),
            ("last_name", last_name),
            ("middle_name", middle_name),
        ):
            check.text(field, value, max_len=NAME_MAX, kind=Text.NAME)
        bd = smsc_date(check, "birthday", birthday)
        check.text("myid", myid, max_len=NAME_MAX, kind=Text.NAME)
        check.text("comment", comment, max_len=COMMENT_MAX)
        check.text("tags", tags, max_len=COMMENT_MAX)
        # Assumption: mails.php takes other addresses in ``pho`` too (only phones.php's
        # parameters are documented; "the request format is similar").
        return form(
            name=name,
            grp=grp,
            fnm=first_name,
            lnm=last_name,
            mnm=middle_name,
            bd=bd,
            myid=myid,
            cmt=comment,
            tags=tags,
            pho=self._book.addresses(check, "other_addresses", other_addresses),
        )

    async def add(
        self,
        addresses: str | Iterable[str],
        *,
        name: str | None = None,
        groups: int | Iterable[int] | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        middle_name: str | None = None,
        birthday: dt.date | str | None = None,
        myid: str | None = None,
        comment: str | None = None,
        tags: str | None = None,
        other_addresses: str | Iterable[str] | None = None,
    ) -> int:
        """Create a contact.

        Args:
            addresses: Its phone number (or e-mail address), or several.
            name: Its name.
            groups: A group id, or several: the groups it belongs to.
            first_name: First name.
            last_name: Surname.
            middle_name: Middle name.
            birthday: Date of birth (``date`` or ``"dd.mm.yyyy"``).
            myid: An id of your own for it.
            comment: A comment (``cmt`` on the wire).
            tags: Tags.
            other_addresses: Other numbers (or addresses); nothing is sent to them.

        Returns:
            The new contact's id.

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        book = self._book
        with checking(book.add.name) as check:
            params = {
                book.address: book.addresses(check, "addresses", addresses) or "",
                **self._fields(
                    check,
                    name=name,
                    groups=groups,
                    first_name=first_name,
                    last_name=last_name,
                    middle_name=middle_name,
                    birthday=birthday,
                    myid=myid,
                    comment=comment,
                    tags=tags,
                    other_addresses=other_addresses,
                ),
            }
        reply = await self._call(book.add, params)
        return reply.id

    async def change(
        self,
        address: str,
        *,
        new_addresses: str | Iterable[str] | None = None,
        name: str | None = None,
        groups: int | Iterable[int] | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        middle_name: str | None = None,
        birthday: dt.date | str | None = None,
        myid: str | None = None,
        comment: str | None = None,
        tags: str | None = None,
        other_addresses: str | Iterable[str] | None = None,
    ) -> None:
        """Change a contact: the fields given are replaced, the others kept.

        Args:
            address: One of the contact's addresses: which contact to change.
            new_addresses: Its new phone numbers (or e-mail addresses), replacing the old.
            name: A new name.
            groups: The groups it belongs to from now on.
            first_name: A new first name.
            last_name: A new surname.
            middle_name: A new middle name.
            birthday: A new date of birth.
            myid: A new id of your own.
            comment: A new comment (``cmt``).
            tags: New tags.
            other_addresses: New other numbers (or addresses).

        Raises:
            ValidationError: A bad argument, or nothing to change; nothing was sent.
            NotFoundError: No contact has that address.
        """
        book = self._book
        with checking(book.change.name) as check:
            params = {
                **book.naming(check, address),
                **form(**{book.new_address: book.addresses(check, "new_addresses", new_addresses)}),
                **self._fields(
                    check,
                    name=name,
                    groups=groups,
                    first_name=first_name,
                    last_name=last_name,
                    middle_name=middle_name,
                    birthday=birthday,
                    myid=myid,
                    comment=comment,
                    tags=tags,
                    other_addresses=other_addresses,
                ),
            }
            given = (new_addresses, name, groups, first_name, last_name, middle_name, birthday)
            if all(v is None for v in (*given, myid, comment, tags, other_addresses)):
                check.fail("change", "nothing to change: give at least one new value")
        await self._call(book.change, params)

    async def change_addresses(self, address: str, new_addresses: str | Iterable[str]) -> None:
        """Replace a contact's phone numbers (or e-mail addresses).

        Raises:
            ValidationError: A bad address; nothing was sent.
            NotFoundError: No contact has ``address``.
        """
        if new_addresses is None:
            with checking(self._book.change.name) as check:
                check.fail("new_addresses", "is required")
        await self.change(address, new_addresses=new_addresses)

    async def delete(self, address: str) -> None:
        """Delete the contact that has ``address``.

        Raises:
            ValidationError: A bad address; nothing was sent.
            NotFoundError: No contact has that address.
        """
        book = self._book
        with checking(book.delete.name) as check:
            named = book.naming(check, address)
        await self._call(book.delete, named)

    def _filters(
        self,
        check: Checks,
        groups: int | Iterable[int] | None,
        address: str | None,
        fio: str | None,
        search: str | None,
    ) -> dict[str, str]:
        grp = check_groups(check, "groups", groups)  # in argument order, like _fields
        value = self._book.address_one(check, "address", address)
        check.text("fio", fio, max_len=NAME_MAX, kind=Text.NAME)
        check.text("search", search, max_len=NAME_MAX, kind=Text.NAME)
        return form(grp=grp, fio=fio, search=search, **{self._book.address: value})

    async def list(
        self,
        *,
        groups: int | Iterable[int] | None = None,
        address: str | None = None,
        fio: str | None = None,
        search: str | None = None,
        after_id: int | None = None,
        cnt: int | None = None,
    ) -> list[Contact]:
        """List contacts, one page (at most 1000), in the order of their ids.

        Args:
            groups: Only contacts of this group (or of these groups).
            address: Only the contact with this phone number (or e-mail address).
            fio: Only contacts whose first, last or middle name matches.
            search: Only contacts whose name or number matches.
            after_id: Only contacts after the one with this ``int_id`` (paging; seed
                004: "Contact ID (int_id)", not the client's :attr:`Contact.id`).
            cnt: At most this many (1 to 1000).

        Returns:
            The contacts; an empty list where none match (SMSC's error 3).

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(self._book.get.name) as check:
            params = self._filters(check, groups, address, fio, search)
            check_id(check, "after_id", after_id)
            check_cnt(check, "cnt", cnt)
        return await self._page({**params, **form(after_id=after_id, cnt=cnt)})

    def iterate(
        self,
        *,
        groups: int | Iterable[int] | None = None,
        address: str | None = None,
        fio: str | None = None,
        search: str | None = None,
        page_size: int = MAX_CNT,
    ) -> AsyncIterator[Contact]:
        """Every matching contact, fetched a page at a time as the caller consumes them.

        Pages are chained with ``after_id`` (the largest :attr:`Contact.int_id` of the page
        before); each page is a separate request through the limiter, and only one is held
        at a time::

            async for contact in smsc.contacts.iterate(groups=321):
                ...

        Seed 004 documents ``after_id`` for fmt=3, the format whose list carries each
        contact's ``int_id``. Where a full page has no ``int_id`` (fmt=0, 1 and 2) there is
        no cursor to go on from: the list is read again in one request of the largest page
        (1000), and if that is full too, :class:`ParseError` follows its contacts, since
        more may exist that cannot be reached.

        Args:
            groups: Only contacts of this group (or of these groups).
            address: Only the contact with this phone number (or e-mail address).
            fio: Only contacts whose first, last or middle name matches.
            search: Only contacts whose name or number matches.
            page_size: Contacts per request (1 to 1000).

        Raises:
            ValidationError: A bad argument, raised here, before iteration starts.
            ParseError: During iteration, if the server's pages do not move to later ids,
                or a full page carries no ``int_id`` to page on from.
        """
        with checking(self._book.get.name) as check:
            params = self._filters(check, groups, address, fio, search)
            check_cnt(check, "page_size", page_size)
        return self._every(params, page_size)

    async def _every(self, params: dict[str, str], page_size: int) -> AsyncIterator[Contact]:
        command = self._book.get.name
        first = await self._page({**params, "cnt": str(page_size)})
        if len(first) >= page_size and any(c.int_id is None for c in first):
            # Fallback (no int_id, so no after_id): the client's ids are not the server's
            # and cannot be a cursor. The first page is dropped and the list read whole in
            # the largest page the server gives; what lies beyond it cannot be reached, and
            # saying so beats ending as if the list were complete.
            if page_size < MAX_CNT:
                del first[:]
                first = await self._page({**params, "cnt": str(MAX_CNT)})
            full = len(first) >= MAX_CNT
            first.reverse()
            while first:
                yield first.pop()
            if full:
                raise ParseError(
                    f"the list may go on past {MAX_CNT} contacts, but its records carry no "
                    "int_id to page on with after_id (seed 004 pages fmt=3 lists)",
                    command=command,
                )
            return
        pending: builtins.list[builtins.list[Contact]] = [first]
        del first

        async def fetch(after_id: int | None) -> builtins.list[Contact]:
            if pending:
                return pending.pop()  # the first page, fetched above
            # Assumption: after_id returns the contacts with larger int_ids, in int_id
            # order (seed 004 documents it for fmt=3; the emulator serves every format so).
            return await self._page({**params, "cnt": str(page_size), "after_id": str(after_id)})

        async for contact in pages(fetch, page_size, ascending=True, command=command, key=_int_id):
            yield contact

    async def _page(self, params: dict[str, str]) -> builtins.list[Contact]:
        return await or_empty(self._call(self._book.get, params))
