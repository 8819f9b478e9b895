"""The account's statistics: ``get.php?get_stat=1`` (spec §5.3)."""

from __future__ import annotations

import datetime as dt

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Format, Rule
from smsc_async._validation import checking
from smsc_async.formats import Column, ListOf, Row
from smsc_async.models.stats import AccountStats
from smsc_async.resources._base import Resource, form
from smsc_async.resources.history import check_period

__all__ = ["GET_STAT", "StatsResource"]

# Assumption (the reply is not shown, spec §5.3): one row per login, the fields in the
# order the docs list them, ``cnt`` being the number of messages.
GET_STAT: Command[list[AccountStats]] = Command(
    name="stats.get",
    script="get.php",
    flag="get_stat",
    shape=ListOf(
        Row(
            tuple(Column(n) for n in ("login", "messages", "credit", "debit", "currency")),
            renames={fmt: {"cnt": "messages"} for fmt in Format},
        )
    ),
    result_type=list[AccountStats],
    retry=RetryClass.SAFE_READ,
    # UNVERIFIED: limits exist for get.php but were not found; 3 identical a minute (spec §B).
    rules=(Rule(3),),
)


class StatsResource(Resource):
    """``smsc.stats``: messages sent and money spent over a period.

    SMSC limits these requests (how much is not documented); calls are paced at 3 identical
    requests a minute.
    """

    async def get(
        self,
        *,
        start: dt.date | str | None = None,
        end: dt.date | str | None = None,
        own_currency: bool = False,
        electronic_balance: bool = False,
    ) -> list[AccountStats]:
        """Fetch the statistics of a period: one row per login.

        Args:
            start: The first day of the period (``date`` or ``"dd.mm.yyyy"``).
            end: The last day of the period (with ``start``).
            own_currency: Sums in the account's own currency (``mycur=1``).
            electronic_balance: Only messages paid from the electronic balance
                (``balance2=1``; the name ``subclients.pay``/``.stats`` use for it).

        Returns:
            One :class:`~smsc_async.AccountStats` per login.

        Raises:
            ValidationError: A bad argument (e.g. ``end`` before ``start``); nothing was
                sent.
        """
        with checking(GET_STAT.name) as check:
            first, last = check_period(check, start, end)
            flags = (("own_currency", own_currency), ("electronic_balance", electronic_balance))
            for field, value in flags:
                if not isinstance(value, bool):
                    check.fail(field, f"must be True or False, got {value!r}")
        params = form(start=first, end=last, mycur=own_currency, balance2=electronic_balance)
        return await self._call(GET_STAT, params)
