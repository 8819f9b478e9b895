"""``smsc.messages`` and ``smsc.balance()``: what each call posts, returns and raises (respx)."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from smsc_async import (
    Attachment,
    Balance,
    CallSettings,
    Format,
    InsufficientFundsError,
    InvalidNumberError,
    MessageCost,
    MessageStatus,
    MessageType,
    SendUnconfirmedError,
    Sent,
    StatusDetail,
    StatusReport,
    Translit,
    Voice,
)
from smsc_async.testing import render_error, render_ok
from tests._support import LOGIN, PASSWORD, make_client, posted_form, reply
from tests.resources.test_senders import multipart_parts

PHONE = "79991234567"
OTHER = "79990000000"
SENT_JSON = '{\n"id": 279,\n"cnt": 1\n}'
MSK = dt.timezone(dt.timedelta(hours=3))


def expected_form(fmt: Format = Format.JSON, /, **params: str) -> dict[str, str]:
    """The whole form a flagless command posts with the test account's credentials."""
    return {
        **params,
        "fmt": str(int(fmt)),
        "charset": "utf-8",
        "login": LOGIN,
        "psw": PASSWORD,
    }


def forms(route: respx.Route) -> list[dict[str, str]]:
    """The forms posted through ``route``, in order."""
    return [posted_form(call.request) for call in route.calls]


async def send_form(router: respx.MockRouter, **kwargs: Any) -> dict[str, str]:
    """The form ``send(PHONE, "Hi", **kwargs)`` posts (with an ``id`` of 7 unless given)."""
    route = router.post("send.php").mock(return_value=reply(SENT_JSON))
    kwargs.setdefault("id", 7)
    text = kwargs.pop("text", "Hi")
    async with make_client() as smsc:
        await smsc.messages.send(PHONE, text, **kwargs)
    return forms(route)[0]


# -- send ----------------------------------------------------------------------------------


async def test_send_posts_phones_text_and_an_assigned_id(router: respx.MockRouter) -> None:
    """Without an id the SDK assigns a numeric one, fresh for each send, and posts it."""
    route = router.post("send.php").mock(return_value=reply(SENT_JSON))
    async with make_client() as smsc:
        sent = await smsc.messages.send([PHONE, OTHER], "Hello, world")
        await smsc.messages.send(PHONE, "Another")
    first, second = forms(route)
    assert expected_form(phones=f"{PHONE},{OTHER}", mes="Hello, world", id=first["id"]) == first
    assert 1 <= int(first["id"]) < int(second["id"]) <= 2_147_483_647
    assert Sent("279", 1) == sent


