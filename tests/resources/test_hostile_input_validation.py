"""Hostile input across the families: refused as ValidationError before anything is sent.

A review fed 105 invalid inputs to the SDK and 20 got through (a newline in a contact's
comment forged a second contact in fmt=0 lists; ``senders.add(None)`` was sent; a lone
surrogate raised UnicodeEncodeError after the limiter had counted the request; a 5 MB
comment went out; sums overflowed Decimal). Each kind is pinned here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from smsc_async import (
    Format,
    MessageType,
    Rule,
    SenderDocument,
    SmscClient,
    SubclientSettings,
    SubclientSpec,
    TemplateSpec,
    TemplateTarget,
    ValidationError,
)
from smsc_async.bulk import ItemStatus
from smsc_async.resources import _books, messages, senders
from smsc_async.testing import render_created_id
from tests._support import APIKEY, make_client, posted_form, reply

P, M = "79990000001", "ann@example.com"
GOOD_PASSWORD = "Str0ng-pass"
MTS = [TemplateTarget.MTS_SERVICE]
Call = Callable[[Any], Awaitable[object]]


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request would reach the (route-less) respx router."""
    async with make_client() as client:
        yield client


def bad(call: Call, field: str, id: str) -> object:  # noqa: A002 - pytest's own name
    """A call that must be refused naming ``field``, as test ``id``."""
    return pytest.param(call, field, id=id)


