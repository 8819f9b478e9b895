"""The emulator's operator-templates family (op_templates.php), driven with raw forms."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest

from smsc_async import Format, SenderStatus, TemplateStatus, TemplateTarget
from smsc_async.testing import DEFAULT_LOGIN, Emulator, Violation
from tests._support import raw_post

pytestmark = pytest.mark.looptime

STRONG = "Str0ng-pass"
MSG = "Your code: %CODE%"
TARGETS = [t.value for t in TemplateTarget]


async def post(
    emulator: Emulator, command: str, *, script: str = "op_templates.php", **params: Any
) -> str:
    """A raw form to op_templates.php (or ``script``); the reply body."""
    return await raw_post(emulator, script, command, **params)


async def templates(emulator: Emulator, command: str, **params: Any) -> Any:
    """op_templates.php in fmt=3: the decoded JSON answer."""
    return json.loads(await post(emulator, command, **params))


def error_of(answer: Any) -> int | None:
    return answer.get("error_code") if isinstance(answer, dict) else None


async def add_sender(emulator: Emulator, sender: str = "SHOP", **params: Any) -> None:
    answer = json.loads(await post(emulator, "add", script="senders.php", sender=sender, **params))
    assert None is error_of(answer)


def rows(answer: Any) -> list[tuple[str, int | None, int]]:
    assert isinstance(answer, list), answer
    return [(row["name"], row["id"], row["status"]) for row in answer]


# -- replies in the four formats -----------------------------------------------------------


def layout(fmt: Format, table: Sequence[tuple[str, int | None, int]]) -> str:
    """The expected body of rows (name, id, status) in ``fmt``."""
    if fmt is Format.LINES:
        return "\n".join(
            f"name = {n}, id = {'' if i is None else i}, status = {s}" for n, i, s in table
        )
    if fmt is Format.CSV:
        return "\n".join(f"{n},{'' if i is None else i},{s}" for n, i, s in table)
    if fmt is Format.XML:
        elements = "".join(
            f"<template>\n<name>{n}</name>\n<id>{'' if i is None else i}</id>\n"
            f"<status>{s}</status>\n</template>\n"
            for n, i, s in table
        )
        return f"<templates>\n{elements}</templates>"
    return json.dumps([{"name": n, "id": i, "status": s} for n, i, s in table], indent=0)


async def test_add_answers_added_rows_with_ids_in_every_format(fmt: Format) -> None:
    """With an allowed sender name each target asked for is added (1) with its id."""
    emulator = Emulator(approve_senders=True)
    await add_sender(emulator)
    body = await post(emulator, "add", fmt=fmt, sender="SHOP", msg=MSG, mts_srv="1")
    assert layout(fmt, [("mts_srv", 1, 1)]) == body
    if fmt is Format.LINES:
        assert "name = mts_srv, id = 1, status = 1" == body


async def test_add_without_an_allowed_sender_answers_minus_one_rows(fmt: Format) -> None:
    """A sender name in moderation gets -1 and no id for each target; nothing is kept."""
    emulator = Emulator()
    await add_sender(emulator)
    body = await post(emulator, "add", fmt=fmt, sender="SHOP", msg=MSG, mts_srv="1", soc="1")
    assert layout(fmt, [("mts_srv", None, -1), ("soc", None, -1)]) == body
    literal = {
        Format.LINES: "name = mts_srv, id = , status = -1\nname = soc, id = , status = -1",
        Format.CSV: "mts_srv,,-1\nsoc,,-1",
        Format.XML: "<templates>\n<template>\n<name>mts_srv</name>\n<id></id>\n"
        "<status>-1</status>\n</template>\n<template>\n<name>soc</name>\n<id></id>\n"
        "<status>-1</status>\n</template>\n</templates>",
        Format.JSON: '[\n{\n"name": "mts_srv",\n"id": null,\n"status": -1\n},\n'
        '{\n"name": "soc",\n"id": null,\n"status": -1\n}\n]',
    }
    assert literal[fmt] == body
    assert {} == dict(emulator.op_templates.templates)


async def test_get_answers_every_target_in_every_format(fmt: Format) -> None:
    """get lists all 14 targets in declaration order: id and state, or -1 and no id."""
    emulator = Emulator(approve_senders=True)
    await add_sender(emulator)
    await templates(emulator, "add", sender="SHOP", msg=MSG, bee_trn="1")
    body = await post(emulator, "get", fmt=fmt, sender="SHOP", msg=MSG)
    table = [(t, 1, 0) if t == "bee_trn" else (t, None, -1) for t in TARGETS]
    assert 14 == len(table)
    assert layout(fmt, table) == body


# -- behaviour -----------------------------------------------------------------------------


async def test_rows_follow_the_declaration_order_and_readding_keeps_ids() -> None:
    emulator = Emulator(approve_senders=True)
    await add_sender(emulator)
    first = await templates(emulator, "add", sender="SHOP", msg=MSG, soc="1", mts_srv="1")
    assert [("mts_srv", 1, 1), ("soc", 2, 1)] == rows(first)
    again = await templates(emulator, "add", sender="SHOP", msg=MSG, tele2_trn="1", soc="1")
    assert [("tele2_trn", 3, 1), ("soc", 2, 1)] == rows(again)
    other = await templates(emulator, "add", sender="SHOP", msg="Other", soc="1")
    assert [("soc", 4, 1)] == rows(other)


async def test_a_name_allowed_after_moderation_takes_templates() -> None:
    emulator = Emulator()
    await add_sender(emulator)
    refused = await templates(emulator, "add", sender="SHOP", msg=MSG, mega_adv="1")
    assert [("mega_adv", None, -1)] == rows(refused)
    (entry,) = emulator.senders.names[DEFAULT_LOGIN].values()
    entry.status = SenderStatus.ALLOWED
    added = await templates(emulator, "add", sender="SHOP", msg=MSG, mega_adv="1")
    assert [("mega_adv", 1, 1)] == rows(added)
    unknown = await templates(emulator, "add", sender="CAFE", msg=MSG, mega_adv="1")
    assert [("mega_adv", None, -1)] == rows(unknown)


async def test_set_status_moves_a_registration_along() -> None:
    emulator = Emulator(approve_senders=True)
    await add_sender(emulator)
    await templates(emulator, "add", sender="SHOP", msg=MSG, mts_auth="1", motiv_srv="1")
    emulator.op_templates.set_status(
        DEFAULT_LOGIN, "SHOP", MSG, TemplateTarget.MTS_AUTH, TemplateStatus.ACCEPTED
    )
    emulator.op_templates.set_status(
        DEFAULT_LOGIN, "SHOP", MSG, "motiv_srv", TemplateStatus.REJECTED
    )
    got = {n: (i, s) for n, i, s in rows(await templates(emulator, "get", sender="SHOP", msg=MSG))}
    assert (1, 2) == got["mts_auth"]
    assert (2, 3) == got["motiv_srv"]
    assert (None, -1) == got["mts_srv"]
    with pytest.raises(KeyError):
        emulator.op_templates.set_status(
            DEFAULT_LOGIN, "SHOP", MSG, TemplateTarget.SOCIAL, TemplateStatus.ACCEPTED
        )


@pytest.mark.parametrize(
    ("command", "params"),
    [
        ("add", {"msg": MSG, "mts_srv": "1"}),
        ("add", {"sender": "SHOP", "mts_srv": "1"}),
        ("add", {"sender": "SHOP", "msg": MSG}),
        ("add", {"sender": "SHOP", "msg": MSG, "mts_srv": "0", "unknown_op": "1"}),
        ("get", {"sender": "SHOP"}),
        ("get", {"msg": MSG}),
    ],
)
async def test_missing_parameters_are_refused_with_error_1(
    command: str, params: dict[str, str]
) -> None:
    emulator = Emulator(approve_senders=True)
    await add_sender(emulator)
    assert 1 == error_of(await templates(emulator, command, **params))


async def test_templates_belong_to_their_owner() -> None:
    """user= acts for a subclient (its own names and templates); the subclient sees them too."""
    emulator = Emulator(approve_senders=True)
    emulator.add_account("other", "other-password")
    emulator.add_subclient("sub1", STRONG)
    emulator.add_subclient("theirs", STRONG, parent="other")
    await add_sender(emulator)
    not_theirs = await templates(emulator, "add", sender="SHOP", msg=MSG, user="sub1", soc="1")
    assert [("soc", None, -1)] == rows(not_theirs)  # the name is the main account's
    await add_sender(emulator, user="sub1")
    added = await templates(emulator, "add", sender="SHOP", msg=MSG, user="sub1", soc="1")
    assert [("soc", 1, 1)] == rows(added)
    own = await templates(emulator, "get", sender="SHOP", msg=MSG)
    assert all(status == -1 for _, _, status in rows(own))
    body = await post(emulator, "get", login="sub1", psw=STRONG, sender="SHOP", msg=MSG)
    assert ("soc", 1, 0) in rows(json.loads(body))
    for user in ("theirs", "nobody"):
        answer = await templates(emulator, "get", sender="SHOP", msg=MSG, user=user)
        assert 3 == error_of(answer)


# -- rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["add", "get"])
async def test_the_eleventh_identical_request_in_a_minute_is_refused(command: str) -> None:
    emulator = Emulator(approve_senders=True)
    await add_sender(emulator)
    for _ in range(10):
        answer = await templates(emulator, command, sender="SHOP", msg=MSG, soc="1")
        assert None is error_of(answer)
        await asyncio.sleep(1)
    assert 9 == error_of(await templates(emulator, command, sender="SHOP", msg=MSG, soc="1"))
    other = await templates(emulator, command, sender="SHOP", msg="Other", soc="1")
    assert None is error_of(other)
    rule = f"op_templates.{command}: 10 identical per 1 min"
    assert [Violation(10.0, DEFAULT_LOGIN, f"op_templates.{command}", rule, "127.0.0.1")] == (
        emulator.violations
    )
    await asyncio.sleep(50)  # the first one leaves the window
    assert None is error_of(await templates(emulator, command, sender="SHOP", msg=MSG, soc="1"))
