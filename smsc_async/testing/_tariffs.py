"""The tariffs family in the emulator: ``get.php?get_price=1``."""

from __future__ import annotations

from decimal import Decimal

import attrs

from smsc_async import OperatorTariff, Tariffs, TariffZone
from smsc_async.testing._calls import Call, Handler, Render
from smsc_async.testing._render import render_tariffs

__all__ = ["DEFAULT_TARIFFS", "TariffsFamily"]

DEFAULT_TARIFFS = Tariffs(
    zones=(
        # Zone names are free text; the commas are there on purpose (line formats).
        TariffZone(
            "1",
            "Россия, МТС",
            Decimal("1.80"),
            Decimal("1.90"),
            Decimal("6.50"),
            Decimal("0.20"),
            Decimal("1.50"),
        ),
        TariffZone(
            "2",
            "Россия, Мегафон",
            Decimal("1.85"),
            Decimal("1.95"),
            Decimal("6.50"),
            Decimal("0.20"),
            Decimal("1.50"),
        ),
        TariffZone("3", "Kazakhstan", Decimal("3.20"), Decimal("3.30")),
    ),
    codes=(OperatorTariff("25001", Decimal("1.60")),),
    mail=Decimal("0.05"),
)


@attrs.define
class TariffsFamily:
    """State: the price list every account sees."""

    tariffs: Tariffs = DEFAULT_TARIFFS

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher."""
        return {("get.php", "get_price"): self.get_price}

    def get_price(self, call: Call) -> Render:
        """The price list."""
        del call
        tariffs = self.tariffs
        return lambda fmt: render_tariffs(fmt, tariffs)
