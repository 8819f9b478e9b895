"""fmt=3 (JSON, floats as Decimal): the decoder in smsc_async.formats._json."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smsc_async import (
    Format,
    OperatorStatus,
    OperatorStatuses,
    OperatorTariff,
    ParseError,
    Sender,
    SenderStatus,
    Tariffs,
    TariffZone,
)
from smsc_async._commands import Command
from smsc_async.formats import ErrorReply, decode_reply
from smsc_async.formats import _json as json_format
from smsc_async.models import SenderId
from smsc_async.resources.senders import ADD, LIST, SEND_CODE
from smsc_async.resources.tariffs import GET_PRICE


def decode(body: str, command: Command[Any], **params: str) -> Any:
    """Decode a fmt=3 body (UTF-8) as ``command``'s reply."""
    return decode_reply(
        body.encode(),
        fmt=Format.JSON,
        shape=command.shape,
        result_type=command.result_type,
        params=params,
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{\n"sender": 5\n}', SenderId(5)),
        ('{\n"sender": "5"\n}', SenderId(5)),
        ('{"sender":5}', SenderId(5)),
        ('  {\r\n"sender": 5\r\n}\r\n', SenderId(5)),
    ],
    ids=["pretty", "pretty-string", "compact", "crlf"],
)
def test_pretty_and_compact_add_reply(body: str, expected: SenderId) -> None:
    """SMSC's pretty JSON (one key per line, no indentation) reads like compact JSON."""
    assert expected == decode(body, ADD)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("0.1", Decimal("0.1")),
        ("1.85", Decimal("1.85")),
        ("0.30", Decimal("0.30")),
        ("1e-2", Decimal("0.01")),
        ("2", Decimal(2)),
    ],
    ids=["0.1", "1.85", "trailing-zero", "exponent", "integer"],
)
def test_json_numbers_decode_to_exact_decimal(number: str, expected: Decimal) -> None:
    """A JSON number price is the exact Decimal written, never a binary float's expansion."""
    body = (
        f'{{"zones": [{{"zone": "1", "name": "R", "api": {number}, "mass": {number}}}], '
        f'"codes": [{{"mccmnc": "25001", "cost": {number}}}], "mail": {number}}}'
    )
    result = decode(body, GET_PRICE)
    assert (expected, expected, expected, expected) == (
        result.zones[0].api,
        result.zones[0].mass,
        result.codes[0].cost,
        result.mail,
    )
    assert str(expected) == str(result.mail)


def test_parse_reads_floats_as_decimal() -> None:
    """``parse`` itself turns every float into a Decimal."""
    assert {"a": Decimal("0.1"), "b": [Decimal("1.10")], "c": 3} == json_format.parse(
        '{"a": 0.1, "b": [1.10], "c": 3}'
    )


@pytest.mark.parametrize(
    "body",
    [
        '[{"sender": "shop", "id": 7}]',
        '[{"sender": "shop", "id": "7"}]',
        '[{"sender": "shop", "id": 7.0}]',
        '[{"sender": "shop", "id": " 7 "}]',
    ],
    ids=["number", "string", "integral-float", "padded-string"],
)
def test_ids_as_strings_or_numbers(body: str) -> None:
    """A sender id decodes the same sent as a JSON number or as a string."""
    assert [Sender("shop", 7)] == decode(body, LIST)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ('[{"sender": "a", "id": 7.5}]', "reply[0].id"),
        ('[{"sender": "a", "id": true}]', "reply[0].id"),
        ('[{"sender": "a", "id": [7]}]', "reply[0].id"),
        ('[{"sender": "a", "id": "seven"}]', "reply[0].id"),
        ('[{"sender": "a"}]', "reply[0].id"),
        ('[{"id": 1}]', "reply[0].sender"),
    ],
    ids=["fraction", "boolean", "array", "word", "missing-id", "missing-sender"],
)
def test_bad_or_missing_id_is_parse_error_naming_field(body: str, path: str) -> None:
    """An id that is not an integer, or a missing field, raises ParseError naming its path."""
    with pytest.raises(ParseError) as caught:
        decode(body, LIST)
    assert path in caught.value.reason
    assert caught.value.fmt == 3


