"""``SmscClient.with_credentials``: a view acting as another account over the same pool."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from smsc_async import Rule, Scope, SmscClient, ValidationError
from tests._support import APIKEY, LOGIN, PASSWORD, make_client, posted_form, reply

SUB_LOGIN = "shop1"
SUB_PASSWORD = "Shop1-SECRET-pw"
OK = '{"result": "OK"}'
EMPTY = "[]"


def credentials(request: httpx.Request) -> dict[str, str]:
    """The credential fields of a posted form."""
    form = posted_form(request)
    return {k: v for k, v in form.items() if k in ("login", "psw", "apikey")}


MAIN = {"login": LOGIN, "psw": PASSWORD}
SUB = {"login": SUB_LOGIN, "psw": SUB_PASSWORD}


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        pytest.param({}, ("login", "password"), id="nothing"),
        pytest.param({"login": SUB_LOGIN}, ("password",), id="login-only"),
        pytest.param({"password": SUB_PASSWORD}, ("login",), id="password-only"),
        pytest.param({"login": "", "password": ""}, ("login", "password"), id="empty"),
        pytest.param({"login": 5, "password": SUB_PASSWORD}, ("login",), id="login-int"),
        pytest.param({"apikey": ""}, ("apikey",), id="apikey-empty"),
        pytest.param(
            {"apikey": APIKEY, "login": SUB_LOGIN, "password": SUB_PASSWORD},
            ("apikey",),
            id="apikey-and-login",
        ),
    ],
)
async def test_bad_credentials_are_refused(
    router: respx.MockRouter, kwargs: dict[str, Any], fields: tuple[str, ...]
) -> None:
    """Missing or conflicting credentials raise ValidationError naming each bad field."""
    async with make_client() as smsc:
        with pytest.raises(ValidationError) as caught:
            smsc.with_credentials(**kwargs)
    assert fields == caught.value.fields
    assert SUB_PASSWORD not in str(caught.value)
    assert 0 == router.calls.call_count


ViewCall = Callable[[SmscClient], Awaitable[object]]
CALLS = [
    pytest.param("senders.php", EMPTY, lambda s: s.senders.list(), id="senders"),
    pytest.param("op_templates.php", EMPTY, lambda s: s.op_templates.get("shop1", "x"), id="tpl"),
    pytest.param("users.php", EMPTY, lambda s: s.subclients.stats("01.01.2024"), id="subclients"),
    pytest.param("get.php", "{}", lambda s: s.tariffs.get(), id="tariffs"),
]


@pytest.mark.parametrize(("script", "body", "call"), CALLS)
async def test_view_posts_the_other_accounts_credentials(
    router: respx.MockRouter, script: str, body: str, call: ViewCall
) -> None:
    """Every family of the view posts the view's login and password; the parent its own."""
    route = router.post(script).mock(return_value=reply(body))
    async with make_client() as smsc:
        await call(smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD))
        await call(smsc)
    assert [SUB, MAIN] == [credentials(c.request) for c in route.calls]


@pytest.mark.parametrize(("script", "body", "call"), CALLS)
async def test_resources_cached_before_the_view_use_the_views_credentials(
    router: respx.MockRouter, script: str, body: str, call: ViewCall
) -> None:
    """Resources the parent built before the view was made do not leak into the view."""
    route = router.post(script).mock(return_value=reply(body))
    async with make_client() as smsc:
        await call(smsc)  # builds and caches the parent's resources
        _ = (smsc.tariffs, smsc.senders, smsc.subclients, smsc.op_templates)
        view = smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD)
        await call(view)
        await call(view)  # and the view's own cache keeps the view's credentials
        await call(smsc)
    assert [MAIN, SUB, SUB, MAIN] == [credentials(c.request) for c in route.calls]


async def test_view_with_an_apikey_posts_only_the_apikey(router: respx.MockRouter) -> None:
    """A view made with an API key posts apikey, not the parent's login and password."""
    route = router.post("senders.php").mock(return_value=reply(EMPTY))
    async with make_client() as smsc:
        await smsc.with_credentials(apikey=APIKEY).senders.list()
    assert {"apikey": APIKEY} == credentials(route.calls.last.request)


