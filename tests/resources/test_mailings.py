"""``smsc.mailings``: what add/get/get_all/cancel/delete post and return; checks before sending."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal

import httpx
import pytest
import respx

from smsc_async import (
    InvalidDateError,
    Mailing,
    MailingCreated,
    MailingKind,
    MailingRepeat,
    MailingStatus,
    MaybeAppliedError,
    SmscClient,
    Translit,
    ValidationError,
)
from smsc_async._commands import RetryClass
from smsc_async._types import Rule, Scope
from smsc_async.resources.mailings import ADD, CANCEL, DELETE, GET, GET_ALL
from tests._support import LOGIN, PASSWORD, make_client, posted_form, reply

MailingsCall = Callable[[SmscClient], Awaitable[object]]

PHONE, PHONE2 = "79991234567", "+79997654321"
CREATED = '{\n"id": 31\n}'
ROW = '{"id": 31, "name": "Sale", "status": 0, "sender": "SHOP", "mes": "Sale, today"}'
OK = '{"result": "OK"}'
MSK = dt.timezone(dt.timedelta(hours=3))


def expected_form(flag: str, /, **params: str) -> dict[str, str]:
    """The whole form a jobs.php command posts with the test account (JSON)."""
    return {flag: "1", **params, "fmt": "3", "charset": "utf-8", "login": LOGIN, "psw": PASSWORD}


def test_add_is_a_send_the_rest_reads_and_writes() -> None:
    """add sends messages (never replayed blind); get/get_all read; cancel/del write."""
    assert RetryClass.SEND == ADD.retry
    assert [RetryClass.SAFE_READ] * 2 == [GET.retry, GET_ALL.retry]
    assert [RetryClass.WRITE] * 2 == [CANCEL.retry, DELETE.retry]
    assert ["add", "get", "get_all", "cancel", "del"] == [
        c.flag for c in (ADD, GET, GET_ALL, CANCEL, DELETE)
    ]


def test_every_command_is_paced_at_one_identical_request_a_minute() -> None:
    """jobs.php refuses a second identical request within a minute (its answer page)."""
    for command in (ADD, GET, GET_ALL, CANCEL, DELETE):
        assert (Rule(1, 60.0, Scope.IDENTICAL),) == command.rules


FORM_CASES = [
    pytest.param(
        lambda s: s.mailings.add("Sale", [PHONE, PHONE2], "Sale today"),
        "add",
        {"name": "Sale", "phones": f"{PHONE},{PHONE2}", "mes": "Sale today"},
        CREATED,
        id="add-plain",
    ),
    pytest.param(
        lambda s: s.mailings.add("Sale", ["G301", PHONE], tpl=7, sender="SHOP", report_cost=True),
        "add",
        {"name": "Sale", "phones": f"G301,{PHONE}", "tpl": "7", "sender": "SHOP", "cost": "1"},
        '{"id": 31, "cost": "3.60"}',
        id="add-template-group-cost",
    ),
    pytest.param(
        lambda s: s.mailings.add("Codes", list={PHONE: "Code 1", PHONE2: "Code 2"}),
        "add",
        {"name": "Codes", "list": f"{PHONE}:Code 1\n{PHONE2}:Code 2"},
        CREATED,
        id="add-list-mapping",
    ),
    pytest.param(
        lambda s: s.mailings.add("Codes", list=[(PHONE, "A: b")]),
        "add",
        {"name": "Codes", "list": f"{PHONE}:A: b"},
        CREATED,
        id="add-list-pairs",
    ),
    pytest.param(
        lambda s: s.mailings.add("Check", [PHONE], kind=MailingKind.HLR),
        "add",
        {"name": "Check", "phones": PHONE, "hlr": "1"},
        CREATED,
        id="add-hlr-no-text",
    ),
    pytest.param(
        lambda s: s.mailings.add(
            "News", ["a@b.ru"], "Hello", kind="mail", sender="shop@b.ru", subject="News"
        ),
        "add",
        {
            "name": "News",
            "phones": "a@b.ru",
            "mes": "Hello",
            "mail": "1",
            "sender": "shop@b.ru",
            "subj": "News",
        },
        CREATED,
        id="add-mail",
    ),
    pytest.param(
        lambda s: s.mailings.add(
            "Weekly",
            [PHONE],
            "Hi",
            kind=MailingKind.VIBER,
            time=dt.datetime(2026, 3, 1, 9, 30),  # noqa: DTZ001 - naive: read in tz
            tz=2,
            repeat=MailingRepeat.WEEKLY,
            repeat_count=10,
            auto_repeat=True,
            sender2="SHOP2",
            period=Decimal("1.5"),
            freq=15,
            valid=6,
            translit=Translit.LOOKALIKE,
            tinyurl=True,
            fileurl="https://example.com/a.pdf",
        ),
        "add",
        {
            "name": "Weekly",
            "phones": PHONE,
            "mes": "Hi",
            "viber": "1",
            "time": "01.03.26 09:30",
            "tz": "2",
            "rpt": "5",
            "rptn": "10",
            "fl[5]": "1",
            "sender2": "SHOP2",
            "period": "1.5",
            "freq": "15",
            "valid": "06:00",
            "translit": "2",
            "tinyurl": "1",
            "fileurl": "https://example.com/a.pdf",
        },
        CREATED,
        id="add-every-option",
    ),
    pytest.param(
        lambda s: s.mailings.add(
            "Later", [PHONE], "Hi", time=dt.datetime(2026, 3, 1, 6, 30, tzinfo=dt.timezone.utc)
        ),
        "add",
        {"name": "Later", "phones": PHONE, "mes": "Hi", "time": "01.03.26 09:30", "tz": "0"},
        CREATED,
        id="add-aware-time-in-moscow",
    ),
    pytest.param(
        lambda s: s.mailings.add(
            "Soon", [PHONE], "Hi", time=dt.timedelta(hours=2), valid=dt.timedelta(minutes=90)
        ),
        "add",
        {"name": "Soon", "phones": PHONE, "mes": "Hi", "time": "+120", "valid": "01:30"},
        CREATED,
        id="add-delay",
    ),
    pytest.param(
        lambda s: s.mailings.add("Night", [PHONE], "Hi", time="9-18", valid="00:15"),
        "add",
        {"name": "Night", "phones": PHONE, "mes": "Hi", "time": "9-18", "valid": "00:15"},
        CREATED,
        id="add-hour-window",
    ),
    pytest.param(lambda s: s.mailings.get(31), "get", {"id": "31"}, ROW, id="get"),
    pytest.param(lambda s: s.mailings.get_all(), "get_all", {}, f"[{ROW}]", id="get-all"),
    pytest.param(
        lambda s: s.mailings.get_all(start=dt.date(2026, 2, 1), end="28.02.2026"),
        "get_all",
        {"start": "01.02.2026", "end": "28.02.2026"},
        "[]",
        id="get-all-period",
    ),
    pytest.param(lambda s: s.mailings.cancel(31), "cancel", {"id": "31"}, OK, id="cancel"),
    pytest.param(lambda s: s.mailings.delete(31), "del", {"id": "31"}, OK, id="delete"),
]


@pytest.mark.parametrize(("call", "flag", "params", "body"), FORM_CASES)
async def test_command_posts_exact_form(
    router: respx.MockRouter, call: MailingsCall, flag: str, params: dict[str, str], body: str
) -> None:
    """Each method posts its flag and exactly the values given, to jobs.php."""
    route = router.post("jobs.php").mock(return_value=reply(body))
    async with make_client() as smsc:
        await call(smsc)
    assert 1 == route.call_count
    request = route.calls.last.request
    assert expected_form(flag, **params) == posted_form(request)
    assert "https://smsc.ru/sys/jobs.php" == str(request.url)


async def test_add_returns_the_id_and_the_cost_when_asked(router: respx.MockRouter) -> None:
    """add() returns MailingCreated: the id, and the cost only with report_cost=True."""
    router.post("jobs.php").mock(
        side_effect=[reply(CREATED), reply('{\n"id": 32,\n"cost": "3.60"\n}')]
    )
    async with make_client() as smsc:
        plain = await smsc.mailings.add("A", [PHONE], "Hi")
        priced = await smsc.mailings.add("B", [PHONE], "Hi", report_cost=True)
    assert MailingCreated(31) == plain
    assert MailingCreated(32, Decimal("3.60")) == priced


async def test_get_and_get_all_decode_mailings(router: respx.MockRouter) -> None:
    """get() decodes one mailing, get_all() a list; unknown fields are kept in extra."""
    other = '{"id": 30, "name": "Old", "status": 1, "sender": "", "mes": "x", "phones": "2"}'
    router.post("jobs.php").mock(side_effect=[reply(ROW), reply(f"[{ROW},\n{other}]")])
    async with make_client() as smsc:
        one = await smsc.mailings.get(31)
        every = await smsc.mailings.get_all()
    sale = Mailing(31, "Sale", MailingStatus.WAITING, "SHOP", "Sale, today")
    assert sale == one
    assert [sale, Mailing(30, "Old", MailingStatus.SENT, None, "x", extra={"phones": "2"})] == every


async def test_a_mailing_state_the_sdk_does_not_know_is_kept(router: respx.MockRouter) -> None:
    """status is a MailingStatus; an unknown code reads as UNKNOWN_<code>, equal to its int."""
    router.post("jobs.php").mock(return_value=reply(ROW.replace('"status": 0', '"status": 9')))
    async with make_client() as smsc:
        got = await smsc.mailings.get(31)
    assert isinstance(got.status, MailingStatus)
    assert (9, "UNKNOWN_9") == (got.status, got.status.name)


@pytest.mark.parametrize(
    "old", [{"mes": "Hi"}, {"subj": "Hi"}, {"cost": True}], ids=["mes", "subj", "cost"]
)
async def test_the_wire_names_are_not_python_keywords(old: dict[str, object]) -> None:
    """add() takes text/subject/report_cost, the names send() uses; the wire names are gone."""
    async with make_client() as smsc:
        with pytest.raises(TypeError, match=next(iter(old))):
            await smsc.mailings.add("Sale", [PHONE], **old)  # type: ignore[arg-type]


async def test_an_add_whose_answer_is_lost_is_not_repeated(router: respx.MockRouter) -> None:
    """A mailing sends messages: a timeout after sending raises MaybeAppliedError, one request."""
    route = router.post("jobs.php").mock(side_effect=httpx.ReadTimeout("slow"))
    async with make_client(retries=3) as smsc:
        with pytest.raises(MaybeAppliedError) as caught:
            await smsc.mailings.add("Sale", [PHONE], "Hi")
    assert caught.value.request_sent
    assert 1 == route.call_count


async def test_an_add_refused_as_a_duplicate_is_not_repeated(router: respx.MockRouter) -> None:
    """Error 9 to an add means an identical add came within the minute: not waited out, resent."""
    route = router.post("jobs.php").mock(
        return_value=reply('{"error": "duplicate request, wait a minute", "error_code": 9}')
    )
    async with make_client(retries=3) as smsc:
        with pytest.raises(MaybeAppliedError):
            await smsc.mailings.add("Sale", [PHONE], "Hi")
    assert 1 == route.call_count


async def test_a_read_refused_with_error_9_is_waited_out(router: respx.MockRouter) -> None:
    """The rule is only for adds: a list refused with 9 is retried after the wait."""
    route = router.post("jobs.php").mock(
        side_effect=[
            reply('{"error": "duplicate request, wait a minute", "error_code": 9}'),
            reply("[]"),
        ]
    )
    async with make_client(retries=3, minute=0.01) as smsc:
        assert [] == await smsc.mailings.get_all()
    assert 2 == route.call_count


async def test_error_5_is_an_invalid_date(router: respx.MockRouter) -> None:
    """jobs.php's error 5 (invalid date format) raises InvalidDateError."""
    router.post("jobs.php").mock(
        return_value=reply('{"error": "invalid date format", "error_code": 5}')
    )
    async with make_client() as smsc:
        with pytest.raises(InvalidDateError):
            await smsc.mailings.add("Sale", [PHONE], "Hi", time="+5")


