from __future__ import annotations

import asyncio

import pytest

from smsc_async import RateLimitError
from smsc_async.testing import Emulator
from tests._support import unpaced


@pytest.mark.looptime
async def test_fourth_identical_tariff_request_in_a_minute_gets_error_9() -> None:
    """Three identical price-list requests a minute pass; the 4th is refused and recorded."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with unpaced(emulator) as smsc:  # it breaks the rule on purpose
        for _ in range(3):
            await smsc.tariffs.get()
        await asyncio.sleep(30)
        with pytest.raises(RateLimitError):
            await smsc.tariffs.get()
        assert [v.time for v in emulator.violations] == [30.0]
        await asyncio.sleep(30.5)  # the first three arrived at t=0: their window has passed
        await smsc.tariffs.get()
    assert loop.time() == pytest.approx(60.5)
    assert len(emulator.violations) == 1
