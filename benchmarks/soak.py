"""Chaos soak: bulk provisioning and sending through every fault the emulator can inject.

Run: ``nox -s soak`` or ``python benchmarks/soak.py [--items N] [--seed S] [--fmt F ...]``.
For each wire format, one client provisions ``items`` subclients (create, pay, one sender
name each) while it sends ``items`` messages, against the in-process emulator on a looptime
event loop (virtual time: hours of rate windows and 40-second stalls take no real time).
The emulator breaks requests at random, seeded: connections reset before and after
processing, proxy 502 pages, bodies cut in half, bodies sent slowly, latency spikes past
the client's timeout, and bursts of error 9 the client did not cause.

Each item must end in a report that tells the truth, so the figures that must be 0 are:

- **duplicates**: something done twice at the server (a message id held twice in the
  outbox, a payment made twice, a creation or sender name refused because our own earlier
  attempt had made it);
- **self-caused error 9**: requests the emulator refused for breaking one of SMSC's rules
  (``emulator.violations``; the injected error 9 answers are not among them);
- **unhandled**: an item ended by anything but an :class:`~smsc_async.SmscError`, a job that
  raised, or an exception the event loop was left with (a task's exception never
  retrieved);
- **mismatches**: an item's report disagreeing with the server: *done* but not all there,
  a step reported done that did not happen, or *failed* although its failed step did
  happen (that lie invites a re-run that does it twice). *Maybe applied* may go either way.

The engine is also the default test run's (``tests/test_soak.py``, 200 items per format),
so it imports nothing but the package; the repository root is on the tests' path, as for
``tests.cli.conftest``. The exit status is 1 when a must-be-0 figure is not 0.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import sys
import time
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from smsc_async import Format, Provisioned, Sent, SmscClient, SmscError, SubclientSpec, bulk
from smsc_async.bulk import BulkReport, ItemResult, ItemStatus
from smsc_async.testing import DEFAULT_LOGIN, Emulator
from smsc_async.testing._faults import FaultKind, Faults, Plan

__all__ = [
    "MUST_BE_ZERO",
    "SEED",
    "ChaosFaults",
    "JobFigures",
    "SoakResult",
    "main",
    "run",
    "soak",
    "text",
]

SEED = 16
"""The soak's seed (issue 16): the faults drawn, and the client's retry jitter."""
PASSWORD = "S0ak-pass-word"  # noqa: S105 - the soak subclients' password
PAYMENT = Decimal(10)
LATENCY = 0.05

MUST_BE_ZERO = ("duplicates", "self_error_9", "unhandled", "mismatches")


# -- the faults ---------------------------------------------------------------------------


@attrs.define
class ChaosFaults(Faults):
    """Faults drawn at random for each request, besides any planned ones.

    The emulator asks at four points of a request: before processing (reset), instead of
    processing (502), at the rules (an error code), when answering (reset, cut, slow body);
    and its latency once. Each point draws its own fault, with its probability.

    Attributes:
        rates: Probability of each fault at its point; ``"spike"`` is a latency spike,
            ``"burst"`` the start of a burst of error 9 answers.
        spike: Seconds a latency spike adds, drawn between these (past the client's 30 s
            timeout at the top).
        slow: Seconds between the pieces of a slow body, drawn between these.
        burst: How many requests a burst of error 9 answers, drawn between these.
        injected: Faults injected so far, by kind.
    """

    rates: dict[str, float] = attrs.field(
        factory=lambda: {
            FaultKind.RESET_BEFORE.value: 0.01,
            FaultKind.BAD_GATEWAY.value: 0.01,
            FaultKind.RESET_AFTER.value: 0.01,
            FaultKind.TRUNCATE.value: 0.01,
            FaultKind.SLOW_BODY.value: 0.01,
            "spike": 0.005,
            "burst": 0.004,
        }
    )
    spike: tuple[float, float] = (5.0, 40.0)
    slow: tuple[float, float] = (0.1, 15.0)
    burst: tuple[int, int] = (1, 5)
    injected: collections.Counter[str] = attrs.field(factory=collections.Counter)
    _burst_left: int = 0

    def delay(self) -> float:
        """The processing time of the next request: now and then a spike."""
        base = super().delay()
        if self._random.random() < self.rates["spike"]:
            self.injected["spike"] += 1
            return base + self._random.uniform(*self.spike)
        return base

    def take(self, command: str, kinds: frozenset[FaultKind]) -> Plan | None:
        """A planned fault if there is one, else one drawn for this point of the request."""
        planned = super().take(command, kinds)
        if planned is not None:
            return planned
        if FaultKind.ERROR in kinds:
            return self._error_9(command)
        for kind in sorted(kinds, key=lambda k: k.value):  # one draw per kind, in fixed order
            if self._random.random() < self.rates[kind.value]:
                self.injected[kind.value] += 1
                delay = self._random.uniform(*self.slow) if kind is FaultKind.SLOW_BODY else 0.0
                return Plan(kind, command, None, delay=delay)
        return None

    def _error_9(self, command: str) -> Plan | None:
        """Error 9 the client did not cause: another process on the login, in bursts."""
        if not self._burst_left and self._random.random() < self.rates["burst"]:
            self._burst_left = self._random.randint(*self.burst)
        if not self._burst_left:
            return None
        self._burst_left -= 1
        self.injected["foreign error 9"] += 1
        # Both of SMSC's descriptions: a window's (for send.php: a duplicate) and the
        # concurrency rule's; fmt=1 carries neither, so there every 9 reads as a window's.
        message = self._random.choice(
            ["duplicate request, wait a minute", "too many concurrent requests"]
        )
        return Plan(FaultKind.ERROR, command, None, code=9, message=message)


# -- figures ------------------------------------------------------------------------------

OUTCOMES = ("items", "done", "failed", "maybe_applied", "not_done")


@attrs.frozen
class JobFigures:
    """One bulk job's outcome under the faults, and what the server says of it.

    Attributes:
        job: ``"provision"`` or ``"send"``.
        outcomes: Items in the job, and how many the report says are done, failed, maybe
            applied, not done (none: nothing cancels the job), by the names of
            :data:`OUTCOMES`.
        maybe_happened: Of the maybe-applied items, those whose step in doubt did happen.
        found: For each figure of :data:`MUST_BE_ZERO`, a line per case found.
        reasons: What ended the items not done, counted: ``"failed: ParseError"``,
            ``"maybe_applied: SendUnconfirmedError (send.send)"``...
    """

    job: str
    outcomes: dict[str, int]
    maybe_happened: int
    found: dict[str, tuple[str, ...]]
    reasons: dict[str, int] = attrs.field(factory=dict)

    def count(self, figure: str) -> int:
        """How many cases of a must-be-0 figure were found (or an outcome's count)."""
        return len(self.found[figure]) if figure in self.found else self.outcomes[figure]


@attrs.frozen
class SoakResult:
    """A soak of one wire format.

    Attributes:
        fmt: The wire format.
        seed: The seed of the faults (and of the client's retry jitter).
        jobs: The provisioning job's figures, then the sending job's.
        loop_errors: Exceptions the event loop was left with (unhandled: must be 0).
        injected: Faults injected, by kind.
        requests: Requests the emulator received.
        virtual_seconds: Loop time the soak took.
        wall_seconds: Real time it took.
    """

    fmt: Format
    seed: int
    jobs: tuple[JobFigures, ...]
    loop_errors: tuple[str, ...]
    injected: dict[str, int]
    requests: int
    virtual_seconds: float
    wall_seconds: float

    def total(self, figure: str) -> int:
        """A figure over both jobs (unhandled counts the loop's exceptions too)."""
        extra = len(self.loop_errors) if figure == "unhandled" else 0
        return sum(job.count(figure) for job in self.jobs) + extra

    @property
    def ok(self) -> bool:
        """Whether every figure that must be 0 is 0."""
        return all(self.total(figure) == 0 for figure in MUST_BE_ZERO)

    @property
    def problems(self) -> tuple[str, ...]:
        """Every case found of a must-be-0 figure, one line each (empty when :attr:`ok`)."""
        found = [line for job in self.jobs for f in MUST_BE_ZERO for line in job.found[f]]
        return (*found, *(f"event loop: {e}" for e in self.loop_errors))


# -- the soak -----------------------------------------------------------------------------


def _specs(items: int) -> list[SubclientSpec]:
    return [
        SubclientSpec(f"soak{i:05d}", PASSWORD, payment=PAYMENT, senders=(f"SK{i:05d}",))
        for i in range(items)
    ]


def _phone(i: int) -> str:
    return f"7999{i:07d}"


async def soak(items: int, fmt: Format, seed: int = SEED) -> SoakResult:
    """Provision ``items`` subclients and send ``items`` messages at once, under the faults.

    Run it on a looptime loop (:func:`run` makes one); the client has its default settings.
    """
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    loop_errors: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: loop_errors.append(_describe(context)))
    emulator = Emulator(latency=LATENCY, approve_senders=True, seed=seed)
    chaos = emulator.faults = ChaosFaults(latency=LATENCY, seed=seed)
    begun = loop.time()
    try:
        async with emulator.client(fmt=fmt) as smsc:
            _seed_jitter(smsc, seed)

            async def send(i: int, steps: list[str]) -> Sent:
                sent = await smsc.messages.send(_phone(i), f"Soak message {i}", id=i + 1)
                steps.append("send")
                return sent

            jobs = await asyncio.gather(
                _guarded(smsc.subclients.provision(_specs(items))),
                _guarded(bulk.run(range(items), send)),
            )
        await emulator.drain()  # requests the client gave up on still change the server
        elapsed = loop.time() - begun
        gc.collect()  # a task's exception never retrieved is reported when it is collected
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    (provisioned, job_error_p), (sent, job_error_s) = jobs
    figures = (
        _provision_figures(emulator, provisioned, job_error_p),
        _send_figures(emulator, sent, job_error_s),
    )
    return SoakResult(
        fmt,
        seed,
        figures,
        tuple(loop_errors),
        dict(sorted(chaos.injected.items())),
        len(emulator.traffic),
        elapsed,
        time.perf_counter() - started,
    )


