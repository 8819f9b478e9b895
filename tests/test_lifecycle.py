"""Closing a client: calls in flight, calls waiting, calls after, views, ``async with``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from smsc_async import (
    ClientClosedError,
    MaybeAppliedError,
    SendUnconfirmedError,
    SmscError,
    TransportError,
)
from smsc_async.testing import Emulator

pytestmark = pytest.mark.looptime


async def started(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """``coro`` as a task that has run up to its first real wait."""
    task = asyncio.ensure_future(coro)
    await asyncio.sleep(0.5)
    return task


async def test_a_change_in_flight_when_closing_may_have_been_applied() -> None:
    """aclose() during senders.add's request: MaybeAppliedError, never a bare CancelledError."""
    emulator = Emulator(latency=10.0)
    smsc = emulator.client()
    adding = await started(smsc.senders.add("shop"))
    await smsc.aclose()
    with pytest.raises(MaybeAppliedError) as caught:
        await adding
    assert (True, ["senders.add"]) == (
        caught.value.request_sent,
        [x.command for x in emulator.traffic],
    )
    assert "closed" in str(caught.value)


async def test_a_send_in_flight_when_closing_is_unconfirmed_with_its_id() -> None:
    """aclose() during a send: SendUnconfirmedError naming the message id and phones."""
    emulator = Emulator(latency=10.0)
    smsc = emulator.client()
    sending = await started(smsc.messages.send("79990000001", "hi", id="m-1"))
    await smsc.aclose()
    with pytest.raises(SendUnconfirmedError) as caught:
        await sending
    assert ("m-1", ("79990000001",)) == (caught.value.id, caught.value.phones)


async def test_a_read_in_flight_when_closing_ends_with_client_closed() -> None:
    """A read cut short by aclose() raises ClientClosedError (it changed nothing)."""
    emulator = Emulator(latency=10.0)
    smsc = emulator.client()
    reading = await started(smsc.tariffs.get())
    joined = await started(smsc.tariffs.get())  # coalesced with the first
    await smsc.aclose()
    for task in (reading, joined):
        with pytest.raises(ClientClosedError):
            await task


async def test_calls_waiting_for_the_limiter_fail_and_are_never_sent() -> None:
    """A call held back by a window fails with ClientClosedError on aclose(); nothing is sent."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    smsc = emulator.client()
    for _ in range(3):
        await smsc.tariffs.get()  # 3 identical a minute: a 4th waits
    waiting = await started(smsc.tariffs.get())
    await smsc.aclose()
    with pytest.raises(ClientClosedError, match="before it was sent"):
        await waiting
    assert loop.time() < 60.0
    await asyncio.sleep(120.0)  # long past the window: had it lived on, it would be sent
    assert 3 == len(emulator.traffic)


async def test_a_call_waiting_to_retry_fails_when_closing() -> None:
    """A read pausing before its retry fails with ClientClosedError, not sent again."""
    emulator = Emulator()
    emulator.faults.reset("get.get_price", after=False, times=None)
    smsc = emulator.client(retries=5)
    retrying = await started(smsc.tariffs.get())  # failed once, now in its backoff pause
    await smsc.aclose()
    with pytest.raises(ClientClosedError):
        await retrying
    await asyncio.sleep(60.0)
    assert 1 == len(emulator.traffic)


async def test_a_caller_cancelling_still_gets_its_cancellation() -> None:
    """A caller's own cancel() is a CancelledError as ever, not a closed-client error."""
    emulator = Emulator(latency=10.0)
    async with emulator.client() as smsc:
        task = await started(smsc.senders.add("shop"))
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_calls_after_closing_fail_before_sending() -> None:
    """Every call after aclose() raises ClientClosedError and sends nothing."""
    emulator = Emulator()
    async with emulator.client() as smsc:
        await smsc.tariffs.get()
    with pytest.raises(ClientClosedError, match="the client is closed"):
        await smsc.tariffs.get()
    with pytest.raises(ClientClosedError):
        await smsc.messages.send("79990000001", "hi")
    assert 1 == len(emulator.traffic)
    assert issubclass(ClientClosedError, SmscError)
    assert not issubclass(ClientClosedError, TransportError)


async def test_async_with_on_a_closed_client_says_it_is_closed() -> None:
    """Entering a closed client again raises ClientClosedError; closing twice is harmless."""
    smsc = Emulator().client()
    async with smsc:
        pass
    await smsc.aclose()
    assert smsc.closed
    with pytest.raises(ClientClosedError, match="make a new one"):
        async with smsc:
            pass


async def test_closing_a_with_options_view_closes_only_the_view() -> None:
    """A view's aclose() fails the view's calls; the client and its other views go on."""
    emulator = Emulator()
    async with emulator.client() as smsc:
        view = smsc.with_options(deadline=5.0)
        other = smsc.with_options(timeout=5.0)
        await view.aclose()
        with pytest.raises(ClientClosedError):
            await view.tariffs.get()
        assert (await smsc.tariffs.get()).zones
        assert (await other.tariffs.get()).zones
        assert (True, False) == (view.closed, smsc.closed)


async def test_closing_a_with_credentials_view_stops_its_calls_only() -> None:
    """A with_credentials view's aclose() ends its own calls in flight; the client goes on."""
    emulator = Emulator(latency=10.0)
    emulator.add_account("other", "other-password")
    async with emulator.client() as smsc:
        sub = smsc.with_credentials(login="other", password="other-password")
        mine = await started(smsc.senders.add("mine"))
        theirs = await started(sub.senders.add("theirs"))
        await sub.aclose()
        with pytest.raises(MaybeAppliedError):
            await theirs
        assert 1001 <= await mine
        with pytest.raises(ClientClosedError):
            await sub.tariffs.get()


async def test_closing_the_client_closes_its_views() -> None:
    """After the client's aclose(), its views' calls fail too, waiting or new."""
    emulator = Emulator(latency=10.0)
    emulator.add_account("other", "other-password")
    smsc = emulator.client()
    quick = smsc.with_options(deadline=60.0)
    sub = smsc.with_credentials(login="other", password="other-password")
    reading = await started(sub.tariffs.get())
    await smsc.aclose()
    with pytest.raises(ClientClosedError):
        await reading
    for client in (quick, sub):
        assert client.closed
        with pytest.raises(ClientClosedError):
            await client.senders.list()
    assert 1 == len(emulator.traffic)