async def test_options_of_a_view_keep_its_credentials(router: respx.MockRouter) -> None:
    """with_options() on a view is still the other account."""
    route = router.post("senders.php").mock(return_value=reply(EMPTY))
    async with make_client() as smsc:
        view = smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD)
        await view.with_options(deadline=30).senders.list()
    assert SUB == credentials(route.calls.last.request)


async def test_view_shares_the_parents_transport() -> None:
    """The view's requests go through the parent's own transport (its connection pool)."""
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(credentials(request))
        return reply(EMPTY)

    async with make_client(transport=httpx.MockTransport(handler)) as smsc:
        await smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD).senders.list()
    assert [SUB] == seen


async def test_closing_the_view_leaves_the_parent_open(router: respx.MockRouter) -> None:
    """Closing a view (or leaving its async with) does not close the parent's pool."""
    route = router.post("senders.php").mock(return_value=reply(EMPTY))
    async with make_client() as smsc:
        async with smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD) as view:
            await view.senders.list()
        await view.aclose()  # twice: still harmless
        await smsc.senders.list()
        other = smsc.with_credentials(login="shop2", password=SUB_PASSWORD)
        await other.senders.list()
    assert [SUB, MAIN, {"login": "shop2", "psw": SUB_PASSWORD}] == [
        credentials(c.request) for c in route.calls
    ]


async def test_closing_the_view_leaves_a_transport_of_the_parent_open() -> None:
    """With a transport of the parent's, closing the view does not close that transport."""
    closed: list[bool] = []

    class Tracking(httpx.MockTransport):
        async def aclose(self) -> None:
            closed.append(True)

    async with make_client(transport=Tracking(lambda _: reply(EMPTY))) as smsc:
        await smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD).aclose()
        assert [] == closed
        await smsc.senders.list()
    assert [True] == closed


def test_view_repr_names_the_other_login_only() -> None:
    """The view's repr names the other account and shows neither password."""
    smsc = make_client()
    shown = repr(smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD))
    assert (True, False, False) == (SUB_LOGIN in shown, SUB_PASSWORD in shown, PASSWORD in shown)


@pytest.mark.looptime
async def test_view_calls_go_through_the_other_logins_gate(router: respx.MockRouter) -> None:
    """The view's calls count under its own login: the parent's full window does not hold them."""
    route = router.post("senders.php").mock(return_value=reply(EMPTY))
    loop = asyncio.get_running_loop()
    one_a_minute = {"senders.get": (Rule(1, 60.0, Scope.COMMAND),)}
    times: list[tuple[str, float]] = []
    async with make_client(rules=one_a_minute) as smsc:
        view = smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD)
        for who, client in (("main", smsc), ("view", view), ("main", smsc), ("view", view)):
            await client.senders.list()
            times.append((who, loop.time()))
    assert ["main", "view", "main", "view"] == [who for who, _ in times]
    first_main, first_view, second_main, second_view = (t for _, t in times)
    assert (0.0, 0.0) == (first_main, first_view)
    assert second_main >= 60.0  # the parent's window did hold its own second call
    assert second_view - first_view >= 60.0  # and the view's window its own
    assert 4 == route.call_count


@pytest.mark.looptime
async def test_view_slots_are_apart_from_the_parents(router: respx.MockRouter) -> None:
    """With the parent's only slot held by a slow request, the view's call still goes."""
    release = asyncio.Event()

    async def serve(request: httpx.Request) -> httpx.Response:
        if credentials(request) == MAIN:
            await release.wait()
        return reply(EMPTY)

    router.post("senders.php").mock(side_effect=serve)
    loop = asyncio.get_running_loop()
    async with make_client(max_concurrency=1, timeout=None) as smsc:
        slow = asyncio.create_task(smsc.senders.list(cnt=5))
        await asyncio.sleep(1)
        view = smsc.with_credentials(login=SUB_LOGIN, password=SUB_PASSWORD)
        await asyncio.wait_for(view.senders.list(), 30)  # sharing the slot: TimeoutError
        answered_at = loop.time()
        release.set()
        await slow
    assert 1.0 == answered_at
