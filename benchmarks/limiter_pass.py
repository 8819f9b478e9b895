"""Cost of one uncontended limiter pass: admit through a rule window, take and give a slot.

Run: ``python benchmarks/limiter_pass.py`` (or ``nox -s bench``). Target: under 20 us.
"""

from __future__ import annotations

import asyncio
import platform
import time

from smsc_async import Rule, Scope
from smsc_async._limiter import Limiter, LoginGate

PASSES = 20_000
REPEATS = 5
TARGET_US = 20.0


async def measure(rules: tuple[Rule, ...], distinct: bool) -> float:
    """Best-of-REPEATS microseconds per pass."""
    loop = asyncio.get_running_loop()
    best = float("inf")
    for _ in range(REPEATS):
        limiter = Limiter(
            LoginGate("bench", 14), margin=1.0, minute=60.0, overrides={}, max_rate=None
        )
        started = time.perf_counter()
        for i in range(PASSES):
            params = {"cnt": str(i)} if distinct else {}
            admission = await limiter.admit("senders.get", rules, params, None)
            await limiter.slot(None)
            admission.sent(loop.time())
            limiter.release()
        best = min(best, (time.perf_counter() - started) / PASSES * 1e6)
    return best


async def main() -> None:
    cases = [
        ("no rule (slot only)", (), False),
        ("identical-request rule, distinct calls", (Rule(3),), True),
        ("per-command rule, limit 1e9", (Rule(10**9, 60.0, Scope.COMMAND),), False),
    ]
    print(
        f"limiter pass, best of {REPEATS} x {PASSES} passes, "
        f"Python {platform.python_version()} on {platform.machine()}"
    )
    print(f"{'case':<42} {'us/pass':>8}  target < {TARGET_US:g} us")
    for name, rules, distinct in cases:
        cost = await measure(rules, distinct)
        verdict = "ok" if cost < TARGET_US else "MISS"
        print(f"{name:<42} {cost:8.2f}  {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
