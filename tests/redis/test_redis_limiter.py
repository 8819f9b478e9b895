"""RedisLimiter against a real redis-server: every guarantee of the seam, by Redis's clock.

Spans are compressed to fractions of a second: Redis's ``TIME`` cannot be virtual.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from typing import cast

import pytest
import redis.asyncio as aioredis
from redis.crc import key_slot

from smsc_async._state import ID_MAX, TooLate, WindowSpec
from smsc_async.errors import LimiterUnavailableError
from smsc_async.redis import RedisLimiter
from tests._redis import RedisServer, free_port

LOGIN = "smsc.ru/demo"


def window(key: str = "senders.add", limit: int = 3, span: float = 0.6) -> WindowSpec:
    return WindowSpec(key, limit, span, f"{key}: {limit} per {span:g} s")


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    """A plain client to look at the keys."""
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


async def send(limiter: RedisLimiter, windows: list[WindowSpec], cap: int = 14) -> None:
    """One pass: admit, go, release."""
    admission = await limiter.admit(LOGIN, windows, None)
    lease = await admission.go(cap, None)
    lease.release()


async def entries(raw: aioredis.Redis, prefix: str, key: str) -> dict[bytes, float]:
    """The entries in a window's log and their times (Redis's clock)."""
    found = await raw.keys(f"*{prefix}*:w:{key}")
    assert 1 == len(found)
    return dict(
        cast("list[tuple[bytes, float]]", await raw.zrange(found[0], 0, -1, withscores=True))
    )


async def stamps(raw: aioredis.Redis, prefix: str, key: str) -> list[float]:
    """The send times in a window's log (Redis's clock)."""
    return list((await entries(raw, prefix, key)).values())


async def test_the_first_n_leave_at_once_and_the_next_waits_the_span(limiter: RedisLimiter):
    """3 per 0.6 s: three passes at once, the fourth 0.6 s after the first (Redis's clock)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(3):
        await send(limiter, [window()])
    burst = loop.time() - started
    await send(limiter, [window()])
    fourth = loop.time() - started
    assert burst < 0.2
    assert 0.55 <= fourth < 0.9


async def test_no_span_ever_holds_more_than_the_limit(
    limiter: RedisLimiter, raw: aioredis.Redis, prefix: str
):
    """Six concurrent senders, 3 per 0.3 s: any 4 consecutive stamps are >= 0.3 s apart."""
    seen: dict[bytes, float] = {}

    async def sender() -> None:
        for _ in range(2):
            await send(limiter, [window(span=0.3)])
            # An entry's time first seen: its stamp, or already moved to its release.
            for member, at in (await entries(raw, prefix, "senders.add")).items():
                seen.setdefault(member, at)

    await asyncio.gather(*(sender() for _ in range(6)))
    ordered = sorted(seen.values())
    assert 12 == len(ordered)
    gaps = [later - earlier for earlier, later in zip(ordered, ordered[3:], strict=False)]
    assert all(gap >= 0.3 for gap in gaps), gaps


async def test_an_admission_joins_all_its_windows_or_none(
    limiter: RedisLimiter, raw: aioredis.Redis
):
    """While one of its windows is full, a request holds no entry in the other one."""
    full, free = window("a", limit=1, span=1.0), window("b", limit=2, span=1.0)
    await send(limiter, [full])
    with pytest.raises(TooLate) as caught:
        await limiter.admit(LOGIN, [full, free], 0.2)
    assert "a: 1 per 1 s" == caught.value.reason
    assert [] == await raw.keys("*:p:b") + await raw.keys("*:w:b")
    # ... and the other window still takes its own two at once.
    started = time.monotonic()
    await send(limiter, [free])
    await send(limiter, [free])
    assert time.monotonic() - started < 0.2


async def test_a_wait_past_the_timeout_is_refused_at_once(limiter: RedisLimiter):
    """A window free only in 1 s and a timeout of 0.5 s: TooLate now, not in 0.5 s."""
    await send(limiter, [window(limit=1, span=1.0)])
    started = time.monotonic()
    with pytest.raises(TooLate) as caught:
        await limiter.admit(LOGIN, [window(limit=1, span=1.0)], 0.5)
    assert time.monotonic() - started < 0.2
    assert 0.8 < caught.value.wait <= 1.0


async def test_a_pending_decisive_entry_holds_later_admissions_until_withdrawn(
    limiter: RedisLimiter,
):
    """Limit 1, span 5 s: a second admission waits for the first; its withdrawal wakes it."""
    first = await limiter.admit(LOGIN, [window(limit=1, span=5.0)], None)
    waiter = asyncio.create_task(limiter.admit(LOGIN, [window(limit=1, span=5.0)], None))
    await asyncio.sleep(0.2)
    assert not waiter.done()
    started = time.monotonic()
    first.withdraw()
    second = await asyncio.wait_for(waiter, 1.5)
    assert time.monotonic() - started < 1.0  # woken, not the 2 s check nor the 5 s span
    second.withdraw()


async def test_a_slot_waiter_wakes_on_a_release_from_another_limiter(
    redis_server: RedisServer, prefix: str
):
    """Cap 1, lease 30 s: the waiter goes as soon as the other 'process' releases."""
    async with (
        RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=30.0) as one,
        RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=30.0) as two,
    ):
        held = await (await one.admit(LOGIN, [], None)).go(1, None)
        admission = await two.admit(LOGIN, [], None)
        waiter = asyncio.create_task(admission.go(1, None))
        await asyncio.sleep(0.3)
        assert not waiter.done()
        started = time.monotonic()
        held.release()
        lease = await asyncio.wait_for(waiter, 5.0)
        assert time.monotonic() - started < 0.5  # the slot's lease hint was 30 s, the check 2 s
        lease.release()


