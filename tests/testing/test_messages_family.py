"""The emulator's send.php and balance.php, driven with raw forms, in virtual time."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from smsc_async import AccountType, Format, SenderStatus
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, Violation
from smsc_async.testing._messages import DEFAULT_BALANCE

pytestmark = pytest.mark.looptime

MTS = "79161234567"  # zone 1, mccmnc 25001: 1.60 a part (the operator's own price)
MEGAFON = "79261234567"  # zone 2: 1.85 a part
BEELINE = "79031234567"  # in no zone: the fallback price, 2.50


async def post(emulator: Emulator, script: str, **params: str | Format) -> str:
    """A form posted to the emulator with raw httpx (``fmt`` 3 by default); the body."""
    form = {"login": DEFAULT_LOGIN, "psw": DEFAULT_PASSWORD, "fmt": "3", "charset": "utf-8"}
    form.update((k, str(int(v)) if isinstance(v, Format) else v) for k, v in params.items())
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url="http://smsc.emulator/sys/"
    ) as http:
        response = await http.post(script, data=form)
    return response.text


async def send(emulator: Emulator, **params: str) -> Any:
    """send.php in fmt=3: the decoded answer."""
    return json.loads(await post(emulator, "send.php", **params))


# -- replies in the four formats -----------------------------------------------------------

SENT = {
    "0": {
        Format.LINES: "OK - 1 SMS, ID - 1",
        Format.CSV: "1,1",
        Format.XML: "<result>\n<id>1</id>\n<cnt>1</cnt>\n</result>",
        Format.JSON: '{\n"id": 1,\n"cnt": 1\n}',
    },
    "2": {
        Format.LINES: "OK - 1 SMS, ID - 1, COST - 1.60",
        Format.CSV: "1,1,1.60",
        Format.XML: "<result>\n<id>1</id>\n<cnt>1</cnt>\n<cost>1.60</cost>\n</result>",
        Format.JSON: '{\n"id": 1,\n"cnt": 1,\n"cost": "1.60"\n}',
    },
    "3": {
        Format.LINES: "OK - 1 SMS, ID - 1, COST - 1.60, BALANCE - 99998.40",
        Format.CSV: "1,1,1.60,99998.40",
        Format.XML: (
            "<result>\n<id>1</id>\n<cnt>1</cnt>\n<cost>1.60</cost>\n"
            "<balance>99998.40</balance>\n</result>"
        ),
        Format.JSON: '{\n"id": 1,\n"cnt": 1,\n"cost": "1.60",\n"balance": "99998.40"\n}',
    },
    "1": {
        Format.LINES: "OK - 1 SMS, COST - 1.60",
        Format.CSV: "1.60,1",
        Format.XML: "<result>\n<cnt>1</cnt>\n<cost>1.60</cost>\n</result>",
        Format.JSON: '{\n"cnt": 1,\n"cost": "1.60"\n}',
    },
}


@pytest.mark.parametrize("cost", ["0", "1", "2", "3"])
async def test_send_answers_every_cost_mode_in_every_format(fmt: Format, cost: str) -> None:
    """cost=0 id and count; 1 price and count; 2 adds the cost; 3 the new balance too."""
    emulator = Emulator()
    body = await post(emulator, "send.php", fmt=fmt, phones=MTS, mes="Hello", cost=cost)
    assert SENT[cost][fmt] == body
    expected_balance = DEFAULT_BALANCE - (0 if cost == "1" else Decimal("1.60"))
    assert expected_balance == emulator.messages.balance_of(DEFAULT_LOGIN)
    assert (0 if cost == "1" else 1) == len(emulator.outbox.entries)


async def test_op_adds_a_row_per_recipient_in_every_format(fmt: Format) -> None:
    """op=1: phone, mccmnc, cost, status, error per recipient, after the usual fields."""
    emulator = Emulator()
    body = await post(emulator, "send.php", fmt=fmt, phones=f"{MTS},12", mes="Hi", op="1")
    expected = {
        Format.LINES: (
            "OK - 1 SMS, ID - 1\n"
            f"phone = {MTS}, mccmnc = 25001, cost = 1.60, status = -1, error = 0\n"
            "phone = 12, mccmnc = , cost = 0.00, status = 22, error = 249"
        ),
        Format.CSV: f"1,1\n{MTS},25001,1.60,-1,0\n12,,0.00,22,249",
        Format.XML: (
            "<result>\n<id>1</id>\n<cnt>1</cnt>\n<phones>\n"
            f"<item>\n<phone>{MTS}</phone>\n<mccmnc>25001</mccmnc>\n<cost>1.60</cost>\n"
            "<status>-1</status>\n<error>0</error>\n</item>\n"
            "<item>\n<phone>12</phone>\n<mccmnc></mccmnc>\n<cost>0.00</cost>\n"
            "<status>22</status>\n<error>249</error>\n</item>\n</phones>\n</result>"
        ),
        Format.JSON: json.dumps(
            {
                "id": 1,
                "cnt": 1,
                "phones": [
                    {"phone": MTS, "mccmnc": "25001", "cost": "1.60", "status": "-1", "error": "0"},
                    {"phone": "12", "mccmnc": "", "cost": "0.00", "status": "22", "error": "249"},
                ],
            },
            indent=0,
        ),
    }
    assert expected[fmt] == body


async def test_err_lists_only_the_refused_recipients() -> None:
    emulator = Emulator()
    answer = await send(emulator, phones=f"{MTS};abc", mes="Hi", err="1")
    assert [("abc", "22", "249")] == [
        (p["phone"], p["status"], p["error"]) for p in answer["phones"]
    ]
    assert "phones" not in await send(emulator, phones=MTS, mes="Hi again", err="1")


# -- errors with and without the message id ------------------------------------------------


def _error(fmt: Format, code: int, message: str, id: str | None) -> str:  # noqa: A002
    tail = {
        Format.LINES: f", ID - {id}",
        Format.CSV: "",
        Format.XML: f"\n<id>{id}</id>",
        Format.JSON: f',\n"id": {id}',
    }
    if fmt is Format.CSV:
        return f"{id if id else 0},-{code}"
    if fmt is Format.LINES:
        return f"ERROR = {code} ({message})" + (tail[fmt] if id else "")
    if fmt is Format.XML:
        return (
            f"<result>\n<error>{message}</error>\n<error_code>{code}</error_code>"
            + (tail[fmt] if id else "")
            + "\n</result>"
        )
    return f'{{\n"error": "{message}",\n"error_code": {code}' + (tail[fmt] if id else "") + "\n}"


def _provoke(emulator: Emulator, code: int) -> dict[str, str]:
    """Set the emulator up so that a send earns error ``code``; the send's parameters."""
    if code == 3:
        emulator.messages.set_balance(DEFAULT_LOGIN, Decimal("1.00"))
    if code == 6:
        emulator.messages.denied_words.add("casino")
        return {"phones": MTS, "mes": "Best CASINO in town"}
    if code == 7:
        return {"phones": "12345", "mes": "Hi"}
    if code == 8:
        emulator.messages.undeliverable.add(MTS)
    return {"phones": MTS, "mes": "Hi"}


