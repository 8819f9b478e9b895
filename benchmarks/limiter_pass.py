"""Cost of one uncontended limiter pass: admit through a rule window, take and give a slot.

Run: ``python benchmarks/limiter_pass.py`` (or ``nox -s bench``). Target: under 20 us.
"""

from __future__ import annotations

import asyncio
import time

from _bench import Table, verdict

from smsc_async import ProcessLimiter, Rule, Scope
from smsc_async._limiter import Limiter

PASSES = 20_000
REPEATS = 5
TARGET_US = 20.0


async def measure(rules: tuple[Rule, ...], distinct: bool) -> float:
    """Best-of-REPEATS CPU microseconds per pass (other processes do not count)."""
    best = float("inf")
    for _ in range(REPEATS):
        limiter = Limiter(
            ProcessLimiter(),
            "bench",
            cap=14,
            margin=1.0,
            minute=60.0,
            overrides={},
            max_rate=None,
        )
        started = time.process_time()
        for i in range(PASSES):
            params = {"cnt": str(i)} if distinct else {}
            ticket = await limiter.take("senders.get", rules, params, None)
            assert ticket.lease is not None
            ticket.lease.release()
        best = min(best, (time.process_time() - started) / PASSES * 1e6)
    return best


CASES = (
    ("no rule (slot only)", (), False),
    ("identical-request rule, distinct calls", (Rule(3),), True),
    ("per-command rule, limit 1e9", (Rule(10**9, 60.0, Scope.COMMAND),), False),
)


def run() -> list[Table]:
    """One table: each case against the target."""
    table = Table(
        f"One uncontended limiter pass (best of {REPEATS} x {PASSES} passes)",
        ["case", "us per pass", f"target < {TARGET_US:g} us"],
    )
    for name, rules, distinct in CASES:
        cost = asyncio.run(measure(rules, distinct))
        table.add(name, f"{cost:.2f}", verdict(cost < TARGET_US))
    table.notes.append(
        "A pass, as the command path makes it (Limiter.take on the process backend): admit "
        "through the rule windows, take a concurrency slot and stamp the send, give the "
        "slot back."
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
