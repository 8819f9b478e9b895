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


class SharedReads:
    """The safe reads in flight on one event loop, each under the key of its identical calls."""

    def __init__(self) -> None:
        self._shared: dict[Key, asyncio.Task[Any]] = {}
        self._waiting: dict[Key, int] = {}

    def reset(self) -> None:
        """Forget every read in flight (what another loop left cannot be awaited from this one)."""
        self._shared, self._waiting = {}, {}

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
        task = self._shared.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(start())
            self._shared[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        else:
            on_join()
        # The counts of this loop's reads: a reset() for another loop leaves them alone.
        waiting = self._waiting
        waiting[key] = waiting.get(key, 0) + 1
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            # The shared read lives on for the other callers; when the last one leaves,
            # it is cancelled too (a request already sent keeps its slot till it ends).
            if waiting.get(key) == 1 and not task.done():
                task.cancel()
            raise
        finally:
            waiting[key] -= 1
            if not waiting[key]:
                del waiting[key]
        # Each caller its own list: one caller's changes must not show in another's.
        return list(result) if isinstance(result, list) else result  # type: ignore[return-value]

    def _forget(self, key: Key, task: asyncio.Task[Any]) -> None:
        if self._shared.get(key) is task:
            del self._shared[key]
        if not task.cancelled():
            task.exception()  # retrieved: every waiter may have gone
