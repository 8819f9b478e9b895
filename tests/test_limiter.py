"""The limiter in isolation, in virtual time: the window guarantee, slots, pauses, deadlines.

The engine (:class:`Limiter`) over a fresh :class:`ProcessLimiter` each test.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from smsc_async import ProcessLimiter, Rule, Scope
from smsc_async._limiter import Limiter, Ticket
from smsc_async._memory import Login
from smsc_async._state import Lease, TooLate

pytestmark = pytest.mark.looptime

LOGIN = "smsc.ru/alex"
WHERE = "smsc.ru|local"


def make_limiter(
    *,
    margin: float = 1.0,
    minute: float = 60.0,
    cap: int = 14,
    max_rate: float | None = None,
    backend: ProcessLimiter | None = None,
    login: str = LOGIN,
) -> Limiter:
    return Limiter(
        backend or ProcessLimiter(),
        login,
        cap=cap,
        margin=margin,
        minute=minute,
        overrides={},
        max_rate=max_rate,
    )


def state(limiter: Limiter) -> Login:
    """The backend's state of the limiter's login in the running loop's clock domain."""
    backend = limiter.backend
    assert isinstance(backend, ProcessLimiter)
    return backend._domain(asyncio.get_running_loop()).logins[limiter.login]


async def sent(limiter: Limiter, ticket: Ticket) -> Lease:
    """Take a slot: the request leaves now (its entries stamped)."""
    return await limiter.go(ticket, None)


async def slot(limiter: Limiter, deadline: float | None) -> Lease:
    """A concurrency slot alone (a command with no window)."""
    return await limiter.go(await limiter.admit("tariffs.get", (), {}, None), deadline)


