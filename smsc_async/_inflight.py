"""Requests on their way and calls waiting to send: what a command path's closing stops.

A request runs in a task of its own, holding its concurrency slot until it ends, so that a
caller who stops waiting (timeout, deadline, cancellation) leaves it running: SMSC may
still be working on it, and counts it as in flight until it answers. Closing (:meth:`InFlight.stop`)
fails the calls still waiting to send and stops the requests on their way, awaiting nothing
from the server; each call then ends with the error :mod:`smsc_async._retry` names for it.
"""

from __future__ import annotations

import asyncio
import functools
import sys
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

from smsc_async._commands import Command
from smsc_async._retry import ClosedInFlight, closed_error
from smsc_async._state import Lease
from smsc_async._transport import RawReply
from smsc_async.errors import TransportError

__all__ = ["InFlight"]

W = TypeVar("W")


class InFlight:
    """The calls of one command path waiting to send, and its requests on their way.

    Args:
        abandon_after: Seconds a request nobody waits for any more may run on before it
            is cancelled.
    """

    def __init__(self, abandon_after: float) -> None:
        self._abandon_after = abandon_after
        self._exchanges: set[asyncio.Task[None]] = set()
        # Calls waiting to send (limiter, retry pause): stop() fails them.
        self._waiters: set[asyncio.Task[Any]] = set()
        self._stopped: set[asyncio.Task[Any]] = set()  # cancelled by stop(), not by callers
        self.closed = False
        """Whether :meth:`stop` was called."""

    async def stop(self) -> None:
        """Close: fail the calls waiting to send, and stop the requests still on their way.

        Nothing is awaited from the server: a call whose request had left ends with
        :class:`MaybeAppliedError` (a read with :class:`ClientClosedError`), as do the
        requests running in the background because their callers gave up on them.
        """
        self.closed = True
        current = asyncio.get_running_loop()
        for task in list(self._waiters):
            if task.get_loop() is current and not task.done():
                self._stopped.add(task)
                task.cancel()
        mine = []
        for exchange in list(self._exchanges):
            loop = exchange.get_loop()
            if loop is current:
                exchange.cancel()
                mine.append(exchange)
            elif loop.is_closed():
                self._exchanges.discard(exchange)
            else:
                loop.call_soon_threadsafe(exchange.cancel)
        if mine:
            await asyncio.gather(*mine, return_exceptions=True)

    async def waiting_for(self, awaitable: Awaitable[W], command: Command[Any]) -> W:
        """Await ``awaitable`` (a wait before sending), failing it if the client is closed."""
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - always inside a task here
        self._waiters.add(task)
        try:
            return await awaitable
        except asyncio.CancelledError:
            if task not in self._stopped:
                raise
            self._stopped.discard(task)
            _uncancel(task)
            raise closed_error(command) from None
        finally:
            self._waiters.discard(task)

    async def send(
        self,
        request: Coroutine[Any, Any, RawReply],
        *,
        command: str,
        lease: Lease,
        request_timeout: float | None,
        deadline: float | None,
    ) -> RawReply:
        """Run ``request`` in a task of its own, holding the concurrency slot until it ends.

        If the caller stops waiting (timeout, deadline, cancellation), the request runs on:
        SMSC may still be working on it, and counts it as in flight until it answers.

        Raises:
            TransportError: No answer within ``request_timeout`` or before ``deadline``.
            ClosedInFlight: :meth:`stop` stopped it, not the caller.
        """
        loop = asyncio.get_running_loop()
        # The caller waits on a future of its own, not on the task (as asyncio.shield would
        # have it): cancelling the caller cancels that future only, the request runs on. The
        # task hands its outcome over as it ends, so the caller resumes one loop turn after
        # the answer, not three (task -> shield -> caller); the timeout is a timer on that
        # future rather than a cancel scope. Per call, that is most of the path's own cost.
        waiter: asyncio.Future[RawReply | None] = loop.create_future()
        ending = _Exchange(request, lease, waiter)
        exchange = loop.create_task(ending.run())
        self._exchanges.add(exchange)
        exchange.add_done_callback(functools.partial(_exchange_done, self._exchanges, ending))
        limit = request_timeout
        if deadline is not None:
            limit = (
                min(limit, deadline - loop.time())
                if limit is not None
                else (deadline - loop.time())
            )
        timer = None if limit is None else loop.call_later(max(0.0, limit), _expire, waiter)
        try:
            reply = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                waiter.exception()  # retrieved: it came as the caller was cancelled
            if exchange.cancelled() and self.closed and not _cancelling():
                raise ClosedInFlight from None  # stop() stopped it, not our caller
            self._abandon(exchange)
            raise
        finally:
            if timer is not None:
                timer.cancel()
        if reply is None:  # the timer's: no answer in time
            self._abandon(exchange)
            raise TransportError(
                f"no answer within {limit:.3g} s", command=command, request_sent=True
            )
        return reply

    def _abandon(self, exchange: asyncio.Task[None]) -> None:
        if not exchange.done():
            # Not for ever: after this long the server has surely given up too.
            asyncio.get_running_loop().call_later(self._abandon_after, exchange.cancel)