def test_operator_statuses_quoted_as_strings() -> None:
    """With operators=1 the statuses and id arrive as strings and decode to enums and an int."""
    body = (
        '[{\n"sender": "shop",\n"mega_step": "2",\n"bee_step": "8",\n"tele2": "",\n"id": "41"\n}]'
    )
    expected = Sender(
        "shop",
        41,
        operators=OperatorStatuses(
            mega_step=OperatorStatus.ACCEPTED, bee_step=OperatorStatus.DOCUMENTS_REQUIRED
        ),
    )
    assert [expected] == decode(body, LIST, operators="1")


@pytest.mark.parametrize("body", ["[]", "[\n]", " [ ] \r\n"], ids=repr)
def test_empty_list(body: str) -> None:
    """An empty array is an empty list of senders."""
    assert [] == decode(body, LIST)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("{}", Tariffs()),
        ('{"zones": [], "codes": []}', Tariffs()),
        ('{"zones": [], "mail": ""}', Tariffs()),
        ('{"zones": [], "mail": null}', Tariffs()),
        ('{"mail": "0.05"}', Tariffs(mail=Decimal("0.05"))),
    ],
    ids=["empty", "empty-arrays", "empty-mail", "null-mail", "mail-only"],
)
def test_missing_or_empty_tariff_sections(body: str, expected: Tariffs) -> None:
    """Absent, empty or null tariff sections decode to the model's empty defaults."""
    assert expected == decode(body, GET_PRICE)


def test_empty_and_null_optional_prices_are_none() -> None:
    """Optional prices given as "" or null are None; required ones are read."""
    body = (
        '{"zones": [{"zone": "1", "name": "Russia, MTS", "api": "1.5", "mass": "1.6", '
        '"mms": "", "hlr": null, "call": "2"}], "codes": [{"mccmnc": 25001, "cost": "0.9"}]}'
    )
    expected = Tariffs(
        zones=(TariffZone("1", "Russia, MTS", Decimal("1.5"), Decimal("1.6"), call=Decimal(2)),),
        codes=(OperatorTariff("25001", Decimal("0.9")),),
    )
    assert expected == decode(body, GET_PRICE)


@pytest.mark.parametrize(
    "body",
    ['[{"sender": "a", "id": 1', "", "OK", '{"sender": 5,}', "[{'sender': 'a'}]", "NaN x"],
    ids=["truncated", "empty", "bare-ok", "trailing-comma", "single-quotes", "garbage"],
)
def test_malformed_json_is_parse_error(body: str) -> None:
    """A body that is not JSON raises ParseError carrying the start of the body."""
    with pytest.raises(ParseError, match="not JSON") as caught:
        decode(body, LIST)
    assert body[:120] == caught.value.excerpt


@pytest.mark.parametrize(
    ("command", "body", "match"),
    [
        (LIST, '{"sender": "a", "id": 1}', "expected an array"),
        (LIST, '["a", "b"]', "expected an object"),
        (LIST, "[[1]]", "expected an object"),
        (ADD, "[5]", "expected an object"),
        (GET_PRICE, "[]", "expected an object of sections"),
        (GET_PRICE, '{"zones": {"zone": "1"}}', "expected an array"),
    ],
    ids=["list-not-array", "strings", "nested-array", "add-array", "tariffs-array", "zones-object"],
)
def test_wrong_json_structure_is_parse_error(command: Command[Any], body: str, match: str) -> None:
    """Valid JSON of the wrong structure raises ParseError instead of a TypeError."""
    with pytest.raises(ParseError, match=match):
        decode(body, command)


@pytest.mark.parametrize(
    ("value", "text"),
    [('"bar"', "bar"), ("12", "12"), ("1.50", "1.50"), ("null", ""), ("true", "true")],
    ids=["string", "int", "decimal", "null", "bool"],
)
def test_unknown_key_goes_to_extra_as_text(value: str, text: str) -> None:
    """A key the model does not know lands in ``extra`` as text, whatever its JSON type."""
    body = f'[{{"sender": "X", "id": 1, "foo": {value}}}]'
    assert [Sender("X", 1, extra={"foo": text})] == decode(body, LIST)


