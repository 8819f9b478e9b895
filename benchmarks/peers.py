"""Side by side with the synchronous ``smsc`` package from PyPI, on the same loopback emulator.

Run: ``nox -s bench`` (which installs ``smsc==0.1.1`` into the bench session only; it is
never a dependency of this project), or ``python benchmarks/peers.py`` with it installed.

The job, for each of 125 customers: price the message (``cost=1``), send it, then ask its
status twice: 500 operations. The peer runs the customers one after another, and in a
thread pool of 14 (SMSC refuses the 15th simultaneous request; a pool of 20 shows what
happens past the cap); smsc_async runs them one after another, and all at once with its
limiter keeping to the rules, on each HTTP stack: httpx (the default), aiohttp
(``http="aiohttp"``) and httpx2 (``SMSC_HTTP_STACK=httpx2``), each in a fresh interpreter.
Each run gets a fresh emulator in a child process with 20 ms latency, so CPU time is the
client's own, and the error 9 answers are counted by the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
from _bench import ServerStats, Table, run_child, served_emulator, verdict

from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD

CUSTOMERS = 125
OPERATIONS = 4 * CUSTOMERS
LATENCY = 0.02
SENDER = "SMSC.ru"  # the peer's default sender name, given to both
# smsc_async's HTTP stacks: label, http= engine, environment of the child process.
STACKS = (
    ("httpx", "default", {}),
    ("aiohttp", "aiohttp", {}),
    ("httpx2", "default", {"SMSC_HTTP_STACK": "httpx2"}),
)


def phone(i: int) -> str:
    """Customer ``i``'s number."""
    return f"7999{i:07d}"


def text(i: int) -> str:
    """Customer ``i``'s message."""
    return f"Order {i:05d} is ready for pickup"


@attrs.frozen
class Run:
    """One client's run of the job."""

    client: str
    concurrency: str
    wall: float
    cpu: float
    stats: ServerStats
    failed: int


def _peer() -> Any:
    """The peer's client class, quietened: on import it turns the root logger to DEBUG,
    and urllib3 would then log every URL, password included (the peer sends GET queries).
    """
    logging.getLogger().addHandler(logging.NullHandler())  # basicConfig then does nothing
    from smsc.api import SMSC  # type: ignore[import-untyped]  # noqa: PLC0415 - bench only

    logging.getLogger("urllib3").setLevel(logging.WARNING)
    return SMSC


