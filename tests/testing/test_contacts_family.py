"""The emulator's contacts family (phones.php, mails.php) through the SDK and raw forms."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import pytest

from smsc_async import (
    ApiError,
    BlacklistEntry,
    BlockType,
    Contact,
    ContactGroup,
    Format,
    RateLimitError,
)
from smsc_async.testing import DEFAULT_LOGIN, Emulator, Violation
from tests._support import raw_post, unpaced

pytestmark = pytest.mark.looptime

P1, P2, P3 = "79991112233", "79994445566", "79997778899"
M1, M2 = "ann@example.com", "bob@example.org"
STRONG = "Str0ng-pass"
IP = "127.0.0.1"
FIELDS: dict[str, Any] = {
    "name": "Ann Lee",
    "first_name": "Ann",
    "last_name": "Lee",
    "middle_name": "Maria",
    "birthday": dt.date(1990, 2, 1),
    "comment": "call after 6 & ask <Ann>",  # no comma: fmt=1 cannot place one here
    "tags": "vip",
}
BOOK_RULE = (
    "{}.add/chg/del/get/move_group/add_group/chg_group/del_group/get_group/add_black/"
    "del_black/get_black: 3 identical per 1 min"
)
NOT_FOUND = {
    Format.LINES: "ERROR = 3 (no records found)",
    Format.CSV: "0,-3",
    Format.XML: "<result>\n<error>no records found</error>\n<error_code>3</error_code>\n</result>",
    Format.JSON: '{\n"error": "no records found",\n"error_code": 3\n}',
}


async def wire(emulator: Emulator, command: str, script: str = "phones.php", **params: Any) -> Any:
    """A raw form (no SDK checks) in fmt=3: the decoded JSON answer."""
    return json.loads(await raw_post(emulator, script, command, **params))


def error_of(answer: Any) -> int | None:
    return answer.get("error_code") if isinstance(answer, dict) else None


async def refusal(call: Any) -> tuple[str, int]:
    """The error class and code an awaitable raises (it must raise an ApiError)."""
    with pytest.raises(ApiError) as caught:
        await call
    return type(caught.value).__name__, caught.value.code


# -- contacts ------------------------------------------------------------------------------


async def test_add_with_several_phones_and_groups_creates_one_contact(fmt: Format) -> None:
    """add with two numbers, two groups and every field makes one contact that holds them all."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        g1, g2 = await smsc.groups.add("Friends"), await smsc.groups.add("Work", number=7)
        cid = await smsc.contacts.add(
            [P1, P2], groups=[g1, g2], other_addresses=[P3], myid="c-17", **FIELDS
        )
        contacts = await smsc.contacts.list()
        groups = await smsc.groups.list()
    # The listed id is the client's own (myid, seed 004); fmt=3 adds the server's int_id.
    int_id = cid if fmt is Format.JSON else None
    expected = Contact(
        (P1, P2), "c-17", groups=(g1, g2), other_addresses=(P3,), int_id=int_id, **FIELDS
    )
    assert [expected] == contacts
    assert [(g1, 1), (g2, 1)] == [(g.id, g.count) for g in groups]


async def test_add_refuses_a_held_phone_and_an_unknown_group(fmt: Format) -> None:
    """A number already in a contact is refused with 5, an unknown group with 3; nothing is kept."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        await smsc.contacts.add(P1, myid="c-1")
        assert ("OperationFailedError", 5) == await refusal(smsc.contacts.add([P2, P1]))
        assert ("NotFoundError", 3) == await refusal(smsc.contacts.add(P2, groups=999))
        assert ["c-1"] == [c.id for c in await smsc.contacts.list()]


@pytest.mark.parametrize(
    "params",
    [{"phone": "12ab"}, {"phone": "123"}, {"phone": ""}, {"phone": P1, "bd": "31.02.2020"}],
)
async def test_add_refuses_bad_parameters_with_error_1(params: dict[str, str]) -> None:
    emulator = Emulator()
    assert 1 == error_of(await wire(emulator, "add", **params))
    assert {} == emulator.contacts.books[DEFAULT_LOGIN, "phones.php"].contacts


async def test_change_replaces_only_the_given_fields_and_delete_removes(fmt: Format) -> None:
    """chg replaces the fields given (groups too), new_phone the numbers; del removes it."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        g1, g2 = await smsc.groups.add("A"), await smsc.groups.add("B")
        await smsc.contacts.add(P1, name="Ann", first_name="Anna", groups=[g1], comment="c")
        await smsc.contacts.change(P1, name="Annie", groups=g2)
        (c,) = await smsc.contacts.list()
        assert ("Annie", "Anna", (g2,), "c") == (c.name, c.first_name, c.groups, c.comment)
        await smsc.contacts.change_addresses(P1, [P2, P3])
        (moved,) = await smsc.contacts.list()
        assert ((P2, P3), "Annie") == (moved.addresses, moved.name)
        assert ("NotFoundError", 3) == await refusal(smsc.contacts.change(P1, name="x"))
        await smsc.contacts.add(P1)
        await smsc.contacts.delete(P3)
        assert [(P1,)] == [c.addresses for c in await smsc.contacts.list()]
        assert ("NotFoundError", 3) == await refusal(smsc.contacts.delete(P2))


