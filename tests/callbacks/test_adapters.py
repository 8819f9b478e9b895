"""The framework adapters verify, parse, hand over and answer, in process, per framework.

Each test runs against every adapter: Starlette and FastAPI through ``httpx.ASGITransport``,
aiohttp through its test server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import quote_plus

import fastapi
import httpx
import pytest
import yarl
from aiohttp import test_utils, web
from starlette.applications import Starlette

from smsc_async import MessageStatus
from smsc_async.callbacks import (
    MAX_BYTES,
    CallbackEvent,
    DeliveryReport,
    IncomingMessage,
    render,
)
from smsc_async.callbacks.aiohttp import callback_handler
from smsc_async.callbacks.starlette import callback_endpoint

MSK = dt.timezone(dt.timedelta(hours=3))
AT = dt.datetime(2026, 12, 7, 15, 53, 42, tzinfo=MSK)
SECRET = "zxc-very-secret"
PATH = "/smsc/callback"
REPORT = DeliveryReport(id="17", phone="79991234567", status=MessageStatus.DELIVERED, time=AT)
REPLY = IncomingMessage(phone="79991234567", message="Да, пожалуйста", to_phone="79001112233")


class Call(Protocol):
    async def __call__(
        self, body: bytes, content_type: str | None, *, query: str = "", method: str = "POST"
    ) -> tuple[int, str]: ...


Serve = Callable[..., Awaitable[Call]]


async def _asgi_call(app: Any) -> Call:
    transport = httpx.ASGITransport(app=app)

    async def call(
        body: bytes, content_type: str | None, *, query: str = "", method: str = "POST"
    ) -> tuple[int, str]:
        headers = {"content-type": content_type} if content_type else {}
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            url = PATH + (f"?{query}" if query else "")
            answer = await client.request(method, url, content=body or None, headers=headers)
        return answer.status_code, answer.text

    return call


async def _starlette(handler: Any, **options: Any) -> Call:
    app = Starlette()
    app.add_route(PATH, callback_endpoint(handler, **options), methods=["POST", "GET"])
    return await _asgi_call(app)


async def _fastapi(handler: Any, **options: Any) -> Call:
    app = fastapi.FastAPI()
    app.add_api_route(PATH, callback_endpoint(handler, **options), methods=["POST", "GET"])
    return await _asgi_call(app)


@pytest.fixture(params=["starlette", "fastapi", "aiohttp"])
async def serve(request: pytest.FixtureRequest) -> AsyncIterator[Serve]:
    """Build an app around an adapter with the given handler and options; give its caller."""
    if request.param != "aiohttp":
        yield {"starlette": _starlette, "fastapi": _fastapi}[request.param]
        return
    clients: list[test_utils.TestClient[web.Request, web.Application]] = []

    async def serve_aiohttp(handler: Any, **options: Any) -> Call:
        app = web.Application()
        endpoint = callback_handler(handler, **options)
        app.router.add_route("POST", PATH, endpoint)
        app.router.add_route("GET", PATH, endpoint)
        client = test_utils.TestClient(test_utils.TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)

        async def call(
            body: bytes, content_type: str | None, *, query: str = "", method: str = "POST"
        ) -> tuple[int, str]:
            headers = {"Content-Type": content_type} if content_type else {}
            url = PATH + (f"?{query}" if query else "")
            # The query is sent as written (already percent-encoded in its charset).
            async with client.request(
                method, yarl.URL(url, encoded=True), data=body or None, headers=headers
            ) as answer:
                return answer.status, await answer.text()

        return call

    yield serve_aiohttp
    for client in clients:
        await client.close()


class Recorder:
    """An async handler that keeps what it was given."""

    def __init__(self) -> None:
        self.events: list[CallbackEvent] = []

    async def __call__(self, event: CallbackEvent) -> None:
        self.events.append(event)


async def test_a_signed_report_reaches_the_async_callback(serve: Serve) -> None:
    """A report signed with the secret reaches the handler, and the answer is 200 OK."""
    seen = Recorder()
    call = await serve(seen, secret=SECRET, algorithm="sha1")
    body, content_type = render(REPORT, secret=SECRET, algorithm="sha1")
    assert (200, "OK") == await call(body, content_type)
    assert [REPORT] == seen.events


async def test_a_signed_report_reaches_a_queue(serve: Serve) -> None:
    """With a queue as the handler, the event is put in it."""
    queue: asyncio.Queue[CallbackEvent] = asyncio.Queue()
    call = await serve(queue, secret=SECRET)
    body, content_type = render(REPORT, secret=SECRET)
    assert (200, "OK") == await call(body, content_type)
    assert REPORT == queue.get_nowait()


async def test_a_full_queue_is_answered_503(serve: Serve) -> None:
    """A bounded queue that is full takes nothing, and SMSC is told to come back (503)."""
    queue: asyncio.Queue[CallbackEvent] = asyncio.Queue(maxsize=1)
    queue.put_nowait(REPLY)
    call = await serve(queue)
    status, _ = await call(*render(REPORT))
    assert 503 == status
    assert [REPLY] == [queue.get_nowait()]


async def test_a_forged_signature_is_refused_and_nothing_handed_over(serve: Serve) -> None:
    """A request signed with another secret gets 403, and the handler sees nothing."""
    seen = Recorder()
    call = await serve(seen, secret=SECRET, algorithm="sha1")
    body, content_type = render(REPORT, secret="guess", algorithm="sha1")
    status, text = await call(body, content_type)
    assert 403 == status
    assert SECRET not in text
    assert "sha1=" not in text
    assert [] == seen.events


async def test_a_missing_signature_is_refused(serve: Serve) -> None:
    """With a secret configured, an unsigned request gets 403."""
    seen = Recorder()
    call = await serve(seen, secret=SECRET)
    assert 403 == (await call(*render(REPORT)))[0]
    assert [] == seen.events


@pytest.mark.parametrize(
    ("body", "word"),
    [
        (b"phone=79991234567&status=1", "id"),
        (b"id=17&phone=79991234567&status=delivered", "status"),
        (b"id=17&colour=blue", "kind"),
    ],
    ids=["missing-field", "non-numeric-status", "unknown-kind"],
)
async def test_bad_input_is_answered_400(serve: Serve, body: bytes, word: str) -> None:
    """A missing field, a non-numeric status or an unknown kind gets 400, naming the problem."""
    seen = Recorder()
    call = await serve(seen)
    status, text = await call(body, "application/x-www-form-urlencoded")
    assert 400 == status
    assert word in text
    assert [] == seen.events


async def test_an_oversized_body_is_answered_413(serve: Serve) -> None:
    """A body over ``max_bytes`` gets 413 and is not parsed."""
    seen = Recorder()
    call = await serve(seen, max_bytes=100)
    status, _ = await call(b"id=17&phone=1&status=1&pad=" + b"x" * 200, None)
    assert 413 == status
    assert [] == seen.events


async def test_the_default_cap_is_the_parsers(serve: Serve) -> None:
    """Without ``max_bytes``, a body one byte over MAX_BYTES gets 413."""
    call = await serve(Recorder())
    assert 413 == (await call(b"x" * (MAX_BYTES + 1), None))[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_json_and_xml_bodies_are_read(serve: Serve, fmt: Any) -> None:
    """A signed JSON or XML body is read to the same event."""
    seen = Recorder()
    call = await serve(seen, secret=SECRET, algorithm="sha1")
    body, content_type = render(REPLY, fmt=fmt, secret=SECRET, algorithm="sha1")
    assert (200, "OK") == await call(body, content_type)
    assert [REPLY] == seen.events


async def test_a_bare_json_body_takes_its_shape_from_the_urls_fmt(serve: Serve) -> None:
    """With no telling content type, ``fmt=3`` in the URL means JSON."""
    seen = Recorder()
    call = await serve(seen)
    body, _ = render(REPORT, fmt="json")
    assert (200, "OK") == await call(body, None, query="fmt=3")
    assert [REPORT] == seen.events


async def test_a_koi8r_form_with_cyrillic_is_read(serve: Serve) -> None:
    """A koi8-r form body, its charset named only in the URL, gives the Cyrillic text back."""
    seen = Recorder()
    call = await serve(seen, secret=SECRET)
    body, _ = render(REPLY, charset="koi8-r", secret=SECRET)
    status, _ = await call(body, "application/x-www-form-urlencoded", query="charset=koi8-r")
    assert 200 == status
    assert [REPLY] == seen.events


async def test_a_get_carries_its_fields_in_the_query(serve: Serve) -> None:
    """A GET's query string is its fields; the URL's own ``charset`` is not one of them."""
    seen = Recorder()
    call = await serve(seen, secret=SECRET)
    body, _ = render(REPLY, charset="koi8-r", secret=SECRET)
    query = "charset=koi8-r&" + body.decode("ascii")
    assert (200, "OK") == await call(b"", None, query=query, method="GET")
    assert [REPLY] == seen.events


async def test_the_urls_secret_is_not_read_as_a_field(serve: Serve) -> None:
    """A secret written in the URL's query does not sign the request for its sender."""
    seen = Recorder()
    call = await serve(seen, secret=SECRET)
    status, _ = await call(*render(REPORT), query=f"md5={quote_plus(SECRET)}")
    assert 403 == status
    assert [] == seen.events


