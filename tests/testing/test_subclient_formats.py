"""Every reply of users.php and op_templates.php, from the emulator, in all four formats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smsc_async import AccountType, Format, SubclientSettings, Tariff, TemplateTarget
from smsc_async.testing import Emulator

# Virtual time: the four runs share the demo login's windows in this loop (3 changes a
# minute per subclient), so the later runs wait for them as a real client would.
pytestmark = pytest.mark.looptime

PASSWORD = "Str0ng-pass"


async def _every_reply(fmt: Format) -> list[Any]:
    """The same script of calls against a fresh emulator, answered in ``fmt``."""
    emulator = Emulator(approve_senders=True)
    today = emulator.wall_clock(0.0).date()
    async with emulator.client(fmt=fmt) as smsc:
        created = await smsc.subclients.create("shop1", PASSWORD, SubclientSettings(fio="Shop"))
        await smsc.subclients.create("shop2", PASSWORD)
        await smsc.subclients.update("shop1", SubclientSettings(tariff=Tariff.PLAN_2))
        await smsc.subclients.pay("shop1", Decimal("250.50"))
        await smsc.subclients.pay("shop2", 10)
        stats_one = await smsc.subclients.stats(today, user="shop1")
        stats_all = await smsc.subclients.stats(today)
        days = await smsc.subclients.detailed_stats(today, today)
        sub = smsc.with_credentials(login="shop1", password=PASSWORD)
        await sub.senders.add("SHOP1")
        added = await sub.op_templates.add(
            "SHOP1", "Code: %CODE%, thanks", [TemplateTarget.MTS_AUTH, TemplateTarget.SOCIAL]
        )
        refused = await sub.op_templates.add("NOSUCH", "Hi", [TemplateTarget.BEELINE_SERVICE])
        states = await sub.op_templates.get("SHOP1", "Code: %CODE%, thanks")
    assert [] == emulator.violations
    return [created, stats_one, stats_all, days, added, refused, states]


async def test_every_reply_shape_decodes_to_equal_models_in_all_formats() -> None:
    """Creation ids, statistics, day rows and template rows are equal whatever the format."""
    replies = {fmt: await _every_reply(fmt) for fmt in Format}
    json_replies = replies[Format.JSON]
    for fmt in (Format.LINES, Format.CSV, Format.XML):
        assert json_replies == replies[fmt], fmt
    created, stats_one, stats_all, days, added, refused, states = json_replies
    assert isinstance(created, int)
    assert [("shop1", Decimal("250.50"))] == [(s.login, s.credit) for s in stats_one]
    assert ["shop1", "shop2"] == [s.login for s in stats_all]
    assert [("shop1", Decimal("250.50")), ("shop2", Decimal(10))] == [
        (d.login, d.credit) for d in days
    ]
    assert ["mts_auth", "soc"] == [row.name for row in added]
    assert all(row.id is not None for row in added)
    assert [None] == [row.id for row in refused]
    assert 14 == len(states)


@pytest.mark.parametrize("fmt", list(Format))
async def test_stats_on_the_main_balance_list_only_those_subclients(fmt: Format) -> None:
    """stats(main_balance=True) asks reseller=0 and reads the main-balance subclients (seed 000)."""
    emulator = Emulator()
    today = emulator.wall_clock(0.0).date()
    emulator.add_subclient("own", PASSWORD)
    emulator.add_subclient("shared", PASSWORD, type=AccountType.MAIN_ACCOUNT)
    emulator.add_subclient("mainbal", PASSWORD, type=AccountType.MAIN_BALANCE)
    async with emulator.client(fmt=fmt) as smsc:
        on_main = await smsc.subclients.stats(today, main_balance=True)
        independent = await smsc.subclients.stats(today)
    assert ["shared", "mainbal"] == [s.login for s in on_main]
    assert ["own"] == [s.login for s in independent]
    assert ["0", "1"] == [e.params["reseller"] for e in emulator.traffic]
