"""``smsc-async demo``: the main job, on the embedded emulator (no account needed).

The demo provisions a batch of subclients (each: created, paid, given one sender name)
concurrently against :class:`smsc_async.testing.Emulator`, which answers error 9 to every
request that breaks one of SMSC's anti-flood rules, and shows that the SDK's limiter keeps
every request within the rules while going about as fast as they allow.

It is split in two: :func:`run_demo`, a pure async core that returns a :class:`DemoSummary`
(the tests drive it in virtual time), and the click command, which renders it with rich: a
progress bar on standard error, the summary on standard output (a table, or one JSON object
with ``--json``).
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import click
from rich.table import Table

from smsc_async import Format, Provisioned, SmscClient, SubclientSpec
from smsc_async.bulk import Progress
from smsc_async.cli._common import err_console, out_console
from smsc_async.cli._jobs import progress_bar

if TYPE_CHECKING:
    from smsc_async.testing import Emulator

__all__ = ["DemoSummary", "demo", "lower_bound", "run_demo"]

# The defaults: 50 subclients make 10 batches of the 5 sender-name creations SMSC takes a
# minute, so the rules force 9 minutes of waiting; with a minute compressed to 2 s that is
# about 18 s of wall time: long enough to watch the limiter pace the job batch by batch,
# short enough to finish well under a minute. 50 items x 3 requests = 150 requests, enough
# to fill the 14 requests in flight per login at the start. 50 ms per request is a nearby
# server's answer time, and makes requests overlap, so the in-flight cap is visible.
DEFAULT_SUBCLIENTS = 50
DEFAULT_MINUTE = 2.0
DEFAULT_LATENCY = 0.05
MAX_SUBCLIENTS = 1000  # logins and sender names are numbered with 4 digits

SENDERS_PER_MINUTE = 5
"""SMSC's rule: at most 5 sender-name creations a minute per login (the demo's bottleneck)."""
RATE_LIMITED = 9
"""SMSC's anti-flood error code."""
REQUESTS_PER_ITEM = 3
"""Each subclient: ``users.php?add=1``, ``users.php?pay=1``, ``senders.php?add=1``."""
MARGIN_FLOOR = 0.02
"""Least margin in process, in seconds. The emulator runs on the client's event loop: a
request stamped as sent reaches it after the loop's other ready callbacks, some milliseconds
later whatever the length of a minute (with a margin of 3 ms, a 0.2 s minute earned error 9
in a quarter of runs; with 10 ms, in none of 40)."""
HTTP_MARGIN_FLOOR = 0.1
"""Least margin over loopback HTTP: connections being opened and the uvicorn server sharing
the client's event loop delay arrivals by tens of milliseconds (50 ms was not always enough)."""

_PASSWORD = "Dem0-shop-pass"  # noqa: S105 - the demo subclients' password, never printed
_PAYMENT = 100
_FORMATS = {"lines": Format.LINES, "csv": Format.CSV, "xml": Format.XML, "json": Format.JSON}


@attrs.frozen
class DemoSummary:
    """The figures of one demo run.

    Attributes:
        total: Subclients in the batch.
        done: Subclients created, paid and given their sender name.
        failed: Subclients that failed (or were not done).
        requests: Requests the emulator received.
        error_9: Error 9 answers (anti-flood refusals, and any injected): the claim is 0.
        violations: Requests the emulator refused for breaking one of SMSC's rules.
        peak_in_flight: The most requests of the login in flight at once.
        cap: The client's cap on requests in flight (SMSC refuses the 15th).
        elapsed: Seconds the batch took, by the event loop's clock.
        bound: The fewest seconds the rules allow for the batch (:func:`lower_bound`).
        ratio: ``elapsed / bound`` (``None`` when the bound is 0).
        fmt: The wire format used.
        minute: Seconds a minute lasts in the demo.
        latency: Seconds each request takes at the emulator.
        margin: The client's send-to-arrival allowance per rule window, in seconds.
        over_http: Whether the emulator was served over loopback HTTP (else in process).
        failures: ``"<login>: <error type>"`` for each failed subclient, in order.
    """

    total: int
    done: int
    failed: int
    requests: int
    error_9: int
    violations: int
    peak_in_flight: int
    cap: int
    elapsed: float
    bound: float
    ratio: float | None
    fmt: Format
    minute: float
    latency: float
    margin: float
    over_http: bool
    failures: tuple[str, ...] = ()

    @property
    def succeeded(self) -> bool:
        """Whether the demo's claim holds: every subclient done, and no error 9 answered."""
        return self.done == self.total and self.error_9 == 0 and self.violations == 0

    def reason(self) -> str | None:
        """Why the claim failed, in one line; ``None`` when it holds."""
        problems = []
        if self.done != self.total:
            first = f" (first: {self.failures[0]})" if self.failures else ""
            problems.append(f"{self.total - self.done} of {self.total} subclients not done{first}")
        if self.error_9:
            problems.append(f"SMSC answered error 9 {self.error_9} time(s)")
        if self.violations:
            problems.append(f"{self.violations} request(s) broke SMSC's rules")
        return "; ".join(problems) or None

    def as_json(self) -> dict[str, Any]:
        """The figures as plain JSON data (the format by name, seconds to the millisecond)."""
        data = attrs.asdict(self, recurse=False)
        data.update(
            fmt=self.fmt.name.lower(),
            elapsed=round(self.elapsed, 3),
            bound=round(self.bound, 3),
            margin=round(self.margin, 4),
            ratio=None if self.ratio is None else round(self.ratio, 4),
            failures=list(self.failures),
            ok=self.succeeded,
        )
        return data