def run(items: int, fmt: Format, seed: int = SEED) -> SoakResult:
    """:func:`soak` on a fresh looptime event loop (virtual time)."""
    import looptime  # noqa: PLC0415 - test extra

    loop = looptime.new_event_loop(start=0.0)
    try:
        return loop.run_until_complete(soak(items, fmt, seed))
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def _seed_jitter(smsc: SmscClient, seed: int) -> None:
    """Seed the client's retry jitter too, so a run repeats exactly (an internal: tolerant)."""
    path = getattr(smsc, "_path", None)
    jitter = getattr(path, "_random", None)
    if jitter is not None:
        jitter.seed(seed)


async def _guarded(job: bulk.BulkJob[Any, Any]) -> tuple[BulkReport[Any, Any], str | None]:
    """The job's report; if awaiting it raised, the report so far and what it raised."""
    try:
        return await job, None
    except Exception as exc:  # noqa: BLE001 - a job that raises is a finding, not a crash
        return job.report, f"the job raised {type(exc).__name__}: {exc}"


def _describe(context: dict[str, Any]) -> str:
    exc = context.get("exception")
    what = f"{type(exc).__name__}: {exc}" if exc is not None else ""
    return f"{context.get('message', '')} {what}".strip()


def _figures(
    job: str,
    emulator: Emulator,
    report: BulkReport[Any, Any],
    job_error: str | None,
    *,
    scripts: tuple[str, ...],
    duplicates: list[str],
    mismatches: list[str],
    maybe_happened: int,
) -> JobFigures:
    unhandled = [
        f"item {r.index} ended by {type(r.error).__name__}: {r.error}"
        for r in report
        if r.error is not None and not isinstance(r.error, SmscError)
    ]
    self_9 = [
        f"self-caused error 9: {v.command} at {v.time:.2f} s ({v.rule})"
        for v in emulator.violations
        if v.command.split(".")[0] in scripts
    ]
    outcomes = [len(report), *(len(r) for r in (report.done, report.failed))]
    outcomes += [len(report.maybe_applied), len(report.not_done)]
    reasons = collections.Counter(_reason(r) for r in report if r.status is not ItemStatus.DONE)
    return JobFigures(
        job,
        dict(zip(OUTCOMES, outcomes, strict=True)),
        maybe_happened,
        {
            "duplicates": tuple(duplicates),
            "self_error_9": tuple(self_9),
            "unhandled": (*unhandled, *([job_error] if job_error else [])),
            "mismatches": tuple(mismatches),
        },
        dict(reasons.most_common()),
    )