async def test_send_posts_the_callers_id(router: respx.MockRouter) -> None:
    """A caller's id, a number or text, is posted as given."""
    assert "order-17" == (await send_form(router, id="order-17"))["id"]


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        pytest.param({"kind": MessageType.FLASH}, {"flash": "1"}, id="flash"),
        pytest.param({"kind": MessageType.PUSH}, {"push": "1"}, id="push"),
        pytest.param({"kind": MessageType.VIBER}, {"viber": "1"}, id="viber"),
        pytest.param({"kind": MessageType.SOC}, {"soc": "1"}, id="soc"),
        pytest.param(
            {"kind": MessageType.BIN, "text": b"\x00\x01\xff"},
            {"bin": "2", "mes": "0001FF"},
            id="bin-bytes",
        ),
        pytest.param(
            {"kind": MessageType.MMS, "subject": "Photo"}, {"mms": "1", "subj": "Photo"}, id="mms"
        ),
        pytest.param(
            {
                "kind": MessageType.CALL,
                "voice": Voice.FEMALE_2,
                "call": CallSettings(wait=30, interval=60, attempts=2),
            },
            {"call": "1", "voice": "w2", "param": "30,60,2"},
            id="call",
        ),
        pytest.param({"sender": "Shop"}, {"sender": "Shop"}, id="sender"),
        pytest.param({"sender": ""}, {"sender": ""}, id="no-sender"),
        pytest.param({"translit": Translit.LOOKALIKE}, {"translit": "2"}, id="translit"),
        pytest.param({"tinyurl": True}, {"tinyurl": "1"}, id="tinyurl"),
        pytest.param({"maxsms": 3}, {"maxsms": "3"}, id="maxsms"),
        pytest.param({"details": True}, {"op": "1"}, id="op"),
        pytest.param({"bad_numbers": True}, {"err": "1"}, id="err"),
        pytest.param({"report_cost": True}, {"cost": "2"}, id="cost2"),
        pytest.param({"report_balance": True}, {"cost": "3"}, id="cost3"),
        pytest.param({"report_cost": True, "report_balance": True}, {"cost": "3"}, id="cost3-both"),
        pytest.param(
            {"time": dt.datetime(2026, 5, 1, 12, 30, tzinfo=MSK)},
            {"time": "01777627800"},
            id="time-aware",
        ),
        pytest.param(
            {"time": dt.datetime(2026, 5, 1, 9, 5), "tz": -1},  # noqa: DTZ001 - naive on purpose
            {"time": "01.05.26 09:05", "tz": "-1"},
            id="time-naive",
        ),
        pytest.param({"time": dt.timedelta(hours=2)}, {"time": "+120"}, id="time-delay"),
        pytest.param({"time": "0105261230"}, {"time": "0105261230"}, id="time-digits"),
        pytest.param({"time": "9-18"}, {"time": "9-18"}, id="time-hours"),
        pytest.param({"time": "+15"}, {"time": "+15"}, id="time-offset"),
        pytest.param({"time": "0"}, {"time": "0"}, id="time-now"),
        pytest.param(
            {"period": 0.5, "freq": 10}, {"period": "0.5", "freq": "10"}, id="period-freq"
        ),
        pytest.param({"period": 720}, {"period": "720"}, id="period-max"),
        pytest.param({"valid": 2}, {"valid": "2"}, id="valid-hours"),
        pytest.param({"valid": dt.timedelta(minutes=90)}, {"valid": "01:30"}, id="valid-delta"),
        pytest.param({"valid": "24:00"}, {"valid": "24:00"}, id="valid-clock"),
        pytest.param(
            {"fileurl": "https://example.com/a.jpg", "kind": MessageType.MMS},
            {"fileurl": "https://example.com/a.jpg", "mms": "1"},
            id="fileurl",
        ),
        pytest.param({"params": {"pp": "123"}}, {"pp": "123"}, id="extra-params"),
    ],
)
async def test_send_options_are_posted(
    router: respx.MockRouter, kwargs: dict[str, Any], fields: dict[str, str]
) -> None:
    """Each option adds exactly its SMSC fields to the form."""
    form = await send_form(router, **kwargs)
    text = fields.pop("mes", "Hi")
    assert expected_form(phones=PHONE, mes=text, id="7", **fields) == form


@pytest.mark.parametrize("kind", [MessageType.HLR, MessageType.PING])
async def test_hlr_and_ping_post_no_text(router: respx.MockRouter, kind: MessageType) -> None:
    """An HLR or ping request names the kind and the phones, with no mes."""
    form = await send_form(router, kind=kind, text=None)
    assert expected_form(phones=PHONE, id="7", **{kind.name.lower(): "1"}) == form


async def test_phones_in_one_string_and_groups_are_posted_as_a_list(
    router: respx.MockRouter,
) -> None:
    """A string of phones split by ';' or ',' and a G<group> are posted comma-separated."""
    route = router.post("send.php").mock(return_value=reply(SENT_JSON))
    async with make_client() as smsc:
        await smsc.messages.send(f"+{PHONE}; {OTHER},G12", "Hi", id=1)
    assert f"+{PHONE},{OTHER},G12" == forms(route)[0]["phones"]


