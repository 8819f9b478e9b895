"""fmt=1 (comma-separated values, no keys): the decoder in smsc_async.formats._csv."""

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
from smsc_async.formats import (
    Column,
    ErrorReply,
    Kind,
    ListOf,
    Row,
    Section,
    Sections,
    Single,
    decode_reply,
)
from smsc_async.formats import _csv as csv
from smsc_async.models import SenderId
from smsc_async.resources.senders import ADD, DELETE, LIST
from smsc_async.resources.tariffs import GET_PRICE

# Two free-text columns: a line with extra commas could be split two ways.
TWO_FREE = Row((Column("a", free_text=True), Column("b", free_text=True), Column("c")))


def decode(body: str, command: Command[Any], **params: str) -> Any:
    """Decode a fmt=1 body (UTF-8) as ``command``'s reply."""
    return decode_reply(
        body.encode(),
        fmt=Format.CSV,
        shape=command.shape,
        result_type=command.result_type,
        params=params,
    )


def test_zone_name_with_commas() -> None:
    """A zone name containing commas takes the surplus columns; empty prices are None."""
    body = "1,Russia, MTS,1.85,1.90,5,0.2,2.5\n2,Kazakhstan, Kcell, Almaty,4.7,4.8,,,\n"
    expected = (
        TariffZone(
            "1",
            "Russia, MTS",
            Decimal("1.85"),
            Decimal("1.90"),
            Decimal(5),
            Decimal("0.2"),
            Decimal("2.5"),
        ),
        TariffZone("2", "Kazakhstan, Kcell, Almaty", Decimal("4.7"), Decimal("4.8")),
    )
    assert Tariffs(zones=expected) == decode(body, GET_PRICE)


@pytest.mark.parametrize(
    ("line", "params", "expected"),
    [
        ("a, b,5", {}, Sender("a, b", 5)),
        ("a,b,c,6", {}, Sender("a,b,c", 6)),
        ("a, b,1,7", {"all": "1"}, Sender("a, b", 7, SenderStatus.ALLOWED)),
    ],
    ids=["all0", "all0-bare-commas", "all1"],
)
def test_sender_name_with_commas(line: str, params: dict[str, str], expected: Sender) -> None:
    """A sender name containing commas is rebuilt whole from the surplus columns."""
    assert [expected] == decode(line, LIST, **params)


def test_layout_follows_request_flags() -> None:
    """The same line reads as name,status,id with all=1 and fails as name,id without it."""
    assert [Sender("shop", 9, SenderStatus.DISABLED)] == decode("shop,2,9", LIST, all="1")
    # Without all=1 the layout is name,id: "shop,2" is the name, free text absorbing a comma.
    assert [Sender("shop,2", 9)] == decode("shop,2,9", LIST)


def test_operators_layout_follows_fmt0_key_order() -> None:
    """With operators=1 the columns follow fmt=0's key order, status first when all=1."""
    body = "shop,1,0,1,2,3,4,5,8,0,1,2,3,77\n"
    expected = Sender(
        "shop",
        77,
        SenderStatus.ALLOWED,
        OperatorStatuses(
            mega_step=OperatorStatus(0),
            bee_step=OperatorStatus(1),
            motiv_step=OperatorStatus(2),
            mts_step=OperatorStatus(3),
            tele2_step=OperatorStatus(4),
            tele2=OperatorStatus(5),
            ua_reg=OperatorStatus(8),
            ua_int=OperatorStatus(0),
            mega_int=OperatorStatus(1),
            motiv_int=OperatorStatus(2),
            mts_int=OperatorStatus(3),
        ),
    )
    assert [expected] == decode(body, LIST, all="1", operators="1")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x,y,z", {"a": "x", "b": "y", "c": "z"}),
        ("x,,z", {"a": "x", "b": "", "c": "z"}),
    ],
    ids=["plain", "empty-middle"],
)
def test_two_free_text_columns_without_surplus(line: str, expected: dict[str, str]) -> None:
    """Two free-text columns are fine while the line has exactly as many columns."""
    assert [expected] == csv.decode(line, ListOf(TWO_FREE), {})


@pytest.mark.parametrize("line", ["x,y,z,w", "x, y, z, w, v"], ids=["one-extra", "two-extra"])
def test_two_free_text_columns_with_surplus_is_ambiguous(line: str) -> None:
    """Surplus commas with two free-text columns could belong to either: ParseError."""
    with pytest.raises(ParseError, match="no single free-text column") as caught:
        csv.decode(line, ListOf(TWO_FREE), {})
    assert caught.value.fmt == 1


@pytest.mark.parametrize(
    ("command", "body", "params", "match"),
    [
        (LIST, "shop", {}, "expected 2 columns, got 1"),
        (LIST, "shop,5", {"all": "1"}, "expected 3 columns, got 2"),
        (LIST, "shop,1,2,3", {"operators": "1"}, "expected 13 columns, got 4"),
        (LIST, "a,1\nb", {}, "expected 2 columns, got 1"),
        (GET_PRICE, "1,Russia,1.5,1.6", {}, "which section"),
        (GET_PRICE, "1,Russia,1.5,1.6,,", {}, "which section"),
    ],
    ids=["no-id", "no-status", "operators-short", "second-line", "zone-4", "zone-6"],
)
def test_too_few_columns_is_parse_error(
    command: Command[Any], body: str, params: dict[str, str], match: str
) -> None:
    """A line with fewer columns than the layout raises ParseError."""
    with pytest.raises(ParseError, match=match):
        decode(body, command, **params)


def test_surplus_without_free_text_column_is_parse_error() -> None:
    """Surplus commas in a row without free text (operator codes) raise ParseError."""
    assert isinstance(GET_PRICE.shape, Sections)
    shape = ListOf(GET_PRICE.shape.sections[1].row)
    with pytest.raises(ParseError, match="no single free-text column"):
        csv.decode("25001,0.9,extra", shape, {})


