"""A client's requests go one at a time until SMSC has taken its credentials once."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from smsc_async import AuthError, DeadlineTooShortError, LoginPausedError, SmscError
from smsc_async.testing import Emulator

pytestmark = pytest.mark.looptime

LATENCY = 1.0


def auth_errors(emulator: Emulator) -> int:
    return [exchange.error_code for exchange in emulator.traffic].count(2)


async def test_a_burst_with_a_wrong_password_earns_no_ip_block() -> None:
    """Fourteen calls at once, wrong password: four reach SMSC one by one, the rest pause."""
    emulator = Emulator(latency=LATENCY)
    async with emulator.client(password="mistyped-password") as smsc:
        results = await asyncio.gather(
            *(smsc.senders.list(cnt=k) for k in range(1, 15)), return_exceptions=True
        )
    assert 4 == auth_errors(emulator) == len(emulator.traffic)
    assert [] == emulator.bans
    exchanges = sorted(emulator.traffic, key=lambda exchange: exchange.start)
    assert all(  # one at a time: each left after the one before was answered
        later.start >= (earlier.end or 0.0) for earlier, later in itertools.pairwise(exchanges)
    )
    assert 4 == sum(isinstance(r, AuthError) for r in results)
    assert 10 == sum(isinstance(r, LoginPausedError) for r in results)


async def test_two_clients_with_a_wrong_password_share_the_guard_and_earn_no_block() -> None:
    """Two clients (two workers' worth) of one bad secret: four errors in all, no block."""
    emulator = Emulator(latency=LATENCY)
    async with (
        emulator.client(password="mistyped-password") as one,
        emulator.client(password="mistyped-password") as two,
    ):
        results = await asyncio.gather(
            *(client.senders.list(cnt=k) for client in (one, two) for k in range(1, 15)),
            return_exceptions=True,
        )
    assert all(isinstance(r, SmscError) for r in results)
    assert 4 == auth_errors(emulator)
    assert [] == emulator.bans


async def test_the_first_request_goes_alone_then_the_rest_go_at_once() -> None:
    """Right password: one request, its answer, then thirteen together (one latency lost)."""
    emulator = Emulator(latency=LATENCY)
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(1, 15)))
    starts = sorted(exchange.start - loop.time() for exchange in emulator.traffic)
    first, rest = starts[0], starts[1:]
    assert all(start == pytest.approx(first + LATENCY) for start in rest)
    assert 13 == emulator.peak_in_flight()


async def test_after_an_authorisation_error_requests_go_one_at_a_time_again() -> None:
    """Accepted, then an error 2 (the password changed at SMSC): the next burst probes again."""
    emulator = Emulator(latency=LATENCY)
    async with emulator.client() as smsc:
        await smsc.senders.list(cnt=1)  # accepted
        emulator.add_account("demo", "a-new-password-42")  # changed at SMSC
        with pytest.raises(AuthError):
            await smsc.senders.list(cnt=2)
        await asyncio.gather(
            *(smsc.senders.list(cnt=k) for k in range(3, 17)), return_exceptions=True
        )
    assert 4 == auth_errors(emulator)
    assert [] == emulator.bans


async def test_a_call_that_cannot_wait_for_the_first_answer_is_refused_unsent() -> None:
    """Deadline 0.5 s behind a first request of 1 s: DeadlineTooShortError, nothing sent."""
    emulator = Emulator(latency=LATENCY)
    async with emulator.client() as smsc:
        first = asyncio.create_task(smsc.senders.list(cnt=1))
        await asyncio.sleep(0)
        with pytest.raises(DeadlineTooShortError, match="first answer"):
            await smsc.with_options(deadline=0.5).senders.list(cnt=2)
        await first
    assert 1 == len(emulator.traffic)
