"""``smsc_async.bulk`` in virtual time: every item accounted for, progress, failures, cancel."""

from __future__ import annotations

import asyncio
import logging

import pytest

from smsc_async import (
    MaybeAppliedError,
    Provisioned,
    SendUnconfirmedError,
    SubclientSpec,
    TemplateAddStatus,
    TemplateSpec,
    TemplateTarget,
    bulk,
)
from smsc_async.bulk import BulkJob, BulkReport, ItemResult, ItemStatus, Progress
from smsc_async.testing import Emulator

pytestmark = pytest.mark.looptime

DONE, FAILED, NOT_DONE = ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.NOT_DONE


class BoomError(Exception):
    """A worker's failure."""


async def double(item: int, steps: list[str]) -> int:
    """Takes ``item`` seconds in two steps; returns twice the item."""
    await asyncio.sleep(item / 2)
    steps.append("first")
    await asyncio.sleep(item / 2)
    steps.append("second")
    return 2 * item


async def fail_on_three(item: int, steps: list[str]) -> int:
    """As :func:`double`, but item 3 fails after its first step."""
    await asyncio.sleep(item / 2)
    steps.append("first")
    if item == 3:
        raise BoomError(f"item {item}")
    await asyncio.sleep(item / 2)
    steps.append("second")
    return 2 * item


def statuses(report: BulkReport[int, int]) -> list[ItemStatus]:
    return [r.status for r in report]


async def test_every_item_is_accounted_for_in_order() -> None:
    """Each item gets one result, at its index, with the worker's value and steps."""
    items = [3, 1, 2, 0]
    report = await bulk.run(items, double)
    assert [
        ItemResult(0, 3, DONE, value=6, steps=("first", "second")),
        ItemResult(1, 1, DONE, value=2, steps=("first", "second")),
        ItemResult(2, 2, DONE, value=4, steps=("first", "second")),
        ItemResult(3, 0, DONE, value=0, steps=("first", "second")),
    ] == list(report.results)
    assert (4, False) == (len(report), report.cancelled)


async def test_items_are_read_at_once_from_any_iterable() -> None:
    """A generator of items is read whole: the report lists every item."""
    report = await bulk.run((i for i in range(5)), double)
    assert [0, 1, 2, 3, 4] == [r.item for r in report]
    assert [0, 2, 4, 6, 8] == [r.value for r in report.done]


async def test_no_items_is_an_empty_report() -> None:
    """A job of no items ends at once with an empty report and no progress calls."""
    seen: list[Progress[int, int]] = []
    report = await bulk.run([], double, on_progress=seen.append)
    assert (0, [], False) == (len(report), seen, report.cancelled)


async def test_progress_is_reported_in_order_up_to_the_total() -> None:
    """on_progress sees finished 1, 2, ... total, with running done and failed counts."""
    seen: list[Progress[int, int]] = []
    await bulk.run([4, 1, 3, 2], fail_on_three, on_progress=seen.append)
    assert [(1, 4, 1, 0), (2, 4, 1, 1), (3, 4, 2, 1), (4, 4, 3, 1)] == [
        (p.finished, p.total, p.done, p.failed) for p in seen
    ]
    assert [1, 3, 2, 4] == [p.result.item for p in seen]  # the item that just finished
    assert [DONE, FAILED, DONE, DONE] == [p.result.status for p in seen]


async def test_a_failing_item_does_not_stop_the_others() -> None:
    """One worker raising fails that item only; the rest are done, and the job not cancelled."""
    report = await bulk.run([1, 3, 2, 5], fail_on_three, concurrency=1)
    assert [DONE, FAILED, DONE, DONE] == statuses(report)
    (failed,) = report.failed
    assert (1, ("first",), "item 3") == (failed.index, failed.steps, str(failed.error))
    assert isinstance(failed.error, BoomError)
    assert failed.value is None
    assert report.cancelled is False


async def test_every_item_may_fail() -> None:
    """A job whose every item fails still ends normally, with every error kept."""

    async def always(item: int, steps: list[str]) -> int:
        raise BoomError(str(item))

    report = await bulk.run(range(3), always)
    assert (3, ["0", "1", "2"]) == (len(report.failed), [str(r.error) for r in report])


async def test_report_partitions_items_by_status() -> None:
    """done, failed and not_done hold each item exactly once, in job order."""
    job = bulk.run([1, 3, 10, 20], fail_on_three)
    await asyncio.sleep(4)
    job.cancel()
    report = await job
    assert ([0], [1], [2, 3]) == (
        [r.index for r in report.done],
        [r.index for r in report.failed],
        [r.index for r in report.not_done],
    )


async def test_cancel_returns_a_report_of_how_far_each_item_got() -> None:
    """cancel(): finished items keep DONE/FAILED, the rest are NOT_DONE with their steps."""
    job = bulk.run([1, 3, 4, 10, 1], fail_on_three, concurrency=4)
    await asyncio.sleep(2.5)  # 1 done, 3 failed at 1.5 s, 4 past its first step, 10 not
    job.cancel()
    report = await job
    assert [DONE, FAILED, NOT_DONE, NOT_DONE, DONE] == statuses(report)
    assert [("first", "second"), ("first",), ("first",), (), ("first", "second")] == [
        r.steps for r in report
    ]
    assert report.cancelled is True
    assert job.finished is True
    assert 2.5 == asyncio.get_running_loop().time()  # the cancelled items stop at once


