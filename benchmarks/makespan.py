"""Makespan against the lower bound SMSC's rules allow, in virtual time.

Run: ``python benchmarks/makespan.py`` (or ``nox -s bench``). Each bulk job runs against the
in-process emulator on a looptime event loop: the emulator's latency and the minute-long
rule windows take no real time, so the figures are the pacing alone, exactly repeatable.
Target: time taken within 1.05 x the bound, and no error 9 on our side.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable

import attrs
from _bench import Table, verdict, virtual

from smsc_async import SmscClient
from smsc_async.cli._demo import lower_bound, run_demo
from smsc_async.testing import Emulator

TARGET = 1.05
LATENCY = 0.5
CAP = 14  # requests in flight per login: SMSC refuses the 15th
SENDERS_PER_MINUTE = 5


@attrs.frozen
class Outcome:
    """One job's figures."""

    job: str
    calls: int
    elapsed: float
    bound: float
    peak: int
    error_9: int
    violations: int


async def _job(
    job: str,
    calls: int,
    bound: float,
    emulator: Emulator,
    work: Callable[[SmscClient], Awaitable[object]],
) -> Outcome:
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        started = loop.time()
        await work(smsc)
        elapsed = loop.time() - started
    return Outcome(
        job,
        calls,
        elapsed,
        bound,
        emulator.peak_in_flight(),
        sum(x.error_code == 9 for x in emulator.traffic),
        len(emulator.violations),
    )


async def distinct_calls(n: int = 2000) -> Outcome:
    """``n`` distinct sender-name lists at once: only the 14-in-flight cap binds."""

    async def work(smsc: SmscClient) -> None:
        await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(1, n + 1)))

    bound = math.ceil(n / CAP) * LATENCY
    return await _job(f"{n} distinct calls", n, bound, Emulator(latency=LATENCY), work)


async def sender_creations(n: int = 50) -> Outcome:
    """``n`` sender names at once: SMSC accepts 5 creations a minute per login."""

    async def work(smsc: SmscClient) -> None:
        await asyncio.gather(*(smsc.senders.add(f"SHOP{k:04d}") for k in range(n)))

    # Batches of 5 arrive a minute apart; the last batch then takes a latency to answer.
    bound = (math.ceil(n / SENDERS_PER_MINUTE) - 1) * 60.0 + LATENCY
    emulator = Emulator(latency=LATENCY, approve_senders=True)
    return await _job(f"{n} sender creations", n, bound, emulator, work)


async def distinct_sends(n: int = 1000) -> Outcome:
    """``n`` messages to ``n`` numbers at once: sends are never coalesced nor repeated."""

    async def work(smsc: SmscClient) -> None:
        await asyncio.gather(
            *(smsc.messages.send(f"7999{k:07d}", f"Order {k} is ready") for k in range(n))
        )

    bound = math.ceil(n / CAP) * LATENCY
    return await _job(f"{n} distinct sends", n, bound, Emulator(latency=LATENCY), work)


async def provisioning(n: int = 50) -> Outcome:
    """``subclients.provision`` of ``n`` subclients: create, pay, one sender name each."""
    summary = await run_demo(subclients=n, minute=60.0, latency=LATENCY)
    assert summary.bound == lower_bound(n, minute=60.0, latency=LATENCY)
    return Outcome(
        f"provision {n} subclients",
        summary.requests,
        summary.elapsed,
        summary.bound,
        summary.peak_in_flight,
        summary.error_9,
        summary.violations,
    )


JOBS: tuple[Callable[[], Awaitable[Outcome]], ...] = (
    distinct_calls,
    distinct_sends,
    sender_creations,
    provisioning,
)


def run() -> list[Table]:
    """Run every job in virtual time; one table."""
    table = Table(
        f"Makespan vs the lower bound (virtual time, emulator latency {LATENCY:g} s, 60 s minute)",
        [
            "job",
            "requests",
            "taken s",
            "bound s",
            "taken / bound",
            "peak in flight",
            "error 9",
            f"target <= {TARGET:g}x",
        ],
    )
    for job in JOBS:
        o = virtual(job)
        ratio = o.elapsed / o.bound
        table.add(
            o.job,
            o.calls,
            f"{o.elapsed:.2f}",
            f"{o.bound:.2f}",
            f"{ratio:.4f}",
            f"{o.peak} / {CAP}",
            o.error_9,
            verdict(ratio <= TARGET and o.error_9 == 0 and o.violations == 0),
        )
    table.notes += [
        (
            "Bounds: distinct calls and sends ceil(n/14) x latency; sender creations "
            "(ceil(n/5) - 1) minutes + latency; provisioning as `smsc-async demo` computes it "
            "(`smsc_async.cli._demo.lower_bound`)."
        ),
        (
            "The client keeps 1 s of margin per rule window (its default), so a job bound by a "
            "per-minute rule pays about 1 s per minute over the bound."
        ),
    ]
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
