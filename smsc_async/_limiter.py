"""Pacing per login, so SMSC never has to answer error 9: windows, a concurrency cap, pauses.

**Windows.** SMSC refuses a request when N matching requests already *arrived* within the
rule's window T (spec §B). A request arrives up to ``margin`` seconds after we send it. So a
new request may leave at ``s`` only if the N-th most recent matching send ``s'`` satisfies
``s >= s' + T + margin``: then even if ``s'`` arrived as late as possible and ``s`` as early
as possible, they are T apart, and no window of length T holds more than N arrivals. That is
an exact sliding log of send times with span ``T + margin``; the first N of a burst leave at
once. Entries are taken before the concurrency slot and stamped when the request really
leaves, so waiting for a slot can never shorten the distance between two sends.

aiolimiter's ``AsyncLimiter(N, T)`` is a leaky bucket: it lets N through at once and then
refills continuously, so a sliding window of T can see up to 2N-1 requests, which would earn
error 9. It is used here only for what a leaky bucket is: the optional steady request rate
(``max_rate``) a caller may impose on top of SMSC's rules.

**Concurrency.** 15 requests in flight under one login earn error 9, so every client of one
login in a process (and event loop) shares one semaphore, 14 by default. A slot is released
when the HTTP exchange ends, not when the caller stops waiting: a request given up on may
still be running at SMSC (see ``SmscClient._send``).

**Pauses.** After SMSC blocks the IP (error 4), or after 4 authorisation errors within 30
minutes (a 5th would earn the block), requests are paused and calls fail before sending.
SMSC keeps both per IP, so pauses are shared by every login in the process.

Times are event-loop time, so virtual-time tests drive all of it.
"""

from __future__ import annotations

import asyncio
import math
import weakref
from collections import deque
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any

import anyio
import attrs
from aiolimiter import AsyncLimiter

from smsc_async._types import Rule, Scope

__all__ = ["Admission", "IpGate", "Limiter", "LoginGate", "TooLate", "gate_for"]

# Parameters that do not make two requests different for SMSC's "identical" rules.
_NOT_IDENTITY = frozenset({"fmt", "charset", "login", "psw", "apikey"})
_AUTH_GUARD_ERRORS = 4  # the 5th authorisation error within 30 minutes blocks the IP
_AUTH_WINDOW_MINUTES = 30.0
_BAN_MINUTES = 30.0  # the longer of SMSC's two IP blocks; which one hit us is not said
# Event-loop clocks have a resolution (looptime's is a microsecond): a wait shorter than
# that would never end, so a window this close to free counts as free.
_RESOLUTION = 1e-6


class TooLate(Exception):  # noqa: N818 - it is a signal, caught by the command path
    """The wait for a limit would pass the caller's deadline."""

    def __init__(self, wait: float, reason: str) -> None:
        super().__init__(reason)
        self.wait = wait
        self.reason = reason


_SWEEP_EVERY = 1024
"""New windows of a login (or new gates of a loop) between two sweeps of idle ones, at least."""


@attrs.define(eq=False)
class _Entry:
    """One request in a window's log: pending until it is sent (or withdrawn)."""

    time: float | None = None
    done: asyncio.Event = attrs.field(factory=asyncio.Event)


@attrs.define(eq=False)
class _Window:
    """An exact sliding log of send times for one rule key of one login."""

    limit: int
    span: float
    label: str
    key: tuple[object, ...] = ()
    log: deque[_Entry] = attrs.field(factory=deque)
    lock: asyncio.Lock = attrs.field(factory=asyncio.Lock)  # FIFO: waiters keep their order
    blocked_until: float = -math.inf
    retired: bool = False
    """Swept from its gate as idle: a call still holding it takes the gate's current one."""

    def idle(self, now: float) -> bool:
        """Whether the window holds nothing a new window would not (nothing in its span)."""
        while self.log and self.log[0].time is not None and self.log[0].time + self.span <= now:
            self.log.popleft()
        return not self.log and not self.lock.locked() and self.blocked_until <= now

    def next_free(self, now: float) -> float | _Entry:
        """When a new request may join: a time, or a pending entry whose send decides it."""
        while self.log and self.log[0].time is not None and self.log[0].time + self.span <= now:
            self.log.popleft()
        free = self.blocked_until
        if len(self.log) >= self.limit:
            decisive = self.log[-self.limit]
            if decisive.time is None:
                return decisive
            free = max(free, decisive.time + self.span)
        return free

    def join(self) -> _Entry:
        entry = _Entry()
        self.log.append(entry)
        return entry

    def withdraw(self, entry: _Entry) -> None:
        """A request that will never be sent leaves the log."""
        if entry.time is None:
            self.log.remove(entry)
            entry.done.set()

    def forget(self, entry: _Entry) -> None:
        """A request that was sent but certainly never reached SMSC leaves the log.

        Calls already waiting on it wake no earlier than they planned: only later ones
        gain, which keeps every window at or under its limit.
        """
        if entry in self.log:
            self.log.remove(entry)
        entry.done.set()


