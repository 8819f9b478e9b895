"""``smsc.subclients``: bad arguments raise ValidationError before anything is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
import respx

from smsc_async import (
    HourRange,
    Provisioned,
    SmscClient,
    SubclientSettings,
    SubclientSpec,
    TemplateSpec,
    ValidationError,
)
from smsc_async.bulk import ItemStatus, Progress
from tests._support import make_client, posted_form, reply

SubclientsCall = Callable[[SmscClient], Awaitable[object]]

GOOD = "Sub-pass-2024"
WEAK = "weakpass"  # letters only: one kind of the four


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request would reach the (route-less) respx router."""
    async with make_client() as client:
        yield client


def settings(**values: Any) -> SubclientSettings:
    """SubclientSettings from untyped values (bad ones included, on purpose)."""
    return SubclientSettings(**values)


def create_with(**values: Any) -> SubclientsCall:
    """A creation of a good login and password with these settings."""
    return lambda s: s.subclients.create("sub1", GOOD, settings(**values))


BAD_CALLS = [
    # logins
    pytest.param(lambda s: s.subclients.create("", GOOD), {"user"}, id="login-empty"),
    pytest.param(lambda s: s.subclients.create("sub 1", GOOD), {"user"}, id="login-space"),
    pytest.param(lambda s: s.subclients.create("a,b", GOOD), {"user"}, id="login-comma"),
    pytest.param(lambda s: s.subclients.create("a;b", GOOD), {"user"}, id="login-semicolon"),
    pytest.param(lambda s: s.subclients.create(5, GOOD), {"user"}, id="login-int"),
    # passwords
    pytest.param(lambda s: s.subclients.create("sub1", "Ab1-xyz"), {"password"}, id="pw-7-chars"),
    pytest.param(lambda s: s.subclients.create("sub1", WEAK), {"password"}, id="pw-letters"),
    pytest.param(lambda s: s.subclients.create("sub1", "12345678"), {"password"}, id="pw-digits"),
    pytest.param(lambda s: s.subclients.create("sub1", "abcd1234"), {"password"}, id="pw-2-kinds"),
    pytest.param(lambda s: s.subclients.create("sub1", 12345678), {"password"}, id="pw-int"),
    pytest.param(lambda s: s.subclients.create("sub1", None), {"password"}, id="pw-none"),
    # settings as a whole
    pytest.param(
        lambda s: s.subclients.create("sub1", GOOD, {"dlim": 5}), {"settings"}, id="settings-dict"
    ),
    # enums
    pytest.param(create_with(type=5), {"type"}, id="type-5"),
    pytest.param(create_with(type=True), {"type"}, id="type-bool"),
    pytest.param(create_with(tariff=9), {"tariff"}, id="tariff-9"),
    pytest.param(create_with(tariff=-1), {"tariff"}, id="tariff-negative"),
    pytest.param(create_with(curr=0), {"curr"}, id="curr-0"),
    pytest.param(create_with(curr=6), {"curr"}, id="curr-6"),
    pytest.param(create_with(tz=25), {"tz"}, id="tz-25"),
    pytest.param(create_with(tz="15"), {"tz"}, id="tz-str"),
    # counts
    pytest.param(create_with(site_id=0), {"site_id"}, id="site-id-0"),
    pytest.param(create_with(vld=0), {"vld"}, id="vld-0"),
    pytest.param(create_with(mlen=0), {"mlen"}, id="mlen-0"),
    pytest.param(create_with(ktm=-1), {"ktm"}, id="ktm-negative"),
    pytest.param(create_with(dlim="10"), {"dlim"}, id="dlim-str"),
    pytest.param(create_with(plim=True), {"plim"}, id="plim-bool"),
    pytest.param(create_with(tlim=2**31), {"tlim"}, id="tlim-over-int32"),
    pytest.param(create_with(ilim=1.5), {"ilim"}, id="ilim-float"),
    # money
    pytest.param(create_with(mintrf=Decimal("1.234")), {"mintrf"}, id="mintrf-3-decimals"),
    pytest.param(create_with(nb=-1), {"nb"}, id="nb-negative"),
    pytest.param(create_with(nb="abc"), {"nb"}, id="nb-text"),
    pytest.param(create_with(nb=1.5), {"nb"}, id="nb-float"),
    pytest.param(create_with(nb=True), {"nb"}, id="nb-bool"),
    pytest.param(create_with(nb="Infinity"), {"nb"}, id="nb-infinity"),
    # hours
    pytest.param(create_with(tmlim=HourRange(21, 9)), {"tmlim"}, id="hours-reversed"),
    pytest.param(create_with(tmlim=HourRange(9, 9)), {"tmlim"}, id="hours-empty"),
    pytest.param(create_with(tmlim=HourRange(0, 25)), {"tmlim"}, id="hours-past-24"),
    pytest.param(create_with(tmlim=HourRange(-1, 5)), {"tmlim"}, id="hours-negative"),
    pytest.param(
        create_with(tmlim=HourRange("9", "21")),  # type: ignore[arg-type]
        {"tmlim"},
        id="hours-strings",
    ),
    pytest.param(create_with(tmlim="9-21"), {"tmlim"}, id="hours-as-text"),
    pytest.param(create_with(mail_hours=HourRange(20, 8)), {"mail_hours"}, id="mail-hours"),
    # lists
    pytest.param(create_with(fmts="7"), {"fmts"}, id="list-bare-string"),
    pytest.param(create_with(fmts=()), {"fmts"}, id="list-empty"),
    pytest.param(create_with(fmts=("7a",)), {"fmts"}, id="codes-not-digits"),
    pytest.param(create_with(fmts=(7,)), {"fmts"}, id="codes-int"),
    pytest.param(create_with(ph=("abc",)), {"ph"}, id="ph-text"),
    pytest.param(create_with(mph=("123",)), {"mph"}, id="mph-short"),
    pytest.param(create_with(mph=("7" * 16,)), {"mph"}, id="mph-16-digits"),
    pytest.param(create_with(mph=5), {"mph"}, id="mph-int"),
    # e-mail, phone, URL, sender names, text
    pytest.param(create_with(email="info@shop"), {"email"}, id="email-no-dot"),
    pytest.param(create_with(email2="a b@c.de"), {"email2"}, id="email2-space"),
    pytest.param(create_with(email="shop.ru"), {"email"}, id="email-no-at"),
    pytest.param(create_with(phone="12345"), {"phone"}, id="phone-short"),
    pytest.param(create_with(phone2="+7 999 abc"), {"phone2"}, id="phone2-letters"),
    pytest.param(create_with(url="ftp://shop.ru/"), {"url"}, id="url-ftp"),
    pytest.param(create_with(url="https://"), {"url"}, id="url-no-host"),
    pytest.param(create_with(url="shop.ru/hook"), {"url"}, id="url-no-scheme"),
    pytest.param(create_with(sender="x" * 12), {"sender"}, id="sender-12-chars"),
    pytest.param(create_with(sender2=""), {"sender2"}, id="sender2-empty"),
    pytest.param(create_with(fio=5), {"fio"}, id="text-int"),
    # named flags
    pytest.param(create_with(blocked=1), {"blocked"}, id="flag-int"),
    pytest.param(create_with(email2sms_translit="1"), {"email2sms_translit"}, id="flag-str"),
    # update
    pytest.param(lambda s: s.subclients.update("sub1"), {"settings"}, id="update-nothing"),
    pytest.param(
        lambda s: s.subclients.update("sub1", SubclientSettings()),
        {"settings"},
        id="update-empty-settings",
    ),
    pytest.param(lambda s: s.subclients.update("sub1", password=WEAK), {"password"}, id="upd-pw"),
    pytest.param(
        lambda s: s.subclients.update("sub1", new_login="a b"), {"new_login"}, id="upd-new-login"
    ),
    pytest.param(
        lambda s: s.subclients.update("", SubclientSettings(dlim=1)), {"user"}, id="upd-user"
    ),
    pytest.param(
        lambda s: s.subclients.update("sub1", current_password=123),
        {"current_password"},
        id="upd-current-password-int",
    ),
    # pay
    pytest.param(lambda s: s.subclients.pay("sub1", 0), {"amount"}, id="pay-zero"),
    pytest.param(lambda s: s.subclients.pay("sub1", "0.00"), {"amount"}, id="pay-zero-str"),
    pytest.param(lambda s: s.subclients.pay("sub1", "1.001"), {"amount"}, id="pay-3-decimals"),
    pytest.param(lambda s: s.subclients.pay("sub1", "ten"), {"amount"}, id="pay-text"),
    pytest.param(lambda s: s.subclients.pay("sub1", 1.5), {"amount"}, id="pay-float"),
    pytest.param(lambda s: s.subclients.pay("sub1", Decimal("NaN")), {"amount"}, id="pay-nan"),
    pytest.param(lambda s: s.subclients.pay("", 10), {"user"}, id="pay-user"),
    # Seed 000: sum is "transferred to the client from the main account", as payment= is.
    pytest.param(lambda s: s.subclients.pay("sub1", "-10.5"), {"amount"}, id="pay-negative"),
    pytest.param(lambda s: s.subclients.pay("sub1", -1), {"amount"}, id="pay-negative-int"),
    # stats: main_balance chooses a list of all subclients, so not with one subclient
    pytest.param(
        lambda s: s.subclients.stats("01.01.2024", user="sub1", main_balance=True),
        {"main_balance"},
        id="stats-main-balance-with-user",
    ),
    pytest.param(
        lambda s: s.subclients.stats("01.01.2024", main_balance=1),
        {"main_balance"},
        id="stats-main-balance-int",
    ),
    # statistics
    pytest.param(lambda s: s.subclients.stats("31.02.2024"), {"start"}, id="stats-31-02"),
    pytest.param(lambda s: s.subclients.stats("2024-01-01"), {"start"}, id="stats-iso"),
    pytest.param(lambda s: s.subclients.stats(None), {"start"}, id="stats-no-start"),
    pytest.param(lambda s: s.subclients.stats(20240101), {"start"}, id="stats-int-start"),
    pytest.param(
        lambda s: s.subclients.stats("01.02.2024", "31.01.2024"), {"end"}, id="stats-end-first"
    ),
    pytest.param(
        lambda s: s.subclients.stats("01.01.2024", "30.02.2024"), {"end"}, id="stats-end-30-02"
    ),
    pytest.param(
        lambda s: s.subclients.stats("01.01.2024", user="sub1", user_id=5),
        {"user/user_id"},
        id="stats-user-and-id",
    ),
    pytest.param(lambda s: s.subclients.stats("01.01.2024", user_id=0), {"user_id"}, id="uid-0"),
    pytest.param(lambda s: s.subclients.stats("01.01.2024", user=""), {"user"}, id="stats-user"),
    pytest.param(
        lambda s: s.subclients.detailed_stats("31.02.2024"), {"start"}, id="detailed-31-02"
    ),
    pytest.param(
        lambda s: s.subclients.detailed_stats(dt.date(2024, 2, 1), dt.date(2024, 1, 31)),
        {"end"},
        id="detailed-end-first",
    ),
]