async def test_no_slot_within_the_timeout_is_too_late_and_withdraws(
    limiter: RedisLimiter, raw: aioredis.Redis
):
    """Cap 1 taken: go(timeout=0.3) raises TooLate after 0.3 s and leaves no pending entry."""
    held = await (await limiter.admit(LOGIN, [], None)).go(1, None)
    admission = await limiter.admit(LOGIN, [window("c")], None)
    started = time.monotonic()
    with pytest.raises(TooLate) as caught:
        await admission.go(1, 0.3)
    assert 0.25 < time.monotonic() - started < 0.6
    assert "concurrency cap" == caught.value.reason
    await asyncio.sleep(0.05)  # the withdrawal runs in the background
    assert [] == await raw.keys("*:p:c")
    held.release()


async def test_an_abandoned_holders_slot_returns_within_the_lease(
    redis_server: RedisServer, prefix: str
):
    """A limiter closed (as if SIGKILLed) with a slot held: another gets it within 0.8 s."""
    dead = RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=0.8)
    await (await dead.admit(LOGIN, [window(limit=1, span=0.1)], None)).go(1, None)
    await dead.admit(LOGIN, [window("d", limit=1, span=0.1)], None)  # a pending entry, too
    await dead.aclose()  # no release, no withdrawal: only the leases end it
    async with RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=5.0) as alive:
        started = time.monotonic()
        admission = await alive.admit(LOGIN, [window("d", limit=1, span=0.1)], 3.0)
        lease = await admission.go(1, 3.0)
        assert 0.5 < time.monotonic() - started < 1.5
        lease.release()


async def test_a_held_slot_is_renewed_past_its_lease(redis_server: RedisServer, prefix: str):
    """Lease 0.6 s, held for 1.5 s: nobody else gets the only slot meanwhile."""
    async with (
        RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=0.6) as one,
        RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=0.6) as two,
    ):
        held = await (await one.admit(LOGIN, [], None)).go(1, None)
        with pytest.raises(TooLate):
            await (await two.admit(LOGIN, [], None)).go(1, 1.5)
        held.release()
        lease = await (await two.admit(LOGIN, [], None)).go(1, 1.0)
        lease.release()