def _reason(result: ItemResult[Any, Any]) -> str:
    error = result.error
    command = getattr(error, "command", "")
    return f"{result.status.value}: {type(error).__name__}" + (f" ({command})" if command else "")


def _provision_figures(
    emulator: Emulator, report: BulkReport[SubclientSpec, Provisioned], job_error: str | None
) -> JobFigures:
    # Every login and name is new to the server: a refusal as existing (error 5) means an
    # earlier attempt of ours had made it.
    duplicates = [
        f"{x.command} for {x.params.get('user')}: refused as existing (error 5), made by us"
        for x in emulator.traffic
        if x.command in ("users.add", "senders.add") and x.error_code == 5
    ]
    mismatches: list[str] = []
    maybe_happened = 0
    for result in report:
        spec = result.item
        happened = _provision_state(emulator, spec)
        duplicates += [f"{spec.user}: {n} payments" for n in [happened["pay"]] if n > 1]
        order = ["create", "pay", "sender"]  # the steps' names, up to the sender's name
        steps = [step.split(" ")[0] for step in result.steps]
        wrong = [step for step in steps if not happened[step]]
        if result.status is ItemStatus.DONE:
            wrong += [step for step in order if not happened[step]]
        doubt = order[len(steps)] if len(steps) < len(order) else None
        if result.status is ItemStatus.FAILED and doubt and happened[doubt]:
            wrong.append(f"{doubt} happened ({type(result.error).__name__}: {result.error})")
        maybe_happened += bool(
            result.status is ItemStatus.MAYBE_APPLIED and doubt and happened[doubt]
        )
        if wrong:
            listed = ", ".join(sorted(set(wrong)))
            mismatches.append(f"{spec.user} reported {result.status.value}; at SMSC: {listed}")
    return _figures(
        "provision",
        emulator,
        report,
        job_error,
        scripts=("users", "senders"),
        duplicates=duplicates,
        mismatches=mismatches,
        maybe_happened=maybe_happened,
    )


