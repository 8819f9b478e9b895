"""Redis down: fail fast, or go by the process's own limits with a share of the cap.

By default (``on_unavailable="fail"``) a call that cannot reach Redis fails with
:class:`~smsc_async.errors.LimiterUnavailableError`, nothing sent. With ``"process"`` it goes
by the process-wide state (:class:`smsc_async.ProcessLimiter`) with ``fallback_share`` of the
cap, and asks Redis again once ``Core.down_until`` has passed (a second after it last failed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from smsc_async._state import Admission, Lease, LimiterBackend, WindowSpec
from smsc_async.errors import LimiterUnavailableError
from smsc_async.redis._core import Core

R = TypeVar("R")


class Policy(Protocol):
    """The options the fallback reads when it needs them: the RedisLimiter's own."""

    on_unavailable: str
    fallback_share: float


def process_scope() -> LimiterBackend:
    """The process scope the opt-in fallback uses: the process-wide default state."""
    from smsc_async._process import ProcessLimiter  # noqa: PLC0415 - only when Redis is down

    return ProcessLimiter.default()


def share(policy: Policy, cap: int) -> int:
    """The part of ``cap`` the process fallback takes."""
    return max(1, math.floor(cap * policy.fallback_share))


async def either(
    policy: Policy,
    core: Core,
    in_redis: Callable[[], Awaitable[R]],
    in_process: Callable[[LimiterBackend], Awaitable[R]],
) -> R:
    """``in_redis()``, or ``in_process(...)`` while Redis is down and the fallback is on.

    Raises:
        LimiterUnavailableError: Redis cannot be reached (``on_unavailable="fail"``).
    """
    if policy.on_unavailable == "fail" or time.monotonic() >= core.down_until:
        try:
            return await in_redis()
        except LimiterUnavailableError:
            if policy.on_unavailable == "fail":
                raise
    return await in_process(process_scope())


async def go_in_process(
    policy: Policy, login: str, windows: Sequence[WindowSpec], cap: int, timeout: float | None
) -> Lease:
    """Admit and go by the process scope: Redis went down between a request's admit and go."""
    inner = await process_scope().admit(login, windows, timeout)
    return await Shared(inner, policy).go(cap, timeout)


class Shared(Admission):
    """An admission of the process fallback, going with ``fallback_share`` of the cap."""

    def __init__(self, inner: Admission, policy: Policy) -> None:
        self.inner = inner
        self.policy = policy
        self.reason = inner.reason

    async def go(self, cap: int, timeout: float | None) -> Lease:
        return await self.inner.go(share(self.policy, cap), timeout)

    def withdraw(self) -> None:
        self.inner.withdraw()
