"""RedisLimiter's slot queue and its one-script take, against a real redis-server.

The order slots are granted in, what a release wakes, how many scripts a pass runs, and
when a request's window entry counts from. Spans are fractions of a second (Redis's clock).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import cast

import pytest
import redis.asyncio as aioredis

from smsc_async._state import WindowSpec
from smsc_async.redis import RedisLimiter
from tests._redis import RedisServer

LOGIN = "smsc.ru/demo"


def window(key: str, limit: int, span: float, margin: float = 0.0) -> WindowSpec:
    return WindowSpec(key, limit, span, f"{key}: {limit} per {span:g} s", margin)


@pytest.fixture
async def raw(redis_server: RedisServer) -> AsyncIterator[aioredis.Redis]:
    """A plain client to look at the keys and the server's counters."""
    client = aioredis.Redis.from_url(redis_server.url)
    yield client
    await client.aclose()


async def log_of(raw: aioredis.Redis, prefix: str, key: str) -> list[tuple[bytes, float]]:
    """A window's log: (request id, time) pairs by Redis's clock."""
    (log_key,) = await raw.keys(f"*{prefix}*:w:{key}")
    return cast("list[tuple[bytes, float]]", await raw.zrange(log_key, 0, -1, withscores=True))


async def scripts_run(raw: aioredis.Redis) -> int:
    """Scripts the server has run so far (EVALSHA calls)."""
    stats = await raw.info("commandstats")
    return int(stats.get("cmdstat_evalsha", {}).get("calls", 0))


async def until_queued(
    raw: aioredis.Redis, prefix: str, count: int, *, exactly: bool = False
) -> None:
    """Wait until ``count`` requests (or more, unless ``exactly``) stand in the slot queue."""
    for _ in range(300):
        found = await raw.keys(f"*{prefix}*:q")
        queued = await raw.zcard(found[0]) if found else 0
        if queued == count or (queued > count and not exactly):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"the queue never held {count}")


async def test_a_pass_with_nothing_to_wait_for_is_one_script(
    limiter: RedisLimiter, raw: aioredis.Redis
):
    """take() with a free window and a free slot: one script, the release one more."""
    (await limiter.take(LOGIN, [window("a", 3, 1.0)], 14, None)).release()  # scripts loaded
    await asyncio.sleep(0.05)
    before = await scripts_run(raw)
    lease = await limiter.take(LOGIN, [window("b", 3, 1.0), window("c", 3, 1.0)], 14, None)
    taken = await scripts_run(raw)
    lease.release()
    await asyncio.sleep(0.05)  # the release runs in the background
    assert (1, 2) == (taken - before, await scripts_run(raw) - before)
    assert "" == lease.reason
    assert not lease.waited


async def test_a_request_its_window_held_back_goes_before_later_ones(
    redis_server: RedisServer, prefix: str
):
    """Cap 1: a call that waited for its window gets the slot before calls that came later.

    (Its window is one an admission waited for, its own: it is first in line.)
    """
    async with RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=30.0) as lim:
        order: list[str] = []
        full = window("names", 1, 0.4)
        (await lim.take(LOGIN, [full], 14, None)).release()  # the window is full for 0.4 s
        held = await lim.take(LOGIN, [], 1, None)  # and the only slot is taken

        async def call(name: str, windows: list[WindowSpec]) -> None:
            lease = await lim.take(LOGIN, windows, 1, 5.0)
            order.append(name)
            await asyncio.sleep(0.01)
            lease.release()

        early = asyncio.create_task(call("held back by its window", [full]))
        await asyncio.sleep(0.05)
        later = [asyncio.create_task(call(f"later {i}", [])) for i in range(3)]
        await asyncio.sleep(0.5)  # the window has slid: the early call is queued too
        held.release()
        await asyncio.wait_for(asyncio.gather(early, *later), 5.0)
    assert "held back by its window" == order[0]


async def test_a_call_keeps_the_place_of_its_first_ask(redis_server: RedisServer, prefix: str):
    """Admitted first, slow to come for its slot (max_rate): it still goes before later calls."""
    async with RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=30.0) as lim:
        order: list[str] = []
        held = await lim.take(LOGIN, [], 1, None)
        admission = await lim.admit(LOGIN, [window("any", 10, 1.0)], None)

        async def later(name: str) -> None:
            lease = await lim.take(LOGIN, [], 1, 5.0)
            order.append(name)
            lease.release()

        async def first() -> None:
            lease = await admission.go(1, 5.0)
            order.append("asked first")
            lease.release()

        others = [asyncio.create_task(later(f"later {i}")) for i in range(3)]
        await asyncio.sleep(0.1)
        mine = asyncio.create_task(first())
        await asyncio.sleep(0.1)
        held.release()
        await asyncio.wait_for(asyncio.gather(mine, *others), 5.0)
    assert "asked first" == order[0]


