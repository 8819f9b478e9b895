"""Distinct calls over real loopback HTTP: wall time against the bound, client CPU per call.

Run: ``python benchmarks/loopback.py`` (or ``nox -s bench``). The emulator runs in a child
process, served by uvicorn on 127.0.0.1 with 20 ms latency per request, so the CPU time
measured here is the client's alone: the SDK, httpx and the event loop.
"""

from __future__ import annotations

import asyncio
import math
import time

import httpx
from _bench import Table, sender_list_form, served_emulator

from smsc_async import SmscClient
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD

CALLS = 2000
LATENCY = 0.02
SLOW_LATENCY = 0.1  # nearer what SMSC itself takes to answer
CAP = 14


async def calls(base_url: str, n: int) -> tuple[float, float]:
    """``n`` distinct sender-name lists at once; wall and CPU seconds they took."""
    async with SmscClient(
        login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, base_url=base_url
    ) as smsc:
        await smsc.senders.list(cnt=n + 1)  # warm-up: connection, imports, caches
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(1, n + 1)))
        return time.perf_counter() - wall, time.process_time() - cpu


async def raw_calls(base_url: str, n: int) -> tuple[float, float]:
    """The same forms posted with a bare ``httpx.AsyncClient``, 14 at a time (the floor)."""
    slots = asyncio.Semaphore(CAP)
    limits = httpx.Limits(max_connections=CAP, max_keepalive_connections=CAP)
    async with httpx.AsyncClient(base_url=base_url, limits=limits) as http:

        async def one(k: int) -> None:
            async with slots:
                response = await http.post("senders.php", data=sender_list_form(k))
                response.raise_for_status()
                response.json()

        await one(n + 1)
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(k) for k in range(1, n + 1)))
        return time.perf_counter() - wall, time.process_time() - cpu


def run() -> list[Table]:
    """One table: smsc_async's runs against the bound, and raw httpx's beside the first."""
    table = Table(
        f"{CALLS} distinct calls over loopback HTTP (uvicorn on 127.0.0.1)",
        [
            "client",
            "latency ms",
            "wall s",
            "bound s",
            "wall / bound",
            "client CPU s per 1000 calls",
            "peak in flight",
            "error 9",
        ],
    )
    runs = (
        ("smsc_async", LATENCY, calls),
        ("raw httpx, 14 at a time", LATENCY, raw_calls),
        ("smsc_async", SLOW_LATENCY, calls),
    )
    for name, latency, work in runs:
        bound = math.ceil(CALLS / CAP) * latency
        with served_emulator(latency=latency) as served:
            wall, cpu = asyncio.run(work(served.base_url, CALLS))
        stats = served.stats
        assert stats is not None
        table.add(
            name,
            f"{latency * 1000:g}",
            f"{wall:.2f}",
            f"{bound:.2f}",
            f"{wall / bound:.3f}",
            f"{cpu / CALLS * 1000:.2f}",
            f"{stats.peak_in_flight} / {CAP}",
            stats.error_9,
        )
    table.notes += [
        (
            "Bound: ceil(n/14) x latency, as if every request took exactly the server's "
            "latency; HTTP on both sides and the emulator's own work come on top."
        ),
        (
            "The raw httpx row posts the same forms with no limiter and no decoding into "
            "models: the floor an httpx-based client reaches on this machine. When the client "
            "needs more CPU per call than latency / 14, the run is CPU-bound, not rule-bound."
        ),
    ]
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
