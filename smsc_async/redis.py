"""A login's limits shared through Redis by every process and host that points at it.

``pip install 'smsc_async[redis]'``, then give every client of the login the same store::

    from smsc_async.redis import RedisLimiter

    limiter = RedisLimiter.from_url("redis://127.0.0.1:6379/0")  # or RedisLimiter(client)
    async with SmscClient(login=..., password=..., limiter=limiter) as smsc: ...

This is the only module that imports redis (redis-py's asyncio client, ``redis>=5``); it
works with Redis 6.2 or later and with Valkey. Its Lua scripts are package data
(``smsc_async/_lua/*.lua``), each headed by what it guarantees. What it keeps, per login
(see :mod:`smsc_async._state` for what every backend guarantees):

- **Windows**: an exact sliding log per rule key (a sorted set of send times), plus a
  sorted set of *pending* entries (joined, not yet sent) scored by the end of their lease.
  One script admits a request into all its windows at once or into none, and answers how
  long to wait otherwise. Every time is **Redis's own clock** (``TIME`` inside the
  scripts): the workers' clocks are never compared.
- **Slots**: the in-flight cap as a leased counting semaphore (a sorted set of slot ids
  scored by expiry) with a **queue** in front of it: a request that must wait for a slot
  takes its place by priority (requests of a window someone waits for first, since their
  sending decides when it admits again; then by when the call first asked, by Redis's
  clock), and a release tells the first in line that it is their turn. So a request its
  window held back for a minute is not overtaken by the requests that came meanwhile, and
  a release wakes one waiter, not every waiter of every process. A background task
  renews every lease this limiter holds every ``lease / 3`` seconds, so a slot outlives a
  slow exchange, and a worker killed with SIGKILL gives its slots (and pending entries,
  and places in the queue) back within ``lease``. :meth:`back_off` (AIMD) is kept in Redis
  too, so every sharer lowers its cap at once.
- **Blocks and pauses** (``hold``, ``ban``, the auth guard) as keys with TTLs.

**One round trip.** A request with nothing to wait for (the command path without
``max_rate``: :meth:`RedisLimiter.take`) is admitted into its windows, given its slot and
stamped by one script; the release follows in the background when its exchange ends.

Every key of one login shares one Redis Cluster hash tag (``{prefix:login}``), and every
key of a pause domain its own, so every script touches one slot. Logins are escaped (``%``
encoding) so a brace in a login cannot break its tag.

**Waiting.** A script that cannot admit says how long until the window frees (or that a
decisive entry is still pending, or that the request is queued for a slot). The waiter
sleeps that long (plus a little jitter) and wakes early on a message: ``PUBLISH`` on one
channel per prefix, and one pub/sub connection per event loop hands the messages to the
waiters they name. Pub/sub rather than ``BLPOP`` on a list: a list ties up one pooled
connection per waiter. A lost message (no one subscribed yet, a reconnect) costs only a
later wake, because a waiter that counts on one never sleeps more than two seconds
between checks.

**Redis restarted (empty) mid-run.** The sends it forgot are still in SMSC's windows. Each
login has an *epoch* key, written on first use and remembered by every sharer; a script
that finds it missing (or changed by a sharer that found it missing) reports the loss. The
first sharer to see it writes a *restart hold*: every window of the login is then held for
its full span from that moment (whoever admits into it, with its own span), and no new slot
is granted for ``restart_hold`` seconds while every sharer re-registers the slots and
pending entries it holds (each does so when its pub/sub connection comes back, or at its
next script call or renewal, whichever is first); queued requests take their places again
at their next check. Pauses this limiter has seen are re-asserted from its memory. A
sharer that starts only after the restart, before any running sharer noticed it, cannot
tell a restart from a first use: the running sharers' hold starts at their next call. A
Redis that restores an *old* snapshot is not detected: run it without persistence, or with
``appendfsync always``.

**Redis down.** By default every call fails fast with
:class:`~smsc_async.errors.LimiterUnavailableError` (nothing is sent: without the shared
state a call could break a limit other processes keep). With
``on_unavailable="process"`` it falls back to the process's own limits
(:class:`smsc_async.ProcessLimiter`) with ``fallback_share`` of the cap, and goes back to
Redis once it answers again. A full connection pool waits (up to ``pool_timeout``) instead
of raising.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import logging
import math
import secrets
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Literal, TypeVar
from urllib.parse import quote, unquote, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from smsc_async._state import (
    ID_MAX,
    Admission,
    Lease,
    LimiterBackend,
    Pause,
    TooLate,
    WindowSpec,
)
from smsc_async.errors import LimiterUnavailableError

__all__ = ["RedisLimiter"]

log = logging.getLogger("smsc_async")
R = TypeVar("R")

_CAP_REASON = "concurrency cap"
_GROW_EVERY = 2.0
"""Seconds per +1 of the cap in force after :meth:`RedisLimiter.back_off` (additive increase)."""
_LOST_TTL = 2 * 86_400
"""Seconds a restart hold is kept: longer than any rule window's span."""
_WAKE_POLL = 2.0
"""The longest sleep of a waiter that counts on a pub/sub wake (a lost message's cost)."""
_SUBSCRIBING_POLL = 0.05
"""The longest sleep while this loop's pub/sub connection is not subscribed yet."""
_RETRY_REDIS = 1.0
"""Seconds the process fallback serves before Redis is tried again."""


