"""``smsc.senders``: bad arguments raise ValidationError before anything is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import respx

from smsc_async import (
    Format,
    SenderDocument,
    SmscClient,
    UaRegistration,
    ValidationError,
)
from smsc_async.testing import render_ok, render_sender_id, render_senders
from tests._support import APIKEY, PASSWORD, make_client, posted_form, reply

SendersCall = Callable[[SmscClient], Awaitable[object]]

MB3 = 3 * 1024 * 1024
PDF = SenderDocument("cert.pdf", b"%PDF-1.4 certificate")
UA = {
    "fio": "TOV Shop",
    "inn": "12345678",
    "email": "info@shop.ua",
    "address": "Kyiv",
    "desc": "Online shop",
    "subj": "Orders",
}


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request would reach the (route-less) respx router."""
    async with make_client() as client:
        yield client


BAD_CALLS = [
    # sender names
    pytest.param(lambda s: s.senders.add("my_shop_1234"), {"sender"}, id="name-12-chars"),
    pytest.param(lambda s: s.senders.add("abcdefghijkl"), {"sender"}, id="name-12-letters"),
    pytest.param(lambda s: s.senders.add("7" * 16), {"sender"}, id="digital-16-digits"),
    pytest.param(lambda s: s.senders.add(""), {"sender"}, id="name-empty"),
    pytest.param(lambda s: s.senders.add("   "), {"sender"}, id="name-blank"),
    pytest.param(lambda s: s.senders.change("x" * 12, comment="c"), {"sender"}, id="change-long"),
    pytest.param(lambda s: s.senders.delete(""), {"sender"}, id="delete-empty"),
    # list options
    pytest.param(lambda s: s.senders.list(cnt=15001), {"cnt"}, id="cnt-over-15000"),
    pytest.param(lambda s: s.senders.list(cnt=0), {"cnt"}, id="cnt-0"),
    pytest.param(lambda s: s.senders.list(cnt="10"), {"cnt"}, id="cnt-str"),
    pytest.param(lambda s: s.senders.list(prev_id=0), {"prev_id"}, id="prev-id-0"),
    pytest.param(lambda s: s.senders.list(user=""), {"user"}, id="user-empty"),
    pytest.param(lambda s: s.senders.list(from_date="2024-01-31"), {"from_date"}, id="date-iso"),
    pytest.param(lambda s: s.senders.list(from_date="31.02.2024"), {"from_date"}, id="date-31-02"),
    pytest.param(lambda s: s.senders.list(from_date=20240131), {"from_date"}, id="date-int"),
    # documents
    pytest.param(
        lambda s: s.senders.add("my_shop", document=SenderDocument("cert.pdf", b"x" * (MB3 + 1))),
        {"document"},
        id="document-over-3mb",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", document=SenderDocument("setup.exe", b"MZ")),
        {"document"},
        id="document-exe",
    ),
    pytest.param(
        lambda s: s.senders.change("my_shop", document=SenderDocument("cert.docx", b"PK")),
        {"document"},
        id="document-docx",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", document=SenderDocument("certificate", b"%PDF")),
        {"document"},
        id="document-no-extension",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", document=SenderDocument("cert.pdf", b"")),
        {"document"},
        id="document-empty",
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", doc_info="TM certificate"),
        {"doc_info"},
        id="doc-info-without-document",
    ),
    # sender or id
    pytest.param(lambda s: s.senders.change("my_shop", id=1), {"sender/id"}, id="change-both"),
    pytest.param(lambda s: s.senders.change(comment="c"), {"sender/id"}, id="change-neither"),
    pytest.param(lambda s: s.senders.delete("my_shop", id=1), {"sender/id"}, id="delete-both"),
    pytest.param(lambda s: s.senders.delete(), {"sender/id"}, id="delete-neither"),
    pytest.param(lambda s: s.senders.delete(id=0), {"id"}, id="delete-id-0"),
    # confirmation codes
    pytest.param(lambda s: s.senders.send_code("my_shop"), {"sender"}, id="send-code-name"),
    pytest.param(lambda s: s.senders.send_code("7" * 16), {"sender"}, id="send-code-16-digits"),
    pytest.param(lambda s: s.senders.check_code("my_shop", "1234"), {"sender"}, id="check-name"),
    pytest.param(lambda s: s.senders.check_code("79999999999", "12a4"), {"code"}, id="code-12a4"),
    pytest.param(lambda s: s.senders.check_code("79999999999", ""), {"code"}, id="code-empty"),
    pytest.param(lambda s: s.senders.check_code("79999999999", -5), {"code"}, id="code-negative"),
    # registrations
    pytest.param(
        lambda s: s.senders.add("my_shop", register=["beeline"]), {"register"}, id="register"
    ),
    pytest.param(
        lambda s: s.senders.add("my_shop", ua_reg=UaRegistration(**{**UA, "fio": "", "inn": " "})),
        {"ua_reg"},
        id="ua-reg-missing-fields",
    ),
    # e-mail senders
    pytest.param(lambda s: s.senders.add("my_shop", name="Alex"), {"name"}, id="name-without-mail"),
    pytest.param(lambda s: s.senders.add("my_shop", mail=True), {"sender"}, id="mail-not-email"),
    pytest.param(
        lambda s: s.senders.add("shop@localhost", mail=True), {"sender"}, id="mail-no-domain-dot"
    ),
]


