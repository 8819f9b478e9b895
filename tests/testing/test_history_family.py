"""The emulator's data scripts (get.php history, inbox, statistics; info.php) through the SDK.

Messages are put into the emulator's outbox directly, as send.php would keep them, so these
tests depend on nothing but the outbox. Time is virtual: minute-long rule windows take no
real time.
"""

# The emulator's sample operator data is written in Russian.
# ruff: noqa: RUF001

from __future__ import annotations

import asyncio
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from smsc_async import (
    AccountStats,
    DeliveryError,
    Format,
    IncomingMessage,
    MessageStatus,
    MessageType,
    NotFoundError,
    OperatorInfo,
    RateLimitError,
    SentMessage,
    SmscClient,
    ValidationError,
)
from smsc_async.resources.history import GET_MESSAGES
from smsc_async.resources.inbox import GET_ANSWERS
from smsc_async.resources.operators import GET_OPERATOR
from smsc_async.resources.stats import GET_STAT
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator
from smsc_async.testing._outbox import OutboxEntry
from tests._support import EMULATOR_START

pytestmark = pytest.mark.looptime

EPOCH = EMULATOR_START  # the emulator's calendar starts here (pinned)
MTS = "79161234567"  # the sample numbering table: 791 is MTS, Moscow
MEGAFON = "79201234567"  # 792 is Megafon, Moscow
NO_RULES = {c.name: () for c in (GET_MESSAGES, GET_ANSWERS, GET_STAT, GET_OPERATOR)}


def put(
    emulator: Emulator,
    phone: str = MTS,
    text: str = "Hello, world",
    *,
    days_ago: int = 0,
    kind: str = "sms",
    login: str = DEFAULT_LOGIN,
    id: str = "1",  # noqa: A002
    status: int = 1,
) -> OutboxEntry:
    """A message as send.php keeps it, sent ``days_ago`` days before the emulator's start."""
    wall = EPOCH - dt.timedelta(days=days_ago)
    return emulator.outbox.add(
        OutboxEntry(
            login,
            id,
            phone,
            text,
            "Shop",
            kind,
            0.0,
            wall,
            1,
            Decimal("3.50"),
            status=status,
            country="Россия",
            operator="МТС",
            region="Москва",
            mccmnc="25001",
        )
    )


def unpaced(emulator: Emulator, **kwargs: Any) -> SmscClient:
    """A client that breaks these scripts' rules: no pacing, no retries."""
    return emulator.client(retries=0, rules=NO_RULES, **kwargs)


async def raw(emulator: Emulator, script: str, command: str, **params: str) -> dict[str, Any]:
    """A form posted with raw httpx (the SDK's checks bypassed); the JSON answer."""
    form = {command: "1", "login": DEFAULT_LOGIN, "psw": DEFAULT_PASSWORD, "fmt": "3"}
    form.update(params, charset="utf-8")
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url="http://smsc.emulator/sys/"
    ) as http:
        response = await http.post(script, data=form)
    answer: dict[str, Any] = json.loads(response.text)
    return answer


# -- every format ------------------------------------------------------------------------------


async def script(fmt: Format) -> dict[str, object]:
    """Every command, with its filters and refusals, against a fresh emulator."""
    emulator = Emulator(start=EMULATOR_START)
    put(emulator, MTS, "Hi, see you, bye", id="7")
    put(emulator, MEGAFON, "Code: 1234", id="order-5", status=20)
    put(emulator, "ann@example.com", "<b>Hello</b>", kind="mail")
    emulator.outbox.receive(DEFAULT_LOGIN, MTS, "Yes, thanks", to_phone="79001112233", now=0.0)
    emulator.outbox.receive(DEFAULT_LOGIN, MEGAFON, "STOP", now=0.0)
    out: dict[str, object] = {}
    async with emulator.client(fmt=fmt) as smsc:
        out["history"] = await smsc.history.list()
        out["mail"] = await smsc.history.list(mail=True)
        out["by phone"] = await smsc.history.list(phones=["+7 916 123-45-67"])
        out["none"] = await smsc.history.list(phones="79990000000")
        out["inbox"] = await smsc.inbox.list(hours=1)
        out["stats"] = await smsc.stats.get(start="01.01.2026")
        out["operator"] = await smsc.operators.get(MTS)
        with pytest.raises(NotFoundError):
            await smsc.operators.get("79501234567")
    assert [] == emulator.violations
    return out


@pytest.mark.parametrize("fmt", [Format.LINES, Format.CSV, Format.XML], ids=lambda f: f.name)
async def test_every_command_gives_equal_models_in_every_format(fmt: Format) -> None:
    """The same calls give equal models in fmt=0/1/2 as in fmt=3, commas in texts and all."""
    expected = await script(Format.JSON)
    assert expected == await script(fmt)
    history = expected["history"]
    assert isinstance(history, list)
    assert ["Code: 1234", "Hi, see you, bye"] == [m.message for m in history]
    assert ["order-5", "7"] == [m.id for m in history]