@pytest.mark.parametrize(
    ("code", "message", "status"),
    [
        (3, "no money", 24),
        (6, "message is denied", 23),
        (7, "invalid number", 22),
        (8, "can't to deliver", 20),
    ],
)
async def test_errors_3_6_7_8_carry_the_message_id_in_every_format(
    fmt: Format, code: int, message: str, status: int
) -> None:
    """The error names the id assigned; its record holds the refusal's status; no debit."""
    emulator = Emulator()
    params = _provoke(emulator, code)
    before = emulator.messages.balance_of(DEFAULT_LOGIN)
    assert _error(fmt, code, message, "1") == await post(emulator, "send.php", fmt=fmt, **params)
    (entry,) = emulator.outbox.entries
    assert ("1", status, Decimal(0)) == (entry.id, entry.status, entry.cost)
    assert before == emulator.messages.balance_of(DEFAULT_LOGIN)


async def test_an_error_names_the_callers_own_id() -> None:
    emulator = Emulator()
    answer = await send(emulator, phones="12345", mes="Hi", id="order-17")
    assert {"error": "invalid number", "error_code": 7, "id": "order-17"} == answer


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"phones": MTS}, 1),  # no text
        ({"mes": "Hi"}, 1),  # no phones
        ({"phones": MTS, "mes": "x" * 1001}, 1),
        ({"phones": MTS, "mes": "Hi", "flash": "1", "viber": "1"}, 1),
        ({"phones": MTS, "mes": "Hi", "id": "bad id!"}, 1),
        ({"phones": MTS, "mes": "Hi", "valid": "25"}, 1),
        ({"phones": MTS, "mes": "Hi", "maxsms": "0"}, 1),
        ({"phones": MTS, "mes": "Hi", "mail": "1"}, 1),  # mail needs subj and sender
        ({"phones": MTS, "mes": "Hi", "time": "tomorrow"}, 5),
        ({"phones": MTS, "mes": "Hi", "time": "32.01.26 10:00"}, 5),
    ],
)
async def test_errors_1_and_5_carry_no_id_and_record_nothing(
    fmt: Format, params: dict[str, str], code: int
) -> None:
    emulator = Emulator()
    body = await post(emulator, "send.php", fmt=fmt, **params)
    if code == 5:
        assert _error(fmt, 5, "invalid time format", None) == body
    elif fmt is Format.LINES:
        assert body.startswith("ERROR = 1 (")
        assert "ID" not in body
    elif fmt is Format.CSV:
        assert "0,-1" == body
    elif fmt is Format.XML:
        assert "<error_code>1</error_code>" in body
        assert "<id>" not in body
    else:
        assert (1, False) == (json.loads(body)["error_code"], "id" in json.loads(body))
    assert [] == emulator.outbox.entries


