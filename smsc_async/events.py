"""What the client reports about its own pacing: limiter waits, coalescing, retries, pauses.

Pass ``on_event=`` to :class:`~smsc_async.SmscClient` to receive them (the same events are
logged at DEBUG on the ``smsc_async`` logger). They never carry a secret.
"""

from __future__ import annotations

import attrs

__all__ = ["Coalesced", "Event", "LimiterWait", "LoginPaused", "Retry"]


@attrs.frozen
class Event:
    """Base of every event.

    Attributes:
        command: The command concerned, e.g. ``"senders.add"``.
        account: The login (or masked API key).
    """

    command: str
    account: str


@attrs.frozen
class LimiterWait(Event):
    """A call waited for an anti-flood window or a concurrency slot before going out.

    Attributes:
        seconds: How long it waited.
        reason: Which limit held it, e.g. ``"senders.add: 5 per command per 60 s"``.
    """

    seconds: float
    reason: str


@attrs.frozen
class Coalesced(Event):
    """A safe read joined an identical one already in flight instead of sending its own."""


@attrs.frozen
class Retry(Event):
    """A call is repeated after a failure.

    Attributes:
        attempt: The attempt that failed (1 for the first).
        wait: Seconds before the next attempt.
        reason: What failed (error 9, a transport error before sending, ...).
    """

    attempt: int
    wait: float
    reason: str


@attrs.frozen
class LoginPaused(Event):
    """Requests for the login are paused (IP blocked, or the authorisation-error guard).

    Attributes:
        seconds: For how long.
        reason: Why.
    """

    seconds: float
    reason: str
