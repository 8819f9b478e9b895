"""Worker processes when their Redis goes away: restarted mid-run, or never there (issue 17).

A restarted Redis comes back empty (no persistence, as after a crash): the sends it
forgot are still in the emulator's windows, so a limiter that simply started afresh would
burst. The workers retry an item after ``LimiterUnavailableError`` (what an application
would do); the emulator is the referee.
"""

from __future__ import annotations

import time

from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving_in_thread
from tests._redis import RedisServer, free_port
from tests.multiprocess._harness import CAP, Shape, workers

GAP = 0.5  # seconds Redis is away


def wait_for_senders(emulator: Emulator, count: int) -> None:
    """Poll until ``count`` sender names were answered (a window of them is running)."""
    give_up = time.monotonic() + 30
    while time.monotonic() < give_up:
        if sum(e.command == "senders.add" and e.end is not None for e in emulator.traffic) >= count:
            return
        time.sleep(0.005)
    raise AssertionError(f"{count} sender names were never created")


def test_redis_restarted_mid_run_bursts_over_no_limit_and_the_calls_resume(
    redis_server: RedisServer,
) -> None:
    """Redis restarted empty mid-run: 0 violations, peak <= 14, and every item finishes after it."""
    shape = Shape(contacts=120, senders=10)
    emulator = shape.emulator()
    with (
        serving_in_thread(emulator) as base_url,
        workers(shape, base_url, redis_url=redis_server.url, retry_for=30.0) as running,
    ):
        running.go()
        # Mid-run, with the first five names in the emulator's minute: a forgetful
        # limiter would let the next five go at once.
        wait_for_senders(emulator, 5)
        redis_server.kill()
        down = time.monotonic()
        time.sleep(GAP)  # the outage itself, not a wait for something to happen
        redis_server.start()
        up = time.monotonic()
        running.wait(timeout=90)
    reports = running.reports()
    assert [] == emulator.violations
    assert emulator.peak_in_flight() <= CAP
    assert [0] * shape.workers == [w.process.returncode for w in running.workers]
    assert [] == [r for r in reports if not r["ok"]]
    assert shape.senders == len(emulator.senders.names[DEFAULT_LOGIN])
    # The outage was seen (some calls failed fast and were retried), and nothing was
    # sent while Redis was away, beyond what had left before it went.
    assert sum(int(r["unavailable"]) for r in reports) > 0
    assert [] == [e for e in emulator.traffic if down + 0.1 < e.start < up]


def test_redis_absent_is_a_clear_error_from_a_worker_and_nothing_is_sent() -> None:
    """No Redis at the URL: each call raises LimiterUnavailableError, the server sees nothing."""
    shape = Shape(contacts=3, senders=1, workers=1)
    emulator = shape.emulator()
    secret = "redis-secret-9f3"  # a Redis password that must never be shown
    url = f"redis://:{secret}@127.0.0.1:{free_port()}/0"  # a closed port
    with (
        serving_in_thread(emulator) as base_url,
        workers(shape, base_url, redis_url=url) as running,
    ):
        running.go()
        running.wait(timeout=30)
    reports = running.reports()
    worker = running.workers[0]
    printed = "\n".join(map(str, worker.lines)) + worker.stderr
    assert [] == emulator.traffic
    assert ["LimiterUnavailableError"] * 4 == [r["error"] for r in reports]
    assert all("redis" in str(r["message"]).lower() for r in reports)
    assert 0 == worker.process.returncode
    assert secret not in printed
    assert DEFAULT_PASSWORD not in printed
