"""Distinct calls over real loopback HTTP, on every HTTP stack: wall time, client CPU per call.

Run: ``python benchmarks/loopback.py`` (or ``nox -s bench``). The emulator runs in a child
process, served by uvicorn on 127.0.0.1 with 20 ms latency per request, and each client
runs in a fresh interpreter of its own, so the CPU time measured is that client's alone:
the SDK, its HTTP stack and the event loop.

Each transport is measured beside the bare client of the same stack posting the same forms
14 at a time (no limiter, no models): httpx, aiohttp (``SmscClient(http="aiohttp")``) and
httpx2 (``SMSC_HTTP_STACK=httpx2``). The pairs alternate for a few rounds and the ratio is
the median of the rounds' ratios, so a noisy machine moves both sides of a pair alike.

    python benchmarks/loopback.py --one sdk-aiohttp --base-url URL --calls 2000  # one client
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import time
from collections.abc import Callable, Coroutine
from typing import Any

import attrs
from _bench import ServerStats, Table, run_child, sender_list_form, served_emulator, verdict

STACK_ENV = "SMSC_HTTP_STACK"
CALLS = 2000
LATENCY = 0.02
SLOW_LATENCY = 0.1  # nearer what SMSC itself takes to answer
CAP = 14
ROUNDS = 3


@attrs.frozen
class Stack:
    """One HTTP stack: how the SDK is set to use it, and the ratio it must keep."""

    name: str
    sdk: str  # the --one kind for smsc_async on it
    raw: str  # the --one kind for its bare client
    target: float
    env: dict[str, str] = attrs.Factory(dict)


STACKS = (
    Stack("httpx (default)", "sdk-httpx", "raw-httpx", 1.3),
    Stack("aiohttp (http='aiohttp')", "sdk-aiohttp", "raw-aiohttp", 1.5),
    Stack(
        "httpx2 (SMSC_HTTP_STACK=httpx2)",
        "sdk-httpx2",
        "raw-httpx2",
        1.3,
        {"SMSC_HTTP_STACK": "httpx2"},
    ),
)


async def _sdk(base_url: str, n: int, http: str) -> tuple[float, float]:
    """``n`` distinct sender-name lists at once through smsc_async; wall and CPU seconds."""
    from smsc_async import SmscClient  # noqa: PLC0415 - after the stack is chosen
    from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD  # noqa: PLC0415

    async with SmscClient(
        login=DEFAULT_LOGIN,
        password=DEFAULT_PASSWORD,
        base_url=base_url,
        http=http,  # type: ignore[arg-type]
    ) as smsc:
        await smsc.senders.list(cnt=n + 1)  # warm-up: connection, imports, caches
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(1, n + 1)))
        return time.perf_counter() - wall, time.process_time() - cpu


async def _raw_httpx(base_url: str, n: int, module: str) -> tuple[float, float]:
    """The same forms posted by a bare httpx (or httpx2) client, 14 at a time."""
    stack: Any = __import__(module)
    slots = asyncio.Semaphore(CAP)
    limits = stack.Limits(max_connections=CAP, max_keepalive_connections=CAP)
    async with stack.AsyncClient(base_url=base_url, limits=limits) as http:

        async def one(k: int) -> None:
            async with slots:
                response = await http.post("senders.php", data=sender_list_form(k))
                response.raise_for_status()
                response.json()

        await one(n + 1)
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(k) for k in range(1, n + 1)))
        return time.perf_counter() - wall, time.process_time() - cpu


async def _raw_aiohttp(base_url: str, n: int) -> tuple[float, float]:
    """The same forms posted by a bare aiohttp session, 14 at a time."""
    import aiohttp  # noqa: PLC0415 - the aiohttp extra's

    slots = asyncio.Semaphore(CAP)
    url = base_url + "senders.php"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CAP)) as http:

        async def one(k: int) -> None:
            async with slots, http.post(url, data=sender_list_form(k)) as response:
                response.raise_for_status()
                json.loads(await response.read())

        await one(n + 1)
        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(k) for k in range(1, n + 1)))
        return time.perf_counter() - wall, time.process_time() - cpu


KINDS: dict[str, Callable[[str, int], Coroutine[Any, Any, tuple[float, float]]]] = {
    "sdk-httpx": lambda url, n: _sdk(url, n, "default"),
    "sdk-aiohttp": lambda url, n: _sdk(url, n, "aiohttp"),
    "sdk-httpx2": lambda url, n: _sdk(url, n, "default"),  # SMSC_HTTP_STACK picks httpx2
    "raw-httpx": lambda url, n: _raw_httpx(url, n, "httpx"),
    "raw-aiohttp": _raw_aiohttp,
    "raw-httpx2": lambda url, n: _raw_httpx(url, n, "httpx2"),
}


@attrs.frozen
class Measured:
    """One client's run against a fresh served emulator."""

    wall: float
    cpu: float
    stats: ServerStats


