"""The balance family: ``balance.php`` (spec §4)."""

from __future__ import annotations

from collections.abc import Sequence

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Params, Rule, Scope
from smsc_async.formats import Column, LineStyle, Row, Single
from smsc_async.models.balance import Balance
from smsc_async.resources._base import Resource, form

__all__ = ["GET_BALANCE", "BalanceResource"]

_COLUMNS = (Column("balance"), Column("credit"), Column("currency"))


def _columns(cells: Sequence[str], params: Params) -> tuple[Column, ...]:
    """fmt=0 and fmt=1 both answer ``250.80`` (spec §4).

    Assumption: with ``cur=1`` the currency follows after a comma (``250.80,RUR``), and a
    credit limit, when the account has one, before it (``250.80,1000.00,RUR``).
    """
    balance, credit, currency = _COLUMNS
    if params.get("cur") != "1":
        return (balance,)
    return (balance, credit, currency) if len(cells) == 3 else (balance, currency)  # noqa: PLR2004


GET_BALANCE: Command[Balance] = Command(
    "balance.get",
    "balance.php",
    "",
    Single(Row(_COLUMNS, lines=LineStyle.VALUES, choose=_columns)),
    Balance,
    RetryClass.SAFE_READ,
    (Rule(10, scope=Scope.COMMAND),),  # more than 10 balance requests a minute -> error 9
)


class BalanceResource(Resource):
    """The account's balance (``smsc.balance()``)."""

    async def get(self, *, currency: bool = False) -> Balance:
        """The money on the account.

        SMSC answers at most 10 balance requests a minute; calls are held back to keep
        within that, and identical requests in flight share one.

        Args:
            currency: Also say the account's currency (``cur=1``).

        Returns:
            The balance (``Decimal``), with the currency when asked for.
        """
        return await self._call(GET_BALANCE, form(cur=currency))
