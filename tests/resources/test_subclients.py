"""``smsc.subclients``: what each command posts (every setting kind) and what it returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
import respx

from smsc_async import (
    AccountType,
    Currency,
    Format,
    HourRange,
    LoginTakenError,
    NotFoundError,
    OperationFailedError,
    SmscClient,
    SubclientDayStats,
    SubclientSettings,
    SubclientSpec,
    SubclientStats,
    Tariff,
    TemplateSpec,
    TemplateTarget,
    TimeZone,
)
from smsc_async.errors import ApiError, api_error_class
from tests._support import LOGIN, PASSWORD, make_client, posted_form, reply

SubclientsCall = Callable[[SmscClient], Awaitable[object]]
Bodies = dict[Format, str]
L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON

SUB_PASSWORD = "Sub-pass-2024"

OK: Bodies = {L: "OK", C: "OK", X: "<result>OK</result>", J: '{"result": "OK"}'}
CREATED: Bodies = {
    L: "ID = 123",
    C: "123",
    X: "<result>\n<id>123</id>\n</result>",
    J: '{"id": 123}',
}
STATS_ROWS: Bodies = {
    L: "login = sub1, user_id = 5, messages = 0, credit = 100.00, debit = 0.00, "
    "balance = 100.00, currency = RUB\n"
    "login = sub2, user_id = 6, messages = 12, credit = 0.00, debit = 21.60, "
    "balance = 3.40, currency = EUR\n",
    C: "sub1,5,0,100.00,0.00,100.00,RUB\nsub2,6,12,0.00,21.60,3.40,EUR\n",
    X: "<stats>\n"
    "<user><login>sub1</login><user_id>5</user_id><messages>0</messages>"
    "<credit>100.00</credit><debit>0.00</debit><balance>100.00</balance>"
    "<currency>RUB</currency></user>\n"
    "<user><login>sub2</login><user_id>6</user_id><messages>12</messages>"
    "<credit>0.00</credit><debit>21.60</debit><balance>3.40</balance>"
    "<currency>EUR</currency></user>\n"
    "</stats>",
    J: '[{"login": "sub1", "user_id": 5, "messages": 0, "credit": "100.00", "debit": "0.00", '
    '"balance": "100.00", "currency": "RUB"},\n'
    '{"login": "sub2", "user_id": 6, "messages": 12, "credit": "0.00", "debit": "21.60", '
    '"balance": "3.40", "currency": "EUR"}]',
}
STATS = [
    SubclientStats("sub1", 5, 0, Decimal("100.00"), Decimal("0.00"), Decimal("100.00"), "RUB"),
    SubclientStats("sub2", 6, 12, Decimal("0.00"), Decimal("21.60"), Decimal("3.40"), "EUR"),
]
DAY_ROWS: Bodies = {
    L: "login = sub1, user_id = 5, date = 30.01.2024, messages = 3, credit = 100.00, "
    "debit = 4.50, currency = RUB\n"
    "login = sub1, user_id = 5, date = 31.01.2024, messages = 1, credit = 0.00, "
    "debit = 1.50, currency = RUB\n",
    C: "sub1,5,30.01.2024,3,100.00,4.50,RUB\nsub1,5,31.01.2024,1,0.00,1.50,RUB\n",
    X: "<stats>\n"
    "<day><login>sub1</login><user_id>5</user_id><date>30.01.2024</date>"
    "<messages>3</messages><credit>100.00</credit><debit>4.50</debit>"
    "<currency>RUB</currency></day>\n"
    "<day><login>sub1</login><user_id>5</user_id><date>31.01.2024</date>"
    "<messages>1</messages><credit>0.00</credit><debit>1.50</debit>"
    "<currency>RUB</currency></day>\n"
    "</stats>",
    J: '[{"login": "sub1", "user_id": 5, "date": "30.01.2024", "messages": 3, '
    '"credit": "100.00", "debit": "4.50", "currency": "RUB"},\n'
    '{"login": "sub1", "user_id": 5, "date": "31.01.2024", "messages": 1, '
    '"credit": "0.00", "debit": "1.50", "currency": "RUB"}]',
}
DAYS = [
    SubclientDayStats(
        "sub1",
        dt.date(2024, 1, 30),
        5,
        3,
        Decimal("100.00"),
        Decimal("4.50"),
        "RUB",
    ),
    SubclientDayStats("sub1", dt.date(2024, 1, 31), 5, 1, Decimal("0.00"), Decimal("1.50"), "RUB"),
]
EMPTY_LIST: Bodies = {L: "", C: "", X: "<stats>\n</stats>", J: "[]"}
ERROR_5: Bodies = {
    L: "ERROR = 5 (login already exists)",
    C: "0,-5",
    X: "<result>\n<error>login already exists</error>\n<error_code>5</error_code>\n</result>",
    J: '{\n"error": "login already exists",\n"error_code": 5\n}',
}
ERROR_3: Bodies = {
    L: "ERROR = 3 (user not found)",
    C: "0,-3",
    X: "<result>\n<error>user not found</error>\n<error_code>3</error_code>\n</result>",
    J: '{\n"error": "user not found",\n"error_code": 3\n}',
}


def expected_form(flag: str, fmt: Format = Format.JSON, /, **params: str) -> dict[str, str]:
    """The whole form a users.php command posts with the test account's credentials."""
    return {
        flag: "1",
        **params,
        "fmt": str(int(fmt)),
        "charset": "utf-8",
        "login": LOGIN,
        "psw": PASSWORD,
    }


