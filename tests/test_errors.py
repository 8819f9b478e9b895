"""SMSC's error envelopes, in every format, become the right ApiError subclass."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import respx

from smsc_async import (
    ApiError,
    AuthError,
    CodeAlreadySentError,
    DeadlineTooShortError,
    Format,
    InsufficientFundsError,
    InvalidCodeError,
    InvalidDateError,
    InvalidNumberError,
    IpBlockedError,
    MessageDeniedError,
    NotFoundError,
    OperationFailedError,
    ParametersError,
    RateLimitError,
    SendUnconfirmedError,
    SmscClient,
    SmscError,
    UndeliverableError,
    ValidationError,
)
from smsc_async.errors import api_error_class
from smsc_async.formats import ErrorReply, decode_reply
from smsc_async.resources.senders import LIST
from smsc_async.resources.tariffs import GET_PRICE
from tests._support import LOGIN, PASSWORD, make_client, reply

Call = Callable[[SmscClient], Awaitable[Any]]

# command name -> (script, how to call it)
COMMANDS: dict[str, tuple[str, Call]] = {
    "tariffs.get": ("get.php", lambda smsc: smsc.tariffs.get()),
    "senders.get": ("senders.php", lambda smsc: smsc.senders.list(all=True)),
    "senders.add": ("senders.php", lambda smsc: smsc.senders.add("my_shop", comment="test")),
    "senders.chg": ("senders.php", lambda smsc: smsc.senders.change("my_shop", comment="new")),
    "senders.del": ("senders.php", lambda smsc: smsc.senders.delete(id=5)),
    "senders.send_code": ("senders.php", lambda smsc: smsc.senders.send_code("79999999999")),
    "senders.check_code": (
        "senders.php",
        lambda smsc: smsc.senders.check_code("79999999999", "338824"),
    ),
}
# The codes each page documents (seed 003 for tariffs, seed 002 for sender names).
DOCUMENTED_CODES = {
    "tariffs.get": (1, 2, 4, 9),
    **{name: (1, 2, 3, 4, 5, 7, 8, 9, 10, 11) for name in COMMANDS if name != "tariffs.get"},
}
# Real descriptions where known (spec §1.5), plausible tokens otherwise.
DESCRIPTIONS = {
    1: "parameters error",
    2: "authorise error",
    3: "sender not found",
    4: "ip is blocked",
    5: "error saving sender",
    7: "invalid number",
    8: "can't to deliver",
    9: "duplicate request, wait a minute",
    10: "code already sent",
    11: "invalid code",
    42: "something new",
}
EXPECTED_CLASS: dict[int, type[ApiError]] = {
    1: ParametersError,
    2: AuthError,
    3: NotFoundError,
    4: IpBlockedError,
    5: OperationFailedError,
    7: InvalidNumberError,
    8: UndeliverableError,
    9: RateLimitError,
    10: CodeAlreadySentError,
    11: InvalidCodeError,
    42: ApiError,
}


def envelope(fmt: Format, code: int, description: str) -> str:
    """The error envelope exactly as spec §1.5 lays it out for ``fmt``."""
    if fmt is Format.LINES:
        return f"ERROR = {code} ({description})"
    if fmt is Format.CSV:
        return f"0,-{code}"
    if fmt is Format.XML:
        return f"<result>\n<error>{description}</error>\n<error_code>{code}</error_code>\n</result>"
    return f'{{\n"error": "{description}",\n"error_code": {code}\n}}'


async def raised_by(router: respx.MockRouter, fmt: Format, command: str, body: str) -> ApiError:
    """Run ``command`` against a server answering ``body`` and return the ApiError raised."""
    script, call = COMMANDS[command]
    route = router.post(script).mock(return_value=reply(body))
    async with make_client(fmt) as smsc:
        with pytest.raises(ApiError) as caught:
            await call(smsc)
    assert route.called
    return caught.value


@pytest.mark.parametrize(
    ("command", "code"),
    [(command, code) for command, codes in DOCUMENTED_CODES.items() for code in codes],
    ids=str,
)
async def test_documented_error_raises_its_class(
    router: respx.MockRouter, fmt: Format, command: str, code: int
) -> None:
    """Each documented error code of each command raises its ApiError subclass, fully set."""
    description = DESCRIPTIONS[code]
    error = await raised_by(router, fmt, command, envelope(fmt, code, description))
    # fmt=1 carries no description.
    message = "" if fmt is Format.CSV else description
    assert EXPECTED_CLASS[code] is type(error)
    assert (code, message, command, None) == (error.code, error.message, error.command, error.id)


async def test_error_text_names_command_code_and_description(router: respx.MockRouter) -> None:
    """The exception text names the command, the code and the description, never a secret."""
    error = await raised_by(router, Format.LINES, "senders.add", "ERROR = 2 (authorise error)")
    assert "senders.add: SMSC error 2 (authorise error)" == str(error)
    assert PASSWORD not in repr(error.args)


async def test_unknown_code_raises_plain_api_error(router: respx.MockRouter, fmt: Format) -> None:
    """An undocumented code raises ApiError itself, carrying the code."""
    error = await raised_by(router, fmt, "senders.get", envelope(fmt, 42, "something new"))
    assert ApiError is type(error)
    assert (42, "senders.get") == (error.code, error.command)


@pytest.mark.parametrize("command", ["tariffs.get", "senders.get", "senders.chg"])
async def test_lines_error_recognised_whatever_fmt(
    router: respx.MockRouter, fmt: Format, command: str
) -> None:
    """An ``ERROR = 2 (authorise error)`` body raises AuthError even when JSON was asked for."""
    error = await raised_by(router, fmt, command, "ERROR = 2 (authorise error)")
    assert AuthError is type(error)
    assert (2, "authorise error", command) == (error.code, error.message, error.command)


async def test_error_in_windows_1251_body(router: respx.MockRouter) -> None:
    """An error description in a windows-1251 body is decoded by the header charset."""
    router.post("senders.php").mock(
        return_value=reply("ERROR = 3 (имя не найдено)", charset="windows-1251")
    )
    async with make_client(Format.LINES) as smsc:
        with pytest.raises(NotFoundError) as caught:
            await smsc.senders.delete("my_shop")
    assert "имя не найдено" == caught.value.message


SEND_ERRORS_WITH_ID = {
    Format.LINES: "ERROR = {code} ({text}), ID - 541",
    Format.CSV: "541,-{code}",
    Format.XML: "<result><error>{text}</error><error_code>{code}</error_code><id>541</id></result>",
    Format.JSON: '{{"error": "{text}","error_code": {code},"id": 541}}',
}
SEND_DESCRIPTIONS = {
    3: "no money",
    6: "message is denied",
    7: "invalid number",
    8: "can't to deliver",
}


@pytest.mark.parametrize("code", list(SEND_DESCRIPTIONS))
def test_send_error_carries_message_id(fmt: Format, code: int) -> None:
    """A send.php error 3, 6, 7 or 8 decodes to an ErrorReply with the message id."""
    text = SEND_DESCRIPTIONS[code]
    body = SEND_ERRORS_WITH_ID[fmt].format(code=code, text=text)
    result = decode_reply(
        body.encode(), fmt=fmt, shape=LIST.shape, result_type=LIST.result_type, params={}
    )
    expected = ErrorReply(code, "" if fmt is Format.CSV else text, "541")
    assert expected == result


async def test_client_keeps_error_id(router: respx.MockRouter, fmt: Format) -> None:
    """An error envelope carrying a message id raises with that id through the client."""
    body = SEND_ERRORS_WITH_ID[fmt].format(code=7, text="invalid number")
    error = await raised_by(router, fmt, "senders.send_code", body)
    assert InvalidNumberError is type(error)
    assert (7, "541") == (error.code, error.id)


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (Format.LINES, "ERROR = 7 (invalid number), ID - 34"),
        (Format.CSV, "34,-7"),
        (
            Format.XML,
            "<result><error>invalid number</error><error_code>7</error_code><id>34</id></result>",
        ),
        (Format.JSON, '{"error": "invalid number","error_code": 7,"id": 34}'),
    ],
    ids=["fmt0", "fmt1", "fmt2", "fmt3"],
)
def test_real_send_errors_keep_id_as_text(fmt: Format, body: str) -> None:
    """The recorded real send errors decode with id "34", a JSON number included."""
    result = decode_reply(
        body.encode(),
        fmt=fmt,
        shape=GET_PRICE.shape,
        result_type=GET_PRICE.result_type,
        params={},
    )
    assert ErrorReply(7, "" if fmt is Format.CSV else "invalid number", "34") == result


@pytest.mark.parametrize(
    ("code", "script", "expected"),
    [
        (3, "send.php", InsufficientFundsError),
        (5, "send.php", InvalidDateError),
        (3, "senders.php", NotFoundError),
        (5, "senders.php", OperationFailedError),
        (3, "", NotFoundError),
        (6, "send.php", MessageDeniedError),
        (9, "get.php", RateLimitError),
        (42, "", ApiError),
        (42, "send.php", ApiError),
        (0, "senders.php", ApiError),
    ],
    ids=lambda value: str(value) if not isinstance(value, type) else value.__name__,
)
def test_api_error_class(code: int, script: str, expected: type[ApiError]) -> None:
    """An error code maps to its class, send.php's 3 and 5 to their own, others to ApiError."""
    assert expected is api_error_class(code, script)


