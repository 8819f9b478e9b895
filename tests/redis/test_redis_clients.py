"""SmscClients sharing one login's limits through Redis, and the opt-in process fallback."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest

from smsc_async import SmscClient
from smsc_async._state import TooLate
from smsc_async.redis import RedisLimiter
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving_in_thread
from tests._redis import RedisServer, free_port

MINUTE = 1.0  # seconds per emulated minute, for the emulator and the clients alike
CAP = 14


@pytest.fixture
def served() -> Iterator[tuple[Emulator, str]]:
    """A fresh emulator (50 ms a request) served on 127.0.0.1, and its base URL."""
    emulator = Emulator(minute=MINUTE, latency=0.05, approve_senders=True)
    with serving_in_thread(emulator) as url:
        yield emulator, url


def test_two_clients_on_two_loops_with_a_redis_limiter_each_break_no_rule(
    served: tuple[Emulator, str], redis_server: RedisServer, prefix: str
) -> None:
    """Two threads, a loop, a client and a RedisLimiter each: 0 violations, peak <= 14."""
    emulator, url = served
    results: list[Any] = [None, None]

    async def job(worker: int) -> int:
        limiter = RedisLimiter.from_url(redis_server.url, prefix=prefix)
        async with (
            limiter,
            SmscClient(
                login=DEFAULT_LOGIN,
                password=DEFAULT_PASSWORD,
                base_url=url,
                minute=MINUTE,
                margin=0.25,  # loopback: a fraction of the SDK's 1 s
                timeout=10,
                limiter=limiter,
            ) as smsc,
        ):
            calls: list[Coroutine[Any, Any, object]] = [
                smsc.contacts.add(f"7900{worker}{k:06d}") for k in range(40)
            ]
            calls += [smsc.senders.add(f"SHOP{worker}{k}") for k in range(4)]  # 5 a minute
            calls += [smsc.balance() for _ in range(4)]
            return len(await asyncio.gather(*calls))

    def run(worker: int) -> None:
        try:
            results[worker] = asyncio.run(job(worker))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[worker] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [48, 48] == results
    assert [] == emulator.violations
    assert emulator.peak_in_flight(DEFAULT_LOGIN) <= CAP
    assert 8 == len(emulator.senders.names[DEFAULT_LOGIN])


async def test_the_process_fallback_takes_its_share_of_the_cap_while_redis_is_down():
    """on_unavailable='process', share 0.25: with Redis absent, 3 of cap 12 go, the 4th waits."""
    lim = RedisLimiter.from_url(
        f"redis://127.0.0.1:{free_port()}/0", on_unavailable="process", fallback_share=0.25
    )
    login = f"fallback-{time.monotonic_ns()}"
    leases = [await (await lim.admit(login, [], None)).go(12, None) for _ in range(3)]
    with pytest.raises(TooLate):
        await (await lim.admit(login, [], None)).go(12, 0.1)
    assert 1 <= await lim.next_id(login)
    for lease in leases:
        lease.release()
    await lim.aclose()
