"""Traces and metrics through OpenTelemetry, when ``opentelemetry-api`` is installed.

The only module that imports ``opentelemetry``, and only once a client is made and the
package is there: :func:`telemetry` asks ``importlib.util.find_spec`` (once per process).
Without the package nothing of it is imported and the command path talks to :data:`NOOP`,
whose hooks return at once. With it, spans and metrics go to the providers given to
``SmscClient`` (``tracer_provider=``, ``meter_provider=``) or to OpenTelemetry's global
ones, which do nothing until the application configures an SDK: OpenTelemetry's own
convention (a library uses the API only, the application picks the SDK and exporters).

What a client reports (the HTTP names are those of OpenTelemetry's stable HTTP client
semantic conventions):

- A span per call, ``smsc <command>`` (INTERNAL): ``smsc.command``, ``smsc.attempts``
  (requests the call sent; 0 when it joined an identical read, or was refused before
  sending), ``smsc.limiter.wait_s`` (seconds it waited for the limits in all),
  ``smsc.outcome`` (``"ok"`` or the class of the error that ended it), ``smsc.coalesced``,
  ``smsc.error_code`` (SMSC's code when SMSC answered with one); on failure status ERROR,
  ``error.type`` and an ``exception`` event holding the type alone. Events
  ``smsc.limiter.wait`` and ``smsc.retry`` mark its waits and retries.
- A child span per request sent, ``POST`` (CLIENT): ``http.request.method``,
  ``server.address``, ``server.port``, ``url.full``, ``http.response.status_code``,
  ``http.request.resend_count`` (from the second request of a call), ``error.type`` (the
  HTTP status, or the class of the failure), ``smsc.command``.
- Metrics: ``smsc.limiter.wait`` (histogram, s; ``smsc.command``, ``smsc.limiter.reason``),
  ``smsc.requests.in_flight`` (up-down counter; ``smsc.command``, ``server.address``),
  ``smsc.error9`` (counter of SMSC's error 9 answers; ``smsc.command``,
  ``smsc.error9.cause``: ``window`` or ``concurrency``), ``smsc.retries`` (counter;
  ``smsc.command``, ``smsc.retry.reason``), and ``http.client.request.duration``
  (histogram, s) by the HTTP conventions.

Nothing reported carries a credential or the login: attributes hold command names, counts,
seconds, codes, class names and the server's address. An exception is recorded by its type
alone (its text may name the account), ``url.full`` is the script's address without
userinfo or query (credentials travel in the POST body), and a limit's label loses the
item it names (a message id) before it becomes a metric attribute.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import importlib.util
import threading
import urllib.parse
import weakref
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from smsc_async import _retry
from smsc_async._version import __version__
from smsc_async.errors import (
    ApiError,
    DeadlineTooShortError,
    ParseError,
    RateLimitError,
    TransportError,
)

if TYPE_CHECKING:
    from opentelemetry.metrics import Counter, Histogram, Meter, MeterProvider, UpDownCounter
    from opentelemetry.trace import Span, TracerProvider

__all__ = ["NOOP", "SCHEMA_URL", "SCOPE", "Telemetry", "telemetry"]

SCOPE: Final = "smsc_async"
"""The name of the tracer and the meter (their version is the package's)."""
SCHEMA_URL: Final = "https://opentelemetry.io/schemas/1.26.0"
"""The semantic conventions the HTTP attribute names follow."""

T = TypeVar("T")

# Seconds. A request takes a fraction of one; a wait for a window can last its minute.
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
_WAIT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120)


class _Reply(Protocol):
    @property
    def status_code(self) -> int: ...


R = TypeVar("R", bound=_Reply)


class Telemetry:
    """What the command path reports, to no one: the base of the real one, and :data:`NOOP`.

    Every hook returns at once (``call`` and ``request`` hand back what they were given),
    so a client without OpenTelemetry pays two method calls a call.
    """

    __slots__ = ()

    def call(self, command: str, run: Coroutine[Any, Any, T]) -> Coroutine[Any, Any, T]:
        """``run`` (one call of ``command``), as the path is to await it."""
        del command
        return run

    def request(
        self, command: str, script: str, run: Coroutine[Any, Any, R]
    ) -> Coroutine[Any, Any, R]:
        """``run`` (one request posted to ``script``), as it is to be awaited."""
        del command, script
        return run

    def waited(self, command: str, seconds: float, reason: str) -> None:
        """The call waited ``seconds`` for the limits; ``reason`` names the one that held it."""

    def coalesced(self, command: str) -> None:
        """The call joined an identical read in flight instead of sending its own."""

    def refused(self, command: str, error: RateLimitError) -> None:
        """SMSC answered error 9 (``error``) to a request of the call."""

    def retrying(self, command: str, attempt: int, wait: float, failure: Exception) -> None:
        """The ``attempt``-th attempt failed with ``failure``; the next goes in ``wait`` s."""