def test_send_php_codes_are_specialisations() -> None:
    """send.php's own classes are still caught as the generic code's class."""
    assert issubclass(InsufficientFundsError, NotFoundError)
    assert issubclass(InvalidDateError, OperationFailedError)


def test_exception_from_error_reply_keeps_id() -> None:
    """An ApiError built from a send error keeps code, description, command and id."""
    error = api_error_class(3, "send.php")(3, "no money", command="send", id="541")
    assert isinstance(error, InsufficientFundsError)
    assert (3, "no money", "send", "541") == (error.code, error.message, error.command, error.id)
    assert "send: SMSC error 3 (no money), message id 541" == str(error)


def test_rate_limit_error_is_an_api_error() -> None:
    """RateLimitError is caught as ApiError and as SmscError, with its retry hint."""
    error = RateLimitError(9, "duplicate request, wait a minute", command="tariffs.get")
    assert isinstance(error, ApiError)
    assert isinstance(error, SmscError)
    assert (9, None) == (error.code, error.retry_after)
    assert 1.5 == RateLimitError(9, "", command="x", retry_after=1.5).retry_after


def test_a_deadline_too_short_error_is_shown_as_refused_locally_not_as_smscs_nine() -> None:
    """Its repr says it was refused here and names command, reason and retry_after, no error 9."""
    error = DeadlineTooShortError("senders.add: 1 per 60 s", command="senders.add", retry_after=3.0)
    expected = (
        "DeadlineTooShortError('senders.add: refused locally, nothing was sent', "
        "reason='senders.add: 1 per 60 s', retry_after=3.0)"
    )
    assert expected == repr(error)


