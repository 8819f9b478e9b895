"""``smsc.tariffs`` against seed 003: an empty price is absent, never a failed price list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smsc_async import Format, Tariffs, TariffZone
from smsc_async.testing import Emulator

pytestmark = pytest.mark.looptime

PRICES = Tariffs(
    zones=(
        TariffZone("1", "Russia, MTS", Decimal("1.80"), Decimal("1.90"), Decimal("6.50")),
        TariffZone("2", "No API, yet", None, Decimal("2.10")),
        TariffZone("3", "API only", Decimal("3.20"), None, hlr=Decimal("0.20")),
        TariffZone("4", "Unpriced", None, None),
    ),
    mail=Decimal("0.05"),
)


@pytest.mark.parametrize("fmt", list(Format))
async def test_a_zone_with_an_empty_api_or_mass_price_reads_as_none(fmt: Format) -> None:
    """Empty api/mass prices decode to None in every format; the other zones are intact."""
    emulator = Emulator(tariffs=PRICES)
    async with emulator.client(fmt=fmt) as smsc:
        assert PRICES == await smsc.tariffs.get()
