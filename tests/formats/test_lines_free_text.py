"""fmt=0 text values holding ``", key = "``: every reply that carries text, read or refused.

A text value (a name, a comment, a message) may hold ``", word = "``; the server does not
escape it. Whichever field the word names, the line is either read one way only or refused
with ParseError: never cut at the word (a name losing its tail, an ``extra`` gaining it).
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from smsc_async import Format, ParseError, SmscClient
from smsc_async._commands import Command
from smsc_async.formats import ListOf, Row, Sections, Single, decode_reply
from smsc_async.formats._shapes import LineStyle
from smsc_async.resources import (
    _books,
    _message_rows,
    history,
    inbox,
    mailings,
    messages,
    op_templates,
    senders,
    stats,
    subclients,
    tariffs,
    templates,
)
from smsc_async.testing import Emulator

pytestmark = pytest.mark.looptime

_MODULES: tuple[ModuleType, ...] = (
    _books,
    _message_rows,
    history,
    inbox,
    mailings,
    messages,
    op_templates,
    senders,
    stats,
    subclients,
    tariffs,
    templates,
)


def _commands() -> Iterator[Command[Any]]:
    seen: set[int] = set()
    found: list[Command[Any]] = [*_books.PHONES.commands(), *_books.MAILS.commands()]
    for module in _MODULES:
        found += [v for v in vars(module).values() if isinstance(v, Command)]
    for command in found:
        if id(command) not in seen:
            seen.add(id(command))
            yield command


def _rows(command: Command[Any]) -> Iterator[Row]:
    shape = command.shape
    if isinstance(shape, ListOf | Single):
        yield shape.row
    elif isinstance(shape, Sections):
        yield from (s.row for s in shape.sections)


def _text_cases() -> Iterator[Any]:
    for command in _commands():
        for row in _rows(command):
            if row.lines is not LineStyle.PAIRS:
                continue
            for column in row.columns:
                if column.name in row.texts():
                    yield pytest.param(
                        command, row, column.name, id=f"{command.name}-{column.name}"
                    )


CASES = list(_text_cases())


def _line(row: Row, text_field: str, hostile: str) -> str:
    """A fmt=0 line of every field of ``row``, ``hostile`` as the text of ``text_field``."""
    wire = {field: key for key, field in row.renames.get(Format.LINES, {}).items()}
    return ", ".join(
        f"{wire.get(c.name, c.name)} = {hostile if c.name == text_field else '1'}"
        for c in row.columns
    )


def _decode(command: Command[Any], body: str) -> Any:
    return decode_reply(
        body.encode(),
        fmt=Format.LINES,
        shape=command.shape,
        result_type=command.result_type,
        params={"all": "1", "operators": "1"},
    )


def test_every_text_reply_is_covered() -> None:
    """The cases reach the families whose replies carry text (a guard on the collection)."""
    expected = {
        "history.list-message",
        "inbox.list-message",
        "jobs.get-name",
        "jobs.get-text",
        "mails.get-name",
        "messages.status-message",
        "phones.get-name",
        "phones.get-first_name",
        "phones.get-comment",
        "phones.get-tags",
        "phones.get_black-comment",
        "phones.get_group-name",
        "senders.get-sender",
        "tariffs.get-name",
        "templates.get-name",
        "templates.get-text",
    }
    assert expected <= {p.id for p in CASES}


@pytest.mark.parametrize(("command", "row", "field"), CASES)
def test_an_unknown_key_inside_a_text_is_refused(
    command: Command[Any], row: Row, field: str
) -> None:
    """``Ivan, boss = yes`` as a text: a new field or part of the text? ParseError."""
    with pytest.raises(ParseError, match="ambiguous"):
        _decode(command, _line(row, field, "Ivan, boss = yes"))


@pytest.mark.parametrize(("command", "row", "field"), CASES)
def test_a_known_key_inside_a_text_is_refused(command: Command[Any], row: Row, field: str) -> None:
    """A text naming another field of the line (``x, <key> = 1``) names it twice: ParseError."""
    others = [c.name for c in row.columns if c.name != field]
    wire = {f: k for k, f in row.renames.get(Format.LINES, {}).items()}
    key = wire.get(others[-1], others[-1])
    with pytest.raises(ParseError, match="ambiguous"):
        _decode(command, _line(row, field, f"Ivan, {key} = 1"))


@pytest.mark.parametrize("fmt", [Format.LINES, Format.JSON])
async def test_a_contact_name_is_never_cut_at_a_key(fmt: Format) -> None:
    """Through the emulator: fmt=0 refuses the hostile name, fmt=3 reads it exactly."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        await _add_hostile_contact(smsc)
        if fmt is Format.LINES:
            with pytest.raises(ParseError, match="ambiguous"):
                await smsc.contacts.list()
        else:
            (contact,) = await smsc.contacts.list()
            assert ("Ivan, boss = yes", {}) == (contact.name, dict(contact.extra))


async def _add_hostile_contact(smsc: SmscClient) -> None:
    await smsc.contacts.add("79991234567", name="Ivan, boss = yes")
