"""Every reply shape of phones.php and mails.php, typed by hand in all four formats, is one model.

The bodies follow seed 004 line by line: fmt=0 keys and fmt=1 columns in the seed's order,
``<list><contact>``, ``<list><group>`` and ``<list><record>`` for fmt=2, and fmt=3 quoting a
contact's id and a group's ``cnt`` while giving one group id, a group's id and number, and a
blacklist entry's id and type as numbers. Several numbers or groups are written comma-separated
(the SDK's assumption). They are typed here, not produced by smsc_async.testing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smsc_async import (
    BlacklistEntry,
    BlockType,
    Contact,
    ContactGroup,
    Format,
    ParseError,
)
from smsc_async._commands import Command
from smsc_async.models import CreatedId
from smsc_async.resources._books import ADD_GROUP, GET_GROUP, MAILS, PHONES
from tests._support import decode_as

Bodies = dict[Format, str]
L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON

CONTACTS: Bodies = {
    L: "phone = 79990001122,79990003344, name = Ivan, group = 301,302, first_name = Ivan, "
    "last_name = Ivanov, middle_name = Ivanovich, birthday = 01.05.1990, id = c-17, "
    "comments = call after 6 pm, tags = vip, phone_other = 79995556677\n"
    "phone = 79991112233, name = Petr, group = , first_name = , last_name = , "
    "middle_name = , birthday = , id = 18, comments = , tags = , phone_other = \n",
    C: "79990001122,79990003344,Ivan,301,302,Ivan,Ivanov,Ivanovich,01.05.1990,c-17,"
    "call after 6 pm,vip,79995556677\n"
    "79991112233,Petr,,,,,,18,,,\n",
    X: "<list>\n<contact>\n<phone>79990001122,79990003344</phone>\n<name>Ivan</name>\n"
    "<group>301,302</group>\n<first_name>Ivan</first_name>\n<last_name>Ivanov</last_name>\n"
    "<middle_name>Ivanovich</middle_name>\n<birthday>01.05.1990</birthday>\n<id>c-17</id>\n"
    "<comments>call after 6 pm</comments>\n<tags>vip</tags>\n"
    "<phone_other>79995556677</phone_other>\n</contact>\n"
    "<contact>\n<phone>79991112233</phone>\n<name>Petr</name>\n<group></group>\n"
    "<first_name></first_name>\n<last_name></last_name>\n<middle_name></middle_name>\n"
    "<birthday></birthday>\n<id>18</id>\n<comments></comments>\n<tags></tags>\n"
    "<phone_other></phone_other>\n</contact>\n</list>",
    J: '[{\n"phone": "79990001122,79990003344",\n"name": "Ivan",\n"group": "301,302",\n'
    '"first_name": "Ivan",\n"last_name": "Ivanov",\n"middle_name": "Ivanovich",\n'
    '"birthday": "01.05.1990",\n"id": "c-17",\n"comments": "call after 6 pm",\n'
    '"tags": "vip",\n"phone_other": "79995556677"\n},\n'
    '{\n"phone": "79991112233",\n"name": "Petr",\n"group": "",\n"first_name": "",\n'
    '"last_name": "",\n"middle_name": "",\n"birthday": "",\n"id": "18",\n"comments": "",\n'
    '"tags": "",\n"phone_other": ""\n}]',
}
IVAN = Contact(
    ("79990001122", "79990003344"),
    "c-17",  # the client's own id (myid, seed 004), as text
    "Ivan",
    (301, 302),
    "Ivan",
    "Ivanov",
    "Ivanovich",
    dt.date(1990, 5, 1),
    "call after 6 pm",
    "vip",
    ("79995556677",),
)
PETR = Contact(("79991112233",), "18", "Petr")

# One group as a JSON number, as the seed writes it.
ONE_GROUP: Bodies = {
    L: "phone = 79990001122, name = Anna, group = 301, first_name = , last_name = , "
    "middle_name = , birthday = , id = 19, comments = , tags = , phone_other = \n",
    C: "79990001122,Anna,301,,,,,19,,,\n",
    X: "<list>\n<contact>\n<phone>79990001122</phone>\n<name>Anna</name>\n<group>301</group>\n"
    "<first_name></first_name>\n<last_name></last_name>\n<middle_name></middle_name>\n"
    "<birthday></birthday>\n<id>19</id>\n<comments></comments>\n<tags></tags>\n"
    "<phone_other></phone_other>\n</contact>\n</list>",
    J: '[{\n"phone": "79990001122",\n"name": "Anna",\n"group": 301,\n"first_name": "",\n'
    '"last_name": "",\n"middle_name": "",\n"birthday": "",\n"id": "19",\n"comments": "",\n'
    '"tags": "",\n"phone_other": ""\n}]',
}

MAIL_CONTACTS: Bodies = {
    L: "mail = a@shop.ru,b@shop.ru, name = Shop, group = 303, first_name = , last_name = , "
    "middle_name = , birthday = , id = 20, comments = , tags = , mail_other = c@shop.ru\n",
    C: "a@shop.ru,b@shop.ru,Shop,303,,,,,20,,,c@shop.ru\n",
    X: "<list>\n<contact>\n<mail>a@shop.ru,b@shop.ru</mail>\n<name>Shop</name>\n"
    "<group>303</group>\n<first_name></first_name>\n<last_name></last_name>\n"
    "<middle_name></middle_name>\n<birthday></birthday>\n<id>20</id>\n<comments></comments>\n"
    "<tags></tags>\n<mail_other>c@shop.ru</mail_other>\n</contact>\n</list>",
    J: '[{\n"mail": "a@shop.ru,b@shop.ru",\n"name": "Shop",\n"group": 303,\n"first_name": "",\n'
    '"last_name": "",\n"middle_name": "",\n"birthday": "",\n"id": "20",\n"comments": "",\n'
    '"tags": "",\n"mail_other": "c@shop.ru"\n}]',
}
SHOP = Contact(("a@shop.ru", "b@shop.ru"), "20", "Shop", (303,), other_addresses=("c@shop.ru",))

GROUPS: Bodies = {
    L: "id = 301, name = VIP, number = 5, cnt = 120\nid = 302, name = Shop, Ltd, number = 0, "
    "cnt = 0\n",
    C: "301,VIP,5,120\n302,Shop, Ltd,0,0\n",
    X: "<list>\n<group>\n<id>301</id>\n<name>VIP</name>\n<number>5</number>\n<cnt>120</cnt>\n"
    "</group>\n<group>\n<id>302</id>\n<name>Shop, Ltd</name>\n<number>0</number>\n"
    "<cnt>0</cnt>\n</group>\n</list>",
    J: '[{\n"id": 301,\n"name": "VIP",\n"number": 5,\n"cnt": "120"\n},\n'
    '{\n"id": 302,\n"name": "Shop, Ltd",\n"number": 0,\n"cnt": "0"\n}]',
}

BLACKLIST: Bodies = {
    L: "id = 9, phone = 79998887766, type = 1, comment = spam, twice\n"
    "id = 8, phone = 79990000000, type = 0, comment = \n",
    C: "9,79998887766,1,spam, twice\n8,79990000000,0,\n",
    X: "<list>\n<record>\n<id>9</id>\n<phone>79998887766</phone>\n<type>1</type>\n"
    "<comment>spam, twice</comment>\n</record>\n<record>\n<id>8</id>\n"
    "<phone>79990000000</phone>\n<type>0</type>\n<comment></comment>\n</record>\n</list>",
    J: '[{\n"id": 9,\n"phone": "79998887766",\n"type": 1,\n"comment": "spam, twice"\n},\n'
    '{\n"id": 8,\n"phone": "79990000000",\n"type": 0,\n"comment": ""\n}]',
}
MAIL_BLACKLIST: Bodies = {
    L: "id = 4, email = x@y.ru, type = 2, comment = \n",
    C: "4,x@y.ru,2,\n",
    X: "<list>\n<record>\n<id>4</id>\n<email>x@y.ru</email>\n<type>2</type>\n"
    "<comment></comment>\n</record>\n</list>",
    J: '[{\n"id": 4,\n"email": "x@y.ru",\n"type": 2,\n"comment": ""\n}]',
}

CONTACT_ID: Bodies = {
    L: "ID = 17",
    C: "17",
    X: "<phone>\n<id>17</id>\n</phone>",
    J: '{\n"id": 17\n}',
}
GROUP_ID: Bodies = {
    L: "ID = 301",
    C: "301",
    X: "<group>\n<id>301</id>\n</group>",
    J: '{\n"id": 301\n}',
}
OK: Bodies = {L: "OK", C: "OK", X: "<result>OK</result>", J: '{\n"result": "OK"\n}'}

CASES: dict[str, tuple[Command[Any], Bodies, Any]] = {
    "contacts": (PHONES.get, CONTACTS, [IVAN, PETR]),
    "contacts-one-group": (
        PHONES.get,
        ONE_GROUP,
        [Contact(("79990001122",), "19", "Anna", (301,))],
    ),
    "mail-contacts": (MAILS.get, MAIL_CONTACTS, [SHOP]),
    "groups": (
        GET_GROUP,
        GROUPS,
        [ContactGroup(301, "VIP", 5, 120), ContactGroup(302, "Shop, Ltd", 0, 0)],
    ),
    "blacklist": (
        PHONES.get_black,
        BLACKLIST,
        [
            BlacklistEntry(9, "79998887766", BlockType.MASS, "spam, twice"),
            BlacklistEntry(8, "79990000000", BlockType.ALL),
        ],
    ),
    "mail-blacklist": (
        MAILS.get_black,
        MAIL_BLACKLIST,
        [BlacklistEntry(4, "x@y.ru", BlockType.SINGLE)],
    ),
    "contact-add": (PHONES.add, CONTACT_ID, CreatedId(17)),
    "mail-contact-add": (MAILS.add, CONTACT_ID, CreatedId(17)),
    "black-add": (PHONES.add_black, CONTACT_ID, CreatedId(17)),
    "group-add": (ADD_GROUP, GROUP_ID, CreatedId(301)),
    **{
        f"ok-{command.name}": (command, OK, None)
        for command in (
            PHONES.change,
            PHONES.delete,
            PHONES.del_black,
            MAILS.change,
            *PHONES.move_group.values(),
            *MAILS.move_group.values(),
        )
    },
}


decode = decode_as


@pytest.mark.parametrize("case", list(CASES))
def test_each_format_decodes_to_the_expected_model(case: str, fmt: Format) -> None:
    """Each documented reply decodes to the model written out by hand."""
    command, bodies, expected = CASES[case]
    assert expected == decode(command, bodies[fmt], fmt)


@pytest.mark.parametrize("case", list(CASES))
def test_all_formats_decode_equal(case: str) -> None:
    """The four formats of one reply decode to equal models."""
    command, bodies, _ = CASES[case]
    decoded = [decode(command, bodies[fmt], fmt) for fmt in Format]
    assert [decoded[0]] * 4 == decoded


@pytest.mark.parametrize(
    ("comments", "tags"), [("a, b", "x"), ("a", "x, y"), ("", "x,y"), ("a,", "")]
)
def test_fmt1_refuses_commas_in_comments_or_tags_that_keyed_formats_read(
    comments: str, tags: str
) -> None:
    """A comma in comments or tags lets the cell go to either: fmt=1 says so, fmt=0 reads it."""
    body = f"79990001122,Ivan,301,,,,,17,{comments},{tags},\n"
    with pytest.raises(ParseError, match="more than one way") as caught:
        decode(PHONES.get, body, C)
    assert 1 == caught.value.fmt
    lines = (
        "phone = 79990001122, name = Ivan, group = 301, first_name = , last_name = , "
        f"middle_name = , birthday = , id = 17, comments = {comments}, tags = {tags}, "
        "phone_other = "
    )
    (contact,) = decode(PHONES.get, lines, L)
    assert (comments or None, tags or None) == (contact.comment, contact.tags)


def test_fmt1_refuses_several_other_numbers() -> None:
    """Several other numbers after the comments and tags can be split two ways: ParseError."""
    body = "79990001122,Ivan,301,,,,,17,,,79990003344,79990005566\n"
    with pytest.raises(ParseError, match="more than one way"):
        decode(PHONES.get, body, C)


def test_fmt1_refuses_a_name_with_a_comma() -> None:
    """Names are taken to hold no comma in fmt=1: a name with one fits no reading, no guess."""
    body = "79990001122,79990003344,Ivanov, Ivan,301,,,,,17,,,\n"
    with pytest.raises(ParseError, match="fits none"):
        decode(PHONES.get, body, C)


def test_fmt1_never_takes_prose_after_a_comma_for_a_group_id() -> None:
    """A name "Shop, 24": " 24" (with its space) is no group id, so nothing is misread."""
    body = "79990001122,Shop, 24,301,,,,,17,,,\n"
    with pytest.raises(ParseError, match="fits none"):
        decode(PHONES.get, body, C)


def test_fmt1_refuses_a_line_no_split_fits() -> None:
    """A line whose cells fit no reading of the columns (a group id of letters) is a ParseError."""
    body = "79990001122,Ivan,three,,,,,c-17,,,\n"
    with pytest.raises(ParseError, match="fits none"):
        decode(PHONES.get, body, C)


def test_fmt1_reads_a_numeric_name_only_where_one_split_fits() -> None:
    """A name of digits after one number is still read: one split fits."""
    body = "79990001122,12345,301,,,,,17,,,\n"
    assert [Contact(("79990001122",), "17", "12345", (301,))] == decode(PHONES.get, body, C)


@pytest.mark.parametrize("fmt", [L, C, X, J], ids=lambda f: f"fmt{int(f)}")
def test_a_text_client_id_reads_as_text(fmt: Format) -> None:
    """Seed 004's listed id is the client's own (myid): "c-17" reads, no ParseError."""
    body = {
        L: "phone = 79990001122, name = , group = , first_name = , last_name = , "
        "middle_name = , birthday = , id = c-17, comments = , tags = , phone_other = \n",
        C: "79990001122,,,,,,,c-17,,,\n",
        X: "<list>\n<contact>\n<phone>79990001122</phone>\n<id>c-17</id>\n</contact>\n</list>",
        J: '[{"phone": "79990001122", "id": "c-17"}]',
    }[fmt]
    assert [Contact(("79990001122",), "c-17")] == decode(PHONES.get, body, fmt)


def test_a_numeric_json_id_reads_as_text_and_int_id_as_the_cursor() -> None:
    """fmt=3: an id written as a number is still the client's text; int_id is kept apart."""
    body = '[{"phone": "79990001122", "id": 5, "int_id": 77}]'
    (contact,) = decode(PHONES.get, body, J)
    assert ("5", 77, {}) == (contact.id, contact.int_id, contact.extra)


def test_an_empty_id_is_none() -> None:
    """A contact the client gave no id lists an empty id: None."""
    body = '[{"phone": "79990001122", "id": ""}]'
    assert [Contact(("79990001122",))] == decode(PHONES.get, body, J)
