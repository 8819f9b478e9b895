"""What a failed attempt means: try again after how long and why, or which error ends the call.

The command path (:mod:`smsc_async._path`) runs the attempts, waits and pauses; this module
only decides, without I/O: which failures may be repeated for which retry class, how long
to wait before the next attempt, when the call has run out of attempts or time, and the
error a caller sees when it may not be repeated (a send or a change whose request may have
arrived ends with :class:`~smsc_async.MaybeAppliedError`, never with a blind resend).
It also holds the lengths of the pauses SMSC's IP rules call for (error 4, the auth guard).
"""

from __future__ import annotations

import random
from typing import Any

from smsc_async._calling import label
from smsc_async._commands import Command, RetryClass
from smsc_async.errors import (
    ClientClosedError,
    MaybeAppliedError,
    ParseError,
    RateLimitError,
    SmscError,
    TransportError,
)

__all__ = [
    "ClosedInFlight",
    "Unrepeatable",
    "auth_guard",
    "backoff",
    "closed_error",
    "crowded_wait",
    "gives_up",
    "ip_ban",
    "jittered",
    "maybe_applied",
    "never_resend",
    "rate_limited_reason",
    "too_many_in_flight",
    "transport_reason",
    "unreadable",
]

_DUPLICATE_SCRIPTS = frozenset({"send.php", "jobs.php"})
# After "too many concurrent requests" (someone the limiter does not know holds slots): the
# first retry waits 0.5-1 s, each further one twice as long (full doubling, equal jitter), up
# to half a minute, while the backend halves the login's cap (AIMD).
_CONCURRENCY_WAIT = 1.0
_CONCURRENCY_WAIT_MAX = 30.0
_AUTH_GUARD_ERRORS = 4  # the 5th authorisation error within 30 minutes blocks the IP
_AUTH_WINDOW_MINUTES = 30.0
_BAN_MINUTES = 30.0  # the longer of SMSC's two IP blocks; which one hit us is not said


# -- errors that end the call ------------------------------------------------------------


def never_resend(command: Command[Any], exc: RateLimitError) -> None:
    """Error 9 to a send as a duplicate: raise :class:`MaybeAppliedError`, do not wait and resend.

    send.php's error 9 says an identical send arrived within the minute (spec §2.3), and
    that one may have been this very message (an attempt whose answer was lost, e.g. from
    another process), so sending again could deliver it twice. jobs.php's says the same of
    an identical mailing (its answer page: "more than one identical request ... within a
    minute"). Other scripts' error 9 is their general anti-flood rule, waited out as usual.
    """
    duplicate = command.script in _DUPLICATE_SCRIPTS and not too_many_in_flight(exc)
    if command.retry is RetryClass.SEND and duplicate:
        detail = f": {exc.message}" if exc.message else ""
        raise MaybeAppliedError(
            f"SMSC refused it as a duplicate (error 9{detail}); an identical send within the "
            "last minute may have been this one, so it is not repeated",
            command=command.name,
            request_sent=True,
        ) from exc


class Unrepeatable(Exception):  # noqa: N818 - a signal: raise its error, do not retry
    """Carries the error that ends a call at once, past the retry loop's handlers."""

    def __init__(self, error: SmscError) -> None:
        super().__init__(str(error))
        self.error = error


class ClosedInFlight(Exception):  # noqa: N818 - a signal, turned into an error by the path
    """The client was closed while this call's request was on its way: it may have arrived."""


def closed_error(command: Command[Any], *, sent: bool = False) -> SmscError:
    """The error of a call the closing of the client ended (``sent``: its request had left).

    A read ends with :class:`ClientClosedError` either way (it changed nothing); a change
    or a send whose request had left may have been carried out: :class:`MaybeAppliedError`.
    """
    if not sent or command.retry is RetryClass.SAFE_READ:
        when = "before its answer came" if sent else "before it was sent"
        return ClientClosedError(f"{label(command.name)}: the client was closed {when}")
    return MaybeAppliedError(
        "the client was closed before the answer came; the request may have been applied, "
        "so it is not repeated",
        command=command.name,
        request_sent=True,
    )