def _lua(*names: str) -> str:
    folder = importlib.resources.files("smsc_async") / "_lua"
    return "\n".join((folder / f"{name}.lua").read_text(encoding="utf-8") for name in names)


# Each script with the shared parts it needs (clock.lua: Redis's TIME; login.lua: the
# epoch and the slot queue; pause.lua: pause domains).
_SCRIPTS = {
    "take": _lua("clock", "login", "take"),
    "leave": _lua("clock", "login", "leave"),
    "renew": _lua("clock", "login", "renew"),
    "recover": _lua("clock", "login", "recover"),
    "refund": _lua("refund"),
    "hold": _lua("clock", "hold"),
    "back_off": _lua("clock", "back_off"),
    "paused": _lua("clock", "pause", "paused"),
    "ban": _lua("clock", "pause", "ban"),
    "auth_failed": _lua("clock", "pause", "auth_failed"),
    "next_id": _lua("next_id"),
}

# TAKE's modes (take.lua) and answers.
_ADMIT, _ADMIT_AND_GO, _GO = 0, 1, 2
_LOST, _DONE, _WINDOW, _QUEUED = -1, 0, 1, 2


def _process_fallback() -> LimiterBackend:
    """The process scope the opt-in fallback uses: the process-wide default state."""
    from smsc_async._process import ProcessLimiter  # noqa: PLC0415 - only when Redis is down

    return ProcessLimiter.default()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _positive(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"RedisLimiter: {name} must be a positive number of seconds")
    return float(value)


class _Part:
    """What one event loop uses: its client, scripts, held leases, waiters and tasks."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, client: aioredis.Redis, *, owned: bool
    ) -> None:
        self.loop = loop
        self.client = client
        self.owned = owned
        self.scripts: dict[str, AsyncScript] = {
            name: client.register_script(src) for name, src in _SCRIPTS.items()
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


class _Request:
    """One request's part in Redis: its id, the keys and arguments of its scripts, its state.

    The arguments are take.lua's, built once (``ARGS_*`` name the ones that change).
    """

    __slots__ = (
        "args",
        "asked",
        "holds",
        "id",
        "keys",
        "left",
        "login",
        "part",
        "reason",
        "tag",
        "waited",
        "windows",
    )

    ARG_KNOWN, ARG_FRESH, ARG_MODE, ARG_CAP, ARG_ASKED = 0, 1, 5, 6, 9

    def __init__(
        self, owner: RedisLimiter, part: _Part, login: str, windows: Sequence[WindowSpec]
    ) -> None:
        self.part = part
        self.login = login
        self.windows = tuple(windows)
        self.id = owner._new_id()  # noqa: SLF001 - the owner's helper
        self.tag = tag = owner._tag(login)  # noqa: SLF001
        self.keys = owner._head(tag)  # noqa: SLF001
        self.args: list[object] = [
            "",
            "",
            self.id,
            owner.lease,
            len(windows),
            _ADMIT,
            0,
            _GROW_EVERY,
            owner.restart_hold,
            "",
            owner._queue_ttl,  # noqa: SLF001
        ]
        for window in windows:
            key = window.key
            self.keys += [f"{tag}:w:{key}", f"{tag}:p:{key}", f"{tag}:b:{key}", f"{tag}:c:{key}"]
            self.args += [window.limit, repr(float(window.span))]
        self.args.append(owner._channel)  # noqa: SLF001
        self.asked = ""
        """When the call first asked, by Redis's clock (its place in the slot queue)."""
        self.reason = ""
        self.waited = False
        self.holds = False
        """Whether Redis may hold something of it (an entry, a place in line, a slot)."""
        self.left = False

    @property
    def pending_keys(self) -> tuple[str, ...]:
        return tuple(self.keys[7::4])

    @property
    def cap(self) -> int:
        value = self.args[self.ARG_CAP]
        return value if isinstance(value, int) else 0


