"""The contacts family (phones.php, mails.php): what each command posts and returns, paging."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence

import attrs
import httpx
import pytest
import respx

from smsc_async import (
    BlacklistEntry,
    BlockType,
    Contact,
    ContactGroup,
    Format,
    NotFoundError,
    ParseError,
    SmscClient,
)
from smsc_async.testing import (
    render_blacklist,
    render_contacts,
    render_created_id,
    render_error,
    render_groups,
    render_ok,
)
from tests._support import LOGIN, PASSWORD, make_client, posted_form, reply

BookCall = Callable[[SmscClient], Awaitable[object]]
P, P2, P3 = "79990000001", "79990000002", "79990000003"
M, M2 = "a@b.ru", "x@y.ru"
BOOKS = r"(phones|mails)\.php$"


def expected_form(request: str, fmt: Format = Format.JSON) -> dict[str, str]:
    """The whole form of ``"script?flag=1&name=value"`` (written unescaped), with credentials."""
    query = request.partition("?")[2]
    params = dict(pair.split("=", 1) for pair in query.split("&"))
    return {**params, "fmt": str(int(fmt)), "charset": "utf-8", "login": LOGIN, "psw": PASSWORD}


def reply_for(flag: str) -> httpx.Response:
    """A successful fmt=3 reply to ``flag``: an empty list, a new id, or OK."""
    if flag.startswith("get"):
        return reply(render_contacts(Format.JSON, []))
    return reply(
        render_created_id(Format.JSON, 1) if flag.startswith("add") else render_ok(Format.JSON)
    )


# The request each call posts, written as SMSC's docs write them (values unescaped).
FORM_CASES: list[tuple[BookCall, str]] = [
    # phones.php contacts
    (lambda s: s.contacts.add(P), f"phones.php?add=1&phone={P}"),
    (
        lambda s: s.contacts.add("79999999999", name="Contact", groups=321),
        "phones.php?add=1&phone=79999999999&name=Contact&grp=321",
    ),
    (
        lambda s: s.contacts.add(
            [P, "+7 (999) 000-00-02"],
            name="Ann",
            groups=[1, 2],
            first_name="Anna",
            last_name="Lee",
            middle_name="Maria",
            birthday=dt.date(1990, 5, 1),
            myid="c-17",
            comment="likes tea",
            tags="vip",
            other_addresses=[P3, "79990000004"],
        ),
        (
            f"phones.php?add=1&phone={P},+79990000002&name=Ann&grp=1,2&fnm=Anna&lnm=Lee"
            f"&mnm=Maria&bd=01.05.1990&myid=c-17&cmt=likes tea&tags=vip&pho={P3},79990000004"
        ),
    ),
    (
        lambda s: s.contacts.add(P, birthday="05.02.1990"),
        f"phones.php?add=1&phone={P}&bd=05.02.1990",
    ),
    (lambda s: s.contacts.change(P, name="Contact1"), f"phones.php?chg=1&phone={P}&name=Contact1"),
    (
        lambda s: s.contacts.change(P, new_addresses=[P2, P3], groups=7, tags="t"),
        f"phones.php?chg=1&phone={P}&new_phone={P2},{P3}&grp=7&tags=t",
    ),
    (lambda s: s.contacts.change_addresses(P, P2), f"phones.php?chg=1&phone={P}&new_phone={P2}"),
    (lambda s: s.contacts.delete(P), f"phones.php?del=1&phone={P}"),
    (lambda s: s.contacts.list(), "phones.php?get=1"),
    (lambda s: s.contacts.list(groups=321), "phones.php?get=1&grp=321"),
    (lambda s: anext(s.contacts.iterate(), None), "phones.php?get=1&cnt=1000"),
    (
        lambda s: anext(s.contacts.iterate(groups=5, search="Ann", page_size=10), None),
        "phones.php?get=1&grp=5&search=Ann&cnt=10",
    ),
    (
        lambda s: s.contacts.list(
            groups=[321, 322], address=P, fio="Lee", search="Ann", after_id=500, cnt=100
        ),
        f"phones.php?get=1&grp=321,322&phone={P}&fio=Lee&search=Ann&after_id=500&cnt=100",
    ),
    # mails.php contacts: mail / new_mail in place of phone / new_phone
    (
        lambda s: s.mail_contacts.add([M, " bob@example.org "], groups=[4, 5], other_addresses=M2),
        f"mails.php?add=1&mail={M},bob@example.org&grp=4,5&pho={M2}",
    ),
    (
        lambda s: s.mail_contacts.change(M, new_addresses=M2, name="N"),
        f"mails.php?chg=1&mail={M}&new_mail={M2}&name=N",
    ),
    (
        lambda s: s.mail_contacts.change_addresses(M, [M2, "e@f.ru"]),
        f"mails.php?chg=1&mail={M}&new_mail={M2},e@f.ru",
    ),
    (lambda s: s.mail_contacts.delete(M), f"mails.php?del=1&mail={M}"),
    (
        lambda s: s.mail_contacts.list(address=M, groups=4, cnt=5),
        f"mails.php?get=1&mail={M}&grp=4&cnt=5",
    ),
    (
        lambda s: anext(s.mail_contacts.iterate(address=M), None),
        f"mails.php?get=1&mail={M}&cnt=1000",
    ),
    # groups of both books on phones.php, type 0 (phones) or 1 (e-mail); move_group per book
    (lambda s: s.groups.add("G"), "phones.php?add_group=1&name=G&type=0"),
    (lambda s: s.groups.add("G", number=12), "phones.php?add_group=1&name=G&num=12&type=0"),
    (lambda s: s.mail_groups.add("M", number=0), "phones.php?add_group=1&name=M&num=0&type=1"),
    (lambda s: s.groups.rename(321, "G1"), "phones.php?chg_group=1&grp=321&name=G1"),
    (
        lambda s: s.groups.rename(321, "G1", number=7),
        "phones.php?chg_group=1&grp=321&name=G1&num=7",
    ),
    (lambda s: s.mail_groups.rename(9, "M1"), "phones.php?chg_group=1&grp=9&name=M1"),
    (lambda s: s.groups.delete(321), "phones.php?del_group=1&grp=321"),
    (lambda s: s.mail_groups.delete(9), "phones.php?del_group=1&grp=9"),
    (lambda s: s.groups.list(), "phones.php?get_group=1&type=0"),
    (lambda s: s.mail_groups.list(), "phones.php?get_group=1&type=1"),
    (lambda s: s.groups.list(cnt=2), "phones.php?get_group=1&type=0&cnt=2"),
    (
        lambda s: s.groups.move_contact(P, [321, 322]),
        f"phones.php?move_group=1&phone={P}&grp=321,322",
    ),
    (lambda s: s.groups.add_contact(P, (321, 5)), f"phones.php?move_group=2&phone={P}&grp=321,5"),
    (
        lambda s: s.mail_groups.remove_contact(M, [9, 10]),
        f"mails.php?move_group=3&mail={M}&grp=9,10",
    ),
    (lambda s: s.groups.move_contact(P, 321), f"phones.php?move_group=1&phone={P}&grp=321"),
    (lambda s: s.groups.add_contact(P, 321), f"phones.php?move_group=2&phone={P}&grp=321"),
    (lambda s: s.groups.remove_contact(P, 321), f"phones.php?move_group=3&phone={P}&grp=321"),
    (lambda s: s.mail_groups.move_contact(M, 9), f"mails.php?move_group=1&mail={M}&grp=9"),
    (lambda s: s.mail_groups.add_contact(M, 9), f"mails.php?move_group=2&mail={M}&grp=9"),
    (lambda s: s.mail_groups.remove_contact(M, 9), f"mails.php?move_group=3&mail={M}&grp=9"),
    # blacklists
    (lambda s: s.blacklist.add(P), f"phones.php?add_black=1&phone={P}&type=0"),
    (lambda s: s.blacklist.add(P, type=BlockType.MASS), f"phones.php?add_black=1&phone={P}&type=1"),
    (
        lambda s: s.blacklist.add(P, type=BlockType.SINGLE, comment="spam"),
        f"phones.php?add_black=1&phone={P}&type=2&cmt=spam",
    ),
    (lambda s: s.blacklist.delete(P), f"phones.php?del_black=1&phone={P}"),
    (lambda s: s.blacklist.list(), "phones.php?get_black=1"),
    (lambda s: s.blacklist.list(prev_id=500, cnt=10), "phones.php?get_black=1&prev_id=500&cnt=10"),
    (
        lambda s: s.mail_blacklist.add(M, type=BlockType.SINGLE, comment="c"),
        f"mails.php?add_black=1&mail={M}&type=2&cmt=c",
    ),
    (lambda s: s.mail_blacklist.delete(M), f"mails.php?del_black=1&mail={M}"),
    (lambda s: s.mail_blacklist.list(cnt=3), "mails.php?get_black=1&cnt=3"),
    (lambda s: anext(s.blacklist.iterate(), None), "phones.php?get_black=1&cnt=1000"),
    (lambda s: anext(s.mail_blacklist.iterate(page_size=7), None), "mails.php?get_black=1&cnt=7"),
]


@pytest.mark.parametrize(("call", "request_"), FORM_CASES, ids=[r for _, r in FORM_CASES])
async def test_command_posts_exact_form(
    router: respx.MockRouter, call: BookCall, request_: str
) -> None:
    """Each command posts to its script exactly its flag, parameters, fmt, charset, login."""
    script = request_.partition("?")[0]
    flag = next(iter(expected_form(request_)))
    route = router.post(script).mock(return_value=reply_for(flag))
    async with make_client() as smsc:
        await call(smsc)
    assert 1 == router.calls.call_count
    request = route.calls.last.request
    assert expected_form(request_) == posted_form(request)
    assert f"https://smsc.ru/sys/{script}" == str(request.url)


CONTACTS = [
    Contact(
        (P, P2),
        "c-17",  # the client's own id (myid): text
        name="Ann",
        groups=(1, 2),
        first_name="Anna",
        last_name="Lee",
        middle_name="Maria",
        birthday=dt.date(1990, 5, 1),
        comment="likes tea",
        tags="vip",
        other_addresses=(P3,),
    ),
    Contact(("+79990000004",), "9", name="Кирилл", groups=(3,)),
    Contact(("79990000005",)),  # no client id
]
MAILS = [
    # A name and a middle name: without them fmt=1 cannot tell where two addresses or two
    # groups end, now that the id beside them may be any text or none (ParseError).
    Contact(
        ("ann@example.com", M),
        "m-7",
        name="Ann",
        groups=(4, 5),
        middle_name="A",
        other_addresses=(M2,),
    ),
    Contact(("bob@example.org",), "8", name="Bob"),
]
GROUPS = [ContactGroup(321, "Friends, old", number=12, count=3), ContactGroup(322, "W", count=0)]
BLACKLIST = [BlacklistEntry(17, P, BlockType.MASS, "spam, daily"), BlacklistEntry(3, P2)]
MAIL_BLACKLIST = [BlacklistEntry(4, "spam@example.com", BlockType.SINGLE, "c")]


LISTS: dict[str, tuple[str, Callable[[Format], str], list[object]]] = {
    "contacts": ("phones.php", lambda f: render_contacts(f, CONTACTS), [*CONTACTS]),
    "mail_contacts": ("mails.php", lambda f: render_contacts(f, MAILS, key="mail"), [*MAILS]),
    "groups": ("phones.php", lambda f: render_groups(f, GROUPS), [*GROUPS]),
    "mail_groups": ("phones.php", lambda f: render_groups(f, GROUPS), [*GROUPS]),
    "blacklist": ("phones.php", lambda f: render_blacklist(f, BLACKLIST), [*BLACKLIST]),
    "mail_blacklist": (
        "mails.php",
        lambda f: render_blacklist(f, MAIL_BLACKLIST, key="email"),
        [*MAIL_BLACKLIST],
    ),
}


@pytest.mark.parametrize("resource", list(LISTS))
async def test_list_returns_models(router: respx.MockRouter, fmt: Format, resource: str) -> None:
    """Each list() decodes every format into its models, in the server's order."""
    script, render, expected = LISTS[resource]
    router.post(script).mock(return_value=reply(render(fmt)))
    async with make_client(fmt) as smsc:
        assert expected == await getattr(smsc, resource).list()