def unreadable(command: Command[Any], exc: ParseError) -> MaybeAppliedError:
    """A change or a send whose answer came but could not be read: it was processed."""
    # str(exc), not its body: ParseError's own text is what may be shown (redacted).
    detail = str(exc).removeprefix(f"{label(command.name, exc.call)}: ")
    return MaybeAppliedError(
        f"the answer could not be read ({detail}); the request may have been applied, so "
        "it is not repeated",
        command=command.name,
        request_sent=True,
    )


def maybe_applied(command: Command[Any], exc: TransportError) -> MaybeAppliedError | None:
    """The error that ends a change or a send whose request may have arrived; else ``None``.

    ``None`` means the attempt may be repeated: a read changes nothing, and a request that
    never left cannot have been carried out.
    """
    if not exc.request_sent or command.retry is RetryClass.SAFE_READ:
        return None
    return MaybeAppliedError(
        f"{exc.args[0].split(': ', 1)[-1]}; the request may have been applied, so it is not "
        "repeated",
        command=command.name,
        request_sent=True,
        status_code=exc.status_code,
    )


# -- how long to wait before the next attempt, and why ----------------------------------


def too_many_in_flight(exc: RateLimitError) -> bool:
    """Error 9 for 15 requests in flight (not for a window): nothing of it was carried out.

    Assumption: SMSC's description of it names concurrency ("too many concurrent
    requests"); fmt=1 sends no description, so there error 9 reads as a window's.
    """
    return "concurrent" in exc.message.lower()


def backoff(base: float, attempt: int) -> float:
    """The wait after the ``attempt``-th failure that is not error 9: ``base``, doubling."""
    wait: float = base * 2 ** (attempt - 1)  # int ** int is Any to mypy (a negative power)
    return wait


def crowded_wait(crowded: int, rng: random.Random) -> float:
    """The wait after the ``crowded``-th "too many concurrent requests" of a call.

    Slots held by someone we do not see: retries spread out (equal jitter, between half
    the doubled base and all of it, capped), so they cannot pile up on the server.
    """
    base = min(_CONCURRENCY_WAIT * 2 ** (crowded - 1), _CONCURRENCY_WAIT_MAX)
    return rng.uniform(base / 2, base)


def jittered(wait: float, jitter: float, rng: random.Random) -> float:
    """``wait`` plus up to ``jitter`` seconds, so callers failing together do not retry together."""
    return wait + rng.uniform(0, jitter)


def gives_up(
    attempt: int, retries: int, *, now: float, wait: float, deadline: float | None
) -> bool:
    """Whether the ``attempt``-th failure ends the call: no retries left, or no time to wait."""
    late_by = deadline is not None and now + wait > deadline
    return attempt > retries or late_by


def rate_limited_reason(exc: RateLimitError) -> str:
    """Why an attempt is retried after error 9, as the :class:`~smsc_async.events.Retry` says."""
    return f"error 9 ({exc.message or 'rate limited'})"


def transport_reason(exc: TransportError) -> str:
    """Why an attempt is retried after a transport failure (before or after it was sent)."""
    when = "after" if exc.request_sent else "before"
    return f"transport error {when} sending"


# -- pauses of the server (as seen from here) -------------------------------------------


def ip_ban(minute: float) -> tuple[float, str]:
    """Seconds to pause the server after error 4 (``minute``: its length), and why."""
    return _BAN_MINUTES * minute, "SMSC blocked this IP (error 4)"


def auth_guard(minute: float) -> tuple[int, float]:
    """The auth guard: pause after this many auth errors within this many seconds.

    SMSC blocks the IP at the 5th authorisation error within 30 minutes; the guard pauses
    at the 4th, so that a 5th is never sent.
    """
    return _AUTH_GUARD_ERRORS, _AUTH_WINDOW_MINUTES * minute
