"""The contacts family: bad arguments raise ValidationError before anything is sent."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import respx

from smsc_async import BlockType, Format, SmscClient, ValidationError
from smsc_async.testing import render_contacts, render_created_id, render_ok
from tests._support import make_client, posted_form, reply

BookCall = Callable[[SmscClient], Awaitable[object]]
P, M = "79990000001", "ann@example.com"


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request would reach the (route-less) respx router."""
    async with make_client() as client:
        yield client


def bad(call: Callable[[Any], Awaitable[object]], fields: str, id: str) -> object:  # noqa: A002
    """A call that must fail on ``fields`` (space-separated), named ``id``; its types unchecked."""
    return pytest.param(call, set(fields.split()), id=id)


BAD_CALLS = [
    # phone numbers
    bad(lambda s: s.contacts.add("abc"), "addresses", "add-letters"),
    bad(lambda s: s.contacts.add("12"), "addresses", "add-2-digits"),
    bad(lambda s: s.contacts.add("7" * 16), "addresses", "add-16-digits"),
    bad(lambda s: s.contacts.add([P, "abc"]), "addresses", "add-one-bad-of-two"),
    bad(lambda s: s.contacts.add([]), "addresses", "add-none"),
    bad(lambda s: s.contacts.add(79990000001), "addresses", "add-int"),
    bad(lambda s: s.contacts.add(P, other_addresses=["12"]), "other_addresses", "other-bad"),
    bad(lambda s: s.contacts.change("abc", name="N"), "address", "change-letters"),
    bad(lambda s: s.contacts.change(P, new_addresses=["12"]), "new_addresses", "change-new"),
    bad(lambda s: s.contacts.change_addresses(P, []), "new_addresses", "change-addr-empty"),
    bad(lambda s: s.contacts.change_addresses(P, None), "new_addresses", "change-addr-none"),
    bad(lambda s: s.contacts.delete("12"), "address", "delete-2-digits"),
    bad(lambda s: s.contacts.delete(None), "address", "delete-none"),
    bad(lambda s: s.contacts.list(address="abc"), "address", "list-address"),
    bad(lambda s: s.groups.move_contact("abc", 5), "address", "move-letters"),
    bad(lambda s: s.groups.add_contact(M, 5), "address", "add-to-group-mail-in-phones"),
    bad(lambda s: s.blacklist.add("12"), "address", "black-add-2-digits"),
    bad(lambda s: s.blacklist.delete("abc"), "address", "black-delete-letters"),
    # e-mail addresses
    bad(lambda s: s.mail_contacts.add("ann"), "addresses", "mail-add-no-at"),
    bad(lambda s: s.mail_contacts.add(P), "addresses", "mail-add-phone"),
    bad(lambda s: s.mail_contacts.add([M, "ann@localhost"]), "addresses", "mail-add-no-dot"),
    bad(lambda s: s.mail_contacts.change("a b@c.ru", name="N"), "address", "mail-change-space"),
    bad(lambda s: s.mail_contacts.delete("@example.com"), "address", "mail-delete-no-user"),
    bad(lambda s: s.mail_contacts.list(address="ann@"), "address", "mail-list"),
    bad(lambda s: s.mail_groups.remove_contact(P, 5), "address", "mail-group-phone"),
    bad(lambda s: s.mail_blacklist.add("spam"), "address", "mail-black-add"),
    bad(lambda s: s.mail_blacklist.delete("a@b"), "address", "mail-black-delete"),
    # cnt and cursors
    bad(lambda s: s.contacts.list(cnt=1001), "cnt", "list-cnt-1001"),
    bad(lambda s: s.contacts.list(cnt=0), "cnt", "list-cnt-0"),
    bad(lambda s: s.contacts.list(cnt="10"), "cnt", "list-cnt-str"),
    bad(lambda s: s.mail_contacts.list(cnt=1001), "cnt", "mail-list-cnt-1001"),
    bad(lambda s: s.blacklist.list(cnt=1001), "cnt", "black-cnt-1001"),
    bad(lambda s: s.blacklist.list(cnt=0), "cnt", "black-cnt-0"),
    bad(lambda s: s.contacts.list(after_id=0), "after_id", "after-id-0"),
    bad(lambda s: s.blacklist.list(prev_id=-1), "prev_id", "prev-id-negative"),
    # blacklist types
    bad(lambda s: s.blacklist.add(P, type=7), "type", "type-7"),
    bad(lambda s: s.blacklist.add(P, type=-1), "type", "type-negative"),
    bad(lambda s: s.blacklist.add(P, type="1"), "type", "type-str"),
    bad(lambda s: s.blacklist.add(P, type=True), "type", "type-bool"),
    bad(lambda s: s.mail_blacklist.add(M, type=3), "type", "mail-type-3"),
    bad(lambda s: s.blacklist.add(P, comment=5), "comment", "black-comment-int"),
    # birthdays
    bad(lambda s: s.contacts.add(P, birthday="31.02.2024"), "birthday", "birthday-31-02"),
    bad(lambda s: s.contacts.add(P, birthday="1990-05-01"), "birthday", "birthday-iso"),
    bad(lambda s: s.contacts.add(P, birthday=12), "birthday", "birthday-int"),
    bad(lambda s: s.mail_contacts.change(M, birthday="32.01.1990"), "birthday", "birthday-32"),
    # group ids
    bad(lambda s: s.contacts.add(P, groups=0), "groups", "groups-0"),
    bad(lambda s: s.contacts.add(P, groups=-1), "groups", "groups-negative"),
    bad(lambda s: s.contacts.add(P, groups="5"), "groups", "groups-bare-str"),
    bad(lambda s: s.contacts.add(P, groups=True), "groups", "groups-bool"),
    bad(lambda s: s.contacts.add(P, groups=[1, "2"]), "groups", "groups-list-with-str"),
    bad(lambda s: s.contacts.add(P, groups=["1", "2"]), "groups", "groups-list-of-str"),
    bad(lambda s: s.contacts.add(P, groups=[1.0]), "groups", "groups-list-of-float"),
    bad(lambda s: s.contacts.add(P, groups=[]), "groups", "groups-empty-list"),
    bad(lambda s: s.contacts.change(P, groups=[0]), "groups", "change-groups-0"),
    bad(lambda s: s.contacts.list(groups=[True]), "groups", "list-groups-bool"),
    bad(lambda s: s.groups.rename(0, "G"), "group_id", "rename-0"),
    bad(lambda s: s.groups.rename(-1, "G"), "group_id", "rename-negative"),
    bad(lambda s: s.groups.rename("5", "G"), "group_id", "rename-str"),
    bad(lambda s: s.groups.delete(True), "group_id", "delete-bool"),
    bad(lambda s: s.mail_groups.delete(None), "group_id", "mail-delete-none"),
    bad(lambda s: s.groups.move_contact(P, 0), "group_id", "move-0"),
    bad(lambda s: s.groups.move_contact(P, []), "group_id", "move-no-groups"),
    bad(lambda s: s.groups.add_contact(P, [5, 0]), "group_id", "add-contact-list-with-0"),
    bad(lambda s: s.groups.remove_contact(P, None), "group_id", "remove-contact-none"),
    bad(lambda s: s.groups.rename(5, "G", number=-1), "number", "rename-number-negative"),
    bad(lambda s: s.groups.rename(5, "G", number="7"), "number", "rename-number-str"),
    bad(lambda s: s.groups.list(cnt=0), "cnt", "groups-cnt-0"),
    bad(lambda s: s.mail_groups.list(cnt=1001), "cnt", "mail-groups-cnt-1001"),
    bad(lambda s: s.mail_groups.add_contact(M, "5"), "group_id", "mail-add-contact-str"),
    # names and other text
    bad(lambda s: s.groups.add(""), "name", "group-add-empty"),
    bad(lambda s: s.groups.add("   "), "name", "group-add-blank"),
    bad(lambda s: s.mail_groups.add(None), "name", "mail-group-add-none"),
    bad(lambda s: s.groups.rename(5, ""), "name", "rename-empty"),
    bad(lambda s: s.groups.add("G", number=-1), "number", "group-number-negative"),
    bad(lambda s: s.contacts.add(P, name=5), "name", "contact-name-int"),
    bad(lambda s: s.contacts.list(fio=5, search=b"x"), "fio search", "list-text"),
    # nothing to change
    bad(lambda s: s.contacts.change(P), "change", "change-nothing"),
    bad(lambda s: s.mail_contacts.change(M), "change", "mail-change-nothing"),
]


