"""The tariffs family: ``get.php?get_price=1``."""

from __future__ import annotations

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Rule
from smsc_async.formats import Column, Kind, Row, Section, Sections
from smsc_async.models.tariffs import Tariffs
from smsc_async.resources._base import Resource

__all__ = ["GET_PRICE", "TariffsResource"]

_ZONE = Row(
    (
        Column("zone"),
        Column("name", free_text=True),
        Column("api"),
        Column("mass"),
        Column("mms"),
        Column("hlr"),
        Column("call"),
    )
)
_CODE = Row((Column("mccmnc"), Column("cost")))
_MAIL = Row((Column("mail"),))

GET_PRICE: Command[Tariffs] = Command(
    name="tariffs.get",
    script="get.php",
    flag="get_price",
    # Zone lines, then individual operator prices, then the e-mail price (seed 003).
    shape=Sections(
        (
            Section("zones", _ZONE),
            Section("codes", _CODE),
            Section("mail", _MAIL, Kind.VALUE),
        )
    ),
    result_type=Tariffs,
    retry=RetryClass.SAFE_READ,
    rules=(Rule(3),),  # more than 3 identical requests a minute -> error 9 (seed 003)
)


class TariffsResource(Resource):
    """``smsc.tariffs``: the account's price list."""

    async def get(self) -> Tariffs:
        """Fetch the price list: per-zone prices, individual operator prices, e-mail price.

        Returns:
            The account's :class:`~smsc_async.Tariffs`.

        Raises:
            ApiError: SMSC refused (e.g. :class:`~smsc_async.AuthError`).
            TransportError: No usable answer.
        """
        return await self._call(GET_PRICE, {})
