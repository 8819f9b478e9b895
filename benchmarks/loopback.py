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
from _bench import Table, sender_list_form, served_emulator, verdict

from smsc_async import SmscClient
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD

CALLS = 2000
LATENCY = 0.02
CAP = 14
TARGET = 1.05


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
    """One table: smsc_async's run against the bound, and raw httpx's beside it."""
    bound = math.ceil(CALLS / CAP) * LATENCY
    table = Table(
        f"{CALLS} distinct calls over loopback HTTP (uvicorn on 127.0.0.1, "
        f"{LATENCY * 1000:g} ms latency)",
        [
            "client",
            "wall s",
            "bound s",
            "wall / bound",
            "client CPU s per 1000 calls",
            "peak in flight",
            "error 9",
            f"target <= {TARGET:g}x",
        ],
    )
    for name, work in (("smsc_async", calls), ("raw httpx, 14 at a time", raw_calls)):
        with served_emulator(latency=LATENCY) as served:
            wall, cpu = asyncio.run(work(served.base_url, CALLS))
        stats = served.stats
        assert stats is not None
        table.add(
            name,
            f"{wall:.2f}",
            f"{bound:.2f}",
            f"{wall / bound:.3f}",
            f"{cpu / CALLS * 1000:.2f}",
            f"{stats.peak_in_flight} / {CAP}",
            stats.error_9,
            verdict(wall / bound <= TARGET and stats.error_9 == 0) if name == "smsc_async" else "",
        )
    table.notes += [
        (
            "Bound: ceil(n/14) x latency, as if every request took exactly the server's 20 ms; "
            "HTTP on both sides and the emulator's own work come on top."
        ),
        (
            "The raw httpx row posts the same forms with no limiter and no decoding into models: "
            "it is the floor an httpx-based client can reach on this machine."
        ),
    ]
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