REPLY_FOR = {"add": CREATED, "chg": OK, "pay": OK, "get_stat": STATS_ROWS, "get_stat_all": DAY_ROWS}


# --- what each command posts --------------------------------------------------------------

FORM_CASES = [
    pytest.param(
        lambda s: s.subclients.create("sub1", SUB_PASSWORD),
        "add",
        {"user": "sub1", "password": SUB_PASSWORD},
        id="create-bare",
    ),
    pytest.param(
        lambda s: s.subclients.create(
            "sub1",
            SUB_PASSWORD,
            SubclientSettings(type=AccountType.MAIN_TARIFF, email="a@shop.ru", blocked=False),
        ),
        "add",
        {
            "user": "sub1",
            "password": SUB_PASSWORD,
            "type": "1",
            "email": "a@shop.ru",
            "fl2[10]": "0",
        },
        id="create-settings",
    ),
    pytest.param(
        lambda s: s.subclients.update("sub1", SubclientSettings(dlim=100)),
        "chg",
        {"user": "sub1", "dlim": "100"},
        id="update-settings",
    ),
    pytest.param(
        lambda s: s.subclients.update(
            "sub1", password="New-pass-2025", current_password="old", new_login="sub1new"
        ),
        "chg",
        {"user": "sub1", "password": "New-pass-2025", "pswc": "old", "new_login": "sub1new"},
        id="update-password-login",
    ),
    pytest.param(
        lambda s: s.subclients.update("sub1", SubclientSettings(blocked=True, smpp=False)),
        "chg",
        {"user": "sub1", "fl2[10]": "1", "fl[2]": "0"},
        id="update-flags",
    ),
    pytest.param(
        lambda s: s.subclients.pay("sub1", Decimal("150.50")),
        "pay",
        {"user": "sub1", "sum": "150.50"},
        id="pay-decimal",
    ),
    pytest.param(
        lambda s: s.subclients.pay("sub1", 200, electronic_balance=True),
        "pay",
        {"user": "sub1", "sum": "200", "balance2": "1"},
        id="pay-int-balance2",
    ),
    pytest.param(
        lambda s: s.subclients.stats("01.01.2024"),
        "get_stat",
        {"start": "01.01.2024", "reseller": "1"},
        id="stats-all-resellers",
    ),
    pytest.param(
        lambda s: s.subclients.stats("01.01.2024", main_balance=True),
        "get_stat",
        {"start": "01.01.2024", "reseller": "0"},
        id="stats-all-on-main-balance",
    ),
    pytest.param(
        lambda s: s.subclients.stats(
            dt.date(2024, 1, 1),
            dt.date(2024, 1, 31),
            user="sub1",
            hide_deleted=True,
            main_currency=True,
            electronic_balance=True,
        ),
        "get_stat",
        {
            "start": "01.01.2024",
            "end": "31.01.2024",
            "user": "sub1",
            "hide_deleted": "1",
            "mycur": "1",
            "balance2": "1",
        },
        id="stats-user-every-option",
    ),
    pytest.param(
        lambda s: s.subclients.stats("01.01.2024", "01.01.2024", user_id=5),
        "get_stat",
        {"start": "01.01.2024", "end": "01.01.2024", "user_id": "5"},
        id="stats-user-id-one-day",
    ),
    pytest.param(
        lambda s: s.subclients.detailed_stats("01.01.2024"),
        "get_stat_all",
        {"start": "01.01.2024", "reseller": "1"},
        id="detailed-defaults",
    ),
    pytest.param(
        lambda s: s.subclients.detailed_stats(
            "01.01.2024",
            "31.01.2024",
            hide_deleted=True,
            main_currency=True,
            electronic_balance=True,
        ),
        "get_stat_all",
        {
            "start": "01.01.2024",
            "end": "31.01.2024",
            "reseller": "1",
            "hide_deleted": "1",
            "mycur": "1",
            "balance2": "1",
        },
        id="detailed-every-option",
    ),
]


