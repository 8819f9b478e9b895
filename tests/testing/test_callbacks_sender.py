"""The emulator calls back: what its ``CallbackSender`` posts, when, signed how, and retried.

The receiver is a Starlette app on ``callback_endpoint`` (the SDK's own receiving side),
posted into in process through ``httpx.ASGITransport``; a recording ASGI app in front of it
keeps each request and answers what a test scripts. Status changes and retry backoff run in
virtual time (looptime); the tests of real sockets and threads run in real time, on a
compressed emulated minute, and wait only for events.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from urllib.parse import quote_plus

import attrs
import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smsc_async import DeliveryError, MessageStatus, MessageType
from smsc_async.callbacks import BodyFormat, CallbackEvent, DeliveryReport, IncomingMessage
from smsc_async.callbacks.starlette import callback_endpoint
from smsc_async.testing import (
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    CallbackSender,
    Emulator,
    serving_in_thread,
)
from smsc_async.testing._callbacks import callback_target
from tests._support import EMULATOR_START

START = EMULATOR_START  # the emulator's calendar at its first request (pinned)
PATH = "/smsc/callback"
URL = f"http://receiver.test{PATH}"
SECRET = "cb-s3cret-value"
PHONE, OTHER, OURS = "79991234567", "79991234568", "79001112233"
TEXT = "Привет, мир! Ёлка & <ок> 100%"
WAIT = 10.0  # real seconds a thread test waits for an event before it fails

_T = TypeVar("_T")


# -- the receiving side ---------------------------------------------------------------------


def receiver(events: list[CallbackEvent], **options: Any) -> Starlette:
    """A Starlette app taking SMSC's callbacks at ``PATH`` into ``events``."""

    async def take(event: CallbackEvent) -> None:
        events.append(event)

    app = Starlette()
    app.add_route(PATH, callback_endpoint(take, **options), methods=["POST"])
    return app


@attrs.frozen
class Seen:
    """One request as the recorder received it."""

    path: str
    query: str
    content_type: str
    body: bytes


@attrs.define
class Recorder:
    """An ASGI app keeping every request, then answering the next scripted status.

    With no status left it hands the request to ``app`` (or answers 200 without one).
    """

    app: ASGIApp | None = None
    statuses: list[int] = attrs.field(factory=list)
    seen: list[Seen] = attrs.field(factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert "http" == scope["type"]
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        self.seen.append(Seen(scope["path"], scope["query_string"].decode(), content_type, body))
        if self.statuses or self.app is None:
            status = self.statuses.pop(0) if self.statuses else 200
            start = {"type": "http.response.start", "status": status, "headers": []}
            await send(start)
            await send({"type": "http.response.body", "body": b"scripted"})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


# -- helpers ----------------------------------------------------------------------------


def sender_of(emulator: Emulator) -> CallbackSender:
    """The emulator's callback sender (it has one: a callback URL was given)."""
    assert emulator.callbacks is not None
    return emulator.callbacks


@asynccontextmanager
async def calling_back(
    app: ASGIApp, *, url: str = URL, **settings: Any
) -> AsyncIterator[tuple[Emulator, CallbackSender]]:
    """An emulator posting its callbacks into ``app`` in process; closed afterwards."""
    emulator = Emulator(start=EMULATOR_START, callback_url=url, **settings)
    sender = sender_of(emulator)
    sender.transport = httpx.ASGITransport(app)
    try:
        yield emulator, sender
    finally:
        await emulator.aclose()


def report(
    id: str,  # noqa: A002
    phone: str,
    status: MessageStatus,
    at: float,
    err: DeliveryError = DeliveryError.NONE,
    *,
    sms_cnt: int = 1,
    sender_id: str | None = None,
) -> DeliveryReport:
    """The report of a status change ``at`` emulated seconds after the first request."""
    moment = START + dt.timedelta(seconds=at)
    return DeliveryReport(
        id, phone, status, err, moment, sms_cnt=sms_cnt, type=MessageType.SMS, sender_id=sender_id
    )


def reports(sender: CallbackSender) -> list[DeliveryReport]:
    """The delivery reports queued so far, in order."""
    found = [d.event for d in sender.deliveries]
    assert all(isinstance(e, DeliveryReport) for e in found)
    return [e for e in found if isinstance(e, DeliveryReport)]


async def sleep_until(moment: float) -> None:
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(moment - loop.time(), 0.0))


