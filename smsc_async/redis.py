"""A login's limits shared through Redis by every process and host that points at it.

``pip install 'smsc_async[redis]'``, then give every client of the login the same store::

    from smsc_async.redis import RedisLimiter

    limiter = RedisLimiter.from_url("redis://127.0.0.1:6379/0")  # or RedisLimiter(client)
    async with SmscClient(login=..., password=..., limiter=limiter) as smsc: ...

This is the only module that imports redis (redis-py's asyncio client, ``redis>=5``); it
works with Redis 6.2 or later and with Valkey. What it keeps, per login (see
:mod:`smsc_async._state` for what every backend guarantees):

- **Windows**: an exact sliding log per rule key (a sorted set of send times), plus a
  sorted set of *pending* entries (joined, not yet sent) scored by the end of their lease.
  One Lua script admits a request into all its windows at once or into none, and answers
  how long to wait otherwise. Every time is **Redis's own clock** (``TIME`` inside the
  scripts): the workers' clocks are never compared.
- **Slots**: the in-flight cap as a leased counting semaphore (a sorted set of slot ids
  scored by expiry). A background task renews every lease this limiter holds every
  ``lease / 3`` seconds, so a slot outlives a slow exchange, and a worker killed with
  SIGKILL gives its slots (and pending entries) back within ``lease``. :meth:`back_off`
  (AIMD) is kept in Redis too, so every sharer lowers its cap at once.
- **Blocks and pauses** (``hold``, ``ban``, the auth guard) as keys with TTLs.

Every key of one login shares one Redis Cluster hash tag (``{prefix:login}``), and every
key of a pause domain its own, so every script touches one slot. Logins are escaped (``%``
encoding) so a brace in a login cannot break its tag.

**Waiting.** A script that cannot admit says how long until the window frees (or that a
decisive entry is still pending, or until the earliest slot lease ends). The waiter sleeps
that long (plus a little jitter) and wakes early when a slot is released or a pending entry
withdrawn: releases ``PUBLISH`` on one channel per prefix, and one pub/sub connection per
event loop hands them to the waiters of that login. Pub/sub rather than ``BLPOP`` on a
list: a list wakes one waiter per push and ties up one pooled connection per waiter, while
pub/sub fans one message out to every waiter of every sharer over one connection; a lost
message (no one subscribed yet, a reconnect) costs only a later wake, because a waiter
never sleeps more than two seconds between checks when it counts on a message.

**Redis restarted (empty) mid-run.** The sends it forgot are still in SMSC's windows. Each
login has an *epoch* key, written on first use and remembered by every sharer; a script
that finds it missing (or changed by a sharer that found it missing) reports the loss. The
first sharer to see it writes a *restart hold*: every window of the login is then held for
its full span from that moment (whoever admits into it, with its own span), and no new slot
is granted for ``restart_hold`` seconds while every sharer re-registers the slots and
pending entries it holds (each does so when its pub/sub connection comes back, or at its
next script call or renewal, whichever is first). Pauses this limiter has seen are
re-asserted from its memory. A sharer that starts only after the restart, before any
running sharer noticed it, cannot tell a restart from a first use: the running sharers'
hold starts at their next call. A Redis that restores an *old* snapshot is not detected:
run it without persistence, or with ``appendfsync always``.

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
import logging
import math
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Literal
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

_CAP_REASON = "concurrency cap"
_GROW_EVERY = 2.0
"""Seconds per +1 of the cap in force after :meth:`RedisLimiter.back_off` (additive increase)."""
_LOST_TTL = 2 * 86_400
"""Seconds a restart hold is kept: longer than any rule window's span."""
_WAKE_POLL = 2.0
"""The longest sleep of a waiter that counts on a pub/sub wake (a lost message's cost)."""
_RETRY_REDIS = 1.0
"""Seconds the process fallback serves before Redis is tried again."""
_RESOLUTION = 1e-6

