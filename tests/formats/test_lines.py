"""fmt=0 (``key = value, key = value`` lines): the decoder in smsc_async.formats._lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smsc_async import (
    Format,
    OperatorTariff,
    ParseError,
    Sender,
    SenderStatus,
    Tariffs,
    TariffZone,
)
from smsc_async._commands import Command
from smsc_async.formats import ErrorReply, decode_reply
from smsc_async.formats import _lines as lines
from smsc_async.models import SenderId
from smsc_async.resources.senders import ADD, CHANGE, LIST
from smsc_async.resources.tariffs import GET_PRICE


def decode(body: str, command: Command[Any], **params: str) -> Any:
    """Decode a fmt=0 body (UTF-8) as ``command``'s reply."""
    return decode_reply(
        body.encode(),
        fmt=Format.LINES,
        shape=command.shape,
        result_type=command.result_type,
        params=params,
    )


def zone(
    zone: str,
    name: str,
    api: str,
    mass: str,
    *,
    mms: str | None = None,
    hlr: str | None = None,
    call: str | None = None,
) -> TariffZone:
    """A tariff zone with prices given as text (absent optional prices are None)."""
    return TariffZone(
        zone=zone,
        name=name,
        api=Decimal(api),
        mass=Decimal(mass),
        mms=None if mms is None else Decimal(mms),
        hlr=None if hlr is None else Decimal(hlr),
        call=None if call is None else Decimal(call),
    )


def test_zone_name_with_commas() -> None:
    """A tariff zone name containing ", " stays whole and the prices after it are read."""
    body = (
        "zone = 1, name = Russia, MTS, api = 1.85, mass = 1.90, mms = 5, hlr = 0.2, call = 2.5\n"
        "zone = 2, name = Kazakhstan, Kcell, Almaty, api = 4.7, mass = 4.8, mms = , hlr = , "
        "call = \n"
    )
    expected = Tariffs(
        zones=(
            zone("1", "Russia, MTS", "1.85", "1.90", mms="5", hlr="0.2", call="2.5"),
            zone("2", "Kazakhstan, Kcell, Almaty", "4.7", "4.8"),
        )
    )
    assert expected == decode(body, GET_PRICE)


@pytest.mark.parametrize(
    ("line", "params", "expected"),
    [
        ("name = a, b, id = 1", {}, Sender(sender="a, b", id=1)),
        (
            "name = a, b, c, status = 1, id = 2",
            {"all": "1"},
            Sender(sender="a, b, c", id=2, status=SenderStatus.ALLOWED),
        ),
    ],
    ids=["all0", "all1"],
)
def test_sender_name_with_commas(line: str, params: dict[str, str], expected: Sender) -> None:
    """A sender name containing ", " is read whole, with the fields after it."""
    assert [expected] == decode(line + "\n", LIST, **params)


@pytest.mark.parametrize(
    "text",
    ["Russia, note = cheap", "Russia, Note = Cheap", "Russia, note =", "Russia, note = a, b"],
    ids=["lower", "capitalised", "empty-value", "comma-after"],
)
def test_unknown_key_after_free_text_is_ambiguous(text: str) -> None:
    """After a free-text value, ", word = " is text or a new field: ParseError, never a guess."""
    body = f"zone = 7, name = {text}, api = 1.5, mass = 1.6, mms = , hlr = , call = "
    with pytest.raises(ParseError, match="'note' after the text of 'name'"):
        decode(body, GET_PRICE)


def test_unknown_key_right_after_a_sender_name_is_ambiguous() -> None:
    """Seed 002's undocumented replacement field right after a name is not glued into it."""
    with pytest.raises(ParseError, match="ambiguous"):
        decode("name = Shop, replace = SHOP2, id = 3", LIST)


def test_unknown_key_after_a_non_text_field_is_kept_in_extra() -> None:
    """After an id or a status (never text), an unknown key is a field: kept in extra."""
    line = "name = Shop, mts_int = 2, replace = SHOP2, id = 3"
    (sender,) = decode(line, LIST, operators="1")
    assert ("Shop", 3, {"replace": "SHOP2"}) == (sender.sender, sender.id, dict(sender.extra))


@pytest.mark.parametrize(
    ("command", "body"),
    [
        (LIST, "name = a, id = 1, id = 2"),
        (LIST, "name = a, name = b, id = 2"),
        (LIST, "name = a, ID = 5, id = 5"),
        (GET_PRICE, "zone = 1, name = Russia, api = 2, api = 1.5, mass = 1.6"),
    ],
    ids=["id-twice", "name-twice", "case-folded-twice", "api-twice"],
)
def test_known_key_twice_is_ambiguous(command: Command[Any], body: str) -> None:
    """A line naming one known key twice cannot be read one way: ParseError, not a guess."""
    with pytest.raises(ParseError, match="twice"):
        decode(body, command)