def test_nested_unknown_value_goes_to_extra_as_json_text() -> None:
    """An unknown object or array value is kept in ``extra`` as its JSON text."""
    body = '[{"sender": "X", "id": 1, "alt": {"mts": "Y"}, "tags": [1, "a"]}]'
    expected = Sender("X", 1, extra={"alt": '{"mts": "Y"}', "tags": '[1, "a"]'})
    assert [expected] == decode(body, LIST)


def test_numeric_sender_name_is_text() -> None:
    """A digital sender name sent as a JSON number is still the text of the name."""
    assert [Sender("79991234567", 2, SenderStatus.ALLOWED)] == decode(
        '[{"sender": 79991234567, "status": 1, "id": 2}]', LIST, all="1"
    )


def test_structured_value_for_text_field_is_parse_error() -> None:
    """An object where a text field is due raises ParseError naming the field."""
    with pytest.raises(ParseError) as caught:
        decode('[{"sender": {"a": 1}, "id": 2}]', LIST)
    assert "reply[0].sender" in caught.value.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n"error": "authorise error",\n"error_code": 2\n}', ErrorReply(2, "authorise error")),
        (
            '{"error": "invalid number","error_code": 7,"id": 34}',
            ErrorReply(7, "invalid number", "34"),
        ),
        ('{"error": "no money", "error_code": "3", "id": "77"}', ErrorReply(3, "no money", "77")),
        ('{"error_code": 9}', ErrorReply(9, "")),
    ],
    ids=["documented", "with-id", "strings", "no-description"],
)
def test_find_error(text: str, expected: ErrorReply) -> None:
    """The error object gives the code, description and optional message id."""
    assert expected == json_format.find_error(json_format.parse(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"result": "OK"}',
        '[{"error_code": 2}]',
        '"error_code"',
    ],
    ids=["ok", "inside-array", "string"],
)
def test_find_error_ignores_ordinary_replies(text: str) -> None:
    """Only an object with ``error_code`` or ``error`` at its top is an error envelope."""
    assert json_format.find_error(json_format.parse(text)) is None


@pytest.mark.parametrize(
    "text",
    ['{"error_code": "two"}', '{"error_code": null}', '{"error": "x"}', '{"error_code": true}'],
    ids=["non-numeric", "null", "no-code", "boolean"],
)
def test_find_error_refuses_an_envelope_without_a_readable_code(text: str) -> None:
    """An error envelope whose code is missing or not a number is a ParseError, not a record."""
    with pytest.raises(ParseError):
        json_format.find_error(json_format.parse(text))


@pytest.mark.parametrize(
    "body", ['{\n"result": "OK"\n}', '{"result":"OK"}', '{"result": "OK", "id": 1}'], ids=repr
)
def test_ok_reply(body: str) -> None:
    """``{"result": "OK"}`` acknowledges a sent code."""
    assert decode(body, SEND_CODE) is None


@pytest.mark.parametrize(
    "body", ['{"result": "ok"}', '{"result": "FAIL"}', '["OK"]', '"OK"', "{}"], ids=repr
)
def test_not_ok_reply_is_parse_error(body: str) -> None:
    """Anything but ``{"result": "OK"}`` where it is due raises ParseError."""
    with pytest.raises(ParseError, match="OK"):
        decode(body, SEND_CODE)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (
            '{"zones": [{"zone": "1", "name": "R", "api": "abc", "mass": "1"}]}',
            "reply.zones[0].api",
        ),
        (
            '{"zones": [{"zone": "1", "name": "R", "api": "1", "mass": true}]}',
            "reply.zones[0].mass",
        ),
        ('{"codes": [{"mccmnc": "1", "cost": "NaN"}]}', "reply.codes[0].cost"),
        ('{"mail": "Infinity"}', "reply.mail"),
    ],
    ids=["word", "boolean", "nan", "infinity"],
)
def test_non_numeric_price_is_parse_error_naming_field(body: str, path: str) -> None:
    """A price that is not a finite number raises ParseError whose message names the path."""
    with pytest.raises(ParseError) as caught:
        decode(body, GET_PRICE)
    assert path in caught.value.reason