def lower_bound(subclients: int, *, minute: float, latency: float, cap: int = 14) -> float:
    """The fewest seconds SMSC's rules allow for provisioning ``subclients`` subclients.

    Each subclient takes three requests in order: create, pay, add a sender name. The rule
    of 5 sender-name creations a minute per login dominates: the first creation can leave
    only once a creation and a payment have been answered (``2 * latency``); the last of
    ``ceil(n / 5)`` batches cannot arrive sooner than ``ceil(n / 5) - 1`` minutes after the
    first batch, and takes a latency to answer. So::

        2 * latency + (ceil(n / 5) - 1) * minute + latency

    With a short minute and a long latency the in-flight cap can dominate instead: ``3 * n``
    requests, at most ``cap`` at a time, each taking ``latency``: ``ceil(3n / cap) * latency``.
    The bound is the larger of the two. (The rule of 3 changes a minute per subclient never
    binds: each subclient has one creation and one payment.)

    Args:
        subclients: Subclients in the batch.
        minute: Seconds a minute lasts.
        latency: Seconds each request takes at the server.
        cap: Requests in flight at once.

    Returns:
        Seconds.
    """
    batches = math.ceil(subclients / SENDERS_PER_MINUTE)
    by_senders = 2 * latency + (batches - 1) * minute + latency
    by_slots = math.ceil(REQUESTS_PER_ITEM * subclients / cap) * latency
    return max(by_senders, by_slots)


def demo_margin(minute: float, *, over_http: bool = False) -> float:
    """The client's ``margin`` for a demo minute: 1 s per real minute, scaled with it.

    The client's default margin (1 s of send-to-arrival jitter allowed per rule window) is
    sized for 60 s minutes over the internet; against an emulator whose minute lasts 2 s it
    would stretch every window by half. The same 1 s per real minute keeps the proportion
    (2/60 s for the default minute). The delays of this process itself do not shrink with
    the minute, though, so the margin is at least :data:`MARGIN_FLOOR` in process and
    :data:`HTTP_MARGIN_FLOOR` over loopback HTTP.
    """
    return max(minute / 60.0, HTTP_MARGIN_FLOOR if over_http else MARGIN_FLOOR)


def _specs(subclients: int) -> list[SubclientSpec]:
    return [
        SubclientSpec(f"shop{i:04d}", _PASSWORD, payment=_PAYMENT, senders=(f"SHOP{i:04d}",))
        for i in range(subclients)
    ]


async def run_demo(
    *,
    subclients: int = DEFAULT_SUBCLIENTS,
    minute: float = DEFAULT_MINUTE,
    latency: float = DEFAULT_LATENCY,
    fmt: Format = Format.JSON,
    over_http: bool = False,
    on_progress: Callable[[Progress[SubclientSpec, Provisioned]], object] | None = None,
    prepare: Callable[[Emulator], object] | None = None,
) -> DemoSummary:
    """Provision ``subclients`` subclients on a fresh emulator; the figures of the run.

    Args:
        subclients: Subclients to provision (each: create, pay 100, one sender name).
        minute: Seconds a minute lasts, at the emulator and in the client's windows.
        latency: Seconds each request takes at the emulator.
        fmt: Wire format.
        over_http: Serve the emulator with uvicorn on 127.0.0.1 and talk HTTP to it;
            else the client calls it in process.
        on_progress: Called as each subclient finishes.
        prepare: Called with the emulator before any request (to inject faults).

    Returns:
        The summary; time is the running event loop's.
    """
    from smsc_async.testing import (  # noqa: PLC0415 - the emulator extra
        DEFAULT_LOGIN,
        DEFAULT_PASSWORD,
        Emulator,
        serving,
    )

    emulator = Emulator(minute=minute, latency=latency, approve_senders=True)
    if prepare is not None:
        prepare(emulator)
    margin = demo_margin(minute, over_http=over_http)
    loop = asyncio.get_running_loop()

    async def provision(smsc: SmscClient) -> tuple[float, int, list[str]]:
        started = loop.time()
        report = await smsc.subclients.provision(_specs(subclients), on_progress=on_progress)
        elapsed = loop.time() - started
        failures = [
            f"{r.item.user}: {type(r.error).__name__ if r.error else 'not done'}"
            for r in report
            if r.value is None
        ]
        return elapsed, len(report.done), failures

    if over_http:
        async with (
            serving(emulator) as base_url,
            SmscClient(
                login=DEFAULT_LOGIN,
                password=DEFAULT_PASSWORD,
                base_url=base_url,
                fmt=fmt,
                minute=minute,
                margin=margin,
            ) as smsc,
        ):
            cap = smsc.config.max_concurrency
            elapsed, done, failures = await provision(smsc)
    else:
        async with emulator.client(fmt=fmt, margin=margin) as smsc:
            cap = smsc.config.max_concurrency
            elapsed, done, failures = await provision(smsc)
    bound = lower_bound(subclients, minute=minute, latency=latency, cap=cap)
    return DemoSummary(
        total=subclients,
        done=done,
        failed=subclients - done,
        requests=len(emulator.traffic),
        error_9=sum(x.error_code == RATE_LIMITED for x in emulator.traffic),
        violations=len(emulator.violations),
        peak_in_flight=emulator.peak_in_flight(DEFAULT_LOGIN),
        cap=cap,
        elapsed=elapsed,
        bound=bound,
        ratio=elapsed / bound if bound > 0 else None,
        fmt=fmt,
        minute=minute,
        latency=latency,
        margin=margin,
        over_http=over_http,
        failures=tuple(failures),
    )


