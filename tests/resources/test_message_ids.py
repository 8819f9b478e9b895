"""Message ids the SDK assigns come from the limiter backend, shared by all its sharers."""

from __future__ import annotations

import itertools

import pytest

from smsc_async import ProcessLimiter
from smsc_async.testing import Emulator

pytestmark = pytest.mark.asyncio


class CountingLimiter(ProcessLimiter):
    """A process backend whose ids come from one counter, as a Redis counter would."""

    def __init__(self, start: int) -> None:
        super().__init__()
        self._ids = itertools.count(start)

    async def next_id(self, login: str) -> int:
        return next(self._ids)


async def test_a_send_without_an_id_takes_the_backends_next_id() -> None:
    """Two clients sharing one backend send with its ids, in turn, never the same one."""
    emulator = Emulator()
    limiter = CountingLimiter(424_242)
    async with (
        emulator.client(limiter=limiter) as first,
        emulator.client(limiter=limiter) as second,
    ):
        a = await first.messages.send("79990000001", "one")
        b = await second.messages.send("79990000002", "two")
    assert ["424242", "424243"] == [a.id, b.id]


async def test_a_callers_id_is_kept() -> None:
    """An id the caller gives is sent as given; the backend's counter is not used."""
    emulator = Emulator()
    limiter = CountingLimiter(7)
    async with emulator.client(limiter=limiter) as smsc:
        sent = await smsc.messages.send("79990000001", "one", id="order-17")
        after = await smsc.messages.send("79990000002", "two")
    assert ("order-17", "7") == (sent.id, after.id)
