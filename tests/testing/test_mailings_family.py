"""The emulator's mailings family (jobs.php): raw forms, the SDK, the one-a-minute rule."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from smsc_async import (
    Format,
    InvalidDateError,
    Mailing,
    MailingCreated,
    MailingStatus,
    MaybeAppliedError,
    NotFoundError,
)
from smsc_async.testing import DEFAULT_LOGIN, Emulator
from tests._support import EMULATOR_START, raw_post

pytestmark = pytest.mark.looptime

MTS, MEGAFON = "79161234567", "79261234567"  # priced 1.60 (its mccmnc) and 1.85 (zone 2)
WAITING, SENT, CANCELLED = 0, 1, 2


async def post(emulator: Emulator, command: str, **params: Any) -> str:
    """A raw form to jobs.php; the reply body."""
    return await raw_post(emulator, "jobs.php", command, **params)


async def answer(emulator: Emulator, command: str, **params: Any) -> Any:
    """jobs.php in fmt=3: the decoded JSON answer."""
    return json.loads(await post(emulator, command, **params))


def error_of(reply: Any) -> int | None:
    return reply.get("error_code") if isinstance(reply, dict) else None


def statuses(reply: Any) -> dict[int, int]:
    return {row["id"]: row["status"] for row in reply}


# -- replies in the four formats -----------------------------------------------------------


async def test_add_answers_as_the_docs_show_in_every_format(fmt: Format) -> None:
    """add answers the id, and with cost=1 the id and the cost, in the documented shapes."""
    emulator = Emulator(start=EMULATOR_START)
    plain = await post(emulator, "add", fmt=fmt, name="A", phones=MTS, mes="Hi")
    priced = await post(
        emulator, "add", fmt=fmt, name="B", phones=f"{MTS},{MEGAFON}", mes="Hi", cost="1"
    )
    expected = {
        Format.LINES: ("OK, ID - 1", "OK, ID - 2, COST - 3.45"),
        Format.CSV: ("1", "2,3.45"),
        Format.XML: (
            "<result>\n<id>1</id>\n</result>",
            "<result>\n<id>2</id>\n<cost>3.45</cost>\n</result>",
        ),
        Format.JSON: ('{\n"id": 1\n}', '{\n"id": 2,\n"cost": "3.45"\n}'),
    }
    assert expected[fmt] == (plain, priced)


async def test_get_and_get_all_answer_rows_in_every_format(fmt: Format) -> None:
    """get answers one row, get_all a list: id, name, status, sender, mes."""
    emulator = Emulator(start=EMULATOR_START)
    await post(emulator, "add", name="Sale", phones=MTS, mes="20% off", sender="SHOP")
    await post(emulator, "add", name="Later", phones=MTS, mes="Soon", time="+60")
    one = await post(emulator, "get", fmt=fmt, id="1")
    every = await post(emulator, "get_all", fmt=fmt)
    rows = {
        Format.LINES: (
            "id = 1, name = Sale, status = 1, sender = SHOP, mes = 20% off",
            "id = 2, name = Later, status = 0, sender = , mes = Soon",
        ),
        Format.CSV: ("1,Sale,1,SHOP,20% off", "2,Later,0,,Soon"),
        Format.XML: (
            (
                "<job>\n<id>1</id>\n<name>Sale</name>\n<status>1</status>\n"
                "<sender>SHOP</sender>\n<mes>20% off</mes>\n</job>"
            ),
            (
                "<job>\n<id>2</id>\n<name>Later</name>\n<status>0</status>\n"
                "<sender></sender>\n<mes>Soon</mes>\n</job>"
            ),
        ),
        Format.JSON: (
            '{\n"id": 1,\n"name": "Sale",\n"status": 1,\n"sender": "SHOP",\n"mes": "20% off"\n}',
            '{\n"id": 2,\n"name": "Later",\n"status": 0,\n"sender": "",\n"mes": "Soon"\n}',
        ),
    }[fmt]
    assert rows[0] == one
    joined = {
        Format.LINES: "\n".join(rows),
        Format.CSV: "\n".join(rows),
        Format.XML: "<list>\n" + "\n".join(rows) + "\n</list>",
        Format.JSON: "[\n" + ",\n".join(rows) + "\n]",
    }
    assert joined[fmt] == every


# -- behaviour -----------------------------------------------------------------------------


async def test_a_mailing_waits_for_its_time_then_counts_as_sent() -> None:
    """time=+5 waits five emulated minutes; cancel applies only while it waits."""
    emulator = Emulator(start=EMULATOR_START)
    await post(emulator, "add", name="Soon", phones=MTS, mes="Hi", time="+5")
    await post(emulator, "add", name="Later", phones=MTS, mes="Hi", time="+10")
    assert {1: WAITING, 2: WAITING} == statuses(await answer(emulator, "get_all"))
    assert {"result": "OK"} == await answer(emulator, "cancel", id="2")
    await asyncio.sleep(5 * 60)
    assert {1: SENT, 2: CANCELLED} == statuses(await answer(emulator, "get_all"))
    assert 3 == error_of(await answer(emulator, "cancel", id="1"))
    assert 3 == error_of(await answer(emulator, "cancel", id="2"))


async def test_time_is_read_in_the_zone_given() -> None:
    """A dated time is Moscow time plus tz hours; the mailing starts then."""
    emulator = Emulator(start=EMULATOR_START)  # its calendar starts at 01.01.2026 09:00 Moscow time
    await post(emulator, "add", name="A", phones=MTS, mes="Hi", time="01.01.26 12:00", tz="2")
    (entry,) = emulator.mailings.mailings[DEFAULT_LOGIN].values()
    assert dt.datetime(2026, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=3))) == entry.start


async def test_delete_removes_and_unknown_mailings_are_error_3() -> None:
    """del removes a mailing; get, cancel and del of an unknown one answer error 3."""
    emulator = Emulator(start=EMULATOR_START)
    await post(emulator, "add", name="A", phones=MTS, mes="Hi")
    assert {"result": "OK"} == await answer(emulator, "del", id="1")
    assert [] == await answer(emulator, "get_all")
    for command in ("get", "cancel", "del"):
        assert 3 == error_of(await answer(emulator, command, id="7"))


async def test_recipients_come_from_phones_groups_lists_and_templates() -> None:
    """G<id> names a group's numbers, list a text per number, tpl a template's text."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.contacts.add_contact([MTS], groups=[301])
    emulator.contacts.add_contact([MEGAFON], groups=[301, 302])
    await raw_post(emulator, "templates.php", "add", name="T", msg="From a template")
    await post(emulator, "add", name="Group", phones="G302;+79161112233", mes="Hi")
    await post(emulator, "add", name="List", list=f"{MTS}:One\n8 926 123-45-67:Two")
    await post(emulator, "add", name="Tpl", phones="G301", tpl="1")
    group, per_number, templated = emulator.mailings.mailings[DEFAULT_LOGIN].values()
    assert {MEGAFON: "Hi", "79161112233": "Hi"} == group.recipients
    assert ({MTS: "One", MEGAFON: "Two"}, "") == (per_number.recipients, per_number.mes)
    assert {MTS: "From a template", MEGAFON: "From a template"} == templated.recipients
    assert 3 == error_of(await answer(emulator, "add", name="X", phones=MTS, tpl="9"))
    assert 1 == error_of(await answer(emulator, "add", name="X", phones="G999", mes="Hi"))