# -- presentation ---------------------------------------------------------------------------


def _minute_sentence(minute: float) -> str:
    if minute == 60.0:  # noqa: PLR2004 - a real minute
        return "A minute lasts 60 s here, as at SMSC."
    return (
        f"A minute lasts {minute:g} s here: SMSC's per-minute limits are compressed "
        f"{60.0 / minute:.3g}x."
    )


def _table(summary: DemoSummary) -> Table:
    where = "over HTTP on 127.0.0.1" if summary.over_http else "in process"
    table = Table(
        title=f"smsc-async demo: {summary.total} subclients on the SMSC emulator",
        caption=(
            f"{_minute_sentence(summary.minute)}\nEmulator {where}, "
            f"fmt={summary.fmt.name.lower()}, {summary.latency:g} s per request."
        ),
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("claim")
    ratio = "n/a" if summary.ratio is None else f"{summary.ratio:.3f}x"

    def mark(ok: bool) -> str:  # noqa: FBT001 - a local helper
        return "[green]ok[/]" if ok else "[red]FAILED[/]"

    table.add_row("subclients done", str(summary.done), mark(summary.done == summary.total))
    table.add_row("subclients failed", str(summary.failed), "")
    table.add_row("requests sent", str(summary.requests), "")
    in_flight = f"{summary.peak_in_flight} / {summary.cap}"
    table.add_row("peak in flight", in_flight, mark(summary.peak_in_flight <= summary.cap))
    table.add_row("error 9 answers", str(summary.error_9), mark(summary.error_9 == 0))
    table.add_row("time taken", f"{summary.elapsed:.2f} s", "")
    table.add_row("lower bound", f"{summary.bound:.2f} s", "the fastest the rules allow")
    table.add_row("time / bound", ratio, "1.000x at best")
    return table


@click.command()
@click.option(
    "--subclients",
    default=DEFAULT_SUBCLIENTS,
    show_default=True,
    type=click.IntRange(1, MAX_SUBCLIENTS),
    help="Subclients to provision (each: create, pay, one sender name).",
)
@click.option(
    "--minute",
    default=DEFAULT_MINUTE,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a minute lasts: SMSC's per-minute limits, compressed.",
)
@click.option(
    "--latency",
    default=DEFAULT_LATENCY,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds each request takes at the emulator.",
)
@click.option(
    "--fmt",
    "fmt_name",
    default="json",
    show_default=True,
    type=click.Choice([*_FORMATS, *(str(int(f)) for f in Format)], case_sensitive=False),
    help="Wire format, by name or number (every one gives the same results).",
)
@click.option("--http", "over_http", is_flag=True, help="Serve the emulator on 127.0.0.1 (HTTP).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def demo(
    *,
    subclients: int,
    minute: float,
    latency: float,
    fmt_name: str,
    over_http: bool,
    as_json: bool,
) -> None:
    """Provision subclients concurrently on the embedded emulator (no account needed).

    Each subclient is created, paid and given a sender name, all at once under the SDK's
    limiter, against an emulator that answers error 9 to any breach of SMSC's anti-flood
    rules. The summary shows the figures: no error 9, and the time close to the least the
    rules allow. Exit code 0 when every subclient is done without error 9, else 1.
    """
    fmt = _FORMATS[fmt_name] if fmt_name in _FORMATS else Format(int(fmt_name))
    err_console().print(
        f"Provisioning {subclients} subclients (create, pay, sender name) on the embedded "
        f"SMSC emulator. {_minute_sentence(minute)}",
        highlight=False,
    )
    with progress_bar(subclients, "subclients") as advance:
        try:
            summary = asyncio.run(
                run_demo(
                    subclients=subclients,
                    minute=minute,
                    latency=latency,
                    fmt=fmt,
                    over_http=over_http,
                    on_progress=advance,
                )
            )
        except ImportError as exc:  # the emulator extra is missing
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(summary.as_json()))
    else:
        out_console().print(_table(summary))
    reason = summary.reason()
    if reason is not None:
        raise click.ClickException(f"the demo's claim failed: {reason}")