class IpGate:
    """What SMSC keeps per IP address: its blocks and the authorisation errors leading there.

    Assumption: every client in the process reaches SMSC from the same address, so one
    login's error 4 pauses them all, and authorisation errors of all logins add up.
    """

    def __init__(self) -> None:
        self.paused_until = -math.inf
        self.pause_reason = ""
        self.auth_errors: deque[float] = deque()

    def paused(self, now: float) -> tuple[float, str] | None:
        """Seconds left and the reason, while requests are paused."""
        if now < self.paused_until:
            return self.paused_until - now, self.pause_reason
        return None

    def pause(self, until: float, reason: str) -> None:
        """Refuse requests until ``until``."""
        if until > self.paused_until:
            self.paused_until, self.pause_reason = until, reason

    def auth_failed(self, now: float, minute: float) -> float | None:
        """Count an authorisation error; the seconds of pause if the guard engages."""
        span = _AUTH_WINDOW_MINUTES * minute
        self.auth_errors.append(now)
        while self.auth_errors and self.auth_errors[0] + span <= now:
            self.auth_errors.popleft()
        if len(self.auth_errors) < _AUTH_GUARD_ERRORS:
            return None
        until = self.auth_errors[-_AUTH_GUARD_ERRORS] + span
        self.pause(until, f"{_AUTH_GUARD_ERRORS} authorisation errors within 30 minutes")
        return until - now

    def banned(self, now: float, minute: float) -> float:
        """SMSC blocked the IP: pause for the length of its block. Returns the seconds."""
        seconds = _BAN_MINUTES * minute
        self.pause(now + seconds, "SMSC blocked this IP (error 4)")
        return seconds


class LoginGate:
    """What every client of one login shares (per event loop): slots and windows.

    Pauses belong to the IP (:class:`IpGate`), which all logins of the loop share.
    """

    def __init__(self, account: str, max_concurrency: int, ip: IpGate | None = None) -> None:
        self.account = account
        self.max_concurrency = max_concurrency
        self.slots = asyncio.Semaphore(max_concurrency)
        self.windows: dict[tuple[object, ...], _Window] = {}
        self.ip = ip or IpGate()
        self.busy = 0
        """Calls holding or awaiting a slot."""
        self.retired = False
        """Swept from the registry as idle: a Limiter still holding it takes the current one."""
        self._created = 0
        self._sweep_at = _SWEEP_EVERY

    def idle(self, now: float) -> bool:
        """Whether the gate holds nothing a new gate would not: no slot, no window in span."""
        return self.busy == 0 and all(window.idle(now) for window in self.windows.values())

    def window(self, key: tuple[object, ...], limit: int, span: float, label: str) -> _Window:
        """The window for ``key``; clients that disagree on a rule get the stricter one."""
        window = self.windows.get(key)
        if window is None:
            # Identical-request rules make a window per distinct request: sweep the idle
            # ones now and then, or a long-running client grows without bound.
            self._created += 1
            if self._created >= self._sweep_at:
                self.sweep(asyncio.get_running_loop().time())
            window = self.windows[key] = _Window(limit, span, label, key)
        else:
            window.limit = min(window.limit, limit)
            window.span = max(window.span, span)
        return window

    def sweep(self, now: float) -> None:
        """Drop the windows with nothing in their span (a new one would behave the same)."""
        self._created = 0
        for key, window in list(self.windows.items()):
            if window.idle(now):
                window.retired = True
                del self.windows[key]
        # The next sweep waits for as many new windows as survived this one, so a burst of
        # distinct calls (all still in their span) costs O(1) a call, not O(live windows).
        self._sweep_at = max(_SWEEP_EVERY, len(self.windows))


