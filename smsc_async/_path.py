"""The one command path: coalesce, pace, send, decode, and retry what is safe to retry.

Every command of every family comes through :meth:`CommandPath.call`. What a command is
(script, flag, rules, retry class, reply shape) is data (:mod:`smsc_async._commands`); the
limits are the limiter's (:mod:`smsc_async._limiter`, its state a
:class:`~smsc_async.LimiterBackend`'s); this module decides what happens around one call.

A login's limits are the backend's under ``"<server host[:port]>/<login>"``: one login on two
servers is two accounts. Pauses (error 4, the auth guard) are kept per ``where``, what SMSC
blocks: ``"<server host[:port]>|<egress>"`` (the backend names the outgoing address).

Its state serves one event loop at a time: a client may go from loop to loop (``asyncio.run()``
twice, a loop per test), but calls from a second thread's loop while the first's are in
flight raise :class:`~smsc_async.EventLoopError` at once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import sys
import threading
import urllib.parse
import weakref
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio
import attrs

from smsc_async._commands import Command, RetryClass
from smsc_async._config import ClientConfig
from smsc_async._limiter import Limiter, Ticket
from smsc_async._retry import (
    ClosedInFlight,
    Unrepeatable,
    auth_guard,
    backoff,
    closed_error,
    crowded_wait,
    gives_up,
    ip_ban,
    jittered,
    maybe_applied,
    never_resend,
    rate_limited_reason,
    too_many_in_flight,
    transport_reason,
    unreadable,
)
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
    api_error_class,
)
from smsc_async.events import Coalesced, Event, LimiterWait, LoginPaused, Retry
from smsc_async.formats import ErrorReply, decode_reply

__all__ = ["CallOptions", "CommandPath"]

T = TypeVar("T")
W = TypeVar("W")
log = logging.getLogger("smsc_async")

_CHARSET = "utf-8"


@attrs.frozen
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
    ) -> None:
        self._config = config
        self._transport = transport
        self._on_event = on_event
        self._backend = limiter
        server = _server(config.base_url)
        self._login = f"{server}/{config.credentials.gate_key}"
        self._where = f"{server}|{limiter.egress}"
        self._limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Limiter] = (
            weakref.WeakKeyDictionary()
        )
        self._shared: dict[tuple[object, ...], asyncio.Task[Any]] = {}
        self._waiting: dict[tuple[object, ...], int] = {}
        self._exchanges: set[asyncio.Task[RawReply]] = set()
        self._random = random.Random()  # noqa: S311 - jitter, not cryptography
        # Calls waiting to send (limiter, retry pause): aclose() fails them.
        self._waiters: set[asyncio.Task[Any]] = set()
        self._stopped: set[asyncio.Task[Any]] = set()  # cancelled by aclose(), not by callers
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop the calls run on
        self._busy = 0  # calls in progress on it
        self.closed = False
        """Whether :meth:`aclose` was called: every call fails before sending."""

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
                raise ClientClosedError(f"{command.name}: the client is closed")
            if loop is not self._loop:
                self._enter(loop)
            self._busy += 1
        try:
            return await self._call(loop, command, params, files, options)
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
        self._shared, self._waiting = {}, {}

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
        task = self._shared.get(key)
        if task is None:
            task = loop.create_task(self._retrying(command, params, None, deadline, options))
            self._shared[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        else:
            self._emit(Coalesced(command.name, self._account))
            log.debug("%s: joined an identical read in flight", command.name)
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            # The shared read lives on for the other callers; when the last one leaves,
            # it is cancelled too (a request already sent keeps its slot till it ends).
            if self._waiting.get(key) == 1 and not task.done():
                task.cancel()
            raise
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
        return list(result) if isinstance(result, list) else result  # type: ignore[return-value]

    def _forget(self, key: tuple[object, ...], task: asyncio.Task[Any]) -> None:
        if self._shared.get(key) is task:
            del self._shared[key]
        if not task.cancelled():
            task.exception()  # retrieved: every waiter may have gone

    async def aclose(self) -> None:
        """Close: fail the calls waiting to send, and stop the requests still on their way.

        Nothing is awaited from the server: a call whose request had left ends with
        :class:`MaybeAppliedError` (a read with :class:`ClientClosedError`), as do the
        requests running in the background because their callers gave up on them.
        """
        self.closed = True
        current = asyncio.get_running_loop()
        for task in list(self._waiters):
            if task.get_loop() is current and not task.done():
                self._stopped.add(task)
                task.cancel()
        mine = []
        for exchange in list(self._exchanges):
            loop = exchange.get_loop()
            if loop is current:
                exchange.cancel()
                mine.append(exchange)
            elif loop.is_closed():
                self._exchanges.discard(exchange)
            else:
                loop.call_soon_threadsafe(exchange.cancel)
        if mine:
            await asyncio.gather(*mine, return_exceptions=True)

    async def _waiting_for(self, awaitable: Awaitable[W], command: Command[Any]) -> W:
        """Await ``awaitable`` (a wait before sending), failing it if the client is closed."""
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - always inside a task here
        self._waiters.add(task)
        try:
            return await awaitable
        except asyncio.CancelledError:
            if task not in self._stopped:
                raise
            self._stopped.discard(task)
            _uncancel(task)
            raise closed_error(command) from None
        finally:
            self._waiters.discard(task)

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
                wait = backoff(self._config.backoff, attempt)
                reason = "unreadable answer"
            except Unrepeatable as stop:
                raise stop.error from None
            except RateLimitError as exc:
                never_resend(command, exc)
                failure = exc
                if too_many_in_flight(exc):
                    # Slots held by someone we do not see: fewer in flight for a while, and
                    # retries spread out, so they cannot pile up on the server.
                    crowded += 1
                    wait = crowded_wait(crowded, self._random)
                    await self._backend.back_off(self._login, self._config.max_concurrency)
                else:
                    wait = limiter.longest(command.name, command.rules)
                    # The server's window holds requests we did not see (another process):
                    # hold every call of these windows until it has slid.
                    windows = limiter.windows(command.name, command.rules, params)
                    await self._backend.hold(self._login, windows, wait)
                reason = rate_limited_reason(exc)
            except (IpBlockedError, AuthError) as exc:
                await self._paused_by(command, exc)
                raise
            except MaybeAppliedError:
                raise
            except TransportError as exc:
                lost = maybe_applied(command, exc)
                if lost is not None:
                    raise lost from exc
                failure = exc
                wait = backoff(self._config.backoff, attempt)
                reason = transport_reason(exc)
            wait = jittered(wait, self._config.jitter, self._random)
            if gives_up(
                attempt, self._config.retries, now=loop.time(), wait=wait, deadline=deadline
            ):
                if isinstance(failure, RateLimitError):
                    failure.retry_after = wait
                raise failure
            self._emit(Retry(command.name, self._account, attempt, wait, reason))
            log.debug(
                "%s: attempt %d failed (%s); again in %.2f s", command.name, attempt, reason, wait
            )
            await self._waiting_for(asyncio.sleep(wait), command)

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
            raise closed_error(command)
        try:
            return await self._attempt(command, params, files, deadline, options)
        except ClosedInFlight:
            raise closed_error(command, sent=True) from None
        except ReplyTooLarge as big:
            # Asking again would bring the same answer: never repeated, even a read.
            error = ParseError(str(big), command=command.name)
            if command.retry is RetryClass.SAFE_READ:
                raise Unrepeatable(error) from None
            raise unreadable(command, error) from error
        except ParseError as exc:
            # The server answered, so it processed the request: a change or a send is not
            # repeated; a read is asked again (a cut body, a proxy's page) by the caller.
            if command.retry is not RetryClass.SAFE_READ:
                raise unreadable(command, exc) from exc
            raise
        except TooLate as late:
            # Refused here, not by SMSC: its own class, saying nothing was sent.
            raise Unrepeatable(
                DeadlineTooShortError(late.reason, command=command.name, retry_after=late.wait)
            ) from None

    async def _paused_by(self, command: Command[Any], exc: IpBlockedError | AuthError) -> None:
        """Pause the server (as seen from here) after error 4, or too many auth errors.

        SMSC keeps both per IP: the pause is the backend's for ``where``, shared by every
        login reaching that server from this address; it names the login that earned it.
        """
        minute = self._config.minute
        if isinstance(exc, IpBlockedError):
            seconds, reason = ip_ban(minute)
            pause = await self._backend.ban(self._where, self._account, seconds, reason)
            self._emit(LoginPaused(command.name, self._account, pause.seconds, pause.reason))
            return
        limit, span = auth_guard(minute)
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
        ticket = await self._waiting_for(
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
        return self._decode(command, params, raw)

    def _waited(self, command: Command[Any], limiter: Limiter, ticket: Ticket) -> None:
        """Report a wait for the limits, if there was one, with what held the call."""
        if not ticket.reason:
            return
        waited = limiter.waited(ticket)
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
        """Post the request in a task of its own, holding the concurrency slot until it ends.

        If the caller stops waiting (timeout, deadline, cancellation), the request runs on:
        SMSC may still be working on it, and counts it as in flight until it answers.
        """
        form = {
            **command.flag_field(),
            **params,
            "fmt": str(int(self._config.fmt)),
            "charset": _CHARSET,
            **self._config.credentials.form_fields(),
        }
        loop = asyncio.get_running_loop()
        exchange = loop.create_task(
            self._transport.post(command.script, form, files, command=command.name)
        )
        self._exchanges.add(exchange)
        exchange.add_done_callback(functools.partial(_exchange_done, self._exchanges, lease))
        limit = options.timeout
        if deadline is not None:
            limit = (
                min(limit, deadline - loop.time())
                if limit is not None
                else (deadline - loop.time())
            )
        try:
            with anyio.fail_after(None if limit is None else max(0.0, limit)):
                return await asyncio.shield(exchange)
        except TimeoutError:
            self._abandon(exchange)
            raise TransportError(
                f"no answer within {limit:.3g} s", command=command.name, request_sent=True
            ) from None
        except asyncio.CancelledError:
            if exchange.cancelled() and self.closed and not _cancelling():
                raise ClosedInFlight from None  # aclose() stopped it, not our caller
            self._abandon(exchange)
            raise

    def _abandon(self, exchange: asyncio.Task[RawReply]) -> None:
        if not exchange.done():
            # Not for ever: after this long the server has surely given up too.
            asyncio.get_running_loop().call_later(self._config.abandon_after, exchange.cancel)

    async def next_id(self) -> str:
        """A message id for a send whose caller gave none, unique among the backend's sharers.

        Raises:
            LimiterUnavailableError: The shared backend cannot be reached.
        """
        return str(await self._backend.next_id(self._login))

    def _decode(self, command: Command[T], params: Mapping[str, str], raw: RawReply) -> T:
        try:
            result: Any = decode_reply(
                raw.content,
                fmt=self._config.fmt,
                shape=command.shape,
                result_type=command.result_type,
                params={**command.flag_field(), **params},
                header_charset=raw.charset,
                requested_charset=_CHARSET,
            )
        except ParseError as exc:
            raise ParseError(
                exc.reason, command=command.name, fmt=exc.fmt, excerpt=exc.excerpt
            ) from None
        if isinstance(result, ErrorReply):
            cls = api_error_class(result.code, command.script)
            error = cls(result.code, result.message, command=command.name, id=result.id)
            # The error's message, not the reply's: it is redacted (an echo of psw=...).
            log.debug("%s: SMSC error %d (%s)", command.name, error.code, error.message)
            raise error
        return result  # type: ignore[no-any-return]

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


def _exchange_done(
    exchanges: set[asyncio.Task[RawReply]], lease: Lease, exchange: asyncio.Task[RawReply]
) -> None:
    """The exchange ended (answered, failed, cut or cancelled): its slot goes back."""
    exchanges.discard(exchange)
    if not exchange.cancelled():
        error = exchange.exception()  # retrieved: the caller may have stopped waiting
        if isinstance(error, TransportError) and not error.request_sent:
            # SMSC never saw it (e.g. no connection): retries of an unreachable server
            # must not use up the window and then wait a minute for nothing.
            lease.refund()
    lease.release()


def _server(base_url: str) -> str:
    """``host[:port]`` of the server (never its userinfo): what its limits are kept by."""
    parts = urllib.parse.urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def _cancelling() -> bool:
    """Whether the current task was asked to stop (always ``False`` before Python 3.11).

    Before 3.11 a task cannot tell, so a caller cancelled just as aclose() ran may see the
    error of a closed client rather than its CancelledError.
    """
    task = asyncio.current_task()
    return sys.version_info >= (3, 11) and task is not None and task.cancelling() > 0


def _uncancel(task: asyncio.Task[Any]) -> None:
    """Undo our own cancel() of ``task`` (3.11+ counts them; timeouts read the count)."""
    if sys.version_info >= (3, 11):
        task.uncancel()
