from __future__ import annotations

import asyncio
import importlib.util
import itertools
from collections.abc import Iterator

import pytest
import respx

from smsc_async import Format, ProcessLimiter
from tests._support import BASE_URL


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """respx in place of the network: any request no route matches fails the test."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock


@pytest.fixture(params=list(Format), ids=lambda f: f"fmt{int(f)}")
def fmt(request: pytest.FixtureRequest) -> Format:
    """Each of the four wire formats in turn."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="session", autouse=True)
def _idle_event_loop() -> Iterator[None]:
    """Give asyncio a current loop that we close ourselves.

    pytest-asyncio asks ``asyncio.get_event_loop()`` for the loop to restore after each
    test; with none set, that call creates one nobody closes, and its ResourceWarning
    fails whichever test is running when it is collected (pytest-asyncio#724).
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture(autouse=True)
def _fresh_process_limits() -> Iterator[None]:
    """Every test starts with the process-wide limits empty.

    Real-time tests share the process's one clock domain, so one test's windows, slots and
    pauses would hold the next back (virtual-time tests keep a domain per loop anyway).
    """
    ProcessLimiter.default().reset()
    yield
    ProcessLimiter.default().reset()


_state_dirs = itertools.count()


@pytest.fixture(autouse=True)
def _private_state_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line's state (its auth guard) goes to a fresh dir per test, never the cache.

    The dir is made only when a test writes there.
    """
    base = tmp_path_factory.getbasetemp() / "smsc-state"
    monkeypatch.setenv("SMSC_STATE_DIR", str(base / str(next(_state_dirs))))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "looptime: run in virtual (fast-forwarded) loop time")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip virtual-time tests where looptime is not installed (Python 3.10)."""
    if importlib.util.find_spec("looptime") is not None:
        return
    skip = pytest.mark.skip(reason="virtual time needs looptime >= 0.9 (Python >= 3.11)")
    for item in items:
        if item.get_closest_marker("looptime"):
            item.add_marker(skip)
