"""Every reply of phones.php and mails.php, from the emulator, is one model in all formats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from smsc_async import BlockType, Contact, Format
from smsc_async.testing import Emulator

# Virtual time: the four runs share the demo login's windows in this loop (3 identical
# requests a minute), so later runs wait for them as a real client would.
pytestmark = pytest.mark.looptime


async def _every_reply(fmt: Format) -> list[Any]:
    """The same script of calls against a fresh emulator, answered in ``fmt``."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        vip = await smsc.groups.add("VIP", number=5)
        shop = await smsc.groups.add("Shop, Ltd")
        ivan = await smsc.contacts.add(
            ["79990001122", "+79990003344"],
            name="Ivan",
            groups=[vip, shop],
            first_name="Ivan",
            last_name="Ivanov",
            middle_name="Ivanovich",
            birthday=dt.date(1990, 5, 1),
            myid="c-17",
            comment="call after 6 pm",
            tags="vip",
            other_addresses=["79995556677"],
        )
        await smsc.contacts.add("79991112233", name="Petr", myid="p 2")
        await smsc.contacts.change("79991112233", groups=vip, tags="new")
        await smsc.groups.remove_contact("79990001122", shop)
        await smsc.groups.rename(shop, "Shop, Inc")
        contacts = await smsc.contacts.list()
        in_vip = await smsc.contacts.list(groups=vip)
        paged = [c async for c in smsc.contacts.iterate(page_size=1)]
        groups = await smsc.groups.list()
        black = await smsc.blacklist.add("79998887766", type=BlockType.MASS, comment="spam, twice")
        await smsc.blacklist.add("79990000000")
        blacklist = await smsc.blacklist.list()
        mail = await smsc.mail_contacts.add(["a@shop.ru", "b@shop.ru"], name="Shop")
        mail_group = await smsc.mail_groups.add("Mailers")
        await smsc.mail_groups.add_contact("a@shop.ru", mail_group)
        mail_contacts = await smsc.mail_contacts.list()
        mail_groups = await smsc.mail_groups.list()
        await smsc.mail_blacklist.add("x@y.ru", type=BlockType.SINGLE)
        mail_blacklist = [e async for e in smsc.mail_blacklist.iterate()]
        nothing = await smsc.contacts.list(search="nobody")
        await smsc.contacts.delete("79991112233")
        await smsc.blacklist.delete("79990000000")
        await smsc.groups.delete(vip)
        after = await smsc.contacts.list()
    assert [] == emulator.violations
    return [
        ivan,
        contacts,
        in_vip,
        paged,
        groups,
        black,
        blacklist,
        mail,
        mail_group,
        mail_contacts,
        mail_groups,
        mail_blacklist,
        nothing,
        after,
    ]


def _without_int_id(reply: Any) -> Any:
    """A reply as the formats without int_id read it (only fmt=3 lists carry it)."""
    if isinstance(reply, list):
        return [_without_int_id(item) for item in reply]
    return attrs.evolve(reply, int_id=None) if isinstance(reply, Contact) else reply


async def test_every_reply_shape_decodes_to_equal_models_in_all_formats() -> None:
    """Ids, contacts (several numbers and groups), groups and blacklists are equal in any fmt.

    A contact's id is the client's own text (myid "c-17", "p 2") in every format; fmt=3
    alone adds the server's int_id, which paging uses.
    """
    replies = {fmt: await _every_reply(fmt) for fmt in Format}
    json_replies = replies[Format.JSON]
    for fmt in (Format.LINES, Format.CSV, Format.XML):
        assert _without_int_id(json_replies) == replies[fmt], fmt
    (ivan, contacts, in_vip, paged, groups, _, blacklist, *rest) = json_replies
    mail_contacts, mail_groups, mail_blacklist, nothing, after = rest[2:]
    first = contacts[0]
    assert isinstance(first, Contact)
    assert ("c-17", ivan, ("79990001122", "+79990003344")) == (
        first.id,
        first.int_id,
        first.addresses,
    )
    assert ["c-17", "p 2"] == [c.id for c in replies[Format.CSV][1]]
    assert (dt.date(1990, 5, 1), "call after 6 pm") == (first.birthday, first.comment)
    assert [["Ivan", "Petr"], ["Ivan", "Petr"]] == [
        [c.name for c in contacts],
        [c.name for c in paged],
    ]
    assert contacts == paged
    assert [(first.groups[0],), ("Petr", "new")] == [
        contacts[0].groups,
        (in_vip[1].name, in_vip[1].tags),
    ]
    assert [("VIP", 5, 2), ("Shop, Inc", None, 0)] == [(g.name, g.number, g.count) for g in groups]
    assert [("79990000000", BlockType.ALL), ("79998887766", BlockType.MASS)] == [
        (e.address, e.type) for e in blacklist
    ]
    assert [(("a@shop.ru", "b@shop.ru"), (mail_groups[0].id,))] == [
        (c.addresses, c.groups) for c in mail_contacts
    ]
    assert [("x@y.ru", BlockType.SINGLE)] == [(e.address, e.type) for e in mail_blacklist]
    assert [] == nothing
    assert [("c-17", ())] == [(c.id, c.groups) for c in after]