def test_line_fitting_two_sections_is_ambiguous() -> None:
    """A line whose column count fits two sections raises ParseError instead of choosing."""
    one = Row((Column("x"), Column("y")))
    other = Row((Column("p"), Column("q")))
    shape = Sections((Section("first", one), Section("second", other)))
    with pytest.raises(ParseError, match="which section"):
        csv.decode("1,2", shape, {})


def test_value_section_holds_the_single_cell() -> None:
    """A one-column value section is returned as its value, not as a record."""
    shape = Sections(
        (
            Section("pair", Row((Column("x"), Column("y")))),
            Section("v", Row((Column("v"),)), Kind.VALUE),
        )
    )
    assert {"pair": [{"x": "1", "y": "2"}], "v": "3"} == csv.decode("1,2\n3\n", shape, {})


@pytest.mark.parametrize(
    "body",
    [
        "1,Russia, MTS,1.5,1.6,,,\r\n\r\n25001,0.9\r\n\r\n0.3\r\n",
        "1,Russia, MTS,1.5,1.6,,,\n25001,0.9\n0.3",
        "\n1,Russia, MTS,1.5,1.6,,,\n\n\n25001,0.9\n\n0.3\n\n",
    ],
    ids=["crlf", "no-trailing-newline", "blank-lines"],
)
def test_line_endings_and_tariff_sections(body: str) -> None:
    """Zones, operator codes and mail are told apart by column count with any line ending."""
    expected = Tariffs(
        zones=(TariffZone("1", "Russia, MTS", Decimal("1.5"), Decimal("1.6")),),
        codes=(OperatorTariff("25001", Decimal("0.9")),),
        mail=Decimal("0.3"),
    )
    assert expected == decode(body, GET_PRICE)


def test_crlf_does_not_leak_into_last_column() -> None:
    """A CRLF line ending is not part of the last column's value."""
    assert [Sender("a", 1), Sender("b", 2, extra={})] == decode("a,1\r\nb,2\r\n", LIST)


@pytest.mark.parametrize("body", ["", "\n", "\r\n", " \r\n\r\n"], ids=repr)
def test_empty_list_body(body: str) -> None:
    """A body with no lines is an empty list of senders and an empty price list."""
    assert [] == decode(body, LIST)
    assert Tariffs() == decode(body, GET_PRICE)


@pytest.mark.parametrize(
    ("body", "expected"),
    [("123", SenderId(123)), ("123\r\n", SenderId(123)), ("\n45\n", SenderId(45))],
    ids=repr,
)
def test_single_id_reply(body: str, expected: SenderId) -> None:
    """The reply to ``add`` is the bare id on one line."""
    assert expected == decode(body, ADD)


def test_single_reply_with_two_lines_is_parse_error() -> None:
    """A second line where one record is due raises ParseError."""
    with pytest.raises(ParseError, match="one line"):
        decode("1\n2", ADD)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,-2", ErrorReply(2, "")),
        ("0,-9\r\n", ErrorReply(9, "")),
        ("541,-7", ErrorReply(7, "", "541")),
        ("113581144,-3\n", ErrorReply(3, "", "113581144")),
    ],
    ids=repr,
)
def test_find_error(text: str, expected: ErrorReply) -> None:
    """``0,-N`` is error N, and ``<id>,-N`` also names the message id."""
    assert expected == csv.find_error(csv.parse(text))


@pytest.mark.parametrize(
    "text",
    ["0,-2\n0,-2", "shop,5", "0,2", "OK", "", "a,0,-2", "0,-x"],
    ids=repr,
)
def test_find_error_only_takes_the_whole_body(text: str) -> None:
    """Only a body that is exactly one ``<n>,-N`` line is an error envelope."""
    assert csv.find_error(text) is None


@pytest.mark.parametrize("body", ["OK", "OK\r\n", " OK \n"], ids=repr)
def test_ok_reply(body: str) -> None:
    """``OK`` acknowledges a deletion."""
    assert decode(body, DELETE) is None


@pytest.mark.parametrize("body", ["", "OK,1", "1"], ids=repr)
def test_not_ok_reply_is_parse_error(body: str) -> None:
    """Anything but ``OK`` where ``OK`` is due raises ParseError."""
    with pytest.raises(ParseError, match="expected OK"):
        decode(body, DELETE)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ("1,R,cheap,1.6,,,", "reply.zones[0].api"),
        ("1,R,1.5,1.6,,,x", "reply.zones[0].call"),
        ("25001,n/a", "reply.codes[0].cost"),
        ("free", "reply.mail"),
    ],
    ids=["api", "call", "cost", "mail"],
)
def test_non_numeric_price_is_parse_error_naming_field(body: str, path: str) -> None:
    """A price that is not a number raises ParseError whose message names the field path."""
    with pytest.raises(ParseError) as caught:
        decode(body, GET_PRICE)
    assert path in caught.value.reason


def test_non_numeric_id_is_parse_error_naming_field() -> None:
    """A sender id that is not a number raises ParseError naming ``reply[1].id``."""
    with pytest.raises(ParseError) as caught:
        decode("a,1\nb,two", LIST)
    assert "reply[1].id" in caught.value.reason


def test_single_shape_uses_request_layout() -> None:
    """A Single record's columns also follow the request's flags."""
    row = Row((Column("id"), Column("cnt", when="cnt")))
    assert {"id": "5", "cnt": "7"} == csv.decode("5,7", Single(row), {"cnt": "1"})
    assert {"id": "5"} == csv.decode("5", Single(row), {"cnt": "0"})
