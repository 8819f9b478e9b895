"""The emulator's subclients family (users.php), driven with raw forms, in virtual time."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest

from smsc_async import AccountType, Format, SenderStatus
from smsc_async.testing import DEFAULT_LOGIN, Emulator, ServerRule, Violation
from smsc_async.testing._rules import DOCUMENTED_RULES
from tests._support import EMULATOR_START, raw_post

pytestmark = pytest.mark.looptime

STRONG = "Str0ng-pass"
UNTIL_MIDNIGHT = 15 * 3600.0  # the emulator's calendar starts at 01.01.2026 09:00 MSK
FIRST_ID = 5001


post = raw_post


async def users(emulator: Emulator, command: str, **params: Any) -> Any:
    """users.php in fmt=3: the decoded JSON answer."""
    return json.loads(await post(emulator, "users.php", command, **params))


def error_of(answer: Any) -> int | None:
    return answer.get("error_code") if isinstance(answer, dict) else None


# -- replies in the four formats -----------------------------------------------------------

OK = {
    Format.LINES: "OK",
    Format.CSV: "OK",
    Format.XML: "<result>OK</result>",
    Format.JSON: '{\n"result": "OK"\n}',
}


async def test_add_answers_the_new_id_in_every_format(fmt: Format) -> None:
    """add=1 answers ID = n / n / <result><id> / {"id": n}, ids counting from 5001."""
    emulator = Emulator(start=EMULATOR_START)
    body = await post(emulator, "users.php", "add", fmt=fmt, user="sub1", password=STRONG)
    expected = {
        Format.LINES: f"ID = {FIRST_ID}",
        Format.CSV: f"{FIRST_ID}",
        Format.XML: f"<result>\n<id>{FIRST_ID}</id>\n</result>",
        Format.JSON: f'{{\n"id": {FIRST_ID}\n}}',
    }
    assert expected[fmt] == body
    entry = emulator.users.subclients["sub1"]
    assert (FIRST_ID, DEFAULT_LOGIN, AccountType.INDEPENDENT) == (
        entry.id,
        entry.parent,
        entry.type,
    )


@pytest.mark.parametrize("command", ["chg", "pay"])
async def test_chg_and_pay_answer_ok_in_every_format(fmt: Format, command: str) -> None:
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_subclient("sub1", STRONG)
    params = {"fio": "Shop"} if command == "chg" else {"sum": "10.50"}
    assert OK[fmt] == await post(emulator, "users.php", command, fmt=fmt, user="sub1", **params)


async def test_get_stat_rows_in_every_format(fmt: Format) -> None:
    """One subclient paid 100: login, user_id, messages, credit, debit, balance, currency."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_subclient("sub1", STRONG)
    await users(emulator, "pay", user="sub1", sum="100")
    body = await post(emulator, "users.php", "get_stat", fmt=fmt, start="01.01.2026", reseller="1")
    row = {
        "login": "sub1",
        "user_id": FIRST_ID,
        "messages": 0,
        "credit": "100.00",
        "debit": "0.00",
        "balance": "100.00",
        "currency": "RUR",
    }
    expected = {
        Format.LINES: f"login = sub1, user_id = {FIRST_ID}, messages = 0, credit = 100.00, "
        "debit = 0.00, balance = 100.00, currency = RUR",
        Format.CSV: f"sub1,{FIRST_ID},0,100.00,0.00,100.00,RUR",
        Format.XML: "<stats>\n<user>\n"
        + "".join(f"<{k}>{v}</{k}>\n" for k, v in row.items())
        + "</user>\n</stats>",
        Format.JSON: json.dumps([row], indent=0),
    }
    assert expected[fmt] == body


