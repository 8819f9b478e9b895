"""The emulator's command families (tariffs, sender names) through the SDK, in every format."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from typing import Any

import httpx
import pytest

from smsc_async import (
    ApiError,
    AuthError,
    CodeAlreadySentError,
    Format,
    InvalidCodeError,
    NotFoundError,
    OperationFailedError,
    OperatorStatus,
    OperatorStatuses,
    Registration,
    Sender,
    SenderStatus,
)
from smsc_async.testing import DEFAULT_APIKEY, DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator
from tests._support import EMULATOR_START

pytestmark = pytest.mark.looptime

MINUTE = 60.0
UNTIL_MIDNIGHT = 15 * 3600.0  # the emulator's calendar starts at 09:00 MSK
PHONE = "79990001122"
SENT = OperatorStatus.SENT_FOR_REGISTRATION


def code_of(emulator: Emulator, sender: str, owner: str = DEFAULT_LOGIN) -> str:
    """The confirmation code the emulator 'texted' to ``sender``."""
    return emulator.senders.codes[owner, sender].code


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def names(senders: list[Sender]) -> list[str]:
    return [s.sender for s in senders]


async def refusal(call: Any) -> tuple[str, int]:
    """The error class and code an awaitable raises (it must raise an ApiError)."""
    with pytest.raises(ApiError) as caught:
        await call
    return type(caught.value).__name__, caught.value.code


async def raw_senders(
    emulator: Emulator,
    command: str,
    params: dict[str, str],
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> dict[str, Any]:
    """A senders.php form posted with raw httpx (no SDK checks); the JSON answer."""
    form = {command: "1", "login": DEFAULT_LOGIN, "psw": DEFAULT_PASSWORD, "fmt": "3"}
    form.update(params, charset="utf-8")
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url="http://smsc.emulator/sys/"
    ) as http:
        response = await http.post("senders.php", data=form, files=files)
    answer: dict[str, Any] = json.loads(response.text)
    return answer


# -- the same models in every format -------------------------------------------------------


async def script(fmt: Format) -> dict[str, object]:
    """Every implemented command, successes and refusals, against a fresh emulator."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    out: dict[str, object] = {}
    async with emulator.client(fmt=fmt) as smsc:
        out["tariffs"] = await smsc.tariffs.get()
        out["ids"] = [
            await smsc.senders.add("shop", comment="a, b", register=[Registration.MTS_STEP]),
            await smsc.senders.add("cafe"),
            await smsc.senders.add(PHONE),
        ]
        out["duplicate"] = await refusal(smsc.senders.add("cafe"))
        for all_ in (False, True):
            for operators in (False, True):
                out[f"list all={all_} ops={operators}"] = await smsc.senders.list(
                    all=all_, operators=operators
                )
        await smsc.senders.change("cafe", comment="changed", register=[Registration.TELE2])
        out["unknown change"] = await refusal(smsc.senders.change(id=99))
        await smsc.senders.delete("shop")
        out["unknown delete"] = await refusal(smsc.senders.delete("shop"))
        await smsc.senders.send_code(PHONE)
        out["second code"] = await refusal(smsc.senders.send_code(PHONE))
        out["wrong code"] = await refusal(smsc.senders.check_code(PHONE, "1"))
        await smsc.senders.check_code(PHONE, code_of(emulator, PHONE))
        await asyncio.sleep(MINUTE)  # the lists below repeat ones above
        for all_ in (False, True):
            for operators in (False, True):
                out[f"list again all={all_} ops={operators}"] = await smsc.senders.list(
                    all=all_, operators=operators
                )
        out["from_date"] = await smsc.senders.list(operators=True, from_date="01.01.2026")
    assert [] == emulator.violations
    return out


@pytest.mark.parametrize("fmt", [Format.LINES, Format.CSV, Format.XML], ids=lambda f: f.name)
async def test_every_command_gives_equal_models_in_every_format(fmt: Format) -> None:
    """The same script of calls gives equal models (and equal errors) in fmt=0/1/2 as in fmt=3."""
    expected = await script(Format.JSON)
    actual = await script(fmt)
    assert expected == actual
    # The reference itself is not trivial: statuses, registrations and refusals are in it.
    operators = expected["list all=True ops=True"]
    assert isinstance(operators, list)
    assert [None, None, SENT] == [s.operators.mts_step for s in operators]
    assert [SenderStatus.MODERATION, SenderStatus.ALLOWED, SenderStatus.ALLOWED] == [
        s.status for s in operators
    ]
    assert ("CodeAlreadySentError", 10) == expected["second code"]