HOSTILE = [
    # line breaks in one-line fields (a forged second record in fmt=0/1 lists)
    bad(lambda s: s.contacts.add(P, comment="hi\nphone = 79990000002"), "comment", "lf-cmt"),
    bad(lambda s: s.contacts.add(P, comment="hi\r"), "comment", "cr-comment"),
    bad(lambda s: s.contacts.add(P, tags="a\nb"), "tags", "lf-tags"),
    bad(lambda s: s.contacts.change(P, first_name="Ann\n"), "first_name", "lf-first-name"),
    bad(lambda s: s.mail_contacts.add(M, name="A\nB"), "name", "lf-mail-contact-name"),
    bad(lambda s: s.contacts.list(search="a\nb"), "search", "lf-search"),
    bad(lambda s: s.groups.add("VIP\nid = 1"), "name", "lf-group-name"),
    bad(lambda s: s.groups.rename(1, "VIP\r\n"), "name", "crlf-group-rename"),
    bad(lambda s: s.blacklist.add(P, comment="spam\nphone = 1"), "comment", "lf-blacklist"),
    bad(lambda s: s.senders.add("shop", comment="a\nb"), "comment", "lf-sender-comment"),
    bad(lambda s: s.senders.add("shop\n"), "sender", "lf-sender-name"),
    bad(lambda s: s.templates.add("Promo\n", "Hi"), "name", "lf-template-name"),
    bad(lambda s: s.mailings.add("June\nname = x", [P], "Hi"), "name", "lf-mailing-name"),
    bad(lambda s: s.messages.send(P, "Hi", params={"pp": "1\n2"}), "params.pp", "lf-extra"),
    bad(lambda s: s.messages.send_list({P: "a\nb"}), "messages[0]", "lf-in-list-text"),
    bad(
        lambda s: s.subclients.create("sub1", GOOD_PASSWORD, SubclientSettings(comment="a\nb")),
        "comment",
        "lf-subclient-comment",
    ),
    # NUL, in every kind of field (message texts too)
    bad(lambda s: s.contacts.add(P, name="Ann\x00"), "name", "nul-name"),
    bad(lambda s: s.messages.send(P, "Hi\x00there"), "text", "nul-message"),
    bad(lambda s: s.templates.add("Promo", "Hi\x00"), "text", "nul-template-text"),
    bad(lambda s: s.op_templates.add("shop", "Code\x00", MTS), "text", "nul-op-template"),
    bad(lambda s: s.mailings.add("June", [P], "Hi\x00"), "text", "nul-mailing-text"),
    bad(lambda s: s.subclients.create("sub\x001", GOOD_PASSWORD), "user", "nul-login"),
    bad(lambda s: s.subclients.create("sub1", "Str0ng-pa\x00ss"), "password", "nul-password"),
    # other control characters: ESC, DEL, C1 (NEL), a tab in a name
    bad(lambda s: s.contacts.add(P, comment="\x1b[31mred"), "comment", "esc"),
    bad(lambda s: s.contacts.add(P, comment="a\x7fb"), "comment", "del"),
    bad(lambda s: s.contacts.add(P, last_name="Doe\x85"), "last_name", "c1-nel"),
    bad(lambda s: s.messages.send(P, "Hi\x0b"), "text", "vt-in-message"),
    bad(lambda s: s.groups.add("VIP\tclients"), "name", "tab-in-name"),
    bad(
        lambda s: s.subclients.create("sub1", GOOD_PASSWORD, SubclientSettings(fio="A\x07")),
        "fio",
        "bel-fio",
    ),
    # lone surrogates (not encodable: today a UnicodeEncodeError after the window counted)
    bad(lambda s: s.contacts.add(P, comment="\ud800"), "comment", "surrogate-comment"),
    bad(lambda s: s.messages.send(P, "Hi \ud83d"), "text", "surrogate-message"),
    bad(lambda s: s.templates.change(1, text="\udfff"), "text", "surrogate-template"),
    bad(lambda s: s.senders.add("shop", comment="\udc80"), "comment", "surrogate-sender-comment"),
    # None where a value is required, and wrong types
    bad(lambda s: s.senders.add(None), "sender", "sender-none"),
    bad(lambda s: s.groups.add(None), "name", "group-name-none"),
    bad(lambda s: s.op_templates.add(None, "Code", MTS), "sender", "op-template-sender-none"),
    bad(lambda s: s.mailings.add(None, [P], "Hi"), "name", "mailing-name-none"),
    bad(lambda s: s.contacts.add(P, comment=42), "comment", "comment-int"),
    bad(lambda s: s.senders.add("shop", comment=b"bytes"), "comment", "comment-bytes"),
    bad(lambda s: s.senders.list(all="yes"), "all", "flag-str"),
    bad(lambda s: s.messages.send(P, "Hi", tinyurl="no"), "tinyurl", "flag-no"),
    bad(lambda s: s.templates.add("Promo", "Hi", auto_signature=1), "auto_signature", "flag-1"),
    bad(lambda s: s.subclients.pay("sub1", 5, electronic_balance="1"), "electronic_balance", "f"),
    # sums: overflow, precision, more than two decimals
    bad(lambda s: s.subclients.pay("sub1", "1E+999999999"), "amount", "sum-overflow"),
    bad(lambda s: s.subclients.pay("sub1", Decimal("9E+999999")), "amount", "sum-decimal-huge"),
    bad(lambda s: s.subclients.pay("sub1", "1" * 30 + ".005"), "amount", "sum-past-precision"),
    bad(lambda s: s.subclients.pay("sub1", "1000000000000"), "amount", "sum-a-trillion"),
    bad(lambda s: s.subclients.pay("sub1", "1.005"), "amount", "sum-three-decimals"),
    bad(lambda s: s.subclients.pay("sub1", "1" * 5_000), "amount", "sum-5000-digits"),
    bad(
        lambda s: s.subclients.create(
            "sub1", GOOD_PASSWORD, SubclientSettings(nb=Decimal("1E+40"))
        ),
        "nb",
        "notification-balance-huge",
    ),
    bad(lambda s: s.messages.send(P, "Hi", period=math.nan), "period", "period-nan"),
    bad(lambda s: s.messages.send(P, "Hi", period=Decimal("sNaN")), "period", "period-snan"),
    bad(lambda s: s.mailings.add("June", [P], "Hi", period=math.inf), "period", "period-inf"),
    # absurd lengths
    bad(lambda s: s.contacts.add(P, comment="x" * 5_000_000), "comment", "5mb-comment"),
    bad(lambda s: s.contacts.add(P, name="x" * 256), "name", "name-256"),
    bad(lambda s: s.groups.add("x" * 10_000), "name", "group-name-10k"),
    bad(lambda s: s.templates.add("x" * 256, "Hi"), "name", "template-name-256"),
    bad(lambda s: s.templates.add("Promo", "x" * 1001), "text", "template-text-1001"),
    bad(lambda s: s.mailings.add("June", [M], "x" * 100_001, kind="mail"), "text", "mail-100k"),
    bad(lambda s: s.subclients.create("u" * 65, GOOD_PASSWORD), "user", "login-65"),
    bad(
        lambda s: s.subclients.create("sub1", GOOD_PASSWORD, SubclientSettings(comment="x" * 2001)),
        "comment",
        "comment-2001",
    ),
    bad(
        lambda s: s.messages.send(P, "Hi", subject="x" * 256, kind=MessageType.MMS),
        "subject",
        "subj",
    ),
    bad(
        lambda s: s.messages.send(
            P, "Hi", fileurl="https://x.ru/" + "a" * 2000, kind=MessageType.MMS
        ),
        "fileurl",
        "fileurl-long",
    ),
    # sender names with characters SMSC does not allow (English letters, digits, . - _)
    bad(lambda s: s.senders.add("my shop"), "sender", "sender-space"),
    bad(lambda s: s.senders.add("Магазин"), "sender", "sender-cyrillic"),
    bad(lambda s: s.senders.add("shop!"), "sender", "sender-bang"),
    bad(lambda s: s.messages.send(P, "Hi", sender="a,b"), "sender", "send-sender-comma"),
    bad(lambda s: s.templates.add("Promo", "Hi", sender="sh\top"), "sender", "template-sender"),
    # addresses that would carry a line break
    bad(lambda s: s.mail_contacts.add(M + "\n"), "addresses", "mail-address-lf"),
    bad(lambda s: s.contacts.add(P + "\n"), "addresses", "phone-lf"),
    bad(
        lambda s: s.subclients.update("sub1", SubclientSettings(email=M + "\r\n")),
        "email",
        "subclient-email-crlf",
    ),
    bad(
        lambda s: s.subclients.update("sub1", SubclientSettings(url="https://x.ru/\x00")),
        "url",
        "subclient-url-nul",
    ),
    bad(
        lambda s: s.senders.add("shop", document=SenderDocument("a\r\n.pdf", b"%PDF")),
        "document",
        "document-name-crlf",
    ),
]