async def test_a_history_row_carries_everything_send_php_kept() -> None:
    """Status, dates, cost, sender, operator data and ids come back as the outbox holds them."""
    emulator = Emulator(start=EMULATOR_START)
    entry = put(emulator, id="42")
    async with emulator.client() as smsc:
        (message,) = await smsc.history.list()
    expected = SentMessage(
        int_id=entry.int_id,
        phone=MTS,
        status=MessageStatus.DELIVERED,
        id="42",
        err=DeliveryError.NONE,
        last_date=EPOCH,
        last_timestamp=int(EPOCH.timestamp()),
        send_date=EPOCH,
        send_timestamp=int(EPOCH.timestamp()),
        cost=Decimal("3.50"),
        sender_id="Shop",
        status_name="Доставлено",
        message="Hello, world",
        country="Россия",
        operator="МТС",
        region="Москва",
        mccmnc="25001",
        type=MessageType.SMS,
        sms_cnt=1,
    )
    assert expected == message
    assert "delivered" == message.status.meaning


# -- history -----------------------------------------------------------------------------------


async def test_history_filters_by_period_numbers_and_kind() -> None:
    """start/end pick days, phones pick numbers (written any way), mail picks e-mail only."""
    emulator = Emulator(start=EMULATOR_START)
    old = put(emulator, MTS, "old", days_ago=40)
    mid = put(emulator, MEGAFON, "mid", days_ago=10)
    new = put(emulator, MTS, "new")
    mail = put(emulator, "ann@example.com", "letter", kind="mail")
    async with emulator.client() as smsc:

        async def ids(**kwargs: Any) -> list[int]:
            return [m.int_id for m in await smsc.history.list(**kwargs)]

        assert [new.int_id, mid.int_id, old.int_id] == await ids()
        assert [mid.int_id] == await ids(start="20.12.2025", end="31.12.2025")
        assert [new.int_id, mid.int_id] == await ids(start=dt.date(2025, 12, 22))
        assert [new.int_id, old.int_id] == await ids(phones="8 (916) 123-45-67")
        assert [mail.int_id] == await ids(emails="ANN@example.com")
        assert [mail.int_id] == await ids(mail=True)
        assert [] == await ids(start="02.01.2026")


async def test_history_is_the_accounts_own() -> None:
    """Another account's messages never show in this account's history."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_account("other", "other-password")
    put(emulator, login="other")
    async with emulator.client() as smsc:
        assert [] == await smsc.history.list()
    async with emulator.client(login="other", password="other-password") as other:
        assert 1 == len(await other.history.list())


async def test_history_iterate_walks_several_pages_newest_first() -> None:
    """2,500 messages come back once each, newest first, in 3 requests chained by prev_id."""
    emulator = Emulator(start=EMULATOR_START)
    entries = [put(emulator, f"7916{i:07d}", f"text {i}") for i in range(2500)]
    async with emulator.client() as smsc:
        got = [m.int_id async for m in smsc.history.iterate()]
    assert [e.int_id for e in reversed(entries)] == got
    requests = [e for e in emulator.traffic if e.command == "get.get_messages"]
    assert [None, str(entries[1500].int_id), str(entries[500].int_id)] == [
        e.params.get("prev_id") for e in requests
    ]
    assert [] == emulator.violations


async def test_history_iterate_asks_for_a_page_only_when_needed() -> None:
    """Consuming a page sends one request; the next goes when the caller wants more."""
    emulator = Emulator(start=EMULATOR_START)
    for i in range(5):
        put(emulator, text=f"text {i}")
    async with emulator.client() as smsc:
        messages = smsc.history.iterate(page_size=2)
        assert [] == emulator.traffic
        await anext(messages)
        await anext(messages)
        assert 1 == len(emulator.traffic)
        await anext(messages)
        assert 2 == len(emulator.traffic)
        await messages.aclose()  # type: ignore[attr-defined]


async def test_history_refuses_what_the_sdk_would_not_send() -> None:
    """Raw forms with a period over six months, cnt over 1000 or a bad date get error 1."""
    emulator = Emulator(start=EMULATOR_START)
    put(emulator)
    for params in (
        {"start": "01.01.2025", "end": "02.07.2025"},
        {"start": "02.01.2026", "end": "01.01.2026"},
        {"cnt": "1001"},
        {"start": "2026-01-01"},
    ):
        answer = await raw(emulator, "get.php", "get_messages", **params)
        assert 1 == answer["error_code"], params
    answer = await raw(emulator, "get.php", "get_messages", start="01.01.2025", end="01.07.2025")
    assert 3 == answer["error_code"]  # a six-month period is fine; nothing was sent in it


# -- inbox -------------------------------------------------------------------------------------


async def test_inbox_pages_forward_and_picks_up_what_is_new() -> None:
    """Answers come oldest first after after_id; a later walk from the last id finds new ones."""
    emulator = Emulator(start=EMULATOR_START)
    first = [emulator.outbox.receive(DEFAULT_LOGIN, MTS, f"answer {i}", now=0.0) for i in range(5)]
    async with emulator.client() as smsc:
        got = [m.id async for m in smsc.inbox.iterate(page_size=2)]
        assert [a.id for a in first] == got
        await asyncio.sleep(30)
        later = emulator.outbox.receive(DEFAULT_LOGIN, MEGAFON, "one more")
        new = [m async for m in smsc.inbox.iterate(after_id=got[-1])]
    received = EPOCH + dt.timedelta(seconds=30)
    assert [IncomingMessage(later.id, MEGAFON, "one more", received, None, received)] == new
    assert [] == emulator.violations


async def test_inbox_filters_by_hours_and_number() -> None:
    """hour keeps the answers of the last hours; to_phone those to one of the account's numbers."""
    emulator = Emulator(start=EMULATOR_START)
    old = emulator.outbox.receive(DEFAULT_LOGIN, MTS, "old", to_phone="79001112233", now=0.0)
    old.received_wall -= dt.timedelta(hours=5)
    new = emulator.outbox.receive(DEFAULT_LOGIN, MTS, "new", to_phone="79004445566", now=0.0)
    async with emulator.client() as smsc:
        assert [old.id, new.id] == [m.id for m in await smsc.inbox.list()]
        assert [new.id] == [m.id for m in await smsc.inbox.list(hours=4)]
        assert [old.id] == [m.id for m in await smsc.inbox.list(to_phone="+7 900 111-22-33")]
        assert [] == await smsc.inbox.list(after_id=new.id)


