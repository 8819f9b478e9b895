"""``smsc.history``, ``smsc.inbox``, ``smsc.stats`` and ``smsc.operators`` against respx.

What each call posts, what it returns, how the iterators page, and that bad arguments raise
ValidationError before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from smsc_async import (
    AccountStats,
    IncomingMessage,
    MessageStatus,
    NotFoundError,
    OperatorInfo,
    ParseError,
    SentMessage,
    SmscClient,
    ValidationError,
)
from tests._support import LOGIN, PASSWORD, make_client, posted_form, reply

AUTH = {"fmt": "3", "charset": "utf-8", "login": LOGIN, "psw": PASSWORD}
NO_RECORDS = json.dumps({"error": "messages not found", "error_code": 3})


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request goes to the respx router."""
    async with make_client() as client:
        yield client


def sent(int_id: int, **fields: Any) -> dict[str, Any]:
    """A history row as the server's JSON writes it."""
    return {"int_id": int_id, "phone": "79990001122", "status": 1, "id": int_id, **fields}


def answer(id: int) -> dict[str, Any]:  # noqa: A002
    """An incoming message as the server's JSON writes it."""
    return {"id": id, "received": "02.03.2026 10:20:00", "phone": "79990001122", "message": "ok"}


# --- history -------------------------------------------------------------------------------


async def test_history_list_posts_the_filters(router: respx.MockRouter, smsc: SmscClient) -> None:
    """history.list posts get_messages=1 with the period, the numbers, the cursor and cnt."""
    route = router.post("get.php").mock(return_value=reply(json.dumps([sent(7, cost="1.5")])))
    messages = await smsc.history.list(
        start=dt.date(2026, 1, 5),
        end="04.07.2026",
        phones=["+7 (999) 000-11-22", "79990003344"],
        prev_id=100,
        cnt=50,
    )
    expected = {
        "get_messages": "1",
        "start": "05.01.2026",
        "end": "04.07.2026",
        "phone": "+79990001122,79990003344",
        "prev_id": "100",
        "cnt": "50",
        **AUTH,
    }
    assert expected == posted_form(route.calls.last.request)
    row = SentMessage(7, "79990001122", MessageStatus.DELIVERED, id="7", cost=Decimal("1.5"))
    assert [row] == messages


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        pytest.param({"emails": "ann@example.com"}, {"email": "ann@example.com"}, id="emails"),
        pytest.param({"mail": True}, {}, id="mail"),
    ],
)
async def test_history_of_e_mail_asks_for_format_8(
    router: respx.MockRouter, smsc: SmscClient, kwargs: dict[str, Any], fields: dict[str, str]
) -> None:
    """E-mail history (by address, or all of it) is format=8."""
    route = router.post("get.php").mock(return_value=reply("[]"))
    await smsc.history.list(**kwargs)
    expected = {"get_messages": "1", "format": "8", **fields, **AUTH}
    assert expected == posted_form(route.calls.last.request)


async def test_history_without_messages_is_an_empty_list(
    router: respx.MockRouter, smsc: SmscClient
) -> None:
    """Error 3 on the history is no messages: an empty list, not an exception."""
    router.post("get.php").mock(return_value=reply(NO_RECORDS))
    assert [] == await smsc.history.list()


async def test_history_iterate_pages_back_by_the_smallest_int_id(
    router: respx.MockRouter, smsc: SmscClient
) -> None:
    """Each next page asks prev_id = the smallest int_id so far; a short page ends the walk."""
    book = list(range(110, 100, -1))  # int_ids, newest first

    def page(request: httpx.Request) -> httpx.Response:
        form = posted_form(request)
        before = int(form.get("prev_id", 10**9))
        rows = [sent(i) for i in book if i < before][: int(form["cnt"])]
        return reply(json.dumps(rows))

    route = router.post("get.php").mock(side_effect=page)
    got = [m.int_id async for m in smsc.history.iterate(phones="79990001122", page_size=4)]
    assert book == got
    asked = [posted_form(call.request).get("prev_id") for call in route.calls]
    assert [None, "107", "103"] == asked
    assert {"phone": "79990001122", "cnt": "4"}.items() <= posted_form(
        route.calls.last.request
    ).items()


async def test_history_iterate_refuses_pages_that_do_not_go_back(
    router: respx.MockRouter, smsc: SmscClient
) -> None:
    """A server that answers the same page again cannot loop the iterator: ParseError."""
    router.post("get.php").mock(return_value=reply(json.dumps([sent(5), sent(4)])))
    with pytest.raises(ParseError, match="did not advance"):
        _ = [m async for m in smsc.history.iterate(page_size=2)]


# --- inbox ---------------------------------------------------------------------------------