@pytest.mark.parametrize(("call", "fields"), BAD_CALLS)
async def test_bad_argument_raises_before_sending(
    router: respx.MockRouter, smsc: SmscClient, call: SendersCall, fields: set[str]
) -> None:
    """A bad argument raises ValidationError naming it, and no request is sent."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        pytest.param(
            lambda s: s.senders.add(
                "x" * 12,
                name="Alex",
                register=["beeline"],
                document=SenderDocument("setup.exe", b"MZ"),
                user="",
            ),
            {"sender", "name", "register", "document", "user"},
            id="add",
        ),
        pytest.param(
            lambda s: s.senders.list(from_date="2024-01-31", prev_id=-1, cnt=20000, user=" "),
            {"from_date", "prev_id", "cnt", "user"},
            id="list",
        ),
        pytest.param(
            lambda s: s.senders.check_code("my_shop", "abc", user=""),
            {"sender", "code", "user"},
            id="check_code",
        ),
    ],
)
async def test_one_error_lists_every_bad_field(
    router: respx.MockRouter, smsc: SmscClient, call: SendersCall, fields: set[str]
) -> None:
    """One ValidationError reports every bad argument of the call, not only the first."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert router.calls.call_count == 0


async def test_bad_fields_are_listed_in_argument_order(smsc: SmscClient) -> None:
    """ValidationError.fields follows the order of the method's arguments, as documented."""
    with pytest.raises(ValidationError) as caught:
        await smsc.senders.list(from_date="2024-01-31", prev_id=0, cnt=0, user="")
    assert ("from_date", "prev_id", "cnt", "user") == caught.value.fields


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda s: s.senders.send_code(
                "\u0667\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669"
            ),
            id="arabic-indic-sender",
        ),
        pytest.param(
            lambda s: s.senders.check_code("79999999999", "\uff13\uff13\uff18\uff18\uff12\uff14"),
            id="fullwidth",
        ),
        pytest.param(
            lambda s: s.senders.check_code("79999999999", "\u00b2\u00b3"), id="superscript-code"
        ),
    ],
)
async def test_non_ascii_digits_are_not_digits(
    router: respx.MockRouter, smsc: SmscClient, call: SendersCall
) -> None:
    """Digital names and codes are ASCII digits: other Unicode digits are rejected unsent."""
    router.post("senders.php").mock(return_value=reply(render_ok(Format.JSON)))
    with pytest.raises(ValidationError):
        await call(smsc)
    assert router.calls.call_count == 0


@pytest.mark.parametrize(
    ("call", "flag", "params"),
    [
        pytest.param(
            lambda s: s.senders.add("7" * 15), "add", {"sender": "7" * 15}, id="15-digits"
        ),
        pytest.param(
            lambda s: s.senders.add("abcdefghijk"), "add", {"sender": "abcdefghijk"}, id="11-chars"
        ),
        pytest.param(
            lambda s: s.senders.send_code("7" * 15),
            "send_code",
            {"sender": "7" * 15},
            id="send-code-15-digits",
        ),
        pytest.param(lambda s: s.senders.list(cnt=1), "get", {"cnt": "1"}, id="cnt-1"),
        pytest.param(
            lambda s: s.senders.list(from_date=dt.datetime(2024, 2, 29, 23, 59)),  # noqa: DTZ001
            "get",
            {"from_date": "29.02.2024"},
            id="datetime-leap-day",
        ),
        pytest.param(
            lambda s: s.senders.check_code("79999999999", 0),
            "check_code",
            {"sender": "79999999999", "code": "0"},
            id="code-0",
        ),
    ],
)
async def test_boundary_values_are_accepted(
    router: respx.MockRouter, call: SendersCall, flag: str, params: dict[str, str]
) -> None:
    """Values right at the limits pass validation and are sent as given."""
    bodies = {"get": render_senders(Format.JSON, []), "add": render_sender_id(Format.JSON, 5)}
    route = router.post("senders.php").mock(
        return_value=reply(bodies.get(flag, render_ok(Format.JSON)))
    )
    async with make_client() as smsc:
        await call(smsc)
    form = posted_form(route.calls.last.request)
    assert params == {k: v for k, v in form.items() if k in params}
    assert form[flag] == "1"


