"""The seam between the limiter's engine and where its state lives (design §6).

The engine (:mod:`smsc_async._limiter`) knows SMSC's rules: which windows a request counts
in, how long they are, what a margin is. Where the windows' logs, the in-flight slots, the
pauses and the blocks are kept is a :class:`LimiterBackend`'s business:

- :class:`smsc_async.ProcessLimiter` (``_process.py``, the default): in memory, shared by
  every client of a login in the process, across event loops and threads;
- :class:`smsc_async.redis.RedisLimiter` (``redis/``): in Redis, shared by every process
  and host that points at it.

Like httpx's transports: one abstract class, one module per implementation, the engine
unaware which it has. Every method takes *durations* (seconds from now), never instants:
each backend keeps time by its own clock (the event loop's in a process, Redis's ``TIME``
across processes), so no two clocks are ever compared.

What every backend guarantees, per login key (the engine's :class:`WindowSpec` docs say
what a window is):

1. **Windows.** An admission joins every window it is given at once, or none: it waits
   until, in each, fewer than ``limit`` entries are in the log within ``span`` seconds of
   now. A joined entry is *pending* until :meth:`Admission.go` stamps it with the moment
   the request leaves; a pending entry counts as in the log and, when it is the decisive
   (``limit``-th most recent) one, later admissions wait for it to be stamped or withdrawn
   (a pending entry of a dead process expires after a lease). Entries are joined before the
   slot is taken, so waiting for a slot never shortens the distance between two sends.
   When the exchange ends (:meth:`Lease.release`), an entry moves to ``margin`` seconds
   before that moment if this is later than its stamp: the request arrived before its
   answer came, so a request held up on its way (a busy event loop, a slow network) by
   more than the margin still keeps the next one a whole window after its arrival.
2. **Slots.** At most ``cap`` requests of a login are between :meth:`Admission.go` and
   :meth:`Lease.release`; after :meth:`LimiterBackend.back_off` the cap is lower for a
   while (AIMD). A slot of a dead process returns within the backend's lease. Requests
   waiting for a slot get it in order: first those holding an entry in a window another
   admission waits for (their sending decides when it admits again), then by when their
   call began to wait.
3. **Blocks and pauses** (:meth:`LimiterBackend.hold`, :meth:`LimiterBackend.ban`,
   :meth:`LimiterBackend.auth_failed`) are seen by every sharer at once, and end by
   themselves after their seconds.
4. **Waits** end early when the thing waited for frees (no busy polling), and never pass
   the caller's ``timeout``: past it they raise :class:`TooLate` and hold nothing.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import Sequence

import attrs

__all__ = ["CAP_REASON", "Admission", "Lease", "LimiterBackend", "Pause", "TooLate", "WindowSpec"]

CAP_REASON = "concurrency cap"
"""The reason a wait for a slot of the login's cap gives (events, errors)."""

ID_MAX = 2_147_483_647
"""The largest numeric message id SMSC takes (spec §7.9): ids run from 1 to this."""


class TooLate(Exception):  # noqa: N818 - it is a signal, caught by the command path
    """The wait for a limit would pass the caller's deadline: nothing was taken or sent.

    Attributes:
        wait: Seconds the limit would have needed (a lower bound when unknown).
        reason: Which limit: a window's label, ``"concurrency cap"`` or ``"max_rate"``.
    """

    def __init__(self, wait: float, reason: str) -> None:
        super().__init__(reason)
        self.wait = wait
        self.reason = reason


@attrs.frozen
class WindowSpec:
    """One rule window of one login, as the engine worked it out for a request.

    Attributes:
        key: Names the window within its login, the same in every process (a rule's
            group or command, its scope, and for an identical-request rule a digest of
            the parameters that make requests identical). Text only: it is a Redis key.
        limit: Requests allowed within ``span``.
        span: Seconds: the rule's window (scaled by ``minute``) plus the margin.
        label: For events and errors, e.g. ``"senders.add: 5 per command per 60 s"``.
        margin: The part of ``span`` that allows for send-to-arrival jitter: when its
            exchange ends, an entry moves to ``margin`` before that moment if this is
            later than its stamp (see guarantee 1).
    """

    key: str
    limit: int
    span: float
    label: str
    margin: float = 0.0


@attrs.frozen
class Pause:
    """Requests of a pause domain (a server, seen from one address) are refused for a while.

    Attributes:
        seconds: Seconds left.
        reason: Why, e.g. ``"SMSC blocked this IP (error 4)"``.
        login: The account (safe to show: a login or a masked API key) whose answer
            earned it.
    """

    seconds: float
    reason: str
    login: str


class Lease(abc.ABC):
    """A concurrency slot held by one request, from just before it leaves until it ends."""

    waited: bool = False
    """Whether :meth:`Admission.go` had to wait for the slot (for the ``on_event`` reason)."""

    reason: str = ""
    """From :meth:`LimiterBackend.take`: the limit that made the request wait (a window's
    label or ``"concurrency cap"``), ``""`` if none did."""

    @abc.abstractmethod
    def release(self) -> None:
        """The exchange ended: give the slot back.

        Synchronous, callable from a task's done-callback; a backend that must talk to a
        server does so in the background. Releasing twice is harmless.
        """

    @abc.abstractmethod
    def refund(self) -> None:
        """The request certainly never reached SMSC: its window entries are dropped too.

        Waiters already planning on those entries wake no earlier than they planned; only
        later ones gain. Call it before :meth:`release`. Synchronous, like release.
        """


