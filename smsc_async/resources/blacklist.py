"""The blacklists of both address books (``phones.php``, ``mails.php``; seed 004)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator

from smsc_async._validation import COMMENT_MAX, checking
from smsc_async.models.contacts import BlacklistEntry, BlockType
from smsc_async.resources._base import Call, Resource, form
from smsc_async.resources._books import MAX_CNT, PHONES, Book
from smsc_async.resources._paging import or_empty, pages
from smsc_async.resources.contacts import check_cnt, check_id

__all__ = ["BlacklistResource"]

_KNOWN_TYPES = frozenset(int(t) for t in BlockType)


class BlacklistResource(Resource):
    """``smsc.blacklist`` (numbers) and ``smsc.mail_blacklist`` (e-mail addresses).

    SMSC accepts at most 3 identical requests a minute; calls are paced so.
    """

    def __init__(self, call: Call, book: Book = PHONES) -> None:
        super().__init__(call)
        self._book = book

    async def add(
        self,
        address: str,
        *,
        type: BlockType = BlockType.ALL,  # noqa: A002 - SMSC's own parameter name
        comment: str | None = None,
    ) -> int:
        """Blacklist a phone number (or e-mail address).

        Args:
            address: The number (or address) to block.
            type: What to block (``type``): ``BlockType.ALL`` every message, ``MASS`` mass
                mailings, ``SINGLE`` single messages. Only the enum type-checks; a bare
                ``int`` is still checked at run time.
            comment: A comment.

        Returns:
            The new entry's id.

        Raises:
            ValidationError: A bad argument (e.g. an unknown type); nothing was sent.
        """
        book = self._book
        with checking(book.add_black.name) as check:
            named = book.naming(check, address)
            # A bare int fails mypy; at run time one that names a known BlockType still
            # passes (an int enum is one), anything else is refused before sending.
            if isinstance(type, bool) or not isinstance(type, int) or type not in _KNOWN_TYPES:
                names = ", ".join(f"{t.name} ({int(t)})" for t in BlockType)
                check.fail("type", f"must be a BlockType: {names}; got {type!r}")
            check.text("comment", comment, max_len=COMMENT_MAX)
        # Assumption: the comment travels as ``cmt``, as a contact's does.
        params = {**named, **form(type=int(type), cmt=comment)}
        reply = await self._call(book.add_black, params)
        return reply.id

    async def delete(self, address: str) -> None:
        """Take a number (or address) off the blacklist.

        Raises:
            ValidationError: A bad address; nothing was sent.
            NotFoundError: It is not blacklisted.
        """
        book = self._book
        with checking(book.del_black.name) as check:
            named = book.naming(check, address)
        await self._call(book.del_black, named)

    async def list(
        self, *, prev_id: int | None = None, cnt: int | None = None
    ) -> list[BlacklistEntry]:
        """List blacklist entries, one page (at most 1000), newest first.

        Args:
            prev_id: Only entries added before the one with this id (paging).
            cnt: At most this many (1 to 1000).

        Returns:
            The entries; an empty list where there are none (SMSC's error 3).

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(self._book.get_black.name) as check:
            check_id(check, "prev_id", prev_id)
            check_cnt(check, "cnt", cnt)
        return await self._page(form(prev_id=prev_id, cnt=cnt))

    def iterate(self, *, page_size: int = MAX_CNT) -> AsyncIterator[BlacklistEntry]:
        """Every blacklist entry, fetched a page at a time as the caller consumes them.

        Pages are chained with ``prev_id`` (the smallest id of the page before); each page
        is a separate request through the limiter, and only one is held at a time.

        Args:
            page_size: Entries per request (1 to 1000).

        Raises:
            ValidationError: A bad ``page_size``, raised here, before iteration starts.
            ParseError: During iteration, if the server's pages do not move to older ids.
        """
        with checking(self._book.get_black.name) as check:
            check_cnt(check, "page_size", page_size)

        async def fetch(prev_id: int | None) -> list[BlacklistEntry]:
            return await self._page(form(prev_id=prev_id, cnt=page_size))

        return pages(fetch, page_size, ascending=False, command=self._book.get_black.name)

    async def _page(self, params: dict[str, str]) -> builtins.list[BlacklistEntry]:
        return await or_empty(self._call(self._book.get_black, params))
