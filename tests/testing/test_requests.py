"""How the emulator reads requests and writes answers, seen on the wire (spec §1)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from urllib.parse import urlencode

import httpx
import pytest

from smsc_async import Format, Sender, SenderStatus
from smsc_async.testing import (
    DEFAULT_APIKEY,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    Emulator,
    Exchange,
    render_tariffs,
)
from smsc_async.testing._tariffs import DEFAULT_TARIFFS

CREDENTIALS = {"login": DEFAULT_LOGIN, "psw": DEFAULT_PASSWORD}
BOUNDARY = "smsc-test-boundary"
NAME = "Магазин"  # a Cyrillic sender name, within the 11 characters allowed
# The SDK sends only the names SMSC allows: English letters, digits, ".", "-", "_" (FAQ 88).
SDK_NAME = "Magazin"
COMMENT = "Привет, мир"
PRICES = {"get_price": "1", "fmt": "1", **CREDENTIALS}
HOW = ["get", "form", "multipart"]  # the three ways of writing a request


@pytest.fixture
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture
async def raw(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """A bare httpx client into the emulator: the test writes the wire itself."""
    transport = emulator.transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://smsc.emulator/sys/") as c:
        yield c


def multipart(
    fields: Mapping[str, str],
    *,
    encoding: str = "utf-8",
    files: Mapping[str, tuple[str, bytes]] | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body with ``fields`` written in ``encoding``, and its header."""
    chunks = []
    for name, value in fields.items():
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        chunks.append(head.encode("ascii") + value.encode(encoding) + b"\r\n")
    for name, (filename, content) in (files or {}).items():
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        chunks.append(head.encode("ascii") + content + b"\r\n")
    chunks.append(f"--{BOUNDARY}--\r\n".encode("ascii"))
    return b"".join(chunks), {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}


async def ask(
    raw: httpx.AsyncClient,
    how: str,
    script: str,
    params: Mapping[str, str],
    *,
    encoding: str = "utf-8",
    query: str = "",
) -> httpx.Response:
    """Send ``params`` to ``script`` as a GET query, an urlencoded POST or a multipart POST."""
    encoded = urlencode(params, encoding=encoding)
    if how == "get":
        return await raw.get(f"{script}?{'&'.join(filter(None, [query, encoded]))}")
    url = f"{script}?{query}" if query else script
    if how == "form":
        headers = {"content-type": "application/x-www-form-urlencoded"}
        return await raw.post(url, content=encoded.encode("ascii"), headers=headers)
    body, headers = multipart(params, encoding=encoding)
    return await raw.post(url, content=body, headers=headers)


def names(emulator: Emulator) -> dict[str, str]:
    """The default account's sender names and their comments, as the emulator keeps them."""
    return {e.sender: e.cmt for e in emulator.senders.names[DEFAULT_LOGIN].values()}


# -- ways of asking ------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
async def test_each_way_of_asking_gets_the_price_list(raw: httpx.AsyncClient, how: str) -> None:
    """A GET query string, an urlencoded POST form and a multipart POST all get the prices."""
    response = await ask(raw, how, "get.php", PRICES)
    assert 200 == response.status_code
    assert render_tariffs(Format.CSV, DEFAULT_TARIFFS) == response.text


@pytest.mark.parametrize("how", HOW)
async def test_each_way_of_asking_creates_a_sender(
    raw: httpx.AsyncClient, emulator: Emulator, how: str
) -> None:
    """A change sent in any of the three ways is applied with its parameters."""
    params = {"add": "1", "sender": "shop", "cmt": "note", "fmt": "1", **CREDENTIALS}
    response = await ask(raw, how, "senders.php", params)
    assert "1001" == response.text
    assert {"shop": "note"} == names(emulator)


@pytest.mark.parametrize("filename", ["licence.pdf", "licence.PNG", "scan.tiff"])
async def test_a_sender_document_in_file0_is_accepted(
    raw: httpx.AsyncClient, emulator: Emulator, filename: str
) -> None:
    """A document of an allowed type in multipart field ``file0`` is kept with the new name."""
    fields = {"add": "1", "sender": "shop", "fmt": "1", **CREDENTIALS}
    body, headers = multipart(fields, files={"file0": (filename, b"%PDF-1.4 ...")})
    response = await raw.post("senders.php", content=body, headers=headers)
    assert "1001" == response.text
    entries = list(emulator.senders.names[DEFAULT_LOGIN].values())
    assert [("shop", [filename])] == [(e.sender, e.documents) for e in entries]


