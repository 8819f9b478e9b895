"""Until SMSC has accepted a client's credentials once, its requests go one at a time.

With a wrong password every request in flight earns an authorisation error, and SMSC blocks
the IP for 30 minutes at the fifth within 30 minutes (spec §8). The guard pauses a server
after four, but it can only count answers: fourteen requests sent at once (or two workers'
worth) would earn the block before the first answer came back. So a client's first request
goes alone, and the others wait for its answer. When an answer shows SMSC took the
credentials, the rest go as the limits allow; after an authorisation error (a password
changed meanwhile) they go one at a time again, so the guard sees each error before the next
is risked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import anyio

from smsc_async._state import TooLate
from smsc_async.errors import ApiError, AuthError, IpBlockedError

__all__ = ["FirstAnswer"]

T = TypeVar("T")

WAITING = "the first answer (the credentials are not confirmed yet)"


class FirstAnswer:
    """One client's requests: one at a time until an answer shows its credentials work."""

    def __init__(self) -> None:
        self.accepted = False
        """Whether an answer showed SMSC takes the credentials (since the last error 2)."""
        self._gate: asyncio.Lock | None = None

    def reset(self) -> None:
        """The client moved to another event loop: an asyncio lock serves one loop only."""
        self._gate = None

    async def run(
        self,
        attempt: Callable[[], Awaitable[T]],
        *,
        enter: Callable[[Coroutine[Any, Any, Any]], Awaitable[Any]],
        left: float | None,
    ) -> T:
        """``attempt()``, alone while the credentials are not confirmed.

        Args:
            attempt: One attempt of a call (waits for the limits, sends, decodes).
            enter: Awaits the wait for the gate (the command path's, so that closing the
                client ends it).
            left: Seconds the call may still wait, ``None`` for no bound.

        Raises:
            TooLate: The first answer did not come within ``left``; nothing was sent.
        """
        if self.accepted:
            return await self._watch(attempt)
        if self._gate is None:
            self._gate = asyncio.Lock()
        gate = self._gate
        try:
            with anyio.fail_after(left):
                await enter(gate.acquire())
        except TimeoutError:
            raise TooLate(0.0, WAITING) from None
        try:
            if self.accepted:  # confirmed while this one waited: no need to go alone
                gate.release()
                gate = None
            return await self._watch(attempt)
        finally:
            if gate is not None:
                gate.release()

    async def _watch(self, attempt: Callable[[], Awaitable[T]]) -> T:
        try:
            result = await attempt()
        except (AuthError, IpBlockedError):
            self.accepted = False
            raise
        except ApiError:
            # Assumption: SMSC checks the credentials before anything else it answers with
            # an error code, so any other code (a 9, a bad parameter) means it took them.
            self.accepted = True
            raise
        self.accepted = True
        return result