# -- statistics and operators ------------------------------------------------------------------


async def test_stats_sum_up_the_period() -> None:
    """get_stat counts the messages of the period and what they cost; balance2 counts none."""
    emulator = Emulator(start=EMULATOR_START)
    put(emulator, days_ago=40)
    put(emulator)
    put(emulator, MEGAFON)
    async with emulator.client() as smsc:
        recent = await smsc.stats.get(start="01.12.2025", end="01.01.2026")
        everything = await smsc.stats.get()
        second = await smsc.stats.get(electronic_balance=True)
    assert [AccountStats(DEFAULT_LOGIN, 2, Decimal("0.00"), Decimal("7.00"), "RUR")] == recent
    assert 3 == everything[0].messages
    assert [AccountStats(DEFAULT_LOGIN, 0, Decimal("0.00"), Decimal("0.00"), "RUR")] == second


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        (MTS, OperatorInfo("МТС", "Россия", "Москва", "250", "01", 3)),
        ("8 (920) 123-45-67", OperatorInfo("Мегафон", "Россия", "Москва", "250", "02", 3)),
        ("79301234567", OperatorInfo("Мегафон", "Россия", "Новосибирская обл.", "250", "02", 7)),
        ("77011234567", OperatorInfo("Kcell", "Казахстан", None, "401", "02", None)),
    ],
)
async def test_operators_come_from_the_sample_numbering_table(
    phone: str, expected: OperatorInfo
) -> None:
    """A number's operator, region and codes come from the emulator's sample table."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client() as smsc:
        assert expected == await smsc.operators.get(phone)


async def test_an_operator_time_zone_reads_as_hours_in_every_format(fmt: Format) -> None:
    """The emulator's ``tz`` decodes to an int in all four formats, absent as None."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client(fmt=fmt) as smsc:
        siberia = await smsc.operators.get("79301234567")
        abroad = await smsc.operators.get("77011234567")
    assert (7, None) == (siberia.tz, abroad.tz)


