"""Models of the tariffs family (``get.php?get_price=1``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from smsc_async.models._base import extra_field

__all__ = ["OperatorTariff", "TariffZone", "Tariffs"]


@attrs.frozen
class TariffZone:
    """The prices of one tariff zone (an operator, a country, ...).

    Attributes:
        zone: The zone's code.
        name: The zone's name; free text that may contain commas.
        api: Price of an SMS sent through the API (``None``: the server left it empty).
        mass: Price of an SMS sent from the personal account (``None``: left empty).
        mms: Price of an MMS, if the zone offers it.
        hlr: Price of an HLR request, if the zone offers it.
        call: Price of a voice message, if the zone offers it.
        extra: Fields the server sent that this model does not know.
    """

    zone: str
    name: str
    # Assumption: seed 003 shows every price of a zone as a plain value and says none may
    # be missing; an empty one (a zone without SMS through one channel, or not priced yet)
    # is read as absent, like an empty MMS, HLR or call price, so that one zone never fails
    # the whole price list.
    api: Decimal | None = None
    mass: Decimal | None = None
    mms: Decimal | None = None
    hlr: Decimal | None = None
    call: Decimal | None = None
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class OperatorTariff:
    """An individual price set for one operator.

    Attributes:
        mccmnc: Country code and mobile network code, e.g. ``"25001"``.
        cost: Price of a message at this operator.
    """

    mccmnc: str
    cost: Decimal
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class Tariffs:
    """The account's price list.

    Attributes:
        zones: Prices per tariff zone.
        codes: Individual prices per operator, when any are set.
        mail: Price of an e-mail message, when the server names one.
    """

    zones: tuple[TariffZone, ...] = ()
    codes: tuple[OperatorTariff, ...] = ()
    mail: Decimal | None = None
