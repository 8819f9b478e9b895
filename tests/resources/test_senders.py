"""``smsc.senders``: what each command posts, what it returns, uploads and paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

import attrs
import httpx
import pytest
import respx

from smsc_async import (
    CodeAlreadySentError,
    Format,
    InvalidCodeError,
    NotFoundError,
    OperatorStatus,
    OperatorStatuses,
    ParseError,
    Registration,
    Sender,
    SenderDocument,
    SenderStatus,
    SmscClient,
    UaRegistration,
)
from smsc_async.errors import ApiError
from smsc_async.testing import render_error, render_ok, render_sender_id, render_senders
from tests._support import LOGIN, PASSWORD, make_client, posted_form, reply

SendersCall = Callable[[SmscClient], Awaitable[object]]

UA_DETAILS = {
    "fio": "TOV Shop",
    "inn": "12345678",
    "email": "info@shop.ua",
    "address": "Kyiv, Khreshchatyk 1",
    "desc": "Online shop",
    "subj": "Order notifications",
}
UA = UaRegistration(**UA_DETAILS, site="shop.ua")
UA_FIELDS = {"ua_reg": "1", **UA_DETAILS}


def expected_form(flag: str, fmt: Format = Format.JSON, /, **params: str) -> dict[str, str]:
    """The whole form a senders.php command posts with the test account's credentials."""
    return {
        flag: "1",
        **params,
        "fmt": str(int(fmt)),
        "charset": "utf-8",
        "login": LOGIN,
        "psw": PASSWORD,
    }


def reply_for(flag: str, fmt: Format) -> httpx.Response:
    """A successful reply to ``flag`` in ``fmt``."""
    if flag == "get":
        return reply(render_senders(fmt, []))
    if flag == "add":
        return reply(render_sender_id(fmt, 1))
    return reply(render_ok(fmt))


def multipart_parts(request: httpx.Request) -> list[EmailMessage]:
    """The parts of a multipart/form-data request body."""
    assert request.method == "POST"
    content_type = request.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    assert isinstance(message, EmailMessage)
    return list(message.iter_parts())  # type: ignore[arg-type]


def part_name(part: EmailMessage) -> str:
    name = part.get_param("name", header="content-disposition")
    assert isinstance(name, str)
    return name


FORM_CASES = [
    pytest.param(lambda s: s.senders.list(), "get", {}, id="list-defaults"),
    pytest.param(
        lambda s: s.senders.list(
            all=True,
            operators=True,
            from_date=dt.date(2024, 1, 31),
            prev_id=500,
            cnt=15000,
            user="subalex",
        ),
        "get",
        {
            "all": "1",
            "operators": "1",
            "from_date": "31.01.2024",
            "prev_id": "500",
            "cnt": "15000",
            "user": "subalex",
        },
        id="list-every-option",
    ),
    pytest.param(
        lambda s: s.senders.list(from_date="05.02.2024"),
        "get",
        {"from_date": "05.02.2024"},
        id="list-from-date-string",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", comment="test"),
        "add",
        {"sender": "my_shop", "cmt": "test"},
        id="add-docs-example",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", register=[Registration.MTS_STEP, "tele2"]),
        "add",
        {"sender": "my_shop", "mts_step": "1", "tele2": "1"},
        id="add-register",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", ua_reg=UA),
        "add",
        {"sender": "my_shop", **UA_FIELDS, "site": "shop.ua"},
        id="add-ua-reg",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", ua_reg=attrs.evolve(UA, site=None)),
        "add",
        {"sender": "my_shop", **UA_FIELDS},
        id="add-ua-reg-without-site",
    ),
    pytest.param(
        lambda s: s.senders.add("shop@example.com", mail=True, name="Alex Shop"),
        "add",
        {"sender": "shop@example.com", "mail": "1", "name": "Alex Shop"},
        id="add-mail",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", user="subalex"),
        "add",
        {"sender": "my_shop", "user": "subalex"},
        id="add-user",
    ),
    pytest.param(
        lambda s: s.senders.change("my_shop", comment="new"),
        "chg",
        {"sender": "my_shop", "cmt": "new"},
        id="change-by-sender",
    ),
    pytest.param(
        lambda s: s.senders.change(id=42, comment="new", register=["mega_step"], user="subalex"),
        "chg",
        {"id": "42", "cmt": "new", "mega_step": "1", "user": "subalex"},
        id="change-by-id",
    ),
    pytest.param(
        lambda s: s.senders.delete("my_shop"), "del", {"sender": "my_shop"}, id="delete-by-sender"
    ),
    pytest.param(
        lambda s: s.senders.delete(id=42, user="subalex"),
        "del",
        {"id": "42", "user": "subalex"},
        id="delete-by-id",
    ),
    pytest.param(
        lambda s: s.senders.send_code("79999999999"),
        "send_code",
        {"sender": "79999999999"},
        id="send-code",
    ),
    pytest.param(
        lambda s: s.senders.send_code(
            "79999999999", site="mysite.ru", site_name="My Site", user="subalex"
        ),
        "send_code",
        {"sender": "79999999999", "site": "mysite.ru", "site_name": "My Site", "user": "subalex"},
        id="send-code-site-user",
    ),
    pytest.param(
        lambda s: s.senders.check_code("79999999999", "338824"),
        "check_code",
        {"sender": "79999999999", "code": "338824"},
        id="check-code",
    ),
    pytest.param(
        lambda s: s.senders.check_code("79999999999", 338824, user="subalex"),
        "check_code",
        {"sender": "79999999999", "code": "338824", "user": "subalex"},
        id="check-code-int-user",
    ),
]