@pytest.mark.parametrize("filename", ["setup.exe", "noextension", "licence.pdf.exe"])
async def test_a_sender_document_of_another_type_is_refused_with_error_1(
    raw: httpx.AsyncClient, emulator: Emulator, filename: str
) -> None:
    """A document that is not jpg/tif/pdf/png/zip/rar is refused (error 1), no name created."""
    fields = {"add": "1", "sender": "shop", "fmt": "1", **CREDENTIALS}
    body, headers = multipart(fields, files={"file0": (filename, b"MZ\x90\x00")})
    response = await raw.post("senders.php", content=body, headers=headers)
    assert "0,-1" == response.text
    assert {} == names(emulator)


@pytest.mark.parametrize(
    "credentials",
    [
        CREDENTIALS,
        {
            "login": DEFAULT_LOGIN,
            "psw": hashlib.md5(DEFAULT_PASSWORD.encode(), usedforsecurity=False).hexdigest(),
        },
        {"apikey": DEFAULT_APIKEY},
    ],
    ids=["login+psw", "login+md5", "apikey"],
)
async def test_valid_credentials_are_accepted(
    raw: httpx.AsyncClient, credentials: dict[str, str]
) -> None:
    """``login``+``psw`` (or its MD5) and ``apikey`` each authenticate a request."""
    response = await ask(raw, "form", "get.php", {"get_price": "1", "fmt": "1", **credentials})
    assert render_tariffs(Format.CSV, DEFAULT_TARIFFS) == response.text


@pytest.mark.parametrize(
    "credentials",
    [
        {"login": DEFAULT_LOGIN, "psw": "wrong"},
        {"login": DEFAULT_LOGIN, "psw": ""},
        {"login": "nobody", "psw": DEFAULT_PASSWORD},
        {"apikey": "wrong-key"},
        {"apikey": "wrong-key", **CREDENTIALS},
        {},
    ],
    ids=["bad-psw", "empty-psw", "unknown-login", "bad-apikey", "bad-apikey+psw", "none"],
)
async def test_invalid_credentials_get_error_2(
    raw: httpx.AsyncClient, credentials: dict[str, str]
) -> None:
    """Wrong, missing or unknown credentials are refused with error 2."""
    response = await ask(raw, "form", "get.php", {"get_price": "1", "fmt": "1", **credentials})
    assert "0,-2" == response.text


async def test_the_emulators_client_can_use_the_apikey(emulator: Emulator) -> None:
    """``emulator.client(apikey=...)`` authenticates with the API key alone."""
    async with emulator.client(apikey=DEFAULT_APIKEY) as smsc:
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()
    assert [DEFAULT_LOGIN] == [e.login for e in emulator.traffic]


@pytest.mark.parametrize("how", ["form", "multipart"])
async def test_query_and_body_parameters_merge(
    raw: httpx.AsyncClient, emulator: Emulator, how: str
) -> None:
    """The command flag in the query string and the rest in the body make one request."""
    params = {"sender": "shop", "cmt": "note", **CREDENTIALS}
    response = await ask(raw, how, "senders.php", params, query="add=1&fmt=1")
    assert "1001" == response.text
    assert {"shop": "note"} == names(emulator)


async def test_a_charset_in_the_query_string_decodes_the_body(
    raw: httpx.AsyncClient, emulator: Emulator
) -> None:
    """``charset`` given in the query string governs how the urlencoded body is read."""
    params = {"add": "1", "sender": NAME, "cmt": COMMENT, **CREDENTIALS}
    await ask(raw, "form", "senders.php", params, encoding="koi8-r", query="charset=koi8-r")
    assert {NAME: COMMENT} == names(emulator)