async def test_an_email_is_sent_with_its_subject_sender_and_attachment(
    router: respx.MockRouter,
) -> None:
    """mail=1 with subj and the sender's address; attachments go as multipart file0."""
    route = router.post("send.php").mock(return_value=reply(SENT_JSON))
    async with make_client() as smsc:
        await smsc.messages.send(
            "client@example.com",
            "<p>Invoice</p>",
            kind=MessageType.MAIL,
            sender="shop@example.com",
            subject="Your invoice",
            attachments=[Attachment("invoice.pdf", b"%PDF-1.4 ...")],
            id=3,
        )
    parts = {
        p.get_param("name", header="content-disposition"): p
        for p in multipart_parts(route.calls[0].request)
    }
    fields = {name: part.get_content() for name, part in parts.items() if name != "file0"}
    assert {
        "phones": "client@example.com",
        "mes": "<p>Invoice</p>",
        "id": "3",
        "mail": "1",
        "sender": "shop@example.com",
        "subj": "Your invoice",
        "fmt": "3",
        "charset": "utf-8",
        "login": LOGIN,
        "psw": PASSWORD,
    } == fields
    assert ("invoice.pdf", "application/pdf", b"%PDF-1.4 ...") == (
        parts["file0"].get_filename(),
        parts["file0"].get_content_type(),
        parts["file0"].get_content(),
    )


async def test_send_list_posts_one_line_per_recipient(router: respx.MockRouter) -> None:
    """list= holds 'phone:text' lines; there is no phones or mes."""
    route = router.post("send.php").mock(return_value=reply(SENT_JSON))
    async with make_client() as smsc:
        await smsc.messages.send_list(
            {PHONE: "Your code: 1", OTHER: "Your code: 2"}, id=9, sender="Shop"
        )
    expected = expected_form(
        list=f"{PHONE}:Your code: 1\n{OTHER}:Your code: 2", id="9", sender="Shop"
    )
    assert expected == forms(route)[0]


async def test_send_replies_decode_in_every_format(router: respx.MockRouter, fmt: Format) -> None:
    """The cost=3 reply with per-phone rows decodes to the same model in every format."""
    bodies = {
        Format.LINES: "OK - 1 SMS, ID - 5, COST - 1.40, BALANCE - 98.60\n"
        f"phone = {PHONE}, mccmnc = 25001, cost = 1.40, status = -1, error = 0",
        Format.CSV: f"5,1,1.40,98.60\n{PHONE},25001,1.40,-1,0",
        Format.XML: "<result><id>5</id><cnt>1</cnt><cost>1.40</cost><balance>98.60</balance>"
        f"<phones><item><phone>{PHONE}</phone><mccmnc>25001</mccmnc><cost>1.40</cost>"
        "<status>-1</status><error>0</error></item></phones></result>",
        Format.JSON: '{"id": 5, "cnt": 1, "cost": "1.40", "balance": "98.60", "phones": '
        f'[{{"phone": "{PHONE}", "mccmnc": "25001", "cost": "1.40", "status": "-1", '
        '"error": "0"}]}',
    }
    router.post("send.php").mock(return_value=reply(bodies[fmt]))
    async with make_client(fmt) as smsc:
        sent = await smsc.messages.send(PHONE, "Hi", id=5, report_balance=True, details=True)
    assert ("5", 1, Decimal("1.40"), Decimal("98.60")) == (
        sent.id,
        sent.cnt,
        sent.cost,
        sent.balance,
    )
    assert [(PHONE, "25001", MessageStatus.WAITING)] == [
        (p.phone, p.mccmnc, p.status) for p in sent.phones
    ]


@pytest.mark.parametrize(("code", "cls"), [(3, InsufficientFundsError), (7, InvalidNumberError)])
async def test_send_errors_carry_the_servers_message_id(
    router: respx.MockRouter, fmt: Format, code: int, cls: type[Exception]
) -> None:
    """Errors 3 and 7 raise their class with the message id SMSC names."""
    bodies = {
        Format.LINES: f"ERROR = {code} (denied), ID - 541",
        Format.CSV: f"541,-{code}",
        Format.XML: f"<result><error>denied</error><error_code>{code}</error_code>"
        "<id>541</id></result>",
        Format.JSON: f'{{"error": "denied", "error_code": {code}, "id": 541}}',
    }
    router.post("send.php").mock(return_value=reply(bodies[fmt]))
    async with make_client(fmt) as smsc:
        with pytest.raises(cls) as caught:
            await smsc.messages.send(PHONE, "Hi", id=541)
    assert (code, "541") == (caught.value.code, caught.value.id)  # type: ignore[attr-defined]


# -- send safety ---------------------------------------------------------------------------