@pytest.mark.parametrize(("call", "flag", "params"), FORM_CASES)
async def test_command_posts_exact_form(
    router: respx.MockRouter, fmt: Format, call: SubclientsCall, flag: str, params: dict[str, str]
) -> None:
    """Each command posts exactly its flag, its parameters, fmt, charset and credentials."""
    route = router.post("users.php").mock(return_value=reply(REPLY_FOR[flag][fmt]))
    async with make_client(fmt) as smsc:
        await call(smsc)
    assert 1 == route.call_count
    request = route.calls.last.request
    assert expected_form(flag, fmt, **params) == posted_form(request)
    assert "https://smsc.ru/sys/users.php" == str(request.url)
    assert b"" == request.url.query


# --- every setting kind ------------------------------------------------------------------

# The named flags and their wire names (seed 000), written out so a renamed one is caught.
FLAGS = {
    "incoming_to_email": "fl[9]",
    "incoming_to_phone": "fl[8]",
    "main_senders": "fl[29]",
    "main_contacts": "fl[26]",
    "main_templates": "fl2[31]",
    "guaranteed_routes": "fl2[9]",
    "cheap_then_guaranteed": "fl2[24]",
    "no_sender_replacement": "fl2[12]",
    "no_sender_in_text": "fl2[13]",
    "no_mass_mailings": "fl2[23]",
    "advanced_mode": "fl2[8]",
    "answering_machine_detection": "fl[16]",
    "no_new_ip_confirmation": "fl3[20]",
    "settings_locked": "fl[27]",
    "payments_locked": "fl[28]",
    "mailings_locked": "fl[6]",
    "hide_messages": "fl2[1]",
    "blocked": "fl2[10]",
    "strict_hours": "fl2[15]",
    "subscriber_time_zone": "fl2[16]",
    "no_call_forwarding": "fl2[4]",
    "forward_statuses": "fl[10]",
    "forward_incoming": "fl[11]",
    "smpp": "fl[2]",
    "smpp_incoming": "fl[1]",
    "track_parts": "fl[23]",
    "test_mode": "fl2[27]",
    "delivery_control": "fl[5]",
    "api_log": "fl[30]",
    "email2sms_disabled": "mfl[0]",
    "email2sms_phones_in_body": "mfl[5]",
    "email2sms_phones_in_address": "mfl[6]",
    "email2sms_no_subject": "mfl[1]",
    "email2sms_no_text": "mfl[2]",
    "email2sms_no_sender": "mfl[3]",
    "email2sms_translit": "mfl[4]",
}

