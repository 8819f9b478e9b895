"""Bulk jobs: many items, each worked on concurrently, every one accounted for.

A job runs a worker coroutine per item, a bounded number at a time. The calls the workers
make go through the client's limiter like any other, so a job can be as large as you like
without tripping SMSC's rules. One item failing never stops the others; cancelling the job
stops the items in progress and still returns a report::

    from smsc_async import bulk

    async def deliver(phone: str, steps: list[str]) -> int:
        ...

    job = bulk.run(phones, deliver, on_progress=print)
    report = await job              # or job.cancel() elsewhere: the report says what was done
    for item in report.failed:          # refused, or never reached SMSC: safe to run again
        print(item.item, item.error)
    for item in report.maybe_applied:   # may have happened: check before running again
        print(item.item, item.steps, item.error)

Every item ends in a :class:`ItemResult`: :attr:`~ItemStatus.DONE` with the worker's value,
:attr:`~ItemStatus.PARTLY_DONE` when the worker raised :class:`PartlyDone` (every step ran,
but SMSC refused part of the work: its value and what was refused),
:attr:`~ItemStatus.FAILED` with the exception that ended it,
:attr:`~ItemStatus.MAYBE_APPLIED` when it ended in a :class:`~smsc_async.MaybeAppliedError`
(a step whose outcome is unknown: it may have happened at SMSC), or
:attr:`~ItemStatus.NOT_DONE` when the job was cancelled first. A worker records the steps it
completed by appending to the list it is given, so an item that did not finish says how far
it got. Only failed items are safe to run again as they are; a maybe-applied item's next
step must be checked at the server first (``report.maybe_applied``), or it may happen twice.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Generator, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import anyio
import attrs

from smsc_async.errors import MaybeAppliedError

__all__ = ["BulkJob", "BulkReport", "ItemResult", "ItemStatus", "PartlyDone", "Progress", "run"]

S = TypeVar("S")
R = TypeVar("R")
log = logging.getLogger("smsc_async")

DEFAULT_CONCURRENCY = 64
"""Items worked on at once by default: well above the 14 requests in flight per login, so
the limiter, not the job, sets the pace, while a million items do not make a million tasks."""


class ItemStatus(enum.Enum):
    """How one item of a bulk job ended."""

    DONE = "done"
    """Every step succeeded."""
    PARTLY_DONE = "partly_done"
    """The steps ran, but SMSC refused part of the work (e.g. an operator template for a
    sender name it does not accept): ``value`` holds what was made, ``error`` (a
    :class:`PartlyDone`) what was refused. Not failed: running the item again would repeat
    the steps that worked; finish the refused part on its own.
    """
    FAILED = "failed"
    """A step failed (or the item was refused before any request): see ``error``.

    The failed step did not happen at SMSC (it refused it, or never got it), so the item
    may be tried again from that step.
    """
    MAYBE_APPLIED = "maybe_applied"
    """A step's outcome is unknown: its request may have been carried out at SMSC.

    The worker raised :class:`~smsc_async.MaybeAppliedError` (for a message,
    :class:`~smsc_async.SendUnconfirmedError`, naming its ``id`` and ``phones``): the
    answer was lost after the request left, or SMSC refused a send as a duplicate. The
    step after ``steps`` must be checked at the server before the item is tried again, or
    it may happen twice.
    """
    NOT_DONE = "not_done"
    """The job was cancelled before the item finished (or before it began)."""


class PartlyDone(Exception):  # noqa: N818 - an outcome a worker reports, not a failure
    """Raised by a worker whose steps ran but part of whose work SMSC refused.

    The item ends :attr:`ItemStatus.PARTLY_DONE` with ``value`` as its value and this
    exception as its error, its message saying what was refused.

    Attributes:
        value: What the worker made (as it would have returned it).
    """

    def __init__(self, message: str, value: Any) -> None:
        super().__init__(message)
        self.value = value


@attrs.frozen
class ItemResult(Generic[S, R]):
    """One item's outcome.

    Attributes:
        index: The item's position in the job.
        item: The item itself.
        status: Done, partly done, failed, maybe applied or not done.
        value: The worker's result, when done or partly done.
        error: The exception that ended it, when failed or maybe applied (then a
            :class:`~smsc_async.MaybeAppliedError`); what was refused when partly done
            (a :class:`PartlyDone`).
        steps: The steps the worker completed, in order.
    """

    index: int
    item: S
    status: ItemStatus
    value: R | None = None
    error: BaseException | None = None
    steps: tuple[str, ...] = ()


@attrs.frozen
class Progress(Generic[S, R]):
    """Where a job stands, reported each time an item finishes.

    Attributes:
        finished: Items finished so far (done, partly done, failed or maybe applied);
            reaches ``total`` at the end.
        total: Items in the job.
        done: Items done so far.
        failed: Items failed so far (not counting those maybe applied).
        result: The item that just finished.
        maybe_applied: Items so far whose last step's outcome is unknown.
        partly_done: Items so far whose steps ran but part of whose work was refused.
    """

    finished: int
    total: int
    done: int
    failed: int
    result: ItemResult[S, R]
    maybe_applied: int = 0
    partly_done: int = 0


@attrs.frozen
class BulkReport(Generic[S, R]):
    """Every item of a job, in the job's order, with how it ended.

    Attributes:
        results: One result per item.
        cancelled: The job was cancelled before every item finished.
    """

    results: tuple[ItemResult[S, R], ...]
    cancelled: bool = False

    def _having(self, status: ItemStatus) -> tuple[ItemResult[S, R], ...]:
        return tuple(r for r in self.results if r.status is status)

    @property
    def done(self) -> tuple[ItemResult[S, R], ...]:
        """The items done."""
        return self._having(ItemStatus.DONE)

    @property
    def partly_done(self) -> tuple[ItemResult[S, R], ...]:
        """The items whose steps ran but part of whose work SMSC refused (not done)."""
        return self._having(ItemStatus.PARTLY_DONE)

    @property
    def failed(self) -> tuple[ItemResult[S, R], ...]:
        """The items failed."""
        return self._having(ItemStatus.FAILED)

    @property
    def maybe_applied(self) -> tuple[ItemResult[S, R], ...]:
        """The items whose last step may or may not have happened at SMSC: check them first.

        Their ``error`` is a :class:`~smsc_async.MaybeAppliedError` (or its
        :class:`~smsc_async.SendUnconfirmedError`). They are not among :attr:`failed`, so
        running the failed items again never repeats a step that may have happened.
        """
        return self._having(ItemStatus.MAYBE_APPLIED)

    @property
    def not_done(self) -> tuple[ItemResult[S, R], ...]:
        """The items the job was cancelled before finishing."""
        return self._having(ItemStatus.NOT_DONE)

    def __len__(self) -> int:
        return len(self.results)

    def __iter__(self) -> Iterator[ItemResult[S, R]]:
        return iter(self.results)


Worker = Callable[[S, list[str]], Awaitable[R]]
"""Works on one item; appends the name of each step it completes to the list it is given."""


class BulkJob(Generic[S, R]):
    """A running bulk job: await it for its :class:`BulkReport`, or :meth:`cancel` it.

    It starts when it is created (in the running event loop). If the task awaiting it is
    cancelled, the job is cancelled too; :attr:`report` still tells what was done.
    """

    def __init__(
        self,
        items: Sequence[S],
        worker: Worker[S, R],
        *,
        on_progress: Callable[[Progress[S, R]], object] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        refused: dict[int, BaseException] | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self._items = items
        self._worker = worker
        self._on_progress = on_progress
        self._concurrency = concurrency
        self._results: dict[int, ItemResult[S, R]] = {}
        self._steps: dict[int, list[str]] = {}
        self._counts = dict.fromkeys(ItemStatus, 0)
        self._cancelled = False
        self._started = False
        for index, error in sorted((refused or {}).items()):
            self._finish(ItemResult(index, items[index], ItemStatus.FAILED, error=error))
        self._task = asyncio.get_running_loop().create_task(self._main())

    @property
    def total(self) -> int:
        """Items in the job."""
        return len(self._items)

    @property
    def finished(self) -> bool:
        """Whether the job has ended (every item finished, or cancelled)."""
        return self._task.done()

    @property
    def report(self) -> BulkReport[S, R]:
        """The report as of now: items not finished yet are ``NOT_DONE``."""
        results = tuple(
            self._results.get(i)
            or ItemResult(i, item, ItemStatus.NOT_DONE, steps=tuple(self._steps.get(i, ())))
            for i, item in enumerate(self._items)
        )
        return BulkReport(results, cancelled=self._cancelled)

    def cancel(self) -> None:
        """Stop the job: items in progress stop where they are; awaiting it returns the report.

        Requests already sent run to their end at SMSC, holding their concurrency slots
        until then, as any abandoned request does.
        """
        if not self._task.done():
            self._cancelled = True
            if self._started:  # else _main sees the flag and stops before any item
                self._task.cancel()

    async def wait(self) -> BulkReport[S, R]:
        """Wait for the job to end; its report."""
        try:
            return await asyncio.shield(self._task)
        except asyncio.CancelledError:
            if not self._task.done():  # it is our caller who was cancelled, not the job
                self.cancel()
            raise

    def __await__(self) -> Generator[Any, None, BulkReport[S, R]]:
        return self.wait().__await__()

    # -- running --------------------------------------------------------------------------

    async def _main(self) -> BulkReport[S, R]:
        self._started = True
        if self._cancelled:
            return self.report
        pending = iter([i for i in range(len(self._items)) if i not in self._results])
        try:
            async with anyio.create_task_group() as group:
                for _ in range(min(self._concurrency, len(self._items))):
                    group.start_soon(self._work, pending)
        except asyncio.CancelledError:
            # Only cancel() cancels this task; the report is what it asked for.
            self._cancelled = True
        return self.report

    async def _work(self, pending: Iterable[int]) -> None:
        for index in pending:  # one iterator shared by every worker: each item is taken once
            steps = self._steps[index] = []
            item = self._items[index]
            result: ItemResult[S, R]
            try:
                value = await self._worker(item, steps)
            except asyncio.CancelledError as exc:
                if self._cancelled:  # cancel(), or our awaiter was cancelled: stop here
                    raise
                # A stray cancellation from inside the worker (a future someone else
                # cancelled) is that item's failure; it must not stop the others.
                result = ItemResult(index, item, ItemStatus.FAILED, error=exc, steps=tuple(steps))
            except PartlyDone as exc:
                status = ItemStatus.PARTLY_DONE
                result = ItemResult(
                    index, item, status, value=exc.value, error=exc, steps=tuple(steps)
                )
            except MaybeAppliedError as exc:
                # Not a plain failure: the step may have happened, so it is kept apart from
                # the failures a caller would run again.
                status = ItemStatus.MAYBE_APPLIED
                result = ItemResult(index, item, status, error=exc, steps=tuple(steps))
            except Exception as exc:  # noqa: BLE001 - one item's failure is that item's result
                result = ItemResult(index, item, ItemStatus.FAILED, error=exc, steps=tuple(steps))
            else:
                result = ItemResult(index, item, ItemStatus.DONE, value=value, steps=tuple(steps))
            self._finish(result)

    def _finish(self, result: ItemResult[S, R]) -> None:
        self._results[result.index] = result
        self._steps.pop(result.index, None)
        self._counts[result.status] += 1
        if self._on_progress is None:
            return
        counts = self._counts
        progress = Progress(
            len(self._results),
            len(self._items),
            counts[ItemStatus.DONE],
            counts[ItemStatus.FAILED],
            result,
            maybe_applied=counts[ItemStatus.MAYBE_APPLIED],
            partly_done=counts[ItemStatus.PARTLY_DONE],
        )
        try:
            self._on_progress(progress)
        except Exception:
            log.exception("smsc_async: the on_progress hook raised")


def run(
    items: Iterable[S],
    worker: Worker[S, R],
    *,
    on_progress: Callable[[Progress[S, R]], object] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> BulkJob[S, R]:
    """Start a bulk job: ``worker(item, steps)`` for every item, ``concurrency`` at a time.

    Args:
        items: The items (read at once, so the report can list every one).
        worker: Works on one item; its return value is the item's ``value``. It appends the
            name of each step it completes to ``steps``.
        on_progress: Called (synchronously, so keep it quick) each time an item finishes,
            in order: ``finished`` counts 1, 2, ... up to ``total``.
        concurrency: Items worked on at once.

    Returns:
        The running job; await it for the :class:`BulkReport`.
    """
    return BulkJob(list(items), worker, on_progress=on_progress, concurrency=concurrency)