@pytest.mark.parametrize("resource", list(LISTS))
async def test_no_records_found_is_an_empty_list(
    router: respx.MockRouter, fmt: Format, resource: str
) -> None:
    """A list answered with error 3 ("no records found") returns [] in every format."""
    script = LISTS[resource][0]
    router.post(script).mock(return_value=reply(render_error(fmt, 3, "no records found")))
    async with make_client(fmt) as smsc:
        assert [] == await getattr(smsc, resource).list()


@pytest.mark.parametrize(
    ("call", "root"),
    [
        pytest.param(lambda s: s.contacts.add(P), "phone", id="contact"),
        pytest.param(lambda s: s.mail_contacts.add(M), "phone", id="mail-contact"),
        pytest.param(lambda s: s.groups.add("G"), "group", id="group"),
        pytest.param(lambda s: s.mail_groups.add("G"), "group", id="mail-group"),
        pytest.param(lambda s: s.blacklist.add(P), "phone", id="black"),
        pytest.param(lambda s: s.mail_blacklist.add(M), "phone", id="mail-black"),
    ],
)
async def test_create_returns_new_id(
    router: respx.MockRouter, fmt: Format, call: BookCall, root: str
) -> None:
    """Creating a contact, group or blacklist entry returns its new id as an int."""
    body = render_created_id(fmt, 123456, root=root)
    router.post(url__regex=BOOKS).mock(return_value=reply(body))
    async with make_client(fmt) as smsc:
        new_id = await call(smsc)
    assert 123456 == new_id
    assert type(new_id) is int


