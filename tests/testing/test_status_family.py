"""The emulator's status.php: statuses over emulated time, all=0/1/2, many messages, del=1."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from smsc_async import Format
from smsc_async.testing import DEFAULT_LOGIN, Emulator, Violation
from tests._support import EMULATOR_START
from tests.testing.test_messages_family import MTS, post, send

pytestmark = pytest.mark.looptime

SENT = 1767247200  # 01.01.2026 09:00:00 MSK, the emulator's first moment
DELIVERED = SENT + 5
OPERATOR = "МТС"  # noqa: RUF001 - the operator's name is Cyrillic


async def status(emulator: Emulator, **params: str) -> Any:
    """status.php in fmt=3: the decoded answer."""
    return json.loads(await post(emulator, "status.php", **params))


async def test_a_message_is_queued_then_handed_over_then_delivered() -> None:
    """-1 at once, 0 after a second, 1 after five; the last change's time goes with it."""
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="Hi")
    queued = await status(emulator, phone=MTS, id="1")
    assert {"status": -1, "last_date": "01.01.2026 09:00:00", "last_timestamp": SENT} == queued
    await asyncio.sleep(2)
    assert 0 == (await status(emulator, phone=MTS, id="1"))["status"]
    await asyncio.sleep(4)
    delivered = await status(emulator, phone=MTS, id="1")
    expected = {"status": 1, "last_date": "01.01.2026 09:00:05", "last_timestamp": DELIVERED}
    assert expected == delivered


async def test_a_compressed_minute_compresses_the_delivery() -> None:
    emulator = Emulator(start=EMULATOR_START, minute=6.0)  # ten times as fast
    await send(emulator, phones=MTS, mes="Hi")
    await asyncio.sleep(0.6)
    assert {"status": 1, "last_date": "01.01.2026 09:00:05", "last_timestamp": DELIVERED} == (
        await status(emulator, phone=MTS, id="1")
    )


async def test_a_scheduled_message_waits_for_its_time() -> None:
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="Later", time="+10")
    await asyncio.sleep(9 * 60)
    assert -1 == (await status(emulator, phone=MTS, id="1"))["status"]
    await asyncio.sleep(66)
    assert 1 == (await status(emulator, phone=MTS, id="1"))["status"]