def test_status_key_after_sender_without_all_flag_fills_status() -> None:
    """fmt=0 lines carry keys, so a status sent without all=1 is still read as the status."""
    assert [Sender(sender="x", id=4, status=SenderStatus.ALLOWED)] == decode(
        "name = x, status = 1, id = 4", LIST
    )


@pytest.mark.parametrize(
    ("command", "body", "path"),
    [
        (LIST, "name = a", "reply[0].id"),
        (LIST, "name = a, id = 1\nid = 2", "reply[1].sender"),
        (GET_PRICE, "zone = 1, api = 1.5, mass = 1.6", "reply.zones[0].name"),
        (GET_PRICE, "mccmnc = 25001", "reply.codes[0].cost"),
    ],
    ids=["sender-no-id", "second-line-no-name", "zone-no-name", "code-no-cost"],
)
def test_missing_field_is_parse_error_naming_it(
    command: Command[Any], body: str, path: str
) -> None:
    """A line with too few fields raises ParseError naming the missing field's path."""
    with pytest.raises(ParseError) as caught:
        decode(body, command)
    assert path in str(caught.value)
    assert caught.value.fmt == 0


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ("zone = 1, name = R, api = cheap, mass = 1.6", "reply.zones[0].api"),
        ("zone = 1, name = R, api = 1, mass = 1, mms = 1,5", "reply.zones[0].mms"),
        ("mccmnc = 25001, cost = n/a", "reply.codes[0].cost"),
        ("mail = free", "reply.mail"),
    ],
    ids=["api", "mms-comma", "cost", "mail"],
)
def test_non_numeric_price_is_parse_error_naming_field(body: str, path: str) -> None:
    """A price that is not a number raises ParseError whose message names the field path."""
    with pytest.raises(ParseError) as caught:
        decode(body, GET_PRICE)
    assert path in caught.value.reason


@pytest.mark.parametrize(
    ("body", "params", "expected"),
    [
        ("ID = 5", {}, SenderId(id=5)),
        ("Id = 6\n", {}, SenderId(id=6)),
        ("NAME = Shop, STATUS = 2, ID = 7", {"all": "1"}, [Sender("Shop", 7, SenderStatus(2))]),
    ],
    ids=["ID", "Id", "upper-row"],
)
def test_keys_are_case_folded(body: str, params: dict[str, str], expected: Any) -> None:
    """Keys match whatever their case: ``ID = 5`` is the id."""
    command = ADD if isinstance(expected, SenderId) else LIST
    assert expected == decode(body, command, **params)


@pytest.mark.parametrize(
    "body",
    [
        "name = a, id = 1\r\nname = b, id = 2\r\n",
        "name = a, id = 1\nname = b, id = 2",
        "name = a, id = 1\n\nname = b, id = 2\n\n\n",
        "\r\nname = a, id = 1\r\n\r\nname = b, id = 2\r\n\r\n",
    ],
    ids=["crlf", "no-trailing-newline", "blank-lines", "crlf-blank-lines"],
)
def test_line_endings_and_blank_lines(body: str) -> None:
    """CRLF endings, blank lines and trailing newlines neither add records nor leak a CR."""
    assert [Sender("a", 1), Sender("b", 2)] == decode(body, LIST)


def test_crlf_in_tariff_sections() -> None:
    """The three tariff sections are told apart with CRLF endings and blank separators."""
    body = (
        "zone = 1, name = Russia, api = 1.5, mass = 1.6, mms = , hlr = , call = \r\n\r\n"
        "mccmnc = 25001, cost = 0.9\r\n\r\nmail = 0.3\r\n"
    )
    expected = Tariffs(
        zones=(zone("1", "Russia", "1.5", "1.6"),),
        codes=(OperatorTariff(mccmnc="25001", cost=Decimal("0.9")),),
        mail=Decimal("0.3"),
    )
    assert expected == decode(body, GET_PRICE)


@pytest.mark.parametrize("body", ["", "\n", "\r\n\r\n", "   \n"], ids=repr)
def test_empty_list_body(body: str) -> None:
    """A body with no lines is an empty list of senders and an empty price list."""
    assert [] == decode(body, LIST)
    assert Tariffs() == decode(body, GET_PRICE)


