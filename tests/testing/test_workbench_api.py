"""The workbench's JSON API under ``/_emulator/``: views of the emulator's state, and controls.

In process through ``httpx.ASGITransport`` in virtual time (looptime: rule windows and bans
pass at once); the event stream and one round trip over real loopback HTTP (``serving()``),
in real time, waiting only for events. A client elsewhere is an ASGI client address
(``10.0.0.5``), never a real network.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest

from smsc_async.callbacks import CallbackEvent, DeliveryReport, IncomingMessage
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, _workbench, serving
from tests.testing.test_callbacks_sender import URL, receiver

MSK = dt.timezone(dt.timedelta(hours=3))
ELSEWHERE = ("10.0.0.5", 1234)  # an ASGI client address, not a network
TOKEN = "t0ken-for-the-controls"
RULE_PRICE = "get.get_price: 3 identical per 1 min"
AUTH_BAN = "5 authorisation errors in 30 minutes"
STATE_KEYS = {
    "now",
    "minute",
    "version",
    "stats",
    "messages",
    "replies",
    "subclients",
    "senders",
    "contacts",
    "codes",
    "callbacks",
}
STATS_KEYS = {
    "requests",
    "violations",
    "error_9",
    "peak_in_flight",
    "by_command",
    "by_error",
    "logins",
    "violation_list",
    "bans",
}
MESSAGE_KEYS = {
    "login",
    "id",
    "phone",
    "text",
    "sender",
    "kind",
    "parts",
    "cost",
    "status",
    "status_name",
    "err",
    "sent",
    "changed",
}


@asynccontextmanager
async def api(
    emulator: Emulator, client: tuple[str, int] = ("127.0.0.1", 4321)
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client into ``emulator`` in process, from ``client``'s address."""
    transport = httpx.ASGITransport(emulator, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as http:
        yield http


async def smsc(
    http: httpx.AsyncClient,
    script: str,
    *,
    psw: str = DEFAULT_PASSWORD,
    **form: str,
) -> dict[str, Any]:
    """A bare SMSC request (fmt=3), bypassing the SDK's guards; the JSON answered."""
    response = await http.post(
        f"/sys/{script}",
        data={"login": DEFAULT_LOGIN, "psw": psw, "fmt": "3", "charset": "utf-8", **form},
    )
    answer: dict[str, Any] = response.json()
    return answer


async def send(http: httpx.AsyncClient, phone: str, text: str, **form: str) -> dict[str, Any]:
    return await smsc(http, "send.php", phones=phone, mes=text, **form)


async def get(http: httpx.AsyncClient, route: str, **params: str) -> Any:
    response = await http.get(f"/_emulator/{route}", params=params)
    assert 200 == response.status_code, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


async def control(http: httpx.AsyncClient, route: str, body: Any, **headers: str) -> Any:
    response = await http.post(f"/_emulator/{route}", json=body, headers=headers)
    assert 200 == response.status_code, response.text
    answer = response.json()
    assert answer["ok"] is True
    return answer


async def violate_price_rule(http: httpx.AsyncClient) -> dict[str, Any]:
    """Four identical tariff requests at once: the 4th breaks the rule (error 9)."""
    answers = [await smsc(http, "get.php", get_price="1") for _ in range(4)]
    assert [None, None, None, 9] == [a.get("error_code") for a in answers]
    return answers[-1]


async def fail_to_log_in(http: httpx.AsyncClient, times: int) -> list[int]:
    """``times`` requests with a wrong password; the error codes answered."""
    return [
        (await smsc(http, "get.php", get_price="1", psw="wrong"))["error_code"]
        for _ in range(times)
    ]


def by(items: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {item[key]: item for item in items}


# -- reads: shapes after a session ------------------------------------------------------------


@pytest.mark.looptime
async def test_the_state_shows_everything_an_app_did() -> None:
    """Sends, subclients, senders, codes, contacts, replies, a violation, a ban: all in state."""
    emulator = Emulator()
    async with api(emulator) as http:
        await send(http, "79001234567", "Hello", sender="Shop")
        await send(http, "79001234568,79001234569", "Two at once")
        emulator.add_subclient("shop-1", "Sub-pa55word", balance=Decimal(7))
        assert "sender" in await smsc(http, "senders.php", add="1", sender="79005550000")
        assert "error" not in await smsc(http, "senders.php", send_code="1", sender="79005550000")
        emulator.contacts.add_contact(["79001112233"], name="Ann")
        emulator.outbox.receive(DEFAULT_LOGIN, "79001234567", "Thanks", to_phone="79009990000")
        await violate_price_rule(http)
    async with api(emulator, client=("10.9.9.9", 1)) as stranger:
        assert [2, 2, 2, 2, 2] == await fail_to_log_in(stranger, 5)
    async with api(emulator) as http:
        state = await get(http, "state")

    assert STATE_KEYS <= set(state)
    assert (60.0, emulator.version) == (state["minute"], state["version"])
    assert dt.datetime.fromisoformat(state["now"]).utcoffset() == dt.timedelta(hours=3)
    messages = state["messages"]
    assert ["79001234569", "79001234568", "79001234567"] == [m["phone"] for m in messages]
    assert all(MESSAGE_KEYS <= set(m) for m in messages)
    first = messages[-1]
    assert ("demo", "Hello", "Shop", "sms", 1) == (
        first["login"],
        first["text"],
        first["sender"],
        first["kind"],
        first["parts"],
    )
    assert isinstance(first["cost"], str)
    assert ("waiting", -1) == (first["status_name"], first["status"])  # handed over at 1 s
    assert [
        {
            "login": "demo",
            "id": 501,
            "phone": "79001234567",
            "to_phone": "79009990000",
            "text": "Thanks",
            "received": state["replies"][0]["received"],
        }
    ] == state["replies"]
    [sub] = state["subclients"]
    assert ("shop-1", "demo", "7") == (sub["login"], sub["parent"], sub["balance"])
    assert {"login", "id", "parent", "type", "balance"} <= set(sub)
    [sender] = state["senders"]
    assert ("demo", "79005550000", "moderation") == (
        sender["login"],
        sender["sender"],
        sender["status"],
    )
    assert {"login", "id", "sender", "status", "comment"} <= set(sender)
    [contact] = state["contacts"]
    assert ("demo", "Ann", ["79001112233"], []) == (
        contact["login"],
        contact["name"],
        contact["phones"],
        contact["groups"],
    )
    code = emulator.senders.codes[DEFAULT_LOGIN, "79005550000"].code
    assert [{"login": "demo", "sender": "79005550000", "code": code}] == state["codes"]
    assert [] == state["callbacks"]
    stats = state["stats"]
    assert (1, 1) == (stats["violations"], stats["error_9"])
    [violation] = stats["violation_list"]
    assert ("demo", "get.get_price", RULE_PRICE, "127.0.0.1") == (
        violation["login"],
        violation["command"],
        violation["rule"],
        violation["ip"],
    )
    [ban] = stats["bans"]
    assert ("10.9.9.9", "5 authorisation errors in 30 minutes", 1800.0) == (
        ban["ip"],
        ban["reason"],
        ban["remaining_s"],
    )
    assert dt.datetime.fromisoformat(ban["until"]) - dt.datetime.fromisoformat(
        state["now"]
    ) == dt.timedelta(minutes=30)


@pytest.mark.looptime
async def test_stats_count_traffic_errors_and_windows_per_login() -> None:
    """``stats``: traffic by command and error, in flight against the cap, windows per login."""
    emulator = Emulator()
    async with api(emulator) as http:
        await send(http, "79001234567", "Hello")
        await violate_price_rule(http)
        await smsc(http, "get.php", get_price="1", psw="wrong")
        stats = await get(http, "stats")
    assert STATS_KEYS <= set(stats)
    assert (6, 1, 1, 1) == (
        stats["requests"],
        stats["violations"],
        stats["error_9"],
        stats["peak_in_flight"],
    )
    assert {"send.send": 1, "get.get_price": 5} == stats["by_command"]
    assert {"9": 1, "2": 1} == stats["by_error"]
    demo = stats["logins"]["demo"]
    assert (0, 1, 15) == (demo["in_flight"], demo["peak_in_flight"], demo["cap"])
    windows = by(demo["windows"], "rule")
    assert {"rule": RULE_PRICE, "used": 3, "limit": 3, "window_s": 60.0} == windows[RULE_PRICE]
    assert 1 == windows["send.send: 1 identical per 1 min"]["used"]


@pytest.mark.looptime
async def test_stats_show_requests_in_flight_while_they_are() -> None:
    """A slow request counts in flight (and in the peak) until it is answered."""
    emulator = Emulator(latency=5.0)
    async with api(emulator) as http:
        slow = [asyncio.create_task(smsc(http, "balance.php")) for _ in range(3)]
        await asyncio.sleep(1.0)  # virtual: within the 5 s the requests take
        during = (await get(http, "stats"))["logins"]["demo"]
        await asyncio.gather(*slow)
        after = (await get(http, "stats"))["logins"]["demo"]
    assert (3, 3) == (during["in_flight"], during["peak_in_flight"])
    assert (0, 3) == (after["in_flight"], after["peak_in_flight"])


@pytest.mark.looptime
async def test_messages_filter_by_login_phone_status_kind_id_and_limit() -> None:
    """``messages`` is newest first; each filter keeps only what matches."""
    emulator = Emulator()
    emulator.add_subclient("shop-1", "Sub-pa55word", balance=Decimal(100))
    async with api(emulator) as http:
        await send(http, "79001234567", "one", id="11")
        await asyncio.sleep(10)  # virtual: the first is delivered
        await send(http, "+7 (900) 123-45-68", "two", id="12")
        response = await http.post(
            "/sys/send.php",
            data={"login": "shop-1", "psw": "Sub-pa55word", "fmt": "3", "phones": "79001234569"}
            | {"mes": "three", "flash": "1"},
        )
        assert "id" in response.json()

        def phones(answer: list[dict[str, Any]]) -> list[str]:
            return [m["phone"] for m in answer]

        everything = await get(http, "messages")
        assert ["79001234569", "79001234568", "79001234567"] == phones(everything)
        assert ["79001234569"] == phones(await get(http, "messages", login="shop-1"))
        assert ["79001234568"] == phones(await get(http, "messages", phone="79001234568"))
        assert ["79001234568"] == phones(await get(http, "messages", phone="4568"))
        assert 3 == len(await get(http, "messages", phone="7900123456"))  # a part of each
        assert ["79001234567"] == phones(await get(http, "messages", status="delivered"))
        assert ["79001234567"] == phones(await get(http, "messages", status="1"))
        assert ["79001234569"] == phones(await get(http, "messages", kind="flash"))
        assert ["79001234567"] == phones(await get(http, "messages", id="11"))
        assert ["79001234569"] == phones(await get(http, "messages", limit="1"))
        assert [] == await get(http, "messages", login="nobody")
        for bad in ({"status": "lost"}, {"limit": "many"}, {"limit": "-1"}):
            response = await http.get("/_emulator/messages", params=bad)
            assert 400 == response.status_code
            assert "error" in response.json()


@pytest.mark.looptime
async def test_the_state_keeps_the_newest_500_messages() -> None:
    """``state`` holds at most 500 messages, the newest; ``messages?limit=`` reads further."""
    emulator = Emulator()
    async with api(emulator) as http:
        await send(http, ",".join(f"7900100{n:04d}" for n in range(502)), "Sale")
        state = await get(http, "state")
        assert 502 == len(await get(http, "messages", limit="1000"))
    assert 500 == len(state["messages"])
    assert ("79001000501", "79001000002") == (
        state["messages"][0]["phone"],
        state["messages"][-1]["phone"],
    )


@pytest.mark.looptime
async def test_the_version_moves_with_each_change_and_only_then() -> None:
    """A request, a status coming due, and a control each move ``version`` on; reads do not."""
    emulator = Emulator()
    async with api(emulator) as http:
        first = (await get(http, "state"))["version"]
        assert first == (await get(http, "state"))["version"]
        await send(http, "79001234567", "Hello")
        after_send = (await get(http, "state"))["version"]
        assert after_send > first
        assert after_send == (await get(http, "state"))["version"]
        await asyncio.sleep(10)  # virtual: handed over, then delivered, without a request
        after_delivery = (await get(http, "state"))["version"]
        assert after_delivery > after_send
        await control(http, "contacts", {"phones": ["79001112233"]})
        assert (await get(http, "state"))["version"] > after_delivery


# -- the page and its files -----------------------------------------------------------------


async def test_the_page_and_its_static_files_are_served_from_the_package() -> None:
    """``/_emulator/`` is the page (``/_emulator`` leads there); static files by name only."""
    emulator = Emulator()
    async with api(emulator) as http:
        page = await http.get("/_emulator/")
        assert (200, "text/html") == (
            page.status_code,
            page.headers["content-type"].split(";")[0],
        )
        assert "<html" in page.text.lower()
        moved = await http.get("/_emulator")
        assert (307, "/_emulator/") == (moved.status_code, moved.headers["location"])
        for name in ("nothing.js", "..%2F_emulator.py", ".hidden", "index.html"):
            assert 404 == (await http.get(f"/_emulator/static/{name}")).status_code
        if (script := _workbench._resource("app.js")) is not None:
            served = await http.get("/_emulator/static/app.js")
            assert (200, script) == (served.status_code, served.content)
            assert "javascript" in served.headers["content-type"]


async def test_without_the_page_installed_a_placeholder_points_at_the_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_workbench, "_resource", lambda name: None)
    async with api(Emulator()) as http:
        page = await http.get("/_emulator/")
        assert 200 == page.status_code
        assert "href='state'" in page.text
        assert 404 == (await http.get("/_emulator/static/app.js")).status_code


async def test_the_smsc_scripts_still_answer_beside_the_workbench() -> None:
    """The routes come before the catch-all: ``/sys/`` answers, unknown routes are 404."""
    async with api(Emulator()) as http:
        assert "balance" in await smsc(http, "balance.php")
        assert 404 == (await http.get("/_emulator/nothing")).status_code
        assert 404 == (await http.post("/_emulator/state")).status_code


# -- controls -------------------------------------------------------------------------------


@pytest.mark.looptime
async def test_a_fault_control_plans_an_error_answer() -> None:
    emulator = Emulator()
    async with api(emulator) as http:
        answer = await control(
            http, "faults", {"command": "balance.balance", "kind": "error", "code": 9, "times": 1}
        )
        assert {"command": "balance.balance", "kind": "error", "times": 1} == answer["planned"]
        assert 9 == (await smsc(http, "balance.php"))["error_code"]
        assert "balance" in await smsc(http, "balance.php")  # once only
        await control(http, "faults", {"command": "*", "kind": "bad_gateway"})
        assert 502 == (await http.post("/sys/balance.php", data={"fmt": "3"})).status_code
        for bad in (
            {"kind": "lightning"},
            {"kind": "error"},  # no code
            {"kind": "error", "code": 9, "times": "twice"},
            {"kind": "slow_body", "delay": "long"},
        ):
            response = await http.post("/_emulator/faults", json=bad)
            assert 400 == response.status_code, bad
            assert response.json()["error"]


@pytest.mark.looptime
async def test_advancing_the_clock_delivers_messages_and_frees_rule_windows() -> None:
    """``advance`` makes due statuses change, frees full windows, ages bans; no loop time."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with api(emulator) as http:
        await send(http, "79001234567", "Hello")
        await violate_price_rule(http)
        async with api(emulator, client=("10.9.9.9", 1)) as stranger:
            await fail_to_log_in(stranger, 5)
        before = await get(http, "state")
        started = loop.time()
        answer = await control(http, "clock", {"advance": 60})
        assert loop.time() == started
        after = await get(http, "state")
        assert ["delivered"] == [m["status_name"] for m in after["messages"]]
        assert dt.timedelta(seconds=60) == dt.datetime.fromisoformat(
            after["now"]
        ) - dt.datetime.fromisoformat(before["now"])
        assert answer["now"] == after["now"]
        [ban] = after["stats"]["bans"]
        assert 1740.0 == ban["remaining_s"]
        assert [] == after["stats"]["logins"]["demo"]["windows"]
        assert "error_code" not in await smsc(http, "get.php", get_price="1")
        await control(http, "clock", {"advance": 1740})
        async with api(emulator, client=("10.9.9.9", 1)) as stranger:
            assert "balance" in await smsc(stranger, "balance.php")  # the ban is over
        for bad in ({"advance": -1}, {"advance": "soon"}, {"set": "yesterday"}, {}):
            response = await http.post("/_emulator/clock", json=bad)
            assert 400 == response.status_code, bad


class _Events(list[CallbackEvent]):
    """The events a receiver took; :attr:`delivered` is set by the first "delivered" report."""

    def __init__(self) -> None:
        super().__init__()
        self.delivered = asyncio.Event()

    def append(self, event: CallbackEvent) -> None:
        super().append(event)
        if isinstance(event, DeliveryReport) and event.status == 1:
            self.delivered.set()


@pytest.mark.looptime
async def test_advancing_the_clock_calls_back_the_statuses_it_made_due() -> None:
    """The reports of statuses an advance made due are posted at once, not when once due."""
    events = _Events()
    emulator = Emulator(callback_url=URL)
    assert emulator.callbacks is not None
    emulator.callbacks.transport = httpx.ASGITransport(receiver(events))
    loop = asyncio.get_running_loop()

    async with api(emulator) as http:
        await send(http, "79001234567", "Hello")
        started = loop.time()
        await control(http, "clock", {"advance": 3600})
        await asyncio.wait_for(events.delivered.wait(), timeout=1.0)
        # Virtual time: well before the 5 s the delivery was due at without the advance.
        assert loop.time() - started < 1.0
        await control(http, "replies", {"phone": "79001234567", "text": "Thanks"})
        await asyncio.wait_for(emulator.callbacks.drain(), timeout=10.0)
        state = await get(http, "state")
    assert [0, 1] == [int(e.status) for e in events if isinstance(e, DeliveryReport)]
    assert ["Thanks"] == [e.message for e in events if isinstance(e, IncomingMessage)]
    kinds = [c["kind"] for c in state["callbacks"]]
    assert ["DeliveryReport", "DeliveryReport", "IncomingMessage"] == kinds
    assert all(c["delivered"] and c["attempts"][0]["status"] == 200 for c in state["callbacks"])
    assert {"kind", "login", "dedupe_key", "attempts", "delivered"} <= set(state["callbacks"][0])
    await emulator.aclose()


@pytest.mark.looptime
async def test_setting_the_clock_moves_the_calendar_only() -> None:
    emulator = Emulator()
    async with api(emulator) as http:
        await send(http, "79001234567", "Hello")
        before = (await get(http, "state"))["now"]
        answer = await control(http, "clock", {"set": "2026-12-07T10:00:00+03:00"})
        assert "2026-12-07T10:00:00+03:00" == answer["now"]
        await send(http, "79001234568", "Later")
        state = await get(http, "state")
    assert "2026-12-07T10:00:00+03:00" == state["messages"][0]["sent"]
    assert before == state["messages"][1]["sent"] != answer["now"]
    assert 1 == len(state["stats"]["logins"]["demo"]["windows"])  # the window still holds


@pytest.mark.looptime
async def test_reset_forgets_the_state_and_keeps_the_settings() -> None:
    emulator = Emulator(minute=6.0, approve_senders=True)
    async with api(emulator) as http:
        await send(http, "79001234567", "Hello")
        await violate_price_rule(http)
        await control(http, "subclients", {"login": "shop-1", "password": "Sub-pa55word"})
        await control(http, "replies", {"phone": "79001234567", "text": "Hi"})
        version = emulator.version
        await control(http, "reset", {})
        state = await get(http, "state")
        assert all(not state[k] for k in ("messages", "replies", "subclients", "contacts"))
        assert (0, 0, []) == (
            state["stats"]["requests"],
            state["stats"]["violations"],
            state["stats"]["bans"],
        )
        assert (6.0, True) == (emulator.minute, emulator.senders.approve)
        assert state["version"] > version
        assert "balance" in await smsc(http, "balance.php")  # the default account is back
        assert 2 == (await smsc(http, "balance.php", login="shop-1"))["error_code"]


@pytest.mark.looptime
async def test_a_subclient_control_makes_an_account_that_signs_in() -> None:
    emulator = Emulator()
    async with api(emulator) as http:
        answer = await control(
            http, "subclients", {"login": "shop-1", "password": "Sub-pa55word", "balance": 12.5}
        )
        [sub] = (await get(http, "state"))["subclients"]
        assert (answer["id"], "shop-1", "12.5") == (sub["id"], sub["login"], sub["balance"])
        response = await http.post(
            "/sys/balance.php", data={"login": "shop-1", "psw": "Sub-pa55word", "fmt": "3"}
        )
        assert Decimal("12.5") == Decimal(response.json()["balance"])
        again = await http.post(
            "/_emulator/subclients", json={"login": "shop-1", "password": "Sub-pa55word"}
        )
        assert 400 == again.status_code
        for bad in ({"password": "x"}, {"login": "b", "password": "p", "balance": "lots"}):
            assert 400 == (await http.post("/_emulator/subclients", json=bad)).status_code


@pytest.mark.looptime
async def test_contact_and_reply_controls_are_seen_by_the_smsc_api() -> None:
    """A contact control lands in ``phones.php``'s book, a reply in ``get_answers``."""
    emulator = Emulator()
    async with api(emulator) as http:
        answer = await control(http, "contacts", {"phones": ["79001112233"], "name": "Ann"})
        [contact] = (await get(http, "state"))["contacts"]
        assert (answer["id"], "Ann") == (contact["id"], contact["name"])
        book = await smsc(http, "phones.php", get="1")
        assert "79001112233" in json.dumps(book)
        await control(
            http, "replies", {"phone": "79001234567", "text": "Yes", "to_phone": "79009990000"}
        )
        inbox = await smsc(http, "get.php", get_answers="1")
        assert "Yes" in json.dumps(inbox, ensure_ascii=False)
        for route, bad in (
            ("contacts", {"phones": []}),
            ("contacts", {"phones": "79001112233"}),
            ("replies", {"phone": "79001234567"}),
            ("replies", {"phone": "79001234567", "text": "x", "login": "nobody"}),
        ):
            assert 400 == (await http.post(f"/_emulator/{route}", json=bad)).status_code
        assert 400 == (await http.post("/_emulator/contacts", content=b"{not json")).status_code


# -- the token ------------------------------------------------------------------------------


async def test_controls_from_elsewhere_need_the_token_and_reads_do_not() -> None:
    """From elsewhere a control needs the bearer token, reads never do; locally nothing does."""
    emulator = Emulator(control_token=TOKEN)
    body = {"phones": ["79001112233"]}
    async with api(emulator, client=ELSEWHERE) as stranger:
        assert 200 == (await stranger.get("/_emulator/state")).status_code
        assert 200 == (await stranger.get("/_emulator/stats")).status_code
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            refused = await stranger.post("/_emulator/contacts", json=body, headers=headers)
            assert 403 == refused.status_code, headers
            assert "token" in refused.json()["error"]
        await control(stranger, "contacts", body, Authorization=f"Bearer {TOKEN}")
    for local in (("127.0.0.1", 1), ("::1", 1)):
        async with api(emulator, client=local) as http:
            await control(http, "contacts", body)
    assert 3 == len(emulator.contacts.books[DEFAULT_LOGIN, "phones.php"].contacts)


async def test_without_a_token_controls_are_for_this_machine_only() -> None:
    emulator = Emulator()
    async with api(emulator, client=ELSEWHERE) as stranger:
        refused = await stranger.post(
            "/_emulator/reset", json={}, headers={"Authorization": "Bearer anything"}
        )
        assert 403 == refused.status_code
        assert "this machine only" in refused.json()["error"]
        assert 200 == (await stranger.get("/_emulator/messages")).status_code


# -- the log and the summary ----------------------------------------------------------------


@pytest.mark.looptime
async def test_refusals_and_bans_are_logged_with_their_code_and_rule(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Error 9 logs its rule, 2 and 4 their codes, a ban once when imposed; no password."""
    emulator = Emulator()
    caplog.set_level(logging.WARNING, logger="smsc_async.emulator")
    async with api(emulator) as http:
        await smsc(http, "balance.php")  # answered: nothing logged
        assert [] == caplog.records
        await violate_price_rule(http)
        await fail_to_log_in(http, 5)
        assert 4 == (await smsc(http, "balance.php"))["error_code"]
    records = [r for r in caplog.records if r.name == "smsc_async.emulator"]
    assert all(r.levelno == logging.WARNING for r in records)
    lines = [r.getMessage() for r in records]
    assert (
        "refused get.get_price of login 'demo' from 127.0.0.1: error 9 "
        f"(duplicate request, wait a minute); rule {RULE_PRICE}"
    ) == lines[0]
    assert lines[1].startswith("refused get.get_price of login 'demo' from 127.0.0.1: error 2")
    assert 5 == sum("error 2" in line for line in lines)
    [ban] = [line for line in lines if line.startswith("banned")]
    until = emulator.wall_clock(emulator.bans[0].until)
    assert until - emulator.wall_clock(emulator.bans[0].start) == dt.timedelta(minutes=30)
    assert f"banned IP 127.0.0.1 until {until.isoformat(sep=' ')}: {AUTH_BAN}" == ban
    assert lines[-1].startswith("refused balance.balance of login 'demo' from 127.0.0.1: error 4")
    assert [] == [line for line in lines if DEFAULT_PASSWORD in line or "wrong" in line]


@pytest.mark.looptime
async def test_the_summary_counts_requests_violations_codes_peaks_and_bans() -> None:
    emulator = Emulator(latency=1.0)
    assert "SMSC emulator: 0 requests, 0 violations (error 9), 0 IP bans" == emulator.summary()
    async with api(emulator) as http:
        await asyncio.gather(*(send(http, f"7900123456{n}", "Hi") for n in range(3)))
        await violate_price_rule(http)
        await fail_to_log_in(http, 5)
    summary = emulator.summary().splitlines()
    assert "SMSC emulator: 12 requests, 1 violation (error 9), 1 IP ban" == summary[0]
    assert ["Violations by rule:", f"  {RULE_PRICE}: 1"] == summary[1:3]
    assert "Error codes: 2 x5, 9 x1" == summary[3]
    assert "Peak in flight (refused at 15): demo 3" == summary[4]
    assert "Bans:" == summary[5]
    until = emulator.wall_clock(emulator.bans[0].until).isoformat(sep=" ")
    assert f"  127.0.0.1 until {until}: {AUTH_BAN}" == summary[6]


# -- over real HTTP -------------------------------------------------------------------------


async def test_the_api_and_the_event_stream_over_real_http() -> None:
    """Over uvicorn: ``state``, a local control, and events (a state, another after a change)."""
    emulator = Emulator(minute=1.0)
    async with serving(emulator) as base_url:
        root = base_url.removesuffix("sys/")
        async with httpx.AsyncClient(base_url=root, timeout=10) as http:
            assert 0 == (await http.get("_emulator/state")).json()["stats"]["requests"]
            async with http.stream("GET", "_emulator/events") as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                events = aiter(stream.aiter_lines())

                async def next_state() -> dict[str, Any]:
                    async for line in events:
                        if line.startswith("data: "):
                            state: dict[str, Any] = json.loads(line.removeprefix("data: "))
                            return state
                    raise AssertionError("the stream ended")

                first = await asyncio.wait_for(next_state(), timeout=10)
                await control(http, "replies", {"phone": "79001234567", "text": "Hi"})
                second = await asyncio.wait_for(next_state(), timeout=10)
            assert second["version"] > first["version"]
            assert ([], ["Hi"]) == (
                first["replies"],
                [r["text"] for r in second["replies"]],
            )
            # The stream's end (the client gone) leaves the server answering.
            assert 200 == (await http.get("_emulator/stats")).status_code


async def test_an_open_event_stream_does_not_hold_the_server_up() -> None:
    """An inbox left open (a stream that never ends) does not stop the server from stopping."""
    loop = asyncio.get_running_loop()

    async def serve_with_a_stream_open() -> float:
        async with httpx.AsyncClient(timeout=30) as http:
            async with serving(Emulator()) as base_url:
                stream = http.stream("GET", base_url.removesuffix("sys/") + "_emulator/events")
                response = await stream.__aenter__()
                assert response.headers["content-type"].startswith("text/event-stream")
                leaving = loop.time()
            stopped = loop.time() - leaving
            with contextlib.suppress(httpx.HTTPError):
                await stream.__aexit__(None, None, None)
            return stopped

    # Without a bound on uvicorn's graceful shutdown, leaving the block waited for the stream.
    assert await asyncio.wait_for(serve_with_a_stream_open(), timeout=15) < 10