def written(text: str, fmt: BodyFormat, charset: str) -> bytes:
    """How ``text`` appears in a body of ``fmt`` in ``charset`` (XML escapes ``&`` and ``<``)."""
    if fmt == "form":
        return quote_plus(text, encoding=charset).encode("ascii")
    return text.partition("&")[0].encode(charset)


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on (bound and closed again)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def on_a_new_loop(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coroutine`` on a fresh event loop, then end it as ``asyncio.run`` does.

    The tasks left are cancelled and the loop closed; the test's own loop is left as set.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        if left := asyncio.all_tasks(loop):
            for task in left:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


# -- status reports -----------------------------------------------------------------------


@pytest.mark.looptime
async def test_every_status_change_is_reported_once_when_it_happens_and_not_before() -> None:
    """Each recipient's "transferred" at 1 s and "delivered" at 5 s are posted then, once each."""
    events: list[CallbackEvent] = []
    async with calling_back(receiver(events)) as (emulator, sender):
        async with emulator.client() as smsc:
            sent = await smsc.messages.send([PHONE, OTHER], "Ж" * 100, sender="Shop")
        gone = emulator.outbox.entries[0].sent
        seen = []
        for moment in (0.99, 1.01, 4.99, 5.01):
            await sleep_until(gone + moment)
            seen.append(sorted(int(r.status) for r in reports(sender)))
        await sender.drain()
    assert [[], [0, 0], [0, 0], [0, 0, 1, 1]] == seen
    expected = [
        report(sent.id, phone, status, at, sms_cnt=2, sender_id="Shop")
        for status, at in ((MessageStatus.TRANSFERRED, 1), (MessageStatus.DELIVERED, 5))
        for phone in (PHONE, OTHER)
    ]
    assert Counter(expected) == Counter(events)
    assert Counter(expected) == Counter(reports(sender))
    applied = sorted(s.at for e in emulator.outbox.entries for s in e.applied)
    posted = sorted(a.at for d in sender.deliveries for a in d.attempts)
    assert pytest.approx(applied) == posted
    assert all(d.done and d.delivered and 1 == len(d.attempts) for d in sender.deliveries)


@pytest.mark.looptime
async def test_refused_recipients_report_their_final_status_and_error() -> None:
    """An undeliverable number reports 20/248 at once; a number fated to fail ends in its err."""
    events: list[CallbackEvent] = []
    async with calling_back(receiver(events)) as (emulator, sender):
        emulator.messages.undeliverable.add(OTHER)
        emulator.messages.fates[PHONE] = (20, 1)
        async with emulator.client() as smsc:
            sent = await smsc.messages.send([PHONE, OTHER], "Hi")
        await asyncio.sleep(0.5)
        at_once = reports(sender)
        await sender.drain()
    refused = report(sent.id, OTHER, MessageStatus.UNDELIVERABLE, 0, DeliveryError.NO_ROUTE)
    assert [refused] == at_once
    expected = [
        refused,
        report(sent.id, PHONE, MessageStatus.TRANSFERRED, 1),
        report(sent.id, PHONE, MessageStatus.UNDELIVERABLE, 5, DeliveryError.NO_SUBSCRIBER),
    ]
    assert Counter(expected) == Counter(events)


@pytest.mark.looptime
async def test_a_forced_status_is_reported_and_the_dropped_changes_are_not() -> None:
    """``outbox.force`` at 2 s reports the forced status; the "delivered" due at 5 s never comes."""
    events: list[CallbackEvent] = []
    async with calling_back(receiver(events)) as (emulator, sender):
        async with emulator.client() as smsc:
            sent = await smsc.messages.send(PHONE, "Hi")
        await sleep_until(2.0)
        emulator.outbox.force(DEFAULT_LOGIN, sent.id, PHONE, 20, err=6)
        await sleep_until(60.0)
        await sender.drain()
    expected = [
        report(sent.id, PHONE, MessageStatus.TRANSFERRED, 1),
        report(sent.id, PHONE, MessageStatus.UNDELIVERABLE, 2, DeliveryError.SUBSCRIBER_OFFLINE),
    ]
    assert expected == sorted(reports(sender), key=lambda r: r.time or START)
    assert Counter(expected) == Counter(events)


@pytest.mark.looptime
@pytest.mark.parametrize("how", ["status.php del=1", "outbox.delete"])
async def test_a_deleted_message_reports_nothing_more(how: str) -> None:
    """A message deleted after its "transferred" report never reports "delivered"."""
    events: list[CallbackEvent] = []
    async with calling_back(receiver(events)) as (emulator, sender):
        async with emulator.client() as smsc:
            sent = await smsc.messages.send(PHONE, "Hi")
            await sleep_until(2.0)
            if how == "outbox.delete":
                emulator.outbox.delete(emulator.outbox.entries[0])
            else:
                await smsc.messages.delete(PHONE, sent.id)
        await sleep_until(60.0)
        await sender.drain()
    assert [] == emulator.outbox.entries
    assert [report(sent.id, PHONE, MessageStatus.TRANSFERRED, 1)] == reports(sender)
    assert reports(sender) == events


@pytest.mark.looptime
async def test_two_changes_of_one_message_due_at_once_are_both_reported() -> None:
    """Handed over and delivered at the same moment (3 s), a message reports both then."""
    events: list[CallbackEvent] = []
    async with calling_back(receiver(events)) as (emulator, sender):
        emulator.messages.handover_after = emulator.messages.deliver_after = 3.0
        async with emulator.client() as smsc:
            sent = await smsc.messages.send(PHONE, "Hi")
        await sleep_until(2.99)
        before = list(sender.deliveries)
        await sender.drain()
    expected = [
        report(sent.id, PHONE, MessageStatus.TRANSFERRED, 3),
        report(sent.id, PHONE, MessageStatus.DELIVERED, 3),
    ]
    assert ([], expected) == (before, reports(sender))
    assert Counter(expected) == Counter(events)


# -- incoming messages ------------------------------------------------------------------


@pytest.mark.looptime
@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r", "utf-8"])
@pytest.mark.parametrize("fmt", ["form", "json", "xml"])
async def test_an_incoming_message_is_posted_as_the_receiver_parses_it(
    fmt: BodyFormat, charset: str
) -> None:
    """``outbox.receive`` posts a Cyrillic reply in the body and charset chosen; it parses equal."""
    events: list[CallbackEvent] = []
    recorder = Recorder(receiver(events, secret=SECRET, algorithm="sha1"))
    settings = {"callback_fmt": fmt, "callback_charset": charset, "callback_secret": SECRET}
    async with calling_back(recorder, callback_algorithm="sha1", **settings) as (emulator, sender):
        await asyncio.sleep(30)
        answer = emulator.outbox.receive(DEFAULT_LOGIN, PHONE, TEXT, to_phone=OURS)
        await sender.drain()
    expected = IncomingMessage(PHONE, TEXT, OURS, answer.id, START, START)
    [delivery] = sender.deliveries
    assert (expected, [expected]) == (delivery.event, events)
    assert [200] == [a.status for a in delivery.attempts]
    [seen] = recorder.seen
    media = {"form": "application/x-www-form-urlencoded", "json": "application/json"}
    assert f"{media.get(fmt, 'application/xml')}; charset={charset}" == seen.content_type
    assert written(TEXT, fmt, charset) in seen.body


@pytest.mark.looptime
async def test_a_reply_the_charset_cannot_write_is_recorded_not_posted() -> None:
    """An emoji reply with windows-1251 bodies is given up at once, saying why; nothing is sent."""
    recorder = Recorder()
    async with calling_back(recorder) as (emulator, sender):
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, "Ок 👍")
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, "Ок")
        await sender.drain()
    first, second = sender.deliveries
    assert [(None, "not windows-1251")] == [(a.status, a.answer) for a in first.attempts]
    assert (True, False, True) == (first.done, first.delivered, second.delivered)
    assert 1 == len(recorder.seen)