NOOP: Final = Telemetry()
"""The telemetry of a client without OpenTelemetry."""


def telemetry(
    base_url: str,
    tracer_provider: TracerProvider | None = None,
    meter_provider: MeterProvider | None = None,
) -> Telemetry:
    """A client's telemetry: :data:`NOOP` unless ``opentelemetry-api`` can be imported.

    Args:
        base_url: Where the client posts (the HTTP spans' server and URL).
        tracer_provider: Where spans go; ``None``: OpenTelemetry's global provider.
        meter_provider: Where metrics go; ``None``: OpenTelemetry's global provider.
    """
    if not _importable():
        return NOOP
    try:
        return _OTel(base_url, tracer_provider, meter_provider)
    except ImportError:  # the opentelemetry namespace is there, but not its API
        return NOOP


@functools.cache
def _importable() -> bool:
    """Whether ``opentelemetry`` may be there, asked without importing it."""
    try:
        return importlib.util.find_spec("opentelemetry") is not None
    except (ImportError, ValueError):  # an import blocker in sys.meta_path, a broken entry
        return False


class _Call:
    """What one call's span gathers while the call runs (its attempts, waits, sharing)."""

    __slots__ = ("attempts", "coalesced", "open", "span", "waited")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.attempts = 0
        self.waited = 0.0
        self.coalesced = False
        self.open = True  # False once its span ended: a shared read's leader may go first


# The call running in this context: the requests and retries it makes report to it. A
# shared read's task (and a request's) copies the context of the call that started it.
_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("smsc_call", default=None)


class _Instruments:
    """The metric instruments, made once per meter provider.

    Some SDK versions log a warning when an instrument is made twice, others hand the
    first one back: either way, once per provider is enough.
    """

    def __init__(self, provider: MeterProvider) -> None:
        meter = provider.get_meter(SCOPE, __version__, schema_url=SCHEMA_URL)
        self.limiter_wait: Histogram = _histogram(
            meter,
            "smsc.limiter.wait",
            "Seconds a call waited for an anti-flood window or a concurrency slot",
            _WAIT_BUCKETS,
        )
        self.in_flight: UpDownCounter = meter.create_up_down_counter(
            "smsc.requests.in_flight", "{request}", "Requests sent to SMSC and not yet answered"
        )
        self.error9: Counter = meter.create_counter(
            "smsc.error9", "{answer}", "Error 9 answers from SMSC (anti-flood refusals)"
        )
        self.retries: Counter = meter.create_counter(
            "smsc.retries", "{retry}", "Attempts repeated after a failure"
        )
        self.duration: Histogram = _histogram(
            meter,
            "http.client.request.duration",
            "Duration of HTTP client requests",
            _REQUEST_BUCKETS,
        )


def _histogram(meter: Meter, name: str, description: str, buckets: tuple[float, ...]) -> Histogram:
    try:
        return meter.create_histogram(
            name, "s", description, explicit_bucket_boundaries_advisory=buckets
        )
    except TypeError:  # opentelemetry-api before 1.23 takes no advice
        return meter.create_histogram(name, "s", description)


_instruments: weakref.WeakKeyDictionary[MeterProvider, _Instruments] = weakref.WeakKeyDictionary()
_global_instruments: list[_Instruments] = []  # the global provider's, once made
_instruments_lock = threading.Lock()


def _instruments_of(provider: MeterProvider | None) -> _Instruments:
    """The instruments reporting to ``provider`` (``None``: the global one), made once.

    The global provider counts as one whatever it is by now: instruments made through
    OpenTelemetry's proxy, before the application set its SDK, report to it once it is set.
    """
    with _instruments_lock:
        if provider is None:
            if not _global_instruments:
                from opentelemetry import metrics  # noqa: PLC0415 - optional, imported here

                _global_instruments.append(_Instruments(metrics.get_meter_provider()))
            return _global_instruments[0]
        try:
            made = _instruments.get(provider)
        except TypeError:  # a provider that cannot be weakly referenced: not kept
            return _Instruments(provider)
        if made is None:
            made = _instruments[provider] = _Instruments(provider)
        return made


