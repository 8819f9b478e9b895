"""What every benchmark shares: result tables, the machine they ran on, and the ways to run.

Not a benchmark itself (``run.py`` skips modules whose name starts with ``_``). Each
benchmark module has a ``run() -> list[Table]`` and prints its tables when run alone;
``run.py`` runs them all and writes ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs

T = TypeVar("T")

HERE = Path(__file__).resolve().parent


@attrs.define
class Table:
    """One result table: a title, a header, rows of text cells, and notes under it.

    ``target`` says what the figures should meet; ``verdicts`` are filled per row by the
    benchmark (``"ok"`` / ``"MISS"``) so a miss is shown, never hidden.
    """

    title: str
    columns: Sequence[str]
    rows: list[list[str]] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)

    def add(self, *cells: object) -> None:
        """Append a row; floats are shown as given (format them before)."""
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append([str(c) for c in cells])

    def text(self) -> str:
        """The table for a terminal: aligned columns, notes below."""
        widths = [
            max(len(str(col)), *(len(r[i]) for r in self.rows)) if self.rows else len(col)
            for i, col in enumerate(self.columns)
        ]
        lines = [self.title]
        lines.append("  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True)))
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in self.rows]
        lines += [f"  * {n}" for n in self.notes]
        return "\n".join(lines)

    def markdown(self) -> str:
        """The table as GitHub markdown, notes as a list under it."""
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {n}" for n in self.notes]
        return "\n".join(lines)


def verdict(ok: bool) -> str:
    """``ok`` or ``MISS``: the word a table shows against a target."""
    return "ok" if ok else "MISS"


def machine() -> str:
    """One line naming the machine: CPU model, cores, OS, Python."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def virtual(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work()`` on an event loop with virtual time (looptime): sleeps take no time.

    Time moves only when every task waits, so a run of simulated hours costs the CPU time
    of its requests alone; ``loop.time()`` reads the simulated clock.
    """
    import looptime  # noqa: PLC0415 - test extra

    loop = looptime.new_event_loop(start=0.0)
    try:
        return loop.run_until_complete(work())
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


def real(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work()`` on a plain event loop (wall time)."""
    return asyncio.run(work())  # type: ignore[arg-type]


@attrs.frozen
class ServerStats:
    """What a served emulator saw, read when it stops (see ``_serve_emulator.py``)."""

    requests: int
    error_9: int
    violations: int
    peak_in_flight: int


@attrs.define
class ServedEmulator:
    """An emulator in a child process, served by uvicorn on 127.0.0.1.

    A process of its own, so the client's CPU time (``time.process_time()``) and memory
    are the client's alone.
    """

    base_url: str
    process: subprocess.Popen[str]
    stats: ServerStats | None = None


@contextlib.contextmanager
def served_emulator(
    *, latency: float = 0.0, contacts: int = 0, minute: float = 60.0
) -> Iterator[ServedEmulator]:
    """Start an emulator process; yield its base URL; on exit stop it and read its stats."""
    command = [
        sys.executable,
        str(HERE / "_serve_emulator.py"),
        f"--latency={latency}",
        f"--contacts={contacts}",
        f"--minute={minute}",
    ]
    process = subprocess.Popen(  # noqa: S603 - our own script
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        first = process.stdout.readline().strip()
        if not first.startswith("http://"):
            raise RuntimeError(f"the emulator process did not start: {first!r}")
        served = ServedEmulator(first, process)
        yield served
        process.stdin.close()  # the signal to stop and report
        report: dict[str, Any] = json.loads(process.stdout.readline())
        served.stats = ServerStats(**report)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        if not process.stdin.closed:
            process.stdin.close()


def run_child(script: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a benchmark helper script in a fresh interpreter; its last line is JSON."""
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(HERE / script), *args],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def sender_list_form(cnt: int) -> dict[str, str]:
    """The form ``smsc.senders.list(cnt=cnt)`` posts, for raw httpx to post the same."""
    from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD  # noqa: PLC0415

    return {
        "login": DEFAULT_LOGIN,
        "psw": DEFAULT_PASSWORD,
        "get": "1",
        "cnt": str(cnt),
        "fmt": "3",
        "charset": "utf-8",
    }


def stamp() -> str:
    """Now, in UTC, to the minute."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
