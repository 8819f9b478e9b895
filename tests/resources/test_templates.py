"""``smsc.templates``: what list/add/change/delete post and return, and checks before sending."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import respx

from smsc_async import (
    MessageTemplate,
    NotFoundError,
    SmscClient,
    TemplateFormat,
    ValidationError,
)
from smsc_async._commands import RetryClass
from smsc_async.resources.templates import ADD, CHANGE, DELETE, LIST
from tests._support import LOGIN, PASSWORD, make_client, posted_form, reply

TemplatesCall = Callable[[SmscClient], Awaitable[object]]

LIST_BODY = (
    '[{"id": 7, "name": "Welcome", "format": "sms", "sender": "SHOP", "flag": 1,\n'
    '"message": "Hi, %NAME%"}]'
)
OK = '{"result": "OK"}'


def expected_form(flag: str, /, **params: str) -> dict[str, str]:
    """The whole form a templates.php command posts with the test account (JSON)."""
    return {flag: "1", **params, "fmt": "3", "charset": "utf-8", "login": LOGIN, "psw": PASSWORD}


def test_commands_are_declared_with_their_retry_classes() -> None:
    """The list is a safe read; creations and changes are writes; all on templates.php."""
    assert {"templates.php"} == {c.script for c in (LIST, ADD, CHANGE, DELETE)}
    assert RetryClass.SAFE_READ == LIST.retry
    assert [RetryClass.WRITE] * 3 == [c.retry for c in (ADD, CHANGE, DELETE)]
    assert ["get", "add", "chg", "del"] == [c.flag for c in (LIST, ADD, CHANGE, DELETE)]


FORM_CASES = [
    pytest.param(lambda s: s.templates.list(), "get", {}, LIST_BODY, id="list"),
    pytest.param(
        lambda s: s.templates.add("Welcome", "Hi, %NAME%"),
        "add",
        {"name": "Welcome", "msg": "Hi, %NAME%"},
        '{"id": 7}',
        id="add-bare",
    ),
    pytest.param(
        lambda s: s.templates.add(
            "Welcome", "Hi", format=TemplateFormat.VIBER, sender="SHOP", auto_signature=True
        ),
        "add",
        {"name": "Welcome", "msg": "Hi", "format": "viber", "sender": "SHOP", "fl[1]": "1"},
        '{"id": 7}',
        id="add-everything",
    ),
    pytest.param(
        lambda s: s.templates.add("Mail", "Hi", format="mail", sender="shop@example.com"),
        "add",
        {"name": "Mail", "msg": "Hi", "format": "mail", "sender": "shop@example.com"},
        '{"id": 7}',
        id="add-mail-sender",
    ),
    pytest.param(
        lambda s: s.templates.change(7, text="Bye"),
        "chg",
        {"id": "7", "msg": "Bye"},
        OK,
        id="change-text",
    ),
    pytest.param(
        lambda s: s.templates.change(
            7, name="N", format="sms", sender="SHOP", auto_signature=False
        ),
        "chg",
        {"id": "7", "name": "N", "format": "sms", "sender": "SHOP", "fl[1]": "0"},
        OK,
        id="change-many-signature-off",
    ),
    pytest.param(
        lambda s: s.templates.change(7, auto_signature=True),
        "chg",
        {"id": "7", "fl[1]": "1"},
        OK,
        id="change-signature-on",
    ),
    pytest.param(lambda s: s.templates.delete(7), "del", {"id": "7"}, OK, id="delete"),
]


@pytest.mark.parametrize(("call", "flag", "params", "body"), FORM_CASES)
async def test_command_posts_exact_form(
    router: respx.MockRouter, call: TemplatesCall, flag: str, params: dict[str, str], body: str
) -> None:
    """Each method posts its flag and exactly the values given, to templates.php."""
    route = router.post("templates.php").mock(return_value=reply(body))
    async with make_client() as smsc:
        await call(smsc)
    assert 1 == route.call_count
    request = route.calls.last.request
    assert expected_form(flag, **params) == posted_form(request)
    assert "https://smsc.ru/sys/templates.php" == str(request.url)


async def test_add_returns_the_new_id(router: respx.MockRouter) -> None:
    """add() returns the id the server assigned."""
    router.post("templates.php").mock(return_value=reply('{\n"id": 42\n}'))
    async with make_client() as smsc:
        assert 42 == await smsc.templates.add("Welcome", "Hi")


async def test_list_decodes_templates(router: respx.MockRouter) -> None:
    """list() decodes each template; the text comes under 'message' or 'msg'."""
    body = (
        '[{"id": 7, "name": "Welcome", "format": "sms", "sender": "SHOP", "flag": 1, '
        '"message": "Hi, %NAME%"},\n'
        '{"id": 8, "name": "Plain", "format": "", "sender": "", "flag": 0, "msg": "Bye",'
        ' "created": "01.02.2026"}]'
    )
    router.post("templates.php").mock(return_value=reply(body))
    async with make_client() as smsc:
        templates = await smsc.templates.list()
    assert [
        MessageTemplate(7, "Welcome", "Hi, %NAME%", TemplateFormat.SMS, "SHOP", 1),
        MessageTemplate(8, "Plain", "Bye", None, None, 0, extra={"created": "01.02.2026"}),
    ] == templates
    assert [True, False] == [t.auto_signature for t in templates]


async def test_unknown_format_words_are_kept(router: respx.MockRouter) -> None:
    """A format the SDK does not know decodes to a pseudo-member equal to the word."""
    body = '[{"id": 1, "name": "T", "format": "telegram", "sender": "", "flag": 0, "msg": "x"}]'
    router.post("templates.php").mock(return_value=reply(body))
    async with make_client() as smsc:
        (template,) = await smsc.templates.list()
    assert "telegram" == template.format
    assert "UNKNOWN_telegram" == template.format.name


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[]", id="empty-array"),
        pytest.param('{"error": "not found", "error_code": 3}', id="error-3"),
    ],
)
async def test_list_of_no_templates_is_empty(router: respx.MockRouter, body: str) -> None:
    """An empty array, or error 3 to get, is an empty list."""
    router.post("templates.php").mock(return_value=reply(body))
    async with make_client() as smsc:
        assert [] == await smsc.templates.list()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.templates.change(100500, name="X"), id="change"),
        pytest.param(lambda s: s.templates.delete(100500), id="delete"),
    ],
)
async def test_unknown_id_is_not_found(router: respx.MockRouter, call: TemplatesCall) -> None:
    """Error 3 to chg or del (an unknown id) raises NotFoundError."""
    router.post("templates.php").mock(
        return_value=reply('{"error": "invalid id", "error_code": 3}')
    )
    async with make_client() as smsc:
        with pytest.raises(NotFoundError) as caught:
            await call(smsc)
    assert 3 == caught.value.code


# --- checks before sending ---------------------------------------------------------------


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request would reach the (route-less) respx router."""
    async with make_client() as client:
        yield client