async def test_a_send_whose_answer_is_lost_is_not_repeated(router: respx.MockRouter) -> None:
    """A read timeout after sending raises SendUnconfirmedError with the id, after one try."""
    route = router.post("send.php").mock(side_effect=httpx.ReadTimeout("slow"))
    async with make_client(retries=3) as smsc:
        with pytest.raises(SendUnconfirmedError) as caught:
            await smsc.messages.send([PHONE, OTHER], "Hi", id="order-17")
    error = caught.value
    assert 1 == route.call_count
    assert ("order-17", (PHONE, OTHER), None, True) == (
        error.id,
        error.phones,
        error.code,
        error.request_sent,
    )
    assert "message id order-17" in str(error)
    assert "not repeated" in str(error)


async def test_an_unconfirmed_send_names_the_id_the_sdk_assigned(
    router: respx.MockRouter,
) -> None:
    """Without a caller's id, the error names the id that was posted."""
    route = router.post("send.php").mock(side_effect=httpx.RemoteProtocolError("dropped"))
    async with make_client() as smsc:
        with pytest.raises(SendUnconfirmedError) as caught:
            await smsc.messages.send(PHONE, "Hi")
    assert forms(route)[0]["id"] == caught.value.id


@pytest.mark.looptime
async def test_a_duplicate_refusal_is_not_waited_out_and_resent(
    router: respx.MockRouter, fmt: Format
) -> None:
    """Error 9 to a send (a duplicate within the minute) is raised at once, not retried."""
    route = router.post("send.php").mock(
        return_value=reply(render_error(fmt, 9, "duplicate request, wait a minute"))
    )
    loop = asyncio.get_running_loop()
    async with make_client(fmt, retries=3) as smsc:
        with pytest.raises(SendUnconfirmedError) as caught:
            await smsc.messages.send_list({PHONE: "a", OTHER: "b"}, id=4)
    assert (1, 0.0) == (route.call_count, loop.time())
    assert (9, "4", (PHONE, OTHER)) == (caught.value.code, caught.value.id, caught.value.phones)


@pytest.mark.looptime
async def test_too_many_in_flight_is_retried_for_a_send(router: respx.MockRouter) -> None:
    """Error 9 for 15 requests in flight refused the send outright: it is sent again."""
    route = router.post("send.php").mock(
        side_effect=[
            reply(render_error(Format.JSON, 9, "too many concurrent requests")),
            reply(SENT_JSON),
        ]
    )
    async with make_client(retries=1) as smsc:
        sent = await smsc.messages.send(PHONE, "Hi", id=279)
    assert (2, "279") == (route.call_count, sent.id)


@pytest.mark.looptime
async def test_an_identical_send_waits_for_the_window(router: respx.MockRouter) -> None:
    """The same text to the same phones again, other id or none, leaves 61 s later."""
    loop = asyncio.get_running_loop()
    times: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        times.append(loop.time())
        return reply(SENT_JSON)

    router.post("send.php").mock(side_effect=answer)
    async with make_client() as smsc:
        await asyncio.gather(
            smsc.messages.send(PHONE, "Hi"),
            smsc.messages.send(PHONE, "Hi", id=5),
            smsc.messages.send(OTHER, "Hi"),
        )
    assert [0.0, 0.0, 61.0] == sorted(times)


# -- cost ----------------------------------------------------------------------------------


async def test_cost_posts_cost_1_and_no_id(router: respx.MockRouter) -> None:
    """A price request posts cost=1 with the content options, and no id."""
    route = router.post("send.php").mock(return_value=reply('{"cnt": 2, "cost": "3.20"}'))
    async with make_client() as smsc:
        price = await smsc.messages.cost([PHONE, OTHER], "Hi", translit=1, details=True)
    assert (
        expected_form(phones=f"{PHONE},{OTHER}", mes="Hi", cost="1", translit="1", op="1")
        == (forms(route)[0])
    )
    assert MessageCost(Decimal("3.20"), 2) == price


@pytest.mark.looptime
async def test_identical_cost_requests_in_flight_share_one(router: respx.MockRouter) -> None:
    """Three identical price requests at once are one request."""
    route = router.post("send.php").mock(return_value=reply('{"cnt": 1, "cost": "1.60"}'))
    async with make_client() as smsc:
        prices = await asyncio.gather(*(smsc.messages.cost(PHONE, "Hi") for _ in range(3)))
    assert (1, 1) == (route.call_count, len(set(prices)))


