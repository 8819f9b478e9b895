"""The emulator's message-templates family (templates.php): raw forms, the SDK, the rules."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from smsc_async import Format, MessageTemplate, NotFoundError, TemplateFormat
from smsc_async.testing import DEFAULT_LOGIN, Emulator
from tests._support import raw_post

pytestmark = pytest.mark.looptime


async def post(emulator: Emulator, command: str, **params: Any) -> str:
    """A raw form to templates.php; the reply body."""
    return await raw_post(emulator, "templates.php", command, **params)


async def answer(emulator: Emulator, command: str, **params: Any) -> Any:
    """templates.php in fmt=3: the decoded JSON answer."""
    return json.loads(await post(emulator, command, **params))


def error_of(reply: Any) -> int | None:
    return reply.get("error_code") if isinstance(reply, dict) else None


# -- replies in the four formats -----------------------------------------------------------


async def test_add_answers_the_new_id_in_every_format(fmt: Format) -> None:
    """add answers the id: ID = 1, 1, <result><id>1</id></result>, {"id": 1}."""
    emulator = Emulator()
    body = await post(emulator, "add", fmt=fmt, name="Welcome", msg="Hi")
    expected = {
        Format.LINES: "ID = 1",
        Format.CSV: "1",
        Format.XML: "<result>\n<id>1</id>\n</result>",
        Format.JSON: '{\n"id": 1\n}',
    }
    assert expected[fmt] == body


async def test_get_lists_templates_in_every_format(fmt: Format) -> None:
    """get answers a row per template: id, name, format, sender, flag, message."""
    emulator = Emulator()
    await post(emulator, "add", name="Welcome", msg="Hi %NAME%", format="sms", sender="SHOP")
    await post(emulator, "add", name="Plain", msg="Bye", **{"fl[1]": "1"})
    body = await post(emulator, "get", fmt=fmt)
    expected = {
        Format.LINES: "id = 1, name = Welcome, format = sms, sender = SHOP, flag = 0, "
        "message = Hi %NAME%\nid = 2, name = Plain, format = , sender = , flag = 1, message = Bye",
        Format.CSV: "1,Welcome,sms,SHOP,0,Hi %NAME%\n2,Plain,,,1,Bye",
        Format.XML: "<list>\n<template>\n<id>1</id>\n<name>Welcome</name>\n<format>sms</format>\n"
        "<sender>SHOP</sender>\n<flag>0</flag>\n<message>Hi %NAME%</message>\n</template>\n"
        "<template>\n<id>2</id>\n<name>Plain</name>\n<format></format>\n<sender></sender>\n"
        "<flag>1</flag>\n<message>Bye</message>\n</template>\n</list>",
        Format.JSON: '[\n{\n"id": 1,\n"name": "Welcome",\n"format": "sms",\n"sender": "SHOP",\n'
        '"flag": 0,\n"message": "Hi %NAME%"\n},\n{\n"id": 2,\n"name": "Plain",\n"format": "",\n'
        '"sender": "",\n"flag": 1,\n"message": "Bye"\n}\n]',
    }
    assert expected[fmt] == body


async def test_get_with_no_templates_is_an_empty_list(fmt: Format) -> None:
    """With no templates get answers an empty list, not an error."""
    body = await post(Emulator(), "get", fmt=fmt)
    assert {Format.LINES: "", Format.CSV: "", Format.XML: "<list>\n</list>", Format.JSON: "[]"}[
        fmt
    ] == body


# -- behaviour -----------------------------------------------------------------------------


async def test_chg_changes_only_what_it_names() -> None:
    """chg keeps the values it does not name; fl[1]=0 clears the auto-signature flag."""
    emulator = Emulator()
    await post(emulator, "add", name="W", msg="Hi", format="viber", sender="SHOP", **{"fl[1]": "1"})
    assert {"result": "OK"} == await answer(emulator, "chg", id="1", msg="Hello")
    await post(emulator, "chg", id="1", **{"fl[1]": "0"})
    assert {1: MessageTemplate(1, "W", "Hello", TemplateFormat.VIBER, "SHOP", 0)} == (
        emulator.templates.templates[DEFAULT_LOGIN]
    )


async def test_del_removes_and_unknown_ids_are_error_3() -> None:
    """del removes a template; chg and del of an unknown id answer error 3."""
    emulator = Emulator()
    await post(emulator, "add", name="W", msg="Hi")
    assert {"result": "OK"} == await answer(emulator, "del", id="1")
    assert [] == await answer(emulator, "get")
    assert 3 == error_of(await answer(emulator, "del", id="1"))
    assert 3 == error_of(await answer(emulator, "chg", id="7", msg="x"))
    assert 3 == error_of(await answer(emulator, "chg", id="x", msg="x"))


@pytest.mark.parametrize(
    ("command", "params"),
    [
        pytest.param("add", {"name": "W"}, id="add-without-msg"),
        pytest.param("add", {"msg": "Hi"}, id="add-without-name"),
        pytest.param("add", {"name": "W", "msg": "Hi", "format": "fax"}, id="add-unknown-format"),
        pytest.param("add", {"name": "W", "msg": "Hi", "fl[1]": "2"}, id="add-bad-flag"),
        pytest.param("chg", {"id": "1", "msg": ""}, id="chg-empties-the-text"),
    ],
)
async def test_malformed_requests_are_error_1(command: str, params: dict[str, str]) -> None:
    """A missing name or text, an unknown format or flag answer error 1; nothing changes."""
    emulator = Emulator()
    await post(emulator, "add", name="Kept", msg="Hi")
    assert 1 == error_of(await answer(emulator, command, **params))
    assert [(1, "Kept", "Hi")] == [
        (t.id, t.name, t.text) for t in emulator.templates.templates[DEFAULT_LOGIN].values()
    ]


async def test_each_account_has_its_own_templates() -> None:
    """Another account sees none of the first one's templates, and cannot change them."""
    emulator = Emulator()
    emulator.add_account("other", "other-password")
    await post(emulator, "add", name="Mine", msg="Hi")
    assert [] == await answer(emulator, "get", login="other", psw="other-password")
    assert 3 == error_of(await answer(emulator, "del", id="1", login="other", psw="other-password"))