async def test_change_refuses_new_numbers_another_contact_holds() -> None:
    """chg with a new_phone that another contact holds is refused with 5, as add is."""
    emulator = Emulator()
    await wire(emulator, "add", phone=P1)
    await wire(emulator, "add", phone=P2)
    assert 5 == error_of(await wire(emulator, "chg", phone=P2, new_phone=P1))
    assert 1 == len(await wire(emulator, "get", phone=P1))


async def test_get_filters_by_group_phone_names_search_and_pages(fmt: Format) -> None:
    """get narrows by grp (any of several), phone, fio, search (name or number), after_id, cnt."""
    emulator = Emulator()
    book = emulator.contacts
    async with emulator.client(fmt=fmt) as smsc:
        g1, g2 = await smsc.groups.add("A"), await smsc.groups.add("B")
        first = book.add_contact([P1], groups=[g1], last_name="Ivanov", first_name="Ivan", myid="a")
        book.add_contact([P2], groups=[g2], name="Coffee Shop", myid="b")
        # A middle name: without it fmt=1 cannot tell where two groups end (ParseError).
        book.add_contact(
            [P3], groups=[g1, g2], first_name="Olga", last_name="Petrova", middle_name="S", myid="c"
        )
        a, b, c = "a", "b", "c"

        async def ids(**filters: Any) -> list[str | None]:
            return [contact.id for contact in await smsc.contacts.list(**filters)]

        assert [a, b, c] == await ids()
        assert [a, c] == await ids(groups=g1)
        assert [a, b, c] == await ids(groups=[g1, g2])
        assert [b] == await ids(address=P2)
        assert [a] == await ids(fio="ivanov")
        assert [c] == await ids(fio="Olga")
        assert [b] == await ids(search="coffee")
        assert [c] == await ids(search="7778")
        assert [b, c] == await ids(after_id=first.id)  # after_id takes the server's int_id
        assert [a, b] == await ids(cnt=2)
        assert [c] == await ids(after_id=first.id, cnt=2, groups=g1)
        assert [] == await ids(search="nobody")
        assert [] == await ids(groups=999)


async def test_get_with_nothing_matching_answers_error_3_on_the_wire(fmt: Format) -> None:
    emulator = Emulator()
    emulator.contacts.add_contact([P1], name="Ann")
    assert NOT_FOUND[fmt] == await raw_post(emulator, "phones.php", "get", fmt=fmt, search="x")
    assert NOT_FOUND[fmt] == await raw_post(emulator, "mails.php", "get", fmt=fmt)


@pytest.mark.parametrize(("cnt", "code"), [("1001", 1), ("0", 1), ("x", 1), ("1000", None)])
async def test_get_takes_cnt_up_to_1000(cnt: str, code: int | None) -> None:
    emulator = Emulator()
    emulator.contacts.add_contact([P1])
    assert code == error_of(await wire(emulator, "get", cnt=cnt))