# -- signatures -------------------------------------------------------------------------


@pytest.mark.looptime
@pytest.mark.parametrize("algorithm", ["md5", "sha1", "crc32"])
async def test_a_receiver_with_the_same_secret_and_algorithm_accepts(algorithm: str) -> None:
    """Signed with the receiver's secret and algorithm, a report and a reply are answered 200."""
    events: list[CallbackEvent] = []
    app = receiver(events, secret=SECRET, algorithm=algorithm, allow_crc32=True)
    signed = {"callback_secret": SECRET, "callback_algorithm": algorithm}
    async with calling_back(app, **signed) as (emulator, sender):
        async with emulator.client() as smsc:
            await smsc.messages.send(PHONE, "Hi")
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, TEXT)
        await sender.drain()
    assert sender.signed
    assert 3 == len(events)
    assert [[200]] * 3 == [[a.status for a in d.attempts] for d in sender.deliveries]


@pytest.mark.looptime
@pytest.mark.parametrize(("minute", "spacing"), [(60.0, [2.0, 4.0]), (6.0, [0.2, 0.4])])
async def test_a_refused_signature_is_retried_with_backoff_then_given_up(
    minute: float, spacing: list[float]
) -> None:
    """Against another secret: 403, ``retries`` more tries spaced by doubling emulated delays."""
    events: list[CallbackEvent] = []
    app = receiver(events, secret="another-secret", algorithm="sha1")
    signed = {"callback_secret": SECRET, "callback_algorithm": "sha1"}
    async with calling_back(app, minute=minute, **signed) as (emulator, sender):
        sender.retries, sender.retry_delay = 2, 2.0
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, TEXT)
        await sender.drain()
    [delivery] = sender.deliveries
    assert ([403, 403, 403], True, False) == (
        [a.status for a in delivery.attempts],
        delivery.done,
        delivery.delivered,
    )
    times = [a.at for a in delivery.attempts]
    assert pytest.approx(spacing) == [b - a for a, b in itertools.pairwise(times)]
    assert [] == events