async def test_a_number_of_no_known_operator_is_not_found() -> None:
    """A Russian number outside the sample ranges has no operator: error 3, NotFoundError."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client() as smsc:
        with pytest.raises(NotFoundError) as caught:
            await smsc.operators.get("79501234567")
    assert 3 == caught.value.code


# -- the rules, in virtual time ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "command"),
    [
        pytest.param(lambda s: s.history.list(cnt=5), "get.get_messages", id="history"),
        pytest.param(lambda s: s.inbox.list(hours=2), "get.get_answers", id="inbox"),
        pytest.param(lambda s: s.stats.get(), "get.get_stat", id="stats"),
        pytest.param(lambda s: s.operators.get(MTS), "info.get_operator", id="operator"),
    ],
)
async def test_the_fourth_identical_request_in_a_minute_is_refused(call: Any, command: str) -> None:
    """Three identical requests pass; the 4th within the minute is error 9; after it, fine."""
    emulator = Emulator(start=EMULATOR_START)
    put(emulator)
    emulator.outbox.receive(DEFAULT_LOGIN, MTS, "answer", now=0.0)
    async with unpaced(emulator) as smsc:
        for _ in range(3):
            await call(smsc)
            await asyncio.sleep(10)
        with pytest.raises(RateLimitError):
            await call(smsc)
        await asyncio.sleep(31)
        await call(smsc)
    assert [(30.0, command)] == [(v.time, v.command) for v in emulator.violations]
    assert "identical" in emulator.violations[0].rule


async def test_the_101st_operator_look_up_in_a_minute_is_refused() -> None:
    """100 look-ups of different numbers pass in a minute; the 101st is error 9 (any 100)."""
    emulator = Emulator(start=EMULATOR_START)
    async with unpaced(emulator, max_concurrency=10) as smsc:
        for i in range(100):
            await smsc.operators.get(f"7916{i:07d}")
        with pytest.raises(RateLimitError):
            await smsc.operators.get("79169999999")
    assert ["info.get_operator: 100 per command per 1 min"] == [v.rule for v in emulator.violations]


async def test_the_client_paces_150_look_ups_without_an_error_9() -> None:
    """150 look-ups at once: no violation; the last 50 wait out the minute, within 1.1 x."""
    emulator = Emulator(start=EMULATOR_START)
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        found = await asyncio.gather(*(smsc.operators.get(f"7916{i:07d}") for i in range(150)))
    elapsed = loop.time()
    assert 150 == len(found)
    assert [] == emulator.violations
    assert 60.0 <= elapsed <= 1.1 * 60.0
    starts = sorted(e.start for e in emulator.traffic)
    assert all(
        later - earlier >= 60.0 for earlier, later in zip(starts, starts[100:], strict=False)
    )


async def test_the_client_waits_out_the_minute_for_a_fourth_identical_history_page() -> None:
    """Four identical history requests: no error 9; the 4th is sent once the minute is over."""
    emulator = Emulator(start=EMULATOR_START)
    put(emulator)
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        for _ in range(4):
            await smsc.history.list(cnt=5)
    assert [] == emulator.violations
    starts = [e.start for e in emulator.traffic]
    assert 4 == len(starts)
    assert 60.0 <= starts[3] - starts[0] <= 1.1 * 60.0
    assert loop.time() <= 1.1 * 60.0


# -- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.history.list(start="01.01.2025", end="02.07.2025"), id="period"),
        pytest.param(lambda s: s.history.list(cnt=1001), id="history-cnt"),
        pytest.param(lambda s: s.inbox.list(hours=169), id="hours"),
        pytest.param(lambda s: s.stats.get(end="01.01.2026"), id="stats-end"),
        pytest.param(lambda s: s.operators.get("not a number"), id="operator"),
    ],
)
async def test_bad_input_never_reaches_the_emulator(call: Any) -> None:
    """ValidationError is raised before any request: the emulator sees no traffic."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client() as smsc:
        with pytest.raises(ValidationError):
            await call(smsc)
    assert [] == emulator.traffic


# -- with send.php -----------------------------------------------------------------------------


async def test_a_message_sent_through_send_php_shows_in_history_and_statistics() -> None:
    """A send to two numbers makes two history rows with its id, text and price; stats add up."""
    emulator = Emulator(start=EMULATOR_START)
    form = {"login": DEFAULT_LOGIN, "psw": DEFAULT_PASSWORD, "fmt": "3", "charset": "utf-8"}
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url="http://smsc.emulator/sys/"
    ) as http:
        response = await http.post(
            "send.php", data={**form, "phones": f"{MTS},{MEGAFON}", "mes": "Hi, there", "id": "77"}
        )
    assert 77 == json.loads(response.text)["id"]
    await asyncio.sleep(600)  # ten minutes: the messages have moved on from "queued"
    async with emulator.client() as smsc:
        history = await smsc.history.list()
        (stats,) = await smsc.stats.get()
    assert [(MEGAFON, "77", "Hi, there"), (MTS, "77", "Hi, there")] == [
        (m.phone, m.id, m.message) for m in history
    ]
    delivered = MessageStatus.DELIVERED  # the emulator's default fate
    assert [delivered, delivered] == [m.status for m in history]
    kept = {e.phone: e.cost for e in emulator.outbox.entries}
    assert [kept[MEGAFON], kept[MTS]] == [m.cost for m in history]
    assert (2, sum(m.cost or 0 for m in history)) == (stats.messages, stats.debit)
