"""The emulator calls back: status reports and incoming messages posted to a handler URL.

SMSC posts every status change of a message and every incoming SMS to the account's handler
URL (see :mod:`smsc_async.callbacks`). :class:`CallbackSender` does the same for the
emulator: it watches the outbox, posts each event as :func:`smsc_async.callbacks.render`
writes it, from tasks of its own (a slow handler never slows the emulator's answers),
retries a failed delivery a few times, and records what the handler answered in
:attr:`CallbackSender.deliveries`.

Status changes happen in emulated time: each coming change of a message is a timer on the
emulator's event loop, so with a compressed ``minute`` (or virtual time) the reports come
as fast as the statuses change.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs

from smsc_async.callbacks import (
    BodyFormat,
    CallbackEvent,
    DeliveryReport,
    IncomingMessage,
    render,
)
from smsc_async.http import httpx
from smsc_async.models import DeliveryError, MessageStatus, MessageType

if TYPE_CHECKING:
    from smsc_async.testing._outbox import InboxEntry, Outbox, OutboxEntry

__all__ = ["CallbackAttempt", "CallbackDelivery", "CallbackSender", "callback_target"]

log = logging.getLogger("smsc_async")
_ALGORITHMS = ("md5", "sha1", "crc32")
_FMT_NAMES: dict[str, BodyFormat] = {"2": "xml", "3": "json"}
_BODY_FORMATS: dict[str, BodyFormat] = {"form": "form", "json": "json", "xml": "xml"}
_CHARSETS = ("utf-8", "koi8-r", "windows-1251")
_WORKERS = 4  # deliveries at once: a slow handler holds one, not the whole queue
_ANSWER_KEPT = 200  # characters of the handler's answer kept per attempt


@attrs.frozen
class CallbackAttempt:
    """One try at delivering an event.

    Attributes:
        at: Event-loop time it was made.
        status: The HTTP status the handler answered, or ``None`` when it did not answer.
        answer: The start of the answer's text, or why there was none (``"ConnectError"``,
            ``"timed out"``).
    """

    at: float
    status: int | None
    answer: str

    @property
    def ok(self) -> bool:
        """Whether the handler took the event (a 2xx answer)."""
        return self.status is not None and 200 <= self.status < 300  # noqa: PLR2004


@attrs.define
class CallbackDelivery:
    """An event the emulator posted (or is posting), with every try.

    Attributes:
        login: The account whose event it is.
        event: What was posted.
        attempts: Every try, in order; the last is the final one once :attr:`done`.
        repeat: A deliberate second delivery of an event already taken (see
            :attr:`CallbackSender.repeat`), as SMSC may send when it misses an answer.
        done: No more tries will be made.
    """

    login: str
    event: CallbackEvent
    attempts: list[CallbackAttempt] = attrs.field(factory=list)
    repeat: bool = False
    done: bool = False

    @property
    def delivered(self) -> bool:
        """Whether a try was answered 2xx."""
        return any(a.ok for a in self.attempts)


@attrs.frozen
class _Target:
    url: str  # as called: the signing parameter taken out
    secret: str | None = attrs.field(repr=False)
    algorithm: str
    fmt: BodyFormat
    charset: str


def callback_target(
    url: str,
    *,
    secret: str | None = None,
    algorithm: str | None = None,
    fmt: BodyFormat | None = None,
    charset: str | None = None,
) -> _Target:
    """Where and how to post, from a handler URL as configured in an SMSC account.

    The URL's own ``fmt``, ``charset`` and ``md5``/``sha1``/``crc32`` (the secret) are
    read as SMSC reads them; a keyword given here must agree with them.

    Raises:
        ValueError: The URL is not http(s), a setting is unknown, or a keyword contradicts
            the URL.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the callback URL must be an http(s) URL, not {url!r}")
    query = parse_qsl(parts.query, keep_blank_values=True)
    signing = [(k, v) for k, v in query if k in _ALGORITHMS]
    if len(signing) > 1:
        raise ValueError("the callback URL names more than one of md5, sha1 and crc32")
    settings = dict(query)
    url_fmt = _FMT_NAMES.get(settings.get("fmt", ""), "form") if "fmt" in settings else None
    if signing:
        url_algorithm, url_secret = signing[0]
        algorithm = _agree("algorithm", algorithm, url_algorithm)
        secret = _agree("secret", secret, url_secret, shown=False)
    chosen = _agree("fmt", fmt, url_fmt) or "form"
    # Compared in lower case: charset names are case-insensitive (``UTF-8`` is ``utf-8``).
    url_charset = settings["charset"].lower() if "charset" in settings else None
    charset = _agree("charset", charset and charset.lower(), url_charset) or "windows-1251"
    algorithm = algorithm or "md5"
    if algorithm not in _ALGORITHMS:
        raise ValueError(f"unknown signature algorithm {algorithm!r}: use md5, sha1 or crc32")
    if chosen not in _BODY_FORMATS:
        raise ValueError(f"unknown callback body format {chosen!r}: use form, json or xml")
    if charset not in _CHARSETS:
        raise ValueError(f"unknown callback charset {charset!r}: use {', '.join(_CHARSETS)}")
    # Assumption: SMSC calls the URL as configured but for the signing parameter; posting
    # the secret along with the signature made from it would make the signature pointless.
    kept = urlencode([(k, v) for k, v in query if k not in _ALGORITHMS])
    called = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", kept, ""))
    return _Target(called, secret, algorithm, _BODY_FORMATS[chosen], charset)