# --- checks before sending ---------------------------------------------------------------


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request would reach the (route-less) respx router."""
    async with make_client() as client:
        yield client


def add(**kwargs: object) -> MailingsCall:
    """A mailing creation with a valid name, recipients and text, changed by ``kwargs``."""
    options: dict[str, object] = {"name": "Sale", "phones": [PHONE], "text": "Hi"}
    options.update(kwargs)
    return lambda s: s.mailings.add(**options)  # type: ignore[arg-type]


BAD_CALLS = [
    pytest.param(add(name=""), {"name"}, id="name-empty"),
    pytest.param(add(name=None), {"name"}, id="name-none"),
    pytest.param(add(phones=None), {"phones"}, id="no-recipients"),
    pytest.param(add(phones=[]), {"phones"}, id="empty-recipients"),
    pytest.param(add(phones=PHONE), {"phones"}, id="phones-bare-string"),
    pytest.param(add(phones=["12ab"]), {"phones"}, id="phone-invalid"),
    pytest.param(add(phones=["G"]), {"phones"}, id="group-without-id"),
    pytest.param(add(phones=["a@b.ru"]), {"phones"}, id="address-for-sms"),
    pytest.param(add(text=None), {"text/tpl/list"}, id="no-text"),
    pytest.param(add(text=""), {"text"}, id="text-empty"),
    pytest.param(add(text="x" * 1001), {"text"}, id="text-too-long"),
    pytest.param(add(tpl=7), {"text/tpl/list"}, id="text-and-template"),
    pytest.param(add(text=None, tpl=0), {"tpl"}, id="template-zero"),
    pytest.param(add(phones=None, text=None, list={PHONE: "a\nb"}), {"list"}, id="list-line-break"),
    pytest.param(add(phones=None, text=None, list={"x": "a"}), {"list"}, id="list-bad-number"),
    pytest.param(add(phones=None, text=None, list={}), {"list"}, id="list-empty"),
    pytest.param(add(phones=None, text=None, list=["ab"]), {"list"}, id="list-not-pairs"),
    pytest.param(add(text=None, list={PHONE: "a"}), {"phones"}, id="list-and-phones"),
    pytest.param(add(kind=MailingKind.PING), {"text"}, id="ping-with-text"),
    pytest.param(add(kind="fax"), {"kind"}, id="kind-unknown"),
    pytest.param(
        add(phones=["a@b.ru"], kind="mail"), {"sender", "subject"}, id="mail-needs-sender-subj"
    ),
    pytest.param(add(subject="Hi"), {"subject"}, id="subject-for-sms"),
    pytest.param(add(sender="x" * 12), {"sender"}, id="sender-long"),
    pytest.param(add(sender2="SHOP"), {"sender2"}, id="sender2-without-auto-repeat"),
    pytest.param(add(time="tomorrow"), {"time"}, id="time-unknown-form"),
    pytest.param(add(time="3102261200"), {"time"}, id="time-no-such-day"),
    pytest.param(add(time="31.02.26 12:00"), {"time"}, id="time-dotted-no-such-day"),
    pytest.param(add(time="18-9"), {"time"}, id="time-hours-backwards"),
    pytest.param(add(time=dt.timedelta(seconds=90)), {"time"}, id="time-part-minute"),
    pytest.param(add(time=dt.timedelta(minutes=-5)), {"time"}, id="time-negative"),
    pytest.param(add(time=5), {"time"}, id="time-int"),
    pytest.param(add(time=dt.datetime(2026, 3, 1, tzinfo=MSK), tz=1), {"tz"}, id="tz-and-aware"),
    pytest.param(add(tz=30), {"tz"}, id="tz-range"),
    pytest.param(add(valid=0), {"valid"}, id="valid-zero"),
    pytest.param(add(valid=25), {"valid"}, id="valid-25-hours"),
    pytest.param(add(valid="24:01"), {"valid"}, id="valid-past-a-day"),
    pytest.param(add(valid="1:30"), {"valid"}, id="valid-short-form"),
    pytest.param(add(valid="00:60"), {"valid"}, id="valid-60-minutes"),
    pytest.param(add(period=0), {"period"}, id="period-zero"),
    pytest.param(add(period=721), {"period"}, id="period-long"),
    pytest.param(add(period="2"), {"period"}, id="period-text"),
    pytest.param(add(freq=15), {"freq"}, id="freq-without-period"),
    pytest.param(add(period=1, freq=0), {"freq"}, id="freq-zero"),
    pytest.param(add(repeat=8), {"repeat"}, id="repeat-range"),
    pytest.param(add(repeat=True), {"repeat"}, id="repeat-bool"),
    pytest.param(add(repeat_count=3), {"repeat_count"}, id="count-without-repeat"),
    pytest.param(add(repeat=1, repeat_count=0), {"repeat_count"}, id="count-zero"),
    pytest.param(add(translit=3), {"translit"}, id="translit-range"),
    pytest.param(add(fileurl="ftp://x"), {"fileurl"}, id="fileurl-scheme"),
    pytest.param(
        add(name="", phones=["x"], text="", time="now", valid=99),
        {"name", "phones", "text", "time", "valid"},
        id="everything-at-once",
    ),
    pytest.param(lambda s: s.mailings.get(0), {"id"}, id="get-id-zero"),
    pytest.param(lambda s: s.mailings.get("31"), {"id"}, id="get-id-text"),
    pytest.param(lambda s: s.mailings.get_all(start="2026-02-01"), {"start"}, id="start-iso"),
    pytest.param(lambda s: s.mailings.get_all(end=20260201), {"end"}, id="end-int"),
    pytest.param(lambda s: s.mailings.cancel(None), {"id"}, id="cancel-none"),
    pytest.param(lambda s: s.mailings.delete(-3), {"id"}, id="delete-negative"),
]


@pytest.mark.parametrize(("call", "fields"), BAD_CALLS)
async def test_bad_argument_raises_before_sending(
    router: respx.MockRouter, smsc: SmscClient, call: MailingsCall, fields: set[str]
) -> None:
    """A bad argument raises ValidationError naming every bad field, and nothing is sent."""
    route = router.post("jobs.php").mock(return_value=reply(CREATED))
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert 0 == route.call_count
