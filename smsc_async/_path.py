"""The one command path: coalesce, pace, send, decode, and retry what is safe to retry.

Every command of every family comes through :meth:`CommandPath.call`. What a command is
(script, flag, rules, retry class, reply shape) is data (:mod:`smsc_async._commands`); the
limits are the limiter's (:mod:`smsc_async._limiter`, its state a
:class:`~smsc_async.LimiterBackend`'s); this module runs one call through them. Its parts:
what a failure means (:mod:`._retry`), the reads shared (:mod:`._coalesce`), the requests on
their way (:mod:`._inflight`), the form posted and the answer read (:mod:`._wire`).

A login's limits are the backend's under ``"<server host[:port]>/<login>"``: one login on two
servers is two accounts. Pauses (error 4, the auth guard) are kept per ``where``, what SMSC
blocks: ``"<server host[:port]>|<egress>"`` (the backend names the outgoing address).

Its state serves one event loop at a time: a client may go from loop to loop (``asyncio.run()``
twice, a loop per test), but calls from a second thread's loop while the first's are in
flight raise :class:`~smsc_async.EventLoopError` at once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import urllib.parse
import weakref
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from smsc_async import _retry, _wire
from smsc_async._calling import label
from smsc_async._coalesce import SharedReads
from smsc_async._commands import Command, RetryClass
from smsc_async._config import ClientConfig
from smsc_async._inflight import InFlight
from smsc_async._limiter import Limiter, Ticket
from smsc_async._otel import NOOP, Telemetry
from smsc_async._probe import FirstAnswer
from smsc_async._state import Lease, LimiterBackend, TooLate
from smsc_async._transport import RawReply, ReplyTooLarge, Transport
from smsc_async._types import Files
from smsc_async._validation import check_wire
from smsc_async.errors import (
    ApiError,
    AuthError,
    ClientClosedError,
    DeadlineTooShortError,
    EventLoopError,
    IpBlockedError,
    LoginPausedError,
    MaybeAppliedError,
    ParseError,
    RateLimitError,
    TransportError,
)
from smsc_async.events import Coalesced, Event, LimiterWait, LoginPaused, Retry

__all__ = ["CallOptions", "CommandPath"]

T = TypeVar("T")
log = logging.getLogger("smsc_async")


@attrs.frozen(cache_hash=True)  # hashed several times a call in the coalescing key
class CallOptions:
    """Per-call settings a client (or ``with_options``) applies.

    Attributes:
        deadline: Seconds a call may take in all: waiting for limits, retries, requests.
        timeout: Seconds one request may take before the call gives up on it.
    """

    deadline: float | None = None
    timeout: float | None = None


class CommandPath:
    """The state one client (and its ``with_options`` copies) shares across calls."""

    def __init__(
        self,
        config: ClientConfig,
        transport: Transport,
        on_event: Callable[[Event], object] | None = None,
        *,
        limiter: LimiterBackend,
        telemetry: Telemetry = NOOP,
    ) -> None:
        self._config = config
        self._transport = transport
        self._on_event = on_event
        self._telemetry = telemetry  # spans and metrics (:mod:`._otel`), shared with views
        self._backend = limiter
        server = _server(config.base_url)
        self._login = f"{server}/{config.credentials.gate_key}"
        self._where = f"{server}|{limiter.egress}"
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Limiter] = (
            weakref.WeakKeyDictionary()
        )
        self._reads = SharedReads()
        self._flight = InFlight(config.abandon_after)
        self._first = FirstAnswer()  # one at a time until SMSC has taken the credentials
        self._random = random.Random()  # noqa: S311 - jitter, not cryptography
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the calls run on
        self._busy = 0  # calls in progress on it

    # -- entry --------------------------------------------------------------------------

    async def call(
        self,
        command: Command[T],
        params: Mapping[str, str],
        *,
        files: Files | None,
        options: CallOptions,
    ) -> T:
        """Run one command: the result, or the exception that ended it."""
        check_wire(command.name, params, command.multiline)  # before the limiter counts it
        loop = asyncio.get_running_loop()
        with self._lock:
            if self.closed or self._transport.closed:
                raise ClientClosedError(f"{label(command.name)}: the client is closed")
            if loop is not self._loop:
                self._enter(loop)
            self._busy += 1
        try:
            run = self._call(loop, command, params, files, options)
            return await self._telemetry.call(command.name, run)
        finally:
            with self._lock:
                if self._loop is loop:
                    self._busy -= 1

    def _enter(self, loop: asyncio.AbstractEventLoop) -> None:
        """Move to ``loop``, unless another thread's loop has calls in flight (under the lock)."""
        old = self._loop
        if old is not None and self._busy and old.is_running():
            raise EventLoopError(
                "this SmscClient is in use on another event loop (another thread's) right "
                "now; give each thread its own client"
            )
        self._transport.bind(loop)
        # Whatever the old loop left (its shared reads) cannot be awaited from this one.
        self._loop, self._busy = loop, 0
        self._reads.reset()
        self._first.reset()

    async def _call(
        self,
        loop: asyncio.AbstractEventLoop,
        command: Command[T],
        params: Mapping[str, str],
        files: Files | None,
        options: CallOptions,
    ) -> T:
        deadline = None if options.deadline is None else loop.time() + options.deadline
        if command.retry is not RetryClass.SAFE_READ or files:
            return await self._retrying(command, params, files, deadline, options)
        # Identical safe reads in flight share one request (and its result or error).
        # Callers with other deadlines or timeouts must not inherit each other's.
        key = (command.name, tuple(sorted(params.items())), options)
        return await self._reads.join(
            key,
            lambda: self._retrying(command, params, None, deadline, options),
            lambda: self._joined(command),
        )

    def _joined(self, command: Command[Any]) -> None:
        self._telemetry.coalesced(command.name)
        self._emit(Coalesced(command.name, self._account))
        log.debug("%s: joined an identical read in flight", command.name)

    async def aclose(self) -> None:
        """Close: fail the calls waiting to send, stop the requests on their way (InFlight.stop)."""
        await self._flight.stop()

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called: every call fails before sending."""
        return self._flight.closed

    # -- retries ------------------------------------------------------------------------

    async def _retrying(
        self,
        command: Command[T],
        params: Mapping[str, str],
        files: Files | None,
        deadline: float | None,
        options: CallOptions,
    ) -> T:
        limiter = self._limiter()
        loop = asyncio.get_running_loop()
        attempt = crowded = 0
        failure: ApiError | TransportError | ParseError
        while True:
            attempt += 1
            try:
                return await self._final(command, params, files, deadline, options)
            except ParseError as exc:  # a read's (the others' end in _final)
                failure = exc
                wait = _retry.backoff(self._config.backoff, attempt)
                reason = "unreadable answer"
            except _retry.Unrepeatable as stop:
                raise stop.error from None
            except RateLimitError as exc:
                self._telemetry.refused(command.name, exc)
                _retry.never_resend(command, exc)
                failure = exc
                if _retry.too_many_in_flight(exc):
                    # Slots held by someone we do not see: fewer in flight for a while, and
                    # retries spread out, so they cannot pile up on the server.
                    crowded += 1
                    wait = _retry.crowded_wait(crowded, self._random)
                    await self._backend.back_off(self._login, self._config.max_concurrency)
                else:
                    wait = limiter.longest(command.name, command.rules)
                    # The server's window holds requests we did not see (another process):
                    # hold every call of these windows until it has slid.
                    windows = limiter.windows(command.name, command.rules, params)
                    await self._backend.hold(self._login, windows, wait)
                reason = _retry.rate_limited_reason(exc)
            except (IpBlockedError, AuthError) as exc:
                await self._paused_by(command, exc)
                raise
            except MaybeAppliedError:
                raise
            except TransportError as exc:
                lost = _retry.maybe_applied(command, exc)
                if lost is not None:
                    raise lost from exc
                failure = exc
                wait = _retry.backoff(self._config.backoff, attempt)
                reason = _retry.transport_reason(exc)
            wait = _retry.jittered(wait, self._config.jitter, self._random)
            if _retry.gives_up(
                attempt, self._config.retries, now=loop.time(), wait=wait, deadline=deadline
            ):
                if isinstance(failure, RateLimitError):
                    failure.retry_after = wait
                raise failure
            self._telemetry.retrying(command.name, attempt, wait, failure)
            self._emit(Retry(command.name, self._account, attempt, wait, reason))
            log.debug(
                "%s: attempt %d failed (%s); again in %.2f s", command.name, attempt, reason, wait
            )
            await self._flight.waiting_for(asyncio.sleep(wait), command)

    async def _final(
        self,
        command: Command[T],
        params: Mapping[str, str],
        files: Files | None,
        deadline: float | None,
        options: CallOptions,
    ) -> T:
        """One attempt, its failures that end the call turned into the errors they raise."""
        if self.closed:  # while this call paused between attempts
            raise _retry.closed_error(command)
        left = None if deadline is None else deadline - asyncio.get_running_loop().time()
        try:
            return await self._first.run(
                lambda: self._attempt(command, params, files, deadline, options),
                enter=lambda waiting: self._flight.waiting_for(waiting, command),
                left=left,
            )
        except _retry.ClosedInFlight:
            raise _retry.closed_error(command, sent=True) from None
        except ReplyTooLarge as big:
            # Asking again would bring the same answer: never repeated, even a read.
            error = ParseError(str(big), command=command.name)
            if command.retry is RetryClass.SAFE_READ:
                raise _retry.Unrepeatable(error) from None
            raise _retry.unreadable(command, error) from error
        except ParseError as exc:
            # The server answered, so it processed the request: a change or a send is not
            # repeated; a read is asked again (a cut body, a proxy's page) by the caller.
            if command.retry is not RetryClass.SAFE_READ:
                raise _retry.unreadable(command, exc) from exc
            raise
        except TooLate as late:
            # Refused here, not by SMSC: its own class, saying nothing was sent.
            raise _retry.Unrepeatable(
                DeadlineTooShortError(late.reason, command=command.name, retry_after=late.wait)
            ) from None

    async def _paused_by(self, command: Command[Any], exc: IpBlockedError | AuthError) -> None:
        """Pause the server (as seen from here) after error 4, or too many auth errors.

        SMSC keeps both per IP: the pause is the backend's for ``where``, shared by every
        login reaching that server from this address; it names the login that earned it.
        """
        minute = self._config.minute
        if isinstance(exc, IpBlockedError):
            seconds, reason = _retry.ip_ban(minute)
            pause = await self._backend.ban(self._where, self._account, seconds, reason)
            self._emit(LoginPaused(command.name, self._account, pause.seconds, pause.reason))
            return
        limit, span = _retry.auth_guard(minute)
        guard = await self._backend.auth_failed(self._where, self._account, limit=limit, span=span)
        if guard is not None:
            self._emit(LoginPaused(command.name, self._account, guard.seconds, guard.reason))

    # -- one attempt --------------------------------------------------------------------

    async def _attempt(
        self,
        command: Command[T],
        params: Mapping[str, str],
        files: Files | None,
        deadline: float | None,
        options: CallOptions,
    ) -> T:
        limiter = self._limiter()
        loop = asyncio.get_running_loop()
        paused = await self._backend.paused(self._where)
        if paused is not None:
            raise LoginPausedError(
                self._account, paused.reason, paused.seconds, earned_by=paused.login
            )
        ticket = await self._flight.waiting_for(
            limiter.take(command.name, command.rules, params, deadline), command
        )
        lease = ticket.lease
        assert lease is not None  # noqa: S101 - take() returns a ticket with its slot
        if deadline is not None and loop.time() >= deadline:
            # No time left to wait for an answer: do not send what we would abandon at once.
            lease.refund()
            lease.release()
            raise TooLate(0.0, ticket.reason or "the limits")
        self._waited(command, limiter, ticket)
        raw = await self._send(command, params, files, deadline, options, lease=lease)
        return _wire.decode(command, params, raw, self._config.fmt)

    def _waited(self, command: Command[Any], limiter: Limiter, ticket: Ticket) -> None:
        """Report a wait for the limits, if there was one, with what held the call."""
        if not ticket.reason:
            return
        waited = limiter.waited(ticket)
        self._telemetry.waited(command.name, waited, ticket.reason)
        self._emit(LimiterWait(command.name, self._account, waited, ticket.reason))
        log.debug("%s: waited %.3f s for %s", command.name, waited, ticket.reason)

    async def _send(
        self,
        command: Command[Any],
        params: Mapping[str, str],
        files: Files | None,
        deadline: float | None,
        options: CallOptions,
        *,
        lease: Lease,
    ) -> RawReply:
        """Post the request; it runs on if the caller stops waiting (:meth:`InFlight.send`)."""
        form = _wire.form(command, params, self._config)
        request = self._telemetry.request(
            command.name,
            command.script,
            self._transport.post(command.script, form, files, command=command.name),
        )
        return await self._flight.send(
            request,
            command=command.name,
            lease=lease,
            request_timeout=options.timeout,
            deadline=deadline,
        )

    async def next_id(self) -> str:
        """A message id for a send whose caller gave none, unique among the backend's sharers.

        Raises:
            LimiterUnavailableError: The shared backend cannot be reached.
        """
        return str(await self._backend.next_id(self._login))

    # -- plumbing -----------------------------------------------------------------------

    @property
    def _account(self) -> str:
        return self._config.credentials.account

    def _limiter(self) -> Limiter:
        # One per loop: max_rate's aiolimiter parks its waiters on the loop's futures.
        loop = asyncio.get_running_loop()
        limiter = self._limiters.get(loop)
        if limiter is None:
            config = self._config
            limiter = self._limiters[loop] = Limiter(
                self._backend,
                self._login,
                cap=config.max_concurrency,
                margin=config.margin,
                minute=config.minute,
                overrides=config.rules,
                max_rate=config.max_rate,
            )
        return limiter

    def _emit(self, event: Event) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # a broken hook must not break the call
            log.exception("smsc_async: the on_event hook raised")


def _server(base_url: str) -> str:
    """``host[:port]`` of the server (never its userinfo): what its limits are kept by."""
    parts = urllib.parse.urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host