# -- through the SDK -----------------------------------------------------------------------


async def test_the_sdk_round_trip_is_the_same_in_every_format(fmt: Format) -> None:
    """Create, change, list and delete through the client: the models match the server's."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        first = await smsc.templates.add("Welcome", "Hi, %NAME%", format=TemplateFormat.SMS)
        second = await smsc.templates.add("Mail", "Hello", format="mail", sender="a@b.ru")
        await smsc.templates.change(first, sender="SHOP", auto_signature=True)
        listed = await smsc.templates.list() if fmt is not Format.CSV else None
        await smsc.templates.delete(second)
        with pytest.raises(NotFoundError):
            await smsc.templates.delete(second)
    stored = list(emulator.templates.templates[DEFAULT_LOGIN].values())
    assert [MessageTemplate(1, "Welcome", "Hi, %NAME%", TemplateFormat.SMS, "SHOP", 1)] == stored
    if listed is not None:  # fmt=1 cannot carry a comma in the text (see the format tests)
        assert [
            stored[0],
            MessageTemplate(2, "Mail", "Hello", TemplateFormat.MAIL, "a@b.ru", 0),
        ] == listed


# -- the rule: 3 identical requests a minute (UNVERIFIED) ----------------------------------


async def test_a_fourth_identical_request_within_a_minute_is_error_9() -> None:
    """The server refuses the 4th identical get within a minute, and accepts it after."""
    emulator = Emulator()
    answers = [await answer(emulator, "get") for _ in range(4)]
    assert [[], [], [], 9] == [error_of(a) if isinstance(a, dict) else a for a in answers]
    assert ["templates.get"] == [v.command for v in emulator.violations]
    await asyncio.sleep(60)
    assert [] == await answer(emulator, "get")


async def test_the_client_paces_identical_lists_without_an_error_9() -> None:
    """Five identical lists in a row: the client waits for the window, the server says no 9."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        for _ in range(5):
            assert [] == await smsc.templates.list()
    assert [] == emulator.violations
    starts = [x.start for x in emulator.traffic]
    assert 5 == len(starts)
    assert starts[3] - starts[0] >= 60.0
    assert loop.time() <= 1.1 * 60.0 + 5
