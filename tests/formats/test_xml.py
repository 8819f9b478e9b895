"""fmt=2 (XML, parsed with defusedxml): the decoder in smsc_async.formats._xml."""

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
from smsc_async.formats import _xml as xml
from smsc_async.models import SenderId
from smsc_async.resources.senders import ADD, CHECK_CODE, LIST
from smsc_async.resources.tariffs import GET_PRICE

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<list><sender id="1">&lol3;</sender></list>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE list [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<list><sender id="1">&xxe;</sender></list>"""


def decode(body: str | bytes, command: Command[Any], **params: str) -> Any:
    """Decode a fmt=2 body (UTF-8 unless bytes are given) as ``command``'s reply."""
    return decode_reply(
        body.encode() if isinstance(body, str) else body,
        fmt=Format.XML,
        shape=command.shape,
        result_type=command.result_type,
        params=params,
    )


def test_sender_list_reads_attributes_and_text() -> None:
    """``<sender id status>name</sender>`` gives the name, id and status; names keep commas."""
    body = (
        "<list>\n"
        '<sender status="1" id="5">my_shop</sender>\n'
        '<sender status="0" id="6">a, b</sender>\n'
        "</list>"
    )
    expected = [
        Sender("my_shop", 5, SenderStatus.ALLOWED),
        Sender("a, b", 6, SenderStatus.MODERATION),
    ]
    assert expected == decode(body, LIST, all="1")


def test_operator_statuses_from_attributes() -> None:
    """Per-operator statuses come from the attributes, whatever their order."""
    body = (
        '<list><sender mts_int="3" mega_step="2" ua_reg="8" tele2="5" id="10">shop</sender></list>'
    )
    expected = Sender(
        "shop",
        10,
        operators=OperatorStatuses(
            mega_step=OperatorStatus.ACCEPTED,
            tele2=OperatorStatus.NO_MONEY,
            ua_reg=OperatorStatus.DOCUMENTS_REQUIRED,
            mts_int=OperatorStatus.REJECTED,
        ),
    )
    assert [expected] == decode(body, LIST, operators="1")


def test_tariffs_zone_names_with_commas_and_empty_prices() -> None:
    """Zone names with commas are attributes, and empty price attributes decode to None."""
    body = (
        "<price>\n<zones>\n"
        '<zone name="Russia, MTS" api="1.85" mass="1.90" mms="5" hlr="0.2" call="">1</zone>\n'
        "</zones>\n<codes>\n"
        '<mccmnc cost="0.9">25001</mccmnc>\n'
        "</codes>\n<mail>0.3</mail>\n</price>"
    )
    expected = Tariffs(
        zones=(
            TariffZone(
                "1", "Russia, MTS", Decimal("1.85"), Decimal("1.9"), Decimal(5), Decimal("0.2")
            ),
        ),
        codes=(OperatorTariff("25001", Decimal("0.9")),),
        mail=Decimal("0.3"),
    )
    assert expected == decode(body, GET_PRICE)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<price><zones/></price>", Tariffs()),
        ("<price/>", Tariffs()),
        ("<price><zones/><codes/><mail></mail></price>", Tariffs()),
        ("<price><mail>0.05</mail></price>", Tariffs(mail=Decimal("0.05"))),
    ],
    ids=["empty-zones", "empty-root", "empty-sections", "mail-only"],
)
def test_missing_or_empty_tariff_sections(body: str, expected: Tariffs) -> None:
    """Sections that are absent or empty decode to the model's empty defaults."""
    assert expected == decode(body, GET_PRICE)


@pytest.mark.parametrize(
    "body",
    ["<list/>", "<list></list>", "<list>\r\n</list>\r\n", '<?xml version="1.0"?>\n<list/>'],
    ids=repr,
)
def test_empty_list(body: str) -> None:
    """A list element without children is an empty list."""
    assert [] == decode(body, LIST)


@pytest.mark.parametrize(
    "declaration",
    [
        '<?xml version="1.0"?>',
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="windows-1251"?>',
        "<?xml version='1.0' encoding='windows-1251' standalone='yes'?>",
        '\ufeff<?xml version="1.0" encoding="UTF-8"?>',
    ],
    ids=["plain", "utf-8", "windows-1251", "single-quotes", "bom"],
)
def test_optional_declaration(declaration: str) -> None:
    """An XML declaration, even one naming another encoding, does not change the decoded text."""
    body = f'{declaration}\r\n<list>\r\n<sender id="1">Магазин</sender>\r\n</list>\r\n'
    assert [Sender("Магазин", 1)] == decode(body, LIST)


def test_windows_1251_declaration_with_windows_1251_body() -> None:
    """A windows-1251 body declaring that encoding decodes by the header charset once."""
    body = (
        '<?xml version="1.0" encoding="windows-1251"?><list><sender id="2">Россия</sender></list>'
    )
    result = decode_reply(
        body.encode("windows-1251"),
        fmt=Format.XML,
        shape=LIST.shape,
        result_type=LIST.result_type,
        params={},
        header_charset="windows-1251",
    )
    assert [Sender("Россия", 2)] == result


def test_predefined_entities_and_character_references_are_decoded() -> None:
    """Escaped characters in names and attributes (``&amp;``, ``&quot;``, ``&#44;``) are decoded."""
    body = (
        '<price><zones><zone name="Russia &amp; CIS&#44; &quot;MTS&quot;" api="1" mass="2">'
        "A&lt;1&gt;</zone></zones></price>"
    )
    expected = TariffZone("A<1>", 'Russia & CIS, "MTS"', Decimal(1), Decimal(2))
    assert (expected,) == decode(body, GET_PRICE).zones


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "external"])
def test_entity_declarations_are_refused(body: str) -> None:
    """Entity declarations (billion laughs, external entities) raise ParseError, unexpanded."""
    with pytest.raises(ParseError, match="not XML") as caught:
        decode(body, LIST)
    assert caught.value.fmt == 2
    assert "lol" * 100 not in str(caught.value)


