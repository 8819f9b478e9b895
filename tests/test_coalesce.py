"""Shared reads on their own: one run per key in flight, each caller its outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from smsc_async._coalesce import SharedReads

KEY = ("senders.get", (), None)


class Read:
    """A read that runs until released, counting its runs, its joiners and its cancellations."""

    def __init__(self, result: Any = None, error: Exception | None = None) -> None:
        self.result, self.error = result, error
        self.release = asyncio.Event()
        self.runs = self.joins = self.cancelled = 0

    def start(self) -> Callable[[], Coroutine[Any, Any, Any]]:
        async def run() -> Any:
            self.runs += 1
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            if self.error is not None:
                raise self.error
            return self.result

        return run

    def joined(self) -> None:
        self.joins += 1


async def callers(reads: SharedReads, read: Read, n: int) -> list[asyncio.Task[Any]]:
    tasks = [asyncio.create_task(reads.join(KEY, read.start(), read.joined)) for _ in range(n)]
    await asyncio.sleep(0)  # every caller has joined
    return tasks


async def test_identical_reads_in_flight_run_once_and_share_the_result() -> None:
    """Three callers of one key: one run, two joins, the same result for all."""
    reads, read = SharedReads(), Read(result="balance")
    tasks = await callers(reads, read, 3)
    read.release.set()
    results = await asyncio.gather(*tasks)
    assert (1, 2, ["balance"] * 3) == (read.runs, read.joins, results)


async def test_each_caller_gets_its_own_list() -> None:
    """A list result is copied per caller: equal, but not one object."""
    reads, read = SharedReads(), Read(result=[1, 2])
    tasks = await callers(reads, read, 2)
    read.release.set()
    first, second = await asyncio.gather(*tasks)
    assert ([1, 2], [1, 2], False) == (first, second, first is second)


async def test_an_error_is_shared_too() -> None:
    """Every caller of a failed read sees its error."""
    reads, read = SharedReads(), Read(error=LookupError("gone"))
    tasks = await callers(reads, read, 2)
    read.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert [("gone",), ("gone",)] == [e.args for e in results if isinstance(e, LookupError)]


async def test_a_read_that_ended_is_not_joined_again() -> None:
    """The next identical call after a read ended starts a new one."""
    reads, read = SharedReads(), Read(result=1)
    read.release.set()
    await reads.join(KEY, read.start(), read.joined)
    await reads.join(KEY, read.start(), read.joined)
    assert (2, 0) == (read.runs, read.joins)


async def test_the_read_lives_on_while_a_caller_waits_and_is_cancelled_with_the_last() -> None:
    """One caller of two leaving leaves the read running; the last leaving cancels it."""
    reads, read = SharedReads(), Read()
    first, second = await callers(reads, read, 2)
    first.cancel()
    await asyncio.sleep(0)
    after_first = read.cancelled
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    await asyncio.sleep(0)
    assert (0, 1) == (after_first, read.cancelled)


async def test_a_caller_waiting_across_a_reset_ends_with_its_result() -> None:
    """reset() (the client moved to another loop) while a read is awaited: it still ends well."""
    reads, read = SharedReads(), Read(result=["a"])
    caller = asyncio.ensure_future(reads.join(KEY, read.start(), read.joined))
    await asyncio.sleep(0)
    reads.reset()
    read.release.set()
    assert ["a"] == await caller


async def test_a_caller_resumes_in_the_turn_after_the_read_ends() -> None:
    """The outcome is handed over as the read ends, not through extra loop turns."""
    reads, read = SharedReads(), Read(result="x")
    caller = asyncio.ensure_future(reads.join(KEY, read.start(), read.joined))
    await asyncio.sleep(0)  # the caller waits; the read's task is scheduled
    await asyncio.sleep(0)  # the read runs and waits for release
    read.release.set()
    await asyncio.sleep(0)  # the read ends and hands its result over
    await asyncio.sleep(0)  # the caller resumes
    assert (True, "x") == (caller.done(), caller.result())