# --- Lua --------------------------------------------------------------------------------
# Times are seconds (floats) by Redis's clock; answers carry durations in whole
# microseconds, since Redis turns a Lua number into an integer.

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
"""

# KEYS[1] the login's epoch, ARGV[1] the epoch this sharer knows ('' = none yet), ARGV[2] a
# fresh one to write on first use. A missing or changed epoch after use means the state was
# lost (a restart): answer {-1} and touch nothing.
_EPOCH = """
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  if ARGV[1] ~= '' then return {-1} end
  epoch = ARGV[2]
  redis.call('SET', KEYS[1], epoch)
elseif ARGV[1] ~= '' and epoch ~= ARGV[1] then
  return {-1}
end
local lost = tonumber(redis.call('GET', KEYS[2]) or '')
"""

# The cap in force: AIMD state {cur, t} in a hash; grows back by one every `grow` seconds.
_CAP_NOW = """
local function cap_now(key, cap, grow, now)
  local v = redis.call('HMGET', key, 'cur', 't')
  if not v[1] then return cap end
  local c = tonumber(v[1]) + math.floor((now - tonumber(v[2])) / grow)
  if c > cap then c = cap end
  return c
end
"""

# ADMIT: join every window at once, or none. Guarantees: (1) an entry is admitted into a
# window only if fewer than `limit` entries (sent within `span`, or pending with a live
# lease) are in it; (2) all windows or none, atomically; (3) a block or a restart hold
# keeps the window shut. Otherwise answers the longest wait and which window needs it,
# flagged when the decisive (limit-th most recent) entry is pending: it will be sent no
# earlier than now, so the wait is at least `span`, unless it is withdrawn (a wake).
# KEYS: epoch, lost, then per window: log, pending, block. ARGV: known epoch, fresh epoch,
# entry id, lease, n, then per window: limit, span.
_ADMIT = (
    _NOW
    + _EPOCH
    + """