# -- failures and repeats ---------------------------------------------------------------


@pytest.mark.looptime
async def test_a_handler_failing_twice_gets_the_event_on_the_third_try() -> None:
    """Answered 500, 500, then handed to the receiver: delivered on the third attempt."""
    events: list[CallbackEvent] = []
    recorder = Recorder(receiver(events), statuses=[500, 500])
    async with calling_back(recorder) as (emulator, sender):
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, TEXT)
        await sender.drain()
    [delivery] = sender.deliveries
    assert [500, 500, 200] == [a.status for a in delivery.attempts]
    assert (True, True, [delivery.event]) == (delivery.done, delivery.delivered, events)
    assert 1 == len({s.body for s in recorder.seen})
    assert 3 == len(recorder.seen)


@pytest.mark.looptime(False)
async def test_a_closed_port_gives_failed_attempts_and_the_emulator_carries_on() -> None:
    """Posting to a port nobody listens on records ``ConnectError`` tries; sending goes on."""
    # Real sockets, so real time: a compressed minute makes the backoff 10 and 20 ms.
    emulator = Emulator(
        start=EMULATOR_START, minute=0.6, callback_url=f"http://127.0.0.1:{free_port()}{PATH}"
    )
    sender = sender_of(emulator)
    sender.retries = 2
    try:
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, TEXT)
        async with emulator.client() as smsc:
            sent = await smsc.messages.send(PHONE, "Hi")
        await sender.drain()
    finally:
        await emulator.aclose()
    assert 3 == len(sender.deliveries)  # the reply, then "transferred" and "delivered"
    for delivery in sender.deliveries:
        outcomes = [(a.status, a.answer) for a in delivery.attempts]
        assert [(None, "ConnectError")] * 3 == outcomes
        assert (True, False) == (delivery.done, delivery.delivered)
    assert [1] == [e.status for e in emulator.outbox.entries if e.id == sent.id]