def test_two_limiters_on_two_threads_never_exceed_the_cap_together(
    redis_server: RedisServer, prefix: str
):
    """Two 'processes' (threads, own loops, own limiters), 40 requests: peak == cap == 3."""
    lock = threading.Lock()
    flight = [0, 0]  # now, peak

    async def worker() -> None:
        async with RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=5.0) as mine:

            async def one() -> None:
                admission = await mine.admit(LOGIN, [], None)
                lease = await admission.go(3, None)
                with lock:
                    flight[0] += 1
                    flight[1] = max(flight[1], flight[0])
                await asyncio.sleep(0.02)
                with lock:
                    flight[0] -= 1
                lease.release()

            await asyncio.gather(*(one() for _ in range(20)))

    threads = [threading.Thread(target=asyncio.run, args=(worker(),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert [0, 3] == flight


async def test_back_off_halves_the_cap_of_every_sharer(redis_server: RedisServer, prefix: str):
    """One limiter backs off from 8: another then gets 4 slots at once, not 8."""
    async with (
        RedisLimiter.from_url(redis_server.url, prefix=prefix) as one,
        RedisLimiter.from_url(redis_server.url, prefix=prefix) as two,
    ):
        assert 4 == await one.back_off(LOGIN, 8)
        leases = [await (await two.admit(LOGIN, [], None)).go(8, 0.5) for _ in range(4)]
        with pytest.raises(TooLate):
            await (await two.admit(LOGIN, [], None)).go(8, 0.2)
        assert 2 == await two.back_off(LOGIN, 8)
        for lease in leases:
            lease.release()


async def test_a_hold_blocks_the_window_for_every_sharer(redis_server: RedisServer, prefix: str):
    """SMSC said 9 to one limiter: the other's admission waits the 0.5 s too."""
    async with (
        RedisLimiter.from_url(redis_server.url, prefix=prefix) as one,
        RedisLimiter.from_url(redis_server.url, prefix=prefix) as two,
    ):
        await one.hold(LOGIN, [window()], 0.5)
        started = time.monotonic()
        admission = await two.admit(LOGIN, [window()], None)
        assert 0.45 < time.monotonic() - started < 0.8
        assert "senders.add: 3 per 0.6 s" == admission.reason
        admission.withdraw()


async def test_pauses_and_the_auth_guard_are_shared_and_name_the_login(
    redis_server: RedisServer, prefix: str
):
    """A ban by one is seen by the other; 3 auth errors of two limiters pause the domain."""
    where = "smsc.ru|shared"
    async with (
        RedisLimiter.from_url(redis_server.url, prefix=prefix) as one,
        RedisLimiter.from_url(redis_server.url, prefix=prefix) as two,
    ):
        assert await two.paused(where) is None
        await one.ban(where, "alice", 0.5, "SMSC blocked this IP (error 4)")
        pause = await two.paused(where)
        assert pause is not None
        assert ("alice", "SMSC blocked this IP (error 4)") == (pause.login, pause.reason)
        assert 0.3 < pause.seconds <= 0.5
        await asyncio.sleep(0.55)
        assert await two.paused(where) is None

        assert await one.auth_failed(where, "bob", limit=3, span=1.0) is None
        assert await two.auth_failed(where, "bob", limit=3, span=1.0) is None
        guard = await one.auth_failed(where, "carol", limit=3, span=1.0)
        assert guard is not None
        assert "carol" == guard.login
        assert "3 authorisation errors within 1 s" == guard.reason  # as the process words it
        assert 0.8 < guard.seconds <= 1.0
        again = await two.paused(where)
        assert again is not None
        assert "carol" == again.login


async def test_ids_are_unique_across_limiters(redis_server: RedisServer, prefix: str):
    """Three limiters hand out 600 ids at once: all distinct, all within 1..ID_MAX."""
    limiters = [RedisLimiter.from_url(redis_server.url, prefix=prefix) for _ in range(3)]
    ids = await asyncio.gather(*(lim.next_id(LOGIN) for lim in limiters for _ in range(200)))
    for lim in limiters:
        await lim.aclose()
    assert 600 == len(set(ids))
    assert all(1 <= i <= ID_MAX for i in ids)


async def test_ids_wrap_within_1_to_id_max(limiter: RedisLimiter, raw: aioredis.Redis, prefix: str):
    """After ID_MAX comes 1."""
    await limiter.next_id(LOGIN)
    (key,) = await raw.keys(f"*{prefix}*:id")
    await raw.set(key, ID_MAX - 1)
    assert [ID_MAX, 1, 2] == [await limiter.next_id(LOGIN) for _ in range(3)]


async def test_a_full_pool_waits_instead_of_raising(redis_server: RedisServer, prefix: str):
    """Two connections, 50 calls at once: every call is served, none fails."""
    async with RedisLimiter.from_url(redis_server.url, prefix=prefix, max_connections=2) as lim:
        ids = await asyncio.gather(*(lim.next_id(LOGIN) for _ in range(50)))
        leases = [await (await lim.admit(LOGIN, [window()], None)).go(14, None) for _ in range(3)]
        for lease in leases:
            lease.release()
    assert 50 == len(set(ids))


async def test_scripts_survive_a_script_flush(
    limiter: RedisLimiter, raw: aioredis.Redis, prefix: str
):
    """SCRIPT FLUSH (as after a restart): the next call reloads its script (NOSCRIPT)."""
    await send(limiter, [window()])
    await raw.script_flush()
    await send(limiter, [window()])
    assert 2 == len(await stamps(raw, prefix, "senders.add"))


async def test_redis_absent_fails_fast_and_names_no_password():
    """Nobody on the port: LimiterUnavailableError within a second, host:port, no password."""
    port = free_port()
    lim = RedisLimiter.from_url(f"redis://user:s3cret-pw@127.0.0.1:{port}/0")
    assert "s3cret" not in repr(lim) + str(lim)
    started = time.monotonic()
    with pytest.raises(LimiterUnavailableError) as caught:
        await lim.admit(LOGIN, [window()], None)
    assert time.monotonic() - started < 1.0
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "s3cret" not in str(caught.value)
    for call in (lim.next_id(LOGIN), lim.paused("x|shared"), lim.back_off(LOGIN, 14)):
        with pytest.raises(LimiterUnavailableError):
            await call
    await lim.aclose()


async def test_a_restart_holds_every_window_for_its_full_span(fresh_server: RedisServer):
    """Redis restarted empty after 2 of 2 sends: the next waits a full span, not 0 s."""
    async with RedisLimiter.from_url(fresh_server.url, restart_hold=0.3) as lim:
        for _ in range(2):
            await send(lim, [window(limit=2, span=1.0)])
        fresh_server.restart()
        started = time.monotonic()
        await send(lim, [window(limit=2, span=1.0)])
        held = time.monotonic() - started
        # Calls resume: the hold is a span, then the window takes its two again.
        await send(lim, [window(limit=2, span=1.0)])
        after = time.monotonic() - started
    assert 0.95 <= held < 1.5
    assert after - held < 0.2


async def test_a_restart_holds_new_slots_while_sharers_re_register(fresh_server: RedisServer):
    """Cap 1 held by one limiter across a restart: the other gets no slot until it is released."""
    async with (
        RedisLimiter.from_url(fresh_server.url, lease=3.0, restart_hold=1.0) as one,
        RedisLimiter.from_url(fresh_server.url, lease=3.0, restart_hold=1.0) as two,
    ):
        (await (await two.admit(LOGIN, [], None)).go(1, None)).release()  # two knows the login
        held = await (await one.admit(LOGIN, [], None)).go(1, None)
        fresh_server.restart()
        with pytest.raises(TooLate):
            await (await two.admit(LOGIN, [], None)).go(1, 2.0)
        held.release()
        lease = await (await two.admit(LOGIN, [], None)).go(1, 3.0)
        lease.release()


async def test_a_login_with_braces_keeps_all_its_keys_in_one_slot(
    limiter: RedisLimiter, raw: aioredis.Redis, prefix: str
):
    """Login 'a{b}c:d': every key it writes hashes to one Cluster slot."""
    login = "smsc.ru/a{b}c:d"
    admission = await limiter.admit(login, [window("x"), window("y")], None)
    lease = await admission.go(14, None)
    await limiter.next_id(login)
    await limiter.back_off(login, 14)
    await limiter.hold(login, [window("x")], 1.0)
    keys = await raw.keys(f"*{prefix}*")
    assert len(keys) >= 7
    assert 1 == len({key_slot(key if isinstance(key, bytes) else key.encode()) for key in keys})
    lease.release()


async def test_bad_options_are_refused_with_the_option_named(redis_server: RedisServer):
    """prefix with a brace, lease 0, on_unavailable 'maybe', share 2: each a clear ValueError."""
    for options, word in [
        ({"prefix": "a{b"}, "prefix"),
        ({"lease": 0}, "lease"),
        ({"on_unavailable": "maybe"}, "on_unavailable"),
        ({"fallback_share": 2}, "fallback_share"),
        ({"egress": ""}, "egress"),
    ]:
        with pytest.raises(ValueError, match=word):
            RedisLimiter.from_url(redis_server.url, **options)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="redis://"):
        RedisLimiter.from_url("http://127.0.0.1:1/")
    with pytest.raises(TypeError, match=r"redis\.asyncio\.Redis"):
        RedisLimiter("redis://127.0.0.1")  # type: ignore[arg-type]