def test_a_deadline_too_short_error_keeps_its_text_and_rate_limit_compatibility() -> None:
    """Still a RateLimitError with code 9; its text and args are its own, not "SMSC error 9"."""
    error = DeadlineTooShortError("max_rate", command="tariffs.get", retry_after=0.25)
    text = (
        "tariffs.get: nothing was sent: waiting 0.25 s for max_rate would pass the call's deadline"
    )
    assert (True, 9, 0.25, "max_rate") == (
        isinstance(error, RateLimitError),
        error.code,
        error.retry_after,
        error.reason,
    )
    assert (text, (text,)) == (str(error), error.args)


def test_every_api_error_is_an_smsc_error() -> None:
    """Every class an error code maps to derives from ApiError and SmscError."""
    for cls in EXPECTED_CLASS.values():
        assert issubclass(cls, ApiError)
        assert issubclass(cls, SmscError)


def test_validation_error_is_a_value_error() -> None:
    """Bad client options raise ValidationError, catchable as ValueError, naming the field."""
    with pytest.raises(ValueError, match="fmt") as caught:
        SmscClient(login=LOGIN, password=PASSWORD, fmt=7)
    assert isinstance(caught.value, ValidationError)
    assert isinstance(caught.value, SmscError)
    assert ("fmt",) == caught.value.fields


async def test_validation_error_before_any_request(router: respx.MockRouter) -> None:
    """A bad argument raises ValidationError (a ValueError) and sends nothing."""
    route = router.post("senders.php")
    async with make_client() as smsc:
        with pytest.raises(ValueError, match="sender") as caught:
            await smsc.senders.delete("my_shop", id=5)
    assert isinstance(caught.value, ValidationError)
    assert not route.called


# -- errors name the Python call the user wrote, the wire command in brackets ----------


async def _made(result: object) -> None:
    """Await a coroutine; an iterator's checks already ran when it was made."""
    if isinstance(result, Awaitable):
        await result


