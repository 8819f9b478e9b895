"""The pytest plugin of smsc_async (entry point ``pytest11``): the ``smsc_emulator`` fixture.

Installed with smsc_async, it is loaded by every pytest run in the environment, including
suites that never heard of smsc_async, and with or without the ``emulator`` extra. So it
lives outside ``smsc_async.testing`` (whose ``__init__`` imports Starlette) and imports
the emulator only when a test asks for the fixture: without the extra, that test errors
with a message naming the extra, and every other test runs as if the plugin were absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from smsc_async.testing import Emulator

__all__ = ["smsc_emulator"]

MISSING_EXTRA = (
    "the smsc_emulator fixture needs the emulator extra of smsc_async "
    "(pip install 'smsc_async[emulator]')"
)


@pytest.fixture
def smsc_emulator() -> Emulator:
    """A fresh SMSC emulator; ``smsc_emulator.client()`` is an ``SmscClient`` wired to it.

    ::

        async def test_prices(smsc_emulator):
            async with smsc_emulator.client() as smsc:
                assert (await smsc.tariffs.get()).zones
    """
    try:
        from smsc_async.testing import Emulator  # noqa: PLC0415 - see the module docstring
    except ImportError as exc:
        missing = f"{MISSING_EXTRA}: {exc.__cause__ or exc}"
    else:
        return Emulator()
    pytest.fail(missing, pytrace=False)  # outside the except: no chained traceback