@pytest.mark.parametrize(
    "body",
    ["<list><sender id='1'>x</list>", "<list>", "not xml at all", "", "<a/><b/>", "<list id=1/>"],
    ids=["mismatched", "unclosed", "text", "empty", "two-roots", "unquoted-attr"],
)
def test_malformed_xml_is_parse_error(body: str) -> None:
    """A body that is not well-formed XML raises ParseError."""
    with pytest.raises(ParseError, match="not XML"):
        decode(body, LIST)


def test_unknown_attribute_goes_to_extra() -> None:
    """An attribute the model does not know lands in ``extra`` as text."""
    body = '<list><sender id="1" foo="bar" since="01.02.2024">X</sender></list>'
    assert [Sender("X", 1, extra={"foo": "bar", "since": "01.02.2024"})] == decode(body, LIST)


def test_unknown_child_element_goes_to_extra() -> None:
    """An unknown leaf child of a record element lands in ``extra`` as its text."""
    body = "<sender><id>5</id><created>today</created></sender>"
    assert {"id": "5", "created": "today"} == xml.decode(xml.parse(body), ADD.shape, {})


@pytest.mark.parametrize(
    "body",
    [
        "<sender>\n<id>5</id>\n</sender>",
        "<sender><id> 5 </id></sender>",
        "<result><id>5</id></result>",
    ],
    ids=["documented", "padded", "other-root"],
)
def test_add_reply(body: str) -> None:
    """The reply to ``add`` carries the new id in an ``<id>`` child."""
    assert SenderId(5) == decode(body, ADD)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<result>\n<error>authorise error</error>\n<error_code>2</error_code>\n</result>",
            ErrorReply(2, "authorise error"),
        ),
        (
            (
                "<result><error>invalid number</error><error_code>7</error_code>"
                "<id>113581144</id></result>"
            ),
            ErrorReply(7, "invalid number", "113581144"),
        ),
        ("<result><error_code>9</error_code></result>", ErrorReply(9, "")),
        ("<result><error/><error_code> 4 </error_code></result>", ErrorReply(4, "")),
    ],
    ids=["documented", "with-id", "no-description", "padded-code"],
)
def test_find_error(text: str, expected: ErrorReply) -> None:
    """The error element gives the code, description and optional message id."""
    assert expected == xml.find_error(xml.parse(text))


@pytest.mark.parametrize(
    "text",
    [
        "<result>OK</result>",
        "<list><sender id='1'>error_code</sender></list>",
    ],
    ids=["ok", "sender-named-error_code"],
)
def test_find_error_ignores_ordinary_replies(text: str) -> None:
    """Only a root carrying an ``<error_code>`` or ``<error>`` child is an error envelope."""
    assert xml.find_error(xml.parse(text)) is None


@pytest.mark.parametrize(
    "text",
    [
        "<result><error_code>none</error_code></result>",
        "<result><error>x</error></result>",
        "<result><error_code>\u00b2</error_code></result>",
        "<error>x</error>",
    ],
    ids=["non-numeric-code", "no-code", "superscript-two", "error-root"],
)
def test_find_error_refuses_an_envelope_without_a_readable_code(text: str) -> None:
    """An error envelope whose code is missing or not a number is a ParseError, not a record."""
    with pytest.raises(ParseError):
        xml.find_error(xml.parse(text))


@pytest.mark.parametrize(
    "body",
    [
        "<result>OK</result>",
        "<result>\nOK\n</result>\n",
        '<?xml version="1.0"?><result>OK</result>',
    ],
    ids=repr,
)
def test_ok_reply(body: str) -> None:
    """``<result>OK</result>`` acknowledges a confirmed code."""
    assert decode(body, CHECK_CODE) is None


@pytest.mark.parametrize("body", ["<result>FAIL</result>", "<result/>"], ids=repr)
def test_not_ok_reply_is_parse_error(body: str) -> None:
    """A result other than OK where OK is due raises ParseError."""
    with pytest.raises(ParseError, match="OK"):
        decode(body, CHECK_CODE)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (
            '<price><zones><zone name="R" api="x" mass="1">1</zone></zones></price>',
            "reply.zones[0].api",
        ),
        ('<price><codes><mccmnc cost="">25001</mccmnc></codes></price>', "reply.codes[0].cost"),
        ("<price><mail>free</mail></price>", "reply.mail"),
    ],
    ids=["api", "empty-cost", "mail"],
)
def test_bad_price_is_parse_error_naming_field(body: str, path: str) -> None:
    """A price that is not a number (or a required one left empty) names its field path."""
    with pytest.raises(ParseError) as caught:
        decode(body, GET_PRICE)
    assert path in caught.value.reason


def test_missing_id_attribute_is_parse_error() -> None:
    """A sender element without its id raises ParseError naming the field."""
    with pytest.raises(ParseError) as caught:
        decode("<list><sender>x</sender></list>", LIST)
    assert "reply[0].id" in caught.value.reason


def test_decode_module_function_returns_neutral_records() -> None:
    """``decode`` turns each child element into a string record keyed by field name."""
    root = xml.parse('<list><sender status="2" id="3">a</sender></list>')
    assert [{"sender": "a", "status": "2", "id": "3"}] == xml.decode(root, LIST.shape, {})