async def test_cancelled_items_stop_working() -> None:
    """After cancel(), no worker goes on to another step or another item."""
    progress: list[str] = []

    async def slow(item: int, steps: list[str]) -> int:
        for step in range(5):
            await asyncio.sleep(1)
            progress.append(f"{item}.{step}")
        return item

    job = bulk.run(range(4), slow, concurrency=2)
    await asyncio.sleep(2.5)
    job.cancel()
    await job
    await asyncio.sleep(60)
    assert ["0.0", "1.0", "0.1", "1.1"] == progress


async def test_cancel_before_start_runs_nothing() -> None:
    """A job cancelled before the loop runs it calls no worker; every item is NOT_DONE."""
    calls: list[int] = []

    async def worker(item: int, steps: list[str]) -> int:
        calls.append(item)
        return item

    job = bulk.run([1, 2, 3], worker)
    job.cancel()
    report = await job
    assert ([], [NOT_DONE] * 3, True) == (calls, statuses(report), report.cancelled)


async def test_cancel_after_the_end_changes_nothing() -> None:
    """cancel() on a finished job leaves its report as it was (not cancelled)."""
    job = bulk.run([1, 2], double)
    first = await job
    job.cancel()
    assert (first, False) == (await job, (await job).cancelled)


async def test_cancelling_the_awaiting_task_cancels_the_job() -> None:
    """If the task awaiting a job is cancelled, the job stops; job.report keeps the results."""
    job = bulk.run([1, 2, 5, 20], double, concurrency=4)
    waiter = asyncio.create_task(job.wait())
    await asyncio.sleep(3)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    for _ in range(20):  # let the job's own task wind down, in no virtual time
        await asyncio.sleep(0)
    assert 3.0 == asyncio.get_running_loop().time()
    assert job.finished is True
    report = job.report
    assert [DONE, DONE, NOT_DONE, NOT_DONE] == statuses(report)
    assert [("first", "second"), ("first", "second"), ("first",), ()] == [r.steps for r in report]
    assert report.cancelled is True
    await asyncio.sleep(60)
    assert [DONE, DONE, NOT_DONE, NOT_DONE] == statuses(job.report)  # nothing ran on


async def test_report_while_running_shows_items_in_progress() -> None:
    """job.report during the run: finished items as they ended, the rest NOT_DONE so far."""
    job = bulk.run([1, 4], double)
    await asyncio.sleep(2.5)
    report = job.report
    assert ([DONE, NOT_DONE], [("first", "second"), ("first",)], False) == (
        statuses(report),
        [r.steps for r in report],
        report.cancelled,
    )
    assert job.finished is False
    assert [DONE, DONE] == statuses(await job)


async def test_on_progress_raising_is_logged_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    """A hook that raises is logged at ERROR each time and does not disturb the job."""
    calls: list[int] = []

    def hook(progress: Progress[int, int]) -> None:
        calls.append(progress.finished)
        raise RuntimeError("hook broke")

    with caplog.at_level(logging.ERROR, logger="smsc_async"):
        report = await bulk.run([1, 2, 3], double, on_progress=hook)
    assert ([DONE] * 3, [1, 2, 3]) == (statuses(report), calls)
    hooked = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], RuntimeError)]
    assert [logging.ERROR] * 3 == [r.levelno for r in hooked]


@pytest.mark.parametrize(
    ("concurrency", "peak", "seconds"), [(1, 1, 10.0), (3, 3, 4.0), (64, 10, 1.0)]
)
async def test_concurrency_bounds_the_workers_at_once(
    concurrency: int, peak: int, seconds: float
) -> None:
    """At most ``concurrency`` workers run at once, and that many do when there is work."""
    running = 0
    most = 0

    async def worker(item: int, steps: list[str]) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(1)
        running -= 1
        return item

    loop = asyncio.get_running_loop()
    start = loop.time()
    report = await bulk.run(range(10), worker, concurrency=concurrency)
    assert (peak, seconds, [DONE] * 10) == (most, loop.time() - start, statuses(report))


async def test_default_concurrency_is_sixty_four() -> None:
    """Without a concurrency, 64 items are worked on at once."""
    running = 0
    most = 0

    async def worker(item: int, steps: list[str]) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(1)
        running -= 1
        return item

    await bulk.run(range(100), worker)
    assert 64 == most


@pytest.mark.parametrize("concurrency", [0, -1])
async def test_concurrency_below_one_is_refused(concurrency: int) -> None:
    """run() and BulkJob refuse a concurrency below 1 with ValueError."""
    with pytest.raises(ValueError, match="concurrency"):
        bulk.run([1], double, concurrency=concurrency)
    with pytest.raises(ValueError, match="concurrency"):
        BulkJob([1], double, concurrency=concurrency)


