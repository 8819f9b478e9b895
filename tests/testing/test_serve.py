"""The emulator over real HTTP: uvicorn on 127.0.0.1 with a free port (real time, no looptime)."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from smsc_async import Format, Sender, SenderStatus, SmscClient, TransportError
from smsc_async.testing import (
    DEFAULT_APIKEY,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    Emulator,
    render_tariffs,
    serving,
    serving_in_thread,
)
from smsc_async.testing._serve import RedactSecrets
from smsc_async.testing._tariffs import DEFAULT_TARIFFS

QUERY = f"get_price=1&login={DEFAULT_LOGIN}&psw={DEFAULT_PASSWORD}&fmt=1"
ACCESS_FORMAT = '%s - "%s %s HTTP/%s" %d'  # uvicorn's access-log record


def port_of(base_url: str) -> int:
    port = urlsplit(base_url).port
    assert port is not None
    return port


def sdk(base_url: str, **options: object) -> SmscClient:
    """An SDK client of the default account over real loopback HTTP."""
    return SmscClient(
        base_url=base_url,
        login=DEFAULT_LOGIN,
        password=DEFAULT_PASSWORD,
        timeout=10,
        **options,  # type: ignore[arg-type]
    )


async def raw_exchange(port: int, request: str) -> tuple[str, dict[str, str], bytes]:
    """Write ``request`` on a fresh socket; the status line, headers and body answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request.encode("ascii"))
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}
    return status, headers, body


async def test_serving_yields_a_loopback_base_url() -> None:
    """``serving()`` binds 127.0.0.1 on a port of its choosing and yields the /sys/ base URL."""
    async with serving(Emulator()) as base_url:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/sys/", base_url)
        assert port_of(base_url) > 0


async def test_a_plain_get_answers_the_documented_fmt1_price_list() -> None:
    """``GET /sys/get.php?get_price=1&...&fmt=1`` over HTTP answers the price list's lines."""
    async with serving(Emulator()) as base_url, httpx.AsyncClient() as http:
        response = await http.get(f"{base_url}get.php?{QUERY}")
        async with sdk(base_url, fmt=Format.CSV) as smsc:
            decoded = await smsc.tariffs.get()
    assert 200 == response.status_code
    assert render_tariffs(Format.CSV, DEFAULT_TARIFFS).split("\n") == response.text.split("\n")
    assert DEFAULT_TARIFFS == decoded


async def test_an_absolute_uri_request_line_is_answered() -> None:
    """A request line with an absolute URI, as proxies send it, is answered like a path."""
    async with serving(Emulator()) as base_url:
        port = port_of(base_url)
        status, headers, body = await raw_exchange(
            port,
            f"GET http://127.0.0.1:{port}/sys/get.php?{QUERY} HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
        )
    assert "HTTP/1.1 200 OK" == status
    charset = headers["content-type"].rpartition("charset=")[2]
    assert render_tariffs(Format.CSV, DEFAULT_TARIFFS) == body.decode(charset)


async def test_a_path_request_line_on_a_raw_socket_is_answered() -> None:
    """The same request with an ordinary path request line gets the price list."""
    async with serving(Emulator()) as base_url:
        port = port_of(base_url)
        status, headers, body = await raw_exchange(
            port,
            f"GET /sys/get.php?{QUERY}&charset=utf-8 HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n",
        )
    assert ("HTTP/1.1 200 OK", "text/plain; charset=utf-8") == (status, headers["content-type"])
    assert render_tariffs(Format.CSV, DEFAULT_TARIFFS) == body.decode("utf-8")


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f"fmt{int(f)}")
async def test_the_sdk_works_over_loopback_in_every_format(fmt: Format) -> None:
    """An ``SmscClient`` pointed at the served emulator reads prices and manages names."""
    emulator = Emulator(approve_senders=True)
    async with serving(emulator) as base_url, sdk(base_url, fmt=fmt) as smsc:
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()
        new_id = await smsc.senders.add("shop")
        assert [Sender("shop", new_id, SenderStatus.ALLOWED)] == await smsc.senders.list(all=True)
        await smsc.senders.delete(id=new_id)
        assert [] == await smsc.senders.list(all=True)


async def test_the_apikey_works_over_loopback() -> None:
    """An API-key client is served as the default account."""
    emulator = Emulator()
    async with (
        serving(emulator) as base_url,
        SmscClient(base_url=base_url, apikey=DEFAULT_APIKEY, timeout=10) as smsc,
    ):
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()
    assert [(DEFAULT_LOGIN, "get.get_price", None)] == [
        (e.login, e.command, e.error_code) for e in emulator.traffic
    ]


