"""Every reply shape of templates.php and jobs.php, typed by hand in all four formats, is one model.

jobs.php's creation reply and both scripts' errors follow the jobs_answer and templates docs
pages (``OK, ID - 31, COST - 3.60`` / ``31,3.60`` / ``<result><id>`` / ``{"id": ...}``). The
lists have no documented layout: the bodies follow the SDK's assumption (keyed rows in the
declared order; the template text under ``message``, as valery1707/smsc-java reads it). They
are typed here, not produced by smsc_async.testing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smsc_async import (
    Format,
    InvalidDateError,
    Mailing,
    MailingCreated,
    MailingStatus,
    MessageTemplate,
    NotFoundError,
    OperationFailedError,
    ParseError,
    TemplateFormat,
)
from smsc_async._commands import Command
from smsc_async.errors import (
    ApiError,
    AuthError,
    IpBlockedError,
    ParametersError,
    RateLimitError,
    api_error_class,
)
from smsc_async.formats import ErrorReply
from smsc_async.models import CreatedId
from smsc_async.resources import mailings, templates
from tests._support import decode_as

Bodies = dict[Format, str]
L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON

TEMPLATES: Bodies = {
    L: "id = 7, name = Welcome, format = sms, sender = SHOP, flag = 1, message = Hi %NAME%\n"
    "id = 8, name = Plain, format = , sender = , flag = 0, message = Bye\n",
    C: "7,Welcome,sms,SHOP,1,Hi %NAME%\n8,Plain,,,0,Bye\n",
    X: "<list>\n<template>\n<id>7</id>\n<name>Welcome</name>\n<format>sms</format>\n"
    "<sender>SHOP</sender>\n<flag>1</flag>\n<message>Hi %NAME%</message>\n</template>\n"
    "<template>\n<id>8</id>\n<name>Plain</name>\n<format></format>\n<sender></sender>\n"
    "<flag>0</flag>\n<message>Bye</message>\n</template>\n</list>",
    J: '[\n{\n"id": 7,\n"name": "Welcome",\n"format": "sms",\n"sender": "SHOP",\n"flag": 1,\n'
    '"message": "Hi %NAME%"\n},\n{\n"id": 8,\n"name": "Plain",\n"format": "",\n"sender": "",\n'
    '"flag": 0,\n"message": "Bye"\n}\n]',
}
WELCOME = MessageTemplate(7, "Welcome", "Hi %NAME%", TemplateFormat.SMS, "SHOP", 1)
PLAIN = MessageTemplate(8, "Plain", "Bye", None, None, 0)

# The text under ``msg``, the request's own name for it, reads the same.
TEMPLATES_MSG: Bodies = {
    L: "id = 8, name = Plain, format = , sender = , flag = 0, msg = Bye",
    C: "8,Plain,,,0,Bye",
    X: "<list>\n<template>\n<id>8</id>\n<name>Plain</name>\n<format></format>\n"
    "<sender></sender>\n<flag>0</flag>\n<msg>Bye</msg>\n</template>\n</list>",
    J: '[{"id": 8, "name": "Plain", "format": "", "sender": "", "flag": 0, "msg": "Bye"}]',
}
NO_TEMPLATES: Bodies = {L: "", C: "", X: "<list>\n</list>", J: "[]"}
TEMPLATE_ID: Bodies = {
    L: "ID = 7",
    C: "7",
    X: "<result>\n<id>7</id>\n</result>",
    J: '{\n"id": 7\n}',
}

MAILING_ADDED: Bodies = {
    L: "OK, ID - 31",
    C: "31",
    X: "<result>\n<id>31</id>\n</result>",
    J: '{\n"id": 31\n}',
}
MAILING_ADDED_COST: Bodies = {
    L: "OK, ID - 31, COST - 3.60",
    C: "31,3.60",
    X: "<result>\n<id>31</id>\n<cost>3.60</cost>\n</result>",
    J: '{\n"id": 31,\n"cost": "3.60"\n}',
}
MAILING: Bodies = {
    L: "id = 31, name = Sale today, status = 0, sender = SHOP, mes = Sale: 20% off",
    C: "31,Sale today,0,SHOP,Sale: 20% off",
    X: "<job>\n<id>31</id>\n<name>Sale today</name>\n<status>0</status>\n<sender>SHOP</sender>\n"
    "<mes>Sale: 20% off</mes>\n</job>",
    J: '{\n"id": 31,\n"name": "Sale today",\n"status": 0,\n"sender": "SHOP",\n'
    '"mes": "Sale: 20% off"\n}',
}
SALE = Mailing(31, "Sale today", MailingStatus.WAITING, "SHOP", "Sale: 20% off")
MAILINGS: Bodies = {
    L: f"{MAILING[L]}\nid = 30, name = Check, status = 2, sender = , mes = \n",
    C: f"{MAILING[C]}\n30,Check,2,,\n",
    X: f"<list>\n{MAILING[X]}\n<job>\n<id>30</id>\n<name>Check</name>\n<status>2</status>\n"
    "<sender></sender>\n<mes></mes>\n</job>\n</list>",
    J: f'[{MAILING[J]},\n{{\n"id": 30,\n"name": "Check",\n"status": 2,\n"sender": "",\n'
    '"mes": ""\n}]',
}
CHECK = Mailing(30, "Check", MailingStatus.CANCELLED, None, None)
NO_MAILINGS: Bodies = {L: "", C: "", X: "<list>\n</list>", J: "[]"}
OK: Bodies = {L: "OK", C: "OK", X: "<result>OK</result>", J: '{\n"result": "OK"\n}'}

# (command, extra request parameters, bodies, expected model)
CASES: dict[str, tuple[Command[Any], dict[str, str], Bodies, Any]] = {
    "templates": (templates.LIST, {}, TEMPLATES, [WELCOME, PLAIN]),
    "templates-msg-key": (templates.LIST, {}, TEMPLATES_MSG, [PLAIN]),
    "templates-none": (templates.LIST, {}, NO_TEMPLATES, []),
    "template-add": (templates.ADD, {}, TEMPLATE_ID, CreatedId(7)),
    "template-chg": (templates.CHANGE, {}, OK, None),
    "template-del": (templates.DELETE, {}, OK, None),
    "mailing-add": (mailings.ADD, {}, MAILING_ADDED, MailingCreated(31)),
    "mailing-add-cost": (
        mailings.ADD,
        {"cost": "1"},
        MAILING_ADDED_COST,
        MailingCreated(31, Decimal("3.60")),
    ),
    "mailing-get": (mailings.GET, {}, MAILING, SALE),
    "mailing-get-all": (mailings.GET_ALL, {}, MAILINGS, [SALE, CHECK]),
    "mailing-get-all-none": (mailings.GET_ALL, {}, NO_MAILINGS, []),
    "mailing-cancel": (mailings.CANCEL, {}, OK, None),
    "mailing-del": (mailings.DELETE, {}, OK, None),
}


def decode(command: Command[Any], params: dict[str, str], body: str, fmt: Format) -> Any:
    """Decode ``body`` as the reply to ``command`` (with ``params``) in ``fmt``."""
    return decode_as(command, body, fmt, params)


@pytest.mark.parametrize("case", list(CASES))
def test_each_format_decodes_to_the_expected_model(case: str, fmt: Format) -> None:
    """Each reply decodes to the model written out by hand."""
    command, params, bodies, expected = CASES[case]
    assert expected == decode(command, params, bodies[fmt], fmt)


@pytest.mark.parametrize("case", list(CASES))
def test_all_formats_decode_equal(case: str) -> None:
    """The four formats of one reply decode to equal models."""
    command, params, bodies, _ = CASES[case]
    decoded = [decode(command, params, bodies[fmt], fmt) for fmt in Format]
    assert [decoded[0]] * 4 == decoded


def error_bodies(code: int, description: str) -> Bodies:
    """An error envelope in the four formats (the docs pages' shapes)."""
    return {
        L: f"ERROR = {code} ({description})",
        C: f"0,-{code}",
        X: f"<result>\n<error>{description}</error>\n<error_code>{code}</error_code>\n</result>",
        J: f'{{\n"error": "{description}",\n"error_code": {code}\n}}',
    }


# jobs.php's page lists errors 1, 2, 3, 4, 5 (invalid date) and 9; for templates.php,
# valery1707 reads 5 as a failure to save. Both answer the common envelope.
_COMMON = [
    (1, "parameters error", ParametersError),
    (2, "authorise error", AuthError),
    (3, "record not saved", NotFoundError),
    (4, "ip is blocked", IpBlockedError),
    (9, "duplicate request, wait a minute", RateLimitError),
]
ERRORS = [
    *(
        pytest.param(command, *error, id=f"{command.name}-{error[0]}")
        for command in (templates.LIST, templates.ADD, mailings.ADD, mailings.GET_ALL)
        for error in _COMMON
    ),
    pytest.param(templates.ADD, 5, "persist error", OperationFailedError, id="templates.add-5"),
    pytest.param(mailings.ADD, 5, "invalid date format", InvalidDateError, id="jobs.add-5"),
]


@pytest.mark.parametrize(("command", "code", "description", "cls"), ERRORS)
def test_errors_decode_alike_in_every_format(
    command: Command[Any], code: int, description: str, cls: type[ApiError], fmt: Format
) -> None:
    """Each error envelope reads as its code, no message id, and one exception class."""
    error = decode(command, {}, error_bodies(code, description)[fmt], fmt)
    assert isinstance(error, ErrorReply)
    assert (code, None) == (error.code, error.id)
    assert cls is api_error_class(code, command.script)


def test_an_unknown_format_word_is_kept_in_every_format() -> None:
    """A format the SDK does not know is a pseudo-member equal to the word, in all four."""
    bodies = {
        L: "id = 1, name = T, format = telegram, sender = , flag = 0, message = x",
        C: "1,T,telegram,,0,x",
        X: "<list><template><id>1</id><name>T</name><format>telegram</format><sender/>"
        "<flag>0</flag><message>x</message></template></list>",
        J: '[{"id": 1, "name": "T", "format": "telegram", "sender": "", "flag": 0,\n'
        '"message": "x"}]',
    }
    formats = {fmt: decode(templates.LIST, {}, bodies[fmt], fmt)[0].format for fmt in Format}
    assert dict.fromkeys(Format, "telegram") == formats
    assert {"UNKNOWN_telegram"} == {f.name for f in formats.values()}


@pytest.mark.parametrize(
    ("command", "body"),
    [
        pytest.param(templates.LIST, "7,Hello, you,sms,SHOP,1,Hi", id="template-name"),
        pytest.param(templates.LIST, "7,Welcome,sms,SHOP,1,Hi, you", id="template-text"),
        pytest.param(mailings.GET, "31,Sale, today,0,SHOP,Hi", id="mailing-name"),
        pytest.param(mailings.GET_ALL, "31,Sale,0,SHOP,Hi, you", id="mailing-text"),
    ],
)
def test_fmt1_refuses_a_comma_in_either_text(command: Command[Any], body: str) -> None:
    """Two free-text columns: a comma in either makes a fmt=1 line unreadable, never misread."""
    with pytest.raises(ParseError) as caught:
        decode(command, {}, body, C)
    assert 1 == caught.value.fmt


def test_fmt0_reads_commas_in_both_texts() -> None:
    """Keyed fmt=0 rows read names and texts with commas whole."""
    body = "id = 7, name = Hello, you, format = sms, sender = SHOP, flag = 1, message = Hi, you"
    (template,) = decode(templates.LIST, {}, body, L)
    assert ("Hello, you", "Hi, you") == (template.name, template.text)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("OK, ID - 31, ID - 32", id="key-twice"),
        pytest.param("OK, ID = 31", id="not-dashed"),
        pytest.param("OK, ID - 31 SMS", id="value-with-a-unit"),
    ],
)
def test_fmt0_acknowledgement_read_one_way_only(body: str) -> None:
    """An 'OK, KEY - value' line that cannot be read one way is a ParseError, not a guess."""
    with pytest.raises(ParseError):
        decode(mailings.ADD, {}, body, L)
