"""``smsc.tariffs`` and the client path every command shares: form, transport, pool ownership."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from smsc_async import (
    Format,
    OperatorTariff,
    SmscClient,
    Tariffs,
    TariffZone,
    TransportError,
)
from smsc_async.testing import render_tariffs
from tests._support import APIKEY, LOGIN, PASSWORD, make_client, posted_form, reply

TARIFFS = Tariffs(
    zones=(
        TariffZone(
            "1",
            "Russia, MTS",
            Decimal("3.8"),
            Decimal("4.00"),
            Decimal("10"),
            Decimal("0.1"),
            Decimal("2.5"),
        ),
        TariffZone("2", "Kazakhstan", Decimal("5"), Decimal("5.5")),
    ),
    codes=(OperatorTariff("25001", Decimal("3.5")), OperatorTariff("25002", Decimal("3.45"))),
    mail=Decimal("0.05"),
)


async def test_get_posts_exact_form(router: respx.MockRouter, fmt: Format) -> None:
    """tariffs.get posts get_price=1, fmt, charset and login+psw, and nothing else."""
    route = router.post("get.php").mock(return_value=reply(render_tariffs(fmt, Tariffs())))
    async with make_client(fmt) as smsc:
        await smsc.tariffs.get()
    expected = {
        "get_price": "1",
        "fmt": str(int(fmt)),
        "charset": "utf-8",
        "login": LOGIN,
        "psw": PASSWORD,
    }
    assert route.call_count == 1
    assert expected == posted_form(route.calls.last.request)


@pytest.mark.parametrize(
    ("options", "auth"),
    [
        pytest.param({}, {"login": LOGIN, "psw": PASSWORD}, id="login"),
        pytest.param(
            {"login": None, "password": None, "apikey": APIKEY}, {"apikey": APIKEY}, id="apikey"
        ),
    ],
)
async def test_credentials_travel_only_in_the_body(
    router: respx.MockRouter, options: dict[str, Any], auth: dict[str, str]
) -> None:
    """The URL is exactly the script's, with no query; the credentials are body fields only."""
    route = router.post("get.php").mock(return_value=reply(render_tariffs(Format.JSON, TARIFFS)))
    async with make_client(**options) as smsc:
        await smsc.tariffs.get()
    request = route.calls.last.request
    assert str(request.url) == "https://smsc.ru/sys/get.php"
    assert request.url.query == b""
    expected = {"get_price": "1", "fmt": "3", "charset": "utf-8", **auth}
    assert expected == posted_form(request)
    assert PASSWORD not in str(request.headers)
    assert APIKEY not in str(request.headers)


async def test_get_returns_tariffs(router: respx.MockRouter, fmt: Format) -> None:
    """Zones (with commas in names, missing prices), operator codes and mail decode in any fmt."""
    router.post("get.php").mock(return_value=reply(render_tariffs(fmt, TARIFFS)))
    async with make_client(fmt) as smsc:
        assert TARIFFS == await smsc.tariffs.get()


async def test_get_returns_tariffs_without_codes_or_mail(
    router: respx.MockRouter, fmt: Format
) -> None:
    """A price list with zones only decodes to empty codes and no mail price."""
    tariffs = Tariffs(zones=TARIFFS.zones[1:])
    router.post("get.php").mock(return_value=reply(render_tariffs(fmt, tariffs)))
    async with make_client(fmt) as smsc:
        assert tariffs == await smsc.tariffs.get()


# --- the HTTP client: whose it is, and who closes it -----------------------------------------


async def test_caller_http_client_is_used_and_left_open(router: respx.MockRouter) -> None:
    """A caller's httpx client sends the requests and stays open after the SmscClient closes."""
    route = router.post("get.php").mock(return_value=reply(render_tariffs(Format.JSON, TARIFFS)))
    http = httpx.AsyncClient(headers={"X-Caller": "mine"})
    try:
        async with make_client(http_client=http) as smsc:
            assert TARIFFS == await smsc.tariffs.get()
        assert route.calls.last.request.headers["x-caller"] == "mine"
        assert not http.is_closed
        # Still usable by its owner afterwards.
        response = await http.post("https://smsc.ru/sys/get.php", data={"get_price": "1"})
        assert response.status_code == 200
    finally:
        await http.aclose()


def _own_pool(smsc: SmscClient) -> httpx.AsyncClient:
    """The httpx client the SDK made for the running loop (one per loop, made on first use)."""
    return smsc._transport._pools[asyncio.get_running_loop()].http


