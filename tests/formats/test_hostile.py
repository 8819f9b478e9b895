"""Hostile and broken replies: each ends in ParseError (or the error it carries), quickly.

Every case here was found by fuzzing or by reading the decoders for "anything parses as
success" holes; each failed on the decoders before issue 16 (a foreign exception, a slow
or huge result, or a default model read from an error).
"""

from __future__ import annotations

import contextlib
import time
import tracemalloc
from typing import Any

import pytest

from smsc_async import Contact, Format
from smsc_async._commands import Command
from smsc_async.errors import ParseError
from smsc_async.formats import ErrorReply, Ok, Single, _json
from smsc_async.resources import balance, mailings, messages, subclients, templates
from smsc_async.resources._books import ADD_GROUP, PHONES
from smsc_async.resources.senders import ADD as SENDERS_ADD
from smsc_async.resources.senders import LIST as SENDERS_LIST
from smsc_async.resources.tariffs import GET_PRICE
from smsc_async.testing._render import render_contacts
from tests._support import _EVERY_COMMAND, decode_as

L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON
HUGE_CODE = "9" * 5000  # past int()'s 4,300-digit limit, which raises ValueError


def _refused(command: Command[Any], body: str, fmt: Format) -> None:
    with pytest.raises(ParseError):
        decode_as(command, body, fmt)


# --- foreign exceptions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (J, "[" * 100_000),  # RecursionError
        (J, "{" * 100_000),
        (J, '{"error_code": Infinity}'),  # OverflowError
        (J, '{"error_code": NaN}'),
        (J, '{"id": -Infinity}'),
        (J, "[1.5]"),  # TypeError: a Decimal through json.dumps on the error path
        (J, '[{"id": 1}, 2.5]'),
        (X, "<result><error>x</error><error_code>\u00b2</error_code></result>"),  # ValueError
        (L, f"ERROR = {HUGE_CODE} (x)"),
        (C, f"0,-{HUGE_CODE}"),
        (X, f"<result><error>x</error><error_code>{HUGE_CODE}</error_code></result>"),
        (J, f'{{"error": "x", "error_code": "{HUGE_CODE}"}}'),
        (J, f'{{"error": "x", "error_code": {HUGE_CODE}}}'),
        (J, '{"error": "x", "error_code": 99999999999999999999}'),
        (J, '{"error": "x", "error_code": true}'),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else str(v),
)
def test_foreign_exceptions_become_parse_error(fmt: Format, body: str) -> None:
    """Bodies that raised RecursionError, OverflowError, TypeError, ValueError: ParseError."""
    for command in (SENDERS_LIST, SENDERS_ADD, subclients.CREATE, templates.DELETE):
        _refused(command, body, fmt)


