"""Replies whose layout the docs do not show are read by key, not by the emulator's order.

The docs give no example of a sender list with ``operators=1``, of operator-template rows or
of subclient statistics rows, and the emulator writes them in the order the SDK assumes, so
an ordinary round trip cannot tell reading by key from reading by position. Here every
keyed reply (fmt=0 ``key = value`` pairs, fmt=2 elements, fmt=3 members) reaches the SDK with
the keys of each row in reverse order: it must decode to the same models. (fmt=1 has no keys:
README.md lists the replies whose fmt=1 layout rests on a guess.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from smsc_async import Format, SmscClient, TemplateTarget
from smsc_async.testing import DEFAULT_LOGIN, Emulator
from tests._support import EMULATOR_START, confirmed

pytestmark = pytest.mark.looptime

# A ", " that starts the next "key = value" pair of a fmt=0 line (values may hold ", ").
_NEXT_PAIR = re.compile(r", (?=\w+ = )")


def _reverse_lines(text: str) -> str:
    return "\n".join(", ".join(reversed(_NEXT_PAIR.split(line))) for line in text.split("\n"))


def _reverse_json(text: str) -> str:
    def flip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: flip(v) for k, v in reversed(list(value.items()))}
        if isinstance(value, list):
            return [flip(v) for v in value]
        return value

    return json.dumps(flip(json.loads(text)), ensure_ascii=False)


def _reverse_xml(text: str) -> str:
    root = ElementTree.fromstring(text)  # noqa: S314 - the emulator's own reply
    for element in root.iter():
        attributes = list(element.attrib.items())  # sender rows carry their fields so
        element.attrib.clear()
        element.attrib.update(reversed(attributes))
        children = list(element)
        # A row: its children are leaves (fields). Rows themselves keep their order.
        if children and all(len(child) == 0 for child in children):
            element[:] = list(reversed(children))
    return ElementTree.tostring(root, encoding="unicode")


REVERSERS: dict[Format, Callable[[str], str]] = {
    Format.LINES: _reverse_lines,
    Format.XML: _reverse_xml,
    Format.JSON: _reverse_json,
}


class Reordering(httpx.AsyncBaseTransport):
    """Hands the emulator's replies on with the keys of each row reversed."""

    def __init__(self, inner: httpx.AsyncBaseTransport, fmt: Format) -> None:
        self.inner, self.fmt = inner, fmt
        self.changed = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        raw = await response.aread()
        encoding = response.charset_encoding or "windows-1251"
        text = raw.decode(encoding)
        flipped = REVERSERS[self.fmt](text) if text.strip() else text
        self.changed += flipped != text
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(
            response.status_code, headers=headers, content=flipped.encode(encoding)
        )


async def _guessed_replies(smsc: SmscClient) -> list[Any]:
    """The replies the docs show no example of, read through ``smsc``."""
    return [
        await smsc.senders.list(operators=True),
        await smsc.senders.list(all=True, operators=True),
        await smsc.op_templates.get("SHOP1", "Your code: %CODE%"),
        await smsc.subclients.stats(EMULATOR_START.date()),
        await smsc.subclients.detailed_stats(EMULATOR_START.date()),
    ]


def _emulator() -> Emulator:
    emulator = Emulator(approve_senders=True, start=EMULATOR_START)
    emulator.add_subclient("shop1", "Str0ng-pass1")
    return emulator


async def _prepare(emulator: Emulator) -> None:
    async with emulator.client() as smsc:
        await smsc.senders.add("SHOP1", comment="shop")
        await smsc.op_templates.add(
            "SHOP1", "Your code: %CODE%", [TemplateTarget.MTS_AUTH, TemplateTarget.MEGAFON_AUTH]
        )
        await smsc.subclients.pay("shop1", 100)
        await smsc.messages.send("79991112233", "Hello", sender="SHOP1")


@pytest.mark.parametrize("fmt", list(REVERSERS), ids=lambda f: f"fmt{int(f)}")
async def test_undocumented_layouts_decode_the_same_whatever_the_key_order(fmt: Format) -> None:
    """Each reply with reversed keys decodes to the models the emulator's order gives."""
    emulator = _emulator()
    await _prepare(emulator)
    async with emulator.client(fmt=fmt) as smsc:
        expected = await _guessed_replies(smsc)
    reordering = Reordering(emulator.transport(), fmt)
    async with confirmed(emulator.client(fmt=fmt, transport=reordering)) as smsc:
        got = await _guessed_replies(smsc)
    assert expected == got
    assert all(expected), "each reply holds rows, so the order had something to change"
    assert reordering.changed == len(expected)  # every body was rewritten
    assert DEFAULT_LOGIN == emulator.traffic[-1].login
