"""What the four decoders share: body charsets, error detection first, extras, lenient codes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smsc_async import (
    Format,
    OperatorStatus,
    OperatorStatuses,
    ParseError,
    Sender,
    SenderStatus,
    TariffZone,
)
from smsc_async._commands import Command
from smsc_async.formats import ErrorReply, decode_reply
from smsc_async.formats._common import body_text, fail
from smsc_async.resources.senders import CHANGE, LIST
from smsc_async.resources.tariffs import GET_PRICE

# One sender with an unknown key, as each keyed format writes it (fmt=1 has no keys).
SENDER_WITH_EXTRA = {
    Format.LINES: "name = X, id = 1, foo = bar",
    Format.XML: '<list><sender id="1" foo="bar">X</sender></list>',
    Format.JSON: '[{"sender": "X", "id": 1, "foo": "bar"}]',
}
# One sender with moderation status 7 and operator status 6 (neither documented).
UNKNOWN_CODES = {
    Format.LINES: "name = X, status = 7, mega_step = 6, id = 1",
    Format.CSV: "X,7,6,,,,,,,,,,,1",
    Format.XML: '<list><sender status="7" mega_step="6" id="1">X</sender></list>',
    Format.JSON: '[{"sender": "X", "status": 7, "mega_step": "6", "id": 1}]',
}
# A Cyrillic zone name with a comma, and prices, as each format writes it.
ZONE_NAME = "Россия, Мегафон"
RUSSIAN_ZONE = {
    Format.LINES: f"zone = 1, name = {ZONE_NAME}, api = 1.5, mass = 1.6, mms = , hlr = , call = ",
    Format.CSV: f"1,{ZONE_NAME},1.5,1.6,,,",
    Format.XML: f'<price><zones><zone name="{ZONE_NAME}" api="1.5" mass="1.6">1</zone></zones>'
    "</price>",
    Format.JSON: f'{{"zones": [{{"zone": "1", "name": "{ZONE_NAME}", "api": "1.5", '
    '"mass": "1.6"}]}',
}
EXPECTED_ZONE = TariffZone("1", ZONE_NAME, Decimal("1.5"), Decimal("1.6"))
# A body whose bytes are not valid UTF-8, per format.
NOT_UTF8 = {
    Format.LINES: b"name = \xff\xfe, id = 1",
    Format.CSV: b"\xff\xfe,1",
    Format.XML: b'<list><sender id="1">\xff\xfe</sender></list>',
    Format.JSON: b'[{"sender": "\xff\xfe", "id": 1}]',
}


def decode(content: bytes, fmt: Format, command: Command[Any], **options: Any) -> Any:
    """Decode ``content`` as ``command``'s reply in ``fmt`` (params from ``options``)."""
    params = options.pop("params", {})
    return decode_reply(
        content,
        fmt=fmt,
        shape=command.shape,
        result_type=command.result_type,
        params=params,
        **options,
    )


@pytest.mark.parametrize("keyed", list(SENDER_WITH_EXTRA), ids=lambda f: f"fmt{int(f)}")
def test_unknown_fields_land_in_extra(keyed: Format) -> None:
    """An unknown key lands in the model's ``extra`` mapping as text."""
    [sender] = decode(SENDER_WITH_EXTRA[keyed].encode(), keyed, LIST)
    assert Sender("X", 1, extra={"foo": "bar"}) == sender
    assert {"foo": "bar"} == dict(sender.extra)


def test_models_with_extra_compare_equal_across_formats() -> None:
    """Models decoded from every keyed format, unknown keys included, are equal."""
    decoded = [decode(body.encode(), fmt, LIST) for fmt, body in SENDER_WITH_EXTRA.items()]
    assert [decoded[0]] * len(decoded) == decoded
    assert decoded[0][0].extra


def test_extra_takes_part_in_equality() -> None:
    """Two senders differing only in ``extra`` are not equal."""
    assert Sender("X", 1, extra={"foo": "bar"}) != Sender("X", 1)


def test_unknown_status_codes_become_unknown_members(fmt: Format) -> None:
    """Undocumented status codes decode to ``UNKNOWN_<n>`` members equal to their int."""
    params = {"all": "1", "operators": "1"}
    [sender] = decode(UNKNOWN_CODES[fmt].encode(), fmt, LIST, params=params)
    assert isinstance(sender.status, SenderStatus)
    assert ("UNKNOWN_7", 7) == (sender.status.name, sender.status)
    assert sender.operators is not None
    assert isinstance(sender.operators.mega_step, OperatorStatus)
    assert ("UNKNOWN_6", 6) == (sender.operators.mega_step.name, sender.operators.mega_step)
    expected = Sender("X", 1, SenderStatus(7), OperatorStatuses(mega_step=OperatorStatus(6)))
    assert expected == sender


@pytest.mark.parametrize("enum", [SenderStatus, OperatorStatus], ids=lambda e: e.__name__)
def test_lenient_enum_keeps_unknown_codes(enum: Any) -> None:
    """A lenient enum accepts an unknown int, still refuses non-ints, and keeps known names."""
    member = enum(42)
    assert (42, "UNKNOWN_42", 42) == (member, member.name, int(member))
    assert member == enum(42)
    assert enum(0).name != "UNKNOWN_0"
    with pytest.raises(ValueError, match="is not a valid"):
        enum("1")


