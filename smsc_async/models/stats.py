"""Models of the account's statistics (``get.php?get_stat=1``, spec §5.3)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from smsc_async.models._base import extra_field

__all__ = ["AccountStats"]


@attrs.frozen
class AccountStats:
    """Messages and money of one login over the requested period.

    The documentation names the fields (``login``, ``cnt``, ``credit``, ``debit``,
    ``currency``) but shows no reply; the layout per format is UNVERIFIED. Anything else the
    server sends is kept in ``extra``.

    Attributes:
        login: The login the row is about (the account, or one of its subclients).
        messages: How many messages were sent (``cnt``).
        credit: Money paid in during the period.
        debit: Money spent during the period.
        currency: The currency of the sums, a three-letter code.
        extra: Fields the server sent that this model does not know.
    """

    # Assumption: credit is money paid in and debit money spent, as for SubclientStats; the
    # English docs label them the other way round ("<credit> - debit"), which spec §5.3
    # reads as a slip of the translation.
    login: str
    messages: int | None = None
    credit: Decimal | None = None
    debit: Decimal | None = None
    currency: str | None = None
    extra: Mapping[str, str] = extra_field()
