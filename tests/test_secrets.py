"""No password or API key in any URL, log line (httpx and httpcore included), repr or error."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import pickle
import socket
import traceback
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qsl

import attrs
import cattrs
import httpx
import pytest
import respx
from click.testing import CliRunner

from smsc_async import (
    AuthError,
    DeadlineTooShortError,
    Format,
    ParametersError,
    ParseError,
    SmscClient,
    SmscError,
    TransportError,
    ValidationError,
)
from smsc_async._secret import Secret
from smsc_async.cli import main
from smsc_async.testing import serving_in_thread
from tests._support import APIKEY, LOGIN, PASSWORD, make_client, posted_form

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
    """The exception's text, repr, args and attributes, and those of the chain it shows.

    A context raised ``from None`` is left out, as tracebacks and Sentry leave it out.
    """
    parts = [str(exc), repr(exc), repr(exc.args)]
    parts += [f"{k}={v!r}" for k, v in vars(exc).items()]
    if exc.__context__ is not None and not exc.__suppress_context__:
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


# -- redaction of answers that echo the request ------------------------------------------

# Values no Secret of this process holds: only the field-based redaction can hide them.
ECHOED = "Echo-S3cret-9x"
SUB_ECHOED = "Sub-Pass!9zq"

# Every shape a body may quote a credential field in.
ECHO_SHAPES = {
    "form": f"login=alex&psw={ECHOED}&fmt=3&charset=utf-8",
    "form-encoded-value": f"psw={ECHOED.replace('!', '%21')}%26more&login=alex",
    "form-in-a-url": f"next=%2Fsys%2Fsend.php%3Flogin%3Dalex%26psw%3D{ECHOED}%26fmt%3D3",
    "json": f'{{"login": "alex", "psw": "{ECHOED}", "fmt": 3}}',
    "json-cut": f'{{"login": "alex", "apikey": "{ECHOED}',
    "json-in-a-string": f'{{"error": "bad {{\\"psw\\": \\"{ECHOED}\\"}}", "x": 1}}',
    "xml": f"<request><login>alex</login><psw>{ECHOED}</psw></request>",
    "xml-attribute": f'<request login="alex" apikey="{ECHOED}"/>',
    "lines": f"login = alex, psw = {ECHOED}, fmt = 0",
    "html-input": f'<form><input name="psw" type="text" value="{ECHOED}"></form>',
    "html-table": f"<table><tr><td>psw</td><td>{ECHOED}</td></tr></table>",
    "html-text": f"<p>Password: {ECHOED}</p><p>login: alex</p>",
    "subclient": f"user=sub1&password={ECHOED}&pswc={SUB_ECHOED}&fio=x",
    "upper-case": f"LOGIN=alex&PSW={ECHOED}",
}


@pytest.mark.parametrize("body", list(ECHO_SHAPES.values()), ids=list(ECHO_SHAPES))
def test_a_parse_error_masks_every_credential_field_of_an_echo(body: str) -> None:
    """A ParseError quoting an echo of the request shows '***', in its text and attributes."""
    exc = ParseError(f"cannot read {body[:60]!r}", command="x", fmt=3, excerpt=body[:120])
    shown = _everything_about(exc)
    assert [] == [s for s in (ECHOED, SUB_ECHOED) if s in shown]
    assert "***" in exc.excerpt
    assert "***" in exc.reason


def test_a_deadline_error_shows_no_secret_in_its_text_repr_or_args() -> None:
    """Refused locally: str, repr and args mask a live secret, even one its reason named."""
    secret = Secret(PASSWORD)  # alive: its value is masked wherever it appears
    exc = DeadlineTooShortError(f"a window of {PASSWORD}", command="senders.add", retry_after=3.0)
    shown = [str(exc), repr(exc), repr(exc.args)]
    assert [False, False, False] == [PASSWORD in text for text in shown]
    assert [True, True, True] == ["a window of ***" in text for text in shown]
    assert "***" == str(secret)


def test_redaction_leaves_an_answer_without_credentials_as_it_was() -> None:
    """Bodies naming no credential field keep every character (they are what diagnoses)."""
    bodies = [
        '{"error": "authorise error", "error_code": 2}',
        "ERROR = 9 (duplicate request, wait a minute)",
        "<p>Wrong login or password</p>",
        "OK - 1 SMS, ID - 15",
    ]
    assert bodies == [ParseError("x", fmt=3, excerpt=b).excerpt for b in bodies]


async def test_the_clients_own_secret_is_masked_wherever_it_appears(
    router: respx.MockRouter,
) -> None:
    """An answer quoting the password under no field name still shows '***' (the literal)."""
    router.post("get.php").respond(text=f"<p>hello {PASSWORD}, your key is {APIKEY}</p>")
    async with (
        make_client(Format.JSON) as smsc,
        make_client(apikey=APIKEY, login=None, password=None),
    ):
        with pytest.raises(ParseError) as caught:
            await smsc.tariffs.get()
    assert_no_secret(_everything_about(caught.value))
    assert "***" in caught.value.excerpt


def _echo(request: httpx.Request) -> httpx.Response:
    """Answer with the posted form, credentials first, as an echoing proxy page would."""
    form = posted_form(request)
    fields = sorted(form.items(), key=lambda kv: kv[0] not in ("psw", "password", "pswc"))
    return httpx.Response(200, text="&".join(f"{k}={v}" for k, v in fields))


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f"fmt{int(f)}")
async def test_an_echoed_subclient_password_never_reaches_the_error(
    router: respx.MockRouter, fmt: Format
) -> None:
    """subclients.create answered by an echo: neither password appears in the error."""
    router.post("users.php").mock(side_effect=_echo)
    sub_password = "Sub1-Echoed!pw"
    async with make_client(fmt) as smsc:
        with pytest.raises(SmscError) as caught:  # unreadable, so it may have been applied
            await smsc.subclients.create("sub1", sub_password)
    shown = _everything_about(caught.value)
    assert [] == [s for s in (PASSWORD, sub_password) if s in shown]


async def test_an_api_error_description_echoing_psw_is_masked_in_error_and_log(
    router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """SMSC's error text quoting psw=... shows '***' in the ApiError and the DEBUG log."""
    caplog.set_level(logging.DEBUG, logger="smsc_async")
    router.post("get.php").respond(
        text=f'{{"error": "bad request login=alex&psw={ECHOED}", "error_code": 1}}'
    )
    async with make_client(Format.JSON) as smsc:
        with pytest.raises(ParametersError) as caught:
            await smsc.tariffs.get()
    assert ECHOED not in _everything_about(caught.value)
    assert "psw=***" in caught.value.message
    assert ECHOED not in caplog.text