@pytest.mark.parametrize(("call", "fields"), BAD_CALLS)
async def test_bad_argument_raises_before_sending(
    router: respx.MockRouter, smsc: SmscClient, call: SubclientsCall, fields: set[str]
) -> None:
    """A bad argument raises ValidationError naming it, and no request is sent."""
    route = router.post("users.php").mock(return_value=reply('{"result": "OK"}'))
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert 0 == route.call_count


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        pytest.param(
            lambda s: s.subclients.create("sub1", WEAK, settings(tariff=9, tz=25, curr=7)),
            {"password", "tariff", "tz", "curr"},
            id="create",
        ),
        pytest.param(
            lambda s: s.subclients.create(
                "a b",
                "1234",
                settings(
                    email="x",
                    phone="1",
                    url="x",
                    sender="",
                    tmlim=HourRange(5, 1),
                    fmts="7",
                    nb="x",
                    dlim=-1,
                    blocked=0,
                ),
            ),
            {
                "user",
                "password",
                "email",
                "phone",
                "url",
                "sender",
                "tmlim",
                "fmts",
                "nb",
                "dlim",
                "blocked",
            },
            id="create-every-kind",
        ),
        pytest.param(
            lambda s: s.subclients.update("", settings(vld=0), password="short", new_login="x;y"),
            {"user", "password", "new_login", "vld"},
            id="update",
        ),
        pytest.param(
            lambda s: s.subclients.stats("31.02.2024", "x", user="", user_id=-1),
            {"start", "end", "user/user_id", "user", "user_id"},
            id="stats",
        ),
    ],
)
async def test_one_error_lists_every_bad_field(
    router: respx.MockRouter, smsc: SmscClient, call: SubclientsCall, fields: set[str]
) -> None:
    """One ValidationError reports every bad argument of the call, not only the first."""
    route = router.post("users.php").mock(return_value=reply('{"result": "OK"}'))
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert 0 == route.call_count