async def test_document_of_exactly_three_megabytes_is_sent(router: respx.MockRouter) -> None:
    """A document of exactly 3 MB (3 * 1024 * 1024 bytes) is accepted and sent whole."""
    content = bytes(range(256)) * (MB3 // 256)
    route = router.post("senders.php").mock(return_value=reply(render_sender_id(Format.JSON, 9)))
    async with make_client() as smsc:
        new_id = await smsc.senders.add("my_shop", document=SenderDocument("cert.zip", content))
    assert 9 == new_id
    body = route.calls.last.request.content
    assert b'name="file0"; filename="cert.zip"' in body
    assert content in body
    assert MB3 < len(body) < MB3 + 2048


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        pytest.param({"user": ""}, {"user"}, id="user"),
        pytest.param({"page_size": 15001}, None, id="page-size-over"),
        pytest.param({"page_size": 0}, None, id="page-size-0"),
    ],
)
async def test_iterate_validates_when_called(
    router: respx.MockRouter, smsc: SmscClient, kwargs: dict[str, object], fields: set[str] | None
) -> None:
    """iterate() raises ValidationError at call time, before any iteration or request."""
    with pytest.raises(ValidationError) as caught:
        smsc.senders.iterate(**kwargs)  # type: ignore[arg-type]
    if fields is not None:
        assert fields == set(caught.value.fields)
    assert router.calls.call_count == 0


async def test_iterate_names_page_size_in_its_error(smsc: SmscClient) -> None:
    """A bad page_size is reported under the argument's own name, page_size."""
    with pytest.raises(ValidationError) as caught:
        smsc.senders.iterate(page_size=0)
    assert ("page_size",) == caught.value.fields


@pytest.mark.parametrize(
    ("kwargs", "fields"),
    [
        pytest.param({}, {"login", "password"}, id="no-credentials"),
        pytest.param({"login": "alex"}, {"password"}, id="login-only"),
        pytest.param({"apikey": APIKEY, "login": "alex"}, {"apikey"}, id="apikey-and-login"),
        pytest.param(
            {"apikey": APIKEY, "password": PASSWORD}, {"apikey"}, id="apikey-and-password"
        ),
        pytest.param({"apikey": ""}, {"apikey"}, id="apikey-empty"),
        pytest.param({"apikey": APIKEY, "fmt": 7}, {"fmt"}, id="fmt-7"),
        pytest.param({"apikey": APIKEY, "base_url": "smsc.ru/sys/"}, {"base_url"}, id="no-scheme"),
        pytest.param({"apikey": APIKEY, "base_url": "ftp://smsc.ru/sys/"}, {"base_url"}, id="ftp"),
        pytest.param({"apikey": APIKEY, "timeout": 0}, {"timeout"}, id="timeout-0"),
        pytest.param({"apikey": APIKEY, "timeout": -5}, {"timeout"}, id="timeout-negative"),
        pytest.param(
            {"login": "", "password": PASSWORD, "fmt": 4, "timeout": 0},
            {"login", "fmt", "timeout"},
            id="several",
        ),
    ],
)
def test_client_rejects_bad_configuration(kwargs: dict[str, object], fields: set[str]) -> None:
    """SmscClient refuses missing, conflicting or bad options, naming them without secrets."""
    with pytest.raises(ValidationError) as caught:
        SmscClient(**kwargs)  # type: ignore[arg-type]
    assert fields == set(caught.value.fields)
    assert PASSWORD not in str(caught.value)
    assert APIKEY not in str(caught.value)


@pytest.mark.parametrize("timeout", [-1, -1.0])
def test_client_rejects_timeout_minus_one(timeout: float) -> None:
    """A timeout of -1 seconds is as invalid as any other negative timeout."""
    with pytest.raises(ValidationError) as caught:
        SmscClient(apikey=APIKEY, timeout=timeout)
    assert ("timeout",) == caught.value.fields