# -- moderation and uniqueness -------------------------------------------------------------


@pytest.mark.parametrize(
    ("approve", "status", "listed"),
    [(False, SenderStatus.MODERATION, []), (True, SenderStatus.ALLOWED, ["shop"])],
)
async def test_new_names_wait_for_moderation_unless_approved(
    approve: bool, status: SenderStatus, listed: list[str]
) -> None:
    """A new name is hidden from list() while in moderation; list(all=True) shows its status."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=approve)
    async with emulator.client() as smsc:
        new_id = await smsc.senders.add("shop")
        activated = await smsc.senders.list()
        everything = await smsc.senders.list(all=True)
    assert listed == names(activated)
    assert [Sender("shop", new_id, status)] == everything


async def test_digital_names_wait_for_their_code_even_when_names_are_approved() -> None:
    """With approve_senders=True a digital name still waits in moderation for check_code."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    async with emulator.client() as smsc:
        new_id = await smsc.senders.add(PHONE)
        assert [] == await smsc.senders.list()
        assert [Sender(PHONE, new_id, SenderStatus.MODERATION)] == await smsc.senders.list(all=True)


async def test_a_duplicate_name_is_refused_with_error_5() -> None:
    """Adding a name the account already has answers 5 and keeps one copy."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client() as smsc:
        await smsc.senders.add("shop")
        with pytest.raises(OperationFailedError) as caught:
            await smsc.senders.add("shop", comment="again")
        assert ["shop"] == names(await smsc.senders.list(all=True))
    assert 5 == caught.value.code


@pytest.mark.parametrize("operation", ["change", "delete"])
@pytest.mark.parametrize("key", [{"sender": "nobody"}, {"id": 4242}], ids=["by-name", "by-id"])
async def test_changing_or_deleting_an_unknown_name_is_refused_with_error_3(
    operation: str, key: dict[str, Any]
) -> None:
    """change() and delete() of a name or id the account does not have answer 3."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client() as smsc:
        await smsc.senders.add("shop")
        method = getattr(smsc.senders, operation)
        with pytest.raises(NotFoundError) as caught:
            await method(**key)
        assert ["shop"] == names(await smsc.senders.list(all=True))
    assert (3, f"senders.{'chg' if operation == 'change' else 'del'}") == (
        caught.value.code,
        caught.value.command,
    )


@pytest.mark.parametrize(
    ("command", "params", "error_code"),
    [
        ("add", {"sender": "abcdefghijkl"}, 1),  # 12 letters
        ("add", {"sender": "1234567890123456"}, 1),  # 16 digits
        ("add", {"sender": ""}, 1),
        ("add", {"sender": "abcdefghijk"}, None),  # 11 letters
        ("add", {"sender": "123456789012345"}, None),  # 15 digits
        ("chg", {"cmt": "neither sender nor id"}, 1),
        ("del", {"sender": "shop", "id": "1001"}, 1),
        ("send_code", {"sender": "shop"}, 7),
        ("get", {"cnt": "15001"}, 1),
        ("get", {"from_date": "2026-01-01"}, 1),
    ],
)
async def test_raw_forms_the_sdk_would_refuse_get_the_servers_errors(
    command: str, params: dict[str, str], error_code: int | None
) -> None:
    """Forms posted without the SDK's checks are answered as seed 002 says (1, 7) or accepted."""
    emulator = Emulator(start=EMULATOR_START)
    answer = await raw_senders(emulator, command, params)
    assert error_code == answer.get("error_code")
    assert [error_code] == [e.error_code for e in emulator.traffic]


