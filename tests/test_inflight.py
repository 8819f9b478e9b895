"""Requests on their way and calls waiting to send, on their own, in virtual time."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from smsc_async import ClientClosedError, TransportError
from smsc_async._commands import Command, RetryClass
from smsc_async._inflight import InFlight
from smsc_async._retry import ClosedInFlight
from smsc_async._state import Lease
from smsc_async._transport import RawReply
from smsc_async.formats import Ok

pytestmark = pytest.mark.looptime

READ: Command[Any] = Command("family.get", "family.php", "get", Ok(), None, RetryClass.SAFE_READ)
ANSWER = RawReply(200, b"OK", "utf-8")


class Slot(Lease):
    """A lease that records what was done with it."""

    def __init__(self) -> None:
        self.done: list[str] = []

    def release(self) -> None:
        self.done.append("release")

    def refund(self) -> None:
        self.done.append("refund")


async def server(seconds: float, *, fail: TransportError | None = None) -> RawReply:
    """A request that takes ``seconds`` to answer (or to fail with ``fail``)."""
    await asyncio.sleep(seconds)
    if fail is not None:
        raise fail
    return ANSWER


async def test_a_request_holds_its_slot_until_it_answers() -> None:
    """The answer comes back to the caller, and then the slot is released."""
    flight, slot = InFlight(abandon_after=60.0), Slot()
    reply = await flight.send(
        server(1.0), command="x", lease=slot, request_timeout=None, deadline=None
    )
    await asyncio.sleep(0)  # the done-callback
    assert (ANSWER, ["release"]) == (reply, slot.done)


async def test_no_answer_in_time_is_a_transport_error_and_the_request_runs_on() -> None:
    """A timeout raises TransportError (sent), while the request keeps its slot till it ends."""
    flight, slot = InFlight(abandon_after=60.0), Slot()
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(TransportError) as caught:
        await flight.send(server(5.0), command="x", lease=slot, request_timeout=2.0, deadline=None)
    held_at_timeout = list(slot.done)
    await asyncio.sleep(5.0)
    assert ("x: no answer within 2 s", True, [], ["release"]) == (
        str(caught.value),
        caught.value.request_sent,
        held_at_timeout,
        slot.done,
    )
    assert 7.0 == round(loop.time() - start, 3)


async def test_the_deadline_shortens_the_wait_for_an_answer() -> None:
    """With a deadline sooner than the timeout, the caller waits until the deadline only."""
    flight, slot = InFlight(abandon_after=60.0), Slot()
    deadline = asyncio.get_running_loop().time() + 1.5
    with pytest.raises(TransportError) as caught:
        await flight.send(
            server(5.0), command="x", lease=slot, request_timeout=10.0, deadline=deadline
        )
    await asyncio.sleep(4.0)  # the request ends on its own
    assert ("x: no answer within 1.5 s", ["release"]) == (str(caught.value), slot.done)


async def test_a_request_that_never_left_gives_its_window_entries_back() -> None:
    """A failure before sending refunds the slot's windows before releasing it."""
    flight, slot = InFlight(abandon_after=60.0), Slot()
    never = TransportError("refused", command="x", request_sent=False)
    with pytest.raises(TransportError):
        await flight.send(
            server(0.1, fail=never), command="x", lease=slot, request_timeout=None, deadline=None
        )
    await asyncio.sleep(0)
    assert ["refund", "release"] == slot.done


async def test_an_abandoned_request_is_cancelled_after_abandon_after() -> None:
    """A request nobody waits for is stopped abandon_after seconds later, its slot released."""
    flight, slot = InFlight(abandon_after=30.0), Slot()
    with pytest.raises(TransportError):
        await flight.send(
            server(3600.0), command="x", lease=slot, request_timeout=1.0, deadline=None
        )
    await asyncio.sleep(29.0)
    before = list(slot.done)
    await asyncio.sleep(2.0)
    assert ([], ["release"]) == (before, slot.done)


async def test_stopping_fails_a_call_waiting_to_send_as_closed() -> None:
    """A call waiting (for the limiter, a retry pause) ends with ClientClosedError on stop()."""
    flight = InFlight(abandon_after=60.0)
    waiting = asyncio.create_task(flight.waiting_for(asyncio.sleep(100.0), READ))
    await asyncio.sleep(1.0)
    await flight.stop()
    with pytest.raises(ClientClosedError) as caught:
        await waiting
    assert ("family.get: the client was closed before it was sent", True) == (
        str(caught.value),
        flight.closed,
    )


async def test_a_caller_cancelling_its_own_wait_sees_its_cancellation() -> None:
    """A wait cancelled by its caller, not by stop(), raises CancelledError."""
    flight = InFlight(abandon_after=60.0)
    waiting = asyncio.create_task(flight.waiting_for(asyncio.sleep(100.0), READ))
    await asyncio.sleep(1.0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_stopping_ends_a_request_on_its_way_as_closed_in_flight() -> None:
    """stop() cancels the requests on their way: their callers see ClosedInFlight at once."""
    flight, slot = InFlight(abandon_after=60.0), Slot()
    loop = asyncio.get_running_loop()
    start = loop.time()
    call = asyncio.create_task(
        flight.send(server(100.0), command="x", lease=slot, request_timeout=None, deadline=None)
    )
    await asyncio.sleep(1.0)
    await flight.stop()
    with pytest.raises(ClosedInFlight):
        await call
    assert (["release"], 1.0) == (slot.done, round(loop.time() - start, 3))


async def test_a_request_stopped_before_it_began_ends_as_closed_and_frees_its_slot(
    recwarn: pytest.WarningsRecorder,
) -> None:
    """stop() in the turn the request was handed over: ClosedInFlight, one release, no warning."""
    flight, slot = InFlight(abandon_after=60.0), Slot()
    call = asyncio.create_task(
        flight.send(server(1.0), command="x", lease=slot, request_timeout=None, deadline=None)
    )
    await asyncio.sleep(0)  # the call has handed its request to a task not yet started
    await flight.stop()
    with pytest.raises(ClosedInFlight):
        await call
    gc.collect()
    never_awaited = [w for w in recwarn if "never awaited" in str(w.message)]
    assert (["release"], []) == (slot.done, never_awaited)


async def test_a_cancelled_caller_leaves_the_request_running_with_its_slot() -> None:
    """The caller cancelled: the request runs on, and its slot goes back when it ends."""
    flight, slot = InFlight(abandon_after=60.0), Slot()
    call = asyncio.create_task(
        flight.send(server(5.0), command="x", lease=slot, request_timeout=None, deadline=None)
    )
    await asyncio.sleep(1.0)
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    held = list(slot.done)
    await asyncio.sleep(5.0)
    assert ([], ["release"]) == (held, slot.done)


async def test_the_caller_resumes_in_the_turn_after_the_answer() -> None:
    """The answer is handed over as the request ends, not through extra loop turns."""
    flight, slot = InFlight(abandon_after=60.0), Slot()
    answered = asyncio.Event()

    async def request() -> RawReply:
        await answered.wait()
        return ANSWER

    call = asyncio.create_task(
        flight.send(request(), command="x", lease=slot, request_timeout=9.0, deadline=None)
    )
    await asyncio.sleep(0)  # the caller waits; the request's task is scheduled
    await asyncio.sleep(0)  # the request waits for its answer
    answered.set()
    await asyncio.sleep(0)  # the request ends, its slot goes back, the answer is handed over
    await asyncio.sleep(0)  # the caller resumes
    assert (True, ANSWER, ["release"]) == (call.done(), call.result(), slot.done)
