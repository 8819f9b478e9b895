"""The transport-sensitive behaviour, the same on every HTTP stack (real loopback HTTP).

Each test runs three times: the stack's own pool (httpx, or httpx2 under ``nox -s
tests_httpx2``), aiohttp behind it (``http="aiohttp"``), and a caller's own
``httpx2.AsyncClient``. Faults, timeouts, cancellation, the concurrency cap, the reply size
cap, send safety and secrets must not depend on which one carries the bytes.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import attrs
import pytest

from smsc_async import (
    Format,
    MaybeAppliedError,
    ParseError,
    SmscClient,
    TransportError,
    ValidationError,
)
from smsc_async.events import Event, Retry
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving

try:
    import httpx2
except ImportError:  # Python 3.10: httpx2 needs 3.11
    httpx2 = None  # type: ignore[assignment]

needs_httpx2 = pytest.mark.skipif(httpx2 is None, reason="httpx2 needs Python >= 3.11")
STACKS = ["own-pool", "aiohttp", pytest.param("httpx2-client", marks=needs_httpx2)]

Connect = Callable[..., Any]


@pytest.fixture(params=STACKS)
def connect(request: pytest.FixtureRequest) -> Connect:
    """A factory of clients of the default account at a base URL, on one stack."""
    owned: list[Any] = []

    @asynccontextmanager
    async def make(base_url: str, **options: Any) -> AsyncIterator[SmscClient]:
        options.setdefault("timeout", 10)
        if request.param == "aiohttp":
            options["http"] = "aiohttp"
        elif request.param == "httpx2-client":
            assert httpx2 is not None
            http = httpx2.AsyncClient()
            owned.append(http)
            options["http_client"] = http
        client = SmscClient(
            base_url=base_url, login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, **options
        )
        try:
            async with client:
                yield client
        finally:
            for http in owned:
                await http.aclose()

    return make


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_every_format_reads_and_writes(connect: Connect, fmt: Format) -> None:
    """A change and the reads after it decode the same, whatever carries them."""
    emulator = Emulator()
    async with serving(emulator) as base_url, connect(base_url, fmt=fmt) as smsc:
        await smsc.senders.add("shop")
        assert ["shop"] == [s.sender for s in await smsc.senders.list(all=True)]
        assert (await smsc.balance()).balance > 0
        assert (await smsc.tariffs.get()).zones


async def test_a_refused_connection_was_never_sent_and_is_retried(connect: Connect) -> None:
    """Nothing listens: request_sent is False (safe to repeat), so even a change is retried."""
    events: list[Event] = []
    base_url = f"http://127.0.0.1:{closed_port()}/sys/"
    async with connect(base_url, retries=2, on_event=events.append) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.senders.add("shop")
    assert (False, None) == (caught.value.request_sent, caught.value.status_code)
    assert ["transport error before sending"] * 2 == [
        e.reason for e in events if isinstance(e, Retry)
    ]


async def test_a_lost_answer_to_a_change_is_not_repeated(connect: Connect) -> None:
    """The server applied it and dropped the answer: MaybeAppliedError after one request."""
    emulator = Emulator()
    emulator.faults.reset("senders.add")
    async with serving(emulator) as base_url, connect(base_url) as smsc:
        with pytest.raises(MaybeAppliedError) as caught:
            await smsc.senders.add("shop")
        assert caught.value.request_sent
        assert ["shop"] == [s.sender for s in await smsc.senders.list(all=True)]
    assert ["senders.add", "senders.get"] == [x.command for x in emulator.traffic]


@asynccontextmanager
async def hanging_up() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A server on 127.0.0.1 that reads each request whole, then closes without a word.

    A real server may do this after carrying the request out (a crash, a proxy timing
    out), so the client must count such a request as sent.
    """
    seen: list[bytes] = []

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        seen.append(head + await reader.readexactly(length))
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/sys/", seen


async def test_a_connection_closed_without_an_answer_may_have_been_applied(
    connect: Connect,
) -> None:
    """The server read the change and hung up: sent, not repeated, MaybeAppliedError.

    (httpx-aiohttp alone calls this a connect timeout, "never sent", and a retry would
    repeat the change: the SDK maps aiohttp's own exception instead.)
    """
    async with hanging_up() as (base_url, seen), connect(base_url) as smsc:
        with pytest.raises(MaybeAppliedError) as caught:
            await smsc.senders.add("shop")
    assert caught.value.request_sent
    assert 1 == len(seen)
    assert b"sender=shop" in seen[0]