async def test_the_mail_book_is_separate_and_uses_mail(fmt: Format) -> None:
    """mails.php keeps its own contacts, named by mail=; its raw replies use "mail" keys."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        await smsc.contacts.add(P1)
        await smsc.mail_contacts.add(
            [M1, M2], name="Ann", other_addresses="x@example.net", myid="m-1"
        )
        assert [(P1,)] == [c.addresses for c in await smsc.contacts.list()]
        mails = await smsc.mail_contacts.list()
        assert [("m-1", (M1, M2), ("x@example.net",))] == [
            (c.id, c.addresses, c.other_addresses) for c in mails
        ]
        await smsc.mail_contacts.change(M2, new_addresses=M2, name="Bob")
        assert [("Bob", (M2,))] == [(c.name, c.addresses) for c in await smsc.mail_contacts.list()]
        assert ("NotFoundError", 3) == await refusal(smsc.mail_contacts.delete(M1))
        await smsc.mail_contacts.delete(M2)
        assert [] == await smsc.mail_contacts.list()
    emulator.contacts.add_contact([M1], script="mails.php")
    (row,) = await wire(emulator, "get", "mails.php", cnt="5")  # not a 4th identical get
    assert (M1, "") == (row["mail"], row["mail_other"])
    assert "phone" not in row
    assert 1 == error_of(await wire(emulator, "add", "mails.php", mail="not-a-mail"))
    assert 1 == error_of(await wire(emulator, "add", "mails.php", phone=P2))
    assert 1 == error_of(await wire(emulator, "add", "phones.php", phone=M2))


# -- groups --------------------------------------------------------------------------------


async def test_groups_are_added_renamed_listed_with_counts_and_deleted(fmt: Format) -> None:
    """Groups list with their contact counts; deleting one takes it out of its contacts."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        assert [] == await smsc.groups.list()
        g1, g2 = await smsc.groups.add("Friends"), await smsc.groups.add("Work", number=5)
        await smsc.contacts.add(P1, groups=[g1, g2])
        await smsc.contacts.add(P2, groups=g1)
        await smsc.groups.rename(g2, "Office")
        listed = await smsc.groups.list()
        assert [ContactGroup(g1, "Friends", None, 2), ContactGroup(g2, "Office", 5, 1)] == listed
        await smsc.groups.delete(g1)
        assert [g2] == [g.id for g in await smsc.groups.list()]
        assert [(g2,), ()] == [c.groups for c in await smsc.contacts.list()]
        assert ("NotFoundError", 3) == await refusal(smsc.groups.delete(g1))
        assert ("NotFoundError", 3) == await refusal(smsc.groups.rename(g1, "x"))


async def test_rename_sets_the_number_list_takes_cnt_and_moves_take_several_groups(
    fmt: Format,
) -> None:
    """chg_group takes num; get_group honours cnt; move_group takes grp as a list (seed 004)."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        g1, g2, g3 = [await smsc.groups.add(n) for n in ("A", "B", "C")]
        await smsc.groups.rename(g1, "A1", number=42)
        assert [(g1, "A1", 42), (g2, "B", None)] == [
            (g.id, g.name, g.number) for g in await smsc.groups.list(cnt=2)
        ]
        await smsc.contacts.add(P1, first_name="F", last_name="L", middle_name="M")

        async def groups() -> tuple[int, ...]:
            (contact,) = await smsc.contacts.list(address=P1)
            return contact.groups

        await smsc.groups.move_contact(P1, [g1, g2])
        assert (g1, g2) == await groups()
        await smsc.groups.add_contact(P1, [g2, g3])
        assert (g1, g2, g3) == await groups()
        await smsc.groups.remove_contact(P1, (g1, g3))
        assert (g2,) == await groups()


async def test_phone_and_mail_groups_are_listed_apart(fmt: Format) -> None:
    """type 0 groups count phone contacts, type 1 groups e-mail contacts; each list has its own."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        assert [] == await smsc.mail_groups.list()
        pg = await smsc.groups.add("Phones")
        mg = await smsc.mail_groups.add("Mails")
        await smsc.contacts.add(P1, groups=pg)
        await smsc.mail_contacts.add(M1, groups=mg)
        await smsc.mail_contacts.add(M2, groups=mg)
        assert [(pg, "Phones", 1)] == [(g.id, g.name, g.count) for g in await smsc.groups.list()]
        mails = await smsc.mail_groups.list()
        assert [(mg, "Mails", 2)] == [(g.id, g.name, g.count) for g in mails]
    assert 1 == emulator.contacts.groups[DEFAULT_LOGIN][mg].type
    (raw,) = await wire(emulator, "get_group", "mails.php")  # mails.php lists type 1 by default
    assert (mg, "2") == (raw["id"], raw["cnt"])