def test_decode_reply_converts_an_unforeseen_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net: an exception no decoder foresaw leaves decode_reply as ParseError."""

    def broken(text: str) -> Any:
        raise LookupError("unforeseen")

    monkeypatch.setattr(_json, "parse", broken)
    with pytest.raises(ParseError, match="LookupError"):
        decode_as(SENDERS_ADD, '{"id": 1}', J)


# --- numbers bounded before conversion ---------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['{"id": 1e600000}', '{"id": 1E+600000}', '{"id": 1e-600000}', '{"id": ' + "9" * 65 + "}"],
)
def test_a_huge_json_number_fails_fast(body: str) -> None:
    """A JSON number of huge exponent or length is refused as it is read, not turned into an id."""
    start = time.process_time()
    _refused(SENDERS_ADD, body, J)
    assert time.process_time() - start < 1.0


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        (L, "id = " + "9" * 100),
        (C, "9" * 100),
        (X, f"<result><id>{'9' * 100}</id></result>"),
        (J, '{"id": "' + "9" * 100 + '"}'),
    ],
    ids=["fmt0", "fmt1", "fmt2", "fmt3"],
)
def test_an_over_long_id_is_refused_in_every_format(fmt: Format, body: str) -> None:
    """A 100-digit id (int() would take it, at quadratic cost as it grows) is a ParseError."""
    _refused(SENDERS_ADD, body, fmt)


@pytest.mark.parametrize("value", ["1e600000", "-1E+600000", "1e-600000"])
def test_a_sum_of_huge_exponent_is_refused_in_text_formats(value: str) -> None:
    """A text-format sum whose exponent is out of bounds is a ParseError, not a huge Decimal."""
    _refused(balance.GET_BALANCE, f"balance = {value}", L)
    _refused(balance.GET_BALANCE, value, C)


# --- fmt=1 lists are read in linear time -------------------------------------------------


def _contacts_page(commas: int) -> str:
    contact = Contact(("79991234567",), "c-1", name="x", comment="a," * commas + "b")
    return render_contacts(C, [contact])


def _peak_bytes(body: str) -> int:
    tracemalloc.start()
    try:
        with contextlib.suppress(ParseError):  # comments and tags, both free text: 2 readings
            decode_as(PHONES.get, body, C)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_comment_of_thousands_of_commas_is_read_in_linear_memory() -> None:
    """One contact whose comment holds 8,000 commas: bounded memory, growing linearly, fast."""
    start = time.process_time()
    big = _peak_bytes(_contacts_page(8000))
    elapsed = time.process_time() - start  # ~0.1 s alone; tracemalloc slows it ~10x
    small = _peak_bytes(_contacts_page(2000))
    assert big < 50 * 2**20
    # Four times the commas: ~4x the memory when linear, ~16x when quadratic (before: 2.5 GiB).
    assert big < 8 * small
    assert elapsed < 5.0


def test_a_long_fmt1_contact_line_is_still_read_exactly() -> None:
    """The linear split finds the same one reading: a comma-free comment of any length."""
    # Names around the two groups: the client id beside them may be any text, so they are
    # what fixes where the lists end in fmt=1.
    contact = Contact(
        ("79991234567", "79997654321"),
        "c-7",
        name="x",
        groups=(1, 2),
        first_name="f",
        last_name="l",
        middle_name="m",
        comment="a" * 9000,
    )
    assert [contact] == decode_as(PHONES.get, render_contacts(C, [contact]), C)


# --- never read an error as success ------------------------------------------------------

CREATIONS = tuple(c for c in _EVERY_COMMAND if isinstance(c.shape, Single))
OKS = tuple(c for c in _EVERY_COMMAND if isinstance(c.shape, Ok))

ERRORS_WITHOUT_CODE = {
    L: ["ERROR dup", "ERROR: dup", "ERROR", "ERROR = dup"],
    C: ["ERROR dup", "ERROR"],
    X: [
        "<result><error>dup</error></result>",
        "<error>dup</error>",
        "<result><error>dup</error><error_code>x</error_code></result>",
        "<result><error_code></error_code></result>",
    ],
    J: [
        '{"error": "dup"}',
        '{"error": "dup", "id": 5}',
        '{"error": "dup", "error_code": "nine"}',
        '{"error_code": null}',
        '{"result": "OK", "error": "dup"}',
    ],
}
NOT_A_SUCCESS = {
    L: ["", "\n", "foo = 1"],
    C: ["", ","],
    X: [
        "<result/>",
        "<result></result>",
        "<result><foo>1</foo></result>",
        "<result><id/></result>",
    ],
    J: ["{}", '{"foo": 1}', '{"id": null}', '{"id": ""}', "[]", "null", '"OK"'],
}


def _command_id(command: Command[Any]) -> str:
    return command.name


@pytest.mark.parametrize("command", CREATIONS + OKS, ids=_command_id)
@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f"fmt{int(f)}")
def test_an_error_without_a_code_is_never_success(command: Command[Any], fmt: Format) -> None:
    """``{"error": "dup"}``, ``<result><error>dup</error></result>``, ``ERROR dup``: ParseError."""
    for body in ERRORS_WITHOUT_CODE[fmt]:
        _refused(command, body, fmt)


@pytest.mark.parametrize("command", CREATIONS, ids=_command_id)
@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f"fmt{int(f)}")
def test_a_record_reply_without_its_fields_is_never_success(
    command: Command[Any], fmt: Format
) -> None:
    """An empty body, or a record with none of its fields, is ParseError, not a default model."""
    for body in NOT_A_SUCCESS[fmt]:
        _refused(command, body, fmt)


def test_subclient_creation_is_never_read_from_an_error() -> None:
    """users.add (``OK`` or an id) reads a codeless error as ParseError, not as SubclientId()."""
    _refused(subclients.CREATE, '{"error": "dup"}', J)
    _refused(subclients.CREATE, "<result><error>dup</error></result>", X)
    _refused(subclients.CREATE, "{}", J)
    _refused(subclients.CREATE, "<result/>", X)


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f"fmt{int(f)}")
@pytest.mark.parametrize(
    "command",
    [subclients.CREATE, SENDERS_ADD, mailings.ADD, ADD_GROUP, messages.SEND, templates.DELETE],
    ids=_command_id,
)
def test_a_cut_error_envelope_is_that_error(command: Command[Any], fmt: Format) -> None:
    """``ERROR = 9 (duplicate r`` (cut mid-body) is error 9 with what is left of its text."""
    assert ErrorReply(9, "duplicate r") == decode_as(command, "ERROR = 9 (duplicate r", fmt)
    assert ErrorReply(9, "") == decode_as(command, "ERROR = 9 (", fmt)


@pytest.mark.parametrize(
    ("fmt", "body"),
    [(L, "OKAY"), (L, "OK\nid = 5"), (X, "<result>OK<error>dup</error></result>"), (L, "")],
)
def test_an_ok_reply_must_be_an_ok(fmt: Format, body: str) -> None:
    """A bare acknowledgement is exactly OK, nothing that only begins so."""
    _refused(templates.DELETE, body, fmt)


def test_sections_read_an_error_without_a_code_as_parse_error() -> None:
    """tariffs.get (sections, all optional) reads a codeless error as ParseError, not no prices."""
    _refused(GET_PRICE, '{"error": "dup"}', J)
    _refused(GET_PRICE, "<result><error>dup</error></result>", X)
    _refused(GET_PRICE, "ERROR dup", L)