async def _send(
    limiter: Limiter, rules: tuple[Rule, ...], start: float, hold: float, params: dict[str, str]
) -> float:
    """Start at ``start``, pass the windows, wait ``hold`` (as for a slot), then send."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(start)
    ticket = await limiter.admit("senders.add", rules, params, None)
    await asyncio.sleep(hold)
    (await sent(limiter, ticket)).release()
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
    ticket = await limiter.admit("senders.add", rules, {}, None)
    ticket.withdraw()
    again = await limiter.admit("senders.add", rules, {}, None)
    assert 0.0 == limiter.waited(again)


async def test_cancelled_waiters_leave_no_trace() -> None:
    """A waiter cancelled while queued for a window takes nothing with it."""
    limiter = make_limiter()
    rules = (Rule(1, 60.0, Scope.COMMAND),)
    await sent(limiter, await limiter.admit("senders.add", rules, {}, None))
    waiter = asyncio.create_task(limiter.admit("senders.add", rules, {}, None))
    await asyncio.sleep(10)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    late = await limiter.admit("senders.add", rules, {}, None)
    assert 51.0 == limiter.waited(late)  # free at 61 s, asked at 10 s


async def test_a_wait_past_the_deadline_fails_at_once() -> None:
    """If the window frees only after the deadline, TooLate says how long it would take."""
    limiter = make_limiter()
    rules = (Rule(1, 60.0, Scope.COMMAND),)
    await sent(limiter, await limiter.admit("senders.add", rules, {}, None))
    loop = asyncio.get_running_loop()
    with pytest.raises(TooLate) as caught:
        await limiter.admit("senders.add", rules, {}, loop.time() + 5.0)
    assert 61.0 == caught.value.wait
    assert 0.0 == loop.time()


async def test_slots_are_capped_and_released() -> None:
    """The 15th slot waits for a release; a deadline bounds the wait."""
    limiter = make_limiter(cap=14)
    leases = [await slot(limiter, None) for _ in range(14)]
    loop = asyncio.get_running_loop()
    with pytest.raises(TooLate):
        await slot(limiter, loop.time() + 2.0)
    assert 2.0 == loop.time()
    loop.call_later(3.0, leases[0].release)
    ticket = await limiter.admit("tariffs.get", (), {}, None)
    await limiter.go(ticket, None)
    assert "concurrency cap" == ticket.reason
    assert 3.0 == limiter.waited(ticket)


async def test_clients_of_one_login_share_its_limits_through_the_backend() -> None:
    """Two clients of one login share a window and the cap; another login has its own."""
    backend = ProcessLimiter()
    rules = (Rule(1, 60.0, Scope.COMMAND),)
    first, second = make_limiter(backend=backend), make_limiter(backend=backend, cap=1)
    other = make_limiter(backend=backend, login="smsc.ru/bob")
    held = await sent(first, await first.admit("senders.add", rules, {}, None))
    loop = asyncio.get_running_loop()
    with pytest.raises(TooLate) as window:
        await second.admit("senders.add", rules, {}, loop.time() + 5.0)
    assert "senders.add: 1 command per 60 s" == window.value.reason
    with pytest.raises(TooLate) as cap:  # its own cap of 1 counts the other client's slot
        await slot(second, loop.time() + 5.0)
    assert "concurrency cap" == cap.value.reason
    assert 0.0 == other.waited(await other.admit("senders.add", rules, {}, None))
    held.release()


async def test_the_auth_guard_engages_at_the_fourth_error_within_thirty_minutes() -> None:
    """Three errors do nothing; the 4th pauses until the first is 30 minutes old."""
    backend = ProcessLimiter()
    for _ in range(3):
        assert await backend.auth_failed(WHERE, "alex", limit=4, span=1800.0) is None
        await asyncio.sleep(100.0)
    pause = await backend.auth_failed(WHERE, "shop1", limit=4, span=1800.0)
    assert pause is not None
    assert ("4 authorisation errors within 30 minutes", "shop1") == (pause.reason, pause.login)
    assert 1500.0 == pytest.approx(pause.seconds)
    await asyncio.sleep(1499.0)
    assert await backend.paused(WHERE) is not None
    await asyncio.sleep(1.0)
    assert await backend.paused(WHERE) is None


async def test_errors_spread_over_more_than_thirty_minutes_do_not_engage_the_guard() -> None:
    """The guard counts a sliding 30 minutes, as SMSC does."""
    backend = ProcessLimiter()
    for _ in range(4):
        assert await backend.auth_failed(WHERE, "alex", limit=4, span=1800.0) is None
        await asyncio.sleep(700.0)


async def test_a_ban_pauses_its_server_for_its_seconds() -> None:
    """Error 4 pauses the pause domain for the seconds given; another server is not paused."""
    backend = ProcessLimiter()
    await asyncio.sleep(10.0)
    await backend.ban(WHERE, "alex", 30.0, "SMSC blocked this IP (error 4)")
    await asyncio.sleep(10.0)
    paused = await backend.paused(WHERE)
    assert paused is not None
    assert "alex" == paused.login
    assert 20.0 == pytest.approx(paused.seconds)
    assert await backend.paused("other.example|local") is None


async def test_max_rate_is_a_steady_cap_on_top_of_the_rules() -> None:
    """max_rate=2 (aiolimiter's leaky bucket): a burst of 2, then one every half second."""
    limiter = make_limiter(max_rate=2.0)
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(4):
        ticket = await limiter.admit("tariffs.get", (), {}, None)
        times.append(loop.time())
    assert "max_rate" == ticket.reason
    assert [0.0, 0.0] == times[:2]
    assert times[3] >= 1.0 - 1e-6


# --- windows of distinct requests do not pile up ---------------------------------------------


async def test_idle_windows_are_swept_so_distinct_calls_do_not_grow_the_gate() -> None:
    """3000 distinct calls a second apart keep at most a sweep's worth of windows, not 3000."""
    limiter = make_limiter()
    for i in range(3000):
        ticket = await limiter.admit("send.send", (Rule(1),), {"phones": str(i)}, None)
        (await sent(limiter, ticket)).release()
        await asyncio.sleep(1.0)
    assert len(state(limiter).windows) <= 1024 + 62  # a sweep's worth, plus those in span


async def test_a_window_still_in_its_span_survives_a_sweep() -> None:
    """A send 10 s ago still holds an identical one back after a sweep: its window is kept."""
    limiter = make_limiter()
    loop = asyncio.get_running_loop()
    first = await limiter.admit("send.send", (Rule(1),), {"phones": "7999"}, None)
    (await sent(limiter, first)).release()
    await asyncio.sleep(10.0)
    state(limiter).sweep(loop.time())
    again = await limiter.admit("send.send", (Rule(1),), {"phones": "7999"}, None)
    assert 51.0 == pytest.approx(limiter.waited(again))  # 60 s + 1 s margin after the first


async def test_a_call_waiting_on_one_window_keeps_its_other_window_from_the_sweep() -> None:
    """A call holding one window while it waits on another keeps both: a sweep drops neither.

    Else a second call would count in a fresh window for the same key, and both go within
    the minute.
    """
    limiter = make_limiter()
    loop = asyncio.get_running_loop()
    rules = (Rule(1, 60.0, Scope.COMMAND), Rule(1))
    params = {"phones": "7999"}
    command, identical = limiter.windows("send.send", rules, params)  # taken in this order
    assert "command" in command.label
    assert "identical" in identical.label
    await limiter.backend.hold(limiter.login, [identical], 30.0)  # as after an error 9
    waiting = asyncio.ensure_future(limiter.admit("send.send", rules, params, None))
    await asyncio.sleep(1.0)  # it holds the command window and waits on the identical one
    state(limiter).sweep(loop.time())
    assert {command.key, identical.key} == set(state(limiter).windows)
    # Another command-rule call queues behind it: it goes only after the waiting one sent.
    other = asyncio.ensure_future(limiter.admit("send.send", rules[:1], {}, None))
    ticket = await waiting
    assert 30.0 == limiter.waited(ticket)
    (await sent(limiter, ticket)).release()
    later = await other
    assert 91.0 == limiter.waited(later) + 1.0  # asked at 1 s; free at 30 + 61 s


class Counting(ProcessLimiter):
    """A process backend that counts which of its entry points the engine used."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    async def admit(self, login, windows, timeout):
        self.calls.append("admit")
        return await super().admit(login, windows, timeout)

    async def take(self, login, windows, cap, timeout):
        self.calls.append("take")
        return await super().take(login, windows, cap, timeout)


async def test_without_max_rate_the_engine_takes_in_one_step():
    """No max_rate: Limiter.take asks the backend to admit and take a slot as one step."""
    backend = Counting()
    limiter = make_limiter(backend=backend)
    rules = (Rule(1, scope=Scope.COMMAND),)
    ticket = await limiter.take("senders.add", rules, {}, None)
    assert ticket.lease is not None
    ticket.lease.release()
    assert ["take"] == backend.calls  # nothing waits: the process backend needs no admit
    # A full window: the process backend's take goes the whole way, admit then go.
    with pytest.raises(TooLate):
        await limiter.take("senders.add", rules, {}, asyncio.get_running_loop().time() + 1.0)
    assert ["take", "take", "admit"] == backend.calls


async def test_with_max_rate_the_engine_admits_waits_for_the_rate_then_goes():
    """max_rate: admit, the rate's wait, then go: the entries are stamped after the wait."""
    backend = Counting()
    limiter = make_limiter(backend=backend, max_rate=1.0)
    for _ in range(2):
        ticket = await limiter.take("senders.add", (Rule(5, scope=Scope.COMMAND),), {}, None)
        assert ticket.lease is not None
        ticket.lease.release()
    assert ["admit", "admit"] == backend.calls
    assert "max_rate" == ticket.reason


async def test_a_command_given_other_rules_gets_their_windows():
    """What a command's windows are is worked out once, but never outlives its rules."""
    limiter = make_limiter()
    params = {"cnt": "1"}
    identical = limiter.windows("senders.get", (Rule(3),), params)
    again = limiter.windows("senders.get", (Rule(3),), {"cnt": "2"})  # equal rules, anew
    command = limiter.windows("senders.get", (Rule(5, scope=Scope.COMMAND),), params)
    assert [3, 3, 5] == [identical[0].limit, again[0].limit, command[0].limit]
    assert identical[0].key != again[0].key
    assert ["senders.get|command"] == [spec.key for spec in command]