async def test_a_duplicate_delivery_has_the_same_dedupe_key(serve: Serve) -> None:
    """The same report delivered twice (form, then JSON) reaches the handler with one key."""
    seen = Recorder()
    call = await serve(seen, secret=SECRET)
    for fmt in ("form", "json"):
        assert 200 == (await call(*render(REPORT, fmt=fmt, secret=SECRET)))[0]
    assert 2 == len(seen.events)
    assert seen.events[0].dedupe_key == seen.events[1].dedupe_key


async def test_a_handler_that_raises_is_answered_500_and_logged(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    """A failing handler gets 500 (so SMSC may retry), logged without the secret or body."""

    async def broken(event: CallbackEvent) -> None:
        raise RuntimeError("database down")

    call = await serve(broken, secret=SECRET, algorithm="sha1")
    body, content_type = render(REPORT, secret=SECRET, algorithm="sha1")
    with caplog.at_level(logging.WARNING, logger="smsc_async"):
        status, text = await call(body, content_type)
    assert (500, "handler failed") == (status, text)
    [record] = [r for r in caplog.records if r.name == "smsc_async"]
    assert REPORT.dedupe_key in record.getMessage()
    assert "database down" in caplog.text  # the traceback is there
    signature = body.decode().rpartition("sha1=")[2]
    assert SECRET not in caplog.text
    assert signature not in caplog.text


async def test_bad_input_logs_no_secret(serve: Serve, caplog: pytest.LogCaptureFixture) -> None:
    """A refused request is logged as a warning quoting neither the secret nor the signature."""
    call = await serve(Recorder(), secret=SECRET, algorithm="sha1")
    body, content_type = render(REPORT, secret="guess", algorithm="sha1")
    with caplog.at_level(logging.WARNING, logger="smsc_async"):
        await call(body, content_type)
    assert "signature" in caplog.text
    assert SECRET not in caplog.text
    assert body.decode().rpartition("sha1=")[2] not in caplog.text


@pytest.mark.parametrize("factory", [callback_endpoint, callback_handler])
def test_a_misconfiguration_fails_when_the_endpoint_is_built(factory: Any) -> None:
    """An unknown algorithm, crc32 without the opt-in, or a zero cap raise at once."""
    with pytest.raises(ValueError, match="algorithm"):
        factory(Recorder(), secret=SECRET, algorithm="sha256")
    with pytest.raises(ValueError, match="crc32"):
        factory(Recorder(), secret=SECRET, algorithm="crc32")
    with pytest.raises(ValueError, match="max_bytes"):
        factory(Recorder(), max_bytes=0)
    factory(Recorder(), secret=SECRET, algorithm="crc32", allow_crc32=True)