async def test_the_cost_is_what_send_php_would_charge() -> None:
    """A mailing's cost equals send.php's price (cost=1) for the same numbers and text."""
    emulator = Emulator(start=EMULATOR_START)
    text = "A text long enough for two SMS parts: " + "x" * 140
    created = await answer(emulator, "add", name="A", phones=f"{MTS},{MEGAFON}", mes=text, cost="1")
    price = json.loads(
        await raw_post(emulator, "send.php", "cost", phones=f"{MTS},{MEGAFON}", mes=text)
    )
    assert "6.90" == created["cost"]  # two parts each: 2 x 1.60 + 2 x 1.85
    assert Decimal(price["cost"]) == Decimal(created["cost"])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        pytest.param({"phones": MTS, "mes": "Hi"}, 1, id="no-name"),
        pytest.param({"name": "A", "mes": "Hi"}, 1, id="no-phones"),
        pytest.param({"name": "A", "phones": MTS}, 1, id="no-text"),
        pytest.param({"name": "A", "phones": MTS, "mes": "Hi", "tpl": "1"}, 1, id="two-texts"),
        pytest.param({"name": "A", "phones": "12ab", "mes": "Hi"}, 1, id="bad-number"),
        pytest.param({"name": "A", "phones": MTS, "mes": "x" * 1001}, 1, id="text-too-long"),
        pytest.param({"name": "A", "phones": MTS, "mes": "Hi", "hlr": "1"}, 1, id="hlr-text"),
        pytest.param(
            {"name": "A", "phones": MTS, "mes": "Hi", "flash": "1", "viber": "1"}, 1, id="two-kinds"
        ),
        pytest.param({"name": "A", "phones": "a@b.ru", "mes": "Hi", "mail": "1"}, 1, id="mail"),
        pytest.param({"name": "A", "phones": MTS, "mes": "Hi", "rpt": "8"}, 1, id="bad-rpt"),
        pytest.param({"name": "A", "phones": MTS, "mes": "Hi", "valid": "25"}, 1, id="bad-valid"),
        pytest.param({"name": "A", "phones": MTS, "mes": "Hi", "period": "0"}, 1, id="period"),
        pytest.param({"name": "A", "phones": MTS, "mes": "Hi", "cost": "2"}, 1, id="cost-2"),
        pytest.param({"name": "A", "phones": MTS, "mes": "Hi", "time": "soon"}, 5, id="time"),
        pytest.param(
            {"name": "A", "phones": MTS, "mes": "Hi", "time": "31.02.26 10:00"}, 5, id="no-day"
        ),
    ],
)
async def test_malformed_creations_are_refused(params: dict[str, str], code: int) -> None:
    """A missing or malformed parameter is error 1, an unknown time error 5; nothing is kept."""
    emulator = Emulator(start=EMULATOR_START)
    assert code == error_of(await answer(emulator, "add", **params))
    assert {} == dict(emulator.mailings.mailings)