def _agree(name: str, given: str | None, in_url: str | None, *, shown: bool = True) -> str | None:
    if given is not None and in_url is not None and given != in_url:
        detail = f" ({given!r} against {in_url!r})" if shown else ""
        raise ValueError(f"the callback {name} given differs from the URL's{detail}")
    return given if given is not None else in_url


class CallbackSender:
    """Posts the emulator's events to a handler URL (``Emulator(callback_url=...)``).

    It observes the outbox: every status change of a message becomes a
    :class:`~smsc_async.callbacks.DeliveryReport`, every incoming message an
    :class:`~smsc_async.callbacks.IncomingMessage`, posted signed when a secret is set.
    It works on the event loop of the first event (the emulator's), and takes events from
    other threads too (``outbox.receive`` called beside a served emulator).

    Attributes:
        url: The URL posted to (the signing parameter taken out).
        fmt: The body format: ``"form"``, ``"json"`` or ``"xml"``.
        charset: The body's charset.
        algorithm: The signature's algorithm (used when a secret is set).
        retries: Tries after the first for an event not answered 2xx.
        retry_delay: Emulated seconds before the first retry; each further one waits twice
            as long.
        timeout: Seconds (real) a try may take.
        repeat: The chance (0 to 1) that an event taken is posted once more, as SMSC may
            when it misses an answer: handlers must recognise the second delivery.
        transport: The httpx transport to post through (a real connection by default; an
            ``httpx.ASGITransport`` posts into an app in process).
        deliveries: Every event posted or being posted, in the order queued.
    """

    def __init__(
        self,
        target: _Target,
        *,
        outbox: Outbox,
        seed: int = 0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._target = target
        self._outbox = outbox
        self.retries = 3
        self.retry_delay = 1.0
        self.timeout = 5.0
        self.repeat = 0.0
        self.transport = transport
        self.deliveries: list[CallbackDelivery] = []
        self._random = random.Random(seed)  # noqa: S311 - test randomness, not security
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[CallbackDelivery] | None = None
        # What came before there was a loop to post from: done once there is one.
        self._waiting: deque[tuple[Callable[[Any], None], Any]] = deque()
        self._workers: list[asyncio.Task[None]] = []
        # Keyed by a number of our own: timer handles compare by their arguments, and two of
        # one message due at once (handover_after == deliver_after) recursed in a set.
        self._timers: dict[int, asyncio.TimerHandle] = {}
        self._timer_keys = itertools.count()
        self._reported: dict[int, int] = {}  # entry int_id -> status changes reported
        self._busy = 0  # timers set, events queued or being posted
        self._idle: asyncio.Event | None = None
        self._http: httpx.AsyncClient | None = None
        outbox.observers.append(self)

    def __repr__(self) -> str:
        return f"CallbackSender(url={self.url!r}, fmt={self.fmt!r}, charset={self.charset!r})"

    @property
    def url(self) -> str:
        """The URL posted to."""
        return self._target.url

    @property
    def fmt(self) -> BodyFormat:
        """The body format."""
        return self._target.fmt

    @property
    def charset(self) -> str:
        """The body's charset."""
        return self._target.charset

    @property
    def algorithm(self) -> str:
        """The signature's algorithm."""
        return self._target.algorithm

    @property
    def signed(self) -> bool:
        """Whether requests carry a signature (a secret is set)."""
        return self._target.secret is not None

    # -- the outbox's observer ------------------------------------------------------------

    def changed(self, entry: OutboxEntry) -> None:
        """Report the status changes ``entry`` has made, and watch for those to come."""
        self._call(self._watch, entry)

    def received(self, answer: InboxEntry) -> None:
        """Post an incoming message."""
        event = IncomingMessage(
            answer.phone,
            answer.text,
            to_phone=answer.to_phone or None,
            sms_id=answer.id,
            # To the second, as the wire's dd.mm.yyyy hh:mm:ss carries it.
            sent=answer.sent_wall.replace(microsecond=0),
            received=answer.received_wall.replace(microsecond=0),
        )
        self._call(self._enqueue, CallbackDelivery(answer.login, event))

    # -- waiting and closing --------------------------------------------------------------

    async def drain(self) -> None:
        """Wait until every status change due has been reported and every event posted.

        Call it on the emulator's loop. Messages whose statuses are still to change keep it
        waiting until they have (in emulated time).
        """
        self._bind()
        assert self._idle is not None  # noqa: S101 - set by _bind
        while self._busy:
            await self._idle.wait()

    async def aclose(self) -> None:
        """Stop posting: cancel the timers and the tries under way, close the connections.

        Events not yet posted are dropped (:meth:`drain` first to keep them). The sender
        starts again with the next event.
        """
        loop = self._loop
        if loop is not None and loop is not asyncio.get_running_loop():
            # Bound to another loop (one that ran the emulator and is closed now, say): its
            # tasks cannot be awaited, nor cancelled from here once it is closed (found by
            # tests/testing/test_callbacks_sender.py). Cancel them on their own loop while it
            # lives, and let go of them as a new loop's first event would.
            if not loop.is_closed():
                for timer in self._timers.values():
                    loop.call_soon_threadsafe(timer.cancel)
                for task in self._workers:
                    loop.call_soon_threadsafe(task.cancel)
            self._let_go()
            return
        for timer in self._timers.values():
            timer.cancel()
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
        self._let_go()

    def _let_go(self) -> None:
        """Forget the loop and what was running on it; the next event binds afresh."""
        self._timers.clear()
        self._workers.clear()
        self._http = None
        self._loop = self._queue = self._idle = None
        self._busy = 0

    # -- inside ---------------------------------------------------------------------------

    def _call(self, function: Callable[[Any], None], item: Any) -> None:
        """Run ``function(item)`` on the sender's loop, whichever thread calls."""
        running = _running_loop()
        loop = self._loop
        if loop is not None and not loop.is_closed() and loop is not running:
            loop.call_soon_threadsafe(function, item)
        elif running is not None:
            self._bind()
            function(item)
        else:
            self._waiting.append((function, item))

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Post from ``loop`` (the served emulator's), from any thread.

        :func:`~smsc_async.testing.serving` and ``serving_in_thread`` call it once the
        server runs, so an answer received from the test's thread before any request is
        posted at once. Otherwise the sender takes the loop of its first event.
        """
        self._bind(loop)

    def _bind(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        running = _running_loop()
        loop = loop or running
        assert loop is not None  # noqa: S101 - called on a loop, or given one
        if self._loop is loop:
            return
        self._let_go()  # a loop before this one is closed: what it held is gone
        # Neither binds a loop before its first use (Python 3.10+): made here, from any thread.
        self._loop, self._queue, self._idle = loop, asyncio.Queue(), asyncio.Event()
        self._busy = 0
        self._idle.set()
        if running is loop:
            self._start()
        else:
            loop.call_soon_threadsafe(self._start)

    def _start(self) -> None:
        """Start the workers, and do what waited for a loop (on the sender's loop)."""
        assert self._loop is not None  # noqa: S101 - set by _bind
        self._workers = [
            self._loop.create_task(self._work(), name="smsc-emulator-callbacks")
            for _ in range(_WORKERS)
        ]
        while self._waiting:
            function, item = self._waiting.popleft()
            function(item)

    def _watch(self, entry: OutboxEntry) -> None:
        self._report(entry)
        assert self._loop is not None  # noqa: S101 - bound by the caller
        for step in entry.steps:
            self._hold(+1)
            key = next(self._timer_keys)
            self._timers[key] = self._loop.call_at(step.at, self._due, entry, key)

    def _due(self, entry: OutboxEntry, key: int) -> None:
        self._timers.pop(key, None)
        try:
            if self._outbox.holds(entry):  # a deleted message reports nothing more
                assert self._loop is not None  # noqa: S101
                entry.settle(self._loop.time(), self._outbox.minute)
                self._report(entry)
        finally:
            self._hold(-1)

    def _report(self, entry: OutboxEntry) -> None:
        """Queue a report for each status change of ``entry`` not reported yet."""
        done = self._reported.get(entry.int_id, 0)
        for step in entry.applied[done:]:
            event = DeliveryReport(
                entry.id,
                entry.phone,
                MessageStatus(step.status),
                DeliveryError(step.err),
                time=entry.wall_at(step.at, self._outbox.minute).replace(microsecond=0),
                sms_cnt=entry.parts,
                type=MessageType(entry.type),
                sender_id=entry.sender or None,
            )
            self._enqueue(CallbackDelivery(entry.login, event))
        self._reported[entry.int_id] = len(entry.applied)

    def _enqueue(self, delivery: CallbackDelivery) -> None:
        assert self._queue is not None  # noqa: S101 - bound by the caller
        self.deliveries.append(delivery)
        self._hold(+1)
        self._queue.put_nowait(delivery)

    def _hold(self, change: int) -> None:
        self._busy += change
        if self._idle is not None:
            if self._busy:
                self._idle.clear()
            else:
                self._idle.set()

    async def _work(self) -> None:
        assert self._queue is not None  # noqa: S101
        queue = self._queue
        while True:
            delivery = await queue.get()
            try:
                await self._deliver(delivery)
            finally:
                self._hold(-1)

    async def _deliver(self, delivery: CallbackDelivery) -> None:
        target = self._target
        loop = asyncio.get_running_loop()
        try:
            body, content_type = render(
                delivery.event,
                fmt=target.fmt,
                charset=target.charset,
                secret=target.secret,
                algorithm=target.algorithm,
            )
        except ValueError:  # a text the charset cannot write (an emoji in windows-1251)
            delivery.attempts.append(CallbackAttempt(loop.time(), None, f"not {target.charset}"))
            delivery.done = True
            return
        delay = self.retry_delay * self._outbox.minute / 60.0
        for attempt in range(1 + max(self.retries, 0)):
            if attempt:
                await asyncio.sleep(delay * 2 ** (attempt - 1))
            outcome = await self._post(body, content_type, loop.time())
            delivery.attempts.append(outcome)
            if outcome.ok:
                break
        delivery.done = True
        if not delivery.delivered:
            last = delivery.attempts[-1]
            # The event itself is not logged: an incoming message's text is the customer's.
            log.warning(
                "callback %s to %s not taken after %d tries: %s",
                type(delivery.event).__name__,
                self.url,
                len(delivery.attempts),
                last.status if last.status is not None else last.answer,
            )
        if delivery.delivered and not delivery.repeat and self._random.random() < self.repeat:
            again = CallbackDelivery(delivery.login, delivery.event, repeat=True)
            self._enqueue(again)

    async def _post(self, body: bytes, content_type: str, at: float) -> CallbackAttempt:
        if self._http is None:
            self._http = httpx.AsyncClient(
                transport=self.transport, timeout=self.timeout, follow_redirects=False
            )
        try:
            # wait_for too: an in-process transport (httpx.ASGITransport) has no timeouts.
            response = await asyncio.wait_for(
                self._http.post(
                    self._target.url, content=body, headers={"content-type": content_type}
                ),
                self.timeout,
            )
        except (httpx.TimeoutException, asyncio.TimeoutError):
            return CallbackAttempt(at, None, "timed out")
        except httpx.HTTPError as exc:
            return CallbackAttempt(at, None, type(exc).__name__)
        return CallbackAttempt(at, response.status_code, response.text[:_ANSWER_KEPT])


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