async def test_a_dropped_connection_before_processing_is_asked_again_for_a_read(
    connect: Connect,
) -> None:
    """No HTTP answer at all to a read: retried on a fresh connection, and it succeeds."""
    emulator = Emulator()
    emulator.faults.reset("get.get_price", after=False)
    events: list[Event] = []
    async with serving(emulator) as base_url, connect(base_url, on_event=events.append) as smsc:
        assert (await smsc.tariffs.get()).zones
    assert 1 == sum(isinstance(e, Retry) for e in events)


async def test_an_error_page_carries_its_status(connect: Connect) -> None:
    """A 502 page is a TransportError with status 502, the request counted as sent."""
    emulator = Emulator()
    emulator.faults.bad_gateway()
    async with serving(emulator) as base_url, connect(base_url, retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.tariffs.get()
    assert (True, 502) == (caught.value.request_sent, caught.value.status_code)


async def test_a_truncated_body_is_a_parse_error(connect: Connect, fmt: Format) -> None:
    """An answer cut short (announced length not met, or half a document) never decodes."""
    emulator = Emulator()
    emulator.faults.truncate("get.get_price")
    async with serving(emulator) as base_url, connect(base_url, fmt=fmt, retries=0) as smsc:
        with pytest.raises((ParseError, TransportError)):
            await smsc.tariffs.get()
        assert (await smsc.balance()).balance > 0  # the pool is still usable


async def test_a_slow_body_still_decodes(connect: Connect) -> None:
    """A body arriving in pauses is read to its end."""
    emulator = Emulator()
    emulator.faults.slow_body("get.get_price", delay=0.05)
    async with serving(emulator) as base_url, connect(base_url) as smsc:
        assert (await smsc.tariffs.get()).zones


async def test_a_read_slower_than_the_timeout_is_given_up_on_and_asked_again(
    connect: Connect,
) -> None:
    """``timeout`` bounds the caller's wait on any stack; the read is asked once more."""
    emulator = Emulator()
    emulator.faults.slow_body("get.get_price", delay=0.6)  # 1.8 s of body, once
    events: list[Event] = []
    async with (
        serving(emulator) as base_url,
        connect(base_url, timeout=0.4, on_event=events.append) as smsc,
    ):
        assert (await smsc.tariffs.get()).zones
    assert ["transport error after sending"] == [e.reason for e in events if isinstance(e, Retry)]
    assert 2 == len(emulator.traffic)


async def test_the_concurrency_cap_holds(connect: Connect) -> None:
    """40 distinct reads at once with a cap of 4: exactly 4 in flight at the server."""
    emulator = Emulator(latency=0.05)
    async with serving(emulator) as base_url, connect(base_url, max_concurrency=4) as smsc:
        lists = await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(1, 41)))
    assert 40 == len(lists)
    assert 4 == emulator.peak_in_flight()
    assert [] == emulator.violations


async def test_a_cancelled_caller_gets_its_cancellation_and_the_client_goes_on(
    connect: Connect,
) -> None:
    """Cancelling calls mid-request leaves no broken connection and no slot held forever."""
    emulator = Emulator(latency=0.3)
    async with serving(emulator) as base_url, connect(base_url, max_concurrency=3) as smsc:
        waiting = [asyncio.create_task(smsc.senders.list(cnt=k)) for k in range(1, 7)]
        await asyncio.sleep(0.1)
        for task in waiting:
            task.cancel()
        outcomes = await asyncio.gather(*waiting, return_exceptions=True)
        assert all(isinstance(o, asyncio.CancelledError) for o in outcomes)
        lists = await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(7, 13)))
        assert 6 == len(lists)
    assert emulator.peak_in_flight() <= 3


async def test_an_answer_over_the_size_cap_is_cut_and_the_pool_stays_sound(
    connect: Connect,
) -> None:
    """A reply past max_reply_bytes is a ParseError; the next call reads cleanly."""
    emulator = Emulator()
    async with serving(emulator) as base_url, connect(base_url, max_reply_bytes=200) as smsc:
        with pytest.raises(ParseError, match="max_reply_bytes=200"):
            await smsc.tariffs.get()
        for _ in range(3):
            assert (await smsc.balance()).balance > 0


@attrs.define
class Recorder:
    """An ASGI app in front of the emulator that keeps each request's target and body."""

    app: Emulator
    targets: list[str] = attrs.Factory(list)
    bodies: list[bytes] = attrs.Factory(list)

    async def __call__(
        self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Any
    ) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.targets.append(scope["path"] + "?" + scope["query_string"].decode())
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        self.bodies.append(body)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return await receive()  # type: ignore[no-any-return]
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return await self.app(scope, replay, send)