async def test_a_transport_error_from_an_httpx_text_echoing_psw_is_masked(
    router: respx.MockRouter,
) -> None:
    """httpx's words about a broken answer (which may quote it) show '***' for psw."""
    router.post("get.php").mock(
        side_effect=httpx.RemoteProtocolError(f"illegal header line: b'psw={ECHOED}'")
    )
    async with make_client(Format.JSON) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.tariffs.get()
    assert ECHOED not in _everything_about(caught.value)
    assert "psw=***" in str(caught.value)


def test_the_command_line_shows_no_echoed_secret_on_stderr(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``smsc-async tariffs`` against a page echoing the request: no password on stderr."""

    async def echo_app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        form = dict(parse_qsl(body.decode()))
        page = f"<html><body>you sent psw={form.get('psw')} login={form.get('login')}</body>"
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": page.encode()})

    with serving_in_thread(echo_app) as base_url:  # type: ignore[arg-type]
        for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY"):
            monkeypatch.delenv(name, raising=False)
        env = {"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": PASSWORD, "SMSC_BASE_URL": base_url}
        result = CliRunner().invoke(main, ["tariffs", "--retries", "0"], env=env)
    assert 1 == result.exit_code, result.output
    assert "psw=***" in result.stderr
    assert PASSWORD not in result.output


# -- the secret itself: wrapped, masked, revealed at the last moment ---------------------


def test_a_secret_shows_as_stars_and_reveals_on_demand() -> None:
    """repr, str and format give '***'; reveal() the value; copies are the object itself."""
    secret = Secret("Wrapped-S3cret")
    assert ("Secret('***')", "***", "***") == (repr(secret), str(secret), f"{secret}")
    assert "Wrapped-S3cret" == secret.reveal()
    assert secret is copy.copy(secret)
    assert secret is copy.deepcopy(secret)
    assert Secret("Wrapped-S3cret") == pickle.loads(pickle.dumps(secret))  # noqa: S301
    assert secret != "Wrapped-S3cret"
    with pytest.raises(AttributeError):
        secret._value = "other"


@pytest.mark.parametrize("auth", ["password", "apikey"])
def test_the_config_as_a_dict_holds_no_plain_secret(auth: str) -> None:
    """attrs.asdict and cattrs' unstructure of the config keep Secret; JSON refuses it."""
    options: dict[str, Any] = (
        {"apikey": APIKEY, "login": None, "password": None} if auth == "apikey" else {}
    )
    smsc = make_client(**options)
    as_dict = attrs.asdict(smsc.config)
    unstructured = cattrs.Converter().unstructure(smsc.config)
    assert_no_secret(f"{as_dict}\n{unstructured}\n{smsc.config}")
    assert isinstance(as_dict["credentials"][auth], Secret)
    with pytest.raises(TypeError):
        json.dumps(as_dict)


def _client_for(auth: str) -> SmscClient:
    if auth == "apikey":
        return make_client(Format.JSON, apikey=APIKEY, login=None, password=None)
    return make_client(Format.JSON)


def _rendered_with_locals(exc: BaseException) -> str:
    """The traceback as a tool recording every frame's locals (Sentry) would keep it."""
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


@pytest.mark.parametrize("auth", ["password", "apikey"])
async def test_a_traceback_with_locals_holds_no_secret(router: respx.MockRouter, auth: str) -> None:
    """No frame of ours holds the secret in plain text: failed sends and bad answers alike."""
    router.post("get.php").mock(side_effect=httpx.ConnectError("refused"))
    router.post("senders.php").respond(text=f"<html>psw={PASSWORD}&apikey={APIKEY}</html>")
    # Made in a helper: this test's own frame, in the traceback too, holds no secret.
    async with _client_for(auth) as smsc:
        with pytest.raises(TransportError) as transport_error:
            await smsc.tariffs.get()
        with pytest.raises(ParseError) as parse_error:
            await smsc.senders.list()
    for caught in (transport_error, parse_error):
        rendered = _rendered_with_locals(caught.value)
        assert "form = " in rendered or caught is parse_error  # the frames' locals are there
        assert_no_secret(rendered)


async def test_the_body_still_carries_the_plain_secret(router: respx.MockRouter) -> None:
    """The password is wrapped in memory, revealed into the posted form: psw is the value."""
    route = router.post("senders.php").respond(text="[]")
    async with make_client(Format.JSON) as smsc:
        await smsc.senders.list()
    assert PASSWORD == posted_form(route.calls.last.request)["psw"]
