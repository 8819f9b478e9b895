"""Identical safe reads in flight share one request (and its result or error).

The command path decides which reads are identical (the key) and runs the one that goes;
this module keeps the reads in flight on the path's loop, hands each joining caller the
same outcome, and cancels a shared read only when its last caller has gone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["SharedReads"]

T = TypeVar("T")
Key = tuple[object, ...]


class _Read:
    """One shared read: its task, and a future per caller still waiting for it.

    Each caller waits on a future of its own, not on the task (as ``asyncio.shield`` would
    have it): a caller cancelled cancels its future only, and the task hands its outcome to
    every future as it ends, so a caller resumes one loop turn after the read, not three.
    """

    __slots__ = ("key", "read", "shared", "task", "waiters")

    def __init__(self, shared: dict[Key, _Read], key: Key) -> None:
        self.shared = shared
        self.key = key
        self.waiters: list[asyncio.Future[Any]] = []
        self.task: asyncio.Task[None] | None = None
        self.read: Coroutine[Any, Any, Any] | None = None

    async def run(self) -> None:
        """The task's body: the read, its outcome handed over inside the task's last step."""
        assert self.read is not None  # noqa: S101 - set before the task starts
        try:
            result = await self.read
        except asyncio.CancelledError:
            self.forget()
            self.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 - handed to every caller, who raise it
            self.forget()
            for waiter in self.waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            self.waiters = []
            return
        self.forget()  # ended: the next identical call starts a new read
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_result(result)
        self.waiters = []

    def forget(self) -> None:
        """Out of the reads in flight (unless a reset() put another in its place)."""
        if self.shared.get(self.key) is self:
            del self.shared[self.key]

    def ended(self, task: asyncio.Task[None]) -> None:
        """The task's done-callback: what its body could not do is done here.

        That is: a task cancelled before it began, or ended by a BaseException.
        """
        self.forget()
        if self.read is not None:
            self.read.close()  # cancelled before it began: no "never awaited" warning
        if not self.waiters:
            return
        error = None if task.cancelled() else task.exception()
        for waiter in self.waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.cancel()
            else:
                waiter.set_exception(error)
        self.waiters = []

    def cancel(self) -> None:
        """Every caller still waiting sees the read cancelled."""
        for waiter in self.waiters:
            waiter.cancel()
        self.waiters = []


class SharedReads:
    """The safe reads in flight on one event loop, each under the key of its identical calls."""

    def __init__(self) -> None:
        self._shared: dict[Key, _Read] = {}

    def reset(self) -> None:
        """Forget every read in flight (what another loop left cannot be awaited from this one).

        A caller still waiting keeps its read (it holds it), and ends with its outcome.
        """
        self._shared = {}

    async def join(
        self,
        key: Key,
        start: Callable[[], Coroutine[Any, Any, T]],
        on_join: Callable[[], None],
    ) -> T:
        """The outcome of the read under ``key``: joined if one is in flight, else ``start()``-ed.

        Args:
            key: What makes two reads identical.
            start: Runs the read, when none is in flight under ``key``.
            on_join: Called when this caller joins a read already in flight.
        """
        loop = asyncio.get_running_loop()
        shared = self._shared
        read = shared.get(key)
        if read is None:
            read = shared[key] = _Read(shared, key)
            read.read = start()
            read.task = loop.create_task(read.run())
            read.task.add_done_callback(read.ended)
        else:
            on_join()
        waiter: asyncio.Future[T] = loop.create_future()
        read.waiters.append(waiter)
        try:
            result = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                waiter.exception()  # retrieved: it came as this caller was cancelled
            # The shared read lives on for the other callers; when the last one leaves,
            # it is cancelled too (a request already sent keeps its slot till it ends).
            if waiter in read.waiters:
                read.waiters.remove(waiter)
            task = read.task
            if not read.waiters and task is not None and not task.done():
                task.cancel()
            raise
        # Each caller its own list: one caller's changes must not show in another's.
        return list(result) if isinstance(result, list) else result  # type: ignore[return-value]