@pytest.mark.parametrize(
    ("params", "files"),
    [
        ({"mts_step": "1", "ua_reg": "1"}, None),  # ua_reg without fio, inn, ...
        ({"mts_step": "1"}, {"file0": ("virus.exe", b"MZ", "application/octet-stream")}),
    ],
    ids=["ua-reg-without-details", "bad-document"],
)
async def test_a_change_refused_with_error_1_leaves_the_name_as_it_was(
    params: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None
) -> None:
    """A chg the server answers with error 1 registers the name with no operator."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    async with emulator.client() as smsc:
        new_id = await smsc.senders.add("shop")
        answer = await raw_senders(emulator, "chg", {"sender": "shop", **params}, files)
        listed = await smsc.senders.list(operators=True)
    assert 1 == answer.get("error_code")
    assert [Sender("shop", new_id, operators=OperatorStatuses())] == listed


# -- confirmation codes --------------------------------------------------------------------


@pytest.mark.parametrize(("minute", "eight_hours"), [(60.0, 8 * 3600.0), (1.0, 8 * 60.0)])
async def test_a_second_code_within_eight_hours_is_refused_and_allowed_after_them(
    minute: float, eight_hours: float
) -> None:
    """send_code again inside 8 hours answers 10; exactly 8 emulated hours later it passes."""
    emulator = Emulator(start=EMULATOR_START, minute=minute)
    async with emulator.client() as smsc:
        await smsc.senders.add(PHONE)
        await smsc.senders.send_code(PHONE)
        first = code_of(emulator, PHONE)
        for wait in (0.0, eight_hours - 0.5):
            await asyncio.sleep(wait)
            with pytest.raises(CodeAlreadySentError) as caught:
                await smsc.senders.send_code(PHONE)
            assert 10 == caught.value.code
        await asyncio.sleep(0.5)
        await smsc.senders.send_code(PHONE)
        second = code_of(emulator, PHONE)
        await smsc.senders.check_code(PHONE, second)
    assert first != second
    assert [None, None, 10, 10, None, None] == [e.error_code for e in emulator.traffic]


@pytest.mark.parametrize("send_first", [True, False], ids=["after-send", "never-sent"])
async def test_a_wrong_code_is_refused_with_error_11(send_first: bool) -> None:
    """A code other than the one sent (or with none sent) answers 11; the name stays unconfirmed."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client() as smsc:
        new_id = await smsc.senders.add(PHONE)
        if send_first:
            await smsc.senders.send_code(PHONE)
            wrong = f"{(int(code_of(emulator, PHONE)) + 1) % 10**6:06d}"
        else:
            wrong = "123456"
        with pytest.raises(InvalidCodeError) as caught:
            await smsc.senders.check_code(PHONE, wrong)
        listed = await smsc.senders.list(all=True)
    assert 11 == caught.value.code
    assert [Sender(PHONE, new_id, SenderStatus.MODERATION)] == listed


async def test_the_right_code_allows_the_digital_name() -> None:
    """check_code with the code sent makes the digital name ALLOWED and listed by list()."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client() as smsc:
        new_id = await smsc.senders.add(PHONE)
        await smsc.senders.send_code(PHONE)
        code = code_of(emulator, PHONE)
        await smsc.senders.check_code(PHONE, code)
        assert [Sender(PHONE, new_id)] == await smsc.senders.list()
        assert [Sender(PHONE, new_id, SenderStatus.ALLOWED)] == await smsc.senders.list(all=True)
        with pytest.raises(InvalidCodeError):  # a code is good once
            await smsc.senders.check_code(PHONE, code)


# -- registrations and change dates --------------------------------------------------------


async def test_registrations_set_the_operator_status_to_sent_for_registration() -> None:
    """Operators named in add() and change() show SENT_FOR_REGISTRATION, the others nothing."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    async with emulator.client() as smsc:
        new_id = await smsc.senders.add(
            "shop", register=[Registration.MTS_STEP, Registration.TELE2]
        )
        await smsc.senders.change("shop", register=[Registration.BEE_STEP])
        listed = await smsc.senders.list(operators=True)
    expected = OperatorStatuses(mts_step=SENT, tele2=SENT, bee_step=SENT)
    assert [Sender("shop", new_id, operators=expected)] == listed


@pytest.mark.parametrize(
    ("from_date", "expected"),
    [
        ("01.01.2026", ["shop", "cafe"]),  # by change date, newest first: not by id
        (dt.date(2026, 1, 2), ["shop"]),  # changed at midnight: the day counts
        ("03.01.2026", []),
    ],
)
async def test_from_date_filters_by_the_date_of_the_last_status_change(
    from_date: dt.date | str, expected: list[str]
) -> None:
    """from_date lists names whose operator status changed since that date, newest change first."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    async with emulator.client() as smsc:
        await smsc.senders.add("shop", register=[Registration.MTS_STEP])  # 01.01 09:00
        await smsc.senders.add("cafe", register=[Registration.MTS_STEP])
        await smsc.senders.add("bar")  # never changed at an operator
        await asyncio.sleep(UNTIL_MIDNIGHT)
        await smsc.senders.change("shop", register=[Registration.BEE_STEP])  # 02.01 00:00
        await smsc.senders.change("bar", comment="a comment is no status change")
        listed = await smsc.senders.list(from_date=from_date)
    assert expected == names(listed)
    assert dt.datetime(2026, 1, 2, tzinfo=dt.timezone(dt.timedelta(hours=3))) == (
        emulator.wall_clock(UNTIL_MIDNIGHT)
    )


async def test_iterate_pages_through_every_name_once_newest_first() -> None:
    """iterate(page_size=2) over 5 names yields each once, newest id first, in 3 requests."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    async with emulator.client() as smsc:
        ids = [await smsc.senders.add(f"shop{k}") for k in range(5)]
        seen = [s.id async for s in smsc.senders.iterate(page_size=2)]
    assert sorted(ids, reverse=True) == seen
    pages = [e.params for e in emulator.traffic if e.command == "senders.get"]
    assert [None, str(ids[3]), str(ids[1])] == [p.get("prev_id") for p in pages]