def test_unknown_key_goes_to_extra() -> None:
    """A key the model does not know, after a fixed field, lands in ``extra`` as text."""
    assert [Sender("X", 1, extra={"foo": "bar", "since": "01.02.2024"})] == decode(
        "name = X, id = 1, foo = bar, since = 01.02.2024", LIST
    )


def test_unknown_key_in_tariff_zone_goes_to_extra() -> None:
    """An unknown key after the zone's prices goes to the zone's ``extra``."""
    body = "zone = 1, name = R, api = 1, mass = 2, mms = , hlr = , call = , sms_only = 1"
    expected = TariffZone("1", "R", Decimal(1), Decimal(2), extra={"sms_only": "1"})
    assert (expected,) == decode(body, GET_PRICE).zones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ERROR = 2 (authorise error)", ErrorReply(2, "authorise error")),
        (
            "ERROR = 9 (duplicate request, wait a minute)\n",
            ErrorReply(9, "duplicate request, wait a minute"),
        ),
        ("ERROR = 8 (can't to deliver)", ErrorReply(8, "can't to deliver")),
        ("ERROR = 7 (invalid number), ID - 541", ErrorReply(7, "invalid number", "541")),
        ("ERROR = 6 (message is denied), ID - 639)", ErrorReply(6, "message is denied", "639")),
        ("ERROR = 1", ErrorReply(1, "")),
        ("\r\nERROR = 4 (ip is blocked)\r\n", ErrorReply(4, "ip is blocked")),
    ],
    ids=["auth", "comma-in-text", "apostrophe", "with-id", "id-typo-paren", "bare", "crlf"],
)
def test_find_error(text: str, expected: ErrorReply) -> None:
    """Every documented ``ERROR = N (...)`` variant yields its code, description and id."""
    assert expected == lines.find_error(lines.parse(text))


@pytest.mark.parametrize(
    "text",
    ["name = ERROR, id = 1", "OK", "ID = 5", "", "zone = ERROR = 2 (x)"],
    ids=["sender-named-error", "ok", "id", "empty", "not-at-start"],
)
def test_find_error_ignores_ordinary_replies(text: str) -> None:
    """A reply that is not an error envelope is not taken for one."""
    assert lines.find_error(text) is None


@pytest.mark.parametrize("body", ["OK", "OK\r\n", "\nOK\n"], ids=repr)
def test_ok_reply(body: str) -> None:
    """``OK`` acknowledges a change, whatever the line ending."""
    assert decode(body, CHANGE) is None


@pytest.mark.parametrize("body", ["", "FAIL", "ID = 5"], ids=repr)
def test_not_ok_reply_is_parse_error(body: str) -> None:
    """Anything but ``OK`` where ``OK`` is due raises ParseError."""
    with pytest.raises(ParseError, match="expected OK"):
        decode(body, CHANGE)


@pytest.mark.parametrize("body", ["ID = 5\nID = 6", ""], ids=["two-lines", "empty"])
def test_single_record_needs_exactly_one_line(body: str) -> None:
    """The reply to ``add`` must be exactly one line."""
    with pytest.raises(ParseError, match="one line"):
        decode(body, ADD)


@pytest.mark.parametrize(
    ("command", "body", "match"),
    [
        (LIST, "just a name", "key = value"),
        (LIST, "name = a, id = 1\nthis is not a pair", "key = value"),
        (GET_PRICE, "price = 1, cost = 2", "no section"),
    ],
    ids=["no-pair", "second-line", "unknown-section"],
)
def test_unreadable_line_is_parse_error(command: Command[Any], body: str, match: str) -> None:
    """A line that is not ``key = value`` pairs, or fits no section, raises ParseError."""
    with pytest.raises(ParseError, match=match):
        decode(body, command)


def test_decode_module_function_returns_neutral_records() -> None:
    """``decode`` hands the converter string records keyed by model field names."""
    records = lines.decode("Name = a, b, Status = 1, ID = 5", LIST.shape, {})
    assert [{"sender": "a, b", "status": "1", "id": "5"}] == records


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ERROR = 1 (bad (x))", ErrorReply(1, "bad (x)")),
        ("ERROR = 7 (invalid number), ID - 639)", ErrorReply(7, "invalid number", "639")),
    ],
    ids=["brackets-inside", "typo-bracket-after-id"],
)
def test_error_description_keeps_its_own_brackets(body: str, expected: object) -> None:
    """A description keeps its closing bracket; only the typo bracket after an id is dropped."""
    assert expected == lines.find_error(body)