async def test_get_stat_all_rows_in_every_format(fmt: Format) -> None:
    """One payment day: login, user_id, date, messages, credit, debit, currency."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_subclient("sub1", STRONG)
    await users(emulator, "pay", user="sub1", sum="7.5")
    body = await post(emulator, "users.php", "get_stat_all", fmt=fmt, start="01.01.2026")
    row = {"login": "sub1", "user_id": FIRST_ID, "date": "01.01.2026", "messages": 0}
    row.update(credit="7.50", debit="0.00", currency="RUR")
    leaves = "".join(f"<{k}>{v}</{k}>\n" for k, v in row.items())
    expected = {
        Format.LINES: ", ".join(f"{k} = {v}" for k, v in row.items()),
        Format.CSV: ",".join(str(v) for v in row.values()),
        Format.XML: f"<stats>\n<day>\n{leaves}</day>\n</stats>",
        Format.JSON: json.dumps([row], indent=0),
    }
    assert expected[fmt] == body


@pytest.mark.parametrize("command", ["get_stat", "get_stat_all"])
async def test_empty_statistics_in_every_format(fmt: Format, command: str) -> None:
    emulator = Emulator(start=EMULATOR_START)
    body = await post(emulator, "users.php", command, fmt=fmt, start="01.01.2026", reseller="1")
    expected = {
        Format.LINES: "",
        Format.CSV: "",
        Format.XML: "<stats>\n</stats>",
        Format.JSON: "[]",
    }
    assert expected[fmt] == body


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"password": STRONG}, 1),  # no user
        ({"user": "sub1"}, 1),  # no password
        ({"user": "sub1", "password": "Ab1!xyz"}, 1),  # 7 characters
        ({"user": "sub1", "password": "abcdefghij"}, 1),  # letters only
        ({"user": "sub1", "password": "abcdefg12"}, 1),  # letters and digits: 2 of 4
        ({"user": "sub1", "password": "ABCDEFG!1"}, None),  # letters, digits, symbols: 3 of 4
        ({"user": "sub1", "password": STRONG, "type": "5"}, 1),
        ({"user": "sub1", "password": STRONG, "type": "x"}, 1),
        ({"user": "sub1", "password": STRONG, "tariff": "9"}, 1),
        ({"user": "sub1", "password": STRONG, "curr": "0"}, 1),
        ({"user": "sub1", "password": STRONG, "tz": "25"}, 1),
        ({"user": "sub1", "password": STRONG, "type": "4", "tariff": "8", "tz": "0"}, None),
        ({"user": "taken", "password": STRONG}, 5),  # another parent's subclient
        ({"user": DEFAULT_LOGIN, "password": STRONG}, 5),  # an account
    ],
)
async def test_add_refusals(params: dict[str, str], code: int | None) -> None:
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_account("other", "other-password")
    emulator.add_subclient("taken", STRONG, parent="other")
    answer = await users(emulator, "add", **params)
    assert code == error_of(answer)
    assert (code is None) == ("sub1" in emulator.users.subclients)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"user": "nobody", "fio": "x"}, 3),
        ({"user": "theirs", "fio": "x"}, 3),  # another parent's subclient
        ({"fio": "x"}, 1),
        ({"user": "sub1", "new_login": "theirs"}, 5),
        ({"user": "sub1", "new_login": DEFAULT_LOGIN}, 5),
        ({"user": "sub1", "password": "weakweak"}, 1),
        ({"user": "sub1", "password": "N3w-password", "pswc": "wrong"}, 1),
        ({"user": "sub1", "fio": "x", "curr": "6"}, 1),
        ({"user": "sub1", "fio": "x", "type": "-1"}, 1),
    ],
)
async def test_chg_refusals_change_nothing(params: dict[str, str], code: int) -> None:
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_account("other", "other-password")
    emulator.add_subclient("sub1", STRONG)
    emulator.add_subclient("theirs", STRONG, parent="other")
    assert code == error_of(await users(emulator, "chg", **params))
    entry = emulator.users.subclients["sub1"]
    assert ({}, STRONG, "sub1") == (entry.settings, entry.password, entry.login)
    assert STRONG == emulator.accounts["sub1"].password


@pytest.mark.parametrize(
    ("raw_sum", "code"),
    [("abc", 1), ("0", 1), ("0.00", 1), ("1,5", 1), ("", 1), ("-10.01", 1), ("-10", None)],
)
async def test_pay_refusals_and_taking_money_back(raw_sum: str, code: int | None) -> None:
    """sum must be a non-zero decimal with a dot; the balance may not go below zero."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_subclient("sub1", STRONG)
    await users(emulator, "pay", user="sub1", sum="10")
    assert code == error_of(await users(emulator, "pay", user="sub1", sum=raw_sum))
    expected = Decimal(10) if code else Decimal(0)
    assert expected == emulator.users.subclients["sub1"].balance


async def test_pay_to_a_stranger_is_refused_with_error_3() -> None:
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_account("other", "other-password")
    emulator.add_subclient("theirs", STRONG, parent="other")
    assert 3 == error_of(await users(emulator, "pay", user="theirs", sum="1"))
    assert 3 == error_of(await users(emulator, "pay", user="nobody", sum="1"))
    assert [] == emulator.users.subclients["theirs"].payments


@pytest.mark.parametrize(
    "params",
    [{}, {"start": "2026-01-01"}, {"start": "31.02.2026"}, {"start": "01.01.2026", "end": "x"}],
)
@pytest.mark.parametrize("command", ["get_stat", "get_stat_all"])
async def test_statistics_need_a_valid_start(command: str, params: dict[str, str]) -> None:
    emulator = Emulator(start=EMULATOR_START)
    assert 1 == error_of(await users(emulator, command, reseller="1", **params))


