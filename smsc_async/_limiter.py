"""Pacing per login, so SMSC never has to answer error 9: the engine (design §6).

The engine knows SMSC's rules; where their state lives is a
:class:`~smsc_async._state.LimiterBackend`'s business (the process's memory by default,
Redis across processes). The engine works out, for one request, the windows it counts in
(:class:`~smsc_async._state.WindowSpec`), asks the backend to admit it, applies the
optional ``max_rate``, and takes a slot.

**Windows.** SMSC refuses a request when N matching requests already *arrived* within the
rule's window T (spec §B). A request arrives up to ``margin`` seconds after we send it. So a
new request may leave at ``s`` only if the N-th most recent matching send ``s'`` satisfies
``s >= s' + T + margin``: then even if ``s'`` arrived as late as possible and ``s`` as early
as possible, they are T apart, and no window of length T holds more than N arrivals. That is
an exact sliding log of send times with span ``T + margin``; the first N of a burst leave at
once. Entries are joined before the concurrency slot is taken and stamped when the request
really leaves, so waiting for a slot can never shorten the distance between two sends.
A request may be held up on its way for longer than the margin (an event loop busy with
hundreds of tasks, a slow network): when its exchange ends at ``e``, its entry moves to
``e - margin`` if that is later than its stamp. It arrived before ``e``, so the next one,
leaving at least ``e - margin + T + margin``, still arrives T after it.

**Keys.** A window's key is text, the same in every process: the rule's group (or the
command), its scope, and what it is kept per: a parameter's value, an item, or for an
identical-request rule a digest of the parameters that make requests identical (a long
message text is never a Redis key). Windows are handed over sorted by key, so two requests
needing the same two windows always take them in one order.

aiolimiter's ``AsyncLimiter(N, T)`` is a leaky bucket: it lets N through at once and then
refills continuously, so a sliding window of T can see up to 2N-1 requests, which would earn
error 9. It is used here only for what a leaky bucket is: the optional steady request rate
(``max_rate``) a caller may impose on top of SMSC's rules; it is per client, not shared.

Times are the calling loop's (durations are handed to the backend), so virtual-time tests
drive all of it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from smsc_async._state import CAP_REASON, Admission, Lease, LimiterBackend, TooLate, WindowSpec
from smsc_async._types import Rule, Scope

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter

__all__ = ["Limiter", "Ticket"]

# Parameters that do not make two requests different for SMSC's "identical" rules.
_NOT_IDENTITY = frozenset({"fmt", "charset", "login", "psw", "apikey"})
_LONG_VALUE = 64  # a parameter value longer than this is digested in a key


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@attrs.frozen
class _Plan:
    """What the windows of one rule of one command share, whatever the parameters.

    Attributes:
        rule: The rule.
        prefix: Every key of its windows starts with it.
        label: The rule as events and errors name it.
        span: Seconds: the rule's window (scaled by ``minute``) plus the margin.
        skip: Parameters that do not make two requests different (identical-request rules).
        spec: The window itself, when it is one for every request (a per-command rule).
    """

    rule: Rule
    prefix: str
    label: str
    span: float
    skip: frozenset[str]
    spec: WindowSpec | None


@attrs.define(eq=False)
class Ticket:
    """A request admitted by its windows (and ``max_rate``); with a lease, free to leave.

    Attributes:
        admission: The backend's admission (pending window entries); ``None`` when
            :meth:`Limiter.take` had the backend admit and take a slot in one step.
        started: Loop time when the call began to wait.
        reason: The first limit that made it wait, ``""`` while none did.
        lease: The slot, once taken (:meth:`Limiter.go`, :meth:`Limiter.take`).
    """

    admission: Admission | None
    started: float
    reason: str
    lease: Lease | None = None

    def withdraw(self) -> None:
        """The request will not be sent: its pending entries leave the windows."""
        if self.admission is not None:
            self.admission.withdraw()


class Limiter:
    """One client's view of its login's limits, on one event loop.

    Args:
        backend: Where the login's state lives (shared with every client given it).
        login: The backend's key of the account on its server.
        cap: Requests in flight allowed for the login (the backend may hold it lower).
        margin: Seconds of send-to-arrival jitter every window allows for.
        minute: Seconds per minute of rule windows (60; less against a compressed emulator).
        overrides: Rules per command name, replacing the declared ones.
        max_rate: An optional steady cap, requests per second, on top of SMSC's rules.
    """

    def __init__(
        self,
        backend: LimiterBackend,
        login: str,
        *,
        cap: int,
        margin: float,
        minute: float,
        overrides: Mapping[str, Sequence[Rule]],
        max_rate: float | None,
    ) -> None:
        self.backend = backend
        self.login = login
        self.cap = cap
        self.margin = margin
        self.minute = minute
        self._overrides = {name: tuple(rules) for name, rules in overrides.items()}
        self._rate: AsyncLimiter | None = None
        if max_rate:
            # Imported only for a client with max_rate: aiolimiter reads its package
            # metadata on import, milliseconds every client would pay.
            from aiolimiter import AsyncLimiter  # noqa: PLC0415

            self._rate = AsyncLimiter(max_rate, 1.0)
        # Per command: the rules its plans were made for, and a plan per rule.
        self._plans: dict[str, tuple[tuple[Rule, ...], list[_Plan]]] = {}

    def rules(self, command: str, declared: Sequence[Rule]) -> tuple[Rule, ...]:
        """The rules that govern ``command`` for this client."""
        rules = self._overrides.get(command)
        if rules is None:  # (an override may be no rules at all: () is not None)
            return declared if isinstance(declared, tuple) else tuple(declared)
        return rules

    def windows(
        self, command: str, declared: Sequence[Rule], params: Mapping[str, str]
    ) -> list[WindowSpec]:
        """The windows a request counts in, sorted by key (no two waiters deadlock)."""
        rules = self.rules(command, declared)
        known = self._plans.get(command)
        if known is None or (known[0] is not rules and known[0] != rules):
            known = self._plans[command] = (rules, [self._plan(command, r) for r in rules])
        specs = []
        for plan in known[1]:
            if plan.spec is not None:  # the same window for every request of the command
                specs.append(plan.spec)
                continue
            rule = plan.rule
            if rule.scope is Scope.IDENTICAL:
                if plan.skip.isdisjoint(params):  # the usual case: nothing to leave out
                    identity = sorted(params.items())
                else:
                    identity = sorted((k, v) for k, v in params.items() if k not in plan.skip)
                # Unambiguous (repr quotes and escapes), and bounded whatever the text.
                key = plan.prefix + _digest(repr(identity))
            elif rule.scope is Scope.PARAM:
                key = plan.prefix + _part(params.get(rule.param or "", ""))
            else:  # Scope.EACH
                # One window per item; each key names its item, so every request takes its
                # windows in one global order.
                value = params.get(rule.param or "", "")
                items = sorted({item.strip() for item in value.split(",")} - {""}) or [""]
                specs += [
                    WindowSpec(
                        plan.prefix + _part(item),
                        rule.limit,
                        plan.span,
                        f"{plan.label} [{item}]",
                        self.margin,
                    )
                    for item in items
                ]
                continue
            specs.append(WindowSpec(key, rule.limit, plan.span, plan.label, self.margin))
        return specs if len(specs) < 2 else sorted(specs, key=lambda spec: spec.key)  # noqa: PLR2004

    def longest(self, command: str, declared: Sequence[Rule]) -> float:
        """Seconds the longest window of ``command`` lasts (a minute when none is declared).

        A rule we do not know about (none declared): SMSC's windows are a minute long.
        """
        rules = self.rules(command, declared)
        longest = max((rule.window for rule in rules), default=60.0)
        return longest * self.minute / 60.0 + self.margin

    def _plan(self, command: str, rule: Rule) -> _Plan:
        """A rule's key prefix, label, span and identity-free parameters, worked out once."""
        name = rule.group or command
        window = rule.window * self.minute / 60.0
        # The label shows the real window: with minute=2 a 60 s rule lasts 2 s.
        label = f"{name}: {rule.limit} {rule.scope.value} per {window:g} s"
        extra = f"{rule.param}|" if rule.scope in {Scope.PARAM, Scope.EACH} else ""
        prefix = f"{name}|{rule.scope.value}|{extra}"
        span = window + self.margin
        spec = None
        if rule.scope is Scope.COMMAND:  # one key whatever the parameters
            spec = WindowSpec(prefix.rstrip("|"), rule.limit, span, label, self.margin)
        return _Plan(rule, prefix, label, span, _NOT_IDENTITY | rule.ignore, spec)

    async def admit(
        self,
        command: str,
        declared: Sequence[Rule],
        params: Mapping[str, str],
        deadline: float | None,
    ) -> Ticket:
        """Wait until every window of the request has room, join them, pass ``max_rate``.

        Raises:
            TooLate: The wait would pass ``deadline`` (loop time); nothing is held.
        """
        loop = asyncio.get_running_loop()
        started = loop.time()
        windows = self.windows(command, declared, params)
        admission = await self.backend.admit(self.login, windows, _left(deadline, started))
        ticket = Ticket(admission, started, admission.reason)
        if self._rate is not None:
            try:
                if not self._rate.has_capacity():
                    ticket.reason = ticket.reason or "max_rate"
                await _until(self._rate.acquire(), deadline, loop.time(), "max_rate")
            except BaseException:
                admission.withdraw()
                raise
        return ticket

    async def go(self, ticket: Ticket, deadline: float | None) -> Lease:
        """Take a slot of the login's cap; the request leaves now (its entries stamped).

        Raises:
            TooLate: No slot before ``deadline``; the entries are withdrawn.
        """
        assert ticket.admission is not None  # noqa: S101 - a ticket of admit()
        now = asyncio.get_running_loop().time()
        lease = await ticket.admission.go(self.cap, _left(deadline, now))
        if lease.waited and not ticket.reason:
            ticket.reason = CAP_REASON
        ticket.lease = lease
        return lease

    async def take(
        self,
        command: str,
        declared: Sequence[Rule],
        params: Mapping[str, str],
        deadline: float | None,
    ) -> Ticket:
        """:meth:`admit` and :meth:`go` in one: the request may leave now (``ticket.lease``).

        Without ``max_rate`` nothing waits between the two, so the backend does both in
        one step (one script through Redis, when nothing has to wait).

        Raises:
            TooLate: The waits would pass ``deadline``; nothing is held.
        """
        if self._rate is not None:
            ticket = await self.admit(command, declared, params, deadline)
            try:
                await self.go(ticket, deadline)
            except BaseException:
                ticket.withdraw()
                raise
            return ticket
        started = asyncio.get_running_loop().time()
        windows = self.windows(command, declared, params)
        lease = await self.backend.take(self.login, windows, self.cap, _left(deadline, started))
        return Ticket(None, started, lease.reason, lease)

    def waited(self, ticket: Ticket) -> float:
        """Seconds the call waited for its limits, 0.0 if none made it wait."""
        if not ticket.reason:
            return 0.0
        return asyncio.get_running_loop().time() - ticket.started


def _part(value: str) -> str:
    """A parameter value as a key part: itself, or its digest when long."""
    if len(value) <= _LONG_VALUE and not value.startswith("#"):
        return value
    return "#" + _digest(value)


def _left(deadline: float | None, now: float) -> float | None:
    """Seconds from ``now`` until ``deadline`` (never negative)."""
    return None if deadline is None else max(0.0, deadline - now)


async def _until(
    awaitable: Coroutine[Any, Any, object], deadline: float | None, now: float, reason: str
) -> None:
    """Await ``awaitable`` but not past ``deadline``."""
    if deadline is None:
        await awaitable
        return
    # anyio's cancel scope rather than asyncio.wait_for: on 3.10 and 3.11 wait_for can lose
    # what was acquired just as the timeout fires.
    try:
        with anyio.fail_after(max(0.0, deadline - now)):
            await awaitable
    except TimeoutError:
        raise TooLate(deadline - now, reason) from None
