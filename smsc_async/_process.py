"""The default limiter state: in memory, shared by every client in the process (design §6).

One :class:`ProcessLimiter` (:meth:`ProcessLimiter.default`) serves every client that is
given no ``limiter=``: all clients of a login share its windows, slots and pauses, whatever
event loop or thread they run on. Every change happens under one ``threading.Lock`` and
takes microseconds (no await inside it); a waiter parks on a future of *its own* loop, and
whoever frees what it waits for wakes it there (``call_soon_threadsafe`` from another
thread). Nothing polls: a waiter sleeps until the moment its window frees, or until woken.

The guarantees are the seam's (:mod:`smsc_async._state`); how they are kept here:

- **Windows**: an exact sliding log of send times per window key. Each window is a FIFO
  queue of admissions; the head holds it. An admission takes the windows it needs in key
  order (so two never deadlock), holding each until it has joined them all at once. Entries
  are pending until :meth:`Admission.go` stamps them, and a decisive pending entry makes
  later admissions wait for its stamp (or withdrawal). A refund drops an entry without
  waking anyone: waiters planned on it and keep their plan, only later ones gain.
- **Slots**: a FIFO queue per login; a request goes while fewer than its cap (the cap in
  force, see AIMD) are in flight.
- **AIMD**: :meth:`ProcessLimiter.back_off` halves the cap in force (at least 1); it then
  grows by one every ``recovery`` seconds up to the configured cap. Requests in flight are
  a count of *now*, not of a rule window, so the step is real seconds, not scaled by a
  client's ``minute``; one back-off per ``recovery`` seconds (a burst of answers to one
  overload is one signal, as TCP halves once per round trip).
- **Memory**: idle windows and idle logins (nothing a fresh one would not hold) are swept
  every 1024 new ones, amortised, so 20,000 subclient logins do not stay for ever.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import secrets
import threading
import weakref
from collections import deque
from collections.abc import Sequence

from smsc_async._memory import RESOLUTION, Domain, Entry, Login, Waker, Window
from smsc_async._state import (
    CAP_REASON,
    ID_MAX,
    Admission,
    Lease,
    LimiterBackend,
    Pause,
    TooLate,
    WindowSpec,
)

__all__ = ["ProcessLimiter"]

_RECOVERY = 2.0
"""Seconds per step of +1 while a backed-off cap grows back (14 -> 7 recovers in 14 s)."""


class _ProcessLease(Lease):
    __slots__ = ("_entries", "_limiter", "_login", "_released", "reason", "waited")

    def __init__(
        self,
        limiter: ProcessLimiter,
        login: Login,
        entries: list[tuple[Window, Entry]],
        loop: asyncio.AbstractEventLoop,
        *,
        waited: bool,
    ) -> None:
        self._limiter = limiter
        self._login = login
        self._entries = entries
        self._loop = loop  # its clock is the domain's
        self._released = False
        self.waited = waited
        self.reason = ""

    def release(self) -> None:
        with self._limiter._lock:  # noqa: SLF001 - the lease is the limiter's own part
            if self._released:
                return
            self._released = True
            now = self._loop.time()
            for window, entry in self._entries:  # held up on its way: it arrived before now
                if entry.time is not None and now - window.margin > entry.time:
                    entry.time = now - window.margin
            self._login.in_flight -= 1
            if self._login.queue:
                self._login.queue[0].wake()

    def refund(self) -> None:
        # No wake-up: waiters planned on these entries wake no earlier than they planned.
        with self._limiter._lock:  # noqa: SLF001
            for window, entry in self._entries:
                if entry in window.log:
                    window.log.remove(entry)
            self._entries = []


class _ProcessAdmission(Admission):
    __slots__ = ("_asked", "_domain", "_entries", "_key", "_limiter", "_live", "reason")

    def __init__(
        self,
        limiter: ProcessLimiter,
        domain: Domain,
        key: str,
        entries: list[tuple[Window, Entry]],
        *,
        reason: str,
        asked: float,
    ) -> None:
        self._limiter = limiter
        self._asked = asked
        self._domain = domain
        self._key = key
        self._entries = entries
        self._live = True
        self.reason = reason

    async def go(self, cap: int, timeout: float | None) -> Lease:
        limiter = self._limiter
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        waker: Waker | None = None
        login: Login | None = None
        slept = False
        try:
            while True:
                with limiter._lock:  # noqa: SLF001
                    now = loop.time()
                    if login is None:
                        login = self._domain.login(self._key, now)
                    in_force = login.cap(cap, now, limiter.recovery)
                    if waker is None and login.queue:
                        waker = self._queue(login, loop, now)
                    first = waker is None or login.queue[0] is waker
                    if first and login.in_flight < in_force:
                        return self._take(login, waker, in_force, now, loop, waited=slept)
                    if deadline is not None and now >= deadline:
                        raise TooLate(timeout or 0.0, CAP_REASON)  # noqa: TRY301
                    if waker is None:
                        waker = self._queue(login, loop, now)
                    waker.arm()
                    delay = None if deadline is None else deadline - now
                    if login.reduced and in_force < cap:  # it grows back by itself
                        step = login.next_step(now, limiter.recovery)
                        delay = step if delay is None else min(delay, step)
                slept = True
                await waker.wait(delay)
        except BaseException:
            with limiter._lock:  # noqa: SLF001
                if waker is not None and login is not None and waker in login.queue:
                    head = login.queue[0] is waker
                    login.queue.remove(waker)
                    if head and login.queue:
                        login.queue[0].wake()
                for _, entry in self._entries:
                    entry.slot = None
            self.withdraw()
            raise

    def _queue(self, login: Login, loop: asyncio.AbstractEventLoop, now: float) -> Waker:
        """Take a place in the login's slot queue (under the lock)."""
        waker = Waker(loop, self._asked)
        waker.urgent = any(window.contended_until > now for window, _ in self._entries)
        for _, entry in self._entries:
            entry.slot = waker
        login.enqueue(waker)
        return waker

    def _take(
        self,
        login: Login,
        waker: Waker | None,
        in_force: int,
        now: float,
        loop: asyncio.AbstractEventLoop,
        *,
        waited: bool,
    ) -> Lease:
        """Take a slot and stamp the entries: the request leaves now (under the lock)."""
        login.in_flight += 1
        if waker is not None:
            login.queue.popleft()
            if login.queue and login.in_flight < in_force:
                login.queue[0].wake()
        for _, entry in self._entries:
            entry.time = now
            entry.slot = None
            entry.settle()
        self._live = False
        return _ProcessLease(self._limiter, login, self._entries, loop, waited=waited)

    def withdraw(self) -> None:
        with self._limiter._lock:  # noqa: SLF001
            if not self._live:
                return
            self._live = False
            for window, entry in self._entries:
                if entry.time is None:
                    window.log.remove(entry)
                    entry.settle()