BAD_CALLS = [
    pytest.param(lambda s: s.templates.add("", "Hi"), {"name"}, id="name-empty"),
    pytest.param(lambda s: s.templates.add(None, "Hi"), {"name"}, id="name-none"),
    pytest.param(lambda s: s.templates.add("T", "  "), {"text"}, id="text-blank"),
    pytest.param(lambda s: s.templates.add("T", None), {"text"}, id="text-none"),
    pytest.param(lambda s: s.templates.add("T", "Hi", format="fax"), {"format"}, id="format"),
    pytest.param(lambda s: s.templates.add("T", "Hi", format=3), {"format"}, id="format-int"),
    pytest.param(lambda s: s.templates.add("T", "Hi", sender="x" * 12), {"sender"}, id="sender"),
    pytest.param(
        lambda s: s.templates.add("T", "Hi", format="mail", sender="SHOP"),
        {"sender"},
        id="mail-needs-address",
    ),
    pytest.param(
        lambda s: s.templates.add("", "", format="x", sender=""),
        {"name", "text", "format", "sender"},
        id="everything-at-once",
    ),
    pytest.param(lambda s: s.templates.change(7), {"change"}, id="nothing-to-change"),
    pytest.param(lambda s: s.templates.change(0, name="N"), {"id"}, id="change-id-zero"),
    pytest.param(lambda s: s.templates.change("7", name="N"), {"id"}, id="change-id-text"),
    pytest.param(lambda s: s.templates.change(None, name="N"), {"id"}, id="change-id-none"),
    pytest.param(lambda s: s.templates.change(7, name=""), {"name"}, id="change-name-empty"),
    pytest.param(
        lambda s: s.templates.change(7, auto_signature=1), {"auto_signature"}, id="signature-int"
    ),
    pytest.param(lambda s: s.templates.delete(-1), {"id"}, id="delete-negative"),
    pytest.param(lambda s: s.templates.delete(True), {"id"}, id="delete-bool"),
]


async def test_the_text_is_text_as_in_messages_send(smsc: SmscClient) -> None:
    """add/change take ``text`` (``msg`` on the wire): ``msg=`` is a TypeError, as in send."""
    with pytest.raises(TypeError, match="msg"):
        await smsc.templates.change(7, msg="Bye")  # type: ignore[call-arg]


@pytest.mark.parametrize(("call", "fields"), BAD_CALLS)
async def test_bad_argument_raises_before_sending(
    router: respx.MockRouter, smsc: SmscClient, call: TemplatesCall, fields: set[str]
) -> None:
    """A bad argument raises ValidationError naming every bad field, and nothing is sent."""
    route = router.post("templates.php").mock(return_value=reply(OK))
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert 0 == route.call_count