async def test_a_sender_can_be_denied_or_required_to_be_registered() -> None:
    emulator = Emulator()
    emulator.messages.denied_senders.add("Bank")
    assert 6 == (await send(emulator, phones=MTS, mes="Hi", sender="Bank"))["error_code"]
    emulator.messages.registered_senders_only = True
    assert 6 == (await send(emulator, phones=MTS, mes="Hi", sender="Shop"))["error_code"]
    await post(emulator, "senders.php", add="1", sender="Shop")
    emulator.senders.names[DEFAULT_LOGIN][1001].status = SenderStatus.ALLOWED
    assert "id" in await send(emulator, phones=MTS, mes="Hi!", sender="Shop")
    assert [(23, 254), (23, 254), (-1, 0)] == [(e.status, e.err) for e in emulator.outbox.entries]


# -- what a send records -------------------------------------------------------------------


async def test_ids_count_up_per_login_and_a_callers_numeric_id_moves_the_count() -> None:
    emulator = Emulator()
    emulator.add_subclient("sub1", "Str0ng-pass", balance=Decimal(10))
    assert 1 == (await send(emulator, phones=MTS, mes="a"))["id"]
    assert 40 == (await send(emulator, phones=MTS, mes="b", id="40"))["id"]
    assert 41 == (await send(emulator, phones=MTS, mes="c"))["id"]
    sub = json.loads(
        await post(emulator, "send.php", login="sub1", psw="Str0ng-pass", phones=MTS, mes="d")
    )
    assert 1 == sub["id"]


async def test_several_phones_share_one_id_and_the_count_is_parts_times_recipients() -> None:
    emulator = Emulator()
    text = "x" * 161  # two parts of GSM text
    answer = await send(emulator, phones=f"{MTS}, +{MEGAFON};8 (903) 123-45-67", mes=text)
    assert {"id": 1, "cnt": 6} == answer
    entries = emulator.outbox.entries
    assert [MTS, MEGAFON, BEELINE] == [e.phone for e in entries]
    assert [("1", 2)] * 3 == [(e.id, e.parts) for e in entries]
    # 2 x 1.60 (MTS's own price), 2 x 1.85 (zone 2), 2 x 2.50 (no zone)
    assert [Decimal("3.20"), Decimal("3.70"), Decimal("5.00")] == [e.cost for e in entries]
    assert DEFAULT_BALANCE - Decimal("11.90") == emulator.messages.balance_of(DEFAULT_LOGIN)


