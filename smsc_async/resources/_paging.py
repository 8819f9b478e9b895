"""Lists that SMSC returns a page at a time, as async iterators that fetch on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from smsc_async.errors import NotFoundError, ParseError

__all__ = ["Fetch", "or_empty", "pages"]


R = TypeVar("R")
T = TypeVar("T")

Fetch = Callable[[int | None], Awaitable[list[R]]]
"""Fetches the page after a cursor (``None``: the first page)."""


def _own_id(record: Any) -> int:
    return int(record.id)


def _behind(ids: list[int | None], cursor: int, *, ascending: bool) -> bool:
    return any(i is not None and (i <= cursor if ascending else i >= cursor) for i in ids)


async def pages(
    fetch: Fetch[R],
    page_size: int,
    *,
    ascending: bool,
    command: str,
    key: Callable[[R], int | None] = _own_id,
) -> AsyncIterator[R]:
    """Every record of a paged list, one page in memory at a time.

    Each page is asked for only when the caller has consumed the one before; the cursor of
    the next page is the last id of this one (the largest going up with ``after_id``, the
    smallest going down with ``prev_id``). A page shorter than ``page_size`` is the last.
    ``key`` reads a record's id (its ``id`` by default; the history and contacts page by
    ``int_id``); ``None`` where a record has none, which a last page may hold.

    Raises:
        ParseError: A page holds an id on the wrong side of its cursor: the server's pages
            do not advance, and following them would repeat records or loop for ever. Or
            a full page holds a record without an id: there is no cursor to go on from.
    """
    cursor: int | None = None
    while True:
        page = await fetch(cursor)
        ids = [key(r) for r in page]
        if cursor is not None and _behind(ids, cursor, ascending=ascending):
            raise ParseError(f"paging did not advance past id {cursor}", command=command)
        full = len(page) >= page_size
        known = [i for i in ids if i is not None]
        if full and len(known) < len(ids):
            raise ParseError("a full page has records without an id to page by", command=command)
        cursor = (max if ascending else min)(known, default=None)
        del ids, known
        # Hand records over one by one, dropping each from the page as it goes: once the
        # caller has the last one, nothing of this page is held here any more.
        page.reverse()
        while page:
            yield page.pop()
        del page
        if not full or cursor is None:
            return


async def or_empty(page: Awaitable[list[T]]) -> list[T]:
    """A list reply, or an empty list where SMSC answered error 3.

    Assumption: on a list command, error 3 ("no records found", seed 004) is an empty page,
    not a failure.
    """
    try:
        return await page
    except NotFoundError:
        return []