@pytest.mark.parametrize(("call", "flag", "params"), FORM_CASES)
async def test_command_posts_exact_form(
    router: respx.MockRouter, call: SendersCall, flag: str, params: dict[str, str]
) -> None:
    """Each command posts exactly its flag, its parameters, fmt, charset and credentials."""
    route = router.post("senders.php").mock(return_value=reply_for(flag, Format.JSON))
    async with make_client() as smsc:
        await call(smsc)
    assert route.call_count == 1
    request = route.calls.last.request
    assert expected_form(flag, **params) == posted_form(request)
    assert str(request.url) == "https://smsc.ru/sys/senders.php"
    assert request.url.query == b""


SENDERS = [
    Sender(
        "my_shop",
        17,
        status=SenderStatus.ALLOWED,
        operators=OperatorStatuses(
            mts_step=OperatorStatus.ACCEPTED, tele2=OperatorStatus.DOCUMENTS_REQUIRED
        ),
    ),
    Sender("79999999999", 12, status=SenderStatus.MODERATION, operators=OperatorStatuses()),
]


@pytest.mark.parametrize(
    ("all_", "operators"), [(False, False), (True, False), (False, True), (True, True)]
)
async def test_list_returns_senders(
    router: respx.MockRouter, fmt: Format, all_: bool, operators: bool
) -> None:
    """list() decodes the reply of every format into Sender models, in the server's order."""
    expected = [
        Sender(
            s.sender,
            s.id,
            status=s.status if all_ else None,
            operators=s.operators if operators else None,
        )
        for s in SENDERS
    ]
    body = render_senders(fmt, expected, all=all_, operators=operators)
    router.post("senders.php").mock(return_value=reply(body))
    async with make_client(fmt) as smsc:
        assert expected == await smsc.senders.list(all=all_, operators=operators)


async def test_add_returns_new_id(router: respx.MockRouter, fmt: Format) -> None:
    """add() returns the new name's id as an int in every format."""
    router.post("senders.php").mock(return_value=reply(render_sender_id(fmt, 123456)))
    async with make_client(fmt) as smsc:
        new_id = await smsc.senders.add("my_shop", comment="test")
    assert 123456 == new_id
    assert type(new_id) is int


OK_CALLS = [
    pytest.param(lambda s: s.senders.change("my_shop", comment="x"), id="change"),
    pytest.param(lambda s: s.senders.delete(id=7), id="delete"),
    pytest.param(lambda s: s.senders.send_code("79999999999"), id="send_code"),
    pytest.param(lambda s: s.senders.check_code("79999999999", "1234"), id="check_code"),
]