async def test_cyrillic_counts_70_and_67_a_part() -> None:
    emulator = Emulator()
    one = await send(emulator, phones=MTS, mes="я" * 70, cost="1")
    three = await send(emulator, phones=MTS, mes="я" * 135, cost="1")
    assert (1, 3) == (one["cnt"], three["cnt"])


async def test_list_sends_each_recipient_its_own_text_and_sender() -> None:
    emulator = Emulator()
    lines = f"{MTS}:Your code: 123\nShop,3|{MEGAFON}:Your code: 456\n"
    assert {"id": 1, "cnt": 2} == await send(emulator, list=lines)
    assert [(MTS, "Your code: 123", ""), (MEGAFON, "Your code: 456", "Shop")] == [
        (e.phone, e.text, e.sender) for e in emulator.outbox.entries
    ]


async def test_kinds_translit_tinyurl_and_maxsms_shape_what_is_recorded() -> None:
    emulator = Emulator()
    await send(emulator, phones=MTS, mes="Привет", translit="1")
    await send(emulator, phones=MTS, hlr="1")
    await send(emulator, phones=MTS, mes="See https://example.com/a?b=c now", tinyurl="1")
    await send(emulator, phones=MTS, mes="я" * 300, maxsms="2")
    await send(emulator, phones="a@b.ru", mes="Hi", mail="1", subj="S", sender="me@shop.ru")
    hello, hlr, link, cut, mail = emulator.outbox.entries
    assert ("sms", "Privet") == (hello.kind, hello.text)
    assert ("hlr", "", Decimal("0.20")) == (hlr.kind, hlr.text, hlr.cost)
    assert "See https://smsc.ru/t/00001 now" == link.text
    assert (2, 134) == (cut.parts, len(cut.text))
    assert ("mail", "a@b.ru", Decimal("0.05")) == (mail.kind, mail.phone, mail.cost)


async def test_a_group_sends_to_its_contacts() -> None:
    emulator = Emulator()
    emulator.contacts.add_contact([MTS], groups=[7])
    emulator.contacts.add_contact([MEGAFON], groups=[7])
    assert {"id": 1, "cnt": 2} == await send(emulator, phones="G7", mes="Hi")


async def test_a_shared_balance_is_the_parents_and_credit_lets_it_go_below_zero() -> None:
    emulator = Emulator()
    emulator.add_subclient("own", "Str0ng-pass", balance=Decimal("1.00"))
    emulator.add_subclient("shared", "Str0ng-pass", type=AccountType.MAIN_BALANCE)
    own = {"login": "own", "psw": "Str0ng-pass"}
    assert (
        3 == json.loads(await post(emulator, "send.php", **own, phones=MTS, mes="Hi"))["error_code"]
    )
    shared = {"login": "shared", "psw": "Str0ng-pass"}
    assert 1 == json.loads(await post(emulator, "send.php", **shared, phones=MTS, mes="Hi"))["id"]
    assert DEFAULT_BALANCE - Decimal("1.60") == emulator.messages.balance_of(DEFAULT_LOGIN)
    assert 1 == emulator.users.subclients["shared"].messages
    emulator.messages.credits["own"] = Decimal(5)
    assert "id" in json.loads(await post(emulator, "send.php", **own, phones=MTS, mes="Hi 2"))
    assert Decimal("-0.60") == emulator.messages.balance_of("own")


# -- balance.php ---------------------------------------------------------------------------


async def test_balance_in_every_format_with_and_without_currency(fmt: Format) -> None:
    emulator = Emulator()
    emulator.messages.set_balance(DEFAULT_LOGIN, Decimal("250.8"))
    plain = {
        Format.LINES: "250.80",
        Format.CSV: "250.80",
        Format.XML: "<result>\n<balance>250.80</balance>\n</result>",
        Format.JSON: '{\n"balance": "250.80"\n}',
    }
    with_currency = {
        Format.LINES: "250.80,RUR",
        Format.CSV: "250.80,RUR",
        Format.XML: "<result>\n<balance>250.80</balance>\n<currency>RUR</currency>\n</result>",
        Format.JSON: '{\n"balance": "250.80",\n"currency": "RUR"\n}',
    }
    assert plain[fmt] == await post(emulator, "balance.php", fmt=fmt)
    assert with_currency[fmt] == await post(emulator, "balance.php", fmt=fmt, cur="1")