# -- subclients are accounts ---------------------------------------------------------------


async def tariffs_as(emulator: Emulator, login: str, psw: str) -> int | None:
    """The error code (or None) of a price-list request signed in as ``login``."""
    answer = json.loads(await post(emulator, "get.php", "get_price", login=login, psw=psw))
    return error_of(answer)


async def test_a_new_subclient_signs_in_with_its_own_login() -> None:
    emulator = Emulator(start=EMULATOR_START)
    assert 2 == await tariffs_as(emulator, "sub1", STRONG)
    await users(emulator, "add", user="sub1", password=STRONG, fio="Shop", tariff="2")
    assert None is await tariffs_as(emulator, "sub1", STRONG)
    assert {"fio": "Shop", "tariff": "2"} == emulator.users.subclients["sub1"].settings


async def test_a_password_change_and_a_rename_carry_over_to_signing_in() -> None:
    """After chg password= and new_login=, only the new login and password sign in."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_subclient("sub1", STRONG)
    new = "N3w-password"
    assert None is error_of(await users(emulator, "chg", user="sub1", password=new, pswc=STRONG))
    assert 2 == await tariffs_as(emulator, "sub1", STRONG)
    assert None is await tariffs_as(emulator, "sub1", new)
    assert None is error_of(await users(emulator, "chg", user="sub1", new_login="shop1"))
    assert 2 == await tariffs_as(emulator, "sub1", new)
    assert None is await tariffs_as(emulator, "shop1", new)
    assert ["shop1"] == list(emulator.users.subclients)
    assert 3 == error_of(await users(emulator, "chg", user="sub1", fio="gone"))


async def test_a_rename_moves_sender_names_and_templates() -> None:
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    emulator.add_subclient("sub1", STRONG)
    await post(emulator, "senders.php", "add", sender="SHOP", user="sub1")
    await post(
        emulator, "op_templates.php", "add", sender="SHOP", msg="Code %s", user="sub1", soc="1"
    )
    await users(emulator, "chg", user="sub1", new_login="shop1")
    names = json.loads(await post(emulator, "senders.php", "get", login="shop1", psw=STRONG))
    assert ["SHOP"] == [n["sender"] for n in names]
    got = json.loads(
        await post(emulator, "op_templates.php", "get", sender="SHOP", msg="Code %s", user="shop1")
    )
    assert [1] == [row["id"] for row in got if row["name"] == "soc"]
    assert "sub1" not in emulator.senders.names


async def test_user_on_other_scripts_must_name_a_subclient_of_the_caller() -> None:
    """senders.php with user= of no subclient, or another's, answers 3 and keeps nothing."""
    emulator = Emulator(start=EMULATOR_START, approve_senders=True)
    emulator.add_account("other", "other-password")
    emulator.add_subclient("sub1", STRONG)
    emulator.add_subclient("theirs", STRONG, parent="other")
    for user in ("nobody", "theirs", DEFAULT_LOGIN):
        answer = json.loads(await post(emulator, "senders.php", "add", sender="SHOP", user=user))
        assert 3 == error_of(answer)
    assert None is error_of(
        json.loads(await post(emulator, "senders.php", "add", sender="SHOP", user="sub1"))
    )
    # The subclient signed in itself owns the same names; its user= may not name its parent.
    own = json.loads(await post(emulator, "senders.php", "get", login="sub1", psw=STRONG))
    assert ["SHOP"] == [n["sender"] for n in own]
    assert SenderStatus.ALLOWED == next(iter(emulator.senders.names["sub1"].values())).status
    answer = json.loads(
        await post(emulator, "senders.php", "get", login="sub1", psw=STRONG, user=DEFAULT_LOGIN)
    )
    assert 3 == error_of(answer)


# -- statistics filters --------------------------------------------------------------------


async def stat_logins(emulator: Emulator, **params: str) -> list[tuple[str, str]]:
    rows = await users(emulator, "get_stat", **params)
    assert isinstance(rows, list), rows
    return [(row["login"], row["credit"]) for row in rows]


