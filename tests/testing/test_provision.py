"""Bulk subclient provisioning against the emulator, in virtual time (issue 5 acceptance)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from smsc_async import (
    LoginTakenError,
    MaybeAppliedError,
    Provisioned,
    SubclientSettings,
    SubclientSpec,
    Tariff,
    TemplateSpec,
    TemplateStatus,
    TemplateTarget,
    ValidationError,
)
from smsc_async.bulk import ItemStatus, Progress
from smsc_async.events import Event, LimiterWait
from smsc_async.testing import Emulator

pytestmark = pytest.mark.looptime

PASSWORD = "Str0ng-pass"
LATENCY = 0.05


def spec(i: int, **kwargs: object) -> SubclientSpec:
    """Subclient ``i``: created, paid 100 and given one sender name."""
    options: dict[str, object] = {"payment": Decimal(100), "senders": (f"SHOP{i:03d}",)}
    options.update(kwargs)
    return SubclientSpec(f"shop{i:03d}", PASSWORD, **options)  # type: ignore[arg-type]


async def test_three_hundred_subclients_within_the_bound_without_violation() -> None:
    """300 subclients created, paid and named: all done, no error 9, within 1.1 x the bound."""
    emulator = Emulator(latency=LATENCY)
    progress: list[Progress[SubclientSpec, Provisioned]] = []
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        started = loop.time()
        report = await smsc.subclients.provision(
            [spec(i) for i in range(300)], on_progress=progress.append
        )
        elapsed = loop.time() - started
    assert 300 == len(report.done)
    assert [] == emulator.violations
    # The 5 sender creations a minute dominate: the first can leave after a creation and a
    # payment, the 300th no sooner than 59 minutes after the first, and takes a latency.
    bound = 2 * LATENCY + (300 // 5 - 1) * 60.0 + LATENCY
    assert bound <= elapsed <= 1.1 * bound
    assert list(range(1, 301)) == [p.finished for p in progress]
    assert 300 == progress[-1].done == progress[-1].total
    assert {f"shop{i:03d}" for i in range(300)} == {r.value.user for r in report.done if r.value}
    assert all(r.steps == ("create", "pay", f"sender SHOP{r.index:03d}") for r in report)
    stats = emulator.users.subclients  # every one has its balance, set once
    assert all(Decimal(100) == entry.balance for entry in stats.values())


async def test_an_existing_login_fails_its_item_once_and_the_rest_go_on() -> None:
    """A taken login is reported as LoginTakenError after one request; the others are done."""
    emulator = Emulator(latency=LATENCY)
    emulator.add_subclient("shop001", PASSWORD)
    async with emulator.client() as smsc:
        report = await smsc.subclients.provision([spec(i) for i in range(3)])
    failed = report.failed
    assert [1] == [r.index for r in failed]
    assert isinstance(failed[0].error, LoginTakenError)
    assert () == failed[0].steps
    assert 2 == len(report.done)
    tries = [
        x for x in emulator.traffic if x.command == "users.add" and x.params["user"] == "shop001"
    ]
    assert 1 == len(tries)


async def test_invalid_specs_fail_before_any_request_and_valid_ones_run() -> None:
    """Bad settings, a weak password, a duplicate login: failed items, every bad field named."""
    emulator = Emulator(latency=LATENCY)
    bad = SubclientSpec(
        "weak",
        "password",
        settings=SubclientSettings(tariff=9, tz=25, curr=7),  # type: ignore[arg-type]
    )
    specs = [spec(0), bad, spec(0), spec(2)]
    async with emulator.client() as smsc:
        report = await smsc.subclients.provision(specs)
    assert [ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.FAILED, ItemStatus.DONE] == [
        r.status for r in report
    ]
    error = report.results[1].error
    assert isinstance(error, ValidationError)
    assert {"password", "tariff", "tz", "curr"} <= set(error.fields)
    assert isinstance(report.results[2].error, ValidationError)
    assert ["user"] == list(report.results[2].error.fields)
    assert not any(x.params.get("user") == "weak" for x in emulator.traffic)


async def test_a_job_cancelled_half_way_reports_every_item_and_holds_no_slot() -> None:
    """Cancelled mid-way: done, failed and not-done items are all reported; slots come back."""
    emulator = Emulator(latency=0.5)
    events: list[Event] = []
    async with emulator.client(on_event=events.append) as smsc:
        job = smsc.subclients.provision([spec(i) for i in range(40)])
        await asyncio.sleep(150.0)  # three windows of sender creations
        job.cancel()
        report = await job
        assert report.cancelled
        assert 40 == len(report)
        assert 10 <= len(report.done) < 40
        assert len(report.done) + len(report.not_done) == 40
        assert any(r.steps for r in report.not_done)  # some stopped part-way, and say so
        await emulator.drain()
        await asyncio.sleep(0.1)  # abandoned exchanges see their answers
        assert 0 == emulator.in_flight()
        events.clear()
        # Every slot is free again: 14 distinct reads go at once, none waits for a slot.
        await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(1, 15)))
    assert not [e for e in events if isinstance(e, LimiterWait)]
    assert [] == emulator.violations


async def test_templates_are_registered_with_the_subclients_own_credentials() -> None:
    """Templates go to op_templates.php as the new subclient, for its approved sender name."""
    emulator = Emulator(latency=LATENCY, approve_senders=True)
    template = TemplateSpec("SHOP000", "Your code: %CODE%", TemplateTarget.MTS_SERVICE)
    async with emulator.client() as smsc:
        report = await smsc.subclients.provision([spec(0, templates=(template,))])
    (result,) = report.done
    assert result.value is not None
    ((row,),) = result.value.templates
    assert TemplateTarget.MTS_SERVICE is row.target
    (add,) = [x for x in emulator.traffic if x.command == "op_templates.add"]
    assert "shop000" == add.login
    async with emulator.client(login="shop000", password=PASSWORD) as sub:
        rows = await sub.op_templates.get("SHOP000", "Your code: %CODE%")
    states = {r.target: r.status for r in rows}
    assert TemplateStatus.AWAITING_REGISTRATION == states[TemplateTarget.MTS_SERVICE]
    assert TemplateStatus.NOT_FOUND == states[TemplateTarget.BEELINE_SERVICE]


async def test_settings_reach_the_emulator() -> None:
    """The settings given in a spec are what the emulator keeps for the subclient."""
    emulator = Emulator(latency=LATENCY)
    settings = SubclientSettings(tariff=Tariff.PLAN_3, fio="Shop", test_mode=True)
    async with emulator.client() as smsc:
        report = await smsc.subclients.provision([spec(0, settings=settings)])
    assert 1 == len(report.done)
    kept = emulator.users.subclients["shop000"].settings
    assert {"tariff": "2", "fio": "Shop", "fl2[27]": "1"}.items() <= kept.items()


async def test_an_unexpected_error_9_on_creation_is_waited_out() -> None:
    """The stricter reading of the users.php rule (error 9 anyway) ends well: the window slides."""
    emulator = Emulator(latency=LATENCY)
    emulator.faults.error("users.add", 9, "duplicate request, wait a minute", times=2)
    async with emulator.client() as smsc:
        report = await smsc.subclients.provision([spec(i) for i in range(3)])
    assert 3 == len(report.done)


async def test_a_payment_cut_off_after_sending_is_not_repeated() -> None:
    """A payment whose answer is lost ends its item as maybe applied; it is not sent twice."""
    emulator = Emulator(latency=LATENCY)
    emulator.faults.reset("users.pay", after=True)
    async with emulator.client() as smsc:
        report = await smsc.subclients.provision([spec(0)])
    assert () == report.failed
    (result,) = report.maybe_applied
    assert ItemStatus.MAYBE_APPLIED is result.status
    assert isinstance(result.error, MaybeAppliedError)
    assert ("create",) == result.steps
    assert 1 == sum(x.command == "users.pay" for x in emulator.traffic)


async def test_unknown_outcomes_are_reported_apart_from_failures() -> None:
    """A lost answer (maybe applied) and a refusal (failed) land in two lists, each named."""
    emulator = Emulator(latency=LATENCY)
    emulator.add_subclient("shop001", PASSWORD)  # shop001's creation is refused: failed
    emulator.faults.reset("senders.add", after=True)  # the first sender's answer is lost
    async with emulator.client() as smsc:
        report = await smsc.subclients.provision([spec(i) for i in range(3)], concurrency=1)
    assert [ItemStatus.MAYBE_APPLIED, ItemStatus.FAILED, ItemStatus.DONE] == [
        r.status for r in report
    ]
    (maybe,) = report.maybe_applied
    assert ("create", "pay") == maybe.steps  # the sender name is the step in doubt
    assert isinstance(maybe.error, MaybeAppliedError)
    assert "senders.add" == maybe.error.command
    assert "SHOP000" in {e.sender for e in emulator.senders.names["shop000"].values()}
    assert [1] == [r.index for r in report.failed]  # running these again repeats nothing
    assert isinstance(report.failed[0].error, LoginTakenError)