@pytest.mark.parametrize("call", OK_CALLS)
async def test_ok_commands_return_none(
    router: respx.MockRouter, fmt: Format, call: SendersCall
) -> None:
    """Commands acknowledged with OK return None in every format."""
    route = router.post("senders.php").mock(return_value=reply(render_ok(fmt)))
    async with make_client(fmt) as smsc:
        assert await call(smsc) is None
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("call", "code", "error"),
    [
        (lambda s: s.senders.delete("my_shop"), 3, NotFoundError),
        (lambda s: s.senders.send_code("79999999999"), 10, CodeAlreadySentError),
        (lambda s: s.senders.check_code("79999999999", "1"), 11, InvalidCodeError),
    ],
)
async def test_error_reply_raises_sender_errors(
    router: respx.MockRouter, fmt: Format, call: SendersCall, code: int, error: type[ApiError]
) -> None:
    """senders.php error codes become their exception classes in every format."""
    router.post("senders.php").mock(return_value=reply(render_error(fmt, code, "some error")))
    async with make_client(fmt) as smsc:
        with pytest.raises(error) as caught:
            await call(smsc)
    assert code == caught.value.code


# --- document upload -------------------------------------------------------------------------

PDF = b"%PDF-1.4\r\n%\xe2\xe3\xcf\xd3\r\n1 0 obj\n<< >>\nendobj\n\x00\xff"


@pytest.mark.parametrize(
    ("call", "flag", "params"),
    [
        (
            lambda s, d: s.senders.add("my_shop", comment="test", document=d, doc_info="TM cert"),
            "add",
            {"sender": "my_shop", "cmt": "test", "doc_info": "TM cert"},
        ),
        (
            lambda s, d: s.senders.change(id=42, document=d, doc_info="TM cert"),
            "chg",
            {"id": "42", "doc_info": "TM cert"},
        ),
    ],
    ids=["add", "change"],
)
@pytest.mark.parametrize(
    "upload",
    [
        (SenderDocument("cert.pdf", PDF), "cert.pdf", "application/pdf"),
        (SenderDocument("docs/Scan.PNG", PDF), "Scan.PNG", "image/png"),
        (SenderDocument("tm.rar", PDF, "application/vnd.rar"), "tm.rar", "application/vnd.rar"),
    ],
    ids=["pdf", "png-in-folder", "explicit-type"],
)
async def test_document_is_uploaded_as_multipart(
    router: respx.MockRouter,
    call: Callable[[SmscClient, SenderDocument], Awaitable[object]],
    flag: str,
    params: dict[str, str],
    upload: tuple[SenderDocument, str, str],
) -> None:
    """A document goes as multipart file0 (name, type, bytes) beside the ordinary fields."""
    document, filename, content_type = upload
    route = router.post("senders.php").mock(return_value=reply_for(flag, Format.JSON))
    async with make_client() as smsc:
        await call(smsc, document)
    request = route.calls.last.request
    assert str(request.url) == "https://smsc.ru/sys/senders.php"
    parts = multipart_parts(request)
    files = [p for p in parts if p.get_filename() is not None]
    fields = {part_name(p): p.get_content() for p in parts if p.get_filename() is None}
    assert expected_form(flag, **params) == fields
    assert [("file0", filename, content_type, document.content)] == [
        (part_name(p), p.get_filename(), p.get_content_type(), p.get_payload(decode=True))
        for p in files
    ]


# --- paging ------------------------------------------------------------------------------------