EVERY_VALUE: dict[str, Any] = {
    "type": AccountType.MAIN_BALANCE,
    "site_id": 7,
    "email": "info@shop.ru",
    "email2": "ops@shop.ru",
    "phone": "+7 (999) 123-45-67",
    "phone2": "79991234568",
    "fio": "Shop, Ltd",
    "props": "INN 7700000000",
    "cntr": "No. 15/2024",
    "comment": "VIP; pays late",
    "tariff": Tariff.PLAN_3,
    "mintrf": Decimal("1.25"),
    "curr": Currency.EUR,
    "tz": TimeZone.GMT_PLUS_3,
    "sender": "my_shop",
    "sender2": "79991234567",
    "nb": Decimal(50),
    "ktm": 0,
    "fmts": ("7", "380"),
    "ph": ("79991234567", "12"),
    "dlim": 1000,
    "plim": 10,
    "tlim": 3,
    "ilim": 0,
    "tmlim": HourRange(9, 21),
    "vld": 60,
    "answ": "We will call you back",
    "answ_call": "Busy, write an SMS",
    "url": "https://shop.ru/smsc?key=1",
    "mph": ("+79991234567", "79997654321"),
    "mail_hours": HourRange(8, 20),
    "mlen": 70,
}
EVERY_PARAM = {
    "type": "3",
    "site_id": "7",
    "email": "info@shop.ru",
    "email2": "ops@shop.ru",
    "phone": "+7 (999) 123-45-67",
    "phone2": "79991234568",
    "fio": "Shop, Ltd",
    "props": "INN 7700000000",
    "cntr": "No. 15/2024",
    "notes": "VIP; pays late",
    "tariff": "2",
    "mintrf": "1.25",
    "curr": "3",
    "tz": "15",
    "sender": "my_shop",
    "sender2": "79991234567",
    "nb": "50",
    "ktm": "0",
    "fmts": "7,380",
    "ph": "79991234567,12",
    "dlim": "1000",
    "plim": "10",
    "tlim": "3",
    "ilim": "0",
    "tmlim": "9-21",
    "vld": "60",
    "answ": "We will call you back",
    "answ_call": "Busy, write an SMS",
    "url": "https://shop.ru/smsc?key=1",
    "mph": "+79991234567,79997654321",
    "mh1": "8",
    "mh2": "20",
    "mlen": "70",
}


async def test_every_setting_is_sent_under_its_wire_name(router: respx.MockRouter) -> None:
    """A creation with every setting given posts each one, rendered as SMSC reads it."""
    flags: dict[str, Any] = {name: index % 2 == 0 for index, name in enumerate(FLAGS)}
    settings = SubclientSettings(**EVERY_VALUE, **flags)
    route = router.post("users.php").mock(return_value=reply(CREATED[J]))
    async with make_client() as smsc:
        await smsc.subclients.create("sub1", SUB_PASSWORD, settings)
    expected_flags = {FLAGS[name]: "1" if on else "0" for name, on in flags.items()}
    expected = expected_form(
        "add", user="sub1", password=SUB_PASSWORD, **EVERY_PARAM, **expected_flags
    )
    assert expected == posted_form(route.calls.last.request)


@pytest.mark.parametrize("value", [True, False], ids=["true", "false"])
@pytest.mark.parametrize("name", list(FLAGS))
async def test_named_flag_is_sent_as_one_or_zero(
    router: respx.MockRouter, name: str, value: bool
) -> None:
    """A named flag sends its fl/fl2/fl3/mfl parameter: True as 1, False as 0 (to clear it)."""
    route = router.post("users.php").mock(return_value=reply(OK[J]))
    async with make_client() as smsc:
        one: dict[str, Any] = {name: value}
        await smsc.subclients.update("sub1", SubclientSettings(**one))
    expected = expected_form("chg", user="sub1", **{FLAGS[name]: "1" if value else "0"})
    assert expected == posted_form(route.calls.last.request)