@pytest.mark.looptime
async def test_a_delivery_given_up_is_logged_without_the_event_or_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Giving up logs one WARNING naming the kind, the URL and the last answer, nothing else."""
    recorder = Recorder(statuses=[503] * 4)
    signed = {"callback_secret": SECRET, "callback_algorithm": "sha1"}
    with caplog.at_level("WARNING", logger="smsc_async"):
        async with calling_back(recorder, **signed) as (emulator, sender):
            emulator.outbox.receive(DEFAULT_LOGIN, PHONE, TEXT)
            await sender.drain()
    [record] = [r for r in caplog.records if r.name == "smsc_async"]
    message = record.getMessage()
    assert "WARNING" == record.levelname
    assert f"callback IncomingMessage to {URL} not taken after 4 tries: 503" == message
    assert (SECRET not in message, TEXT not in message, PHONE not in message) == (True,) * 3


@pytest.mark.looptime
async def test_a_handler_that_hangs_in_process_times_out_and_is_tried_again() -> None:
    """An in-process receiver that never answers is given up on after ``timeout`` per try."""
    hanging = asyncio.Event()

    async def never(scope: Scope, receive: Receive, send: Send) -> None:
        await hanging.wait()  # never set: no answer, ever

    async with calling_back(never) as (emulator, sender):
        sender.retries, sender.timeout = 1, 5.0
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, TEXT)
        await sender.drain()
    [delivery] = sender.deliveries
    assert [(None, "timed out")] * 2 == [(a.status, a.answer) for a in delivery.attempts]
    first, second = (a.at for a in delivery.attempts)
    assert pytest.approx(5.0 + 1.0) == second - first  # the timeout, then the first backoff


@pytest.mark.looptime
async def test_repeat_delivers_each_event_a_second_time_with_the_same_dedupe_key() -> None:
    """With ``repeat=1.0`` every event taken is posted once more, marked a repeat."""
    events: list[CallbackEvent] = []
    async with calling_back(receiver(events)) as (emulator, sender):
        sender.repeat = 1.0
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, "first")
        emulator.outbox.receive(DEFAULT_LOGIN, OTHER, "second")
        await sender.drain()
    by_event: dict[str, list[bool]] = {}
    for delivery in sender.deliveries:
        assert delivery.delivered
        by_event.setdefault(delivery.event.dedupe_key, []).append(delivery.repeat)
    assert 2 == len(by_event)
    assert all([False, True] == flags for flags in by_event.values())
    assert Counter(e.dedupe_key for e in events) == Counter(dict.fromkeys(by_event, 2))


# -- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fmt", "charset", "algorithm"),
    [
        ("", "form", "windows-1251", "md5"),
        ("?fmt=2&charset=koi8-r&sha1=S", "xml", "koi8-r", "sha1"),
        ("?fmt=3&charset=UTF-8&crc32=S", "json", "utf-8", "crc32"),
        ("?fmt=1&md5=S", "form", "windows-1251", "md5"),
    ],
)
def test_the_url_carries_the_settings_as_smsc_reads_them(
    query: str, fmt: str, charset: str, algorithm: str
) -> None:
    """``fmt``, ``charset`` and ``md5``/``sha1``/``crc32`` of the URL set body, charset, secret."""
    target = callback_target(f"http://receiver.test/cb{query}")
    secret = "S" if "=S" in query else None
    assert (fmt, charset, algorithm, secret) == (
        target.fmt,
        target.charset,
        target.algorithm,
        target.secret,
    )
    assert "=S" not in target.url


def test_the_url_called_keeps_its_query_but_the_secret() -> None:
    """The signing parameter is taken out of the URL called; the rest stays, and a path is set."""
    target = callback_target(f"https://receiver.test:8443/hook?fmt=3&sha1={SECRET}&site=a")
    assert "https://receiver.test:8443/hook?fmt=3&site=a" == target.url
    assert "http://receiver.test/" == callback_target("http://receiver.test").url
    assert SECRET not in repr(target)


def test_keywords_that_agree_with_the_url_are_taken() -> None:
    """A keyword repeating the URL's own setting is no conflict."""
    target = callback_target(
        f"http://receiver.test/cb?fmt=3&sha1={SECRET}",
        secret=SECRET,
        algorithm="sha1",
        fmt="json",
        charset="koi8-r",
    )
    assert ("json", "koi8-r", "sha1", SECRET) == (
        target.fmt,
        target.charset,
        target.algorithm,
        target.secret,
    )


def test_charset_names_agree_whatever_their_case() -> None:
    """``charset=UTF-8`` in the URL and ``charset="utf-8"`` given name the same charset."""
    target = callback_target("http://receiver.test/cb?charset=UTF-8", charset="utf-8")
    assert "utf-8" == target.charset
    assert "koi8-r" == callback_target("http://receiver.test/cb", charset="KOI8-R").charset


