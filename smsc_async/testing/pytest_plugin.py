"""The pytest plugin of smsc_async (entry point ``pytest11``): the ``smsc_emulator`` fixture.

Installed with smsc_async, it is loaded by every pytest run, so it imports the emulator
(and Starlette) only when a test asks for the fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from smsc_async.testing import Emulator

__all__ = ["smsc_emulator"]


@pytest.fixture
def smsc_emulator() -> Emulator:
    """A fresh SMSC emulator; ``smsc_emulator.client()`` is an ``SmscClient`` wired to it.

    ::

        async def test_prices(smsc_emulator):
            async with smsc_emulator.client() as smsc:
                assert (await smsc.tariffs.get()).zones
    """
    from smsc_async.testing import Emulator  # noqa: PLC0415 - see the module docstring

    return Emulator()
