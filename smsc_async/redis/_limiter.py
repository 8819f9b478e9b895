"""The public class: RedisLimiter's options and constructors, its parts, the seam's methods.

What it keeps in Redis and how is the package docstring's; each method hands the work to
the modules below (a request to ``_request``, Redis down to ``_fallback``).
"""

from __future__ import annotations

import asyncio
import math
import secrets
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal, TypeVar
from urllib.parse import unquote, urlsplit

import redis.asyncio as aioredis

from smsc_async._state import ID_MAX, Admission, Lease, LimiterBackend, Pause, WindowSpec
from smsc_async.redis._core import Core
from smsc_async.redis._fallback import Shared, either, share
from smsc_async.redis._part import Part, client_maker
from smsc_async.redis._request import admit, take
from smsc_async.redis._scripts import GROW_EVERY

R = TypeVar("R")


def _positive(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"RedisLimiter: {name} must be a positive number of seconds")
    return float(value)


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
        self._core = self._core_at(
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
            self._core = self._core_at(unquote(parts.path))
        else:
            self._core = self._core_at(f"{parts.hostname or 'localhost'}:{parts.port or 6379}")
        self._client = None

        self._make = client_maker(
            url,
            max_connections=max_connections,
            pool_timeout=pool_timeout,
            connect_timeout=connect_timeout,
            socket_timeout=socket_timeout,
        )
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
        self._parts: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Part] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()
        self._closed = False

    def _core_at(self, where: str) -> Core:
        """The state every loop shares, once the options are checked and Redis is named."""
        return Core(
            where=where, prefix=self.prefix, lease=self.lease, restart_hold=self.restart_hold
        )

    # --- plumbing ---------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"RedisLimiter({self._core.where}, prefix={self.prefix!r}, egress={self.egress!r})"

    __str__ = __repr__

    async def __aenter__(self) -> RedisLimiter:  # noqa: PYI034 - not meant to be subclassed
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _part(self) -> Part:
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
                    part = Part(loop, self._make(), self._core, owned=True)
                else:
                    if self._parts:
                        raise RuntimeError(
                            "a RedisLimiter made from a client serves that client's event "
                            "loop only: use RedisLimiter.from_url to serve several loops"
                        )
                    assert self._client is not None  # noqa: S101 - set by __init__
                    part = Part(loop, self._client, self._core, owned=False)
                self._parts[loop] = part
        return part

    async def _script(self, name: str, keys: Sequence[str], args: Sequence[object]) -> Any:
        return await self._part().run(name, keys, args)

    async def _either(
        self,
        in_redis: Callable[[], Awaitable[R]],
        in_process: Callable[[LimiterBackend], Awaitable[R]],
    ) -> R:
        """Redis, or the process fallback while Redis is down (``_fallback.either``)."""
        return await either(self, self._core, in_redis, in_process)

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
            return Shared(await fallback.admit(login, windows, timeout), self)

        return await self._either(
            lambda: admit(self, self._part(), login, windows, timeout), in_process
        )

    async def take(
        self, login: str, windows: Sequence[WindowSpec], cap: int, timeout: float | None
    ) -> Lease:
        """Admit and take a slot in one script when nothing has to wait (one round trip).

        Raises:
            TooLate: The waits would pass ``timeout``; nothing is held.
            LimiterUnavailableError: Redis cannot be reached (``on_unavailable="fail"``).
        """
        return await self._either(
            lambda: take(self._part(), login, windows, cap, timeout),
            lambda fallback: fallback.take(login, windows, share(self, cap), timeout),
        )

    async def hold(self, login: str, windows: Sequence[WindowSpec], seconds: float) -> None:
        """SMSC said 9 for these windows: every sharer admits nothing into them for ``seconds``."""
        if not windows or seconds <= 0:
            return
        tag = self._core.tag(login)
        keys = [f"{tag}:b:{w.key}" for w in windows]
        await self._either(
            lambda: self._script("hold", keys, [repr(float(seconds))]),
            lambda fallback: fallback.hold(login, windows, seconds),
        )

    async def back_off(self, login: str, cap: int) -> int:
        """Halve the login's cap in force for every sharer; it grows back by one every 2 s."""

        async def in_redis() -> int:
            return int(
                await self._script("back_off", [f"{self._core.tag(login)}:cap"], [cap, GROW_EVERY])
            )

        return await self._either(in_redis, lambda p: p.back_off(login, share(self, cap)))

    async def paused(self, where: str) -> Pause | None:
        """The pause of ``where`` in force (a pause this limiter saw outlives a restart)."""

        async def in_redis() -> Pause | None:
            answer = await self._script("paused", [self._core.pause_key(where)], [])
            pause = self._core.pause(where, answer)
            known = self._core.pauses.get(where)
            if pause is None and known is not None:
                left = known[0] - time.monotonic()
                if left > 0:  # Redis forgot it (a restart): SMSC did not
                    return await self.ban(where, known[2], left, known[1])
                del self._core.pauses[where]
            return pause

        return await self._either(in_redis, lambda fallback: fallback.paused(where))

    async def ban(self, where: str, login: str, seconds: float, reason: str) -> Pause:
        """SMSC blocked the address (error 4): every sharer pauses ``where`` for ``seconds``."""

        async def in_redis() -> Pause:
            answer = await self._script(
                "ban", [self._core.pause_key(where)], [repr(float(seconds)), reason, login]
            )
            return self._core.pause(where, answer) or Pause(float(seconds), reason, login)

        return await self._either(
            in_redis, lambda fallback: fallback.ban(where, login, seconds, reason)
        )

    async def auth_failed(self, where: str, login: str, *, limit: int, span: float) -> Pause | None:
        """Count an authorisation error for every sharer; ``limit`` in ``span`` pause ``where``."""

        async def in_redis() -> Pause | None:
            keys = [self._core.pause_key(where), self._core.pause_key(where, "auth")]
            reason = self.auth_reason(limit, span)
            member = f"{self._core.new_id()}|{login}"
            args = [limit, repr(float(span)), member, reason, login]
            return self._core.pause(where, await self._script("auth_failed", keys, args))

        return await self._either(
            in_redis,
            lambda fallback: fallback.auth_failed(where, login, limit=limit, span=span),
        )

    async def next_id(self, login: str) -> int:
        """A message id no other sharer hands out for ``login`` now (a counter in Redis)."""

        async def in_redis() -> int:
            start = 1 + secrets.randbelow(ID_MAX)
            return int(
                await self._script("next_id", [f"{self._core.tag(login)}:id"], [start, ID_MAX])
            )

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
            await part.aclose()
