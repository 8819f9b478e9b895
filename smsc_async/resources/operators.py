"""Operator look-ups: ``info.php?get_operator=1`` (spec §5.4)."""

from __future__ import annotations

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Rule, Scope
from smsc_async._validation import checking
from smsc_async.formats import Column, Row, Single
from smsc_async.models.operators import OperatorInfo
from smsc_async.resources._base import Resource
from smsc_async.resources._books import PHONES

__all__ = ["GET_OPERATOR", "OperatorsResource"]

# Assumption: the reply is one record of the fields client libraries read (spec §5.4), in
# this order in the line formats.
GET_OPERATOR: Command[OperatorInfo] = Command(
    name="operators.get",
    script="info.php",
    flag="get_operator",
    shape=Single(
        Row(tuple(Column(n) for n in ("country", "operator", "region", "mcc", "mnc", "tz")))
    ),
    result_type=OperatorInfo,
    retry=RetryClass.SAFE_READ,
    # "more than three identical requests or any 100 requests for operator info within a
    # minute" -> error 9 (spec §5.4).
    rules=(Rule(3), Rule(100, scope=Scope.COMMAND)),
)


class OperatorsResource(Resource):
    """``smsc.operators``: which operator a number belongs to.

    SMSC accepts at most 3 identical look-ups and 100 look-ups in all a minute; calls are
    paced so.
    """

    async def get(self, phone: str) -> OperatorInfo:
        """Look up the operator, country and region of a phone number.

        Args:
            phone: The number, in international format.

        Returns:
            The number's :class:`~smsc_async.OperatorInfo`.

        Raises:
            ValidationError: Not a phone number; nothing was sent.
            NotFoundError: SMSC knows no operator for the number (its error 3).
        """
        with checking(GET_OPERATOR.name) as check:
            if phone is None:
                check.fail("phone", "is required")
            number = PHONES.address_one(check, "phone", phone)
        return await self._call(GET_OPERATOR, {"phone": number or ""})