@pytest.mark.parametrize(
    ("query", "keyword", "named"),
    [
        (f"?sha1={SECRET}", {"secret": "another-secret"}, "secret"),
        (f"?sha1={SECRET}", {"algorithm": "md5"}, "algorithm"),
        ("?fmt=2", {"fmt": "json"}, "fmt"),
        ("?charset=koi8-r", {"charset": "utf-8"}, "charset"),
    ],
)
def test_a_keyword_contradicting_the_url_is_refused_without_the_secret(
    query: str, keyword: dict[str, Any], named: str
) -> None:
    """A keyword against the URL's setting raises ValueError naming it, never a secret."""
    with pytest.raises(ValueError, match=named) as caught:
        callback_target(f"http://receiver.test/cb{query}", **keyword)
    assert [] == [s for s in (SECRET, "another-secret") if s in str(caught.value)]


@pytest.mark.parametrize(
    ("url", "keyword", "match"),
    [
        ("http://receiver.test/cb", {"algorithm": "sha256"}, "algorithm"),
        ("http://receiver.test/cb", {"charset": "latin-1"}, "charset"),
        ("http://receiver.test/cb?charset=cp866", {}, "charset"),
        ("http://receiver.test/cb", {"fmt": "yaml"}, "format"),
        ("http://receiver.test/cb?md5=a&sha1=b", {}, "more than one"),
        ("ftp://receiver.test/cb", {}, "http"),
        ("receiver.test/cb", {}, "http"),
        ("http:///cb", {}, "http"),
    ],
)
def test_unknown_settings_and_urls_are_refused(
    url: str, keyword: dict[str, Any], match: str
) -> None:
    """An unknown algorithm, charset or body format, or no http(s) URL, raises ValueError."""
    with pytest.raises(ValueError, match=match):
        callback_target(url, **keyword)
    with pytest.raises(ValueError, match=match):
        Emulator(callback_url=url, **{f"callback_{k}": v for k, v in keyword.items()})


@pytest.mark.parametrize(
    "setting",
    [
        {"callback_secret": SECRET},
        {"callback_algorithm": "sha1"},
        {"callback_fmt": "json"},
        {"callback_charset": "utf-8"},
    ],
)
def test_callback_settings_without_a_url_are_refused(setting: dict[str, Any]) -> None:
    """A callback setting given without ``callback_url`` raises ValueError, quoting no secret."""
    with pytest.raises(ValueError, match="callback_url") as caught:
        Emulator(**setting)
    assert SECRET not in str(caught.value)
    assert None is Emulator().callbacks


@pytest.mark.looptime
@pytest.mark.parametrize("given", ["in the URL", "as a keyword"])
async def test_the_secret_shows_nowhere_outside_the_signature(given: str) -> None:
    """Neither ``repr``, ``url`` nor the request the handler gets carries the secret."""
    recorder = Recorder()
    url, settings = f"{URL}?fmt=3", {"callback_secret": SECRET, "callback_algorithm": "sha1"}
    if given == "in the URL":
        url, settings = f"{URL}?sha1={SECRET}&fmt=3", {}
    async with calling_back(recorder, url=url, **settings) as (emulator, sender):
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, TEXT)
        await sender.drain()
    assert (True, f"{URL}?fmt=3", "sha1") == (sender.signed, sender.url, sender.algorithm)
    [seen] = recorder.seen
    assert (PATH, "fmt=3") == (seen.path, seen.query)
    shown = [repr(sender), repr(emulator.callbacks), sender.url, seen.path, seen.query]
    assert [] == [text for text in shown if SECRET in text]
    assert SECRET.encode() not in seen.body
    assert b'"sha1": "' in seen.body  # signed all the same


# -- threads and loops ------------------------------------------------------------------