# -- charsets -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["get", "form"])
@pytest.mark.parametrize(
    ("charset", "encoding"),
    [("koi8-r", "koi8-r"), ("windows-1251", "cp1251"), ("utf-8", "utf-8"), (None, "cp1251")],
    ids=["koi8-r", "windows-1251", "utf-8", "default"],
)
async def test_urlencoded_input_is_decoded_in_the_requests_charset(
    raw: httpx.AsyncClient, emulator: Emulator, how: str, charset: str | None, encoding: str
) -> None:
    """Percent-encoded Cyrillic is read in the ``charset`` named, windows-1251 by default."""
    params = {"add": "1", "sender": NAME, "cmt": COMMENT, **CREDENTIALS}
    if charset is not None:
        params["charset"] = charset
    await ask(raw, how, "senders.php", params, encoding=encoding)
    assert {NAME: COMMENT} == names(emulator)


@pytest.mark.parametrize(
    ("charset", "encoding"),
    [("koi8-r", "koi8-r"), ("windows-1251", "cp1251"), ("utf-8", "utf-8"), (None, "cp1251")],
    ids=["koi8-r", "windows-1251", "utf-8", "default"],
)
async def test_multipart_input_is_decoded_in_the_requests_charset(
    raw: httpx.AsyncClient, emulator: Emulator, charset: str | None, encoding: str
) -> None:
    """Cyrillic multipart fields are read in the request's ``charset`` too (spec §1.3)."""
    params = {"add": "1", "sender": NAME, "cmt": COMMENT, **CREDENTIALS}
    if charset is not None:
        params["charset"] = charset
    await ask(raw, "multipart", "senders.php", params, encoding=encoding)
    assert {NAME: COMMENT} == names(emulator)


CHARSETS = pytest.mark.parametrize(
    ("charset", "encoding", "header"),
    [
        ("koi8-r", "koi8-r", "koi8-r"),
        ("utf-8", "utf-8", "utf-8"),
        ("windows-1251", "cp1251", "windows-1251"),
        (None, "cp1251", "windows-1251"),
    ],
    ids=["koi8-r", "utf-8", "windows-1251", "default"],
)


@CHARSETS
async def test_the_answer_is_encoded_in_the_requests_charset(
    raw: httpx.AsyncClient, charset: str | None, encoding: str, header: str
) -> None:
    """The reply's bytes are in the request's ``charset``, windows-1251 when it names none."""
    params = {"get_price": "1", **CREDENTIALS}
    if charset is not None:
        params["charset"] = charset
    response = await ask(raw, "get", "get.php", params)
    assert render_tariffs(Format.LINES, DEFAULT_TARIFFS).encode(encoding) == response.content
    assert DEFAULT_TARIFFS.zones[0].name.encode(encoding) in response.content


@CHARSETS
async def test_the_content_type_names_the_charset_as_smsc_spells_it(
    raw: httpx.AsyncClient, charset: str | None, encoding: str, header: str
) -> None:
    """The Content-Type names the reply's charset (``charset=windows-1251`` by default, §1.6)."""
    params = {"get_price": "1", "fmt": "3", **CREDENTIALS}
    if charset is not None:
        params["charset"] = charset
    response = await ask(raw, "get", "get.php", params)
    assert f"application/json; charset={header}" == response.headers["content-type"]


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [(0, "text/plain"), (1, "text/plain"), (2, "text/xml"), (3, "application/json")],
)
async def test_each_format_has_its_content_type(
    raw: httpx.AsyncClient, fmt: int, media_type: str
) -> None:
    """Every ``fmt`` answers with its own media type, for success and error alike."""
    good = await ask(raw, "form", "get.php", {**PRICES, "fmt": str(fmt), "charset": "utf-8"})
    bad = await ask(raw, "form", "get.php", {"fmt": str(fmt), "charset": "utf-8"})
    expected = f"{media_type}; charset=utf-8"
    assert [expected, expected] == [good.headers["content-type"], bad.headers["content-type"]]


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["get.php", "senders.php"])
@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (0, "ERROR = 2 (authorise error)"),
        (1, "0,-2"),
        (2, "<result>\n<error>authorise error</error>\n<error_code>2</error_code>\n</result>"),
        (3, '{\n"error": "authorise error",\n"error_code": 2\n}'),
    ],
)
async def test_error_envelopes_are_laid_out_as_documented(
    raw: httpx.AsyncClient, script: str, fmt: int, body: str
) -> None:
    """A bad password gets HTTP 200 and §1.5's envelope in the format asked for, in any script."""
    params = {"get_price": "1", "get": "1", "fmt": str(fmt), "login": DEFAULT_LOGIN, "psw": "x"}
    response = await ask(raw, "form", script, params)
    assert (200, body) == (response.status_code, response.text)