class _OTel(Telemetry):
    """The telemetry of a client with ``opentelemetry-api``: spans and metrics."""

    __slots__ = (
        "_answered",
        "_calls",
        "_client",
        "_error",
        "_http",
        "_internal",
        "_m",
        "_requests",
        "_server",
        "_status",
        "_tracer",
        "_url",
        "_use_span",
    )

    def __init__(
        self,
        base_url: str,
        tracer_provider: TracerProvider | None,
        meter_provider: MeterProvider | None,
    ) -> None:
        from opentelemetry import trace  # noqa: PLC0415 - optional, imported only here

        self._tracer = trace.get_tracer(
            SCOPE, __version__, tracer_provider=tracer_provider, schema_url=SCHEMA_URL
        )
        self._m = _instruments_of(meter_provider)
        self._use_span = trace.use_span
        self._internal, self._client = trace.SpanKind.INTERNAL, trace.SpanKind.CLIENT
        self._status, self._error = trace.Status, trace.StatusCode.ERROR
        self._url, address, port = _where(base_url)
        self._server: dict[str, str | int] = {"server.address": address}
        self._http: dict[str, str | int] = {
            "http.request.method": "POST",
            "server.address": address,
            "server.port": port,
        }
        # Names and attribute sets made once per command (per status), not per call: with
        # the API alone (no SDK configured) building them was most of the hooks' cost.
        # Never changed once made (spans and instruments copy what they keep).
        self._calls: dict[str, tuple[str, dict[str, str]]] = {}
        self._requests: dict[str, tuple[dict[str, str | int], dict[str, str | int]]] = {}
        self._answered: dict[int, tuple[dict[str, str | int], dict[str, str | int]]] = {}

    async def call(self, command: str, run: Coroutine[Any, Any, T]) -> T:
        """``run`` inside the call's span, which ends with what the call came to."""
        names = self._calls.get(command)
        if names is None:
            names = self._calls[command] = (f"smsc {command}", {"smsc.command": command})
        span = self._tracer.start_span(names[0], kind=self._internal, attributes=names[1])
        if not span.is_recording() and not span.get_span_context().is_valid:
            # OpenTelemetry's no-op tracer (no SDK set up): nothing to record and no trace to
            # carry, so no context switch (half of the hooks' cost); metrics still count.
            return await run
        record = _Call(span)
        token = _CALL.set(record)
        try:
            with self._use_span(span, record_exception=False, set_status_on_exception=False):
                result = await run
        except BaseException as exc:
            self._ended(record, exc)
            raise
        else:
            self._ended(record, None)
            return result
        finally:
            _CALL.reset(token)

    def _ended(self, record: _Call, error: BaseException | None) -> None:
        record.open = False
        span = record.span
        if span.is_recording():
            attributes: dict[str, str | int | float | bool] = {
                "smsc.attempts": record.attempts,
                "smsc.limiter.wait_s": record.waited,
                "smsc.outcome": "ok" if error is None else type(error).__name__,
            }
            if record.coalesced:
                attributes["smsc.coalesced"] = True
            if error is not None:
                kind = _error_type(error)
                attributes["error.type"] = kind
                code = _smsc_code(error)
                if code is not None:
                    attributes["smsc.error_code"] = code
                # Its type alone: the message may name the account (never a secret).
                span.add_event("exception", {"exception.type": kind})
                span.set_status(self._status(self._error, kind))
            span.set_attributes(attributes)
        span.end()

    async def request(self, command: str, script: str, run: Coroutine[Any, Any, R]) -> R:
        """``run`` inside a CLIENT span, counted in flight and timed."""
        known = self._requests.get(command)
        if known is None:
            known = self._requests[command] = (
                {**self._http, "url.full": self._url + script, "smsc.command": command},
                {"smsc.command": command, **self._server},
            )
        attributes, flight = known
        record = _CALL.get()
        if record is not None:
            if record.attempts:
                attributes = {**attributes, "http.request.resend_count": record.attempts}
            record.attempts += 1
        span = self._tracer.start_span("POST", kind=self._client, attributes=attributes)
        self._m.in_flight.add(1, flight)
        loop = asyncio.get_running_loop()
        started = loop.time()
        ended: tuple[dict[str, str | int], dict[str, str | int]] | None = None
        try:
            if span.is_recording() or span.get_span_context().is_valid:
                with self._use_span(span, record_exception=False, set_status_on_exception=False):
                    reply = await run
            else:  # the no-op tracer's: no context to carry (as in call())
                reply = await run
        except BaseException as exc:
            status = exc.status_code if isinstance(exc, TransportError) else None
            failed: dict[str, str | int] = {
                "error.type": str(status) if status is not None else _error_type(exc)
            }
            if status is not None:
                failed["http.response.status_code"] = status
            ended = (failed, {**self._http, **failed})
            raise
        else:
            return reply
        finally:
            self._m.in_flight.add(-1, flight)
            if ended is None:  # answered: the usual case, its attribute sets made once
                ended = self._answered_with(reply.status_code)
            done, measured = ended
            self._m.duration.record(loop.time() - started, measured)
            if span.is_recording():
                span.set_attributes(done)
                if "error.type" in done:
                    span.set_status(self._status(self._error, str(done["error.type"])))
            span.end()

    def _answered_with(self, status: int) -> tuple[dict[str, str | int], dict[str, str | int]]:
        """The attributes of an answer with ``status``: the span's, and the duration's."""
        known = self._answered.get(status)
        if known is None:
            done: dict[str, str | int] = {"http.response.status_code": status}
            known = self._answered[status] = (done, {**self._http, **done})
        return known

    def waited(self, command: str, seconds: float, reason: str) -> None:
        """Record the wait, and add it to the call's."""
        limit = reason.split(" [", 1)[0]  # "messages.status: 5 each per 60 s [<id>]"
        self._m.limiter_wait.record(
            seconds, {"smsc.command": command, "smsc.limiter.reason": limit}
        )
        record = _CALL.get()
        if record is not None and record.open:
            record.waited += seconds
            record.span.add_event(
                "smsc.limiter.wait", {"smsc.limiter.reason": limit, "smsc.limiter.wait_s": seconds}
            )

    def coalesced(self, command: str) -> None:
        """Mark the call as sharing another's read."""
        del command
        record = _CALL.get()
        if record is not None:
            record.coalesced = True

    def refused(self, command: str, error: RateLimitError) -> None:
        """Count SMSC's error 9 (not the client's own refusal, which sent nothing)."""
        if isinstance(error, DeadlineTooShortError):
            return
        cause = "concurrency" if _retry.too_many_in_flight(error) else "window"
        self._m.error9.add(1, {"smsc.command": command, "smsc.error9.cause": cause})

    def retrying(self, command: str, attempt: int, wait: float, failure: Exception) -> None:
        """Count the retry, and mark it on the call's span."""
        reason = _retry_reason(failure)
        self._m.retries.add(1, {"smsc.command": command, "smsc.retry.reason": reason})
        record = _CALL.get()
        if record is not None and record.open:
            record.span.add_event(
                "smsc.retry",
                {"smsc.attempt": attempt, "smsc.retry.reason": reason, "smsc.retry.wait_s": wait},
            )


def _where(base_url: str) -> tuple[str, str, int]:
    """The URL prefix of the scripts (no userinfo, query or fragment), host and port."""
    parts = urllib.parse.urlsplit(base_url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, "", "")), host, port


def _error_type(error: BaseException) -> str:
    """``error.type``: the class's name (as OpenTelemetry's Python instrumentations give it)."""
    return type(error).__qualname__


def _smsc_code(error: BaseException) -> int | None:
    """SMSC's error code, when an answer of SMSC's ended the call (not the client's own 9)."""
    for candidate in (error, error.__cause__):
        if isinstance(candidate, ApiError) and not isinstance(candidate, DeadlineTooShortError):
            return candidate.code
    return None


def _retry_reason(failure: Exception) -> str:
    """A retry's reason, in few words: ``rate_limited``, ``concurrency``, ``transport``, ..."""
    if isinstance(failure, RateLimitError):
        return "concurrency" if _retry.too_many_in_flight(failure) else "rate_limited"
    if isinstance(failure, TransportError):
        return "transport"
    if isinstance(failure, ParseError):
        return "unreadable"
    return type(failure).__name__