SETTING_CASES = [
    pytest.param({"type": AccountType.INDEPENDENT}, {"type": "0"}, id="enum-zero"),
    pytest.param({"type": 4}, {"type": "4"}, id="enum-as-int"),
    pytest.param({"tariff": Tariff.PLAN_9}, {"tariff": "8"}, id="tariff-max"),
    pytest.param({"curr": Currency.RUB}, {"curr": "1"}, id="currency-min"),
    pytest.param({"tz": TimeZone.GMT_MINUS_12}, {"tz": "0"}, id="tz-min"),
    pytest.param({"tz": TimeZone.from_offset(12)}, {"tz": "24"}, id="tz-max-from-offset"),
    pytest.param(
        {"site_id": 1, "vld": 1, "mlen": 1},
        {"site_id": "1", "vld": "1", "mlen": "1"},
        id="int-minimums-one",
    ),
    pytest.param(
        {"ktm": 0, "dlim": 0, "plim": 0, "tlim": 0, "ilim": 0},
        {"ktm": "0", "dlim": "0", "plim": "0", "tlim": "0", "ilim": "0"},
        id="int-minimums-zero",
    ),
    pytest.param({"dlim": 2**31 - 1}, {"dlim": str(2**31 - 1)}, id="int-max"),
    pytest.param({"mintrf": Decimal("0.00")}, {"mintrf": "0.00"}, id="money-zero"),
    pytest.param({"nb": "12.5"}, {"nb": "12.5"}, id="money-str"),
    pytest.param({"nb": 100}, {"nb": "100"}, id="money-int"),
    pytest.param({"tmlim": HourRange(0, 24)}, {"tmlim": "0-24"}, id="hours-whole-day"),
    pytest.param({"mail_hours": HourRange(0, 1)}, {"mh1": "0", "mh2": "1"}, id="mail-hours"),
    pytest.param({"fmts": ["7"]}, {"fmts": "7"}, id="list-one"),
    pytest.param(
        {"ph": ("79991234567", "+380501234567", "3")},
        {"ph": "79991234567,+380501234567,3"},
        id="list-phones-and-group",
    ),
    pytest.param({"mph": (" 79991234567 ",)}, {"mph": "79991234567"}, id="list-items-stripped"),
    pytest.param(
        {"email": "a.b-c@mail.example.com"}, {"email": "a.b-c@mail.example.com"}, id="email"
    ),
    pytest.param({"phone": "+380 50 123 45 67"}, {"phone": "+380 50 123 45 67"}, id="phone"),
    pytest.param({"url": "http://x.ru/"}, {"url": "http://x.ru/"}, id="url-http"),
    pytest.param(
        {"sender": "7" * 15, "sender2": "abcdefghijk"},
        {"sender": "7" * 15, "sender2": "abcdefghijk"},
        id="sender-names-at-limits",
    ),
    pytest.param({"fio": ""}, {"fio": ""}, id="text-empty-clears"),
    pytest.param(
        {"answ": "Привет, мы перезвоним"}, {"answ": "Привет, мы перезвоним"}, id="text-cyrillic"
    ),
]


@pytest.mark.parametrize(("settings", "params"), SETTING_CASES)
async def test_setting_kind_is_rendered(
    router: respx.MockRouter, settings: dict[str, Any], params: dict[str, str]
) -> None:
    """Each kind of setting, at its limits, is accepted and rendered as SMSC reads it."""
    route = router.post("users.php").mock(return_value=reply(OK[J]))
    async with make_client() as smsc:
        await smsc.subclients.update("sub1", SubclientSettings(**settings))
    assert expected_form("chg", user="sub1", **params) == posted_form(route.calls.last.request)