@attrs.define
class _LoopState:
    ip: IpGate = attrs.field(factory=IpGate)
    logins: dict[str, LoginGate] = attrs.field(factory=dict)
    created: int = 0
    sweep_at: int = _SWEEP_EVERY

    def sweep(self, now: float) -> None:
        """Drop the idle gates, as a gate drops its idle windows (the same amortisation)."""
        self.created = 0
        for account, gate in list(self.logins.items()):
            if gate.idle(now):
                gate.retired = True
                del self.logins[account]
        self.sweep_at = max(_SWEEP_EVERY, len(self.logins))


_STATE: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = (
    weakref.WeakKeyDictionary()
)


def gate_for(account: str, max_concurrency: int) -> LoginGate:
    """The gate of ``account`` in the running event loop, created on first use.

    Why gates are swept, and why that never splits a login's limits: every distinct login
    (each ``with_credentials`` view of a subclient) would otherwise keep its gate for the
    life of the loop. A gate is dropped only when it is idle, i.e. holds nothing a fresh
    gate would not: no slot taken or awaited, and no window with a send in its span, a
    pending entry, a waiter or a block. A Limiter may still hold a dropped gate; like a
    retired window, the gate is then marked ``retired`` and the Limiter swaps it for the
    registry's current one (see :meth:`Limiter.current`) before it takes anything, with
    no await between the check and the taking. So all the state of a login is always in
    the one gate the registry holds: never two gates, never two caps of 14, and a view that
    comes and goes within a window still finds that window's sends. (Issue 17 redesigns
    this state across loops and threads.)
    """
    loop = asyncio.get_running_loop()
    state = _STATE.setdefault(loop, _LoopState())
    gate = state.logins.get(account)
    if gate is None:
        state.created += 1
        if state.created >= state.sweep_at:
            state.sweep(loop.time())
        gate = state.logins[account] = LoginGate(account, max_concurrency, state.ip)
    return gate


@attrs.define
class Admission:
    """A request admitted by every window of its command; stamped when it leaves."""

    entries: list[tuple[_Window, _Entry]]
    waited: float
    reason: str

    def sent(self, now: float) -> None:
        """The request leaves now: its windows count it from this moment."""
        for _, entry in self.entries:
            entry.time = now
            entry.done.set()

    def withdraw(self) -> None:
        """The request will not be sent after all."""
        for window, entry in self.entries:
            window.withdraw(entry)

    def refund(self) -> None:
        """The request never reached SMSC (no connection): it counts in no window."""
        for window, entry in self.entries:
            window.forget(entry)


