"""No password or API key in any URL, log line (httpx and httpcore included), repr or error."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from smsc_async import (
    AuthError,
    Format,
    ParseError,
    SmscClient,
    SmscError,
    TransportError,
    ValidationError,
)
from tests._support import APIKEY, PASSWORD, make_client

SECRETS = (PASSWORD, APIKEY)


class LoopbackServer:
    """A minimal HTTP/1.1 server on 127.0.0.1 answering each POST with the next canned body.

    It exists so httpx and httpcore run their real connection code (and its DEBUG logging)
    with no network beyond loopback.
    """

    def __init__(self, bodies: list[bytes]) -> None:
        self.bodies = bodies
        self.requests: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                self.requests.append(head + body)
                reply = self.bodies.pop(0)
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(reply), reply)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            writer.close()
            await writer.wait_closed()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/sys/"


@pytest.fixture
async def loopback() -> AsyncIterator[Callable[[list[bytes]], Any]]:
    servers: list[LoopbackServer] = []

    async def start(bodies: list[bytes]) -> LoopbackServer:
        server = LoopbackServer(bodies)
        server.server = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        servers.append(server)
        return server

    yield start
    for server in servers:
        assert server.server is not None
        server.server.close()
        await server.server.wait_closed()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def _everything_about(exc: BaseException) -> str:
    parts = [str(exc), repr(exc), repr(exc.args)]
    parts += [f"{k}={v!r}" for k, v in vars(exc).items()]
    if exc.__context__ is not None:
        parts.append(_everything_about(exc.__context__))
    if exc.__cause__ is not None:
        parts.append(_everything_about(exc.__cause__))
    return "\n".join(parts)


@pytest.mark.parametrize("auth", ["password", "apikey"])
async def test_debug_logs_errors_and_reprs_hold_no_secret(
    loopback: Any, caplog: pytest.LogCaptureFixture, auth: str
) -> None:
    """Over a real loopback connection at DEBUG, nothing shown anywhere holds a secret."""
    caplog.set_level(logging.DEBUG)  # root: smsc_async, httpx, httpcore all propagate here
    server = await loopback(
        [
            b'[{"sender": "shop", "id": 1}]',
            b'{"error": "authorise error", "error_code": 2}',
            b"<html>bad gateway</html>",
        ]
    )
    options: dict[str, Any] = (
        {"apikey": APIKEY, "login": None, "password": None} if auth == "apikey" else {}
    )
    shown: list[str] = []
    async with make_client(Format.JSON, base_url=server.base_url, **options) as smsc:
        shown += [repr(smsc), repr(smsc.config), str(smsc.config)]
        names = await smsc.senders.list()
        shown.append(repr(names))
        with pytest.raises(AuthError) as auth_error:
            await smsc.senders.add("shop")
        with pytest.raises(ParseError) as parse_error:
            await smsc.tariffs.get()
        with pytest.raises(ValidationError) as validation_error:
            await smsc.senders.list(cnt=0)
    # One attempt: a refused connection is retried after real backoff sleeps otherwise.
    dead = make_client(base_url=f"http://127.0.0.1:{_free_port()}/sys/", retries=0, **options)
    with pytest.raises(TransportError) as transport_error:
        await dead.tariffs.get()
    await dead.aclose()

    assert len(server.requests) == 3
    secret = APIKEY if auth == "apikey" else PASSWORD
    # The secret did travel, in the body, never in the request line.
    for request in server.requests:
        request_line = request.split(b"\r\n", 1)[0].decode()
        assert request_line.startswith("POST /sys/")
        assert "?" not in request_line
        assert secret.encode() in request.split(b"\r\n\r\n", 1)[1]
    assert any(r.name.startswith("httpcore") for r in caplog.records), "httpcore did not log"
    assert any(r.name == "smsc_async" for r in caplog.records)
    for excinfo in (auth_error, parse_error, validation_error, transport_error):
        exc: SmscError = excinfo.value
        shown.append(_everything_about(exc))
    shown += [r.getMessage() for r in caplog.records]
    shown.append(caplog.text)
    assert_no_secret("\n".join(shown))


def test_validation_messages_never_echo_a_bad_secret() -> None:
    """A rejected password is named as a field, never quoted."""
    with pytest.raises(ValidationError) as excinfo:
        SmscClient(login="alex", password=PASSWORD, apikey=APIKEY)
    assert excinfo.value.fields == ("apikey",)
    assert_no_secret(_everything_about(excinfo.value))