@pytest.mark.parametrize(("call", "fields"), BAD_CALLS)
async def test_bad_argument_raises_before_sending(
    router: respx.MockRouter, smsc: SmscClient, call: BookCall, fields: set[str]
) -> None:
    """A bad argument raises ValidationError naming it, and no request is sent."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert 0 == router.calls.call_count


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        bad(
            lambda s: s.contacts.add(
                "abc", name=5, groups=[0], birthday="1990-05-01", other_addresses=["x"]
            ),
            "addresses name groups birthday other_addresses",
            "add",
        ),
        bad(
            lambda s: s.mail_contacts.change(P, new_addresses=["y"], birthday=12, tags=1),
            "address new_addresses birthday tags",
            "mail-change",
        ),
        bad(
            lambda s: s.contacts.list(groups=0, address="abc", fio=5, after_id=0, cnt=1001),
            "groups address fio after_id cnt",
            "list",
        ),
        bad(lambda s: s.blacklist.add("12", type=7, comment=5), "address type comment", "black"),
        bad(lambda s: s.blacklist.list(prev_id=0, cnt=0), "prev_id cnt", "black-list"),
        bad(lambda s: s.groups.rename(0, ""), "group_id name", "rename"),
        bad(lambda s: s.groups.add(" ", number="1"), "name number", "group-add"),
        bad(lambda s: s.mail_groups.move_contact("x", 0), "address group_id", "move"),
        bad(lambda s: s.contacts.change("abc"), "address change", "change-bad-and-nothing"),
    ],
)
async def test_one_error_lists_every_bad_field(
    router: respx.MockRouter, smsc: SmscClient, call: BookCall, fields: set[str]
) -> None:
    """One ValidationError reports every bad argument of the call, not only the first."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert 0 == router.calls.call_count


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        pytest.param(
            lambda s: s.contacts.add(P, groups=[0], comment=5),
            ("groups", "comment"),
            id="add",
        ),
        pytest.param(
            lambda s: s.contacts.change("abc", birthday=12, tags=5),
            ("address", "birthday", "tags"),
            id="change",
        ),
        pytest.param(
            lambda s: s.contacts.list(groups=0, address="abc", fio=5),
            ("groups", "address", "fio"),
            id="list",
        ),
        pytest.param(
            lambda s: s.blacklist.add("abc", type=9, comment=1),
            ("address", "type", "comment"),
            id="blacklist-add",
        ),
    ],
)
async def test_bad_fields_are_listed_in_argument_order(
    smsc: SmscClient, call: BookCall, fields: tuple[str, ...]
) -> None:
    """ValidationError.fields follows the order of the method's arguments, as documented."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == caught.value.fields


@pytest.mark.parametrize(
    ("call", "fields"),
    [
        pytest.param(lambda s: s.contacts.iterate(page_size=1001), {"page_size"}, id="size-1001"),
        pytest.param(lambda s: s.contacts.iterate(page_size=0), {"page_size"}, id="size-0"),
        pytest.param(lambda s: s.contacts.iterate(page_size=True), {"page_size"}, id="size-bool"),
        pytest.param(lambda s: s.contacts.iterate(groups="5"), {"groups"}, id="groups-str"),
        pytest.param(lambda s: s.contacts.iterate(address="12", fio=5), {"address", "fio"}, id="f"),
        pytest.param(lambda s: s.mail_contacts.iterate(address=P), {"address"}, id="mail-phone"),
        pytest.param(lambda s: s.blacklist.iterate(page_size=1001), {"page_size"}, id="black"),
        pytest.param(lambda s: s.mail_blacklist.iterate(page_size=0), {"page_size"}, id="mail-0"),
    ],
)
async def test_iterate_validates_when_called(
    router: respx.MockRouter,
    smsc: SmscClient,
    call: Callable[[SmscClient], object],
    fields: set[str],
) -> None:
    """iterate() raises ValidationError at call time, before any iteration or request."""
    router.post(url__regex=r"(phones|mails)\.php$").mock(
        return_value=reply(render_contacts(Format.JSON, []))
    )
    with pytest.raises(ValidationError) as caught:
        call(smsc)  # not awaited, not iterated: the call itself raises
    assert fields == set(caught.value.fields)
    assert 0 == router.calls.call_count


@pytest.mark.parametrize(
    ("call", "request_"),
    [
        pytest.param(lambda s: s.contacts.list(cnt=1000), "get cnt=1000", id="cnt-1000"),
        pytest.param(lambda s: s.contacts.list(cnt=1), "get cnt=1", id="cnt-1"),
        pytest.param(lambda s: s.blacklist.list(cnt=1000), "get_black cnt=1000", id="black-1000"),
        pytest.param(
            lambda s: anext(s.contacts.iterate(page_size=1000), None),
            "get cnt=1000",
            id="page-size-1000",
        ),
        pytest.param(lambda s: s.contacts.add("7" * 7), "add phone=7777777", id="7-digits"),
        pytest.param(lambda s: s.contacts.add("7" * 15), f"add phone={'7' * 15}", id="15-digits"),
        pytest.param(lambda s: s.contacts.add(P), f"add phone={P}", id="bare-string-address"),
        pytest.param(lambda s: s.contacts.add(P, groups=5), "add grp=5", id="bare-int-group"),
        pytest.param(
            lambda s: s.contacts.add(P, groups=(g for g in (1, 2))), "add grp=1,2", id="generator"
        ),
        pytest.param(
            lambda s: s.contacts.add(P, groups=2**63 - 1), f"add grp={2**63 - 1}", id="largest-id"
        ),
        pytest.param(
            lambda s: s.contacts.add(P, birthday=dt.datetime(2024, 2, 29, 23, 59)),  # noqa: DTZ001
            "add bd=29.02.2024",
            id="birthday-datetime-leap-day",
        ),
        pytest.param(lambda s: s.contacts.add(P, name=""), "add name=", id="contact-name-empty"),
        pytest.param(lambda s: s.contacts.change(P, name=""), "chg name=", id="clear-name"),
        pytest.param(lambda s: s.groups.add("G", number=0), "add_group num=0", id="number-0"),
        pytest.param(
            lambda s: s.blacklist.add(P, type=BlockType.SINGLE), "add_black type=2", id="type-enum"
        ),
    ],
)
async def test_boundary_values_are_accepted(
    router: respx.MockRouter, call: BookCall, request_: str
) -> None:
    """Values right at the limits pass validation and are sent as given."""
    flag, _, pair = request_.partition(" ")
    replies = {"add": render_created_id(Format.JSON, 5), "get": render_contacts(Format.JSON, [])}
    body = replies.get(flag.split("_")[0], render_ok(Format.JSON))
    route = router.post("phones.php").mock(return_value=reply(body))
    async with make_client() as smsc:
        await call(smsc)
    form = posted_form(route.calls.last.request)
    key, _, value = pair.partition("=")
    assert ("1", value) == (form[flag], form.get(key))


@pytest.mark.parametrize("birthday", [dt.date(999, 1, 1), "01.01.0999"], ids=["date", "string"])
async def test_birthday_is_sent_with_a_four_digit_year(
    router: respx.MockRouter, birthday: dt.date | str
) -> None:
    """A birthday before the year 1000 still goes as dd.mm.yyyy, its year zero-padded."""
    route = router.post("phones.php").mock(return_value=reply(render_ok(Format.JSON)))
    async with make_client() as smsc:
        await smsc.contacts.change(P, birthday=birthday)
    assert "01.01.0999" == posted_form(route.calls.last.request)["bd"]
