"""Incoming messages: ``get.php?get_answers=1`` (spec §5.2)."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Rule
from smsc_async._validation import Checks, checking
from smsc_async.formats import Column, ListOf, Row
from smsc_async.models.inbox import IncomingMessage
from smsc_async.resources._base import Resource, form
from smsc_async.resources._books import PHONES
from smsc_async.resources._paging import or_empty, pages
from smsc_async.resources.contacts import check_id

__all__ = ["GET_ANSWERS", "INBOX_CNT", "MAX_HOURS", "InboxResource"]

INBOX_CNT = 10_000
"""The most messages one request returns (``cnt``)."""
MAX_HOURS = 168
"""The longest period one request looks back over, in hours (7 days)."""

# Assumption: the docs name only <id>; a client of the real server reads fmt=0 lines as
# ``id, received, phone, message, to_phone, sent`` (spec §5.2), so that is the order here,
# the text taking any surplus commas in fmt=1.
_ROW = Row(
    (
        Column("id"),
        Column("received"),
        Column("phone"),
        Column("message", free_text=True),
        Column("to_phone"),
        Column("sent"),
    )
)

GET_ANSWERS: Command[list[IncomingMessage]] = Command(
    name="inbox.list",
    script="get.php",
    flag="get_answers",
    shape=ListOf(_ROW),
    result_type=list[IncomingMessage],
    retry=RetryClass.SAFE_READ,
    # UNVERIFIED: limits exist for get.php but were not found; 3 identical a minute (spec §B).
    rules=(Rule(3),),
)


def _filters(check: Checks, hours: int | None, to_phone: str | None) -> dict[str, str]:
    check.int_range("hours", hours, 1, MAX_HOURS)
    return form(hour=hours, to_phone=PHONES.address_one(check, "to_phone", to_phone))


def _check_cnt(check: Checks, field: str, value: int | None) -> None:
    check.int_range(field, value, 1, INBOX_CNT)


class InboxResource(Resource):
    """``smsc.inbox``: messages received on the account's numbers, oldest first.

    SMSC limits these requests (how much is not documented); calls are paced at 3 identical
    requests a minute.
    """

    async def list(
        self,
        *,
        hours: int | None = None,
        to_phone: str | None = None,
        after_id: int | None = None,
        cnt: int | None = None,
    ) -> list[IncomingMessage]:
        """One page of incoming messages (at most 10,000).

        Args:
            hours: Only messages of the last this many hours (1 to 168).
            to_phone: Only messages to this number of the account.
            after_id: Only messages after the one with this id (it excluded): the next
                page, or what is new since the last look.
            cnt: At most this many (1 to 10,000).

        Returns:
            The messages; an empty list where there are none (SMSC's error 3).

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(GET_ANSWERS.name) as check:
            params = _filters(check, hours, to_phone)
            check_id(check, "after_id", after_id)
            _check_cnt(check, "cnt", cnt)
        return await self._page({**params, **form(after_id=after_id, cnt=cnt)})

    def iterate(
        self,
        *,
        hours: int | None = None,
        to_phone: str | None = None,
        after_id: int | None = None,
        page_size: int = INBOX_CNT,
    ) -> AsyncIterator[IncomingMessage]:
        """Every matching incoming message, oldest first, fetched a page at a time.

        Pages are chained with ``after_id`` (the largest id of the page before); each page
        is a separate request through the limiter, and only one is held at a time. Keep the
        last id seen to ask only for what is new next time::

            async for message in smsc.inbox.iterate(after_id=last_seen):
                last_seen = message.id

        Args:
            hours: Only messages of the last this many hours (1 to 168).
            to_phone: Only messages to this number of the account.
            after_id: Start after the message with this id.
            page_size: Messages per request (1 to 10,000).

        Raises:
            ValidationError: A bad argument, raised here, before iteration starts.
            ParseError: During iteration, if the server's pages do not move to later ids.
        """
        with checking(GET_ANSWERS.name) as check:
            params = _filters(check, hours, to_phone)
            check_id(check, "after_id", after_id)
            _check_cnt(check, "page_size", page_size)
        params["cnt"] = str(page_size)

        async def fetch(cursor: int | None) -> builtins.list[IncomingMessage]:
            # Assumption: after_id returns the messages with larger ids, oldest first, so
            # the largest id of a page is where the next one starts.
            start = after_id if cursor is None else cursor
            return await self._page(params if start is None else {**params, "after_id": str(start)})

        return pages(fetch, page_size, ascending=True, command=GET_ANSWERS.name)

    async def _page(self, params: dict[str, str]) -> builtins.list[IncomingMessage]:
        # Assumption: as for the other lists, error 3 means "no messages", not a failure.
        return await or_empty(self._call(GET_ANSWERS, params))