async def test_bad_fields_are_listed_in_argument_order(smsc: SmscClient) -> None:
    """ValidationError.fields follows user, password, then the settings in model order."""
    with pytest.raises(ValidationError) as caught:
        await smsc.subclients.create("", WEAK, settings(tariff=9, curr=7, tz=25))
    assert ("user", "password", "tariff", "curr", "tz") == caught.value.fields


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.subclients.create("sub1", WEAK), id="create-weak"),
        pytest.param(lambda s: s.subclients.create("a b", WEAK, settings(tz=99)), id="create-more"),
        pytest.param(lambda s: s.subclients.update("sub1", password=WEAK), id="update-weak"),
    ],
)
async def test_password_never_appears_in_the_error(smsc: SmscClient, call: SubclientsCall) -> None:
    """A refused password is named as a field but its value is never repeated."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert "password" in caught.value.fields
    shown = [str(caught.value), repr(caught.value), *(str(e) for e in caught.value.errors)]
    assert [] == [text for text in shown if WEAK in text]


@pytest.mark.parametrize(
    ("call", "params"),
    [
        pytest.param(
            lambda s: s.subclients.create("sub1", "Abcd1234"),
            {"add": "1", "user": "sub1", "password": "Abcd1234"},
            id="pw-8-chars-3-kinds",
        ),
        pytest.param(
            lambda s: s.subclients.create("sub1", "abcd-1234"),
            {"add": "1", "user": "sub1", "password": "abcd-1234"},
            id="pw-letters-digits-symbols",
        ),
        pytest.param(
            lambda s: s.subclients.pay("sub1", "0.01"),
            {"pay": "1", "user": "sub1", "sum": "0.01"},
            id="pay-one-cent",
        ),
        pytest.param(
            lambda s: s.subclients.stats(dt.datetime(2024, 2, 29, 23, 59)),  # noqa: DTZ001
            {"get_stat": "1", "start": "29.02.2024", "reseller": "1"},
            id="stats-datetime-leap-day",
        ),
    ],
)
async def test_boundary_values_are_accepted(
    router: respx.MockRouter, call: SubclientsCall, params: dict[str, str]
) -> None:
    """Values right at the limits pass validation and are sent as given."""
    body = "[]" if "get_stat" in params else '{"result": "OK"}'
    route = router.post("users.php").mock(return_value=reply(body))
    async with make_client() as smsc:
        await call(smsc)
    form = posted_form(route.calls.last.request)
    assert params == {k: v for k, v in form.items() if k in params}


@pytest.mark.parametrize("amount", ["10.500", "1.000", Decimal("2.50000")])
async def test_pay_sends_at_most_two_decimals(router: respx.MockRouter, amount: object) -> None:
    """A sum with trailing zeros passes the two-decimals check and is sent with two at most."""
    route = router.post("users.php").mock(return_value=reply('{"result": "OK"}'))
    async with make_client() as smsc:
        await smsc.subclients.pay("sub1", amount)  # type: ignore[arg-type]
    sent = posted_form(route.calls.last.request)["sum"]
    assert Decimal(str(amount)) == Decimal(sent)
    assert len(sent.partition(".")[2]) <= 2, f"sum={sent} has more than two decimals"


# --- provision: the up-front checks ------------------------------------------------------


async def test_provision_refuses_bad_specs_and_runs_the_rest(router: respx.MockRouter) -> None:
    """A bad spec or a repeated login fails its item unsent; every other item still runs."""
    route = router.post("users.php").mock(return_value=reply('{"id": 7}'))
    specs = [
        SubclientSpec("sub1", GOOD),
        SubclientSpec("sub2", WEAK, senders="x" * 12, payment=0),
        SubclientSpec("sub1", GOOD),
        SubclientSpec("sub3", GOOD, settings=settings(tz=25)),
        SubclientSpec("sub4", GOOD, templates=TemplateSpec("my_shop", "", targets=["nowhere"])),
        SubclientSpec("sub5", GOOD),
    ]
    seen: list[Progress[SubclientSpec, Provisioned]] = []
    async with make_client() as smsc:
        report = await smsc.subclients.provision(specs, on_progress=seen.append)
    assert [
        ItemStatus.DONE,
        ItemStatus.FAILED,
        ItemStatus.FAILED,
        ItemStatus.FAILED,
        ItemStatus.FAILED,
        ItemStatus.DONE,
    ] == [r.status for r in report]
    assert [Provisioned("sub1", 7), Provisioned("sub5", 7)] == [r.value for r in report.done]
    errors = [r.error for r in report.failed]
    assert all(isinstance(e, ValidationError) for e in errors)
    assert [
        {"password", "senders", "payment"},
        {"user"},
        {"tz"},
        {"text", "targets"},
    ] == [set(e.fields) for e in errors if isinstance(e, ValidationError)]
    assert [(), (), (), ()] == [r.steps for r in report.failed]
    assert ["sub1", "sub5"] == sorted(posted_form(c.request)["user"] for c in route.calls)
    assert [1, 2, 3, 4, 5, 6] == [p.finished for p in seen]
    assert (2, 4, 6) == (seen[-1].done, seen[-1].failed, seen[-1].total)


async def test_provision_of_only_bad_specs_sends_nothing(router: respx.MockRouter) -> None:
    """A job whose every spec is refused ends with every item failed and no request made."""
    specs: list[Any] = [SubclientSpec("", GOOD), {"user": "sub1", "password": GOOD}]
    async with make_client() as smsc:
        report = await smsc.subclients.provision(specs)
    assert [ItemStatus.FAILED, ItemStatus.FAILED] == [r.status for r in report]
    assert [("user",), ("spec",)] == [
        r.error.fields for r in report if isinstance(r.error, ValidationError)
    ]
    assert 0 == router.calls.call_count
    assert report.cancelled is False


async def test_provision_refusal_never_shows_the_password(router: respx.MockRouter) -> None:
    """A refused spec's error and the spec's repr never show its password."""
    async with make_client() as smsc:
        report = await smsc.subclients.provision([SubclientSpec("sub1", WEAK)])
    (result,) = report.results
    assert ItemStatus.FAILED == result.status
    assert WEAK not in str(result.error)
    assert WEAK not in repr(result)
