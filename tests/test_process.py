"""ProcessLimiter: waiters on other loops and threads are woken, and its state is thread-safe."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from smsc_async import ProcessLimiter
from smsc_async._state import Lease, TooLate, WindowSpec

LOGIN = "smsc.ru/alex"


async def slot(backend: ProcessLimiter, cap: int, timeout: float | None = None) -> Lease:
    """A slot alone, as for a command with no window."""
    return await (await backend.admit(LOGIN, (), None)).go(cap, timeout)


def test_a_waiter_on_another_loop_is_woken_when_a_slot_frees() -> None:
    """A slot released from one thread's loop wakes the waiter on another's at once."""
    backend = ProcessLimiter()
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        async def run() -> None:
            lease = await slot(backend, 1)
            held.set()
            await asyncio.to_thread(release.wait, 10)
            lease.release()

        asyncio.run(run())

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)

    async def wait_for_it() -> float:
        task = asyncio.ensure_future(slot(backend, 1, timeout=10.0))
        await asyncio.sleep(0.2)
        assert not task.done()  # it waits: the only slot is on the other loop
        released = time.monotonic()
        release.set()
        (await task).release()
        return time.monotonic() - released

    woken_after = asyncio.run(wait_for_it())
    thread.join(10)
    assert woken_after < 0.5  # woken by the release, not by its 10 s timeout


async def _admit_and_go(backend: ProcessLimiter, window: tuple[WindowSpec, ...]) -> None:
    admission = await backend.admit(LOGIN, window, 0.0)
    (await admission.go(14, None)).release()


async def _take(backend: ProcessLimiter, window: tuple[WindowSpec, ...]) -> None:
    (await backend.take(LOGIN, window, 14, 0.0)).release()


@pytest.mark.parametrize("one_pass", [_admit_and_go, _take], ids=["admit-go", "take"])
def test_threads_hammering_one_window_never_admit_more_than_its_limit(one_pass: Any) -> None:
    """Eight threads, 300 tries each at a 50-per-minute window: exactly 50 get in.

    Through admit() and go(), and through take()'s one-lock pass.
    """
    backend = ProcessLimiter()
    window = (WindowSpec("senders.add|command", 50, 60.0, "senders.add: 50 command per 60 s"),)
    admitted: list[int] = []
    lock = threading.Lock()

    def hammer() -> None:
        async def run() -> int:
            count = 0
            for _ in range(300):
                try:
                    await one_pass(backend, window)
                except TooLate:
                    continue
                count += 1
            return count

        got = asyncio.run(run())
        with lock:
            admitted.append(got)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert 50 == sum(admitted)


@pytest.mark.looptime
async def test_a_backed_off_cap_halves_and_grows_back_one_per_step() -> None:
    """back_off: 14 -> 7 at once, a second 9 within the step changes nothing; +1 per step."""
    backend = ProcessLimiter(recovery=2.0)
    assert 7 == await backend.back_off(LOGIN, 14)
    assert 7 == await backend.back_off(LOGIN, 14)  # the same overload
    leases = [await slot(backend, 14) for _ in range(7)]
    with pytest.raises(TooLate):
        await slot(backend, 14, timeout=1.0)
    loop = asyncio.get_running_loop()
    eighth = await slot(backend, 14)  # woken when the cap grows, with nothing released
    assert 2.0 == pytest.approx(loop.time())
    await asyncio.sleep(2.0)
    assert 4 == await backend.back_off(
        LOGIN, 14
    )  # a new overload halves the 9 in force (7 + 2 steps)
    for lease in [*leases, eighth]:
        lease.release()


def spec(key: str, limit: int, span: float, margin: float = 0.0) -> tuple[WindowSpec, ...]:
    return (WindowSpec(key, limit, span, f"{key}: {limit} per {span:g} s", margin),)


@pytest.mark.looptime
async def test_requests_of_a_window_someone_waits_for_get_the_next_slot_first() -> None:
    """Cap 1: a queued name whose window a second name waits for goes before earlier calls."""
    backend = ProcessLimiter()
    order: list[str] = []
    held = await slot(backend, 1)

    async def call(name: str, windows: tuple[WindowSpec, ...]) -> None:
        lease = await backend.take(LOGIN, windows, 1, None)
        order.append(name)
        await asyncio.sleep(1.0)
        lease.release()

    plain = [asyncio.create_task(call(f"plain {i}", ())) for i in range(3)]
    await asyncio.sleep(1.0)
    names = spec("senders.add", 1, 60.0)
    first = asyncio.create_task(call("first name", names))  # joins its window, queued 4th
    await asyncio.sleep(1.0)
    second = asyncio.create_task(call("second name", names))  # waits for that window
    await asyncio.sleep(1.0)
    held.release()
    await asyncio.gather(*plain, first, second)
    assert ["first name", "plain 0", "plain 1", "plain 2", "second name"] == order


@pytest.mark.looptime
async def test_an_exchange_held_up_past_the_margin_counts_from_its_end() -> None:
    """Margin 1 s, the exchange ends 5 s after leaving: the next waits until 4 + 61 s."""
    backend = ProcessLimiter()
    loop = asyncio.get_running_loop()
    window = spec("senders.add", 1, 61.0, margin=1.0)
    lease = await backend.take(LOGIN, window, 14, None)
    await asyncio.sleep(5.0)
    lease.release()
    (await backend.take(LOGIN, window, 14, None)).release()
    assert 65.0 == pytest.approx(loop.time())


@pytest.mark.looptime
async def test_a_quick_exchange_counts_from_when_it_left() -> None:
    """Margin 1 s, the exchange ends 0.5 s after leaving: the next waits the span from its send."""
    backend = ProcessLimiter()
    loop = asyncio.get_running_loop()
    window = spec("senders.add", 1, 61.0, margin=1.0)
    lease = await backend.take(LOGIN, window, 14, None)
    await asyncio.sleep(0.5)
    lease.release()
    (await backend.take(LOGIN, window, 14, None)).release()
    assert 61.0 == pytest.approx(loop.time())


def test_the_guard_reason_names_minutes_when_whole_and_seconds_otherwise() -> None:
    """One wording for every backend: 1800 s is "30 minutes", a compressed 10 s is "10 s"."""
    assert [
        "4 authorisation errors within 30 minutes",
        "4 authorisation errors within 10 s",
    ] == [ProcessLimiter.auth_reason(4, 1800.0), ProcessLimiter.auth_reason(4, 10.0)]


@pytest.mark.looptime
async def test_a_take_does_not_pass_a_call_queued_for_a_slot() -> None:
    """Cap 1, one call queued for the slot: a new take with a slot free queues behind it."""
    backend = ProcessLimiter()
    order: list[str] = []
    held = await slot(backend, 1)

    async def call(name: str) -> None:
        lease = await backend.take(LOGIN, (), 1, None)
        order.append(name)
        await asyncio.sleep(1.0)
        lease.release()

    queued = asyncio.create_task(call("queued"))
    await asyncio.sleep(1.0)
    held.release()  # the queued call is woken, not yet running
    await call("late")  # in the same step: a slot is free, but someone is first in line
    await queued
    assert ["queued", "late"] == order


@pytest.mark.looptime
async def test_a_take_waits_for_a_pending_decisive_entry() -> None:
    """Limit 1: an admitted request not yet sent holds its window; a take waits for its send."""
    backend = ProcessLimiter()
    loop = asyncio.get_running_loop()
    window = spec("senders.add", 1, 60.0)
    admission = await backend.admit(LOGIN, window, None)
    taking = asyncio.create_task(backend.take(LOGIN, window, 14, None))
    await asyncio.sleep(5.0)
    assert not taking.done()
    (await admission.go(14, None)).release()  # leaves at 5 s
    (await taking).release()
    assert 65.0 == pytest.approx(loop.time())


@pytest.mark.looptime
async def test_a_take_queues_behind_an_admission_holding_its_window() -> None:
    """An admission holds window a while it waits for b: a take of a alone goes after it."""
    backend = ProcessLimiter()
    loop = asyncio.get_running_loop()
    a, b = spec("a", 2, 60.0), spec("b", 1, 60.0)
    (await backend.take(LOGIN, b, 14, None)).release()  # b is full until 60 s
    first = asyncio.create_task(backend.take(LOGIN, a + b, 14, None))
    await asyncio.sleep(1.0)  # first holds a, waiting for b
    (await backend.take(LOGIN, a, 14, None)).release()  # room in a, but first is in line
    assert (60.0, True) == (round(loop.time(), 3), first.done())
    (await first).release()