@pytest.mark.parametrize(
    ("script", "flags", "command"),
    [
        ("get.php", {}, "get.?"),
        ("get.php", {"get_price": "0"}, "get.?"),
        ("get.php", {"get_price": ""}, "get.?"),
        ("senders.php", {"nonsense": "1"}, "senders.?"),
    ],
    ids=["none", "zero", "empty", "unknown"],
)
async def test_a_request_without_a_known_command_gets_error_1(
    raw: httpx.AsyncClient,
    emulator: Emulator,
    script: str,
    flags: dict[str, str],
    command: str,
) -> None:
    """A script called with no known command flag set answers error 1."""
    response = await ask(raw, "form", script, {**flags, "fmt": "3", **CREDENTIALS})
    assert 1 == json.loads(response.text)["error_code"]
    assert [(command, 1)] == [(e.command, e.error_code) for e in emulator.traffic]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", ["documents.php", "nothing.php", "", "get.php/extra"])
async def test_an_unknown_script_is_http_404(
    raw: httpx.AsyncClient, method: str, path: str
) -> None:
    """A script the emulator does not know answers an HTTP 404 page, not an SMSC error."""
    response = await raw.request(method, f"{path}?get_price=1&login=demo&psw={DEFAULT_PASSWORD}")
    assert 404 == response.status_code


# -- the in-process client ------------------------------------------------------------------


async def test_the_emulators_client_round_trips_in_every_format(
    emulator: Emulator, fmt: Format
) -> None:
    """``emulator.client(fmt=...)`` reads prices and keeps a Cyrillic comment in every format."""
    async with emulator.client(fmt=fmt) as smsc:
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()
        new_id = await smsc.senders.add(SDK_NAME, comment=COMMENT)
        expected = [Sender(SDK_NAME, new_id, SenderStatus.MODERATION)]
        assert expected == await smsc.senders.list(all=True)
    assert {SDK_NAME: COMMENT} == names(emulator)


# -- the traffic log ------------------------------------------------------------------------


@pytest.mark.looptime
async def test_the_traffic_log_records_each_exchange_without_secrets(
    raw: httpx.AsyncClient,
) -> None:
    """Each request is logged with login, command, error code and times, never a secret."""
    emulator = Emulator(latency=0.5)
    transport = emulator.transport(ip="10.0.0.7")
    async with httpx.AsyncClient(transport=transport, base_url="http://smsc.emulator/sys/") as c:
        await ask(c, "get", "get.php", {**PRICES, "password": "subclient-secret"})
        await ask(c, "form", "get.php", {"get_price": "1", "apikey": DEFAULT_APIKEY})
        await asyncio.sleep(1)
        await ask(c, "form", "get.php", {"get_price": "1", "login": "demo", "psw": "bad-psw"})
        await ask(c, "multipart", "senders.php", {"add": "1", "sender": "s", **CREDENTIALS})
        await ask(c, "form", "senders.php", {"fmt": "2", **CREDENTIALS})
    ip = "10.0.0.7"
    assert [
        Exchange(0.0, ip, "demo", "get.get_price", {"get_price": "1", "fmt": "1", "login": "demo"}),
        Exchange(0.5, ip, "demo", "get.get_price", {"get_price": "1"}),
        Exchange(2.0, ip, "demo", "get.get_price", {"get_price": "1", "login": "demo"}),
        Exchange(2.5, ip, "demo", "senders.add", {"add": "1", "sender": "s", "login": "demo"}),
        Exchange(3.0, ip, "demo", "senders.?", {"fmt": "2", "login": "demo"}),
    ] == [attrs_without_end(e) for e in emulator.traffic]
    assert [0.5, 1.0, 2.5, 3.0, 3.5] == [e.end for e in emulator.traffic]
    assert [None, None, 2, None, 1] == [e.error_code for e in emulator.traffic]
    log = repr(emulator.traffic)
    assert [] == [
        s for s in (DEFAULT_PASSWORD, DEFAULT_APIKEY, "subclient-secret", "bad-psw") if s in log
    ]


def attrs_without_end(exchange: Exchange) -> Exchange:
    """The exchange as it was on arrival: no end time, no error code yet."""
    return Exchange(
        exchange.start, exchange.ip, exchange.login, exchange.command, dict(exchange.params)
    )