OK_CALLS = [
    pytest.param(lambda s: s.contacts.change(P, name="N"), id="change"),
    pytest.param(lambda s: s.contacts.change_addresses(P, P2), id="change-addresses"),
    pytest.param(lambda s: s.contacts.delete(P), id="delete"),
    pytest.param(lambda s: s.mail_contacts.change(M, tags="t"), id="mail-change"),
    pytest.param(lambda s: s.mail_contacts.delete(M), id="mail-delete"),
    pytest.param(lambda s: s.groups.rename(5, "G"), id="group-rename"),
    pytest.param(lambda s: s.groups.delete(5), id="group-delete"),
    pytest.param(lambda s: s.groups.move_contact(P, 5), id="group-move"),
    pytest.param(lambda s: s.mail_groups.remove_contact(M, 5), id="mail-group-remove"),
    pytest.param(lambda s: s.blacklist.delete(P), id="black-delete"),
    pytest.param(lambda s: s.mail_blacklist.delete(M), id="mail-black-delete"),
]


@pytest.mark.parametrize("call", OK_CALLS)
async def test_ok_commands_return_none(
    router: respx.MockRouter, fmt: Format, call: BookCall
) -> None:
    """Changes and deletions acknowledged with OK return None in every format."""
    router.post(url__regex=BOOKS).mock(return_value=reply(render_ok(fmt)))
    async with make_client(fmt) as smsc:
        assert await call(smsc) is None
    assert 1 == router.calls.call_count


