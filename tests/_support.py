"""Shared test helpers: credentials, a client factory, and reading what was posted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

import httpx

from smsc_async import Format, Rule, SmscClient
from smsc_async._commands import Command
from smsc_async.formats import decode_reply
from smsc_async.resources import (
    _books,
    balance,
    history,
    inbox,
    mailings,
    messages,
    op_templates,
    operators,
    stats,
    subclients,
    templates,
)
from smsc_async.resources.senders import ADD, CHANGE, CHECK_CODE, DELETE, LIST, SEND_CODE
from smsc_async.resources.tariffs import GET_PRICE
from smsc_async.testing import Emulator

BASE_URL = "https://smsc.ru/sys/"
LOGIN = "alex"
PASSWORD = "pa55-S3CRET-word"
APIKEY = "ak-0123456789-SECRET-key"
# The calendar the emulator's own tests assert dates against: 01.01.2026 09:00 Moscow time
# (the emulator's first moment, pinned with ``Emulator(start=EMULATOR_START)``; its calendar
# starts at the time of construction otherwise).
EMULATOR_START = dt.datetime(2026, 1, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=3), "MSK"))


def make_client(fmt: Format = Format.JSON, **kwargs: Any) -> SmscClient:
    """A client for the test account; keyword arguments override the defaults.

    It makes one attempt per call (``retries=0``), so tests see each reply as it is.
    """
    options: dict[str, Any] = {"login": LOGIN, "password": PASSWORD, "fmt": fmt, "retries": 0}
    options.update(kwargs)
    return SmscClient(**options)


def decode_as(
    command: Command[Any], body: str, fmt: Format, params: Mapping[str, str] | None = None
) -> Any:
    """Decode ``body`` as ``command``'s reply in ``fmt``, as the client would.

    The request's parameters are the command's flag, ``params`` and ``fmt`` (fmt=1
    layouts depend on them); the reply says ``charset=utf-8``.
    """
    return decode_reply(
        body.encode(),
        fmt=fmt,
        shape=command.shape,
        result_type=command.result_type,
        params={**command.flag_field(), **(params or {}), "fmt": str(int(fmt))},
        header_charset="utf-8",
    )


def posted_form(request: httpx.Request) -> dict[str, str]:
    """The urlencoded body of a request, as a dict (the SDK sends each key once)."""
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    pairs = parse_qsl(request.content.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    form = dict(pairs)
    assert len(form) == len(pairs), "a field was sent twice"
    return form


def reply(text: str, charset: str = "utf-8") -> httpx.Response:
    """An SMSC reply: HTTP 200 with the body in ``charset``, as the real server sends."""
    return httpx.Response(
        200,
        content=text.encode(charset),
        headers={"content-type": f"text/plain; charset={charset}"},
    )


# Every command the SDK declares, with no client-side rules: for tests of the emulator's own
# refereeing, which need a client that does not keep to the rules.
_EVERY_COMMAND: tuple[Command[Any], ...] = (
    GET_PRICE,
    LIST,
    ADD,
    CHANGE,
    DELETE,
    SEND_CODE,
    CHECK_CODE,
    subclients.CREATE,
    subclients.UPDATE,
    subclients.PAY,
    subclients.STATS,
    subclients.DETAILED_STATS,
    op_templates.ADD,
    op_templates.GET,
    _books.ADD_GROUP,
    _books.CHANGE_GROUP,
    _books.DELETE_GROUP,
    _books.GET_GROUP,
    *_books.PHONES.commands(),
    *_books.MAILS.commands(),
    messages.SEND,
    messages.SEND_WITH_COST,
    messages.SEND_WITH_BALANCE,
    messages.COST,
    messages.STATUS,
    messages.STATUS_MANY,
    messages.DELETE,
    balance.GET_BALANCE,
    templates.LIST,
    templates.ADD,
    templates.CHANGE,
    templates.DELETE,
    mailings.ADD,
    mailings.GET,
    mailings.GET_ALL,
    mailings.CANCEL,
    mailings.DELETE,
    history.GET_MESSAGES,
    inbox.GET_ANSWERS,
    stats.GET_STAT,
    operators.GET_OPERATOR,
)
NO_RULES: dict[str, tuple[Rule, ...]] = {command.name: () for command in _EVERY_COMMAND}


def confirmed(client: SmscClient) -> SmscClient:
    """``client`` as if SMSC had already taken its credentials: its first burst leaves at once.

    A fresh client sends one request alone until an answer shows its credentials work
    (``smsc_async/_probe.py``). Tests of the emulator's concurrency rules drive bursts
    through the SDK and mean every request of a burst to leave together.
    """
    client._path._first.accepted = True
    return client


def unpaced(emulator: Emulator, **kwargs: Any) -> SmscClient:
    """A client of ``emulator`` that breaks the rules: no pacing, no retries, 64 in flight."""
    options: dict[str, Any] = {"retries": 0, "max_concurrency": 64, "rules": NO_RULES}
    options.update(kwargs)
    return confirmed(emulator.client(**options))


async def raw_post(
    emulator: Emulator,
    script: str,
    command: str,
    *,
    fmt: Format = Format.JSON,
    login: str = "demo",
    psw: str = "demo-password",
    **params: str,
) -> str:
    """A form posted to the emulator with raw httpx (the SDK's checks bypassed); the body."""
    form = {command: "1", "login": login, "psw": psw, "fmt": str(int(fmt)), "charset": "utf-8"}
    form.update(params)
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url="http://smsc.emulator/sys/"
    ) as http:
        response = await http.post(script, data=form)
    return response.text