async def test_refused_items_fail_without_running() -> None:
    """Items refused up front are FAILED with their error and never reach the worker."""
    calls: list[int] = []

    async def worker(item: int, steps: list[str]) -> int:
        calls.append(item)
        return item

    refusal = ValueError("bad item")
    seen: list[Progress[int, int]] = []
    report = await BulkJob([5, 6, 7], worker, refused={1: refusal}, on_progress=seen.append)
    assert ([DONE, FAILED, DONE], [5, 7]) == (statuses(report), sorted(calls))
    assert refusal is report.results[1].error
    assert [1, 2, 3] == [p.finished for p in seen]


async def test_a_stray_cancelled_error_in_one_worker_does_not_stop_the_others() -> None:
    """A worker ending in a CancelledError the job did not cause fails only its own item."""

    async def worker(item: int, steps: list[str]) -> int:
        await asyncio.sleep(item)
        if item == 1:  # e.g. a future the worker awaited was cancelled by someone else
            future = asyncio.get_running_loop().create_future()
            future.cancel()
            await future
        return item

    report = await bulk.run([0, 1, 2, 3], worker, concurrency=4)
    assert ([DONE, FAILED, DONE, DONE], False) == (statuses(report), report.cancelled)


async def unknown_on_two_and_three(item: int, steps: list[str]) -> int:
    """As :func:`fail_on_three`, but 2's answer is lost and 3's send is unconfirmed."""
    await asyncio.sleep(item / 2)
    steps.append("first")
    if item == 2:
        raise MaybeAppliedError("no answer", command="users.pay", request_sent=True)
    if item == 3:
        raise SendUnconfirmedError(
            "no answer", command="send.send", id="77", phones=("79990000003",)
        )
    if item == 4:
        raise BoomError(f"item {item}")
    return 2 * item


async def test_an_item_whose_outcome_is_unknown_is_maybe_applied_not_failed() -> None:
    """MaybeAppliedError and SendUnconfirmedError end items as MAYBE_APPLIED, kept apart."""
    report = await bulk.run([1, 2, 3, 4], unknown_on_two_and_three)
    maybe_applied = ItemStatus.MAYBE_APPLIED
    assert [DONE, maybe_applied, maybe_applied, FAILED] == statuses(report)
    assert [3] == [r.index for r in report.failed]  # a re-run of the failures skips 2 and 3
    assert [1, 2] == [r.index for r in report.maybe_applied]
    maybe = report.maybe_applied
    assert [("first",), ("first",)] == [r.steps for r in maybe]
    assert isinstance(maybe[1].error, SendUnconfirmedError)
    assert ("77", ("79990000003",)) == (maybe[1].error.id, maybe[1].error.phones)
    assert [None, None] == [r.value for r in maybe]


async def test_progress_counts_maybe_applied_apart_from_failed() -> None:
    """on_progress's maybe_applied counts the unknown outcomes; failed counts only failures."""
    seen: list[Progress[int, int]] = []
    await bulk.run([1, 2, 3, 4], unknown_on_two_and_three, on_progress=seen.append)
    assert [(1, 1, 0, 0), (2, 1, 0, 1), (3, 1, 0, 2), (4, 1, 1, 2)] == [
        (p.finished, p.done, p.failed, p.maybe_applied) for p in seen
    ]


async def test_a_worker_reporting_part_refused_is_partly_done_not_done() -> None:
    """PartlyDone from a worker: PARTLY_DONE with its value and reason, counted apart."""

    async def work(n: int, steps: list[str]) -> int:
        steps.append("made")
        if n == 2:
            raise bulk.PartlyDone("the template was refused", n * 10)
        return n * 10

    seen: list[Progress[int, int]] = []
    report = await bulk.run([1, 2, 3], work, on_progress=seen.append)
    assert [10, 30] == [r.value for r in report.done]
    (partly,) = report.partly_done
    assert (ItemStatus.PARTLY_DONE, 20, ("made",)) == (partly.status, partly.value, partly.steps)
    assert "the template was refused" == str(partly.error)
    assert () == report.failed
    assert (3, 2, 1) == (seen[-1].finished, seen[-1].done, seen[-1].partly_done)


async def test_a_subclient_whose_template_was_refused_is_not_reported_done() -> None:
    """The emulator refuses a template (sender name not accepted): the item is partly done."""
    emulator = Emulator(latency=0.05)  # sender names stay unapproved: SENDER_NOT_ACCEPTED
    template = TemplateSpec("SHOP1", "Your code: %CODE%", TemplateTarget.MTS_SERVICE)
    spec = SubclientSpec("shop1", "Str0ng-pass", senders=("SHOP1",), templates=(template,))
    async with emulator.client() as smsc:
        report = await smsc.subclients.provision([spec])
    assert () == report.done
    (result,) = report.partly_done
    assert ("create", "sender SHOP1") == result.steps
    assert isinstance(result.value, Provisioned)
    ((row,),) = result.value.templates
    assert TemplateAddStatus.SENDER_NOT_ACCEPTED is row.status
    assert "template 'SHOP1' refused: mts_srv SENDER_NOT_ACCEPTED" == str(result.error)