@pytest.mark.parametrize("charset", ["windows-1251", "cp1251", "WINDOWS-1251", "koi8-r", "utf-8"])
def test_body_decoded_by_header_charset(fmt: Format, charset: str) -> None:
    """The charset the response header names decodes the body, whatever the request asked."""
    content = RUSSIAN_ZONE[fmt].encode(charset)
    result = decode(content, fmt, GET_PRICE, header_charset=charset, requested_charset="utf-8")
    assert (EXPECTED_ZONE,) == result.zones


def test_body_decoded_by_requested_charset_without_header(fmt: Format) -> None:
    """Without a header charset, the charset the request asked for decodes the body."""
    content = RUSSIAN_ZONE[fmt].encode("koi8-r")
    result = decode(content, fmt, GET_PRICE, header_charset=None, requested_charset="koi8-r")
    assert (EXPECTED_ZONE,) == result.zones


def test_windows_1251_is_the_default(fmt: Format) -> None:
    """With no charset from header or request, the body is read as windows-1251."""
    content = RUSSIAN_ZONE[fmt].encode("windows-1251")
    result = decode(content, fmt, GET_PRICE, header_charset=None, requested_charset=None)
    assert (EXPECTED_ZONE,) == result.zones


@pytest.mark.parametrize(
    ("header", "requested"), [("x-no-such-charset", "utf-8"), (None, "utf-9")], ids=repr
)
def test_unknown_charset_is_parse_error(fmt: Format, header: str | None, requested: str) -> None:
    """A charset Python does not know raises ParseError naming it."""
    with pytest.raises(ParseError, match="unknown charset") as caught:
        decode(b"OK", fmt, CHANGE, header_charset=header, requested_charset=requested)
    assert (header or requested) in str(caught.value)


def test_invalid_bytes_are_parse_error(fmt: Format) -> None:
    """Bytes that are not valid in the body's charset raise ParseError."""
    with pytest.raises(ParseError, match="not valid utf-8"):
        decode(NOT_UTF8[fmt], fmt, LIST, header_charset="utf-8")


def test_byte_undefined_in_windows_1251_is_parse_error() -> None:
    """Byte 0x98, undefined in windows-1251, raises ParseError rather than a stray char."""
    with pytest.raises(ParseError, match="cp1251"):
        decode(b"name = \x98, id = 1", Format.LINES, LIST, requested_charset=None)


@pytest.mark.parametrize(
    ("header", "requested", "expected"),
    [
        ("utf-8", "windows-1251", "Россия"),
        (None, "utf-8", "Россия"),
        ("utf-8", None, "Россия"),
    ],
    ids=["header-wins", "requested", "header-only"],
)
def test_body_text_precedence(header: str | None, requested: str | None, expected: str) -> None:
    """The header charset wins over the requested one, which wins over the default."""
    assert expected == body_text("Россия".encode(), header, requested)


def test_body_text_strips_bom() -> None:
    """A UTF-8 byte-order mark is not part of the body's text."""
    assert "OK" == body_text(b"\xef\xbb\xbfOK", "utf-8", None)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ERROR = 2 (authorise error)", ErrorReply(2, "authorise error")),
        (
            "ERROR = 9 (duplicate request, wait a minute)\r\n",
            ErrorReply(9, "duplicate request, wait a minute"),
        ),
        ("ERROR = 7 (invalid number), ID - 541", ErrorReply(7, "invalid number", "541")),
    ],
    ids=["auth", "flood", "with-id"],
)
def test_lines_error_recognised_whatever_fmt(fmt: Format, body: str, expected: ErrorReply) -> None:
    """An ``ERROR = N (...)`` body is an error reply even when another format was asked for."""
    assert expected == decode(body.encode(), fmt, LIST)


def test_error_envelope_wins_over_shape(fmt: Format) -> None:
    """Each format's own error envelope is returned for any shape, before decoding."""
    bodies = {
        Format.LINES: "ERROR = 3 (not found)",
        Format.CSV: "0,-3",
        Format.XML: "<result><error>not found</error><error_code>3</error_code></result>",
        Format.JSON: '{"error": "not found", "error_code": 3}',
    }
    message = "" if fmt is Format.CSV else "not found"
    for command in (LIST, CHANGE, GET_PRICE):
        assert ErrorReply(3, message) == decode(bodies[fmt].encode(), fmt, command)


def test_parse_error_names_format_and_excerpt(fmt: Format) -> None:
    """A ParseError from decoding carries the format and at most 120 characters of the body."""
    body = "!" * 200
    with pytest.raises(ParseError) as caught:
        decode(body.encode(), fmt, GET_PRICE)
    assert (int(fmt), "!" * 120) == (caught.value.fmt, caught.value.excerpt)
    assert f"fmt={int(fmt)}" in str(caught.value)


def test_fail_builds_parse_error() -> None:
    """``fail`` builds a ParseError with the reason, format and body start, and no command."""
    error = fail("bad", Format.XML, "x" * 130)
    assert ("bad", 2, "x" * 120, "") == (error.reason, error.fmt, error.excerpt, error.command)


def test_result_type_none_returns_none_after_checking_ok(fmt: Format) -> None:
    """A bare-OK command returns None once the body proved to be an acknowledgement."""
    bodies = {
        Format.LINES: "OK",
        Format.CSV: "OK",
        Format.XML: "<result>OK</result>",
        Format.JSON: '{"result": "OK"}',
    }
    assert decode(bodies[fmt].encode(), fmt, CHANGE) is None
    with pytest.raises(ParseError):
        decode(b"NOT OK", fmt, CHANGE)