class RedisLimiter(LimiterBackend):
    """Limiter state in Redis, shared by every process and host given the same store.

    Give one to every :class:`~smsc_async.SmscClient` of a login (``limiter=``); the
    module docstring says what is kept and how, what a Redis restart does and what
    happens while Redis is down. Usable as ``async with``; :meth:`aclose` lets go of the
    background tasks (and of the client, when :meth:`from_url` made it).

    A limiter made from a client serves that client's event loop; one made by
    :meth:`from_url` makes a client per event loop it is used on.

    Args:
        redis_client: A ``redis.asyncio.Redis`` (not a cluster client). Yours: not closed
            by :meth:`aclose`. For waits instead of errors when its pool is full, give it a
            ``redis.asyncio.BlockingConnectionPool`` (as :meth:`from_url` does).
        prefix: Start of every key and of the wake channel (no braces): sharers of a
            login must use the same.
        lease: Seconds a slot or a pending entry lives without renewal. 60 by default,
            about twice the SDK's default request timeout (30 s): a slot must outlive a
            slow exchange (it is renewed every ``lease / 3`` anyway, so only an event
            loop stalled that long loses one), and a worker killed with SIGKILL gives its
            slots back within it. Shorter returns them sooner, at more renewals. A place
            in the slot queue lives ``min(lease, 6 s)`` after its holder last asked.
        egress: The name of the outgoing address, for pause domains (what SMSC blocks is
            a server as seen from one IP). ``"shared"`` by default: every sharer is
            assumed to leave through one address, the safe side of SMSC's per-IP block
            after authorisation errors. Give each host its own name if each has its own
            address.
        on_unavailable: ``"fail"`` (the default): while Redis cannot be reached, calls
            fail fast with :class:`~smsc_async.errors.LimiterUnavailableError`, nothing
            sent. ``"process"``: fall back to the process's own limits with
            ``fallback_share`` of the cap (the other processes cannot be seen: pick a
            share no larger than 1 / the number of processes).
        fallback_share: The part of the cap the process fallback takes, in (0, 1].
        restart_hold: Seconds without new slots after a Redis restart is detected, while
            every sharer re-registers the slots it holds.
    """

    scope = "redis"

    def __init__(
        self,
        redis_client: aioredis.Redis,
        *,
        prefix: str = "smsc",
        lease: float = 60.0,
        egress: str = "shared",
        on_unavailable: Literal["fail", "process"] = "fail",
        fallback_share: float = 0.25,
        restart_hold: float = 3.0,
    ) -> None:
        if not isinstance(redis_client, aioredis.Redis):
            raise TypeError(
                "RedisLimiter needs a redis.asyncio.Redis client "
                f"(got {type(redis_client).__name__}); or use RedisLimiter.from_url"
            )
        self._setup(
            prefix=prefix,
            lease=lease,
            egress=egress,
            on_unavailable=on_unavailable,
            fallback_share=fallback_share,
            restart_hold=restart_hold,
        )
        kwargs = redis_client.connection_pool.connection_kwargs
        self._where = (
            str(kwargs["path"])
            if "path" in kwargs
            else f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
        )
        self._client: aioredis.Redis | None = redis_client
        self._make: Callable[[], aioredis.Redis] | None = None

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "smsc",
        lease: float = 60.0,
        egress: str = "shared",
        on_unavailable: Literal["fail", "process"] = "fail",
        fallback_share: float = 0.25,
        restart_hold: float = 3.0,
        connect_timeout: float = 0.5,
        socket_timeout: float = 5.0,
        max_connections: int = 32,
        pool_timeout: float = 10.0,
    ) -> RedisLimiter:
        """A limiter with its own clients (one per event loop), closed by :meth:`aclose`.

        Args:
            url: ``redis://[[user]:password@]host[:port][/db]``, ``rediss://...`` or
                ``unix:///path``. Its password never shows in a repr or an error.
            prefix: See the class.
            lease: See the class.
            egress: See the class.
            on_unavailable: See the class.
            fallback_share: See the class.
            restart_hold: See the class.
            connect_timeout: Seconds to connect: short, so an unreachable Redis fails
                fast.
            socket_timeout: Seconds an answer may take.
            max_connections: Connections per event loop; when all are busy a call waits
                for one (a ``BlockingConnectionPool``).
            pool_timeout: Seconds a call waits for a free connection before it fails
                with :class:`~smsc_async.errors.LimiterUnavailableError`.
        """
        if not isinstance(url, str) or not url:
            raise ValueError("RedisLimiter.from_url: url must be a redis:// address")
        parts = urlsplit(url)
        if parts.scheme not in {"redis", "rediss", "unix"}:
            raise ValueError(
                "RedisLimiter.from_url: the url must start with redis://, rediss:// or unix://"
            )
        _positive("connect_timeout", connect_timeout)
        _positive("socket_timeout", socket_timeout)
        _positive("pool_timeout", pool_timeout)
        if isinstance(max_connections, bool) or not isinstance(max_connections, int):
            raise TypeError("RedisLimiter.from_url: max_connections must be an int >= 2")
        if max_connections < 2:  # noqa: PLR2004 - one for pub/sub, one for the scripts
            raise ValueError("RedisLimiter.from_url: max_connections must be an int >= 2")
        self = cls.__new__(cls)
        self._setup(
            prefix=prefix,
            lease=lease,
            egress=egress,
            on_unavailable=on_unavailable,
            fallback_share=fallback_share,
            restart_hold=restart_hold,
        )
        if parts.scheme == "unix":
            self._where = unquote(parts.path)
        else:
            self._where = f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
        self._client = None

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

        self._make = make
        return self

    def _setup(
        self,
        *,
        prefix: str,
        lease: float,
        egress: str,
        on_unavailable: str,
        fallback_share: float,
        restart_hold: float,
    ) -> None:
        if not isinstance(prefix, str) or not prefix or "{" in prefix or "}" in prefix:
            raise ValueError("RedisLimiter: prefix must be a non-empty text without braces")
        if not isinstance(egress, str) or not egress.strip():
            raise ValueError("RedisLimiter: egress must be a non-empty text")
        if on_unavailable not in {"fail", "process"}:
            raise ValueError('RedisLimiter: on_unavailable must be "fail" or "process"')
        if (
            isinstance(fallback_share, bool)
            or not isinstance(fallback_share, (int, float))
            or not 0 < fallback_share <= 1
        ):
            raise ValueError("RedisLimiter: fallback_share must be a number in (0, 1]")
        self.prefix = prefix
        self.egress = egress
        """Names the outgoing address in pause domains (see the class)."""
        self.lease = _positive("lease", lease)
        self.restart_hold = _positive("restart_hold", restart_hold)
        self.on_unavailable = on_unavailable
        self.fallback_share = float(fallback_share)
        self._renew_every = self.lease / 3
        # A waiter re-asks at least every poll, so its place in line outlives three polls.
        self._queue_ttl = min(self.lease, 3 * _WAKE_POLL)
        self._poll = self._queue_ttl / 3
        self._channel = f"{prefix}:wake"
        self._token = secrets.token_hex(6)
        self._counter = 0
        self._epochs: dict[str, str] = {}
        self._tags: dict[str, str] = {}
        self._pauses: dict[str, tuple[float, str, str]] = {}
        """Pause domain -> (monotonic end, reason, login): re-asserted after a restart."""
        self._parts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Part] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()
        self._down_until = -math.inf
        self._closed = False

    # --- plumbing ---------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"RedisLimiter({self._where}, prefix={self.prefix!r}, egress={self.egress!r})"

    __str__ = __repr__

    async def __aenter__(self) -> RedisLimiter:  # noqa: PYI034 - not meant to be subclassed
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _part(self) -> _Part:
        loop = asyncio.get_running_loop()
        part = self._parts.get(loop)
        if part is not None:
            return part
        with self._lock:
            part = self._parts.get(loop)
            if part is None:
                if self._closed:
                    raise RuntimeError("this RedisLimiter was closed")
                if self._make is not None:
                    part = _Part(loop, self._make(), owned=True)
                else:
                    if self._parts:
                        raise RuntimeError(
                            "a RedisLimiter made from a client serves that client's event "
                            "loop only: use RedisLimiter.from_url to serve several loops"
                        )
                    assert self._client is not None  # noqa: S101 - set by __init__
                    part = _Part(loop, self._client, owned=False)
                self._parts[loop] = part
        return part

    def _new_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"{self._token}.{self._counter}"

    def _tag(self, login: str) -> str:
        tag = self._tags.get(login)
        if tag is None:
            if len(self._tags) > 4096:  # noqa: PLR2004 - a cache, not the state
                self._tags.clear()
            # Percent-encoding: no brace (the Cluster hash tag stays whole), no ':' (no
            # login's tag can look like a pause domain's), and injective.
            tag = self._tags[login] = "{" + f"{self.prefix}:{quote(login, safe='')}" + "}"
        return tag

    @staticmethod
    def _head(tag: str) -> list[str]:
        """The six keys every login script starts with (login.lua)."""
        return [
            f"{tag}:epoch",
            f"{tag}:lost",
            f"{tag}:slots",
            f"{tag}:cap",
            f"{tag}:q",
            f"{tag}:qx",
        ]

    def _pause_key(self, where: str, name: str = "pause") -> str:
        return "{" + f"{self.prefix}:pause:{quote(where, safe='')}" + "}:" + name

    async def _run(
        self, part: _Part, name: str, keys: Sequence[str], args: Sequence[object]
    ) -> Any:
        """Run a script; Redis unreachable becomes LimiterUnavailableError (password-free)."""
        try:
            return await part.scripts[name](keys=keys, args=args)  # type: ignore[arg-type]
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            self._down_until = time.monotonic() + _RETRY_REDIS
            if str(exc) == "No connection available.":
                why = "no free connection in the pool in time"
            else:
                why = f"unreachable ({type(exc).__name__})"
            raise LimiterUnavailableError(
                f"the limiter's Redis at {self._where}: {why}; nothing was sent"
            ) from None

    async def _script(self, name: str, keys: Sequence[str], args: Sequence[object]) -> Any:
        return await self._run(self._part(), name, keys, args)

    async def _either(
        self,
        in_redis: Callable[[], Awaitable[R]],
        in_process: Callable[[LimiterBackend], Awaitable[R]],
    ) -> R:
        """``in_redis()``, or ``in_process(...)`` while Redis is down and the fallback is on.

        Raises:
            LimiterUnavailableError: Redis cannot be reached (``on_unavailable="fail"``).
        """
        if self.on_unavailable == "fail" or time.monotonic() >= self._down_until:
            try:
                return await in_redis()
            except LimiterUnavailableError:
                if self.on_unavailable == "fail":
                    raise
        return await in_process(_process_fallback())

    def _share(self, cap: int) -> int:
        return max(1, math.floor(cap * self.fallback_share))

    def _ensure_listener(self, part: _Part) -> None:
        if part.listener is None or part.listener.done():
            part.listener = part.loop.create_task(self._listen(part))

    async def _listen(self, part: _Part) -> None:
        """Hand every wake message to the waiters; after a reconnect, renew at once."""
        delay = 0.05
        connected_before = False
        while not part.closing:
            pubsub = part.client.pubsub()
            try:
                await pubsub.subscribe(self._channel)
                if connected_before:  # Redis may have restarted: re-register what we hold
                    part.kick.set()
                connected_before = True
                delay = 0.05
                # get_message may lose a cancellation that meets its own timeout: the flag
                # ends the loop within a second anyway.
                while not part.closing:
                    message = await pubsub.get_message(ignore_subscribe_messages=False, timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        part.subscribed.set()
                        part.wake_all()  # what was published before now is lost to us
                    elif message["type"] == "message":
                        part.wake(_text(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - any failure: reconnect with backoff
                part.subscribed.clear()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call,unused-ignore]

    def _held(self, part: _Part, login: str) -> tuple[list[str], list[object]] | None:
        """What this part holds of ``login``, as the renew and recover scripts take it.

        The keys (login.lua's six, then each pending entry's window) and the trailing
        arguments (slot count, slot ids, one entry id per pending key); ``None`` when it
        holds nothing.
        """
        slots = [slot for slot, owner in part.slots.items() if owner == login]
        keys: list[str] = []
        ids: list[str] = []
        for entry, (owner, pending_keys) in part.pending.items():
            if owner == login:
                keys += pending_keys
                ids += [entry] * len(pending_keys)
        if not slots and not keys:
            return None
        return [*self._head(self._tag(login)), *keys], [len(slots), *slots, *ids]

    def _start_renewer(self, part: _Part) -> None:
        if part.renewer is None or part.renewer.done():
            part.renewer = part.loop.create_task(self._renew_loop(part))

    async def _renew_loop(self, part: _Part) -> None:
        """Renew every held lease every lease / 3 (sooner after a reconnect)."""
        while (part.slots or part.pending) and not part.closing:
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait_for(part.kick.wait(), self._renew_every)
            part.kick.clear()
            logins = {*part.slots.values(), *(owner for owner, _ in part.pending.values())}
            for login in logins:
                try:
                    await self._renew(part, login)
                except LimiterUnavailableError:  # noqa: PERF203 - one login's failure only
                    log.debug("RedisLimiter: lease renewal failed (Redis unreachable)")
        part.renewer = None

    async def _renew(self, part: _Part, login: str) -> None:
        held = self._held(part, login)
        if held is None:
            return
        keys, tail = held
        answer = await self._run(
            part,
            "renew",
            keys,
            [self._epochs.get(login, ""), "F:" + self._new_id(), self.lease, *tail],
        )
        if int(answer[0]) == _LOST:
            await self._recover(part, login)

    async def _recover(self, part: _Part, login: str) -> None:
        """The login's state was lost: start (or join) the restart hold, re-register."""
        keys, tail = self._held(part, login) or (self._head(self._tag(login)), [0])
        epoch = await self._run(
            part,
            "recover",
            keys,
            [self._epochs.get(login, ""), "R:" + self._new_id(), self.lease, _LOST_TTL, *tail],
        )
        self._epochs[login] = _text(epoch)
        log.warning(
            "RedisLimiter: the state of a login was lost (Redis restarted?): holding its windows"
        )

    # --- one request ------------------------------------------------------------------

    async def _drive(self, request: _Request, mode: int, timeout: float | None) -> None:
        """Run take.lua in ``mode`` until it is done: admitted (``_ADMIT``), or the slot taken.

        Raises:
            TooLate: The wait would pass ``timeout``.
            LimiterUnavailableError: Redis cannot be reached.
        """
        part, login, args = request.part, request.login, request.args
        loop = part.loop
        deadline = None if timeout is None else loop.time() + timeout
        self._ensure_listener(part)
        window_wake, slot_wake = "w" + request.tag, "g" + request.id
        while True:
            args[request.ARG_KNOWN] = self._epochs.get(login, "")
            args[request.ARG_FRESH] = "F:" + request.id
            args[request.ARG_MODE] = mode
            args[request.ARG_ASKED] = request.asked
            # Expected before the script runs: a wake sent while it answers is not missed.
            wakes = {
                _ADMIT: (window_wake,),
                _ADMIT_AND_GO: (window_wake, slot_wake),
                _GO: (slot_wake,),
            }[mode]
            future = part.expect(*wakes)
            try:
                request.holds = True  # until the answer says otherwise (a cancel meanwhile)
                answer = await self._run(part, "take", request.keys, args)
                status = int(answer[0])
                if status == _LOST:
                    await self._recover(part, login)
                    continue
                self._epochs[login] = _text(answer[4])
                request.asked = _text(answer[5])
                if status == _DONE:
                    self._settle(request, slot=mode != _ADMIT)
                    return
                now = loop.time()
                if status == _WINDOW:
                    wait = self._window_wait(request, answer, now, deadline)
                else:  # queued for a slot: admitted, if it was not already
                    if mode == _ADMIT_AND_GO:
                        self._settle(request, slot=False)
                        mode = _GO
                    request.waited = True
                    wait = int(answer[1]) / 1e6
                    if deadline is not None and now >= deadline:
                        raise TooLate(wait, _CAP_REASON)
                    wait = min(wait, self._poll_for(part))
                sleep = wait + _jitter(wait)
                if deadline is not None:
                    sleep = min(sleep, deadline - now)
                if sleep > 0:
                    await asyncio.wait((future,), timeout=sleep)
            finally:
                part.forget(future, *wakes)

    def _window_wait(
        self, request: _Request, answer: Sequence[Any], now: float, deadline: float | None
    ) -> float:
        """How long to sleep before asking again for a window (nothing was joined).

        Raises:
            TooLate: The window frees only after ``deadline``.
        """
        request.holds = False
        wait = int(answer[1]) / 1e6
        window = request.windows[int(answer[2]) - 1]
        request.reason = request.reason or window.label
        pending = int(answer[3]) == 1
        if deadline is not None and (now >= deadline or (not pending and now + wait >= deadline)):
            raise TooLate(wait, window.label)
        if pending:  # a withdrawal may free it: wake on one, check now and then
            return min(wait, self._poll_for(request.part))
        return wait

    def _poll_for(self, part: _Part) -> float:
        """The longest sleep of a waiter counting on a wake (short until subscribed)."""
        return self._poll if part.subscribed.is_set() else _SUBSCRIBING_POLL

    def _settle(self, request: _Request, *, slot: bool) -> None:
        """Note what the request now holds, for the renewer (entries pending, or its slot)."""
        part = request.part
        if slot:
            part.pending.pop(request.id, None)
            part.slots[request.id] = request.login
        elif request.windows:
            part.pending[request.id] = (request.login, request.pending_keys)
        self._start_renewer(part)

    def _leave(self, request: _Request) -> None:
        """Give back whatever the request holds in Redis, in the background (sync)."""
        if request.left:
            return
        request.left = True
        part = request.part
        part.slots.pop(request.id, None)
        part.pending.pop(request.id, None)
        if not request.holds:
            return
        keys = request.keys[:6]
        args: list[object] = [
            request.id,
            self._channel,
            "w" + request.tag,
            request.cap,
            _GROW_EVERY,
        ]
        for window, log_key, pending_key in zip(
            request.windows, request.keys[6::4], request.pending_keys, strict=True
        ):
            keys += [log_key, pending_key]
            args += [repr(float(window.margin)), repr(float(window.span))]
        part.spawn(self._quietly(part, "leave", keys, args))

    def _refund(self, request: _Request) -> None:
        if not request.windows:
            return
        keys = [*request.keys[6::4], *request.pending_keys]  # the logs, the pending sets
        request.part.spawn(self._quietly(request.part, "refund", keys, [request.id]))

    async def _quietly(
        self, part: _Part, name: str, keys: Sequence[str], args: Sequence[object]
    ) -> None:
        """A background script (leave, refund): if Redis is down, the lease ends by itself."""
        try:
            await self._run(part, name, keys, args)
        except Exception:  # in the background: the lease ends by itself
            log.debug("RedisLimiter: %s not delivered; its lease will end", name, exc_info=True)

    # --- the seam -----------------------------------------------------------------------

    async def admit(
        self, login: str, windows: Sequence[WindowSpec], timeout: float | None
    ) -> Admission:
        """Wait until every window has room, then join them all at once (one script).

        Raises:
            TooLate: The wait would pass ``timeout``; nothing was joined.
            LimiterUnavailableError: Redis cannot be reached (``on_unavailable="fail"``).
        """

        async def in_process(fallback: LimiterBackend) -> Admission:
            return _Shared(await fallback.admit(login, windows, timeout), self)

        return await self._either(lambda: self._admit(login, windows, timeout), in_process)

    async def _admit(
        self, login: str, windows: Sequence[WindowSpec], timeout: float | None
    ) -> Admission:
        request = _Request(self, self._part(), login, windows)
        if windows:  # with none, there is nothing to join: go() takes the slot
            try:
                await self._drive(request, _ADMIT, timeout)
            except BaseException:
                self._leave(request)
                raise
        return _RedisAdmission(self, request)

    async def take(
        self, login: str, windows: Sequence[WindowSpec], cap: int, timeout: float | None
    ) -> Lease:
        """Admit and take a slot in one script when nothing has to wait (one round trip).

        Raises:
            TooLate: The waits would pass ``timeout``; nothing is held.
            LimiterUnavailableError: Redis cannot be reached (``on_unavailable="fail"``).
        """
        return await self._either(
            lambda: self._take(login, windows, cap, timeout),
            lambda fallback: fallback.take(login, windows, self._share(cap), timeout),
        )

    async def _take(
        self, login: str, windows: Sequence[WindowSpec], cap: int, timeout: float | None
    ) -> Lease:
        request = _Request(self, self._part(), login, windows)
        request.args[request.ARG_CAP] = cap
        try:
            await self._drive(request, _ADMIT_AND_GO, timeout)
        except BaseException:
            self._leave(request)
            raise
        lease = _RedisLease(self, request)
        lease.reason = request.reason or (_CAP_REASON if request.waited else "")
        return lease

    async def hold(self, login: str, windows: Sequence[WindowSpec], seconds: float) -> None:
        """SMSC said 9 for these windows: every sharer admits nothing into them for ``seconds``."""
        if not windows or seconds <= 0:
            return
        tag = self._tag(login)
        keys = [f"{tag}:b:{w.key}" for w in windows]
        await self._either(
            lambda: self._script("hold", keys, [repr(float(seconds))]),
            lambda fallback: fallback.hold(login, windows, seconds),
        )

    async def back_off(self, login: str, cap: int) -> int:
        """Halve the login's cap in force for every sharer; it grows back by one every 2 s."""

        async def in_redis() -> int:
            return int(
                await self._script("back_off", [f"{self._tag(login)}:cap"], [cap, _GROW_EVERY])
            )

        return await self._either(in_redis, lambda p: p.back_off(login, self._share(cap)))

    def _pause(self, where: str, answer: Sequence[object]) -> Pause | None:
        if not answer:
            return None
        pause = Pause(int(str(answer[0])) / 1e6, _text(answer[1]), _text(answer[2]))
        self._pauses[where] = (time.monotonic() + pause.seconds, pause.reason, pause.login)
        return pause

    async def paused(self, where: str) -> Pause | None:
        """The pause of ``where`` in force (a pause this limiter saw outlives a restart)."""

        async def in_redis() -> Pause | None:
            pause = self._pause(where, await self._script("paused", [self._pause_key(where)], []))
            known = self._pauses.get(where)
            if pause is None and known is not None:
                left = known[0] - time.monotonic()
                if left > 0:  # Redis forgot it (a restart): SMSC did not
                    return await self.ban(where, known[2], left, known[1])
                del self._pauses[where]
            return pause

        return await self._either(in_redis, lambda fallback: fallback.paused(where))

    async def ban(self, where: str, login: str, seconds: float, reason: str) -> Pause:
        """SMSC blocked the address (error 4): every sharer pauses ``where`` for ``seconds``."""

        async def in_redis() -> Pause:
            answer = await self._script(
                "ban", [self._pause_key(where)], [repr(float(seconds)), reason, login]
            )
            return self._pause(where, answer) or Pause(float(seconds), reason, login)

        return await self._either(
            in_redis, lambda fallback: fallback.ban(where, login, seconds, reason)
        )

    async def auth_failed(self, where: str, login: str, *, limit: int, span: float) -> Pause | None:
        """Count an authorisation error for every sharer; ``limit`` in ``span`` pause ``where``."""

        async def in_redis() -> Pause | None:
            keys = [self._pause_key(where), self._pause_key(where, "auth")]
            reason = f"{limit} authorisation errors within {span:g} s"
            member = f"{self._new_id()}|{login}"
            args = [limit, repr(float(span)), member, reason, login]
            return self._pause(where, await self._script("auth_failed", keys, args))

        return await self._either(
            in_redis, lambda fallback: fallback.auth_failed(where, login, limit=limit, span=span)
        )

    async def next_id(self, login: str) -> int:
        """A message id no other sharer hands out for ``login`` now (a counter in Redis)."""

        async def in_redis() -> int:
            start = 1 + secrets.randbelow(ID_MAX)
            return int(await self._script("next_id", [f"{self._tag(login)}:id"], [start, ID_MAX]))

        return await self._either(in_redis, lambda fallback: fallback.next_id(login))

    async def aclose(self) -> None:
        """Stop the background tasks of this loop; close the clients :meth:`from_url` made.

        Slots still held are left to their leases (their requests may still be at SMSC).
        """
        with self._lock:
            self._closed = True
            parts = list(self._parts.items())
            self._parts.clear()
        try:
            current = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        for loop, part in parts:
            if loop is not current:
                continue  # another loop's part: its tasks end with that loop
            if part.tasks:  # deliver the releases and withdrawals already made
                await asyncio.wait(list(part.tasks), timeout=self.lease)
            part.closing = True
            tasks = [task for task in (part.listener, part.renewer) if task is not None]
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=2.0)
            if part.owned:
                await part.client.aclose(close_connection_pool=True)


def _jitter(wait: float) -> float:
    """A little random delay, so sharers woken at one moment do not all ask at once."""
    return secrets.randbelow(1000) / 1000 * min(0.005, wait * 0.1)


class _RedisAdmission(Admission):
    def __init__(self, owner: RedisLimiter, request: _Request) -> None:
        self.owner = owner
        self.request = request
        self.reason = request.reason

    async def go(self, cap: int, timeout: float | None) -> Lease:
        owner, request = self.owner, self.request
        request.args[request.ARG_CAP] = cap
        try:
            await owner._drive(request, _GO, timeout)  # noqa: SLF001 - the owner's helper
        except LimiterUnavailableError:
            request.part.pending.pop(request.id, None)  # its lease ends in Redis
            if owner.on_unavailable == "fail":
                raise
            # Redis went down between admit and go: this request goes by the process scope.
            inner = await _process_fallback().admit(request.login, request.windows, timeout)
            return await _Shared(inner, owner).go(cap, timeout)
        except BaseException:
            self.withdraw()
            raise
        return _RedisLease(owner, request)

    def withdraw(self) -> None:
        self.owner._leave(self.request)  # noqa: SLF001 - the owner's helper


class _RedisLease(Lease):
    def __init__(self, owner: RedisLimiter, request: _Request) -> None:
        self.owner = owner
        self.request = request
        self.waited = request.waited
        self._refunded = False

    def release(self) -> None:
        self.owner._leave(self.request)  # noqa: SLF001 - the owner's helper

    def refund(self) -> None:
        if not self._refunded:
            self._refunded = True
            self.owner._refund(self.request)  # noqa: SLF001 - the owner's helper


class _Shared(Admission):
    """An admission of the process fallback, going with ``fallback_share`` of the cap."""

    def __init__(self, inner: Admission, owner: RedisLimiter) -> None:
        self.inner = inner
        self.owner = owner
        self.reason = inner.reason

    async def go(self, cap: int, timeout: float | None) -> Lease:
        return await self.inner.go(self.owner._share(cap), timeout)  # noqa: SLF001

    def withdraw(self) -> None:
        self.inner.withdraw()