async def test_move_group_moves_adds_and_removes(fmt: Format) -> None:
    """move_group=1 leaves only that group, 2 adds it, 3 removes it (3 if not a member)."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        g1, g2, g3 = [await smsc.groups.add(n) for n in ("A", "B", "C")]
        # Names: without them fmt=1 cannot tell where several groups end (ParseError).
        await smsc.contacts.add(P1, groups=[g1, g2], first_name="F", last_name="L", middle_name="M")

        async def groups() -> tuple[int, ...]:
            (contact,) = await smsc.contacts.list(address=P1)
            return contact.groups

        await smsc.groups.add_contact(P1, g3)
        assert (g1, g2, g3) == await groups()
        await smsc.groups.remove_contact(P1, g2)
        assert (g1, g3) == await groups()
        await smsc.groups.move_contact(P1, g2)
        assert (g2,) == await groups()
        assert ("NotFoundError", 3) == await refusal(smsc.groups.remove_contact(P1, g1))
        assert ("NotFoundError", 3) == await refusal(smsc.groups.add_contact(P1, 999))
        assert ("NotFoundError", 3) == await refusal(smsc.groups.add_contact(P2, g1))
        mg = await smsc.mail_groups.add("M")
        await smsc.mail_contacts.add(M1)
        await smsc.mail_groups.add_contact(M1, mg)
        assert [(mg,)] == [c.groups for c in await smsc.mail_contacts.list()]
        await smsc.mail_groups.remove_contact(M1, mg)
        assert [()] == [c.groups for c in await smsc.mail_contacts.list()]
    answer = await wire(emulator, "move_group", move_group="4", phone=P1, grp=str(g1))
    assert 1 == error_of(answer)


# -- blacklist -----------------------------------------------------------------------------


async def test_blacklist_adds_each_type_lists_newest_first_and_deletes(fmt: Format) -> None:
    """Each BlockType is kept with its comment; re-adding keeps the id and takes the new type."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        assert [] == await smsc.blacklist.list()
        numbers = dict(zip(BlockType, (P1, P2, P3), strict=True))
        ids: dict[BlockType, int] = {}
        for t, number in numbers.items():
            ids[t] = await smsc.blacklist.add(number, type=t, comment=f"c, {t.name}")
        expected = [
            BlacklistEntry(ids[t], numbers[t], t, f"c, {t.name}") for t in reversed(BlockType)
        ]
        assert expected == await smsc.blacklist.list()
        again = await smsc.blacklist.add(P1, type=BlockType.SINGLE, comment="x")
        assert ids[BlockType.ALL] == again
        first = await smsc.blacklist.list(prev_id=ids[BlockType.MASS])
        assert [BlacklistEntry(ids[BlockType.ALL], P1, BlockType.SINGLE, "x")] == first
        assert [ids[BlockType.SINGLE]] == [e.id for e in await smsc.blacklist.list(cnt=1)]
        await smsc.blacklist.delete(P2)
        assert [P3, P1] == [e.address for e in await smsc.blacklist.list()]
        assert ("NotFoundError", 3) == await refusal(smsc.blacklist.delete(P2))
        assert [] == await smsc.mail_blacklist.list()


@pytest.mark.parametrize("kind", ["3", "-1", "x"])
async def test_blacklist_refuses_an_unknown_type_with_error_1(kind: str) -> None:
    emulator = Emulator()
    assert 1 == error_of(await wire(emulator, "add_black", phone=P1, type=kind))
    assert 3 == error_of(await wire(emulator, "get_black"))


async def test_the_mail_blacklist_renders_the_key_email(fmt: Format) -> None:
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        bid = await smsc.mail_blacklist.add(M1, type=BlockType.MASS, comment="spam")
        listed = await smsc.mail_blacklist.list()
        assert [BlacklistEntry(bid, M1, BlockType.MASS, "spam")] == listed
        assert [] == await smsc.blacklist.list()
    body = await raw_post(emulator, "mails.php", "get_black", fmt=Format.JSON)
    assert f'[\n{{\n"id": {bid},\n"email": "{M1}",\n"type": 1,\n"comment": "spam"\n}}\n]' == body


# -- replies in the four formats -----------------------------------------------------------