async def test_get_all_bounds_the_creation_date() -> None:
    """start and end (dd.mm.yyyy) bound the creation day; a malformed one is error 5."""
    emulator = Emulator(start=EMULATOR_START)
    await post(emulator, "add", name="A", phones=MTS, mes="Hi")
    assert [1] == [r["id"] for r in await answer(emulator, "get_all", start="01.01.2026")]
    assert [] == await answer(emulator, "get_all", start="02.01.2026")
    assert [] == await answer(emulator, "get_all", end="31.12.2025")
    assert 5 == error_of(await answer(emulator, "get_all", end="2026-01-01"))


# -- through the SDK -----------------------------------------------------------------------


async def test_the_sdk_round_trip_is_the_same_in_every_format(fmt: Format) -> None:
    """Create, read, cancel and delete through the client in each format; states are enums."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client(fmt=fmt) as smsc:
        created = await smsc.mailings.add("Sale", [MTS], "20% off", sender="SHOP", report_cost=True)
        later = await smsc.mailings.add("Later", [MEGAFON], "Soon", time=dt.timedelta(hours=1))
        await smsc.mailings.cancel(later.id)
        one = await smsc.mailings.get(created.id)
        every = await smsc.mailings.get_all()
        await smsc.mailings.delete(later.id)
        with pytest.raises(NotFoundError):
            await smsc.mailings.get(later.id)
    assert MailingCreated(1, Decimal("1.60")) == created
    sale = Mailing(1, "Sale", MailingStatus.SENT, "SHOP", "20% off")
    assert sale == one
    assert [sale, Mailing(2, "Later", MailingStatus.CANCELLED, None, "Soon")] == every
    assert [MailingStatus, MailingStatus] == [type(m.status) for m in every]
    assert "20% off" == one.text
    assert [1] == list(emulator.mailings.mailings[DEFAULT_LOGIN])


async def test_a_bad_time_the_sdk_lets_through_is_an_invalid_date() -> None:
    """jobs.php's error 5 (forced here) raises InvalidDateError through the client."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.faults.error("jobs.add", 5, "invalid date format")
    async with emulator.client() as smsc:
        with pytest.raises(InvalidDateError):
            await smsc.mailings.add("A", [MTS], "Hi", time="0101261200")


async def test_an_add_whose_answer_is_lost_is_not_repeated() -> None:
    """The mailing was created but the answer lost: MaybeAppliedError, one request, one mailing."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.faults.reset("jobs.add", after=True)
    async with emulator.client(retries=3) as smsc:
        with pytest.raises(MaybeAppliedError):
            await smsc.mailings.add("Sale", [MTS], "Hi")
    assert ["jobs.add"] == [x.command for x in emulator.traffic]
    assert 1 == len(emulator.mailings.mailings[DEFAULT_LOGIN])


# -- the rule: 1 identical request a minute ------------------------------------------------


async def test_a_second_identical_request_within_a_minute_is_error_9() -> None:
    """The server refuses an identical second add (or get_all) within a minute, not after."""
    emulator = Emulator(start=EMULATOR_START)
    form = {"name": "A", "phones": MTS, "mes": "Hi"}
    assert 1 == (await answer(emulator, "add", **form))["id"]
    assert 9 == error_of(await answer(emulator, "add", **form))
    assert 2 == (await answer(emulator, "add", **{**form, "mes": "Other"}))["id"]
    await answer(emulator, "get_all")
    assert 9 == error_of(await answer(emulator, "get_all"))
    assert ["jobs.add", "jobs.get_all"] == [v.command for v in emulator.violations]
    await asyncio.sleep(60)
    assert 3 == (await answer(emulator, "add", **form))["id"]


async def test_the_client_holds_back_an_identical_add_instead_of_sending_it() -> None:
    """Two identical adds: the second waits a minute in the client; SMSC never says 9."""
    emulator = Emulator(start=EMULATOR_START)
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        first, second = await asyncio.gather(
            smsc.mailings.add("A", [MTS], "Hi"), smsc.mailings.add("A", [MTS], "Hi")
        )
        distinct = await asyncio.gather(
            *(smsc.mailings.add(f"N{i}", [MTS], "Hi") for i in range(10))
        )
    assert [] == emulator.violations
    assert {1, 2} == {first.id, second.id}
    starts = sorted(x.start for x in emulator.traffic if x.params.get("name") == "A")
    assert 60.0 <= starts[1] - starts[0] <= 1.1 * 60.0
    assert 10 == len({m.id for m in distinct})
    assert loop.time() <= 1.1 * 60.0 + 5