@pytest.mark.parametrize(
    ("family", "call", "expected"),
    [
        ("contacts", lambda smsc: smsc.contacts.add("not a phone"), "contacts.add [phones.add]"),
        (
            "mail_contacts",
            lambda smsc: smsc.mail_contacts.add("not an address"),
            "mail_contacts.add [mails.add]",
        ),
        ("mailings", lambda smsc: smsc.mailings.add(""), "mailings.add [jobs.add]"),
        (
            "subclients",
            lambda smsc: smsc.subclients.detailed_stats("32.13.2026"),
            "subclients.detailed_stats [users.get_stat_all]",
        ),
        ("senders", lambda smsc: smsc.senders.add(""), "senders.add"),
        ("blacklist", lambda smsc: smsc.blacklist.iterate(page_size=0), "blacklist.iterate"),
    ],
)
async def test_validation_errors_name_the_python_call(
    family: str, call: Callable[[SmscClient], Any], expected: str
) -> None:
    """A bad argument is reported for the call written (``contacts.add``), wire command after."""
    async with make_client() as smsc:
        with pytest.raises(ValidationError) as caught:
            await _made(call(smsc))
    assert str(caught.value).startswith(f"invalid arguments for {expected}"), str(caught.value)
    assert family == (caught.value.call or "").split(".")[0]


async def test_an_smsc_error_names_the_python_call_and_the_wire_command(
    router: respx.MockRouter,
) -> None:
    """SMSC's error to contacts.add reads ``contacts.add [phones.add]: SMSC error 7 ...``."""
    router.post("phones.php").mock(
        return_value=reply('{"error": "invalid number", "error_code": 7}')
    )
    async with make_client(retries=0) as smsc:
        with pytest.raises(InvalidNumberError) as caught:
            await smsc.contacts.add("79990000001")
    error = caught.value
    assert "contacts.add [phones.add]: SMSC error 7 (invalid number)" == str(error)
    assert ("phones.add", "contacts.add") == (error.command, error.call)


async def test_a_rate_limit_error_names_the_python_call(router: respx.MockRouter) -> None:
    """Error 9 to subclients.detailed_stats names it, then ``users.get_stat_all``."""
    router.post("users.php").mock(
        return_value=reply('{"error": "duplicate request, wait a minute", "error_code": 9}')
    )
    async with make_client(retries=0) as smsc:
        with pytest.raises(RateLimitError) as caught:
            await smsc.subclients.detailed_stats("01.01.2026")
    assert str(caught.value).startswith("subclients.detailed_stats [users.get_stat_all]: ")


async def test_an_iterators_page_error_names_the_iterating_call(router: respx.MockRouter) -> None:
    """A page of mail_contacts.iterate() that fails names ``mail_contacts.iterate [mails.get]``."""
    router.post("mails.php").mock(return_value=reply('{"error": "parameters", "error_code": 1}'))
    async with make_client(retries=0) as smsc:
        with pytest.raises(ParametersError) as caught:
            async for _ in smsc.mail_contacts.iterate():
                pass
    assert str(caught.value).startswith("mail_contacts.iterate [mails.get]: ")


async def test_an_unconfirmed_send_names_the_call(router: respx.MockRouter) -> None:
    """A send whose answer was lost names ``messages.send`` (the wire command is the same)."""
    router.post("send.php").mock(side_effect=httpx.ReadTimeout("timed out"))
    async with make_client(retries=0) as smsc:
        with pytest.raises(SendUnconfirmedError) as caught:
            await smsc.messages.send("79990000001", "hello", id=5)
    assert str(caught.value).startswith("messages.send: ")
    assert "messages.send" == caught.value.call


async def test_the_balance_names_smsc_balance(router: respx.MockRouter) -> None:
    """``smsc.balance()`` is what the user wrote: its errors say ``balance [balance.get]``."""
    router.post("balance.php").mock(return_value=reply('{"error": "x", "error_code": 2}'))
    async with make_client(retries=0) as smsc:
        with pytest.raises(AuthError) as caught:
            await smsc.balance()
    assert str(caught.value).startswith("balance [balance.get]: ")


async def test_concurrent_calls_keep_their_own_names(router: respx.MockRouter) -> None:
    """Two calls failing at once each name their own call (the name is per task)."""
    router.post("phones.php").mock(return_value=reply('{"error": "x", "error_code": 1}'))
    router.post("mails.php").mock(return_value=reply('{"error": "x", "error_code": 1}'))
    async with make_client(retries=0) as smsc:
        errors = await asyncio.gather(
            smsc.contacts.delete("79990000001"),
            smsc.mail_contacts.delete("a@example.com"),
            return_exceptions=True,
        )
    assert ["contacts.delete", "mail_contacts.delete"] == [getattr(e, "call", None) for e in errors]


def test_errors_outside_a_call_name_the_command_alone() -> None:
    """Built outside a resource call, an error names its command as before."""
    error = ApiError(1, "x", command="senders.add")
    assert ("senders.add: SMSC error 1 (x)", None) == (str(error), error.call)