@pytest.mark.parametrize("call", OK_CALLS)
async def test_not_found_on_a_change_raises(
    router: respx.MockRouter, fmt: Format, call: BookCall
) -> None:
    """Error 3 on a change or deletion raises NotFoundError: it is not an empty success."""
    router.post(url__regex=BOOKS).mock(return_value=reply(render_error(fmt, 3, "not found")))
    async with make_client(fmt) as smsc:
        with pytest.raises(NotFoundError) as caught:
            await call(smsc)
    assert 3 == caught.value.code


# --- paging ------------------------------------------------------------------------------------


def make_contacts(count: int, first: int = 0) -> list[Contact]:
    """Contacts with the client's text ids (``myid``) and the server's int_ids 100, 103, ..."""
    return [
        Contact((f"7999{i:07d}",), f"c-{i}", name=f"c{i}", int_id=100 + 3 * i)
        for i in range(first, count)
    ]


def contacts_server(
    contacts: Sequence[Contact], *, ignore_cursor: bool = False, reverse: bool = False
) -> Callable[[httpx.Request], httpx.Response]:
    """A fake ``get``: ``cnt`` contacts with int_ids above ``after_id``; none: error 3."""
    ordered = sorted(contacts, key=lambda c: c.int_id or 0)

    def serve(request: httpx.Request) -> httpx.Response:
        form = posted_form(request)
        fmt = Format(int(form["fmt"]))
        after = 0 if ignore_cursor else int(form.get("after_id", 0))
        page = [c for c in ordered if (c.int_id or 0) > after][: int(form["cnt"])]
        if not page:
            return reply(render_error(fmt, 3, "no records found"))
        return reply(render_contacts(fmt, page[::-1] if reverse else page))

    return serve


