"""The limiter in isolation, in virtual time: the window guarantee, slots, pauses, deadlines."""

from __future__ import annotations

import asyncio
import random

import pytest

from smsc_async import Rule, Scope
from smsc_async._limiter import Limiter, LoginGate, TooLate, gate_for

pytestmark = pytest.mark.looptime


def make_limiter(
    *, margin: float = 1.0, minute: float = 60.0, cap: int = 14, max_rate: float | None = None
) -> Limiter:
    return Limiter(
        LoginGate("alex", cap), margin=margin, minute=minute, overrides={}, max_rate=max_rate
    )


async def _send(
    limiter: Limiter, rules: tuple[Rule, ...], start: float, hold: float, params: dict[str, str]
) -> float:
    """Start at ``start``, pass the windows, wait ``hold`` (as for a slot), then send."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(start)
    admission = await limiter.admit("senders.add", rules, params, None)
    await asyncio.sleep(hold)
    admission.sent(loop.time())
    return loop.time()


@pytest.mark.parametrize("seed", range(8))
async def test_no_window_of_the_server_ever_sees_more_than_n(seed: int) -> None:
    """Whatever the timing, any N+1 matching sends are at least T + margin apart.

    With arrival up to ``margin`` after sending, that keeps every window of length T at
    the server at N requests or fewer.
    """
    rng = random.Random(seed)  # noqa: S311 - timings, not secrets
    limit, window, margin = rng.randint(1, 6), rng.choice([5.0, 60.0]), rng.choice([0.0, 1.0])
    rules = (Rule(limit, window, Scope.COMMAND),)
    limiter = make_limiter(margin=margin)
    sends = await asyncio.gather(
        *(
            _send(
                limiter, rules, rng.uniform(0, 3 * window), rng.choice([0.0, rng.uniform(0, 5)]), {}
            )
            for _ in range(40)
        )
    )
    ordered = sorted(sends)
    gaps = [later - earlier for earlier, later in zip(ordered, ordered[limit:], strict=False)]
    assert all(gap >= window + margin - 1e-6 for gap in gaps)  # the clock's resolution


async def test_the_first_n_of_a_burst_go_at_once_then_a_window_later() -> None:
    """A burst of 12 under 5-a-minute: 5 at 0 s, 5 at 61 s, 2 at 122 s (margin 1 s)."""
    limiter = make_limiter()
    rules = (Rule(5, 60.0, Scope.COMMAND),)
    sends = await asyncio.gather(*(_send(limiter, rules, 0, 0, {}) for _ in range(12)))
    assert [0.0] * 5 + [61.0] * 5 + [122.0] * 2 == sorted(sends)


async def test_identical_rules_count_only_identical_requests() -> None:
    """3 identical a minute: a 4th identical waits, a different one goes at once."""
    limiter = make_limiter()
    rules = (Rule(3),)
    same = [_send(limiter, rules, 0, 0, {"cnt": "5", "fmt": str(f)}) for f in range(4)]
    other = _send(limiter, rules, 0, 0, {"cnt": "6"})
    *sends, different = await asyncio.gather(*same, other)
    assert [0.0, 0.0, 0.0, 61.0] == sorted(sends)  # fmt does not make a request different
    assert 0.0 == different


async def test_param_rules_are_kept_per_value() -> None:
    """A per-subclient rule counts each subclient apart."""
    limiter = make_limiter()
    rules = (Rule(1, 60.0, Scope.PARAM, "user"),)
    sends = await asyncio.gather(
        _send(limiter, rules, 0, 0, {"user": "a"}),
        _send(limiter, rules, 0, 0, {"user": "b"}),
        _send(limiter, rules, 0, 0, {"user": "a"}),
    )
    assert [0.0, 0.0, 61.0] == list(sends)


async def test_a_request_waiting_for_a_slot_is_stamped_when_it_leaves() -> None:
    """Waiting for a slot after the window cannot shorten the distance between sends."""
    limiter = make_limiter(margin=0.0)
    rules = (Rule(1, 10.0, Scope.COMMAND),)
    first, second = await asyncio.gather(
        _send(limiter, rules, 0, 7.0, {}),  # admitted at 0, sent at 7
        _send(limiter, rules, 1.0, 0, {}),
    )
    assert (7.0, 17.0) == (first, second)


async def test_a_withdrawn_request_frees_its_place() -> None:
    """A caller cancelled before sending does not keep its place in the window."""
    limiter = make_limiter()
    rules = (Rule(1, 60.0, Scope.COMMAND),)
    admission = await limiter.admit("senders.add", rules, {}, None)
    admission.withdraw()
    again = await limiter.admit("senders.add", rules, {}, None)
    assert 0.0 == again.waited


async def test_cancelled_waiters_leave_no_trace() -> None:
    """A waiter cancelled while queued for a window takes nothing with it."""
    limiter = make_limiter()
    rules = (Rule(1, 60.0, Scope.COMMAND),)
    first = await limiter.admit("senders.add", rules, {}, None)
    first.sent(0.0)
    waiter = asyncio.create_task(limiter.admit("senders.add", rules, {}, None))
    await asyncio.sleep(10)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    late = await limiter.admit("senders.add", rules, {}, None)
    assert 51.0 == late.waited  # free at 61 s, asked at 10 s


async def test_a_wait_past_the_deadline_fails_at_once() -> None:
    """If the window frees only after the deadline, TooLate says how long it would take."""
    limiter = make_limiter()
    rules = (Rule(1, 60.0, Scope.COMMAND),)
    (await limiter.admit("senders.add", rules, {}, None)).sent(0.0)
    loop = asyncio.get_running_loop()
    with pytest.raises(TooLate) as caught:
        await limiter.admit("senders.add", rules, {}, loop.time() + 5.0)
    assert 61.0 == caught.value.wait
    assert 0.0 == loop.time()


async def test_slots_are_capped_and_released() -> None:
    """The 15th slot waits for a release; a deadline bounds the wait."""
    limiter = make_limiter(cap=14)
    for _ in range(14):
        await limiter.slot(None)
    loop = asyncio.get_running_loop()
    with pytest.raises(TooLate):
        await limiter.slot(loop.time() + 2.0)
    assert 2.0 == loop.time()
    loop.call_later(3.0, limiter.release)
    assert 3.0 == await limiter.slot(None)


async def test_clients_of_one_login_share_a_gate_per_loop() -> None:
    """gate_for gives one gate per login in a loop, whatever cap later callers ask for."""
    first = gate_for("alex", 14)
    assert first is gate_for("alex", 3)
    assert first is not gate_for("bob", 14)
    assert 14 == first.max_concurrency


async def test_the_auth_guard_engages_at_the_fourth_error_within_thirty_minutes() -> None:
    """Three errors do nothing; the 4th pauses until the first is 30 minutes old."""
    gate = LoginGate("alex", 14).ip
    assert gate.auth_failed(0.0, 60.0) is None
    assert gate.auth_failed(100.0, 60.0) is None
    assert gate.auth_failed(200.0, 60.0) is None
    assert 1500.0 == gate.auth_failed(300.0, 60.0)  # until 1800
    assert gate.paused(1799.0) is not None
    assert gate.paused(1800.0) is None


async def test_errors_spread_over_more_than_thirty_minutes_do_not_engage_the_guard() -> None:
    """The guard counts a sliding 30 minutes, as SMSC does."""
    gate = LoginGate("alex", 14).ip
    for t in (0.0, 700.0, 1400.0, 2100.0):
        assert gate.auth_failed(t, 60.0) is None


async def test_a_ban_pauses_the_login_for_thirty_minutes_scaled() -> None:
    """Error 4 pauses the login for SMSC's 30 minutes (of the configured minute)."""
    gate = LoginGate("alex", 14).ip
    assert 30.0 == gate.banned(10.0, 1.0)
    paused = gate.paused(20.0)
    assert paused is not None
    assert 20.0 == paused[0]