@pytest.mark.parametrize(("call", "field"), HOSTILE)
async def test_hostile_input_is_refused_unsent(
    router: respx.MockRouter, smsc: SmscClient, call: Call, field: str
) -> None:
    """A hostile value raises ValidationError naming its field, and nothing is sent."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert field in caught.value.fields
    assert 0 == router.calls.call_count


def test_the_table_covers_every_kind_of_bad_input() -> None:
    """The table holds well over the twenty kinds of bad input the review found."""
    assert len(HOSTILE) >= 60  # a floor, not an exact count


async def test_a_refused_password_is_never_quoted(smsc: SmscClient) -> None:
    """A password refused for a control character is named, never echoed."""
    secret = "Str0ng-pa\x00ss-SECRET"
    with pytest.raises(ValidationError) as caught:
        await smsc.subclients.create("sub1", secret)
    assert "SECRET" not in str(caught.value)
    assert "NUL" in str(caught.value)


@pytest.mark.parametrize(
    ("call", "script", "sent"),
    [
        pytest.param(
            lambda s: s.messages.send(P, "Line one\r\nLine two\n\tend", id=5),
            "send.php",
            {"mes": "Line one\r\nLine two\n\tend"},
            id="multi-line-message",
        ),
        pytest.param(
            lambda s: s.messages.send(
                P, "Hi", id=6, time=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
            ),
            "send.php",
            {"time": "0946684800"},
            id="send-time-in-the-past",
        ),
        pytest.param(
            lambda s: s.contacts.add(P, comment="a\tb, c = d"),
            "phones.php",
            {"cmt": "a\tb, c = d"},
            id="tab-in-comment",
        ),
        pytest.param(
            lambda s: s.subclients.pay("sub1", "999999999999.99"),
            "users.php",
            {"sum": "999999999999.99"},
            id="largest-sum",
        ),
        pytest.param(
            lambda s: s.subclients.pay("sub1", "1.500"),
            "users.php",
            {"sum": "1.50"},
            id="sum-with-zero-third-decimal",
        ),
        pytest.param(
            lambda s: s.senders.add("My-Shop_1.0"),
            "senders.php",
            {"sender": "My-Shop_1.0"},
            id="sender-dot-dash-underscore",
        ),
        pytest.param(
            lambda s: s.contacts.add(P, name="Анна Ж.", comment="x" * 2000),
            "phones.php",
            {"name": "Анна Ж.", "cmt": "x" * 2000},
            id="cyrillic-name-longest-comment",
        ),
    ],
)
async def test_legitimate_values_still_go_out(
    router: respx.MockRouter, call: Call, script: str, sent: dict[str, str]
) -> None:
    """Line breaks in a message, a past send time, tabs in a comment, the limits: all sent."""
    bodies = {"send.php": '{"id": 5, "cnt": 1}', "users.php": '{"result": "OK"}'}
    body = bodies.get(script) or render_created_id(Format.JSON, 1)
    route = router.post(script).mock(return_value=reply(body))
    async with make_client() as smsc:
        await call(smsc)
    form = posted_form(route.calls.last.request)
    assert sent == {k: form[k] for k in sent}


# --- the safety net at the top of the command path -----------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"phone": P, "cmt": "a\nb"}, "cmt", id="lf"),
        pytest.param({"phone": P, "cmt": "a\rb"}, "cmt", id="cr"),
        pytest.param({"phone": P, "cmt": "a\x00b"}, "cmt", id="nul"),
        pytest.param({"phone": P, "cmt": "\ud800"}, "cmt", id="surrogate"),
        pytest.param({"phone": P, "cmt": 5}, "cmt", id="not-a-string"),
        pytest.param({"phone": P, "c\nmt": "x"}, "c\nmt", id="lf-in-a-name"),
    ],
)
async def test_the_command_path_refuses_what_cannot_be_sent(
    router: respx.MockRouter, smsc: SmscClient, params: dict[str, Any], field: str
) -> None:
    """Parameters a resource let through with a NUL, a surrogate or a stray line break stop."""
    with pytest.raises(ValidationError) as caught:
        await smsc._call(_books.PHONES.add, params)
    assert (field,) == caught.value.fields
    assert 0 == router.calls.call_count


async def test_the_command_path_lets_declared_texts_span_lines(router: respx.MockRouter) -> None:
    """A command's multi-line parameters (a message's mes) pass the net with their breaks."""
    route = router.post("send.php").mock(return_value=reply('{"id": 5, "cnt": 1}'))
    async with make_client() as smsc:
        await smsc._call(messages.SEND, {"phones": P, "mes": "a\r\nb", "id": "5"})
        with pytest.raises(ValidationError) as caught:
            await smsc._call(messages.SEND, {"phones": P + "\n", "mes": "a\nb", "id": "6"})
    assert ("phones",) == caught.value.fields
    assert 1 == route.call_count


@pytest.mark.looptime
async def test_a_refused_request_leaves_no_entry_in_any_window(router: respx.MockRouter) -> None:
    """After refused creations, 5 good ones still go at once and only a 6th waits a minute."""
    loop = asyncio.get_running_loop()
    times: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        times.append(loop.time())
        return reply(render_created_id(Format.JSON, len(times)))

    router.post("senders.php").mock(side_effect=answer)
    async with make_client() as smsc:
        for hostile in ("shop\ud800", "sh\x00op", None):
            with pytest.raises(ValidationError):
                await smsc.senders.add(hostile)  # type: ignore[arg-type]
        with pytest.raises(ValidationError):  # what a resource could miss: the net's refusal
            await smsc._call(senders.ADD, {"sender": "shop", "cmt": "\ud800"})
        start = loop.time()
        await asyncio.gather(*(smsc.senders.add(f"shop{n}") for n in range(6)))
    assert 6 == len(times)
    assert [0.0] * 5 == [round(t - start, 3) for t in times[:5]]
    assert times[5] - start >= 60  # the 5-a-minute rule's minute


# --- the client's own options ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param({"timeout": math.inf}, "timeout", id="timeout-inf"),
        pytest.param({"timeout": math.nan}, "timeout", id="timeout-nan"),
        pytest.param({"deadline": math.inf}, "deadline", id="deadline-inf"),
        pytest.param({"deadline": -math.inf}, "deadline", id="deadline-minus-inf"),
        pytest.param({"margin": math.inf}, "margin", id="margin-inf"),
        pytest.param({"margin": math.nan}, "margin", id="margin-nan"),
        pytest.param({"minute": math.inf}, "minute", id="minute-inf"),
        pytest.param({"minute": math.nan}, "minute", id="minute-nan"),
        pytest.param({"max_rate": math.inf}, "max_rate", id="max-rate-inf"),
        pytest.param(
            {"rules": {"senders.add": [Rule(5, window=math.inf)]}}, "rules", id="window-inf"
        ),
        pytest.param(
            {"rules": {"senders.add": [Rule(5, window=math.nan)]}}, "rules", id="window-nan"
        ),
    ],
)
def test_the_client_refuses_infinite_and_nan_seconds(kwargs: dict[str, Any], field: str) -> None:
    """Infinite or NaN seconds (a wait that never ends) are refused, naming the option."""
    with pytest.raises(ValidationError) as caught:
        SmscClient(apikey=APIKEY, **kwargs)
    assert (field,) == caught.value.fields


@pytest.mark.parametrize("option", ["deadline", "timeout"])
@pytest.mark.parametrize("value", [math.inf, math.nan])
async def test_with_options_refuses_infinite_and_nan_seconds(option: str, value: float) -> None:
    """with_options(timeout=inf) is refused like the constructor's."""
    async with make_client() as smsc:
        with pytest.raises(ValidationError) as caught:
            smsc.with_options(**{option: value})
    assert (option,) == caught.value.fields