@pytest.mark.parametrize("how", ["async-with", "aclose"])
async def test_own_http_client_is_closed(router: respx.MockRouter, how: str) -> None:
    """Without http_client the SmscClient's own pool is closed when the client closes."""
    router.post("get.php").mock(return_value=reply(render_tariffs(Format.JSON, Tariffs())))
    smsc = make_client()
    if how == "async-with":
        async with smsc:
            await smsc.tariffs.get()
            http = _own_pool(smsc)
            assert not http.is_closed
    else:
        await smsc.tariffs.get()
        http = _own_pool(smsc)
        await smsc.aclose()
    assert http.is_closed
    assert "smsc_async/" in router.calls.last.request.headers["user-agent"]


# --- transport failures ----------------------------------------------------------------------


def _connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"[Errno 111] Connection refused: {request.url}", request=request)


def _connect_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectTimeout(f"timed out connecting to {request.url}", request=request)


def _read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout(f"timed out reading from {request.url}", request=request)


def _remote_closed(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def _bad_gateway(request: httpx.Request) -> httpx.Response:
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    return httpx.Response(502, html=page)


def _unavailable(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, text="Service Temporarily Unavailable")


@pytest.mark.parametrize(
    ("side_effect", "request_sent", "status_code"),
    [
        pytest.param(_connect_error, False, None, id="connect-error"),
        pytest.param(_connect_timeout, False, None, id="connect-timeout"),
        pytest.param(_read_timeout, True, None, id="read-timeout"),
        pytest.param(_remote_closed, True, None, id="remote-closed"),
        pytest.param(_bad_gateway, True, 502, id="html-502"),
        pytest.param(_unavailable, True, 503, id="503"),
    ],
)
@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="login"),
        pytest.param({"login": None, "password": None, "apikey": APIKEY}, id="apikey"),
    ],
)
async def test_transport_failure_raises_transport_error(
    router: respx.MockRouter,
    options: dict[str, Any],
    side_effect: Callable[[httpx.Request], httpx.Response],
    request_sent: bool,
    status_code: int | None,
) -> None:
    """Failures become TransportError saying whether the request left, never showing secrets."""
    router.post("get.php").mock(side_effect=side_effect)
    async with make_client(**options) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.tariffs.get()
    error = caught.value
    assert (request_sent, status_code, "tariffs.get") == (
        error.request_sent,
        error.status_code,
        error.command,
    )
    for text in (str(error), repr(error), *map(str, error.args)):
        assert PASSWORD not in text
        assert APIKEY not in text
    assert error.__cause__ is None or PASSWORD not in str(error.__cause__)


async def test_transport_error_on_a_senders_command_names_it(router: respx.MockRouter) -> None:
    """A TransportError from any family names the command that failed."""
    router.post("senders.php").mock(side_effect=_read_timeout)
    async with make_client() as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.senders.add("my_shop")
    assert ("senders.add", True) == (caught.value.command, caught.value.request_sent)


async def test_client_repr_hides_secrets() -> None:
    """Neither the client's nor its config's repr shows the password or API key."""
    for smsc in (make_client(), SmscClient(apikey=APIKEY)):
        async with smsc:
            for text in (repr(smsc), repr(smsc.config)):
                assert PASSWORD not in text
                assert APIKEY not in text


def _with_cookie(body: str) -> httpx.Response:
    response = reply(body)
    response.headers["Set-Cookie"] = "sid=abc; Path=/"
    return response


async def test_own_http_client_keeps_no_cookies(router: respx.MockRouter) -> None:
    """The SDK's own pool never stores a Set-Cookie nor sends it back (the API is stateless)."""
    route = router.post("get.php").mock(
        return_value=_with_cookie(render_tariffs(Format.JSON, TARIFFS))
    )
    async with make_client() as smsc:
        await smsc.tariffs.get()
        await smsc.tariffs.get()
        assert 0 == len(_own_pool(smsc).cookies)
    assert "cookie" not in route.calls.last.request.headers


async def test_caller_http_client_keeps_its_cookies(router: respx.MockRouter) -> None:
    """A caller's httpx client handles cookies as its owner set it up: the SDK leaves it be."""
    router.post("get.php").mock(return_value=_with_cookie(render_tariffs(Format.JSON, TARIFFS)))
    async with httpx.AsyncClient() as http, make_client(http_client=http) as smsc:
        await smsc.tariffs.get()
        assert "abc" == http.cookies.get("sid")
