"""The history of sent messages: ``get.php?get_messages=1`` (spec §5.1)."""

from __future__ import annotations

import builtins
import calendar
import datetime as dt
from collections.abc import AsyncIterator, Iterable

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Format, Rule
from smsc_async._validation import Checks, checking, smsc_date
from smsc_async.formats import Column, ListOf, Row
from smsc_async.models.history import SentMessage
from smsc_async.resources._base import Resource, form
from smsc_async.resources._books import MAILS, PHONES
from smsc_async.resources._paging import or_empty, pages
from smsc_async.resources.contacts import check_id

__all__ = ["GET_MESSAGES", "HISTORY_CNT", "HistoryResource", "check_period"]

HISTORY_CNT = 1000
"""The most messages one history request returns (``cnt``)."""
_MAIL_FORMAT = "8"  # ``format=8``: the history of e-mail messages instead of SMS
_MAX_MONTHS = 6  # "The maximum period ... is six months."

# Assumption: the docs list the reply's first fields only (status, last_date,
# last_timestamp, err, send_date, send_timestamp, ...); the rest follow a full status reply
# (spec §3.2), then the message id and the global id. fmt=0 names the last change
# ``check_time`` (seen in a real reply); fmt=1 is read by this order, the text taking any
# surplus commas.
_ROW = Row(
    (
        Column("status"),
        Column("last_date"),
        Column("last_timestamp"),
        Column("err"),
        Column("send_date"),
        Column("send_timestamp"),
        Column("phone"),
        Column("cost"),
        Column("sender_id"),
        Column("status_name"),
        Column("message", free_text=True),
        Column("country"),
        Column("operator"),
        Column("region"),
        Column("mccmnc"),
        Column("type"),
        Column("sms_cnt"),
        Column("id"),
        Column("int_id"),
    ),
    renames={Format.LINES: {"check_time": "last_date"}},
)

GET_MESSAGES: Command[list[SentMessage]] = Command(
    name="history.list",
    script="get.php",
    flag="get_messages",
    shape=ListOf(_ROW),
    result_type=list[SentMessage],
    retry=RetryClass.SAFE_READ,
    # UNVERIFIED: the history is rate-limited (spec §5.1) but the limit was not found; like
    # the other get.php commands, at most 3 identical requests a minute (spec §B).
    rules=(Rule(3),),
)


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d.%m.%Y").date()  # noqa: DTZ007 - a calendar date


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_period(
    check: Checks,
    start: dt.date | str | None,
    end: dt.date | str | None,
    *,
    max_months: int | None = None,
) -> tuple[str | None, str | None]:
    """``start`` and ``end`` as ``dd.mm.yyyy``; ``end`` needs ``start`` and is not before it.

    With ``max_months``, the period may be at most that many months long.
    """
    first, last = smsc_date(check, "start", start), smsc_date(check, "end", end)
    if end is not None and start is None:
        check.fail("end", "needs start (the period begins at start)")
    if first and last:
        begin, finish = _day(first), _day(last)
        if finish < begin:
            check.fail("end", f"is before start ({last} < {first})")
        elif max_months is not None and finish > _months_later(begin, max_months):
            check.fail("end", f"is more than {max_months} months after start ({first} - {last})")
    return first, last


def _check_cnt(check: Checks, field: str, value: int | None) -> None:
    check.int_range(field, value, 1, HISTORY_CNT)


class HistoryResource(Resource):
    """``smsc.history``: the messages the account sent, newest first.

    SMSC limits these requests (how much is not documented); calls are paced at 3 identical
    requests a minute.
    """

    def _filters(
        self,
        check: Checks,
        *,
        start: dt.date | str | None,
        end: dt.date | str | None,
        phones: str | Iterable[str] | None,
        emails: str | Iterable[str] | None,
        mail: bool,
    ) -> dict[str, str]:
        first, last = check_period(check, start, end, max_months=_MAX_MONTHS)
        phone = PHONES.addresses(check, "phones", phones)
        email = MAILS.addresses(check, "emails", emails)
        if not isinstance(mail, bool):
            check.fail("mail", f"must be True or False, got {mail!r}")
        if phones is not None and (emails is not None or mail is True):
            check.fail("phones", "filters SMS history: not with emails or mail=True")
        e_mail = emails is not None or mail is True
        return form(
            start=first,
            end=last,
            phone=phone,
            email=email,
            format=_MAIL_FORMAT if e_mail else None,
        )

    async def list(
        self,
        *,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        phones: str | Iterable[str] | None = None,
        emails: str | Iterable[str] | None = None,
        mail: bool = False,
        prev_id: int | None = None,
        cnt: int | None = None,
    ) -> list[SentMessage]:
        """One page of the history of sent messages (at most 1000), newest first.

        Args:
            start: The first day of the period (``date`` or ``"dd.mm.yyyy"``); the period
                may be at most six months long.
            end: The last day of the period (with ``start``); without it, everything since
                ``start``.
            phones: Only messages to this number (or these numbers).
            emails: Only e-mail messages to this address (or these addresses); implies
                ``mail=True``.
            mail: The history of e-mail messages instead of SMS (``format=8``).
            prev_id: Only messages sent before the one with this global id
                (:attr:`SentMessage.int_id`): the next page.
            cnt: At most this many (1 to 1000).

        Returns:
            The messages; an empty list where there are none (SMSC's error 3).

        Raises:
            ValidationError: A bad argument (e.g. a period over six months); nothing was
                sent.
        """
        with checking(GET_MESSAGES.name) as check:
            params = self._filters(
                check, start=start, end=end, phones=phones, emails=emails, mail=mail
            )
            check_id(check, "prev_id", prev_id)
            _check_cnt(check, "cnt", cnt)
        return await self._page({**params, **form(prev_id=prev_id, cnt=cnt)})

    def iterate(
        self,
        *,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        phones: str | Iterable[str] | None = None,
        emails: str | Iterable[str] | None = None,
        mail: bool = False,
        page_size: int = HISTORY_CNT,
    ) -> AsyncIterator[SentMessage]:
        """Every matching sent message, newest first, fetched a page at a time.

        Pages are chained with ``prev_id`` (the smallest ``int_id`` of the page before);
        each page is a separate request through the limiter, and only one is held at a
        time::

            async for message in smsc.history.iterate(start="01.03.2026"):
                ...

        Args:
            start: The first day of the period (at most six months long).
            end: The last day of the period (with ``start``).
            phones: Only messages to this number (or these numbers).
            emails: Only e-mail messages to this address (or these addresses).
            mail: The history of e-mail messages instead of SMS.
            page_size: Messages per request (1 to 1000).

        Raises:
            ValidationError: A bad argument, raised here, before iteration starts.
            ParseError: During iteration, if the server's pages do not move to older ids.
        """
        with checking(GET_MESSAGES.name) as check:
            params = self._filters(
                check, start=start, end=end, phones=phones, emails=emails, mail=mail
            )
            _check_cnt(check, "page_size", page_size)
        params["cnt"] = str(page_size)

        async def fetch(prev_id: int | None) -> builtins.list[SentMessage]:
            return await self._page(
                params if prev_id is None else {**params, "prev_id": str(prev_id)}
            )

        return pages(
            fetch,
            page_size,
            ascending=False,
            command=GET_MESSAGES.name,
            key=lambda message: message.int_id,
        )

    async def _page(self, params: dict[str, str]) -> builtins.list[SentMessage]:
        # Assumption: as for the other lists, error 3 means "no messages", not a failure.
        return await or_empty(self._call(GET_MESSAGES, params))