def paging_server(
    senders: Sequence[Sender], order: Sequence[int] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """A fake senders.php: names in ``order`` of ids (newest id first by default).

    It applies ``prev_id`` (only names with a smaller id) and then ``cnt``, as seed 002 says;
    with ``all=1`` every name is shown as allowed.
    """
    by_id = {s.id: s for s in senders}
    ids = list(order) if order is not None else sorted(by_id, reverse=True)

    def serve(request: httpx.Request) -> httpx.Response:
        form = posted_form(request)
        prev_id = int(form["prev_id"]) if "prev_id" in form else None
        page = [by_id[i] for i in ids if prev_id is None or i < prev_id][: int(form["cnt"])]
        all_ = form.get("all") == "1"
        if all_:
            page = [attrs.evolve(s, status=SenderStatus.ALLOWED) for s in page]
        return reply(render_senders(Format(int(form["fmt"])), page, all=all_))

    return serve


def make_senders(count: int) -> list[Sender]:
    return [Sender(f"name{i}", 100 + 3 * i) for i in range(count)]


async def test_iterate_fetches_pages_lazily(router: respx.MockRouter) -> None:
    """Only the first page is requested until the caller needs the fourth name."""
    senders = make_senders(7)
    route = router.post("senders.php").mock(side_effect=paging_server(senders))
    async with make_client() as smsc:
        names = smsc.senders.iterate(page_size=3)
        assert route.call_count == 0
        first = [await anext(names) for _ in range(3)]
        assert route.call_count == 1
        rest = [s async for s in names]
    assert sorted(senders, key=lambda s: -s.id) == first + rest
    assert route.call_count == 3


async def test_iterate_chains_pages_by_smallest_id(router: respx.MockRouter, fmt: Format) -> None:
    """Each page after the first asks for names before the smallest id of the page before."""
    senders = make_senders(7)  # ids 100..118 step 3, served 118, 115, 112 | 109, 106, 103 | 100
    route = router.post("senders.php").mock(side_effect=paging_server(senders))
    async with make_client(fmt) as smsc:
        _ = [s async for s in smsc.senders.iterate(page_size=3, all=True, user="subalex")]
    forms = [posted_form(call.request) for call in route.calls]
    base = expected_form("get", fmt, all="1", cnt="3", user="subalex")
    assert [base, {**base, "prev_id": "112"}, {**base, "prev_id": "103"}] == forms


@pytest.mark.parametrize(
    ("count", "page_size", "requests"),
    [(7, 3, 3), (6, 3, 3), (3, 3, 2), (2, 3, 1), (0, 3, 1), (5, 1, 6)],
    ids=["short-last", "full-then-empty", "one-full-then-empty", "one-short", "none", "size-1"],
)
async def test_iterate_yields_every_name_once_and_stops(
    router: respx.MockRouter, count: int, page_size: int, requests: int
) -> None:
    """Every name comes once; a short (or, after full pages, an empty) page ends iteration."""
    senders = make_senders(count)
    route = router.post("senders.php").mock(side_effect=paging_server(senders))
    async with make_client() as smsc:
        got = [s async for s in smsc.senders.iterate(page_size=page_size)]
    assert sorted(senders, key=lambda s: -s.id) == got
    assert requests == route.call_count


async def test_iterate_stops_when_server_repeats_a_page(router: respx.MockRouter) -> None:
    """A server that ignores prev_id and repeats its page raises ParseError, not a loop."""
    page = make_senders(3)
    route = router.post("senders.php").mock(
        side_effect=lambda request: reply(render_senders(Format.JSON, page))
    )
    async with make_client() as smsc:
        with pytest.raises(ParseError):
            _ = [s async for s in smsc.senders.iterate(page_size=3)]
    assert route.call_count == 2


async def test_iterate_yields_no_name_twice_from_a_repeated_page(
    router: respx.MockRouter,
) -> None:
    """Names of a page the server repeats are not handed to the caller a second time."""
    page = make_senders(3)
    router.post("senders.php").mock(
        side_effect=lambda request: reply(render_senders(Format.JSON, page))
    )
    seen: list[Sender] = []

    async def consume(smsc: SmscClient) -> None:
        async for sender in smsc.senders.iterate(page_size=3):
            seen.append(sender)

    async with make_client() as smsc:
        with pytest.raises(ParseError):
            await consume(smsc)
    assert page == seen


def test_iterate_refuses_from_date() -> None:
    """With from_date the server sorts by change date, so id paging would skip names: refused."""
    smsc = make_client()
    with pytest.raises(TypeError):
        smsc.senders.iterate(from_date="01.01.2024")  # type: ignore[call-arg]