async def test_created_ids_are_wrapped_per_format(fmt: Format) -> None:
    """add answers ID = n / n / <phone><id> / {"id": n}; add_group wraps in <group> for fmt=2."""
    emulator = Emulator()
    bodies = [
        await raw_post(emulator, "phones.php", "add", fmt=fmt, phone=P1),
        await raw_post(emulator, "phones.php", "add_group", fmt=fmt, name="A"),
        await raw_post(emulator, "phones.php", "add_black", fmt=fmt, phone=P1),
    ]
    xml_id = "<phone>\n<id>1</id>\n</phone>"
    expected = {
        Format.LINES: ["ID = 1", "ID = 301", "ID = 1"],
        Format.CSV: ["1", "301", "1"],
        Format.XML: [xml_id, "<group>\n<id>301</id>\n</group>", xml_id],
        Format.JSON: ['{\n"id": 1\n}', '{\n"id": 301\n}', '{\n"id": 1\n}'],
    }
    assert expected[fmt] == bodies


@pytest.mark.parametrize("fmt", [Format.LINES, Format.CSV, Format.JSON], ids=lambda f: f.name)
async def test_lists_render_the_documented_rows(fmt: Format) -> None:
    emulator = Emulator()
    gid = (await wire(emulator, "add_group", name="A", num="4"))["id"]
    await wire(emulator, "add", phone=P1, name="Ann", grp=str(gid), bd="01.02.1990", myid="c-17")
    await wire(emulator, "add_black", phone=P2, type="2", cmt="no")
    bodies = [
        await raw_post(emulator, "phones.php", command, fmt=fmt)
        for command in ("get", "get_group", "get_black")
    ]
    expected = {
        Format.LINES: [
            (
                f"phone = {P1}, name = Ann, group = {gid}, first_name = , last_name = , "
                "middle_name = , birthday = 01.02.1990, id = c-17, comments = , tags = , "
                "phone_other = "
            ),
            f"id = {gid}, name = A, number = 4, cnt = 1",
            f"id = 1, phone = {P2}, type = 2, comment = no",
        ],
        Format.CSV: [f"{P1},Ann,{gid},,,,01.02.1990,c-17,,,", f"{gid},A,4,1", f"1,{P2},2,no"],
    }
    if fmt in expected:
        assert expected[fmt] == bodies
    else:  # fmt=3: the seed quotes a contact's id and a group's cnt; int_id is after_id's
        contact, group, black = (json.loads(b)[0] for b in bodies)
        assert (gid, "c-17", "01.02.1990", 1) == (
            contact["group"],
            contact["id"],
            contact["birthday"],
            contact["int_id"],
        )
        assert {"id": gid, "name": "A", "number": 4, "cnt": "1"} == group
        assert {"id": 1, "phone": P2, "type": 2, "comment": "no"} == black


# -- iteration -----------------------------------------------------------------------------


async def test_contacts_iterate_yields_each_once_in_id_order(fmt: Format) -> None:
    """Contacts with text client ids come once each, in the server's order.

    fmt=3 pages by int_id (5 pages of 7); the formats without int_id read the list again
    in one page of 1000 (2 requests).
    """
    emulator = Emulator()
    myids = [f"c-{i}" for i in range(30)]
    for i, myid in enumerate(myids):
        emulator.contacts.add_contact([f"7999000{i:04d}"], myid=myid)
    async with emulator.client(fmt=fmt) as smsc:
        got = [c async for c in smsc.contacts.iterate(page_size=7)]
    assert myids == [c.id for c in got]
    requests = 5 if fmt is Format.JSON else 2
    assert requests == sum(e.command == "phones.get" for e in emulator.traffic)
    assert [] == emulator.violations


async def test_blacklist_iterate_yields_each_once_newest_first(fmt: Format) -> None:
    emulator = Emulator()
    async with unpaced(emulator, fmt=fmt) as smsc:
        ids = [await smsc.blacklist.add(f"7999000{i:04d}") for i in range(10)]
        got = [e.id async for e in smsc.blacklist.iterate(page_size=3)]
    assert ids[::-1] == got
    assert 4 == sum(e.command == "phones.get_black" for e in emulator.traffic)


# -- rules ---------------------------------------------------------------------------------