async def test_a_reset_over_http_is_a_transport_error_after_the_change() -> None:
    """``faults.reset()`` over real HTTP drops the answer: a ``TransportError``, change applied."""
    emulator = Emulator()
    emulator.faults.reset("senders.add")
    async with serving(emulator) as base_url, sdk(base_url, retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.senders.add("shop")
        assert (True, None) == (caught.value.request_sent, caught.value.status_code)
        assert ["shop"] == [s.sender for s in await smsc.senders.list(all=True)]


async def test_a_reset_before_processing_over_http_drops_the_connection() -> None:
    """``reset(after=False)`` over HTTP closes the connection with no HTTP answer at all."""
    emulator = Emulator()
    emulator.faults.reset("senders.add", after=False)
    async with serving(emulator) as base_url, sdk(base_url, retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.senders.add("shop")
        assert [] == await smsc.senders.list(all=True)
    assert caught.value.status_code is None  # a dropped connection, not an error page


async def test_a_bad_gateway_over_http_is_http_502() -> None:
    """``bad_gateway()`` over real HTTP answers a 502 page the SDK reports with its status."""
    emulator = Emulator()
    emulator.faults.bad_gateway()
    async with serving(emulator) as base_url, sdk(base_url, retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.tariffs.get()
    assert 502 == caught.value.status_code


async def test_the_server_stops_when_the_block_ends() -> None:
    """Once the ``serving()`` block is over, connections to its port are refused."""
    async with serving(Emulator()) as base_url:
        port = port_of(base_url)
        _, writer = await asyncio.open_connection("127.0.0.1", port)  # listening now
        writer.close()
        await writer.wait_closed()
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", port)


async def test_serving_installs_the_redacting_filter_on_uvicorns_loggers() -> None:
    """While serving, uvicorn's access and error loggers carry a ``RedactSecrets`` filter."""
    async with serving(Emulator()):
        for name in ("uvicorn.access", "uvicorn.error"):
            filters = logging.getLogger(name).filters
            assert 1 == sum(isinstance(f, RedactSecrets) for f in filters), name


def access_record(path: str) -> logging.LogRecord:
    """A log record shaped like uvicorn's access-log line for a GET of ``path``."""
    return logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "h11_impl.py",
        1,
        ACCESS_FORMAT,
        ("127.0.0.1:50000", "GET", path, "1.1", 200),
        None,
    )


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        (
            f"/sys/get.php?get_price=1&login=demo&psw={DEFAULT_PASSWORD}&fmt=1",
            "/sys/get.php?get_price=1&login=demo&psw=***&fmt=1",
        ),
        (f"/sys/get.php?apikey={DEFAULT_APIKEY}", "/sys/get.php?apikey=***"),
        (
            "/sys/users.php?add=1&password=S3cret%26x&psw=p",
            "/sys/users.php?add=1&password=***&psw=***",
        ),
        ("/sys/get.php?PSW=Upper&get_price=1", "/sys/get.php?PSW=***&get_price=1"),
        ("/sys/get.php?get_price=1&login=demo", "/sys/get.php?get_price=1&login=demo"),
    ],
    ids=["psw", "apikey", "password", "upper-case", "no-secret"],
)
def test_redact_secrets_masks_credentials_in_access_log_records(path: str, shown: str) -> None:
    """``RedactSecrets`` masks ``psw=``/``apikey=``/``password=`` values in the access line."""
    record = access_record(path)
    assert RedactSecrets().filter(record) is True
    assert f'127.0.0.1:50000 - "GET {shown} HTTP/1.1" 200' == record.getMessage()


def test_redact_secrets_masks_a_secret_in_a_preformatted_message() -> None:
    """A message that already holds the query string is masked too."""
    record = logging.LogRecord(
        "uvicorn.error",
        logging.ERROR,
        "x.py",
        1,
        "bad request to /sys/get.php?psw=hunter2",
        (),
        None,
    )
    RedactSecrets().filter(record)
    assert "bad request to /sys/get.php?psw=***" == record.getMessage()


def test_serving_in_thread_answers_sync_code_and_stops() -> None:
    """A thread-served emulator answers a plain synchronous POST; the port closes after."""
    emulator = Emulator()
    with serving_in_thread(emulator) as base_url:
        form = {"get_price": "1", "login": "demo", "psw": "demo-password", "fmt": "3"}
        response = httpx.post(base_url + "get.php", data=form)
    assert (200, ["get.get_price"]) == (response.status_code, [x.command for x in emulator.traffic])
    with pytest.raises(httpx.ConnectError):
        httpx.post(base_url + "get.php", data=form)


def test_serving_in_thread_says_when_the_port_is_taken() -> None:
    """A port in use: a RuntimeError naming it at once, not a wait for a server."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with (
            pytest.raises(RuntimeError, match=f"could not start on 127.0.0.1:{port}"),
            serving_in_thread(Emulator(), port=port),
        ):
            pass