def peer_run(workers: int) -> Run:
    """The job with the peer, ``workers`` threads (1: one customer after another)."""
    from smsc.messages import SMSMessage  # type: ignore[import-untyped]  # noqa: PLC0415

    peer = _peer()

    def customer(client: Any, i: int) -> bool:
        """Whether every operation succeeded (the peer reports some errors in the reply,
        and raises on others, e.g. a status reply that is an error)."""
        try:
            message = SMSMessage(text=text(i))
            cost = client.get_cost(phone(i), message)
            sent = client.send(phone(i), message)
            ok = cost.error is None and sent.error is None
            for _ in range(2):
                # A refused send has no id: the peer then asks about "None", as a user would.
                client.get_status(phone(i), str(sent.message_id))
        except Exception:  # noqa: BLE001 - counted as a failed customer
            return False
        return ok

    with served_emulator(latency=LATENCY) as served:
        peer._url = served.base_url  # the peer's server address is a class attribute
        client = peer(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, sender=SENDER)
        client.get_balance()  # warm-up: imports, first connection
        wall, cpu = time.perf_counter(), time.process_time()
        if workers == 1:
            done = [customer(client, i) for i in range(CUSTOMERS)]
        else:
            with ThreadPoolExecutor(workers) as pool:
                done = list(pool.map(lambda i: customer(client, i), range(CUSTOMERS)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert served.stats is not None
    label = "one after another" if workers == 1 else f"thread pool of {workers}"
    return Run("smsc 0.1.1 (requests)", label, wall, cpu, served.stats, CUSTOMERS - sum(done))


async def _ours(base_url: str, together: bool, http: str) -> tuple[float, float, int]:
    from smsc_async import SmscClient, SmscError, StatusDetail  # noqa: PLC0415 - child only

    async with SmscClient(
        login=DEFAULT_LOGIN,
        password=DEFAULT_PASSWORD,
        base_url=base_url,
        http=http,  # type: ignore[arg-type]
    ) as smsc:

        async def customer(i: int) -> bool:
            try:
                await smsc.messages.cost(phone(i), text(i), sender=SENDER)
                sent = await smsc.messages.send(phone(i), text(i), sender=SENDER, report_cost=True)
                for _ in range(2):
                    await smsc.messages.status(phone(i), sent.id, detail=StatusDetail.LOCATION)
            except SmscError:
                return False
            return True

        await smsc.balance()  # warm-up, as for the peer
        wall, cpu = time.perf_counter(), time.process_time()
        if together:
            done = await asyncio.gather(*(customer(i) for i in range(CUSTOMERS)))
        else:
            done = [await customer(i) for i in range(CUSTOMERS)]
        return time.perf_counter() - wall, time.process_time() - cpu, CUSTOMERS - sum(done)


def ours_run(together: bool, stack: tuple[str, str, dict[str, str]] = STACKS[0]) -> Run:
    """The job with smsc_async on ``stack``, in a fresh interpreter: all at once, or in turn."""
    name, http, env = stack
    with served_emulator(latency=LATENCY) as served:
        out = run_child(
            "peers.py",
            f"--base-url={served.base_url}",
            f"--http={http}",
            *(["--together"] if together else []),
            env={**os.environ, **env},
        )
    assert served.stats is not None
    label = f"all {CUSTOMERS} at once (limiter: 14)" if together else "one after another"
    return Run(f"smsc_async, {name}", label, out["wall"], out["cpu"], served.stats, out["failed"])


def run() -> list[Table]:
    """One table; the verdict compares smsc_async at once with the peer's pool of 14."""
    table = Table(
        f"Against the peer: {CUSTOMERS} customers x (cost, send, status, status) = "
        f"{OPERATIONS} operations, loopback emulator, {LATENCY * 1000:g} ms latency",
        [
            "client",
            "how",
            "wall s",
            "CPU s",
            "CPU ms per op",
            "requests",
            "error 9",
            "peak in flight",
            "customers failed",
        ],
    )
    try:
        _peer()
    except ImportError:
        table.notes.append("The peer is not installed: `nox -s bench` installs smsc==0.1.1.")
        peers: list[Run] = []
    else:
        peers = [peer_run(1), peer_run(14), peer_run(20)]
    ours = [ours_run(True, stack) for stack in STACKS]
    runs = [*peers, ours_run(False), *ours]
    for r in runs:
        table.add(
            r.client,
            r.concurrency,
            f"{r.wall:.2f}",
            f"{r.cpu:.2f}",
            f"{r.cpu / OPERATIONS * 1000:.2f}",
            r.stats.requests - 1,  # not the warm-up
            r.stats.error_9,
            r.stats.peak_in_flight,
            r.failed,
        )
    if peers:
        pool = peers[1]
        table.notes += [
            (
                f"At equal concurrency (14), smsc_async on {r.client.split(', ')[1]}: "
                f"{pool.wall / r.wall:.2f}x faster in wall time, {pool.cpu / r.cpu:.2f}x less "
                f"CPU per operation, error 9: {r.stats.error_9} (the peer's: "
                f"{pool.stats.error_9})."
            )
            for r in ours
        ]
        best = min(ours, key=lambda r: r.cpu)
        table.notes += [
            (
                f"Targets, on the best stack ({best.client.split(', ')[1]}): >= 1.3x faster in "
                f"wall time: {verdict(pool.wall / best.wall >= 1.3)}; >= 2x less CPU per "
                f"operation: {verdict(pool.cpu / best.cpu >= 2)}; 0 error 9: "
                f"{verdict(best.stats.error_9 == 0)}."
            ),
            (
                "The peer opens a new connection per request (requests.get, no session) and "
                "sends credentials in the URL; smsc_async keeps up to 14 connections alive and "
                "posts credentials in the body."
            ),
        ]
    return [table]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", help="child mode: run smsc_async's job against it")
    parser.add_argument("--http", default="default")
    parser.add_argument("--together", action="store_true")
    args = parser.parse_args()
    if args.base_url:
        wall, cpu, failed = asyncio.run(_ours(args.base_url, args.together, args.http))
        print(json.dumps({"wall": wall, "cpu": cpu, "failed": failed}))
    else:
        for t in run():
            print(t.text())
