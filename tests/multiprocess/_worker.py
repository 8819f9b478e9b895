"""One worker process of the multi-process tests: a share of a job, one client, JSON lines out.

Run by the tests (and ``benchmarks/processes.py``) as ``python _worker.py`` with the same
interpreter; the job comes as the first line of stdin (JSON), the password in
``SMSC_PASSWORD``, never on the command line. The worker makes one
:class:`~smsc_async.SmscClient` (with a ``RedisLimiter.from_url(...)`` when the job names a
Redis URL), prints ``{"ready": ...}``, waits for the next line of stdin (so every worker
starts at once), runs its items concurrently, prints one ``{"item": ...}`` line per item as
it ends and ``{"done": ...}`` last.

It refuses any server or Redis that is not on 127.0.0.1, and never prints the password.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from smsc_async import LimiterUnavailableError, SmscClient, SmscError

LOOPBACK = "127.0.0.1"


def emit(record: dict[str, Any]) -> None:
    """One JSON line on stdout, the password masked should any text carry it."""
    line = json.dumps(record)
    password = os.environ.get("SMSC_PASSWORD")
    if password:
        line = line.replace(password, "***")
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def loopback_only(url: str) -> None:
    """Refuse to reach anything but 127.0.0.1 (the tests' servers)."""
    if urlsplit(url).hostname != LOOPBACK:
        raise SystemExit("the test worker talks to 127.0.0.1 only")


async def run_item(smsc: SmscClient, item: dict[str, Any], retry_for: float) -> dict[str, Any]:
    """Do one item; after LimiterUnavailableError retry it for ``retry_for`` seconds.

    Returns:
        The item's report: ``ok``, the result or the error's class and message, and how
        often the limiter was unavailable.
    """
    unavailable = 0
    give_up = time.monotonic() + retry_for
    while True:
        try:
            if item["kind"] == "contact":
                result: object = await smsc.contacts.add(item["phone"], name=item["name"])
            elif item["kind"] == "sender":
                result = await smsc.senders.add(item["name"])
            else:
                raise ValueError(f"unknown item kind {item['kind']!r}")
        except LimiterUnavailableError as exc:  # noqa: PERF203 - a retry loop, on purpose
            unavailable += 1
            if time.monotonic() >= give_up:
                return report(item, error=exc, unavailable=unavailable)
            # Redis is away (restarting): nothing was sent; try again shortly.
            await asyncio.sleep(0.1)
        except SmscError as exc:
            return report(item, error=exc, unavailable=unavailable)
        else:
            return report(item, result=result, unavailable=unavailable)


def report(
    item: dict[str, Any],
    *,
    result: object = None,
    error: BaseException | None = None,
    unavailable: int = 0,
) -> dict[str, Any]:
    return {
        "item": item["key"],
        "ok": error is None,
        "result": result,
        "error": None if error is None else type(error).__name__,
        "message": None if error is None else str(error),
        "unavailable": unavailable,
        "pid": os.getpid(),
    }


async def main(job: dict[str, Any]) -> None:
    """Run the job's items through one client; report each, then ``done``."""
    loopback_only(job["base_url"])
    options: dict[str, Any] = {
        "login": job["login"],
        "password": os.environ["SMSC_PASSWORD"],
        "base_url": job["base_url"],
        "minute": job["minute"],
        "margin": job["margin"],
    }
    async with contextlib.AsyncExitStack() as stack:
        if job.get("redis_url"):
            loopback_only(job["redis_url"])
            from smsc_async.redis import RedisLimiter  # noqa: PLC0415 - only when asked

            limiter = RedisLimiter.from_url(job["redis_url"], lease=job["lease"])
            await stack.enter_async_context(limiter)
            options["limiter"] = limiter
        smsc = await stack.enter_async_context(SmscClient(**options))
        emit({"ready": os.getpid()})
        await asyncio.to_thread(sys.stdin.readline)  # the start signal
        retry_for = job.get("retry_for", 0.0)

        async def run_and_report(item: dict[str, Any]) -> dict[str, Any]:
            one = await run_item(smsc, item, retry_for)
            emit(one)  # as it ends: a test may kill the worker midway
            return one

        reports = await asyncio.gather(*(run_and_report(item) for item in job["items"]))
    emit({"done": os.getpid(), "ok": all(r["ok"] for r in reports)})


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.stdin.readline())))