async def test_balance_shows_a_credit_with_the_currency() -> None:
    emulator = Emulator()
    emulator.messages.credits[DEFAULT_LOGIN] = Decimal(100)
    answer = json.loads(await post(emulator, "balance.php", cur="1"))
    assert {"balance": "100000.00", "credit": "100.00", "currency": "RUR"} == answer
    assert "100000.00" == await post(emulator, "balance.php", fmt=Format.CSV)


async def test_a_send_is_debited_from_the_balance_shown() -> None:
    emulator = Emulator()
    await send(emulator, phones=MTS, mes="Hi")
    assert {"balance": "99998.40"} == json.loads(await post(emulator, "balance.php"))


# -- rules -----------------------------------------------------------------------------------


async def test_a_second_identical_send_within_a_minute_is_refused() -> None:
    """Error 9, no id; a different text goes; after the minute the same text goes again."""
    emulator = Emulator()
    assert "id" in await send(emulator, phones=MTS, mes="Hi")
    await asyncio.sleep(30)
    assert {"error": "duplicate request, wait a minute", "error_code": 9} == await send(
        emulator, phones=MTS, mes="Hi"
    )
    assert "id" in await send(emulator, phones=MTS, mes="Hi there")
    rule = "send.send: 1 identical per 1 min"
    assert [Violation(30.0, DEFAULT_LOGIN, "send.send", rule, "127.0.0.1")] == emulator.violations
    await asyncio.sleep(30)
    assert "id" in await send(emulator, phones=MTS, mes="Hi")
    assert 3 == len(emulator.outbox.entries)


async def test_the_sixth_identical_cost_request_within_a_minute_is_refused() -> None:
    emulator = Emulator()
    for _ in range(5):
        assert "cost" in await send(emulator, phones=MTS, mes="Hi", cost="1")
    assert 9 == (await send(emulator, phones=MTS, mes="Hi", cost="1"))["error_code"]
    assert "id" in await send(emulator, phones=MTS, mes="Hi")  # a send is another command
    assert ["send.cost"] * 6 + ["send.send"] == [e.command for e in emulator.traffic]


async def test_the_eleventh_balance_request_within_a_minute_is_refused() -> None:
    emulator = Emulator()
    for k in range(10):
        assert "balance" in json.loads(await post(emulator, "balance.php", cur=str(k % 2)))
    assert 9 == json.loads(await post(emulator, "balance.php"))["error_code"]
    await asyncio.sleep(60)
    assert "balance" in json.loads(await post(emulator, "balance.php"))


async def test_a_text_without_charset_is_read_as_windows_1251() -> None:
    """SMSC's default charset: the Cyrillic text is recorded as sent, one UCS-2 part."""
    emulator = Emulator()
    body = f"login={DEFAULT_LOGIN}&psw={DEFAULT_PASSWORD}&fmt=3&phones={MTS}&mes=%CF%F0%E8%E2%E5%F2"
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url="http://smsc.emulator/sys/"
    ) as http:
        response = await http.post(
            "send.php",
            content=body.encode(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert {"id": 1, "cnt": 1} == response.json()
    assert ("Привет", 1) == (emulator.outbox.entries[0].text, emulator.outbox.entries[0].parts)


async def test_a_hundred_erroneous_sends_in_a_row_block_the_ip() -> None:
    """The 100th refused send in a row blocks the address for 10 minutes (error 4)."""
    emulator = Emulator()
    assert "id" in await send(emulator, phones=MTS, mes="ok")
    for k in range(100):
        assert 7 == (await send(emulator, phones="12", mes=f"bad {k}"))["error_code"]
    assert 4 == (await send(emulator, phones=MTS, mes="ok again"))["error_code"]
    assert ["100 erroneous sends in a row"] == [b.reason for b in emulator.bans]
    await asyncio.sleep(600)
    assert "id" in await send(emulator, phones=MTS, mes="ok at last")
