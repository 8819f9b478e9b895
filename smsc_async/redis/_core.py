"""What a RedisLimiter keeps for all the event loops it serves: names, ids, memory, health.

Every loop has its own client (:mod:`smsc_async.redis._part`); the key names, the request
ids, what it remembers across a Redis restart (each login's epoch, the pauses it saw) and
whether Redis answered lately are the limiter's, shared by its loops and threads.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from smsc_async._state import Pause
from smsc_async.errors import LimiterUnavailableError
from smsc_async.redis._scripts import text

_WAKE_POLL = 2.0
"""The longest sleep of a waiter that counts on a pub/sub wake (a lost message's cost)."""
_RETRY_REDIS = 1.0
"""Seconds the process fallback serves before Redis is tried again."""


class Core:
    """One RedisLimiter's state that does not belong to an event loop.

    Args:
        where: Redis's address, for error messages (never with a password).
        prefix: The limiter's ``prefix`` (validated).
        lease: The limiter's ``lease`` (validated).
        restart_hold: The limiter's ``restart_hold`` (validated).
    """

    def __init__(self, *, where: str, prefix: str, lease: float, restart_hold: float) -> None:
        self.where = where
        self.prefix = prefix
        self.lease = lease
        self.restart_hold = restart_hold
        self.renew_every = lease / 3
        # A waiter re-asks at least every poll, so its place in line outlives three polls.
        self.queue_ttl = min(lease, 3 * _WAKE_POLL)
        self.poll = self.queue_ttl / 3
        self.channel = f"{prefix}:wake"
        self.epochs: dict[str, str] = {}
        """Login -> its epoch as last seen (login.lua: a missing or changed one is a loss)."""
        self.pauses: dict[str, tuple[float, str, str]] = {}
        """Pause domain -> (monotonic end, reason, login): re-asserted after a restart."""
        self.down_until = -math.inf
        """Until when (``time.monotonic()``) the process fallback serves without asking Redis."""
        self._token = secrets.token_hex(6)
        self._counter = 0
        self._lock = threading.Lock()
        self._tags: dict[str, str] = {}

    def new_id(self) -> str:
        """An id no other request (or sharer) uses: a random token per limiter, a counter."""
        with self._lock:
            self._counter += 1
            return f"{self._token}.{self._counter}"

    def tag(self, login: str) -> str:
        """The Redis Cluster hash tag every key of ``login`` starts with."""
        tag = self._tags.get(login)
        if tag is None:
            if len(self._tags) > 4096:  # noqa: PLR2004 - a cache, not the state
                self._tags.clear()
            # Percent-encoding: no brace (the Cluster hash tag stays whole), no ':' (no
            # login's tag can look like a pause domain's), and injective.
            tag = self._tags[login] = "{" + f"{self.prefix}:{quote(login, safe='')}" + "}"
        return tag

    @staticmethod
    def head(tag: str) -> list[str]:
        """The six keys every login script starts with (login.lua)."""
        return [
            f"{tag}:epoch",
            f"{tag}:lost",
            f"{tag}:slots",
            f"{tag}:cap",
            f"{tag}:q",
            f"{tag}:qx",
        ]

    def pause_key(self, where: str, name: str = "pause") -> str:
        """A key of the pause domain ``where`` (its own hash tag)."""
        return "{" + f"{self.prefix}:pause:{quote(where, safe='')}" + "}:" + name

    def pause(self, where: str, answer: Sequence[object]) -> Pause | None:
        """The pause a pause script answered for ``where`` (remembered), or ``None``."""
        if not answer:
            return None
        pause = Pause(int(str(answer[0])) / 1e6, text(answer[1]), text(answer[2]))
        self.pauses[where] = (time.monotonic() + pause.seconds, pause.reason, pause.login)
        return pause

    async def run(self, script: AsyncScript, keys: Sequence[str], args: Sequence[object]) -> Any:
        """Run a script; Redis unreachable becomes LimiterUnavailableError (password-free)."""
        try:
            return await script(keys=keys, args=args)  # type: ignore[arg-type]
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            self.down_until = time.monotonic() + _RETRY_REDIS
            if str(exc) == "No connection available.":
                why = "no free connection in the pool in time"
            else:
                why = f"unreachable ({type(exc).__name__})"
            raise LimiterUnavailableError(
                f"the limiter's Redis at {self.where}: {why}; nothing was sent"
            ) from None