_ids_lock = threading.Lock()
_ids = itertools.count(secrets.randbelow(ID_MAX // 2) + 1)


def _next_id() -> int:
    """Unique within the process (every ProcessLimiter), counting up from a random start.

    The random start makes two processes unlikely to hand out the same id at once (an id
    only needs to tell one phone's messages apart, spec §7.9); across processes a shared
    backend (Redis) is what makes them unique.
    """
    global _ids  # noqa: PLW0603 - one counter for the process
    with _ids_lock:
        value = next(_ids)
        if value > ID_MAX:
            _ids = itertools.count(2)
            value = 1
    return value


class ProcessLimiter(LimiterBackend):
    """Limits kept in memory, shared by every client given this instance, on any loop or thread.

    The default for every :class:`~smsc_async.SmscClient` given no ``limiter`` is one
    instance for the whole process (:meth:`default`): every client of a login, in any
    thread or event loop of the process, shares its windows, its in-flight slots and the
    pauses of its server. Another instance keeps state of its own. Across processes and
    hosts, use :class:`smsc_async.redis.RedisLimiter`.

    Args:
        recovery: Seconds per step of +1 while a cap halved after SMSC's "too many
            concurrent requests" grows back (real seconds: in-flight requests are a count
            of now, not of a rule window).
    """

    scope = "process"

    def __init__(self, *, recovery: float = _RECOVERY) -> None:
        if not (isinstance(recovery, int | float) and 0 < recovery < math.inf):
            raise ValueError(f"recovery must be positive finite seconds, got {recovery!r}")
        self.recovery = float(recovery)
        self._lock = threading.Lock()
        # Clock domains. Every real event loop keeps time.monotonic() (asyncio's loop.time),
        # so they all share one domain and one clock. A loop with a clock of its own
        # (looptime's virtual time) cannot share instants with any other loop: its times
        # would be compared with another clock's, and virtual-time tests would leak windows
        # into each other. Each such loop is a domain of its own, gone with the loop.
        self._real = Domain()
        self._virtual: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Domain] = (
            weakref.WeakKeyDictionary()
        )

    _default: ProcessLimiter | None = None
    _default_lock = threading.Lock()

    @classmethod
    def default(cls) -> ProcessLimiter:
        """The process-wide instance every client given no ``limiter`` shares."""
        with cls._default_lock:
            if ProcessLimiter._default is None:
                ProcessLimiter._default = ProcessLimiter()
            return ProcessLimiter._default

    def reset(self) -> None:
        """Forget every window, slot count, cut cap and pause (for tests of your own).

        Tests that talk to a fresh emulator each time may call ``ProcessLimiter.default()
        .reset()`` between tests, so one test's windows and pauses do not hold the next one
        back. Requests still in flight give their slots back to the forgotten state.
        """
        with self._lock:
            self._real = Domain()
            self._virtual.clear()

    def __repr__(self) -> str:
        return f"<ProcessLimiter scope='process' recovery={self.recovery:g}>"

    def _domain(self, loop: asyncio.AbstractEventLoop) -> Domain:
        if not getattr(loop, "looptime_on", False):
            return self._real
        domain = self._virtual.get(loop)
        if domain is None:
            domain = self._virtual[loop] = Domain()
        return domain

    async def admit(
        self, login: str, windows: Sequence[WindowSpec], timeout: float | None
    ) -> Admission:
        loop = asyncio.get_running_loop()
        asked = loop.time()
        deadline = None if timeout is None else asked + timeout
        waker = Waker(loop)
        held: list[Window] = []
        reason = ""
        try:
            with self._lock:
                domain = self._domain(loop)
            for spec in windows:  # in key order: two admissions never hold each other's
                if await self._queue(
                    domain, login, spec, waker=waker, held=held, deadline=deadline
                ):
                    reason = reason or spec.label
            return await self._join(
                domain,
                login,
                waker=waker,
                held=held,
                deadline=deadline,
                reason=reason,
                asked=asked,
            )
        except BaseException:
            with self._lock:
                for window in held:
                    window.leave(waker)
            raise

    async def take(
        self, login: str, windows: Sequence[WindowSpec], cap: int, timeout: float | None
    ) -> Lease:
        """Admit and take a slot under one hold of the lock when nothing has to wait.

        The uncontended pass, the usual one, costs one lock and no future; anything that
        would wait (a window queued on or full, a slot queue, the cap reached) goes the
        whole way: :meth:`admit`, then :meth:`Admission.go`.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            now = loop.time()
            state = self._domain(loop).login(login, now)
            lease = self._take_now(state, windows, cap, now, loop)
        if lease is not None:
            return lease
        return await super().take(login, windows, cap, timeout)

    def _take_now(
        self,
        state: Login,
        specs: Sequence[WindowSpec],
        cap: int,
        now: float,
        loop: asyncio.AbstractEventLoop,
    ) -> Lease | None:
        """The request leaves now if nothing makes it wait, else ``None`` (under the lock).

        It joins and stamps its windows exactly as an admission that found every window's
        queue empty and room in it, then a slot queue empty and a slot free, would have.
        """
        if state.queue or state.in_flight >= state.cap(cap, now, self.recovery):
            return None
        held = []
        for spec in specs:
            window = state.window(spec, now)
            if window.queue:
                return None
            free = window.next_free(now)
            if isinstance(free, Entry) or free > now + RESOLUTION:
                return None
            held.append(window)
        entries = []
        for window in held:
            entry = Entry()
            entry.time = now
            window.log.append(entry)
            entries.append((window, entry))
        state.in_flight += 1
        return _ProcessLease(self, state, entries, loop, waited=False)

    async def _queue(
        self,
        domain: Domain,
        login: str,
        spec: WindowSpec,
        *,
        waker: Waker,
        held: list[Window],
        deadline: float | None,
    ) -> bool:
        """Queue on ``spec``'s window and wait to be its head; whether that took a wait."""
        loop = waker.loop
        with self._lock:
            # Looked up afresh, in the block that queues on its window: a login holding a
            # queued window is never swept, one without may be.
            now = loop.time()
            window = domain.login(login, now).window(spec, now)
            window.queue.append(waker)
            held.append(window)
        waited = False
        while True:
            with self._lock:
                if window.queue[0] is waker:
                    return waited
                waker.arm()
                now = loop.time()
                if deadline is not None and now >= deadline:
                    raise TooLate(0.0, spec.label)  # how long the head needs is unknown
            waited = True
            await waker.wait(None if deadline is None else deadline - now)

    async def _join(
        self,
        domain: Domain,
        login: str,
        *,
        waker: Waker,
        held: list[Window],
        deadline: float | None,
        reason: str,
        asked: float,
    ) -> Admission:
        """Every window held: wait until all have room, then join them all at once."""
        loop = waker.loop
        while True:
            with self._lock:
                now = loop.time()
                free, label, pending, blocker = -math.inf, "", None, None
                for window in held:
                    when = window.next_free(now)
                    if isinstance(when, Entry):
                        pending, label, blocker = when, window.label, window
                        break
                    if when > free:
                        free, label, blocker = when, window.label, window
                if pending is None and free <= now + RESOLUTION:
                    entries = []
                    for window in held:
                        entry = Entry()
                        window.log.append(entry)
                        entries.append((window, entry))
                        window.leave(waker)
                    return _ProcessAdmission(
                        self, domain, login, entries, reason=reason, asked=asked
                    )
                if deadline is not None and (
                    free >= deadline if pending is None else now >= deadline
                ):
                    raise TooLate(free - now if pending is None else 0.0, label)
                if blocker is not None:  # its requests waiting for a slot go first
                    domain.login(login, now).promote(blocker, now)
                waker.arm()
                if pending is None:
                    delay: float | None = free - now
                else:  # the decisive entry is pending: its stamp (or withdrawal) decides
                    pending.wakers.append(waker)
                    delay = None if deadline is None else deadline - now
            reason = reason or label
            await waker.wait(delay)

    async def hold(self, login: str, windows: Sequence[WindowSpec], seconds: float) -> None:
        loop = asyncio.get_running_loop()
        with self._lock:
            now = loop.time()
            state = self._domain(loop).login(login, now)
            for spec in windows:
                window = state.window(spec, now)
                window.blocked_until = max(window.blocked_until, now + seconds)

    async def back_off(self, login: str, cap: int) -> int:
        loop = asyncio.get_running_loop()
        with self._lock:
            now = loop.time()
            state = self._domain(loop).login(login, now)
            in_force = state.cap(cap, now, self.recovery)
            if state.reduced and now - state.reduced_at < self.recovery:
                return in_force  # one signal per step: a burst of 9s halves once
            state.reduced, state.reduced_at = max(1, in_force // 2), now
            state.recovered_at = now + (cap - state.reduced) * self.recovery
            return state.reduced

    async def paused(self, where: str) -> Pause | None:
        loop = asyncio.get_running_loop()
        with self._lock:
            pauses = self._domain(loop).pauses
            found = pauses.get(where)
            if found is None:
                return None
            until, reason, login = found
            now = loop.time()
            if now >= until:
                del pauses[where]
                return None
            return Pause(until - now, reason, login)

    def _pause(self, domain: Domain, where: str, until: float, reason: str, login: str) -> None:
        found = domain.pauses.get(where)
        if found is None or until > found[0]:
            domain.pauses[where] = (until, reason, login)

    async def ban(self, where: str, login: str, seconds: float, reason: str) -> Pause:
        loop = asyncio.get_running_loop()
        with self._lock:
            domain, now = self._domain(loop), loop.time()
            self._pause(domain, where, now + seconds, reason, login)
            until, reason, login = domain.pauses[where]
            return Pause(until - now, reason, login)

    async def auth_failed(self, where: str, login: str, *, limit: int, span: float) -> Pause | None:
        loop = asyncio.get_running_loop()
        with self._lock:
            domain, now = self._domain(loop), loop.time()
            errors = domain.auth.setdefault(where, deque())
            errors.append(now)
            while errors and errors[0] + span <= now:
                errors.popleft()
            if len(errors) < limit:
                return None
            until = errors[-limit] + span
            reason = self.auth_reason(limit, span)
            self._pause(domain, where, until, reason, login)
            return Pause(until - now, reason, login)

    async def next_id(self, login: str) -> int:
        return _next_id()