def test_replies_from_another_thread_are_posted_from_the_served_emulators_loop() -> None:
    """``outbox.receive`` in the test's thread beside a served emulator is posted at once."""
    events: list[CallbackEvent] = []
    first, second = threading.Event(), threading.Event()

    async def take(event: CallbackEvent) -> None:
        events.append(event)
        replies = sum(isinstance(e, IncomingMessage) for e in events)
        (first if replies == 1 else second).set()

    app = Starlette()
    app.add_route(PATH, callback_endpoint(take), methods=["POST"])
    emulator = Emulator(
        start=EMULATOR_START, minute=0.6, callback_url=URL
    )  # an emulated second is 10 ms
    sender = sender_of(emulator)
    sender.transport = httpx.ASGITransport(app)
    with serving_in_thread(emulator) as base_url:
        # serving_in_thread binds the sender to the server's loop: no request needed first.
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, "before")
        assert first.wait(WAIT)
        form = {"login": DEFAULT_LOGIN, "psw": DEFAULT_PASSWORD, "phones": OTHER, "fmt": "3"}
        answer = httpx.post(f"{base_url}send.php", data={**form, "mes": "Hi"}, timeout=WAIT)
        assert 200 == answer.status_code
        assert "id" in answer.json()
        after = emulator.outbox.receive(DEFAULT_LOGIN, PHONE, "after")
        assert second.wait(WAIT)
    replies_seen = [e.message for e in events if isinstance(e, IncomingMessage)]
    assert ["before", "after"] == replies_seen
    took = [d.event for d in sender.deliveries if isinstance(d.event, IncomingMessage)]
    assert Counter(took) == Counter(e for e in events if isinstance(e, IncomingMessage))
    # Stamped on the served emulator's clock: after the message it answers, not hours before.
    sent_wall = emulator.outbox.entries[0].sent_wall
    assert sent_wall <= after.received_wall < sent_wall + dt.timedelta(days=1)


@pytest.mark.looptime
async def test_aclose_cancels_the_status_changes_still_to_come() -> None:
    """After ``aclose`` a message's coming changes are never reported, however long one waits."""
    events: list[CallbackEvent] = []
    async with calling_back(receiver(events)) as (emulator, sender):
        async with emulator.client() as smsc:
            await smsc.messages.send([PHONE, OTHER], "Hi")
        timers = list(sender._timers.values())
        await emulator.aclose()
        await sleep_until(60.0)
    assert 4 == len(timers)
    assert all(t.cancelled() for t in timers)
    assert ([], []) == (sender.deliveries, events)


def test_the_sender_works_again_on_a_new_loop_after_aclose() -> None:
    """Closed on one event loop, the sender posts the next message's reports from another."""
    events: list[CallbackEvent] = []
    emulator = Emulator(
        start=EMULATOR_START, minute=0.06, callback_url=URL
    )  # an emulated second is a millisecond
    sender = sender_of(emulator)
    sender.transport = httpx.ASGITransport(receiver(events))

    async def send(text: str, *, drain: bool) -> str:
        async with emulator.client() as smsc:
            sent = await smsc.messages.send(PHONE, text)
        if drain:
            await sender.drain()
        await emulator.aclose()
        return sent.id

    emulator.messages.handover_after = emulator.messages.deliver_after = 600.0  # 0.6 s away
    first = on_a_new_loop(send("first", drain=False))
    emulator.messages.handover_after, emulator.messages.deliver_after = 1.0, 5.0
    second = on_a_new_loop(send("second", drain=True))
    assert [] == [r for r in reports(sender) if r.id == first]  # its timers were cancelled
    posted = Counter((e.id, int(e.status)) for e in events if isinstance(e, DeliveryReport))
    assert Counter([(second, 0), (second, 1)]) == posted


def test_aclose_after_the_senders_loop_is_closed_lets_go_quietly() -> None:
    """``aclose`` on a later loop, the sender's own loop closed since, lets go; posting resumes."""
    events: list[CallbackEvent] = []
    emulator = Emulator(start=EMULATOR_START, minute=0.06, callback_url=URL)
    sender = sender_of(emulator)
    sender.transport = httpx.ASGITransport(receiver(events))

    async def reply() -> None:
        emulator.outbox.receive(DEFAULT_LOGIN, PHONE, "first")
        await sender.drain()

    on_a_new_loop(reply())  # no aclose: the loop's end cancels the workers
    on_a_new_loop(emulator.aclose())
    on_a_new_loop(reply())
    on_a_new_loop(emulator.aclose())
    assert ["first", "first"] == [e.message for e in events if isinstance(e, IncomingMessage)]
    assert [True, True] == [d.delivered for d in sender.deliveries]