async def test_settings_left_none_are_not_sent(router: respx.MockRouter) -> None:
    """Empty SubclientSettings add nothing to a creation: only user and password go."""
    route = router.post("users.php").mock(return_value=reply(CREATED[J]))
    async with make_client() as smsc:
        await smsc.subclients.create("sub1", SUB_PASSWORD, SubclientSettings())
    expected = expected_form("add", user="sub1", password=SUB_PASSWORD)
    assert expected == posted_form(route.calls.last.request)


# --- what each command returns -----------------------------------------------------------


async def test_create_returns_new_id(router: respx.MockRouter, fmt: Format) -> None:
    """create() returns the new subclient's id as an int in every format."""
    router.post("users.php").mock(return_value=reply(CREATED[fmt]))
    async with make_client(fmt) as smsc:
        new_id = await smsc.subclients.create("sub1", SUB_PASSWORD)
    assert 123 == new_id
    assert int is type(new_id)


async def test_create_answered_ok_returns_none(router: respx.MockRouter, fmt: Format) -> None:
    """create() answered with a bare OK returns None (no id) in every format."""
    route = router.post("users.php").mock(return_value=reply(OK[fmt]))
    async with make_client(fmt) as smsc:
        new_id = await smsc.subclients.create("sub1", SUB_PASSWORD)
    assert new_id is None
    assert 1 == route.call_count


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.subclients.update("sub1", SubclientSettings(dlim=5)), id="update"),
        pytest.param(lambda s: s.subclients.pay("sub1", 10), id="pay"),
    ],
)
async def test_ok_commands_return_none(
    router: respx.MockRouter, fmt: Format, call: SubclientsCall
) -> None:
    """update() and pay() acknowledged with OK return None in every format."""
    route = router.post("users.php").mock(return_value=reply(OK[fmt]))
    async with make_client(fmt) as smsc:
        assert await call(smsc) is None
    assert 1 == route.call_count


async def test_stats_returns_rows(router: respx.MockRouter, fmt: Format) -> None:
    """stats() decodes every format into SubclientStats, sums as exact decimals, in order."""
    router.post("users.php").mock(return_value=reply(STATS_ROWS[fmt]))
    async with make_client(fmt) as smsc:
        stats = await smsc.subclients.stats("01.01.2024")
    assert STATS == stats
    assert ["100.00", "0.00", "100.00"] == [
        str(stats[0].credit),
        str(stats[0].debit),
        str(stats[0].balance),
    ]


async def test_detailed_stats_returns_days(router: respx.MockRouter, fmt: Format) -> None:
    """detailed_stats() decodes every format into SubclientDayStats with real dates."""
    router.post("users.php").mock(return_value=reply(DAY_ROWS[fmt]))
    async with make_client(fmt) as smsc:
        assert DAYS == await smsc.subclients.detailed_stats("01.01.2024", "31.01.2024")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.subclients.stats("01.01.2024"), id="stats"),
        pytest.param(lambda s: s.subclients.detailed_stats("01.01.2024"), id="detailed"),
    ],
)
async def test_empty_stats_are_an_empty_list(
    router: respx.MockRouter, fmt: Format, call: SubclientsCall
) -> None:
    """A period without rows gives an empty list in every format."""
    router.post("users.php").mock(return_value=reply(EMPTY_LIST[fmt]))
    async with make_client(fmt) as smsc:
        assert [] == await call(smsc)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.subclients.create("sub1", SUB_PASSWORD), id="create"),
        pytest.param(lambda s: s.subclients.update("sub1", new_login="sub2"), id="rename"),
    ],
)
async def test_error_5_is_login_taken(
    router: respx.MockRouter, fmt: Format, call: SubclientsCall
) -> None:
    """Error 5 from users.php raises LoginTakenError (an OperationFailedError) in every format."""
    route = router.post("users.php").mock(return_value=reply(ERROR_5[fmt]))
    async with make_client(fmt) as smsc:
        with pytest.raises(LoginTakenError) as caught:
            await call(smsc)
    assert 5 == caught.value.code
    assert isinstance(caught.value, OperationFailedError)
    assert 1 == route.call_count  # a write is never repeated blindly