async def test_iterate_fetches_pages_lazily(router: respx.MockRouter) -> None:
    """Nothing is requested before the first contact is asked for; the next page on demand."""
    contacts = make_contacts(7)
    route = router.post("phones.php").mock(side_effect=contacts_server(contacts))
    async with make_client() as smsc:
        stream = smsc.contacts.iterate(page_size=3)
        assert 0 == route.call_count
        first = [await anext(stream) for _ in range(3)]
        assert 1 == route.call_count
        fourth = await anext(stream)
        assert 2 == route.call_count
        rest = [c async for c in stream]
    assert contacts == [*first, fourth, *rest]
    assert 3 == route.call_count


@pytest.mark.parametrize("reverse", [False, True], ids=["sorted-pages", "reversed-pages"])
async def test_iterate_chains_pages_by_largest_int_id(
    router: respx.MockRouter, reverse: bool
) -> None:
    """Each fmt=3 page after the first asks for contacts after the page's largest int_id.

    The contacts' own ids are the client's text ids ("c-0"...): they are read back as text
    and never used as the cursor.
    """
    contacts = make_contacts(7)  # int_ids 100, 103, 106 | 109, 112, 115 | 118
    route = router.post("phones.php").mock(side_effect=contacts_server(contacts, reverse=reverse))
    async with make_client(Format.JSON) as smsc:
        got = [c async for c in smsc.contacts.iterate(groups=[321, 322], fio="Lee", page_size=3)]
    assert contacts == sorted(got, key=lambda c: c.int_id or 0)
    assert [f"c-{i}" for i in range(7)] == sorted(c.id or "" for c in got)
    base = expected_form("phones.php?get=1&grp=321,322&fio=Lee&cnt=3", Format.JSON)
    forms = [posted_form(call.request) for call in route.calls]
    assert [base, {**base, "after_id": "106"}, {**base, "after_id": "115"}] == forms


WITHOUT_INT_ID = [Format.LINES, Format.CSV, Format.XML]


@pytest.mark.parametrize("fmt", WITHOUT_INT_ID, ids=lambda f: f"fmt{int(f)}")
async def test_iterate_without_int_id_reads_the_list_in_one_largest_page(
    router: respx.MockRouter, fmt: Format
) -> None:
    """A full page without int_ids (fmt=0/1/2) has no cursor: the list is asked for whole.

    The client's text ids cannot stand in for after_id, so the first page is dropped and
    the list read again with cnt=1000; every contact comes once, none is skipped.
    """
    contacts = make_contacts(7)
    route = router.post("phones.php").mock(side_effect=contacts_server(contacts))
    async with make_client(fmt) as smsc:
        got = [c async for c in smsc.contacts.iterate(page_size=3)]
    assert [attrs.evolve(c, int_id=None) for c in contacts] == got
    base = expected_form("phones.php?get=1&cnt=3", fmt)
    forms = [posted_form(call.request) for call in route.calls]
    assert [base, {**base, "cnt": "1000"}] == forms


async def test_iterate_without_int_id_raises_after_a_full_largest_page(
    router: respx.MockRouter,
) -> None:
    """1000 contacts without int_ids are yielded, then ParseError: more may lie beyond."""
    contacts = make_contacts(1001)
    route = router.post("phones.php").mock(side_effect=contacts_server(contacts))
    seen: list[Contact] = []

    async def consume(smsc: SmscClient) -> None:
        async for contact in smsc.contacts.iterate():
            seen.append(contact)

    async with make_client(Format.XML) as smsc:
        with pytest.raises(ParseError, match="int_id"):
            await consume(smsc)
    assert [attrs.evolve(c, int_id=None) for c in contacts[:1000]] == seen
    assert 1 == route.call_count


