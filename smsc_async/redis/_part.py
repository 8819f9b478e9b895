"""What one event loop uses of a RedisLimiter: its client, its waiters, its leases.

A limiter keeps a :class:`Part` per event loop it serves. The part runs the scripts on its
loop's client, listens on the wake channel for its waiters, and renews every lease its
requests hold; when Redis turns out to have lost the state of a login (a restart), the
part re-registers what it holds there (the restart hold: see :mod:`smsc_async.redis`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript

from smsc_async.errors import LimiterUnavailableError
from smsc_async.redis._core import Core
from smsc_async.redis._scripts import LOST, SCRIPTS, text

log = logging.getLogger("smsc_async")

_LOST_TTL = 2 * 86_400
"""Seconds a restart hold is kept: longer than any rule window's span."""
_SUBSCRIBING_POLL = 0.05
"""The longest sleep while this loop's pub/sub connection is not subscribed yet."""


def client_maker(
    url: str,
    *,
    max_connections: int,
    pool_timeout: float,
    connect_timeout: float,
    socket_timeout: float,
) -> Callable[[], aioredis.Redis]:
    """What makes each event loop's client for :meth:`RedisLimiter.from_url` (options checked)."""

    def make() -> aioredis.Redis:
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=pool_timeout,
            socket_connect_timeout=connect_timeout,
            socket_timeout=socket_timeout,
            # One immediate retry on a fresh connection (a pooled one may be dead after
            # a restart), no backoff: an unreachable Redis must fail fast.
            retry=Retry(NoBackoff(), 1),
        )
        return aioredis.Redis(connection_pool=pool)

    return make