# -- subclients and authentication ---------------------------------------------------------


async def test_a_subclients_names_are_kept_apart_from_the_accounts() -> None:
    """Names added with user= are listed only with that user=, and may repeat the account's."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    emulator.add_subclient("sub1", "Sub1-password")
    emulator.add_subclient("sub2", "Sub2-password")
    async with emulator.client() as smsc:
        own = await smsc.senders.add("shop")
        theirs = await smsc.senders.add("shop", user="sub1")
        await smsc.senders.add("cafe", user="sub1")
        assert [Sender("shop", own)] == await smsc.senders.list()
        assert ["cafe", "shop"] == names(await smsc.senders.list(user="sub1"))
        assert [] == await smsc.senders.list(user="sub2")
        await smsc.senders.delete(id=theirs, user="sub1")
        with pytest.raises(NotFoundError):
            await smsc.senders.delete(id=own, user="sub1")
        assert [Sender("shop", own)] == await smsc.senders.list(cnt=10)
        assert ["cafe"] == names(await smsc.senders.list(user="sub1", cnt=10))


async def test_the_apikey_authenticates_as_its_account() -> None:
    """A client with the account's API key sees the account's data; the log names its login."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    async with emulator.client() as smsc:
        new_id = await smsc.senders.add("shop")
    async with emulator.client(apikey=DEFAULT_APIKEY) as keyed:
        assert [Sender("shop", new_id)] == await keyed.senders.list()
    assert [DEFAULT_LOGIN, DEFAULT_LOGIN] == [e.login for e in emulator.traffic]
    assert all("apikey" not in e.params for e in emulator.traffic)


@pytest.mark.parametrize(
    "credentials",
    [
        {"apikey": "not-the-key"},
        {"login": DEFAULT_LOGIN, "password": "wrong"},
        {"login": "nobody", "password": DEFAULT_PASSWORD},
        {"login": DEFAULT_LOGIN, "password": md5(b"wrong")},
        {"login": DEFAULT_LOGIN, "password": md5(DEFAULT_PASSWORD.encode())[1:]},
    ],
    ids=["unknown-apikey", "wrong-password", "unknown-login", "md5-of-wrong", "cut-md5"],
)
async def test_bad_credentials_are_refused_with_error_2(credentials: dict[str, Any]) -> None:
    """An unknown API key, login or password (plain or MD5) answers AuthError (2)."""
    emulator = Emulator(start=EMULATOR_START)
    async with emulator.client(**credentials) as smsc:
        with pytest.raises(AuthError) as caught:
            await smsc.tariffs.get()
    assert 2 == caught.value.code


async def test_the_password_may_be_its_lower_case_md5() -> None:
    """A psw that is the lower-case MD5 of the password authenticates like the password."""
    emulator = Emulator(start=EMULATOR_START)
    digest = md5(DEFAULT_PASSWORD.encode())
    async with emulator.client(password=digest) as smsc:
        tariffs = await smsc.tariffs.get()
    assert emulator.tariffs.tariffs == tariffs
    assert [(DEFAULT_LOGIN, None)] == [(e.login, e.error_code) for e in emulator.traffic]


async def test_another_account_sees_none_of_the_first_accounts_names() -> None:
    """Sender names belong to the account that added them."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    emulator.add_account("other", "other-password")
    async with emulator.client() as smsc:
        await smsc.senders.add("shop")
    async with emulator.client(login="other", password="other-password") as other:
        assert [] == await other.senders.list(all=True)
        with pytest.raises(NotFoundError):
            await other.senders.delete("shop")