local lease = tonumber(ARGV[4])
local n = tonumber(ARGV[5])
local worst, which, pend = 0, 0, 0
for i = 1, n do
  local w, p, b = KEYS[3 * i], KEYS[3 * i + 1], KEYS[3 * i + 2]
  local limit = tonumber(ARGV[4 + 2 * i])
  local span = tonumber(ARGV[5 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', w, '-inf', now - span)
  redis.call('ZREMRANGEBYSCORE', p, '-inf', now)
  local free = tonumber(redis.call('GET', b) or '0')
  if lost and lost + span > free then free = lost + span end
  local pending = redis.call('ZCARD', p)
  local sent = redis.call('ZCARD', w)
  local on = 0
  if pending + sent >= limit then
    if pending >= limit then
      on = 1
      if now + span > free then free = now + span end
    else
      local at = sent - (limit - pending)
      local e = redis.call('ZRANGE', w, at, at, 'WITHSCORES')
      if tonumber(e[2]) + span > free then free = tonumber(e[2]) + span end
    end
  end
  local wait = free - now
  if wait > 0.000001 and wait > worst then worst, which, pend = wait, i, on end
end
if which > 0 then return {1, math.ceil(worst * 1000000), which, pend, epoch} end
for i = 1, n do
  redis.call('ZADD', KEYS[3 * i + 1], now + lease, ARGV[3])
  redis.call('PEXPIRE', KEYS[3 * i + 1], math.ceil(lease * 1000) + 1000)
end
return {0, 0, 0, 0, epoch}
"""
)

# GO: take a slot of the cap in force and stamp the request's entries with now, in one
# step. Guarantees: never more than the cap in force of live slots; no slot during a
# restart hold; the entries move from pending to the log stamped by Redis's clock. Else
# answers the wait until the earliest slot lease ends (releases wake earlier).
# KEYS: epoch, lost, slots, cap, then per window: log, pending. ARGV: known epoch, fresh
# epoch, slot id, entry id, lease, cap, grow, restart hold, n, then per window: span.
_GO = (
    _NOW
    + _EPOCH
    + _CAP_NOW
    + """
local lease = tonumber(ARGV[5])
local hold = tonumber(ARGV[8])
if lost and now < lost + hold then
  return {1, math.ceil((lost + hold - now) * 1000000), 0, 0, epoch}
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local cap = cap_now(KEYS[4], tonumber(ARGV[6]), tonumber(ARGV[7]), now)
if redis.call('ZCARD', KEYS[3]) >= cap then
  local e = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  local wait = lease
  if e[2] then wait = tonumber(e[2]) - now end
  return {1, math.ceil(wait * 1000000), 0, 0, epoch}
end
redis.call('ZADD', KEYS[3], now + lease, ARGV[3])
redis.call('PEXPIRE', KEYS[3], math.ceil(lease * 1000) + 1000)
for i = 1, tonumber(ARGV[9]) do
  local span = tonumber(ARGV[9 + i])
  redis.call('ZREM', KEYS[4 + 2 * i], ARGV[4])
  redis.call('ZADD', KEYS[3 + 2 * i], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[3 + 2 * i], math.ceil(span * 1000) + 1000)
end
return {0, 0, 0, 0, epoch}
"""
)

# RELEASE: the slot leaves the semaphore; every waiter of the login is told.
# KEYS: slots. ARGV: slot id, channel, message.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 0
"""

# WITHDRAW: pending entries of a request that will not be sent leave their windows; the
# waiters on a pending decisive entry are told. KEYS: pending sets. ARGV: entry id,
# channel, message.
_WITHDRAW = """
local gone = 0
for i = 1, #KEYS do gone = gone + redis.call('ZREM', KEYS[i], ARGV[1]) end
if gone > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return gone
"""

# REFUND: a sent request that certainly never reached SMSC leaves its logs. Waiters keep
# the times they planned (no message); later admissions gain. KEYS: logs and pending sets.
_REFUND = """
for i = 1, #KEYS do redis.call('ZREM', KEYS[i], ARGV[1]) end
return 0
"""

# RENEW: extend the leases of the slots and pending entries this sharer holds (only those
# still there: a lease that ended is not revived). Answers {-1} if the state was lost.
# KEYS: epoch, lost, slots, then pending sets. ARGV: known epoch, fresh epoch, lease,
# number of slots, slot ids, then one entry id per pending set.
_RENEW = (
    _NOW
    + _EPOCH
    + """
local lease = tonumber(ARGV[3])
local slots = tonumber(ARGV[4])
for i = 1, slots do redis.call('ZADD', KEYS[3], 'XX', now + lease, ARGV[4 + i]) end
if slots > 0 then redis.call('PEXPIRE', KEYS[3], math.ceil(lease * 1000) + 1000) end
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + lease, ARGV[1 + slots + i])
  redis.call('PEXPIRE', KEYS[i], math.ceil(lease * 1000) + 1000)
end
return {0, epoch}
"""
)

# RECOVER: after a loss. The first sharer to see it writes the restart hold (now) and a new
# epoch marked 'R:'; a sharer finding an 'R:' epoch it does not know adopts it (the hold
# stands). Either way its own slots and pending entries are registered again.
# KEYS: epoch, lost, slots, then pending sets. ARGV: known epoch, new epoch, lease, hold
# ttl, number of slots, slot ids, then one entry id per pending set.
_RECOVER = (
    _NOW
    + """
local epoch = redis.call('GET', KEYS[1])
if epoch == ARGV[1] then return epoch end
if not (epoch and string.sub(epoch, 1, 2) == 'R:') then
  epoch = ARGV[2]
  redis.call('SET', KEYS[1], epoch)
  redis.call('SET', KEYS[2], string.format('%.6f', now), 'EX', tonumber(ARGV[4]))
end
local lease = tonumber(ARGV[3])
local slots = tonumber(ARGV[5])
for i = 1, slots do redis.call('ZADD', KEYS[3], now + lease, ARGV[5 + i]) end
if slots > 0 then redis.call('PEXPIRE', KEYS[3], math.ceil(lease * 1000) + 1000) end
for i = 4, #KEYS do
  redis.call('ZADD', KEYS[i], now + lease, ARGV[2 + slots + i])
  redis.call('PEXPIRE', KEYS[i], math.ceil(lease * 1000) + 1000)
end
return epoch
"""
)

# HOLD: SMSC said 9: each window admits nothing until now + seconds (a block only grows).
# KEYS: block keys. ARGV: seconds.
_HOLD = (
    _NOW
    + """
local seconds = tonumber(ARGV[1])
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') < now + seconds then
    redis.call('SET', KEYS[i], string.format('%.6f', now + seconds),
               'PX', math.ceil(seconds * 1000))
  end
end
return 0
"""
)

# BACK_OFF: the cap in force halves (at least 1) and grows back by one every `grow`.
# KEYS: cap. ARGV: configured cap, grow.
_BACK_OFF = (
    _NOW
    + _CAP_NOW
    + """
local cap = tonumber(ARGV[1])
local grow = tonumber(ARGV[2])
local new = math.max(1, math.floor(cap_now(KEYS[1], cap, grow, now) / 2))
redis.call('HSET', KEYS[1], 'cur', new, 't', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - new + 1) * grow * 1000))
return new
"""
)

# Pauses of one domain: a hash {until, reason, login} with a TTL; a pause only grows.
_PAUSE_LUA = """
local function pause(key, now, seconds, reason, login)
  if tonumber(redis.call('HGET', key, 'until') or '0') < now + seconds then
    redis.call('HSET', key, 'until', string.format('%.6f', now + seconds),
               'reason', reason, 'login', login)
    redis.call('PEXPIRE', key, math.ceil(seconds * 1000))
  end
end
local function current(key, now)
  local v = redis.call('HMGET', key, 'until', 'reason', 'login')
  if not v[1] or tonumber(v[1]) <= now then return {} end
  return {math.ceil((tonumber(v[1]) - now) * 1000000), v[2], v[3]}
end
"""

# PAUSED: the pause in force. KEYS: pause.
_PAUSED = _NOW + _PAUSE_LUA + "return current(KEYS[1], now)\n"

# BAN: pause for `seconds` (unless a longer pause holds). KEYS: pause. ARGV: seconds,
# reason, login.
_BAN = (
    _NOW
    + _PAUSE_LUA
    + """
pause(KEYS[1], now, tonumber(ARGV[1]), ARGV[2], ARGV[3])
return current(KEYS[1], now)
"""
)

# AUTH_FAILED: count an authorisation error; with `limit` of them within `span`, pause
# until the oldest of those leaves the span. KEYS: pause, errors. ARGV: limit, span,
# member, reason, login.
_AUTH_FAILED = (
    _NOW
    + _PAUSE_LUA
    + """
local limit = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - span)
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('PEXPIRE', KEYS[2], math.ceil(span * 1000) + 1000)
local n = redis.call('ZCARD', KEYS[2])
if n < limit then return {} end
local e = redis.call('ZRANGE', KEYS[2], n - limit, n - limit, 'WITHSCORES')
pause(KEYS[1], now, tonumber(e[2]) + span - now, ARGV[4], ARGV[5])
return current(KEYS[1], now)
"""
)

# NEXT_ID: a counter per login, unique for every sharer: starts at a random point when
# absent, wraps within 1..ID_MAX. KEYS: counter. ARGV: start, ID_MAX.
_NEXT_ID = """
local v = redis.call('INCR', KEYS[1])
if v == 1 then
  v = tonumber(ARGV[1])
  redis.call('SET', KEYS[1], v)
elseif v > tonumber(ARGV[2]) then
  v = 1
  redis.call('SET', KEYS[1], v)
end
return v
"""

_SCRIPTS = {
    "admit": _ADMIT,
    "go": _GO,
    "release": _RELEASE,
    "withdraw": _WITHDRAW,
    "refund": _REFUND,
    "renew": _RENEW,
    "recover": _RECOVER,
    "hold": _HOLD,
    "back_off": _BACK_OFF,
    "paused": _PAUSED,
    "ban": _BAN,
    "auth_failed": _AUTH_FAILED,
    "next_id": _NEXT_ID,
}

# --- Python -----------------------------------------------------------------------------


def _process_fallback() -> LimiterBackend:
    """The process scope the opt-in fallback uses: the process-wide default state."""
    from smsc_async._process import ProcessLimiter  # noqa: PLC0415 - only when Redis is down

    return ProcessLimiter.default()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _positive(name: str, value: object, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
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
        """Slot id -> login, for every slot held."""
        self.pending: dict[str, tuple[str, tuple[str, ...]]] = {}
        """Entry id -> (login, its pending-set keys), for every admission not yet sent."""
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

    def expect(self, message: str) -> asyncio.Future[None]:
        future: asyncio.Future[None] = self.loop.create_future()
        self.waiters.setdefault(message, set()).add(future)
        return future

    def forget(self, message: str, future: asyncio.Future[None]) -> None:
        waiters = self.waiters.get(message)
        if waiters is not None:
            waiters.discard(future)
            if not waiters:
                del self.waiters[message]


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
            slots back within it. Shorter returns them sooner, at more renewals.
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
        self.lease = _positive("lease", lease) or 60.0
        self.restart_hold = _positive("restart_hold", restart_hold) or 3.0
        self.on_unavailable = on_unavailable
        self.fallback_share = float(fallback_share)
        self._renew_every = self.lease / 3
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

    def _pause_tag(self, where: str) -> str:
        return "{" + f"{self.prefix}:pause:{quote(where, safe='')}" + "}"

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

    def _fallback(self) -> LimiterBackend | None:
        """The process fallback while Redis is known down, if it is opted in."""
        if self.on_unavailable == "process" and time.monotonic() < self._down_until:
            return _process_fallback()
        return None

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
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _wait(self, part: _Part, future: asyncio.Future[None], seconds: float) -> None:
        """Sleep ``seconds`` or until ``future`` is woken."""
        if seconds > 0:
            await asyncio.wait((future,), timeout=seconds)

    def _held(self, part: _Part, login: str) -> tuple[list[str], list[object]] | None:
        """What this part holds of ``login``, as the renew and recover scripts take it.

        The keys (epoch, lost marker, slots, then each pending entry's window) and the
        trailing arguments (slot count, slot ids, one entry id per pending key); ``None``
        when it holds nothing.
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
        tag = self._tag(login)
        return [f"{tag}:epoch", f"{tag}:lost", f"{tag}:slots", *keys], [len(slots), *slots, *ids]

    def _start_renewer(self, part: _Part) -> None:
        if part.renewer is None or part.renewer.done():
            part.renewer = part.loop.create_task(self._renew_loop(part))
        self._ensure_listener(part)  # a reconnect is how a restart is noticed soonest

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
        if int(answer[0]) == -1:
            await self._recover(part, login)

    async def _recover(self, part: _Part, login: str) -> None:
        """The login's state was lost: start (or join) the restart hold, re-register."""
        tag = self._tag(login)
        keys, tail = self._held(part, login) or (
            [f"{tag}:epoch", f"{tag}:lost", f"{tag}:slots"],
            [0],
        )
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

    # --- the seam -----------------------------------------------------------------------

    async def admit(
        self, login: str, windows: Sequence[WindowSpec], timeout: float | None
    ) -> Admission:
        """Wait until every window has room, then join them all at once (one script).

        Raises:
            TooLate: The wait would pass ``timeout``; nothing was joined.
            LimiterUnavailableError: Redis cannot be reached (``on_unavailable="fail"``).
        """
        fallback = self._fallback()
        if fallback is not None:
            return _Shared(await fallback.admit(login, windows, timeout), self)
        try:
            return await self._admit(login, windows, timeout)
        except LimiterUnavailableError:
            if self.on_unavailable == "fail":
                raise
            return _Shared(await _process_fallback().admit(login, windows, timeout), self)

    async def _admit(
        self, login: str, windows: Sequence[WindowSpec], timeout: float | None
    ) -> Admission:
        part = self._part()
        entry = self._new_id()
        if not windows:
            return _RedisAdmission(self, part, login=login, windows=(), entry=entry, reason="")
        loop = part.loop
        deadline = None if timeout is None else loop.time() + timeout
        tag = self._tag(login)
        keys = [f"{tag}:epoch", f"{tag}:lost"]
        args: list[object] = ["", "", entry, self.lease, len(windows)]
        for window in windows:
            keys += [f"{tag}:w:{window.key}", f"{tag}:p:{window.key}", f"{tag}:b:{window.key}"]
            args += [window.limit, repr(float(window.span))]
        message = "w" + tag
        reason = ""
        while True:
            args[0] = self._epochs.get(login, "")
            args[1] = "F:" + entry
            future = part.expect(message)  # before the script: no withdrawal is missed
            try:
                answer = await self._run(part, "admit", keys, args)
                status = int(answer[0])
                if status == 0:
                    self._epochs[login] = _text(answer[4])
                    part.pending[entry] = (login, tuple(keys[3::3]))
                    self._start_renewer(part)
                    return _RedisAdmission(
                        self, part, login=login, windows=windows, entry=entry, reason=reason
                    )
                if status == -1:
                    await self._recover(part, login)
                    continue
                wait = int(answer[1]) / 1e6
                window = windows[int(answer[2]) - 1]
                pending = int(answer[3]) == 1
                reason = window.label
                now = loop.time()
                if deadline is not None and (
                    now >= deadline or (not pending and now + wait >= deadline)
                ):
                    raise TooLate(wait, window.label)
                if pending:  # a withdrawal may free it: wake on one, check now and then
                    self._ensure_listener(part)
                    wait = min(wait, _WAKE_POLL)
                sleep = wait + _jitter(wait)
                if deadline is not None:
                    sleep = min(sleep, deadline - now)
                await self._wait(part, future, sleep)
            finally:
                part.forget(message, future)

    async def _go(self, admission: _RedisAdmission, cap: int, timeout: float | None) -> Lease:
        part, login = admission.part, admission.login
        loop = part.loop
        deadline = None if timeout is None else loop.time() + timeout
        tag = self._tag(login)
        slot = self._new_id()
        keys = [f"{tag}:epoch", f"{tag}:lost", f"{tag}:slots", f"{tag}:cap"]
        spans: list[object] = []
        for window in admission.windows:
            keys += [f"{tag}:w:{window.key}", f"{tag}:p:{window.key}"]
            spans.append(repr(float(window.span)))
        args: list[object] = [
            "",
            "",
            slot,
            admission.entry,
            self.lease,
            cap,
            _GROW_EVERY,
            self.restart_hold,
            len(admission.windows),
            *spans,
        ]
        message = "r" + tag
        waited = False
        while True:
            args[0] = self._epochs.get(login, "")
            args[1] = "F:" + slot
            future = part.expect(message)
            try:
                answer = await self._run(part, "go", keys, args)
                status = int(answer[0])
                if status == 0:
                    self._epochs[login] = _text(answer[4])
                    part.slots[slot] = login
                    part.pending.pop(admission.entry, None)
                    self._start_renewer(part)
                    return _RedisLease(
                        self,
                        part,
                        login=login,
                        windows=admission.windows,
                        entry=admission.entry,
                        slot=slot,
                        waited=waited,
                    )
                if status == -1:
                    await self._recover(part, login)
                    continue
                wait = int(answer[1]) / 1e6
                now = loop.time()
                if deadline is not None and now >= deadline:
                    raise TooLate(wait, _CAP_REASON)
                self._ensure_listener(part)
                waited = True
                sleep = min(wait, _WAKE_POLL) + _jitter(wait)
                if deadline is not None:
                    sleep = min(sleep, deadline - now)
                await self._wait(part, future, sleep)
            finally:
                part.forget(message, future)

    def _withdraw(self, admission: _RedisAdmission) -> None:
        part = admission.part
        if part.pending.pop(admission.entry, None) is None:
            return
        tag = self._tag(admission.login)
        keys = [f"{tag}:p:{window.key}" for window in admission.windows]
        part.spawn(
            self._quietly(part, "withdraw", keys, [admission.entry, self._channel, "w" + tag])
        )

    def _release(self, lease: _RedisLease) -> None:
        part = lease.part
        if part.slots.pop(lease.slot, None) is None:
            return
        tag = self._tag(lease.login)
        part.spawn(
            self._quietly(part, "release", [f"{tag}:slots"], [lease.slot, self._channel, "r" + tag])
        )

    def _refund(self, lease: _RedisLease) -> None:
        if not lease.windows:
            return
        tag = self._tag(lease.login)
        keys = []
        for window in lease.windows:
            keys += [f"{tag}:w:{window.key}", f"{tag}:p:{window.key}"]
        lease.part.spawn(self._quietly(lease.part, "refund", keys, [lease.entry]))

    async def _quietly(
        self, part: _Part, name: str, keys: Sequence[str], args: Sequence[object]
    ) -> None:
        """A background script (release, withdraw, refund): if Redis is down, the lease ends."""
        try:
            await self._run(part, name, keys, args)
        except Exception:  # in the background: the lease ends by itself
            log.debug("RedisLimiter: %s not delivered; its lease will end", name, exc_info=True)

    async def hold(self, login: str, windows: Sequence[WindowSpec], seconds: float) -> None:
        """SMSC said 9 for these windows: every sharer admits nothing into them for ``seconds``."""
        if not windows or seconds <= 0:
            return
        fallback = self._fallback()
        if fallback is not None:
            await fallback.hold(login, windows, seconds)
            return
        tag = self._tag(login)
        try:
            await self._run(
                self._part(), "hold", [f"{tag}:b:{w.key}" for w in windows], [repr(float(seconds))]
            )
        except LimiterUnavailableError:
            if self.on_unavailable == "fail":
                raise
            await _process_fallback().hold(login, windows, seconds)

    async def back_off(self, login: str, cap: int) -> int:
        """Halve the login's cap in force for every sharer; it grows back by one every 2 s."""
        fallback = self._fallback()
        if fallback is not None:
            return await fallback.back_off(login, self._share(cap))
        try:
            new = await self._run(
                self._part(), "back_off", [f"{self._tag(login)}:cap"], [cap, _GROW_EVERY]
            )
        except LimiterUnavailableError:
            if self.on_unavailable == "fail":
                raise
            return await _process_fallback().back_off(login, self._share(cap))
        return int(new)

    def _pause(self, where: str, answer: Sequence[object]) -> Pause | None:
        if not answer:
            return None
        pause = Pause(int(str(answer[0])) / 1e6, _text(answer[1]), _text(answer[2]))
        self._pauses[where] = (time.monotonic() + pause.seconds, pause.reason, pause.login)
        return pause

    async def paused(self, where: str) -> Pause | None:
        """The pause of ``where`` in force (a pause this limiter saw outlives a restart)."""
        fallback = self._fallback()
        if fallback is not None:
            return await fallback.paused(where)
        try:
            pause = self._pause(
                where,
                await self._run(self._part(), "paused", [f"{self._pause_tag(where)}:pause"], []),
            )
        except LimiterUnavailableError:
            if self.on_unavailable == "fail":
                raise
            return await _process_fallback().paused(where)
        if pause is None:
            known = self._pauses.get(where)
            if known is not None:
                left = known[0] - time.monotonic()
                if left > 0:  # Redis forgot it (a restart): SMSC did not
                    return await self.ban(where, known[2], left, known[1])
                del self._pauses[where]
        return pause

    async def ban(self, where: str, login: str, seconds: float, reason: str) -> Pause:
        """SMSC blocked the address (error 4): every sharer pauses ``where`` for ``seconds``."""
        fallback = self._fallback()
        if fallback is not None:
            return await fallback.ban(where, login, seconds, reason)
        try:
            answer = await self._run(
                self._part(),
                "ban",
                [f"{self._pause_tag(where)}:pause"],
                [repr(float(seconds)), reason, login],
            )
        except LimiterUnavailableError:
            if self.on_unavailable == "fail":
                raise
            return await _process_fallback().ban(where, login, seconds, reason)
        return self._pause(where, answer) or Pause(float(seconds), reason, login)

    async def auth_failed(self, where: str, login: str, *, limit: int, span: float) -> Pause | None:
        """Count an authorisation error for every sharer; ``limit`` in ``span`` pause ``where``."""
        fallback = self._fallback()
        if fallback is not None:
            return await fallback.auth_failed(where, login, limit=limit, span=span)
        tag = self._pause_tag(where)
        reason = f"{limit} authorisation errors within {span:g} s"
        try:
            answer = await self._run(
                self._part(),
                "auth_failed",
                [f"{tag}:pause", f"{tag}:auth"],
                [limit, repr(float(span)), f"{self._new_id()}|{login}", reason, login],
            )
        except LimiterUnavailableError:
            if self.on_unavailable == "fail":
                raise
            return await _process_fallback().auth_failed(where, login, limit=limit, span=span)
        return self._pause(where, answer)

    async def next_id(self, login: str) -> int:
        """A message id no other sharer hands out for ``login`` now (a counter in Redis)."""
        fallback = self._fallback()
        if fallback is not None:
            return await fallback.next_id(login)
        start = 1 + secrets.randbelow(ID_MAX)
        try:
            value = await self._run(
                self._part(), "next_id", [f"{self._tag(login)}:id"], [start, ID_MAX]
            )
        except LimiterUnavailableError:
            if self.on_unavailable == "fail":
                raise
            return await _process_fallback().next_id(login)
        return int(value)

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
    def __init__(
        self,
        owner: RedisLimiter,
        part: _Part,
        *,
        login: str,
        windows: Sequence[WindowSpec],
        entry: str,
        reason: str,
    ) -> None:
        self.owner = owner
        self.part = part
        self.login = login
        self.windows = tuple(windows)
        self.entry = entry
        self.reason = reason

    async def go(self, cap: int, timeout: float | None) -> Lease:
        owner = self.owner
        try:
            return await owner._go(self, cap, timeout)  # noqa: SLF001 - the owner's helper
        except LimiterUnavailableError:
            if owner.on_unavailable == "fail":
                self.part.pending.pop(self.entry, None)  # its lease ends in Redis
                raise
            # Redis went down between admit and go: this request goes by the process scope.
            self.part.pending.pop(self.entry, None)
            inner = await _process_fallback().admit(self.login, self.windows, timeout)
            return await _Shared(inner, owner).go(cap, timeout)
        except BaseException:
            self.withdraw()
            raise

    def withdraw(self) -> None:
        self.owner._withdraw(self)  # noqa: SLF001 - the owner's helper


class _RedisLease(Lease):
    def __init__(
        self,
        owner: RedisLimiter,
        part: _Part,
        *,
        login: str,
        windows: tuple[WindowSpec, ...],
        entry: str,
        slot: str,
        waited: bool,
    ) -> None:
        self.waited = waited
        self.owner = owner
        self.part = part
        self.login = login
        self.windows = windows
        self.entry = entry
        self.slot = slot
        self._refunded = False

    def release(self) -> None:
        self.owner._release(self)  # noqa: SLF001 - the owner's helper

    def refund(self) -> None:
        if not self._refunded:
            self._refunded = True
            self.owner._refund(self)  # noqa: SLF001 - the owner's helper


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