async def test_error_3_is_not_found(router: respx.MockRouter, fmt: Format) -> None:
    """Error 3 from users.php (no such subclient) raises NotFoundError in every format."""
    router.post("users.php").mock(return_value=reply(ERROR_3[fmt]))
    async with make_client(fmt) as smsc:
        with pytest.raises(NotFoundError) as caught:
            await smsc.subclients.pay("ghost", 10)
    error: ApiError = caught.value
    assert (3, "users.pay") == (error.code, error.command)


# --- models ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "zone"),
    [
        (-12, TimeZone.GMT_MINUS_12),
        (0, TimeZone.GMT),
        (3, TimeZone.GMT_PLUS_3),
        (12, TimeZone.GMT_PLUS_12),
    ],
)
def test_time_zone_from_offset_and_back(hours: int, zone: TimeZone) -> None:
    """TimeZone.from_offset(hours) is the zone that many hours from GMT, and .offset undoes it."""
    assert (zone, hours) == (TimeZone.from_offset(hours), zone.offset)


@pytest.mark.parametrize("hours", [-13, 13])
def test_time_zone_from_offset_out_of_range(hours: int) -> None:
    """An offset beyond GMT-12..GMT+12 is no zone."""
    with pytest.raises(ValueError, match="TimeZone"):
        TimeZone.from_offset(hours)


def test_account_type_independent_balance() -> None:
    """Only independent subclients and those on the main tariff have a balance of their own."""
    assert [AccountType.INDEPENDENT, AccountType.MAIN_TARIFF] == [
        t for t in AccountType if t.independent_balance
    ]


def test_spec_takes_one_bare_sender_name() -> None:
    """A bare string for senders is one name, not a list of its characters."""
    assert ("my_shop",) == SubclientSpec("sub1", SUB_PASSWORD, senders="my_shop").senders


def test_spec_takes_a_list_of_sender_names() -> None:
    """A list or generator of names becomes a tuple in the same order."""
    spec = SubclientSpec("sub1", SUB_PASSWORD, senders=(n for n in ["b_shop", "a_shop"]))
    assert ("b_shop", "a_shop") == spec.senders


def test_spec_takes_one_bare_template() -> None:
    """A bare TemplateSpec is one template; its bare target is one target."""
    template = TemplateSpec("my_shop", "Code %CODE%", TemplateTarget.MTS_AUTH)
    spec = SubclientSpec("sub1", SUB_PASSWORD, templates=template)
    assert (template,) == spec.templates
    assert frozenset({TemplateTarget.MTS_AUTH}) == template.targets


def test_template_spec_targets_become_a_set() -> None:
    """TemplateSpec targets from a list (repeats included) become one frozenset."""
    template = TemplateSpec(
        "my_shop", "x", [TemplateTarget.SOCIAL, TemplateTarget.SOCIAL, TemplateTarget.MTS_AUTH]
    )
    assert frozenset({TemplateTarget.SOCIAL, TemplateTarget.MTS_AUTH}) == template.targets


def test_spec_repr_hides_the_password() -> None:
    """A SubclientSpec's repr shows its login but never its password."""
    shown = repr(SubclientSpec("sub1", SUB_PASSWORD, payment=10))
    assert ("sub1" in shown, SUB_PASSWORD in shown) == (True, False)


@pytest.mark.parametrize(
    ("code", "script", "error"),
    [
        (5, "users.php", LoginTakenError),
        (5, "senders.php", OperationFailedError),
        (5, "", OperationFailedError),
        (3, "users.php", NotFoundError),
    ],
)
def test_error_class_of_users_php(code: int, script: str, error: type[ApiError]) -> None:
    """Error 5 is LoginTakenError only from users.php; other codes keep their usual class."""
    assert error is api_error_class(code, script)


def test_login_taken_is_an_operation_failure() -> None:
    """LoginTakenError is caught by handlers of OperationFailedError (error 5)."""
    assert (True, 5) == (issubclass(LoginTakenError, OperationFailedError), LoginTakenError.code)