def _provision_state(emulator: Emulator, spec: SubclientSpec) -> dict[str, int]:
    """What the server holds of a spec: created (0/1), payments made, sender name (0/1)."""
    entry = emulator.users.subclients.get(spec.user)
    names = emulator.senders.names.get(spec.user, {})
    return {
        "create": int(entry is not None),
        "pay": len(entry.payments) if entry is not None else 0,
        "sender": int(any(e.sender == spec.senders[0] for e in names.values())),
    }


def _send_figures(
    emulator: Emulator, report: BulkReport[int, Sent], job_error: str | None
) -> JobFigures:
    held = collections.Counter(
        (e.id, e.phone) for e in emulator.outbox.entries if e.login == DEFAULT_LOGIN
    )
    duplicates = [
        f"message {i} to {phone} held {n} times" for (i, phone), n in held.items() if n > 1
    ]
    mismatches: list[str] = []
    maybe_happened = 0
    for result in report:
        there = held[str(result.item + 1), _phone(result.item)] > 0
        if result.status is ItemStatus.DONE and not there:
            mismatches.append(f"message {result.item + 1} reported done: not in the outbox")
        if result.status is ItemStatus.FAILED and there:
            why = f"{type(result.error).__name__}: {result.error}"
            mismatches.append(f"message {result.item + 1} reported failed ({why}): it was sent")
        maybe_happened += result.status is ItemStatus.MAYBE_APPLIED and there
    return _figures(
        "send",
        emulator,
        report,
        job_error,
        scripts=("send",),
        duplicates=duplicates,
        mismatches=mismatches,
        maybe_happened=maybe_happened,
    )


# -- presentation -------------------------------------------------------------------------

_COLUMNS = ("job", *OUTCOMES, "maybe happened", *MUST_BE_ZERO, "verdict")


def text(result: SoakResult, *, shown: int = 10) -> str:
    """The result as a plain-text table, with the faults injected and the first problems."""
    rows: list[list[object]] = []
    for job in result.jobs:
        zero = all(job.count(f) == 0 for f in MUST_BE_ZERO)
        outcomes = [job.count(f) for f in OUTCOMES]
        figures = [job.count(f) for f in MUST_BE_ZERO]
        rows.append([job.job, *outcomes, job.maybe_happened, *figures, _verdict(zero)])
    blank = [""] * len(OUTCOMES)
    rows.append(["event loop", *blank, "", "", "", len(result.loop_errors), "", ""])
    outcomes = [result.total(f) for f in OUTCOMES]
    happened = sum(job.maybe_happened for job in result.jobs)
    figures = [result.total(f) for f in MUST_BE_ZERO]
    rows.append(["all", *outcomes, happened, *figures, _verdict(result.ok)])
    title = (
        f"Chaos soak, fmt={int(result.fmt)} ({result.fmt.name.lower()}), seed {result.seed}: "
        f"{result.requests} requests, {result.virtual_seconds / 60:.1f} virtual minutes, "
        f"{result.wall_seconds:.1f} s real"
    )
    header = [c.replace("_", " ") for c in _COLUMNS]
    lines = [title, *_aligned([header, *rows])]
    injected = ", ".join(f"{kind} {n}" for kind, n in result.injected.items())
    lines.append(f"  * faults injected: {injected}")
    for job in result.jobs:
        reasons = ", ".join(f"{why} x{n}" for why, n in job.reasons.items())
        lines.append(f"  * {job.job} items not reported done: {reasons or 'none'}")
    lines.append("  * must be 0: duplicates, self error 9, unhandled, mismatches")
    problems = result.problems
    lines += [f"  ! {problem}" for problem in problems[:shown]]
    if len(problems) > shown:
        lines.append(f"  ! ... and {len(problems) - shown} more")
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def _aligned(rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Soak every format (or those named); print a table each; 1 if a must-be-0 is not 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--items", type=int, default=2000, help="items per job (default 2000)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"(default {SEED})")
    parser.add_argument("--fmt", type=int, action="append", choices=range(4), help="0-3")
    args = parser.parse_args(argv)
    formats = [Format(f) for f in args.fmt] if args.fmt else list(Format)
    started = time.perf_counter()
    results = []
    for fmt in sorted(formats, key=int):
        result = run(args.items, fmt, args.seed)
        results.append(result)
        print(text(result), end="\n\n", flush=True)
    print(f"soak: {time.perf_counter() - started:.1f} s in all")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