class Part:
    """What one event loop uses: its client, scripts, held leases, waiters and tasks."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, client: aioredis.Redis, core: Core, *, owned: bool
    ) -> None:
        self.loop = loop
        self.client = client
        self.core = core
        self.owned = owned
        self.scripts: dict[str, AsyncScript] = {
            name: client.register_script(src) for name, src in SCRIPTS.items()
        }
        self.slots: dict[str, str] = {}
        """Request id -> login, for every slot held."""
        self.pending: dict[str, tuple[str, tuple[str, ...]]] = {}
        """Request id -> (login, its pending-set keys), for every admission not yet sent."""
        self.waiters: dict[str, set[asyncio.Future[None]]] = {}
        """Wake message -> futures of the waiters counting on it."""
        self.tasks: set[asyncio.Task[Any]] = set()
        self.listener: asyncio.Task[None] | None = None
        self.subscribed = asyncio.Event()
        self.renewer: asyncio.Task[None] | None = None
        self.kick = asyncio.Event()
        self.closing = False

    # --- scripts and background tasks -------------------------------------------------

    async def run(self, name: str, keys: Sequence[str], args: Sequence[object]) -> Any:
        """Run a script on this loop's client (see :meth:`Core.run`)."""
        return await self.core.run(self.scripts[name], keys, args)

    async def quietly(self, name: str, keys: Sequence[str], args: Sequence[object]) -> None:
        """A background script (leave, refund): if Redis is down, the lease ends by itself."""
        try:
            await self.run(name, keys, args)
        except Exception:  # in the background: the lease ends by itself
            log.debug("RedisLimiter: %s not delivered; its lease will end", name, exc_info=True)

    def spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        """Run ``coro`` in the background on this part's loop (from any thread)."""

        def start() -> None:
            task = self.loop.create_task(coro)
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            start()
        elif self.loop.is_closed():
            coro.close()  # the lease ends by itself
        else:
            self.loop.call_soon_threadsafe(start)

    # --- waiters and the wake listener ------------------------------------------------

    def wake(self, message: str) -> None:
        for future in self.waiters.pop(message, ()):
            if not future.done():
                future.set_result(None)

    def wake_all(self) -> None:
        """Every waiter looks again (messages may have been lost while unsubscribed)."""
        for message in list(self.waiters):
            self.wake(message)

    def expect(self, *messages: str) -> asyncio.Future[None]:
        future: asyncio.Future[None] = self.loop.create_future()
        for message in messages:
            self.waiters.setdefault(message, set()).add(future)
        return future

    def forget(self, future: asyncio.Future[None], *messages: str) -> None:
        for message in messages:
            waiters = self.waiters.get(message)
            if waiters is not None:
                waiters.discard(future)
                if not waiters:
                    del self.waiters[message]

    def poll_for(self) -> float:
        """The longest sleep of a waiter counting on a wake (short until subscribed)."""
        return self.core.poll if self.subscribed.is_set() else _SUBSCRIBING_POLL

    def ensure_listener(self) -> None:
        if self.listener is None or self.listener.done():
            self.listener = self.loop.create_task(self._listen())

    async def _listen(self) -> None:
        """Hand every wake message to the waiters; after a reconnect, renew at once."""
        delay = 0.05
        # Back within a quarter of the restart hold once Redis answers again: the hold
        # only lasts while every sharer re-registers what it holds, which starts here.
        longest = min(1.0, self.core.restart_hold / 4)
        connected_before = False
        while not self.closing:
            pubsub = self.client.pubsub()
            try:
                await pubsub.subscribe(self.core.channel)
                delay = 0.05
                # get_message may lose a cancellation that meets its own timeout: the flag
                # ends the loop within a second anyway.
                while not self.closing:
                    message = await pubsub.get_message(ignore_subscribe_messages=False, timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        # redis-py's pub/sub reconnects by itself and subscribes again: a
                        # second confirmation means the connection was lost, so Redis may
                        # have restarted: re-register what we hold at once.
                        if connected_before:
                            self.kick.set()
                        connected_before = True
                        self.subscribed.set()
                        self.wake_all()  # what was published before now is lost to us
                    elif message["type"] == "message":
                        self.wake(text(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - any failure: reconnect with backoff
                self.subscribed.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, longest)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]

    # --- leases: renewal, and recovery after a Redis restart --------------------------

    def held(self, login: str) -> tuple[list[str], list[object]] | None:
        """What this part holds of ``login``, as the renew and recover scripts take it.

        The keys (login.lua's six, then each pending entry's window) and the trailing
        arguments (slot count, slot ids, one entry id per pending key); ``None`` when it
        holds nothing.
        """
        slots = [slot for slot, owner in self.slots.items() if owner == login]
        keys: list[str] = []
        ids: list[str] = []
        for entry, (owner, pending_keys) in self.pending.items():
            if owner == login:
                keys += pending_keys
                ids += [entry] * len(pending_keys)
        if not slots and not keys:
            return None
        return [*self.core.head(self.core.tag(login)), *keys], [len(slots), *slots, *ids]

    def start_renewer(self) -> None:
        if self.renewer is None or self.renewer.done():
            self.renewer = self.loop.create_task(self._renew_loop())

    async def _renew_loop(self) -> None:
        """Renew every held lease every lease / 3 (sooner after a reconnect)."""
        while (self.slots or self.pending) and not self.closing:
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(self.kick.wait(), self.core.renew_every)
            self.kick.clear()
            logins = {*self.slots.values(), *(owner for owner, _ in self.pending.values())}
            for login in logins:
                try:
                    await self._renew(login)
                except LimiterUnavailableError:  # noqa: PERF203 - one login's failure only
                    log.debug("RedisLimiter: lease renewal failed (Redis unreachable)")
        self.renewer = None

    async def _renew(self, login: str) -> None:
        held = self.held(login)
        if held is None:
            return
        keys, tail = held
        core = self.core
        answer = await self.run(
            "renew",
            keys,
            [core.epochs.get(login, ""), "F:" + core.new_id(), core.lease, *tail],
        )
        if int(answer[0]) == LOST:
            await self.recover(login)

    async def recover(self, login: str) -> None:
        """The login's state was lost: start (or join) the restart hold, re-register."""
        core = self.core
        keys, tail = self.held(login) or (core.head(core.tag(login)), [0])
        epoch = await self.run(
            "recover",
            keys,
            [core.epochs.get(login, ""), "R:" + core.new_id(), core.lease, _LOST_TTL, *tail],
        )
        core.epochs[login] = text(epoch)
        log.warning(
            "RedisLimiter: the state of a login was lost (Redis restarted?): holding its windows"
        )

    async def aclose(self) -> None:
        """Deliver the scripts already started, stop the listener and the renewer.

        Closes the client too when the limiter made it (``owned``).
        """
        if self.tasks:  # deliver the releases and withdrawals already made
            await asyncio.wait(list(self.tasks), timeout=self.core.lease)
        self.closing = True
        tasks = [task for task in (self.listener, self.renewer) if task is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2.0)
        if self.owned:
            await self.client.aclose(close_connection_pool=True)