async def test_max_rate_is_a_steady_cap_on_top_of_the_rules() -> None:
    """max_rate=2 (aiolimiter's leaky bucket): a burst of 2, then one every half second."""
    limiter = make_limiter(max_rate=2.0)
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(4):
        await limiter.admit("tariffs.get", (), {}, None)
        times.append(loop.time())
    assert [0.0, 0.0] == times[:2]
    assert times[3] >= 1.0 - 1e-6


# --- windows of distinct requests do not pile up ---------------------------------------------


async def test_idle_windows_are_swept_so_distinct_calls_do_not_grow_the_gate() -> None:
    """3000 distinct calls a second apart keep at most a sweep's worth of windows, not 3000."""
    limiter = make_limiter()
    loop = asyncio.get_running_loop()
    for i in range(3000):
        admission = await limiter.admit("send.send", (Rule(1),), {"phones": str(i)}, None)
        admission.sent(loop.time())
        await asyncio.sleep(1.0)
    assert len(limiter.gate.windows) <= 1024 + 62  # a sweep's worth, plus those still in span


async def test_a_window_still_in_its_span_survives_a_sweep() -> None:
    """A send 10 s ago still holds an identical one back after a sweep: its window is kept."""
    limiter = make_limiter()
    loop = asyncio.get_running_loop()
    first = await limiter.admit("send.send", (Rule(1),), {"phones": "7999"}, None)
    first.sent(loop.time())
    await asyncio.sleep(10.0)
    limiter.gate.sweep(loop.time())
    again = await limiter.admit("send.send", (Rule(1),), {"phones": "7999"}, None)
    assert 51.0 == pytest.approx(again.waited)  # 60 s + 1 s margin after the first


async def test_a_call_holding_a_swept_window_joins_the_current_one() -> None:
    """A call that waited on one window while its other window was swept counts in the new one.

    Else two calls would count in two windows for one key, and both go within the minute.
    """
    limiter = make_limiter()
    loop = asyncio.get_running_loop()
    rules = (Rule(1, 60.0, Scope.COMMAND), Rule(1))
    params = {"phones": "7999"}
    first, second = limiter.windows("send.send", rules, params)  # taken in this order
    assert "command" in first.label  # so a call waits on it holding the identical window
    first.blocked_until = loop.time() + 30.0  # as after an error 9
    identical_window = second
    waiting = asyncio.ensure_future(limiter.admit("send.send", rules, params, None))
    await asyncio.sleep(1.0)  # it now holds the command window's lock, the other in hand
    limiter.gate.sweep(loop.time())
    assert identical_window.retired
    # Another call takes the identical window afresh and sends at once (a bare rule: no wait).
    other = await limiter.admit("send.send", (Rule(1),), params, None)
    other.sent(loop.time())
    admission = await waiting
    assert admission.waited >= 60.0  # held back by the other call's send, a minute later