async def test_fates_and_force_set_what_a_message_ends_in() -> None:
    """A fate replaces delivery (status and err); force sets a status at once."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.messages.fates[MTS] = (20, 6)
    await send(emulator, phones=MTS, mes="Hi")
    await asyncio.sleep(10)
    answer = await status(emulator, phone=MTS, id="1")
    assert (20, 6) == (answer["status"], answer["err"])
    emulator.outbox.force(DEFAULT_LOGIN, "1", MTS, 3, err=245)
    assert (3, 245) == (emulator.outbox.entries[0].status, emulator.outbox.entries[0].err)


# -- layouts ---------------------------------------------------------------------------------

ALL_0 = {
    Format.LINES: "Status = 1, check_time = 01.01.2026 09:00:05, err = 0",
    Format.CSV: f"1,{DELIVERED},0",
    Format.XML: (
        "<sms>\n<status>1</status>\n<last_date>01.01.2026 09:00:05</last_date>\n"
        f"<last_timestamp>{DELIVERED}</last_timestamp>\n</sms>"
    ),
    Format.JSON: (
        f'{{\n"status": 1,\n"last_date": "01.01.2026 09:00:05",\n"last_timestamp": {DELIVERED}\n}}'
    ),
}
ALL_2 = {
    Format.LINES: (
        "Status = 1, check_time = 01.01.2026 09:00:05, err = 0, "
        f"send_date = 01.01.2026 09:00:00, phone = {MTS}, country = Россия, operator = {OPERATOR}, "
        "region = Москва, cost = 1.60, sender_id = Shop, status_name = Доставлено, "
        "message = Hi, all"
    ),
    Format.CSV: (
        f"1,{DELIVERED},0,{SENT},{MTS},Россия,{OPERATOR},Москва,1.60,Shop,Доставлено,Hi, all"
    ),
}


async def test_one_message_in_every_format(fmt: Format) -> None:
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="Hi, all", sender="Shop")
    await asyncio.sleep(10)
    assert ALL_0[fmt] == await post(emulator, "status.php", fmt=fmt, phone=MTS, id="1")
    full = await post(emulator, "status.php", fmt=fmt, phone=MTS, id="1", all="2")
    if fmt in ALL_2:
        assert ALL_2[fmt] == full
    elif fmt is Format.XML:
        assert "<region>Москва</region>\n<cost>1.60</cost>\n<sender_id>Shop</sender_id>" in full
    else:
        assert {
            "status": 1,
            "last_date": "01.01.2026 09:00:05",
            "last_timestamp": DELIVERED,
            "send_date": "01.01.2026 09:00:00",
            "send_timestamp": SENT,
            "phone": MTS,
            "country": "Россия",
            "operator": OPERATOR,
            "region": "Москва",
            "cost": "1.60",
            "sender_id": "Shop",
            "status_name": "Доставлено",
            "message": "Hi, all",
        } == json.loads(full)


async def test_all_1_has_nine_columns_without_the_place() -> None:
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="Hi")
    line = await post(emulator, "status.php", fmt=Format.CSV, phone=MTS, id="1", all="1")
    assert f"-1,{SENT},0,{SENT},{MTS},1.60,,Ожидает отправки,Hi" == line


async def test_an_hlr_request_has_the_hlr_columns_and_reads_hlr_as_sender() -> None:
    """All=1 fmt=1: eight HLR fields after err; the official library finds HLR at index 14."""
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, hlr="1")
    cells = (await post(emulator, "status.php", fmt=Format.CSV, phone=MTS, id="1", all="1")).split(
        ","
    )
    assert 17 == len(cells)
    assert ["250", "01", "Россия", OPERATOR] == cells[5:9]
    assert "HLR" == cells[14]
    as_json = await status(emulator, phone=MTS, id="1")
    assert {"imsi", "msc", "mcc", "mnc", "cn", "net", "rcn", "rnet"} <= set(as_json)


async def test_an_error_status_shows_err_in_every_format(fmt: Format) -> None:
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones="12345", mes="Hi")  # error 7: recorded as 22, err 249
    body = await post(emulator, "status.php", fmt=fmt, phone="12345", id="1")
    expected = {
        Format.LINES: "Status = 22, check_time = 01.01.2026 09:00:00, err = 249",
        Format.CSV: f"22,{SENT},249",
        Format.XML: (
            "<sms>\n<status>22</status>\n<last_date>01.01.2026 09:00:00</last_date>\n"
            f"<last_timestamp>{SENT}</last_timestamp>\n<err>249</err>\n</sms>"
        ),
        Format.JSON: (
            '{\n"status": 22,\n"last_date": "01.01.2026 09:00:00",\n'
            f'"last_timestamp": {SENT},\n"err": 249\n}}'
        ),
    }
    assert expected[fmt] == body


async def test_an_unknown_message_has_status_minus_3() -> None:
    emulator = Emulator(start=EMULATOR_START)
    assert {"status": -3} == await status(emulator, phone=MTS, id="77")
    assert "Status = -3" == await post(emulator, "status.php", fmt=Format.LINES, phone=MTS, id="7")


async def test_many_messages_answer_a_row_each_with_id_and_phone(fmt: Format) -> None:
    """One phone with a list of ids (trailing comma) pairs the phone with every id."""
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="One")
    await send(emulator, phones=MTS, mes="Two")
    body = await post(emulator, "status.php", fmt=fmt, phone=f"{MTS},", id="1,9,")
    expected = {
        Format.LINES: (
            f"Status = -1, check_time = 01.01.2026 09:00:00, err = 0, ID = 1, phone = {MTS}\n"
            f"Status = -3, ID = 9, phone = {MTS}"
        ),
        Format.CSV: f"-1,{SENT},0,1,{MTS}\n-3,9,{MTS}",
        Format.XML: (
            "<list>\n<sms>\n<status>-1</status>\n<last_date>01.01.2026 09:00:00</last_date>\n"
            f"<last_timestamp>{SENT}</last_timestamp>\n<id>1</id>\n<phone>{MTS}</phone>\n</sms>\n"
            f"<sms>\n<status>-3</status>\n<id>9</id>\n<phone>{MTS}</phone>\n</sms>\n</list>"
        ),
        Format.JSON: json.dumps(
            [
                {
                    "status": -1,
                    "last_date": "01.01.2026 09:00:00",
                    "last_timestamp": SENT,
                    "id": 1,
                    "phone": MTS,
                },
                {"status": -3, "id": 9, "phone": MTS},
            ],
            indent=0,
            ensure_ascii=False,
        ),
    }
    assert expected[fmt] == body


async def test_a_single_pair_with_a_trailing_comma_answers_a_list() -> None:
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="One")
    answer = await status(emulator, phone=MTS, id="1,")
    assert [(-1, 1, MTS)] == [(r["status"], r["id"], r["phone"]) for r in answer]


async def test_lists_that_do_not_pair_up_are_error_1() -> None:
    emulator = Emulator(start=EMULATOR_START)
    assert 1 == (await status(emulator, phone=f"{MTS},{MTS},{MTS}", id="1,2"))["error_code"]
    assert 1 == (await status(emulator, id="1"))["error_code"]
    assert 1 == (await status(emulator, phone=MTS, id="1", all="3"))["error_code"]


async def test_a_national_number_finds_the_message() -> None:
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones="8 916 123-45-67", mes="Hi")
    assert -1 == (await status(emulator, phone="89161234567", id="1"))["status"]


# -- deletion --------------------------------------------------------------------------------


async def test_del_deletes_and_an_unknown_message_is_error_5(fmt: Format) -> None:
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="Hi")
    ok = {
        Format.LINES: "OK",
        Format.CSV: "OK",
        Format.XML: "<result>OK</result>",
        Format.JSON: '{\n"result": "OK"\n}',
    }
    assert ok[fmt] == await post(emulator, "status.php", fmt=fmt, phone=MTS, id="1", **{"del": "1"})
    assert [] == emulator.outbox.entries
    assert {"status": -3} == await status(emulator, phone=MTS, id="1")
    again = json.loads(await post(emulator, "status.php", phone=MTS, id="1", **{"del": "1"}))
    assert 5 == again["error_code"]
    assert ["status.del", "status.status", "status.del"] == [
        e.command for e in emulator.traffic[1:]
    ]


# -- the rule --------------------------------------------------------------------------------


async def test_the_sixth_status_request_for_one_message_within_a_minute_is_refused() -> None:
    """Per message: a list counts for each message it names; other messages go on."""
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="One")
    await send(emulator, phones=MTS, mes="Two")
    for _ in range(4):
        assert -1 == (await status(emulator, phone=MTS, id="1"))["status"]
    assert 2 == len(await status(emulator, phone=MTS, id="1,2"))  # 5th for 1, 1st for 2
    refused = await status(emulator, phone=MTS, id="1", all="1")
    assert {"error": "duplicate request, wait a minute", "error_code": 9} == refused
    assert 9 == (await status(emulator, phone=MTS, id="2,1"))["error_code"]
    assert "status" in await status(emulator, phone=MTS, id="2")
    rule = "status.status/del: 5 per message per 1 min"
    assert [Violation(0.0, DEFAULT_LOGIN, "status.status", rule, "127.0.0.1")] * 2 == (
        emulator.violations
    )
    await asyncio.sleep(60)
    assert "status" in await status(emulator, phone=MTS, id="1")


async def test_a_deletion_counts_in_the_message_window() -> None:
    """Five status requests for a message, then deleting it within the minute: error 9."""
    emulator = Emulator(start=EMULATOR_START)
    await send(emulator, phones=MTS, mes="One")
    for _ in range(5):
        assert -1 == (await status(emulator, phone=MTS, id="1"))["status"]
    refused = await status(emulator, phone=MTS, id="1", **{"del": "1"})
    assert 9 == refused["error_code"]
    assert emulator.outbox.find(DEFAULT_LOGIN, "1", MTS) is not None  # not deleted
