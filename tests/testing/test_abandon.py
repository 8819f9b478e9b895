"""Requests a client gives up on keep running at the emulator, as on the real server."""

from __future__ import annotations

import asyncio

import pytest

from smsc_async import RateLimitError, Sender, SmscClient, TransportError
from smsc_async.testing import Emulator
from tests._support import confirmed, unpaced

pytestmark = pytest.mark.looptime

LATENCY = 3.0
TIMEOUT = 0.5


def now() -> float:
    return asyncio.get_running_loop().time()


async def abandon(smsc: SmscClient, count: int, *, first_cnt: int = 1) -> list[BaseException]:
    """Start ``count`` distinct list requests that all time out; their TransportErrors."""
    results = await asyncio.gather(
        *(smsc.senders.list(cnt=k) for k in range(first_cnt, first_cnt + count)),
        return_exceptions=True,
    )
    assert all(isinstance(r, TransportError) for r in results), results
    return [r for r in results if isinstance(r, BaseException)]


async def test_an_abandoned_request_stays_in_flight_until_the_server_finishes_it() -> None:
    """A timed-out call raises at t=0.5, but the emulator holds the request until t=3."""
    emulator = Emulator(latency=LATENCY)
    async with emulator.client(timeout=TIMEOUT, retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.tariffs.get()
    assert (True, "tariffs.get") == (caught.value.request_sent, caught.value.command)
    assert (TIMEOUT, 1) == (now(), emulator.in_flight())
    await asyncio.sleep(2.49)
    assert 1 == emulator.in_flight()
    assert emulator.traffic[0].end is None
    await asyncio.sleep(0.02)
    assert 0 == emulator.in_flight()
    assert [(0.0, LATENCY, None)] == [(e.start, e.end, e.error_code) for e in emulator.traffic]


@pytest.mark.parametrize("abandoned", [1, 7, 14])
async def test_the_next_wave_is_refused_beyond_fourteen_in_flight_at_the_server(
    abandoned: int,
) -> None:
    """After abandoning N calls, a wave of 14 finds N+14 in flight: the 15th and later get 9."""
    emulator = Emulator(latency=LATENCY)
    # Unpaced: the SDK would hold the wave back until the abandoned requests end.
    async with (
        unpaced(emulator, timeout=TIMEOUT) as impatient,
        unpaced(emulator, timeout=10.0) as patient,
    ):
        await abandon(impatient, abandoned)
        assert (TIMEOUT, abandoned) == (now(), emulator.in_flight())
        wave = await asyncio.gather(
            *(patient.senders.list(cnt=k) for k in range(101, 115)), return_exceptions=True
        )
    refused = [r for r in wave if isinstance(r, RateLimitError)]
    passed = [r for r in wave if isinstance(r, list)]
    assert (abandoned, 14 - abandoned) == (len(refused), len(passed))
    assert abandoned + 14 == emulator.peak_in_flight()
    assert [(TIMEOUT, "senders.get", "15 requests in flight")] * abandoned == [
        (v.time, v.command, v.rule) for v in emulator.violations
    ]
    assert TIMEOUT + LATENCY == now()  # refused requests take the latency too
    assert 0 == emulator.in_flight()


async def test_a_wave_after_the_abandoned_requests_finish_at_the_server_passes() -> None:
    """Once the server has finished the abandoned requests, 14 new concurrent calls all pass."""
    emulator = Emulator(latency=LATENCY)
    async with (
        confirmed(emulator.client(timeout=TIMEOUT, retries=0)) as impatient,
        confirmed(emulator.client(timeout=10.0)) as patient,
    ):
        await abandon(impatient, 14)
        await asyncio.sleep(LATENCY - TIMEOUT)
        wave: list[list[Sender]] = await asyncio.gather(
            *(patient.senders.list(cnt=k) for k in range(101, 115))
        )
    assert [[]] * 14 == wave
    assert [] == emulator.violations
    assert 14 == emulator.peak_in_flight()


async def test_abandoned_requests_count_in_the_rule_windows() -> None:
    """Three abandoned tariffs requests were accepted by the server: a 4th answers 9."""
    emulator = Emulator(latency=LATENCY)
    # Unpaced: the SDK counts the abandoned requests too, and would wait instead of asking.
    async with unpaced(emulator, timeout=TIMEOUT) as impatient:
        for _ in range(3):
            with pytest.raises(TransportError):
                await impatient.tariffs.get()
    async with unpaced(emulator) as smsc:
        with pytest.raises(RateLimitError):
            await smsc.tariffs.get()
    assert [None, None, None, 9] == [e.error_code for e in emulator.traffic]


async def test_drain_returns_only_after_every_started_request_is_finished() -> None:
    """drain() waits for the slowest abandoned request, then nothing is in flight."""
    emulator = Emulator(latency=LATENCY, jitter=2.0, seed=7)
    async with confirmed(emulator.client(timeout=TIMEOUT, retries=0)) as smsc:
        await abandon(smsc, 5)
    assert 5 == emulator.in_flight()
    await emulator.drain()
    ends = [e.end for e in emulator.traffic]
    assert None not in ends
    finished = [end for end in ends if end is not None]
    assert max(finished) == now()
    assert LATENCY < min(finished) < max(finished) <= LATENCY + 2.0
    assert 0 == emulator.in_flight()


async def test_drain_returns_at_once_when_nothing_is_in_flight() -> None:
    """drain() with no request begun, or all of them finished, takes no time."""
    emulator = Emulator(latency=LATENCY)
    await emulator.drain()
    assert 0.0 == now()
    async with emulator.client() as smsc:
        await smsc.tariffs.get()
    await emulator.drain()
    assert LATENCY == now()