async def test_get_stat_filters_by_period_subclient_and_balance_kind() -> None:
    """Credit counts payments of the period's days; user/user_id pick one; reseller the kind."""
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_account("other", "other-password")
    own = emulator.add_subclient("own", STRONG)
    emulator.add_subclient("tariff", STRONG, type=AccountType.MAIN_TARIFF)
    shared = emulator.add_subclient("shared", STRONG, type=AccountType.MAIN_ACCOUNT)
    emulator.add_subclient("extra", STRONG, type=AccountType.ADDITIONAL_LOGIN)
    emulator.add_subclient("theirs", STRONG, parent="other")
    await users(emulator, "pay", user="own", sum="10")  # 01.01
    await asyncio.sleep(UNTIL_MIDNIGHT)
    await users(emulator, "pay", user="own", sum="5")  # 02.01
    await users(emulator, "pay", user="tariff", sum="1")

    independent = await stat_logins(emulator, start="01.01.2026", reseller="1")
    assert [("own", "15.00"), ("tariff", "1.00")] == independent
    day1 = await stat_logins(emulator, start="01.01.2026", end="01.01.2026", reseller="1")
    assert [("own", "10.00"), ("tariff", "0.00")] == day1
    assert [("own", "5.00")] == await stat_logins(emulator, start="02.01.2026", user="own")
    assert [("own", "15.00")] == await stat_logins(emulator, start="01.01.2026", user_id=str(own))
    assert [("shared", "0.00")] == await stat_logins(emulator, start="01.01.2026")
    assert [("shared", "0.00")] == await stat_logins(
        emulator, start="01.01.2026", user_id=str(shared)
    )
    rows = await users(emulator, "get_stat", start="01.01.2026", user="own")
    assert ["15.00"] == [row["balance"] for row in rows]
    for params in ({"user": "theirs"}, {"user": "nobody"}, {"user_id": "1"}, {"user_id": "x"}):
        assert 3 == error_of(await users(emulator, "get_stat", start="01.01.2026", **params))


async def test_get_stat_all_gives_a_row_per_day_with_payments() -> None:
    emulator = Emulator(start=EMULATOR_START)
    emulator.add_subclient("own", STRONG)
    emulator.add_subclient("shared", STRONG, type=AccountType.MAIN_BALANCE)
    await users(emulator, "pay", user="own", sum="10")
    await users(emulator, "pay", user="own", sum="2")
    await users(emulator, "pay", user="shared", sum="3")
    await asyncio.sleep(2 * UNTIL_MIDNIGHT)
    await users(emulator, "pay", user="own", sum="5")  # 02.01 15:00
    rows = await users(emulator, "get_stat_all", start="01.01.2026", reseller="1")
    assert [("01.01.2026", "12.00"), ("02.01.2026", "5.00")] == [
        (row["date"], row["credit"]) for row in rows
    ]
    later = await users(emulator, "get_stat_all", start="02.01.2026", end="03.01.2026")
    assert ["02.01.2026"] == [row["date"] for row in later]


# -- rules and secrets ---------------------------------------------------------------------


async def test_the_fourth_add_or_chg_for_one_subclient_in_a_minute_is_refused() -> None:
    """add and chg share a window per user: the 4th in a minute is 9; other users go on."""
    emulator = Emulator(start=EMULATOR_START)
    assert None is error_of(await users(emulator, "add", user="sub1", password=STRONG))
    for k in range(2):
        await asyncio.sleep(10)
        assert None is error_of(await users(emulator, "chg", user="sub1", fio=f"f{k}"))
    assert 9 == error_of(await users(emulator, "chg", user="sub1", fio="f9"))
    assert None is error_of(await users(emulator, "add", user="sub2", password=STRONG))
    assert None is error_of(await users(emulator, "pay", user="sub1", sum="1"))  # not counted
    rule = "users.add/chg: 3 per user per 1 min"
    assert [Violation(20.0, DEFAULT_LOGIN, "users.chg", rule, "127.0.0.1")] == emulator.violations
    await asyncio.sleep(40)  # the first add leaves the window
    assert None is error_of(await users(emulator, "chg", user="sub1", fio="f10"))


def test_the_users_rule_describes_the_commands_it_shares() -> None:
    (rule,) = [r for r in DOCUMENTED_RULES if r.script == "users.php"]
    assert ("add", ("chg",)) == (rule.command, rule.also)
    assert rule.covers("users.php", "chg")
    assert not rule.covers("users.php", "pay")
    assert (
        "get.get_price: 3 identical per 1 min" == ServerRule("get.php", "get_price", 3).describe()
    )


async def test_passwords_never_reach_the_traffic_log() -> None:
    emulator = Emulator(start=EMULATOR_START)
    await users(emulator, "add", user="sub1", password=STRONG)
    await users(emulator, "chg", user="sub1", password="N3w-password", pswc=STRONG)
    await users(emulator, "chg", user="sub1", password="N3w-password", pswc="wrong")
    assert ["users.add", "users.chg", "users.chg"] == [e.command for e in emulator.traffic]
    for exchange in emulator.traffic:
        assert {"password", "pswc", "psw"}.isdisjoint(exchange.params)
        assert not {STRONG, "N3w-password", "wrong"} & set(exchange.params.values())
