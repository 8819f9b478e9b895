"""The in-memory structures of :class:`smsc_async.ProcessLimiter`: wakers, windows, logins.

No locking here: every method is called under the ProcessLimiter's one ``threading.Lock``,
and none awaits. :class:`Waker` is the one piece that crosses threads: a waiter parks on a
future of its own loop, and whoever frees what it waits for wakes it on that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque

from smsc_async._state import WindowSpec

__all__ = ["RESOLUTION", "Domain", "Entry", "Login", "Waker", "Window"]

# Event-loop clocks have a resolution (looptime's is a microsecond): a wait shorter than
# that would never end, so a window this close to free counts as free.
RESOLUTION = 1e-6
SWEEP_EVERY = 1024
"""New windows of a login (or new logins of a domain) between two sweeps of idle ones."""


class Waker:
    """How a waiter on one loop is woken from any thread: a future of its own loop."""

    __slots__ = ("asked", "future", "loop", "urgent")

    def __init__(self, loop: asyncio.AbstractEventLoop, asked: float = 0.0) -> None:
        self.loop = loop
        self.future: asyncio.Future[None] = loop.create_future()
        self.asked = asked
        """When its call began to wait (slot queues are ordered by it)."""
        self.urgent = False
        """Whether its request holds an entry of a window others wait for (first in line)."""

    def arm(self) -> None:
        """A fresh future to wait on (under the lock, before the state is looked at)."""
        if self.future.done():
            self.future = self.loop.create_future()

    def wake(self) -> None:
        """Wake the waiter (any thread, under the lock): its loop resumes it."""
        if asyncio._get_running_loop() is self.loop:  # noqa: SLF001 - the cheap way to ask
            self._set()
            return
        with contextlib.suppress(RuntimeError):  # its loop is closed: nobody waits on it
            self.loop.call_soon_threadsafe(self._set)

    def _set(self) -> None:
        if not self.future.done():
            self.future.set_result(None)

    async def wait(self, delay: float | None) -> None:
        """Until woken, or ``delay`` seconds at most."""
        timer = None if delay is None else self.loop.call_later(max(0.0, delay), self._set)
        try:
            await self.future
        finally:
            if timer is not None:
                timer.cancel()


class Entry:
    """One request in a window's log: pending (``time is None``) until it leaves."""

    __slots__ = ("slot", "time", "wakers")

    def __init__(self) -> None:
        self.time: float | None = None
        self.wakers: list[Waker] = []
        self.slot: Waker | None = None
        """Its request's place in the login's slot queue, while it waits for a slot."""

    def settle(self) -> None:
        """Stamped or withdrawn: whoever waited on it looks again."""
        for waker in self.wakers:
            waker.wake()
        self.wakers.clear()


class Window:
    """An exact sliding log of send times for one window key of one login."""

    __slots__ = (
        "blocked_until",
        "contended_until",
        "label",
        "limit",
        "log",
        "margin",
        "queue",
        "span",
    )

    def __init__(self, spec: WindowSpec) -> None:
        self.limit = spec.limit
        self.span = spec.span
        self.margin = spec.margin
        self.label = spec.label
        self.log: deque[Entry] = deque()
        self.queue: deque[Waker] = deque()  # FIFO: the head holds the window
        self.blocked_until = -math.inf
        self.contended_until = -math.inf
        """Until when an admission is known to wait for it (its requests go first)."""

    def _prune(self, now: float) -> None:
        log, span = self.log, self.span
        while log and log[0].time is not None and log[0].time + span <= now:
            log.popleft()

    def idle(self, now: float) -> bool:
        """Whether it holds nothing a new window would not (nothing in its span)."""
        self._prune(now)
        return not self.log and not self.queue and self.blocked_until <= now

    def next_free(self, now: float) -> float | Entry:
        """When a new request may join: a time, or a pending entry whose send decides it."""
        self._prune(now)
        free = self.blocked_until
        if len(self.log) >= self.limit:
            decisive = self.log[-self.limit]
            if decisive.time is None:
                return decisive
            free = max(free, decisive.time + self.span)
        return free

    def leave(self, waker: Waker) -> None:
        """``waker``'s admission stops holding (or queueing for) the window."""
        if self.queue and self.queue[0] is waker:
            self.queue.popleft()
            if self.queue:
                self.queue[0].wake()
        elif waker in self.queue:
            self.queue.remove(waker)


