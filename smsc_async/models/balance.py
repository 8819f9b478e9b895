"""Models of the balance family (``balance.php``, spec §4)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from smsc_async.models._base import extra_field

__all__ = ["Balance"]


@attrs.frozen
class Balance:
    """The account's balance.

    Attributes:
        balance: The money on the account.
        currency: The account's currency (e.g. ``"RUR"``, ``"KZT"``), when asked for.
        credit: The credit limit set for the account, when the server says.
        extra: Fields this model does not know.
    """

    balance: Decimal
    currency: str | None = None
    credit: Decimal | None = None
    extra: Mapping[str, str] = extra_field()
