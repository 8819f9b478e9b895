"""The rate-limit engine against the emulator, in virtual time (issue: never make SMSC say 9)."""

from __future__ import annotations

import asyncio

import pytest

from smsc_async import (
    AuthError,
    IpBlockedError,
    LoginPausedError,
    TransportError,
)
from smsc_async.events import Coalesced, Event, LimiterWait, Retry
from smsc_async.testing import Emulator
from tests._support import confirmed

pytestmark = pytest.mark.looptime


async def test_sixty_concurrent_identical_tariff_reads_all_return_without_violation() -> None:
    """60 identical reads at once share requests: every caller gets the prices, no error 9."""
    emulator = Emulator(latency=0.2)
    events: list[Event] = []
    async with emulator.client(on_event=events.append) as smsc:
        results = await asyncio.gather(*(smsc.tariffs.get() for _ in range(60)))
    assert all(r == results[0] for r in results)
    assert [] == emulator.violations
    assert 1 == len(emulator.traffic)
    assert 59 == sum(isinstance(e, Coalesced) for e in events)


async def test_twelve_concurrent_creations_keep_to_five_a_minute_near_the_bound() -> None:
    """12 sender creations at once: no error 9, the last done within 1.1 x the rule's bound."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        ids = await asyncio.gather(*(smsc.senders.add(f"shop{i}") for i in range(12)))
    elapsed = loop.time()
    # 5 a minute: creations 1-5 at 0 s, 6-10 at 60 s, 11-12 at 120 s.
    bound = 120.0
    assert [] == emulator.violations
    assert 12 == len(set(ids))
    assert bound <= elapsed <= 1.1 * bound
    starts = sorted(x.start for x in emulator.traffic)
    assert all(later - earlier >= 60.0 for earlier, later in zip(starts, starts[5:], strict=False))


async def test_two_hundred_distinct_calls_never_exceed_fourteen_in_flight() -> None:
    """200 distinct calls at 1 s latency: at most 14 in flight, no error 9, near 200/14 s."""
    emulator = Emulator(latency=1.0)
    loop = asyncio.get_running_loop()
    async with confirmed(emulator.client()) as smsc:
        pages = await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(1, 201)))
    elapsed = loop.time()
    assert [[]] * 200 == pages
    assert 14 == emulator.peak_in_flight()
    assert [] == emulator.violations
    assert elapsed <= 1.1 * (200 / 14 * 1.0)


async def test_three_clients_of_one_login_share_the_cap_two_logins_have_one_each() -> None:
    """Clients of one login share 14 slots; another login has its own 14."""
    emulator = Emulator(latency=1.0)
    emulator.add_account("other", "other-password")
    first, second, third = (emulator.client() for _ in range(3))
    stranger = emulator.client(login="other", password="other-password")
    async with first, second, third, stranger:
        await asyncio.gather(
            *(c.senders.list(cnt=k) for c in (first, second, third) for k in range(1, 11)),
            *(stranger.senders.list(cnt=k) for k in range(1, 21)),
        )
    assert 14 == emulator.peak_in_flight("demo")
    assert 14 == emulator.peak_in_flight("other")
    assert [] == emulator.violations


async def test_abandoned_requests_keep_their_slots_until_the_server_is_done() -> None:
    """After 14 calls time out at 0.5 s of a 3 s request, a new wave waits: never 15 in flight."""
    emulator = Emulator(latency=3.0)
    loop = asyncio.get_running_loop()
    async with confirmed(emulator.client(timeout=0.5, retries=0)) as smsc:
        first = await asyncio.gather(
            *(smsc.senders.list(cnt=k) for k in range(1, 15)), return_exceptions=True
        )
        assert all(isinstance(r, TransportError) and r.request_sent for r in first)
        assert 0.5 == pytest.approx(loop.time())
        assert 14 == emulator.in_flight()
        patient = smsc.with_options(timeout=None)  # same slots, no timeout
        second = await asyncio.gather(*(patient.senders.list(cnt=k) for k in range(15, 29)))
    assert [[]] * 14 == second
    assert 14 == emulator.peak_in_flight()
    assert [] == emulator.violations
    # The second wave could only start when the first ended at the server, at 3 s.
    assert min(x.start for x in emulator.traffic[14:]) == pytest.approx(3.0)


async def test_two_error_9_answers_are_waited_out_within_the_deadline() -> None:
    """Another process used the window twice: the call still succeeds after it slides."""
    emulator = Emulator()
    emulator.faults.error("get.get_price", 9, "duplicate request, wait a minute", times=2)
    events: list[Event] = []
    loop = asyncio.get_running_loop()
    async with emulator.client(deadline=300.0, on_event=events.append) as smsc:
        tariffs = await smsc.tariffs.get()
    assert tariffs.zones
    assert 3 == len(emulator.traffic)
    retries = [e for e in events if isinstance(e, Retry)]
    assert [1, 2] == [e.attempt for e in retries]
    # Each wait covers the 60 s window plus the 1 s margin, plus up to 0.5 s of jitter.
    assert all(61.0 <= e.wait <= 61.5 for e in retries)
    assert 122.0 <= loop.time() <= 123.0


async def test_error_9_past_the_deadline_raises_with_retry_after() -> None:
    """When the window would slide after the deadline, the call ends with retry_after."""
    emulator = Emulator()
    emulator.faults.error("get.get_price", 9, "duplicate request, wait a minute", times=None)
    from smsc_async import RateLimitError  # noqa: PLC0415

    async with emulator.client(deadline=30.0) as smsc:
        with pytest.raises(RateLimitError) as caught:
            await smsc.tariffs.get()
    assert caught.value.retry_after is not None
    assert 61.0 <= caught.value.retry_after <= 61.5
    assert 1 == len(emulator.traffic)


async def test_error_4_is_not_retried_and_pauses_the_login_for_the_ban() -> None:
    """Error 4 ends the call at once; the login then waits out the ban without sending."""
    emulator = Emulator()
    emulator.faults.error("get.get_price", 4, "ip is blocked")
    async with emulator.client() as smsc:
        with pytest.raises(IpBlockedError):
            await smsc.tariffs.get()
        with pytest.raises(LoginPausedError) as paused:
            await smsc.senders.list()
        assert 1 == len(emulator.traffic)
        assert 1800.0 == pytest.approx(paused.value.retry_after)
        await asyncio.sleep(1800.0)
        assert [] == await smsc.senders.list()
    assert 2 == len(emulator.traffic)


async def test_the_auth_guard_stops_at_four_bad_logins() -> None:
    """Four authorisation errors, then the client refuses: SMSC never sees the 5th, no ban."""
    emulator = Emulator()
    async with emulator.client(password="wrong") as smsc:
        for _ in range(4):
            with pytest.raises(AuthError):
                await smsc.tariffs.get()
        with pytest.raises(LoginPausedError) as paused:
            await smsc.tariffs.get()
    assert 4 == len(emulator.traffic)
    assert [] == emulator.bans
    assert "4 authorisation errors" in paused.value.reason


async def test_limiter_waits_are_reported() -> None:
    """A call held back by a window is reported with how long and why."""
    emulator = Emulator()
    events: list[Event] = []
    async with emulator.client(on_event=events.append) as smsc:
        for _ in range(4):
            await smsc.senders.list(cnt=5)
    waits = [e for e in events if isinstance(e, LimiterWait)]
    assert 1 == len(waits)
    assert 61.0 == pytest.approx(waits[0].seconds)
    assert "senders.get" in waits[0].reason
    assert [] == emulator.violations


async def test_a_compressed_minute_paces_the_client_too() -> None:
    """emulator.client() takes the emulator's minute: windows of 1 s (plus the margin)."""
    emulator = Emulator(minute=1.0)
    loop = asyncio.get_running_loop()
    async with emulator.client(margin=0.05) as smsc:
        for _ in range(7):
            await smsc.tariffs.get()
    assert [] == emulator.violations
    assert 2 * 1.05 == pytest.approx(loop.time())


async def test_cancelled_callers_give_their_slots_back_once_the_server_is_done() -> None:
    """Cancelling 20 calls mid-flight leaks no slot: after the server ends them, 14 go again."""
    emulator = Emulator(latency=2.0)
    loop = asyncio.get_running_loop()
    async with confirmed(emulator.client()) as smsc:
        tasks = [asyncio.create_task(smsc.senders.list(cnt=k)) for k in range(1, 21)]
        await asyncio.sleep(1.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert 14 == emulator.in_flight()  # the 6 queued ones never left
        await asyncio.sleep(1.0)  # the server finishes the 14 at 2 s
        started = loop.time()
        await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(21, 35)))
    assert 2.0 == started
    assert 2.0 + 2.0 == loop.time()  # all 14 at once: no slot was lost
    assert 14 == emulator.peak_in_flight()
    assert 28 == len(emulator.traffic)