class Login:
    """Everything one login keeps in one clock domain: windows, slots, a backed-off cap."""

    __slots__ = (
        "created",
        "in_flight",
        "queue",
        "recovered_at",
        "reduced",
        "reduced_at",
        "sweep_at",
        "windows",
    )

    def __init__(self) -> None:
        self.windows: dict[str, Window] = {}
        self.in_flight = 0
        self.queue: deque[Waker] = deque()  # slot waiters, FIFO
        self.reduced = 0  # the cap in force right after the last back-off; 0: none
        self.reduced_at = -math.inf
        self.recovered_at = -math.inf  # when the cut cap is back at the configured one
        self.created = 0
        self.sweep_at = SWEEP_EVERY

    def window(self, spec: WindowSpec, now: float) -> Window:
        """The window of ``spec``; clients that disagree on a rule get the stricter one."""
        window = self.windows.get(spec.key)
        if window is None:
            # Identical-request rules make a window per distinct request: sweep the idle
            # ones now and then, or a long-running process grows without bound.
            self.created += 1
            if self.created >= self.sweep_at:
                self.sweep(now)
            window = self.windows[spec.key] = Window(spec)
        else:
            window.limit = min(window.limit, spec.limit)
            window.span = max(window.span, spec.span)
            window.margin = max(window.margin, spec.margin)
        return window

    def sweep(self, now: float) -> None:
        """Drop the windows with nothing in their span (a new one would behave the same)."""
        self.created = 0
        for key, window in list(self.windows.items()):
            if window.idle(now):
                del self.windows[key]
        # The next sweep waits for as many new windows as survived this one, so a burst of
        # distinct calls (all still in their span) costs O(1) a call, not O(live windows).
        self.sweep_at = max(SWEEP_EVERY, len(self.windows))

    def cap(self, cap: int, now: float, recovery: float) -> int:
        """The cap in force for a request whose configured cap is ``cap``."""
        if not self.reduced:
            return cap
        grown = self.reduced + self.steps(now, recovery)
        if grown >= cap:
            return cap
        return grown

    def steps(self, now: float, recovery: float) -> int:
        """Steps of +1 the cut cap has grown by (a clock tick short of one counts as one)."""
        return math.floor((now - self.reduced_at + RESOLUTION) / recovery)

    def next_step(self, now: float, recovery: float) -> float:
        """Seconds until the cut cap grows by one more (at least a clock tick)."""
        at = self.reduced_at + (self.steps(now, recovery) + 1) * recovery
        return max(RESOLUTION, at - now)

    def enqueue(self, waker: Waker) -> None:
        """Queue a slot waiter: urgent ones first, then by when its call began to wait.

        A request that waited a minute for its window is next for a slot, before the
        requests of no window that came while it waited (else a capped burst starves it);
        a request of a window others wait for goes before both (its sending decides when
        that window admits again).
        """
        queue, at, place = self.queue, len(self.queue), _place(waker)
        while at and _place(queue[at - 1]) > place:
            at -= 1
        queue.insert(at, waker)

    def promote(self, window: Window, now: float) -> None:
        """An admission waits for ``window``: its requests waiting for a slot go first."""
        window.contended_until = max(window.contended_until, now + window.span)
        moved = False
        for entry in window.log:
            waker = entry.slot
            if entry.time is None and waker is not None and not waker.urgent:
                waker.urgent = moved = True
                self.queue.remove(waker)
                self.enqueue(waker)
        if moved:  # the new head looks whether a slot is free
            self.queue[0].wake()

    def idle(self, now: float) -> bool:
        """Whether it holds nothing a fresh login would not (no slot, waiter, window, cut)."""
        if self.in_flight or self.queue:
            return False
        if self.reduced and now < self.recovered_at:
            return False  # a cut cap still growing back
        return all(window.idle(now) for window in self.windows.values())


def _place(waker: Waker) -> tuple[bool, float]:
    return (not waker.urgent, waker.asked)


class Domain:
    """The state of one clock domain: every login, the pauses and the auth guard."""

    def __init__(self) -> None:
        self.logins: dict[str, Login] = {}
        self.pauses: dict[str, tuple[float, str, str]] = {}  # where -> until, reason, login
        self.auth: dict[str, deque[float]] = {}  # where -> times of authorisation errors
        self.created = 0
        self.sweep_at = SWEEP_EVERY

    def login(self, key: str, now: float) -> Login:
        """The state of ``key``, created on first use."""
        login = self.logins.get(key)
        if login is None:
            self.created += 1
            if self.created >= self.sweep_at:
                self.sweep(now)
            login = self.logins[key] = Login()
        return login

    def sweep(self, now: float) -> None:
        """Drop the idle logins, as a login drops its idle windows (the same amortisation).

        A login object still referenced by a call is never idle (it holds a slot, a queued
        waiter, or a window with an entry), so all of a login's state is always in the one
        object the registry holds.
        """
        self.created = 0
        for key, login in list(self.logins.items()):
            if login.idle(now):
                del self.logins[key]
        self.sweep_at = max(SWEEP_EVERY, len(self.logins))
