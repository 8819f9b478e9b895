"""The wire on its own: the form a command posts, and what its answer means."""

from __future__ import annotations

import traceback
from typing import Any

import pytest

from smsc_async import (
    ApiError,
    Format,
    InsufficientFundsError,
    NotFoundError,
    ParseError,
    SmscClient,
)
from smsc_async._commands import Command
from smsc_async._secret import Secret
from smsc_async._transport import RawReply
from smsc_async._wire import decode, form
from smsc_async.models.senders import SenderId
from smsc_async.resources.messages import SEND
from smsc_async.resources.senders import ADD
from tests._support import APIKEY, LOGIN, PASSWORD


def raw(body: str) -> RawReply:
    return RawReply(200, body.encode(), "utf-8")


def test_the_form_holds_flag_params_format_charset_and_credentials() -> None:
    """The command's flag, its parameters, fmt, charset=utf-8, login and the wrapped password."""
    config = SmscClient(login=LOGIN, password=PASSWORD, fmt=Format.XML).config
    expected = {
        "add": "1",
        "sender": "shop",
        "fmt": "2",
        "charset": "utf-8",
        "login": LOGIN,
        "psw": Secret(PASSWORD),
    }
    actual = form(ADD, {"sender": "shop"}, config)
    assert (expected, True) == (actual, isinstance(actual["psw"], Secret))


def test_an_apikey_replaces_login_and_password_in_the_form() -> None:
    """With an API key, the form carries apikey alone of the credentials."""
    config = SmscClient(apikey=APIKEY).config
    assert {"add", "fmt", "charset", "apikey"} == set(form(ADD, {}, config))


def test_an_answer_decodes_into_the_commands_result() -> None:
    """A JSON answer to senders.add becomes its SenderId."""
    assert SenderId(id=7) == decode(ADD, {}, raw('{"id": 7}'), Format.JSON)


@pytest.mark.parametrize(
    ("command", "expected"),
    [(ADD, NotFoundError), (SEND, InsufficientFundsError)],
    ids=["senders.php", "send.php"],
)
def test_an_error_answer_raises_the_class_of_its_code_and_script(
    command: Command[Any], expected: type[ApiError]
) -> None:
    """Error 3 is NotFoundError on senders.php, InsufficientFundsError on send.php."""
    body = '{"error": "no", "error_code": 3}'
    with pytest.raises(ApiError) as caught:
        decode(command, {}, raw(body), Format.JSON)
    assert (expected, 3, "no") == (type(caught.value), caught.value.code, caught.value.message)


def test_an_unreadable_answer_raises_a_parse_error_naming_the_command() -> None:
    """A body that is not the format asked for is a ParseError of that command."""
    with pytest.raises(ParseError) as caught:
        decode(ADD, {}, raw("<html>bad gateway</html>"), Format.JSON)
    assert ("senders.add", 3) == (caught.value.command, caught.value.fmt)


def test_a_traceback_with_locals_of_a_bad_answer_shows_no_echoed_password() -> None:
    """The body stays inside RawReply: frames' locals (as Sentry records them) never quote it."""
    with pytest.raises(ParseError) as caught:
        decode(ADD, {}, raw(f"<html>psw={PASSWORD}</html>"), Format.JSON)
    exc = traceback.TracebackException.from_exception(caught.value, capture_locals=True)
    assert PASSWORD not in "".join(exc.format())