class _Exchange:
    """One request on its way: ends its lease and hands its outcome to the waiting caller."""

    __slots__ = ("ended", "lease", "request", "waiter")

    def __init__(
        self,
        request: Coroutine[Any, Any, RawReply],
        lease: Lease,
        waiter: asyncio.Future[RawReply | None],
    ) -> None:
        self.request = request
        self.lease = lease
        self.waiter = waiter
        self.ended = False

    async def run(self) -> None:
        """The task's body: the request, then its end, inside the task's last step."""
        try:
            reply = await self.request
        except asyncio.CancelledError:
            self.end(None)
            self.waiter.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - handed to the caller, who raises it
            self.end(exc)
            if not self.waiter.done():
                self.waiter.set_exception(exc)
            return
        self.end(None)
        if not self.waiter.done():
            self.waiter.set_result(reply)

    def end(self, error: BaseException | None) -> None:
        """The exchange ended (answered, failed, cut or cancelled): its slot goes back."""
        if self.ended:
            return
        self.ended = True
        if isinstance(error, TransportError) and not error.request_sent:
            # SMSC never saw it (e.g. no connection): retries of an unreachable server
            # must not use up the window and then wait a minute for nothing.
            self.lease.refund()
        self.lease.release()


def _exchange_done(
    exchanges: set[asyncio.Task[None]], ending: _Exchange, exchange: asyncio.Task[None]
) -> None:
    """The task ended; what its body could not do (cancelled before it began) is done here."""
    exchanges.discard(exchange)
    if ending.ended:
        return
    error = None if exchange.cancelled() else exchange.exception()
    ending.request.close()  # never started: no "never awaited" warning
    ending.end(error)
    if not ending.waiter.done():
        if error is None:
            ending.waiter.cancel()
        else:
            ending.waiter.set_exception(error)


def _expire(waiter: asyncio.Future[RawReply | None]) -> None:
    """The caller's time for an answer is up: it stops waiting (the request runs on)."""
    if not waiter.done():
        waiter.set_result(None)


def _cancelling() -> bool:
    """Whether the current task was asked to stop (always ``False`` before Python 3.11).

    Before 3.11 a task cannot tell, so a caller cancelled just as aclose() ran may see the
    error of a closed client rather than its CancelledError.
    """
    task = asyncio.current_task()
    return sys.version_info >= (3, 11) and task is not None and task.cancelling() > 0


def _uncancel(task: asyncio.Task[Any]) -> None:
    """Undo our own cancel() of ``task`` (3.11+ counts them; timeouts read the count)."""
    if sys.version_info >= (3, 11):
        task.uncancel()