def measure(kind: str, latency: float, env: dict[str, str] | None = None) -> Measured:
    """Run client ``kind`` in a fresh interpreter against a fresh served emulator."""
    with served_emulator(latency=latency) as served:
        out = run_child(
            "loopback.py",
            f"--one={kind}",
            f"--base-url={served.base_url}",
            f"--calls={CALLS}",
            env={**os.environ, **(env or {})},
        )
    assert served.stats is not None
    return Measured(out["wall"], out["cpu"], served.stats)


def run() -> list[Table]:
    """Two tables: every run against the bound, and each stack's CPU ratio to its bare client."""
    runs = Table(
        f"{CALLS} distinct calls over loopback HTTP (uvicorn on 127.0.0.1), every HTTP stack",
        [
            "client",
            "latency ms",
            "wall s",
            "bound s",
            "wall / bound",
            "client CPU ms per call",
            "peak in flight",
            "error 9",
        ],
    )
    ratios = Table(
        f"Client CPU per call against the bare client of the same stack, loopback, "
        f"median of {ROUNDS} alternating pairs",
        ["stack", "smsc_async ms", "bare client ms", "ratio (range)", "target", "verdict"],
    )
    bound = math.ceil(CALLS / CAP) * LATENCY
    for stack in STACKS:
        pairs = [
            (measure(stack.sdk, LATENCY, stack.env), measure(stack.raw, LATENCY, stack.env))
            for _ in range(ROUNDS)
        ]
        for label, side in (("smsc_async", 0), ("bare " + stack.raw[4:], 1)):
            got = [pair[side] for pair in pairs]
            wall = statistics.median(m.wall for m in got)
            runs.add(
                f"{label}, {stack.name}",
                f"{LATENCY * 1000:g}",
                f"{wall:.2f}",
                f"{bound:.2f}",
                f"{wall / bound:.3f}",
                f"{statistics.median(m.cpu for m in got) / CALLS * 1000:.3f}",
                f"{max(m.stats.peak_in_flight for m in got)} / {CAP}",
                sum(m.stats.error_9 for m in got),
            )
        each = sorted(sdk.cpu / raw.cpu for sdk, raw in pairs)
        ratio = statistics.median(each)
        ratios.add(
            stack.name,
            f"{statistics.median(p[0].cpu for p in pairs) / CALLS * 1000:.3f}",
            f"{statistics.median(p[1].cpu for p in pairs) / CALLS * 1000:.3f}",
            f"{ratio:.2f} ({each[0]:.2f}-{each[-1]:.2f})",
            f"<= {stack.target}x",
            verdict(ratio <= stack.target),
        )
    slow = measure("sdk-httpx", SLOW_LATENCY)
    slow_bound = math.ceil(CALLS / CAP) * SLOW_LATENCY
    runs.add(
        "smsc_async, httpx (default)",
        f"{SLOW_LATENCY * 1000:g}",
        f"{slow.wall:.2f}",
        f"{slow_bound:.2f}",
        f"{slow.wall / slow_bound:.3f}",
        f"{slow.cpu / CALLS * 1000:.3f}",
        f"{slow.stats.peak_in_flight} / {CAP}",
        slow.stats.error_9,
    )
    runs.notes += [
        (
            "Bound: ceil(n/14) x latency, as if every request took exactly the server's "
            "latency; HTTP on both sides and the emulator's own work come on top."
        ),
        (
            f"Medians of {ROUNDS} runs each, every run a fresh client process against a fresh "
            "emulator process; peak is the highest and error 9 the sum over the runs."
        ),
        (
            "The bare rows post the same forms with no limiter and no decoding into models: "
            "the floor a client on that stack reaches on this machine. When a client needs "
            "more CPU per call than latency / 14, the run is CPU-bound, not rule-bound."
        ),
    ]
    ratios.notes.append(
        "Targets (issue 18): the default transport <= 1.3x bare httpx, the aiohttp transport "
        "<= 1.5x bare aiohttp; httpx2, the default transport of its stack, is held to 1.3x."
    )
    return [runs, ratios]


def _one(kind: str, base_url: str, calls: int) -> None:
    """Child mode: run one client, print its wall and CPU seconds as JSON."""
    wall, cpu = asyncio.run(KINDS[kind](base_url, calls))
    print(json.dumps({"wall": wall, "cpu": cpu}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", choices=sorted(KINDS))
    parser.add_argument("--base-url")
    parser.add_argument("--calls", type=int, default=CALLS)
    args = parser.parse_args()
    if args.one:
        _one(args.one, args.base_url, args.calls)
    else:
        for t in run():
            print(t.text())