async def test_iterate_raises_on_a_full_later_page_without_int_id(
    router: respx.MockRouter,
) -> None:
    """A full page that loses its int_ids after the first has no cursor: ParseError."""
    first = make_contacts(3)
    second = [attrs.evolve(c, int_id=None) for c in make_contacts(6, first=3)]
    route = router.post("phones.php").mock(
        side_effect=[reply(render_contacts(Format.JSON, page)) for page in (first, second)]
    )
    async with make_client() as smsc:
        with pytest.raises(ParseError):
            _ = [c async for c in smsc.contacts.iterate(page_size=3)]
    assert 2 == route.call_count


@pytest.mark.parametrize(
    ("count", "page_size", "requests"),
    [(7, 3, 3), (6, 3, 3), (3, 3, 2), (2, 3, 1), (0, 3, 1), (5, 1, 6)],
    ids=["short-last", "full-then-error-3", "one-full", "one-short", "none", "size-1"],
)
async def test_iterate_yields_every_contact_once_and_stops(
    router: respx.MockRouter, count: int, page_size: int, requests: int
) -> None:
    """Every contact comes once, in id order; a short page or an error-3 page ends it."""
    contacts = make_contacts(count)
    route = router.post("phones.php").mock(side_effect=contacts_server(contacts))
    async with make_client() as smsc:
        got = [c async for c in smsc.contacts.iterate(page_size=page_size)]
    assert contacts == got
    assert requests == route.call_count


@pytest.mark.parametrize(
    "second",
    [make_contacts(3), make_contacts(4, first=2)],
    ids=["same-page-again", "overlapping-page"],
)
async def test_iterate_raises_when_a_page_does_not_advance(
    router: respx.MockRouter, second: list[Contact]
) -> None:
    """A next page holding ids not above after_id raises ParseError, yielding none of it."""
    first = make_contacts(3)  # int_ids 100, 103, 106; the second page holds 106 again
    route = router.post("phones.php").mock(
        side_effect=[reply(render_contacts(Format.JSON, page)) for page in (first, second)]
    )
    seen: list[Contact] = []

    async def consume(smsc: SmscClient) -> None:
        async for contact in smsc.contacts.iterate(page_size=3):
            seen.append(contact)

    async with make_client() as smsc:
        with pytest.raises(ParseError):
            await consume(smsc)
    assert first == seen
    assert 2 == route.call_count


def blacklist_server(
    entries: Sequence[BlacklistEntry],
) -> Callable[[httpx.Request], httpx.Response]:
    """A fake ``get_black``: ``cnt`` entries below ``prev_id``, newest first; none: error 3."""
    newest = sorted(entries, key=lambda e: -e.id)

    def serve(request: httpx.Request) -> httpx.Response:
        form = posted_form(request)
        fmt = Format(int(form["fmt"]))
        prev = int(form.get("prev_id", 2**62))
        page = [e for e in newest if e.id < prev][: int(form["cnt"])]
        if not page:
            return reply(render_error(fmt, 3, "no records found"))
        return reply(render_blacklist(fmt, page))

    return serve


async def test_blacklist_iterate_chains_by_smallest_id(
    router: respx.MockRouter, fmt: Format
) -> None:
    """Blacklist pages go newest first, each asking for entries before the smallest id."""
    entries = [BlacklistEntry(10 + i, f"7999000{i:04d}", BlockType.ALL, "c") for i in range(6)]
    route = router.post("phones.php").mock(side_effect=blacklist_server(entries))
    async with make_client(fmt) as smsc:
        stream = smsc.blacklist.iterate(page_size=3)
        assert 0 == route.call_count
        got = [e async for e in stream]
    assert entries[::-1] == got
    base = expected_form("phones.php?get_black=1&cnt=3", fmt)
    forms = [posted_form(call.request) for call in route.calls]
    assert [base, {**base, "prev_id": "13"}, {**base, "prev_id": "10"}] == forms


async def test_blacklist_iterate_raises_when_pages_do_not_descend(
    router: respx.MockRouter,
) -> None:
    """A server repeating its blacklist page (ids not below prev_id) raises ParseError."""
    page = [BlacklistEntry(5, P), BlacklistEntry(4, P2)]
    body = render_blacklist(Format.JSON, page)
    route = router.post("phones.php").mock(return_value=reply(body))
    async with make_client() as smsc:
        with pytest.raises(ParseError):
            _ = [e async for e in smsc.blacklist.iterate(page_size=2)]
    assert 2 == route.call_count