# --- provisioning: each bad spec fails its own item ------------------------------------------


async def test_provision_fails_hostile_specs_item_by_item(router: respx.MockRouter) -> None:
    """Unhashable logins, None names, bad templates fail their items; the good one runs."""
    route = router.post("users.php").mock(return_value=reply('{"id": 7}'))
    specs: list[Any] = [
        SubclientSpec(["sub1"], GOOD_PASSWORD),  # type: ignore[arg-type]  # unhashable
        SubclientSpec({"user": "x"}, GOOD_PASSWORD),  # type: ignore[arg-type]
        SubclientSpec("sub2", GOOD_PASSWORD, senders=(None,)),
        SubclientSpec("sub3", GOOD_PASSWORD, templates=("my_shop",)),
        SubclientSpec("sub4", GOOD_PASSWORD, payment="1E+999999999"),
        SubclientSpec("sub5\n", GOOD_PASSWORD),
        SubclientSpec("sub6", GOOD_PASSWORD, templates=TemplateSpec("shop", "a\x00", MTS)),
        SubclientSpec("sub7", GOOD_PASSWORD),
    ]
    async with make_client() as smsc:
        report = await smsc.subclients.provision(specs)
    assert [ItemStatus.FAILED] * 7 + [ItemStatus.DONE] == [r.status for r in report]
    refused = [
        ("user",),
        ("user",),
        ("senders",),
        ("templates",),
        ("payment",),
        ("user",),
        ("text",),
    ]
    assert refused == [
        r.error.fields for r in report.failed if isinstance(r.error, ValidationError)
    ]
    assert ["sub7"] == [posted_form(c.request)["user"] for c in route.calls]
