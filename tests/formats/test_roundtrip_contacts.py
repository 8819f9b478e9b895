"""Hypothesis round trips for phones.php and mails.php: render from the docs, decode back.

fmt=0, 2 and 3 must give the contacts back exactly. fmt=1 has no keys and no escaping: there
the decoder must give them back exactly or raise ParseError, never a different contact, when
commas in text are followed by a space (as in prose) and no part of a text looks like a number,
an id or an e-mail address (it could belong to a column beside it); and must give them back,
several numbers and groups included, when no text holds a comma or looks like those, and
there is at most one other number.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smsc_async import BlacklistEntry, BlockType, Contact, ContactGroup, Format, ParseError
from smsc_async.formats import decode_reply
from smsc_async.resources._books import GET_GROUP, MAILS, PHONES, Book
from smsc_async.testing import render_blacklist, render_contacts, render_groups

# A value holding ", <key> =" cannot be read one way in fmt=0 (ParseError, tested elsewhere).
_AMBIGUOUS = re.compile(r", [A-Za-z_][\w\[\]]* =")

_words = st.text(
    st.characters(categories=["L", "N", "P", "Zs"], exclude_characters="\r\n")
    | st.sampled_from(list("=<>&\"'")),
    min_size=1,
    max_size=12,
)
_with_commas = (_words | st.lists(_words, min_size=2, max_size=3).map(", ".join)).filter(
    lambda s: s == s.strip() and not _AMBIGUOUS.search(s)
)
_ITEM_LIKE = re.compile(r"\+?[0-9]+|\S+@\S+")
_prose = _with_commas.filter(
    lambda s: (
        "," not in s.replace(", ", "")
        and not any(_ITEM_LIKE.fullmatch(part.strip()) for part in s.split(","))
    )
)
_no_commas = _words.filter(
    lambda s: s == s.strip() and "," not in s and not _ITEM_LIKE.fullmatch(s)
)
phones = st.from_regex(r"\+?7[0-9]{10}", fullmatch=True)
mails = st.from_regex(r"[a-z][a-z0-9.]{0,8}@[a-z]{1,8}\.(ru|com)", fullmatch=True)
ids = st.integers(1, 2**31 - 1)
# The listed id is the client's own (myid, seed 004): any text, "c-17" among them.
client_ids = st.sampled_from(["c-17", "17", "A.b_9"]) | st.from_regex(
    r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,10}", fullmatch=True
).filter(lambda s: s == s.strip())


def contacts(
    address: st.SearchStrategy[str],
    text: st.SearchStrategy[str],
    *,
    others: int = 2,
    int_ids: bool = False,
    anchored: bool = False,
) -> st.SearchStrategy[Contact]:
    """Contacts with text client ids.

    ``int_ids``: with the server's int_id (fmt=3 alone renders it); ``anchored``: with
    every name, the cells fmt=1 tells lists apart by.
    """
    optional = st.none() | text
    return st.builds(
        Contact,
        addresses=st.lists(address, min_size=1, max_size=3).map(tuple),
        id=st.none() | client_ids,
        name=text if anchored else optional,
        groups=st.lists(ids, max_size=3).map(tuple),
        first_name=text if anchored else optional,
        last_name=text if anchored else optional,
        middle_name=text if anchored else optional,
        birthday=st.none() | st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
        comment=optional,
        tags=optional,
        other_addresses=st.lists(address, max_size=others).map(tuple),
        int_id=(st.none() | ids) if int_ids else st.none(),
    )


BOOKS = {"phones": (PHONES, "phone", phones), "mails": (MAILS, "mail", mails)}


def _decode(book: Book, fmt: Format, body: str) -> object:
    return decode_reply(
        body.encode(), fmt=fmt, shape=book.get.shape, result_type=book.get.result_type, params={}
    )


@pytest.mark.parametrize(
    "fmt", [Format.LINES, Format.XML, Format.JSON], ids=lambda f: f"fmt{int(f)}"
)
@pytest.mark.parametrize("which", list(BOOKS))
@settings(deadline=None, max_examples=60)
@given(data=st.data())
def test_contacts_round_trip_exactly_in_keyed_formats(
    fmt: Format, which: str, data: st.DataObject
) -> None:
    """Any contacts, commas and all, text client ids and fmt=3's int_id, come back equal."""
    book, key, address = BOOKS[which]
    strategy = contacts(address, _with_commas, int_ids=fmt is Format.JSON)
    expected = data.draw(st.lists(strategy, max_size=4))
    assert expected == _decode(book, fmt, render_contacts(fmt, expected, key=key))


@pytest.mark.parametrize("which", list(BOOKS))
@settings(deadline=None, max_examples=150)
@given(data=st.data())
def test_fmt1_contacts_come_back_equal_or_not_at_all(which: str, data: st.DataObject) -> None:
    """In fmt=1 a contact list decodes to itself or raises ParseError; it is never misread."""
    book, key, address = BOOKS[which]
    expected = data.draw(st.lists(contacts(address, _prose), min_size=1, max_size=3))
    try:
        actual = _decode(book, Format.CSV, render_contacts(Format.CSV, expected, key=key))
    except ParseError:
        return
    assert expected == actual


@pytest.mark.parametrize("which", list(BOOKS))
@settings(deadline=None, max_examples=100)
@given(data=st.data())
def test_fmt1_reads_several_numbers_and_groups_when_no_text_holds_a_comma(
    which: str, data: st.DataObject
) -> None:
    """Several numbers and groups, text without commas: fmt=1 reads it one way.

    The client id may be empty, so it no longer marks where the lists end: the name and
    middle name do, with the first and last names (without them such a line may have
    several readings: ParseError).
    """
    book, key, address = BOOKS[which]
    strategy = contacts(address, _no_commas, others=1, anchored=True)
    expected = data.draw(st.lists(strategy, min_size=1, max_size=3))
    assert expected == _decode(book, Format.CSV, render_contacts(Format.CSV, expected, key=key))


groups = st.builds(
    ContactGroup,
    id=ids,
    name=_with_commas,
    number=st.integers(0, 1000),
    count=st.integers(0, 10**6),
)


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f"fmt{int(f)}")
@settings(deadline=None, max_examples=50)
@given(expected=st.lists(groups, max_size=4))
def test_groups_round_trip(fmt: Format, expected: list[ContactGroup]) -> None:
    """Any group list (names with commas included) decodes back equal in every format."""
    body = render_groups(fmt, expected).encode()
    actual = decode_reply(
        body, fmt=fmt, shape=GET_GROUP.shape, result_type=GET_GROUP.result_type, params={}
    )
    assert expected == actual


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f"fmt{int(f)}")
@pytest.mark.parametrize(("which", "key"), [("phones", "phone"), ("mails", "email")])
@settings(deadline=None, max_examples=50)
@given(data=st.data())
def test_blacklist_round_trip(fmt: Format, which: str, key: str, data: st.DataObject) -> None:
    """Any blacklist (comments with commas included) decodes back equal in every format."""
    book, _, address = BOOKS[which]
    entries = st.builds(
        BlacklistEntry,
        id=ids,
        address=address,
        type=st.sampled_from(list(BlockType)),
        comment=st.none() | _with_commas,
    )
    expected = data.draw(st.lists(entries, max_size=4))
    body = render_blacklist(fmt, expected, key=key).encode()
    shape, result_type = book.get_black.shape, book.get_black.result_type
    assert expected == decode_reply(body, fmt=fmt, shape=shape, result_type=result_type, params={})