class Limiter:
    """One client's view of its login's gate: its rule overrides, margin and time scale.

    Args:
        gate: The shared per-login state.
        margin: Seconds of send-to-arrival jitter every window allows for.
        minute: Seconds per minute of rule windows (60; less against a compressed emulator).
        overrides: Rules per command name, replacing the declared ones.
        max_rate: An optional steady cap, requests per second, on top of SMSC's rules.
    """

    def __init__(
        self,
        gate: LoginGate,
        *,
        margin: float,
        minute: float,
        overrides: Mapping[str, Sequence[Rule]],
        max_rate: float | None,
    ) -> None:
        self.gate = gate
        self.margin = margin
        self.minute = minute
        self._overrides = {name: tuple(rules) for name, rules in overrides.items()}
        self._rate = AsyncLimiter(max_rate, 1.0) if max_rate else None
        self._fixed: dict[tuple[str, Rule], tuple[str, float, frozenset[str]]] = {}

    def current(self) -> LoginGate:
        """The login's gate, swapped for the registry's own if this one was swept as idle.

        Called, with no await before the state is taken, by everything that takes some.
        """
        if self.gate.retired:
            self.gate = gate_for(self.gate.account, self.gate.max_concurrency)
        return self.gate

    def rules(self, command: str, declared: Sequence[Rule]) -> tuple[Rule, ...]:
        """The rules that govern ``command`` for this client."""
        return self._overrides.get(command, tuple(declared))

    def windows(
        self, command: str, declared: Sequence[Rule], params: Mapping[str, str]
    ) -> list[_Window]:
        """The windows a request counts in, in a fixed order (no two waiters deadlock)."""
        gate = self.current()
        windows = []
        for rule in self.rules(command, declared):
            label, span, skip = self._fixed_parts(command, rule)
            # The scope's value, not the enum: a str hashes in C, an Enum in Python.
            key: tuple[object, ...] = (rule.group or command, rule.scope.value)
            if rule.scope is Scope.IDENTICAL:
                if skip.isdisjoint(params):  # the usual case: nothing to leave out
                    key += tuple(sorted(params.items()))
                else:
                    key += tuple(sorted((k, v) for k, v in params.items() if k not in skip))
            elif rule.scope is Scope.PARAM:
                key += (params.get(rule.param or "", ""),)
            if rule.scope is Scope.EACH:
                # One window per item; each label names its item, so every request takes
                # its windows in one global order.
                value = params.get(rule.param or "", "")
                items = sorted({item.strip() for item in value.split(",")} - {""}) or [""]
                windows += [
                    gate.window((*key, item), rule.limit, span, f"{label} [{item}]")
                    for item in items
                ]
                continue
            windows.append(gate.window(key, rule.limit, span, label))
        return windows if len(windows) < 2 else sorted(windows, key=lambda w: w.label)  # noqa: PLR2004

    def _fixed_parts(self, command: str, rule: Rule) -> tuple[str, float, frozenset[str]]:
        """A rule's window label, length and identity-free parameters, worked out once."""
        known = self._fixed.get((command, rule))
        if known is None:
            name = rule.group or command
            label = f"{name}: {rule.limit} {rule.scope.value} per {rule.window:g} s"
            span = rule.window * self.minute / 60.0 + self.margin
            known = self._fixed[command, rule] = (label, span, _NOT_IDENTITY | rule.ignore)
        return known

    async def admit(
        self,
        command: str,
        declared: Sequence[Rule],
        params: Mapping[str, str],
        deadline: float | None,
    ) -> Admission:
        """Wait until every window of the request has room; join them.

        Raises:
            TooLate: The wait would pass ``deadline``.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        entries: list[tuple[_Window, _Entry]] = []
        reason = ""
        try:
            for window in self.windows(command, declared, params):
                if window.retired:  # swept as idle while this call waited on another window
                    window = self.gate.window(window.key, window.limit, window.span, window.label)  # noqa: PLW2901
                async with window.lock:
                    while True:
                        now = loop.time()
                        free = window.next_free(now)
                        if isinstance(free, _Entry):
                            await _until(free.done.wait(), deadline, now, window.label)
                            continue
                        if free <= now + _RESOLUTION:
                            entries.append((window, window.join()))
                            break
                        if deadline is not None and free >= deadline:
                            raise TooLate(free - now, window.label)  # noqa: TRY301 - withdraws above
                        reason = window.label
                        await asyncio.sleep(free - now)
            if self._rate is not None:
                before = loop.time()
                await _until(self._rate.acquire(), deadline, before, "max_rate")
                if loop.time() > before:
                    reason = reason or "max_rate"
        except BaseException:
            for window, entry in entries:
                window.withdraw(entry)
            raise
        return Admission(entries, loop.time() - started, reason)

    async def slot(self, deadline: float | None) -> float:
        """Take a concurrency slot; returns the seconds waited. Release with :meth:`release`."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        gate = self.current()
        # Busy from now: a gate holding or awaiting a slot is never swept, so release()
        # gives the slot back to this very gate (self.gate cannot be swapped meanwhile).
        gate.busy += 1
        try:
            await _until(gate.slots.acquire(), deadline, started, "concurrency cap")
        except BaseException:
            gate.busy -= 1
            raise
        return loop.time() - started

    def release(self) -> None:
        """Give a slot back (when the HTTP exchange is over)."""
        self.gate.slots.release()
        self.gate.busy -= 1


async def _until(
    awaitable: Coroutine[Any, Any, object], deadline: float | None, now: float, reason: str
) -> None:
    """Await ``awaitable`` but not past ``deadline``."""
    if deadline is None:
        await awaitable
        return
    # anyio's cancel scope rather than asyncio.wait_for: on 3.10 and 3.11 wait_for can lose
    # a semaphore acquired just as the timeout fires.
    try:
        with anyio.fail_after(max(0.0, deadline - now)):
            await awaitable
    except TimeoutError:
        raise TooLate(deadline - now, reason) from None
