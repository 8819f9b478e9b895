"""A login's limits shared through Redis by every process and host that points at it.

``pip install 'smsc_async[redis]'``, then give every client of the login the same store::

    from smsc_async.redis import RedisLimiter

    limiter = RedisLimiter.from_url("redis://127.0.0.1:6379/0")  # or RedisLimiter(client)
    async with SmscClient(login=..., password=..., limiter=limiter) as smsc: ...

This package is the only part of smsc_async that imports redis (redis-py's asyncio client,
``redis>=5``); it works with Redis 6.2 or later and with Valkey. Its Lua scripts are package
data (``smsc_async/redis/lua/*.lua``), each headed by what it guarantees. What it keeps, per
login (see :mod:`smsc_async._state` for what every backend guarantees):

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

# redis-py first, by name: without it this import fails with ModuleNotFoundError("redis"),
# which SmscClient.from_env and the command line turn into "pip install 'smsc_async[redis]'".
# The modules below import it as well, but a module already loaded is not run again (tests
# hide redis-py after this package was imported, and expect that error).
import redis as _redis  # noqa: F401

# The modules, each one idea, importing downward only: _scripts (the Lua scripts and
# take.lua's codes), _core (key names, ids, what the limiter remembers: shared by every
# event loop), _fallback (Redis down), _part (one event loop's client, wake listener and
# lease renewer), _request (one request's way through take.lua, and the handles the engine
# gets), _limiter (the public class).
from smsc_async.redis._limiter import RedisLimiter

__all__ = ["RedisLimiter"]
