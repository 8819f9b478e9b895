"""One login's limits hold across threads and event loops of one process (issue 17).

Real time and real sockets: the emulator is served on 127.0.0.1 from a thread, with a
compressed minute (1 s), and each thread runs a loop and a client of its own. Before the
process-wide limiter, each loop kept its own windows and its own cap of 14: four threads
had 56 requests in flight and drew hundreds of self-caused error 9s.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

from smsc_async import SmscClient
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving_in_thread

MINUTE = 1.0  # seconds per emulated minute, for the emulator and the clients alike
CAP = 14  # SMSC refuses a login's 15th request in flight


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    """A fresh emulator (50 ms a request) served on 127.0.0.1, and its base URL."""
    emulator = Emulator(minute=MINUTE, latency=0.05, approve_senders=True)
    with serving_in_thread(emulator) as url:
        yield emulator, url


def client(url: str) -> SmscClient:
    """A client of the emulator's default account, its windows scaled like the emulator's."""
    return SmscClient(
        login=DEFAULT_LOGIN,
        password=DEFAULT_PASSWORD,
        base_url=url,
        minute=MINUTE,
        margin=0.25,  # loopback: a fraction of the SDK's 1 s
        timeout=10,
    )


def in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads at once; every result (or exception raised)."""
    results: list[Any] = [None] * count
    start = threading.Barrier(count)

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_four_threads_with_their_own_loops_keep_one_logins_limits(
    served: tuple[Emulator, str],
) -> None:
    """Four threads, a loop and a client each, mixed traffic: 0 violations, peak <= 14, all done."""
    emulator, url = served

    async def job(worker: int) -> int:
        async with client(url) as smsc:
            calls: list[Coroutine[Any, Any, object]] = [
                smsc.contacts.add(f"7900{worker}{k:06d}", name=f"Client {worker}-{k}")
                for k in range(40)
            ]
            calls += [smsc.senders.add(f"SHOP{worker}{k}") for k in range(2)]  # 5 a minute
            calls += [smsc.balance() for _ in range(3)]  # 10 a minute
            calls.append(smsc.senders.list(cnt=1))  # 3 identical a minute: 4 threads ask
            done = await asyncio.gather(*calls)
        return len(done)

    results = in_threads(4, lambda worker: asyncio.run(job(worker)))
    assert [46] * 4 == results
    assert [] == emulator.violations
    assert emulator.peak_in_flight(DEFAULT_LOGIN) <= CAP
    assert 8 == len(emulator.senders.names[DEFAULT_LOGIN])


def test_a_sync_app_running_asyncio_run_per_request_keeps_the_limits(
    served: tuple[Emulator, str],
) -> None:
    """Six threads of a sync app, asyncio.run() and a new client per request: no 9, <= 14."""
    emulator, url = served

    async def request(worker: int, number: int) -> None:
        async with client(url) as smsc:
            await smsc.senders.add(f"APP{worker}{number}")
            await asyncio.gather(
                *(smsc.contacts.add(f"7911{worker}{number}{k:04d}") for k in range(5))
            )

    def handle_requests(worker: int) -> int:
        for number in range(2):
            asyncio.run(request(worker, number))
        return 2

    assert [2] * 6 == in_threads(6, handle_requests)
    assert [] == emulator.violations
    assert emulator.peak_in_flight(DEFAULT_LOGIN) <= CAP