async def test_fourth_identical_phones_request_in_a_minute_is_refused() -> None:
    """The 4th identical groups.list in a minute answers 9 and is logged; a minute on, it passes."""
    emulator = Emulator()
    async with unpaced(emulator) as smsc:
        for _ in range(3):
            assert [] == await smsc.groups.list()
            await asyncio.sleep(10)
        with pytest.raises(RateLimitError) as caught:
            await smsc.groups.list()
        assert (9, "phones.get_group") == (caught.value.code, caught.value.command)
        await asyncio.sleep(30)
        assert [] == await smsc.groups.list()
    violation = Violation(30.0, DEFAULT_LOGIN, "phones.get_group", BOOK_RULE.format("phones"), IP)
    assert [violation] == emulator.violations


async def test_requests_with_different_parameters_or_scripts_are_not_identical() -> None:
    emulator = Emulator()
    async with unpaced(emulator) as smsc:
        for _ in range(3):
            await smsc.groups.list()
            await smsc.mail_groups.list()  # phones.php too, with type=1
            await smsc.blacklist.list()
            await smsc.mail_blacklist.list()  # mails.php
            for cnt in (1, 2):
                await smsc.contacts.list(cnt=cnt)
        assert [] == emulator.violations
        with pytest.raises(RateLimitError):
            await smsc.contacts.list(cnt=2)
    assert ["phones.get"] == [v.command for v in emulator.violations]


async def test_fourth_identical_mails_request_in_a_minute_is_refused() -> None:
    emulator = Emulator()
    async with unpaced(emulator) as smsc:
        for _ in range(3):
            await smsc.mail_contacts.list(search="ann")
        with pytest.raises(RateLimitError) as caught:
            await smsc.mail_contacts.list(search="ann")
    assert 9 == caught.value.code
    violation = Violation(0.0, DEFAULT_LOGIN, "mails.get", BOOK_RULE.format("mails"), IP)
    assert [violation] == emulator.violations


async def test_a_paced_client_waits_instead_of_breaking_the_rule() -> None:
    """Five identical groups.list calls from a paced client take a minute and earn no error 9."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    start = loop.time()
    async with emulator.client() as smsc:
        for _ in range(5):
            assert [] == await smsc.groups.list()
    assert [] == emulator.violations
    assert 60.0 <= loop.time() - start


# -- owners --------------------------------------------------------------------------------


async def test_a_subclient_has_its_own_contacts_groups_and_blacklist(fmt: Format) -> None:
    emulator = Emulator()
    emulator.add_subclient("shop1", STRONG)
    async with emulator.client(fmt=fmt) as smsc:
        gid = await smsc.groups.add("Main")
        await smsc.contacts.add(P1, groups=gid)
        await smsc.blacklist.add(P2)
        async with smsc.with_credentials(login="shop1", password=STRONG) as sub:
            assert [] == await sub.contacts.list()
            assert [] == await sub.groups.list()
            assert [] == await sub.blacklist.list()
            assert ("NotFoundError", 3) == await refusal(sub.contacts.add(P3, groups=gid))
            await sub.contacts.add(P1, myid="s-1")  # the number is the main account's only
            assert ["s-1"] == [c.id for c in await sub.contacts.list()]
        assert [(P1,)] == [c.addresses for c in await smsc.contacts.list(groups=gid)]
    (row,) = await wire(emulator, "get", user="shop1")  # the parent acts for it with user=
    assert (P1, "s-1") == (row["phone"], row["id"])


async def test_a_renamed_subclient_keeps_its_contacts_and_groups() -> None:
    """users.php chg new_login moves the subclient's books and groups to its new login."""
    emulator = Emulator()
    emulator.add_subclient("shop1", STRONG)
    async with emulator.client() as smsc:
        async with smsc.with_credentials(login="shop1", password=STRONG) as sub:
            gid = await sub.groups.add("Regulars")
            await sub.contacts.add(P1, groups=gid)
            await sub.mail_contacts.add("a@shop.ru")
        await smsc.subclients.update("shop1", new_login="shop-1")
        async with smsc.with_credentials(login="shop-1", password=STRONG) as sub:
            assert [((P1,), (gid,))] == [(c.addresses, c.groups) for c in await sub.contacts.list()]
            assert [("a@shop.ru",)] == [c.addresses for c in await sub.mail_contacts.list()]
            assert [gid] == [g.id for g in await sub.groups.list()]
