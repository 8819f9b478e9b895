"""One client, several event loops in turn, over real loopback HTTP; two threads at once.

Real time and real sockets (uvicorn serving the emulator on 127.0.0.1 from a thread): the
connection pool is what breaks when a loop closes under it.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from smsc_async import EventLoopError, SmscClient, SmscError
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving_in_thread


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The emulator served over HTTP on 127.0.0.1 for the whole module."""
    with serving_in_thread(Emulator(approve_senders=True)) as url:
        yield url


def sdk(base_url: str, **options: Any) -> SmscClient:
    """A client of the served emulator's default account."""
    options.setdefault("login", DEFAULT_LOGIN)
    options.setdefault("password", DEFAULT_PASSWORD)
    return SmscClient(base_url=base_url, timeout=10, **options)


def no_resource_warnings(run: Any) -> list[str]:
    """Run ``run()``, collect garbage, and return the ResourceWarnings raised meanwhile."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        run()
        gc.collect()
    return [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)]


def test_one_client_serves_asyncio_run_after_asyncio_run() -> None:
    """Two asyncio.run() calls share a client over HTTP, and a third closes it cleanly."""
    with serving_in_thread(Emulator(approve_senders=True)) as url:
        smsc = sdk(url)

        async def use(name: str) -> list[str]:
            await smsc.senders.add(name)
            await asyncio.gather(smsc.tariffs.get(), smsc.senders.list(cnt=len(name)))
            return sorted(s.sender for s in await smsc.senders.list(all=True))

        def run() -> None:
            assert ["one"] == asyncio.run(use("one"))
            assert ["one", "three"] == asyncio.run(use("three"))
            asyncio.run(smsc.aclose())

        assert [] == no_resource_warnings(run)
        assert smsc.closed


def test_a_later_loop_can_close_a_client_it_never_used(base_url: str) -> None:
    """aclose() from a fresh loop, after the loop that used the client closed, is clean."""
    smsc = sdk(base_url)

    def run() -> None:
        asyncio.run(smsc.senders.list(cnt=11))
        asyncio.run(smsc.aclose())

    assert [] == no_resource_warnings(run)


@pytest.fixture(scope="module")
def shared_client(base_url: str) -> Iterator[SmscClient]:
    """One client for the module's tests, each on pytest-asyncio's loop of its own."""
    smsc = sdk(base_url)
    yield smsc
    asyncio.run(smsc.aclose())


@pytest.mark.parametrize("turn", [1, 2, 3])
async def test_a_client_shared_by_tests_works_on_each_tests_loop(
    shared_client: SmscClient, turn: int
) -> None:
    """The same client answers on every test's own event loop (a new loop each time)."""
    # Distinct reads: SMSC (and the emulator) answer 3 identical requests a minute.
    assert [] == await shared_client.senders.list(cnt=20 + turn)


def test_a_callers_http_client_on_another_loop_is_refused(base_url: str) -> None:
    """A caller's http_client serves the loop it was first used on; another: EventLoopError."""
    http = httpx.AsyncClient()
    smsc = sdk(base_url, http_client=http)

    async def first() -> None:
        await smsc.senders.list(cnt=31)
        await http.aclose()

    asyncio.run(first())
    with pytest.raises(EventLoopError, match="http_client"):
        asyncio.run(smsc.senders.list(cnt=32))
    assert issubclass(EventLoopError, SmscError)


class HeldTransport(httpx.AsyncBaseTransport):
    """Forwards to ``inner``, but holds each request until ``release`` is set."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Signal arrival, wait for the release (without blocking the loop), forward."""
        self.arrived.set()
        await asyncio.to_thread(self.release.wait, 10)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


def test_a_second_thread_at_once_fails_at_once_and_the_first_goes_on() -> None:
    """Calls from two threads at once: the second raises EventLoopError; later ones work."""
    emulator = Emulator()
    held = HeldTransport(emulator.transport())
    smsc = emulator.client(transport=held)
    outcome: list[object] = []
    first = threading.Thread(target=lambda: outcome.append(asyncio.run(smsc.tariffs.get())))
    first.start()
    try:
        assert held.arrived.wait(10)
        with pytest.raises(EventLoopError, match="another event loop"):
            asyncio.run(smsc.tariffs.get())
    finally:
        held.release.set()
        first.join(10)
    assert 1 == len(outcome)
    assert asyncio.run(smsc.tariffs.get()).zones  # the first thread is done: free again
    asyncio.run(smsc.aclose())
    assert 2 == len(emulator.traffic)
