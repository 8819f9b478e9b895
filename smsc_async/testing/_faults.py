"""Faults on demand: latency, resets, error pages, broken bodies, forced error codes."""

from __future__ import annotations

import enum
import random

import attrs

__all__ = ["ConnectionResetByEmulator", "FaultKind", "Faults", "Plan"]


class ConnectionResetByEmulator(ConnectionResetError):  # noqa: N818 - reads as what happened
    """Raised inside the app to drop the connection.

    In process it becomes ``httpx.ConnectError`` (``before`` processing) or
    ``httpx.ReadError`` (after); over uvicorn the connection is closed mid-answer.
    """

    def __init__(self, *, before: bool) -> None:
        super().__init__("connection dropped by the emulator")
        self.before = before


class FaultKind(enum.Enum):
    """What a planned fault does to a request."""

    ERROR = "error"
    """Answer an SMSC error code instead of processing."""
    RESET_BEFORE = "reset_before"
    """Drop the connection before processing: nothing happened at the server."""
    RESET_AFTER = "reset_after"
    """Process, then drop the connection mid-answer: it happened, the client cannot know."""
    BAD_GATEWAY = "bad_gateway"
    """Answer a proxy's HTML 502 page instead of processing."""
    TRUNCATE = "truncate"
    """Process, then send only the first half of the body."""
    SLOW_BODY = "slow_body"
    """Process, then send the body in pieces with pauses between them."""


@attrs.define
class Plan:
    """One planned fault: which command, how many more times (``None`` for always)."""

    kind: FaultKind
    command: str
    times: int | None
    code: int = 0
    message: str = ""
    delay: float = 0.0

    def matches(self, command: str) -> bool:
        """Whether the plan applies to ``command`` (``"*"`` matches every command)."""
        return self.times != 0 and self.command in ("*", command)


@attrs.define
class Faults:
    """The emulator's fault settings.

    Commands are named ``<script>.<flag>``, e.g. ``"senders.add"`` or ``"get.get_price"``;
    ``"*"`` means every command.

    Attributes:
        latency: Seconds every request takes at the server.
        jitter: Up to this many more seconds, drawn uniformly per request.
    """

    latency: float = 0.0
    jitter: float = 0.0
    seed: int = 0
    plans: list[Plan] = attrs.field(factory=list)
    _random: random.Random = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self._random = random.Random(self.seed)  # noqa: S311 - jitter, not cryptography

    def delay(self) -> float:
        """The processing time of the next request."""
        return self.latency + (self._random.uniform(0, self.jitter) if self.jitter else 0.0)

    def error(
        self, command: str, code: int, message: str = "forced error", *, times: int | None = 1
    ) -> None:
        """Answer SMSC error ``code`` to the next ``times`` calls of ``command``."""
        self.plans.append(Plan(FaultKind.ERROR, command, times, code=code, message=message))

    def reset(self, command: str = "*", *, after: bool = True, times: int | None = 1) -> None:
        """Drop the connection: after processing (default) or before it.

        In process, a drop before processing is an ``httpx.ConnectError`` (the request
        never arrived) and one after it an ``httpx.ReadError``. Over HTTP the connection is
        already open, so both close it mid-answer; only the server's state tells them apart.
        """
        kind = FaultKind.RESET_AFTER if after else FaultKind.RESET_BEFORE
        self.plans.append(Plan(kind, command, times))

    def bad_gateway(self, command: str = "*", *, times: int | None = 1) -> None:
        """Answer an HTML ``502 Bad Gateway`` page, as a proxy in front of SMSC would."""
        self.plans.append(Plan(FaultKind.BAD_GATEWAY, command, times))

    def truncate(self, command: str = "*", *, times: int | None = 1) -> None:
        """Send only the first half of the answer's body."""
        self.plans.append(Plan(FaultKind.TRUNCATE, command, times))

    def slow_body(self, command: str = "*", *, delay: float, times: int | None = 1) -> None:
        """Send the body in four pieces, ``delay`` seconds apart."""
        self.plans.append(Plan(FaultKind.SLOW_BODY, command, times, delay=delay))

    def clear(self) -> None:
        """Forget every planned fault (latency and jitter stay)."""
        self.plans.clear()

    def take(self, command: str, kinds: frozenset[FaultKind]) -> Plan | None:
        """The first plan of one of ``kinds`` for ``command``, used up once."""
        for plan in self.plans:
            if plan.kind in kinds and plan.matches(command):
                if plan.times is not None:
                    plan.times -= 1
                return plan
        return None