class Admission(abc.ABC):
    """A request that joined its windows (pending entries); next: a slot, and it leaves."""

    reason: str
    """The label of the window that made it wait, or ``""`` if none did."""

    @abc.abstractmethod
    async def go(self, cap: int, timeout: float | None) -> Lease:
        """Take a slot of the login's cap, then stamp every entry with the time of leaving.

        Args:
            cap: The login's configured cap (the backend may hold it lower, see
                :meth:`LimiterBackend.back_off`).
            timeout: Seconds the wait for a slot may take (``None``: no limit).

        Raises:
            TooLate: No slot within ``timeout``; the entries are withdrawn.
        """

    @abc.abstractmethod
    def withdraw(self) -> None:
        """The request will not be sent: its pending entries leave the logs (sync)."""


class LimiterBackend(abc.ABC):
    """Where the limits of every login live; shared by every client given the same one.

    ``login`` below is the engine's key for an account on a server (it names the server
    too: one login on two servers is two accounts). ``where`` names a pause domain: what
    SMSC blocks, i.e. a server as seen from one outgoing address.
    """

    scope: str
    """``"process"`` or ``"redis"``: who shares this state (for diagnostics and docs)."""

    egress: str = "local"
    """Names the outgoing address of the sharers, the second half of a pause domain
    ``where`` (``"<server host[:port]>|<egress>"``): ``"local"`` for one process; a shared
    backend whose sharers may leave through several addresses says so (Redis: an option)."""

    @abc.abstractmethod
    async def admit(
        self, login: str, windows: Sequence[WindowSpec], timeout: float | None
    ) -> Admission:
        """Wait until every window has room, then join them all at once (atomically).

        ``windows`` come sorted by key; a rule's ``limit`` and ``span`` are the engine's
        (clients that disagree: the stricter holds).

        Raises:
            TooLate: The wait would pass ``timeout``; nothing was joined.
        """

    async def take(
        self, login: str, windows: Sequence[WindowSpec], cap: int, timeout: float | None
    ) -> Lease:
        """:meth:`admit`, then :meth:`Admission.go` at once: the request leaves now.

        For callers with nothing to wait for between the two (no ``max_rate``). A backend
        whose state is far away does both in one exchange when nothing has to wait (Redis:
        one script instead of two); this default simply chains them. The lease's
        :attr:`Lease.reason` names what made the request wait.

        Raises:
            TooLate: The waits would pass ``timeout``; nothing is held.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        admission = await self.admit(login, windows, timeout)
        try:
            left = None if deadline is None else max(0.0, deadline - loop.time())
            lease = await admission.go(cap, left)
        except BaseException:
            admission.withdraw()
            raise
        lease.reason = admission.reason or (CAP_REASON if lease.waited else "")
        return lease

    @abc.abstractmethod
    async def hold(self, login: str, windows: Sequence[WindowSpec], seconds: float) -> None:
        """SMSC said 9 for these windows: admit nothing into them for ``seconds``.

        The server's window holds requests this state never saw; the block makes every
        sharer wait until it has slid.
        """

    @abc.abstractmethod
    async def back_off(self, login: str, cap: int) -> int:
        """SMSC said 9 for too many requests in flight: halve the login's cap for a while.

        Multiplicative decrease, additive increase: the cap in force becomes half the cap
        in force now (at least 1), then grows back by one every few seconds to ``cap``.

        Returns:
            The cap now in force.
        """

    @abc.abstractmethod
    async def paused(self, where: str) -> Pause | None:
        """The pause of ``where`` in force, if any."""

    @abc.abstractmethod
    async def ban(self, where: str, login: str, seconds: float, reason: str) -> Pause:
        """SMSC blocked the address (error 4): pause ``where`` for ``seconds``."""

    @abc.abstractmethod
    async def auth_failed(self, where: str, login: str, *, limit: int, span: float) -> Pause | None:
        """Count an authorisation error of ``login`` at ``where``.

        When ``limit`` of them (any login's) fall within ``span`` seconds, ``where`` is
        paused until the oldest of those leaves the span, so that one more cannot earn
        SMSC's block.

        Returns:
            The pause, if this error engaged (or extended) it.
        """

    @staticmethod
    def auth_reason(limit: int, span: float) -> str:
        """Why :meth:`auth_failed` paused, in the words every backend uses.

        ``(4, 1800)`` -> ``"4 authorisation errors within 30 minutes"``; a span that is not
        whole minutes (a compressed ``minute``) in seconds: ``"4 authorisation errors
        within 10 s"``.
        """
        if span >= 60 and span % 60 == 0:  # noqa: PLR2004
            return f"{limit} authorisation errors within {span / 60:g} minutes"
        return f"{limit} authorisation errors within {span:g} s"

    @abc.abstractmethod
    async def next_id(self, login: str) -> int:
        """A message id (1 to :data:`ID_MAX`) no other sharer hands out for ``login`` now."""

    async def aclose(self) -> None:  # noqa: B027 - optional: most backends hold nothing
        """Let go of connections and background tasks (the process backend has none)."""
