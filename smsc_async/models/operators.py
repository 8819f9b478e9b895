"""Models of operator look-ups (``info.php?get_operator=1``, spec §5.4)."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from smsc_async.models._base import extra_field

__all__ = ["OperatorInfo"]


@attrs.frozen
class OperatorInfo:
    """The operator a phone number belongs to, and where it is registered.

    The fields are the ones client libraries read (spec §5.4; UNVERIFIED layout). Anything
    else the server sends is kept in ``extra``.

    Attributes:
        operator: The mobile operator.
        country: The country the number is registered in.
        region: The region the number is registered in.
        mcc: The mobile country code, e.g. ``"250"``.
        mnc: The mobile network code, e.g. ``"01"`` (text: leading zeros matter).
        tz: The time zone of the region: its hours ahead of UTC, e.g. ``3`` for Moscow.
        extra: Fields the server sent that this model does not know.
    """

    operator: str
    country: str | None = None
    region: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    # Assumption: ``tz`` is a whole number of hours (the libraries read it so, and SMSC's other
    # ``tz`` values are integers); a reply that is not one is a ParseError, not a guess.
    tz: int | None = None
    extra: Mapping[str, str] = extra_field()

    @property
    def mccmnc(self) -> str | None:
        """Country and network codes together, e.g. ``"25001"``; ``None`` if either is missing."""
        if not self.mcc or not self.mnc:
            return None
        return self.mcc + self.mnc