async def test_inbox_list_posts_the_filters(router: respx.MockRouter, smsc: SmscClient) -> None:
    """inbox.list posts get_answers=1 with hour, to_phone, after_id and cnt."""
    route = router.post("get.php").mock(return_value=reply(json.dumps([answer(9)])))
    got = await smsc.inbox.list(hours=24, to_phone="+7 900 123-45-67", after_id=8, cnt=10_000)
    expected = {
        "get_answers": "1",
        "hour": "24",
        "to_phone": "+79001234567",
        "after_id": "8",
        "cnt": "10000",
        **AUTH,
    }
    assert expected == posted_form(route.calls.last.request)
    received = dt.datetime(2026, 3, 2, 10, 20, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert [IncomingMessage(9, "79990001122", "ok", received)] == got


async def test_inbox_iterate_starts_after_the_given_id_and_pages_forward(
    router: respx.MockRouter, smsc: SmscClient
) -> None:
    """iterate(after_id=n) asks after n, then after the largest id of each full page."""
    ids = list(range(1, 11))

    def page(request: httpx.Request) -> httpx.Response:
        form = posted_form(request)
        after = int(form.get("after_id", 0))
        return reply(json.dumps([answer(i) for i in ids if i > after][: int(form["cnt"])]))

    route = router.post("get.php").mock(side_effect=page)
    got = [m.id async for m in smsc.inbox.iterate(after_id=2, page_size=3)]
    assert ids[2:] == got
    asked = [posted_form(call.request).get("after_id") for call in route.calls]
    assert ["2", "5", "8"] == asked


async def test_inbox_without_messages_is_an_empty_list(
    router: respx.MockRouter, smsc: SmscClient
) -> None:
    """Error 3 on the inbox is no messages: the iterator simply ends."""
    router.post("get.php").mock(return_value=reply(NO_RECORDS))
    assert [] == [m async for m in smsc.inbox.iterate()]


# --- stats and operators -------------------------------------------------------------------


async def test_stats_get_posts_the_period_and_flags(
    router: respx.MockRouter, smsc: SmscClient
) -> None:
    """stats.get posts get_stat=1 with start, end, mycur and balance2; rows decode per login."""
    body = [{"login": "alex", "cnt": 3, "credit": "10.00", "debit": "4.50", "currency": "RUB"}]
    route = router.post("get.php").mock(return_value=reply(json.dumps(body)))
    got = await smsc.stats.get(
        start="01.03.2026", end=dt.date(2026, 3, 31), own_currency=True, electronic_balance=True
    )
    expected = {
        "get_stat": "1",
        "start": "01.03.2026",
        "end": "31.03.2026",
        "mycur": "1",
        "balance2": "1",
        **AUTH,
    }
    assert expected == posted_form(route.calls.last.request)
    assert [AccountStats("alex", 3, Decimal("10.00"), Decimal("4.50"), "RUB")] == got


async def test_operators_get_posts_the_number(router: respx.MockRouter, smsc: SmscClient) -> None:
    """operators.get posts info.php get_operator=1 with the number, separators removed."""
    body = {"country": "Russia", "operator": "MTS", "region": "Moscow", "mcc": "250", "mnc": "01"}
    route = router.post("info.php").mock(return_value=reply(json.dumps(body)))
    got = await smsc.operators.get("+7 (999) 000-11-22")
    assert {"get_operator": "1", "phone": "+79990001122", **AUTH} == posted_form(
        route.calls.last.request
    )
    assert OperatorInfo("MTS", "Russia", "Moscow", "250", "01") == got


async def test_operators_get_unknown_number_raises_not_found(
    router: respx.MockRouter, smsc: SmscClient
) -> None:
    """Error 3 of info.php ("operator not found") is NotFoundError naming the command."""
    body = json.dumps({"error": "operator not found", "error_code": 3})
    router.post("info.php").mock(return_value=reply(body))
    with pytest.raises(NotFoundError) as caught:
        await smsc.operators.get("79990001122")
    assert "operators.get" == caught.value.command


# --- validation ----------------------------------------------------------------------------

Call = Callable[[SmscClient], Awaitable[object]]


def bad(call: Callable[[Any], Awaitable[object]], fields: str, id: str) -> object:  # noqa: A002
    """A call that must fail on ``fields`` (space-separated), named ``id``."""
    return pytest.param(call, set(fields.split()), id=id)


async def _walk(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


BAD_CALLS = [
    bad(lambda s: s.history.list(start="2026-01-05"), "start", "history-start-iso"),
    bad(lambda s: s.history.list(start="31.02.2026"), "start", "history-start-31-02"),
    bad(lambda s: s.history.list(start=20260105), "start", "history-start-int"),
    bad(lambda s: s.history.list(end="05.01.2026"), "end", "history-end-without-start"),
    bad(
        lambda s: s.history.list(start="05.02.2026", end="04.02.2026"),
        "end",
        "history-end-before-start",
    ),
    bad(
        lambda s: s.history.list(start="05.01.2026", end="06.07.2026"),
        "end",
        "history-over-six-months",
    ),
    bad(
        lambda s: s.history.list(start="31.08.2026", end="01.03.2027"),
        "end",
        "history-six-months-from-the-31st",
    ),
    bad(lambda s: s.history.list(phones="12"), "phones", "history-phone-short"),
    bad(lambda s: s.history.list(phones=[]), "phones", "history-phones-empty"),
    bad(lambda s: s.history.list(emails="ann"), "emails", "history-email-no-at"),
    bad(
        lambda s: s.history.list(phones="79990001122", emails="a@b.ru"),
        "phones",
        "history-phones-and-emails",
    ),
    bad(lambda s: s.history.list(phones="79990001122", mail=True), "phones", "history-sms-mail"),
    bad(lambda s: s.history.list(mail=1), "mail", "history-mail-int"),
    bad(lambda s: s.history.list(prev_id=0), "prev_id", "history-prev-id-0"),
    bad(lambda s: s.history.list(cnt=1001), "cnt", "history-cnt-1001"),
    bad(lambda s: s.history.list(cnt=0), "cnt", "history-cnt-0"),
    bad(lambda s: _walk(s.history.iterate(page_size=1001)), "page_size", "history-page-1001"),
    bad(lambda s: _walk(s.history.iterate(start="x")), "start", "history-iterate-start"),
    bad(lambda s: s.inbox.list(hours=169), "hours", "inbox-hours-169"),
    bad(lambda s: s.inbox.list(hours=0), "hours", "inbox-hours-0"),
    bad(lambda s: s.inbox.list(hours="24"), "hours", "inbox-hours-str"),
    bad(lambda s: s.inbox.list(to_phone="abc"), "to_phone", "inbox-to-phone"),
    bad(lambda s: s.inbox.list(after_id=-1), "after_id", "inbox-after-id"),
    bad(lambda s: s.inbox.list(cnt=10_001), "cnt", "inbox-cnt-10001"),
    bad(lambda s: _walk(s.inbox.iterate(page_size=0)), "page_size", "inbox-page-0"),
    bad(lambda s: _walk(s.inbox.iterate(after_id=0)), "after_id", "inbox-iterate-after-0"),
    bad(lambda s: s.stats.get(start="1.3.26"), "start", "stats-start"),
    bad(lambda s: s.stats.get(start="02.03.2026", end="01.03.2026"), "end", "stats-end"),
    bad(lambda s: s.stats.get(own_currency="yes"), "own_currency", "stats-mycur"),
    bad(lambda s: s.stats.get(electronic_balance=1), "electronic_balance", "stats-balance2"),
    bad(lambda s: s.operators.get("abc"), "phone", "operator-letters"),
    bad(lambda s: s.operators.get("12"), "phone", "operator-short"),
    bad(lambda s: s.operators.get(None), "phone", "operator-none"),
    bad(lambda s: s.operators.get(79990001122), "phone", "operator-int"),
    bad(lambda s: s.operators.get("79990001122,79990003344"), "phone", "operator-two"),
]


@pytest.mark.parametrize(("call", "fields"), BAD_CALLS)
async def test_bad_argument_raises_before_sending(
    router: respx.MockRouter, smsc: SmscClient, call: Call, fields: set[str]
) -> None:
    """A bad argument raises ValidationError naming it, and no request is sent."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert 0 == router.calls.call_count


async def test_one_error_lists_every_bad_history_field(
    router: respx.MockRouter, smsc: SmscClient
) -> None:
    """One ValidationError lists every bad argument of history.list, in argument order."""
    with pytest.raises(ValidationError) as caught:
        await smsc.history.list(start="x", phones="12", prev_id=0, cnt=0)
    assert ("start", "phones", "prev_id", "cnt") == caught.value.fields
    assert 0 == router.calls.call_count


async def test_iterators_validate_when_created_not_when_awaited(smsc: SmscClient) -> None:
    """A bad page size raises at iterate(), before the caller starts the loop."""
    with pytest.raises(ValidationError):
        smsc.history.iterate(page_size=0)
    with pytest.raises(ValidationError):
        smsc.inbox.iterate(hours=500)


async def test_a_six_month_period_is_accepted(router: respx.MockRouter, smsc: SmscClient) -> None:
    """Exactly six months (31.08 to the last day of February) is the longest period allowed."""
    router.post("get.php").mock(return_value=reply("[]"))
    assert [] == await smsc.history.list(start="31.08.2026", end="28.02.2027")
    assert [] == await smsc.history.list(start="05.01.2026", end="05.07.2026")