async def test_credentials_travel_in_the_body_only(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    """The password is in every body, never in a request target, a log line or an error."""
    recorder = Recorder(Emulator())
    caplog.set_level(logging.DEBUG)
    async with (
        serving(recorder) as base_url,  # type: ignore[arg-type]
        connect(base_url) as smsc,
    ):
        await smsc.senders.add("shop")
        await smsc.tariffs.get()
    async with connect(f"http://127.0.0.1:{closed_port()}/sys/", retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.balance()
    assert 2 == len(recorder.bodies)
    assert all(f"psw={DEFAULT_PASSWORD}".encode() in body for body in recorder.bodies)
    assert not [t for t in recorder.targets if DEFAULT_PASSWORD in t]
    assert DEFAULT_PASSWORD not in caplog.text
    assert DEFAULT_PASSWORD not in f"{caught.value} {caught.value!r}"


@pytest.mark.parametrize("http", ["default", "aiohttp"])
def test_one_client_serves_one_event_loop_after_another(http: str) -> None:
    """asyncio.run() twice: each loop gets its own pool, closed when that loop ends."""
    from smsc_async.testing import serving_in_thread  # noqa: PLC0415

    emulator = Emulator()
    with serving_in_thread(emulator) as base_url:
        smsc = SmscClient(
            base_url=base_url,
            login=DEFAULT_LOGIN,
            password=DEFAULT_PASSWORD,
            timeout=10,
            http=http,  # type: ignore[arg-type]
        )

        async def once(k: int) -> int:
            return len(await smsc.senders.list(cnt=k))

        assert [0, 0] == [asyncio.run(once(1)), asyncio.run(once(2))]

        async def close() -> None:
            await smsc.aclose()

        asyncio.run(close())
    assert 2 == len(emulator.traffic)


async def test_the_aiohttp_engine_really_sends_through_aiohttp() -> None:
    """``http="aiohttp"``: the loop's pool is an aiohttp session, closed with the client."""
    from smsc_async._aiohttp import AioHttpTransport  # noqa: PLC0415

    emulator = Emulator()
    async with serving(emulator) as base_url:
        smsc = SmscClient(
            base_url=base_url, login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, http="aiohttp"
        )
        async with smsc:
            await smsc.balance()
            pool = smsc._transport._pools[asyncio.get_running_loop()].http
            engine = pool._transport
            assert isinstance(engine, AioHttpTransport)
            session = engine.client
            assert isinstance(session, aiohttp.ClientSession)
        assert session.closed


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"http": "curl"}, "http: must be one of 'default', 'aiohttp', got 'curl'"),
        (
            {"http": "aiohttp", "transport": Emulator().transport()},
            "'aiohttp' is for the client's own pools: not with http_client or transport",
        ),
    ],
)
def test_a_bad_engine_choice_is_refused_before_anything_is_sent(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        SmscClient(login="alex", password="secret", **options)
    assert message in str(caught.value)


def test_aiohttp_without_its_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Like openai's DefaultAioHttpClient: the missing extra fails at construction."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "httpx_aiohttp" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with pytest.raises(ValidationError, match=r"pip install 'smsc_async\[aiohttp\]'"):
        SmscClient(login="alex", password="secret", http="aiohttp")


STACK_RUN = """
import asyncio, sys
import smsc_async.http
from smsc_async import SmscClient
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving

async def main():
    emulator = Emulator()
    async with emulator.client() as smsc:  # in process, through the emulator's transport
        in_process = (await smsc.balance()).balance
    async with serving(emulator) as base_url:
        for http in ("default", "aiohttp"):
            async with SmscClient(
                base_url=base_url, login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, http=http
            ) as smsc:
                await smsc.senders.add("s" + http[:5])
                pool = smsc._transport._pools[asyncio.get_running_loop()].http
                print(http, type(pool).__module__.partition(".")[0])
    print("stack", smsc_async.http.httpx.__name__, in_process > 0)
    print("requests", len(emulator.traffic))

asyncio.run(main())
"""


@needs_httpx2
def test_smsc_http_stack_makes_httpx2_the_sdks_own_stack() -> None:
    """SMSC_HTTP_STACK=httpx2, no alias: the SDK's pools, transports and errors are httpx2's."""
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", STACK_RUN],
        env={**os.environ, "SMSC_HTTP_STACK": "httpx2"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    assert ["default httpx2", "aiohttp httpx2", "stack httpx2 True", "requests 3"] == (
        done.stdout.split("\n")[:-1]
    )


def test_an_unknown_stack_name_fails_the_import_naming_the_variable() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from smsc_async import SmscClient"],
        env={**os.environ, "SMSC_HTTP_STACK": "requests"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert 0 != done.returncode
    assert "SMSC_HTTP_STACK='requests': the HTTP stack must be one of" in done.stderr