# -- status and delete ---------------------------------------------------------------------


async def test_status_posts_phone_and_id_and_fills_them_in(router: respx.MockRouter) -> None:
    """A single status posts phone and id (and all when asked); the report names both."""
    route = router.post("status.php").mock(
        return_value=reply('{"status": 1, "last_timestamp": 1476794052}')
    )
    async with make_client() as smsc:
        basic = await smsc.messages.status(PHONE, 279)
        await smsc.messages.status(PHONE, "order-1", detail=StatusDetail.LOCATION)
    assert [
        expected_form(phone=PHONE, id="279"),
        expected_form(phone=PHONE, id="order-1", all="2"),
    ] == forms(route)
    assert StatusReport(MessageStatus.DELIVERED, None, 1476794052, id="279", phone=PHONE) == basic


async def test_status_many_posts_lists_with_a_trailing_comma(router: respx.MockRouter) -> None:
    """Several messages: phone and id lists in order, each ending with a comma."""
    route = router.post("status.php").mock(
        return_value=reply(
            f'[{{"status": 1, "id": 5, "phone": "{PHONE}"}}, '
            f'{{"status": -3, "id": 6, "phone": "{OTHER}"}}]'
        )
    )
    async with make_client() as smsc:
        reports = await smsc.messages.status_many([(PHONE, 5), (OTHER, "6")], detail=1)
    assert expected_form(phone=f"{PHONE},{OTHER},", id="5,6,", all="1") == forms(route)[0]
    assert [(MessageStatus.DELIVERED, "5"), (MessageStatus.NOT_FOUND, "6")] == [
        (r.status, r.id) for r in reports
    ]


async def test_status_many_of_one_message_keeps_the_list_form(router: respx.MockRouter) -> None:
    """One pair still posts the several-messages form, and reads an array back."""
    route = router.post("status.php").mock(
        return_value=reply(f'[{{"status": 0, "id": 5, "phone": "{PHONE}"}}]')
    )
    async with make_client() as smsc:
        reports = await smsc.messages.status_many([(PHONE, 5)])
    assert (f"{PHONE},", "5,") == (forms(route)[0]["phone"], forms(route)[0]["id"])
    assert [MessageStatus.TRANSFERRED] == [r.status for r in reports]


async def test_delete_posts_del_1(router: respx.MockRouter, fmt: Format) -> None:
    """Deleting posts del=1 with the phone and id and reads OK."""
    route = router.post("status.php").mock(return_value=reply(render_ok(fmt)))
    async with make_client(fmt) as smsc:
        await smsc.messages.delete(PHONE, 279)
    assert expected_form(fmt, **{"del": "1"}, phone=PHONE, id="279") == forms(route)[0]


# -- balance -------------------------------------------------------------------------------


async def test_balance_posts_cur_only_when_asked(router: respx.MockRouter) -> None:
    """balance() posts nothing but the account; currency=True adds cur=1."""
    route = router.post("balance.php").mock(
        side_effect=[
            reply('{\n"balance": "1871.62"\n}'),
            reply('{"balance": "1871.62", "currency": "RUR"}'),
        ]
    )
    async with make_client() as smsc:
        plain = await smsc.balance()
        with_currency = await smsc.balance(currency=True)
    assert [expected_form(), expected_form(cur="1")] == forms(route)
    assert (Balance(Decimal("1871.62")), Balance(Decimal("1871.62"), "RUR")) == (
        plain,
        with_currency,
    )


async def test_balance_decodes_every_format(router: respx.MockRouter, fmt: Format) -> None:
    """The bare fmt=0/1 value and the fmt=2/3 documents are one balance."""
    bodies = {
        Format.LINES: "250.80",
        Format.CSV: "250.80",
        Format.XML: "<result><balance>250.80</balance></result>",
        Format.JSON: '{"balance": "250.80"}',
    }
    router.post("balance.php").mock(return_value=reply(bodies[fmt]))
    async with make_client(fmt) as smsc:
        assert Balance(Decimal("250.80")) == await smsc.balance()