async def test_requests_of_a_window_someone_waits_for_go_first(
    redis_server: RedisServer, raw: aioredis.Redis, prefix: str
):
    """A queued request whose window another call waits for jumps the slot queue."""
    async with RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=30.0) as lim:
        order: list[str] = []
        held = await lim.take(LOGIN, [], 1, None)

        async def call(name: str, windows: list[WindowSpec]) -> None:
            lease = await lim.take(LOGIN, windows, 1, 10.0)
            order.append(name)
            await asyncio.sleep(0.01)
            lease.release()

        plain = [asyncio.create_task(call(f"plain {i}", [])) for i in range(3)]
        await until_queued(raw, prefix, 3)
        names = window("names", 1, 0.3)
        first = asyncio.create_task(call("first name", [names]))  # joins, queued 4th
        await until_queued(raw, prefix, 4)
        second = asyncio.create_task(call("second name", [names]))  # waits for the window
        await asyncio.sleep(0.1)
        held.release()
        await asyncio.wait_for(asyncio.gather(*plain, first, second), 5.0)
    assert "first name" == order[0]


async def test_a_release_wakes_the_first_in_line_not_every_waiter(
    redis_server: RedisServer, raw: aioredis.Redis, prefix: str
):
    """Thirty calls queued for one slot: a release runs a handful of scripts, not thirty."""
    async with RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=30.0) as lim:
        held = await lim.take(LOGIN, [], 1, None)
        gate = asyncio.Event()

        async def waiter() -> None:
            lease = await lim.take(LOGIN, [], 1, 10.0)
            await gate.wait()  # the first one holds the slot until the count is taken
            lease.release()

        waiters = [asyncio.create_task(waiter()) for _ in range(30)]
        await until_queued(raw, prefix, 30)
        await asyncio.sleep(0.1)  # every first attempt has answered
        before = await scripts_run(raw)
        held.release()
        await until_queued(raw, prefix, 29, exactly=True)
        await asyncio.sleep(0.1)
        ran = await scripts_run(raw) - before
        gate.set()
        await asyncio.wait_for(asyncio.gather(*waiters), 10.0)
    assert ran <= 4, f"{ran} scripts for one release"  # leave, the woken one's take


async def test_the_place_of_a_waiter_that_stopped_asking_expires(
    redis_server: RedisServer, raw: aioredis.Redis, prefix: str
):
    """A dead process's place at the head of the queue holds others only until it expires."""
    async with RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=0.9) as lim:
        (await lim.take(LOGIN, [], 1, None)).release()  # the login's epoch exists
        found = cast("list[bytes]", await raw.keys(f"*{prefix}*:epoch"))
        tag = found[0][: -len(b"epoch")]
        queue, expiries = tag + b"q", tag + b"qx"
        # A place first in line (a priority below any Redis time) that ends in 0.5 s.
        seconds, micros = await raw.time()
        await raw.zadd(queue, {"dead.1": 1.0})
        await raw.zadd(expiries, {"dead.1": seconds + micros / 1e6 + 0.5})
        started = time.monotonic()
        lease = await lim.take(LOGIN, [], 1, 3.0)
        waited = time.monotonic() - started
        lease.release()
    assert 0.4 < waited < 1.2


async def test_an_exchange_held_up_past_the_margin_counts_from_its_end(
    limiter: RedisLimiter, raw: aioredis.Redis, prefix: str
):
    """Margin 0.1 s, released 0.4 s after leaving: the entry moves to 0.1 s before the release."""
    spec = window("slow", 1, 0.6, margin=0.1)
    lease = await limiter.take(LOGIN, [spec], 14, None)
    ((_, stamp),) = await log_of(raw, prefix, "slow")
    await asyncio.sleep(0.4)
    lease.release()
    await asyncio.sleep(0.05)
    ((_, moved),) = await log_of(raw, prefix, "slow")
    assert 0.28 < moved - stamp < 0.4
    started = time.monotonic()
    (await limiter.take(LOGIN, [spec], 14, None)).release()
    # Until moved + 0.6 (0.45 s from here), not until stamp + 0.6 (0.1 s from here).
    assert 0.35 < time.monotonic() - started < 0.6


async def test_a_quick_exchange_keeps_its_stamp(
    limiter: RedisLimiter, raw: aioredis.Redis, prefix: str
):
    """Released within the margin: the entry stays at the moment it left."""
    lease = await limiter.take(LOGIN, [window("quick", 1, 0.6, margin=0.3)], 14, None)
    before = await log_of(raw, prefix, "quick")
    lease.release()
    await asyncio.sleep(0.05)
    assert before == await log_of(raw, prefix, "quick")
