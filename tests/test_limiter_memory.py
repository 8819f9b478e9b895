"""Gates of logins no longer in use are dropped, never splitting the limits of a login in use.

Every distinct login (each ``with_credentials`` view of a subclient) gets a gate; kept for
ever, 20,000 views cost 50 MiB. Idle gates (a login's state in the ProcessLimiter) are
swept as idle windows are; a gate holding a send in its span or a slot is kept, and the
engine looks a login's state up afresh for everything it takes, so it never holds a swept one.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

import httpx
import pytest

from smsc_async import Format, ProcessLimiter, Rule, Scope
from smsc_async._limiter import Limiter
from smsc_async._memory import Domain, Login
from smsc_async._state import Lease, TooLate
from tests._support import make_client, reply

pytestmark = pytest.mark.looptime

MINUTE_RULE = (Rule(1, 60.0, Scope.COMMAND),)


def view_limiter(login: str, cap: int = 14) -> Limiter:
    """What a client (or a view) of ``login`` makes on its first call in a loop."""
    return Limiter(
        ProcessLimiter.default(),
        login,
        cap=cap,
        margin=1.0,
        minute=60.0,
        overrides={},
        max_rate=None,
    )


async def call(limiter: Limiter, rules: tuple[Rule, ...] = MINUTE_RULE) -> float:
    """One request through the limiter, as the command path makes it; the seconds waited."""
    ticket = await limiter.admit("balance.get", rules, {}, None)
    lease = await limiter.go(ticket, None)
    lease.release()  # the exchange is over
    return limiter.waited(ticket)


async def slot(limiter: Limiter, deadline: float | None) -> Lease:
    """A concurrency slot alone (a command with no window)."""
    return await limiter.go(await limiter.admit("tariffs.get", (), {}, None), deadline)


def domain() -> Domain:
    """The default ProcessLimiter's state for the running (virtual-time) loop."""
    return ProcessLimiter.default()._domain(asyncio.get_running_loop())


def gates() -> dict[str, Login]:
    """The registry of the running loop: one gate per login."""
    return domain().logins


def sweep() -> None:
    """Sweep the running loop's idle gates now (it happens every 1024 new gates)."""
    domain().sweep(asyncio.get_running_loop().time())


async def test_twenty_thousand_logins_one_call_each_leave_the_registry_bounded() -> None:
    """20,000 views, a call each, 100 every 10 s: the gates stay near a sweep's worth.

    A gate's send stays in span 61 s, so about 700 are live at any time; the rest are idle.
    (Time moves in steps of 10 s: looptime spends real time on every sleep.)
    """
    for i in range(10_000):
        await call(view_limiter(f"sub{i}"))
        if i % 100 == 99:
            await asyncio.sleep(10.0)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(10_000, 20_000):
            await call(view_limiter(f"sub{i}"))
            if i % 100 == 99:
                await asyncio.sleep(10.0)
        gc.collect()
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(gates()) <= 1024 + 700  # a sweep's worth, plus those still in span
    # Kept for ever, 10,000 more gates with a window each are about 25 MiB.
    assert growth < 6 * 2**20, f"{growth / 2**20:.1f} MiB"


async def test_a_gate_with_a_send_in_its_span_survives_a_sweep() -> None:
    """A login whose views come and go within the minute still waits for its last send."""
    assert 0.0 == await call(view_limiter("shop1"))  # that view is gone now
    await asyncio.sleep(10.0)
    sweep()
    assert 51.0 == pytest.approx(await call(view_limiter("shop1")))  # 60 s + 1 s margin


async def test_a_gate_with_a_slot_in_use_survives_a_sweep() -> None:
    """A request still in flight (no window at all) keeps its gate: one cap for the login."""
    holder = view_limiter("shop1", cap=1)
    lease = await slot(holder, None)
    gate = gates()["shop1"]
    sweep()
    assert gate is gates()["shop1"]
    later = view_limiter("shop1", cap=1)
    with pytest.raises(TooLate):
        await slot(later, asyncio.get_running_loop().time() + 5.0)
    lease.release()
    await slot(later, None)


async def test_a_slot_waiter_keeps_its_gate() -> None:
    """A call waiting for a slot counts as state: the gate is not swept under it."""
    holder = view_limiter("shop1", cap=1)
    lease = await slot(holder, None)
    loop = asyncio.get_running_loop()
    waiter = asyncio.ensure_future(slot(view_limiter("shop1", cap=1), None))
    await asyncio.sleep(1.0)
    sweep()  # while it waits
    assert "shop1" in gates()
    lease.release()  # the waiter now holds it
    await waiter
    sweep()
    assert "shop1" in gates()
    assert 1.0 == loop.time()


async def test_a_limiter_holding_a_swept_gate_takes_the_current_one() -> None:
    """A client kept across a sweep shares the cap with a newer one: never two gates a login."""
    kept = view_limiter("shop1", cap=1)
    await call(kept, rules=())
    sweep()
    assert "shop1" not in gates()  # idle: swept
    newer = view_limiter("shop1", cap=1)
    lease = await slot(newer, None)
    with pytest.raises(TooLate):  # the kept client's call waits on the same single slot
        await slot(kept, asyncio.get_running_loop().time() + 5.0)
    lease.release()


async def test_views_of_a_client_leave_the_registry_bounded() -> None:
    """2,000 with_credentials views through the real command path, 10 calls every 10 s.

    Each call's window spans 61 s, so about 70 gates are live; a sweep keeps only those.
    """
    async with make_client(
        Format.JSON, transport=httpx.MockTransport(lambda _: reply('{"balance": "1.00"}'))
    ) as smsc:
        for i in range(2_000):
            await smsc.with_credentials(login=f"sub{i}", password="Sub-pass1").balance()
            if i % 10 == 9:
                await asyncio.sleep(10.0)
        assert len(gates()) <= 1024 + 70


async def test_views_of_one_login_coming_and_going_keep_its_window() -> None:
    """Fresh views of one login, and a sweep between: balance's 10 a minute still holds."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with make_client(
        Format.JSON, transport=httpx.MockTransport(lambda _: reply('{"balance": "1.00"}'))
    ) as smsc:
        for _ in range(10):
            await smsc.with_credentials(login="shop1", password="Sub-pass1").balance()
        await asyncio.sleep(30.0)
        sweep()
        await smsc.with_credentials(login="shop1", password="Sub-pass1").balance()
    assert 61.0 == pytest.approx(loop.time() - started, abs=1e-3)  # a minute + margin later
