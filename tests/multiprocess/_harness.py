"""Worker processes against one served emulator: jobs, the processes, what the emulator saw.

Shared by the tests in this folder and by ``benchmarks/processes.py``. The emulator is
served from a thread of the calling process (``serving_in_thread``), so its traffic,
violations and in-flight peak are read directly; its clock (the serving loop's
``loop.time()``) is ``time.monotonic()``, the same clock the harness stamps kills with.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, Exchange

WORKER = Path(__file__).resolve().parent / "_worker.py"
CAP = 14  # SMSC refuses a login's 15th request in flight
SENDERS_PER_MINUTE = 5  # senders.php?add=1: 5 a minute per login


@attrs.frozen
class Shape:
    """A mixed job: distinct contacts (only the cap binds) and sender names (5 a minute).

    Attributes:
        contacts: Distinct contacts created, over every worker.
        senders: Distinct sender names created, over every worker.
        workers: Worker processes.
        minute: Seconds per emulated minute (emulator and clients alike).
        latency: Seconds the emulator takes per request.
        margin: The clients' window margin (loopback: a fraction of the SDK's 1 s).
    """

    contacts: int = 240
    senders: int = 15
    workers: int = 4
    minute: float = 2.0
    latency: float = 0.2
    margin: float = 0.25

    def bound(self) -> float:
        """The least makespan SMSC's rules allow, first request to last answer.

        - The cap: every request holds one of 14 places for ``latency``, so the
          ``contacts + senders`` requests need ``ceil(n / 14)`` rounds of ``latency``.
        - Sender names: at most 5 arrive in any window of one ``minute``, so the name
          number ``5j + 1`` arrives at least ``j`` minutes after the first; the last one
          (``j = ceil(senders / 5) - 1``) then takes ``latency`` to answer.

        The job ends no sooner than the larger of the two. (The clients' ``margin`` per
        window is theirs, not the rules': it is paid out of the 1.3x allowance.)
        """
        rounds = math.ceil((self.contacts + self.senders) / CAP) * self.latency
        senders = (math.ceil(self.senders / SENDERS_PER_MINUTE) - 1) * self.minute + self.latency
        return max(rounds, senders if self.senders else 0.0)

    def items(self, worker: int) -> list[dict[str, Any]]:
        """Worker ``worker``'s share: every ``workers``-th contact and sender name."""
        contacts = [
            {
                "key": f"contact-{k}",
                "kind": "contact",
                "phone": phone(k),
                "name": f"Client {k}",
            }
            for k in range(worker, self.contacts, self.workers)
        ]
        senders = [
            {"key": f"sender-{k}", "kind": "sender", "name": f"SHOP{k:04d}"}
            for k in range(worker, self.senders, self.workers)
        ]
        return senders + contacts

    def emulator(self) -> Emulator:
        """The emulator for the job: its minute, its latency, names approved at once."""
        return Emulator(minute=self.minute, latency=self.latency, approve_senders=True)


def phone(k: int) -> str:
    """Contact ``k``'s number: distinct per contact, so no identical-request window binds."""
    return f"7900{k:07d}"


@attrs.define
class Worker:
    """One worker process and what it printed."""

    index: int
    process: subprocess.Popen[str]
    lines: list[dict[str, Any]] = attrs.field(factory=list)
    stderr: str = ""
    ready: threading.Event = attrs.field(factory=threading.Event)
    _reader: threading.Thread | None = None

    def read(self) -> None:
        """Collect the worker's JSON lines (in a thread) until it closes stdout."""
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            record = json.loads(raw)
            self.lines.append(record)
            if "ready" in record:
                self.ready.set()
        self.ready.set()  # it ended, ready or not: nobody waits forever

    @property
    def reports(self) -> list[dict[str, Any]]:
        """The per-item reports printed so far."""
        return [r for r in self.lines if "item" in r]

    @property
    def done(self) -> bool:
        return any("done" in r for r in self.lines)


@attrs.define
class Workers:
    """The running workers of a job; :meth:`go` starts them all at once."""

    workers: list[Worker]
    killed_at: dict[int, float] = attrs.field(factory=dict)

    def go(self, *indices: int) -> None:
        """Let the workers named (every one by default) begin their items."""
        for worker in self.workers:
            if indices and worker.index not in indices:
                continue
            assert worker.process.stdin is not None
            worker.process.stdin.write("go\n")
            worker.process.stdin.flush()

    def wait(self, timeout: float) -> None:
        """Wait until every worker has exited (or raise ``TimeoutExpired``)."""
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                done = len(worker.reports)
                raise AssertionError(
                    f"worker {worker.index} still running after {timeout:g} s "
                    f"({done} items reported)"
                ) from None
            if worker._reader is not None:
                worker._reader.join(timeout=5)
            assert worker.process.stderr is not None
            worker.stderr = worker.process.stderr.read()

    def kill(self, index: int) -> float:
        """SIGKILL worker ``index``; returns the moment (``time.monotonic()``)."""
        self.workers[index].process.send_signal(signal.SIGKILL)
        self.killed_at[index] = time.monotonic()
        return self.killed_at[index]

    def reports(self, index: int | None = None) -> list[dict[str, Any]]:
        chosen = self.workers if index is None else [self.workers[index]]
        return [r for w in chosen for r in w.reports]


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a worker: this one's, the password in it, no proxies."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["SMSC_PASSWORD"] = DEFAULT_PASSWORD
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


@contextmanager
def workers(
    shape: Shape,
    base_url: str,
    *,
    redis_url: str | None,
    lease: float = 2.0,
    retry_for: float = 0.0,
    ready_timeout: float = 30.0,
) -> Iterator[Workers]:
    """Start ``shape.workers`` worker processes and wait until each is ready (not started).

    On leaving, every worker still running is killed and reaped, whatever happened.
    """
    started: list[Worker] = []
    try:
        for index in range(shape.workers):
            job = {
                "base_url": base_url,
                "login": DEFAULT_LOGIN,
                "minute": shape.minute,
                "margin": shape.margin,
                "redis_url": redis_url,
                "lease": lease,
                "retry_for": retry_for,
                "items": shape.items(index),
            }
            process = subprocess.Popen(  # noqa: S603 - our own script, our interpreter
                [sys.executable, str(WORKER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=worker_env(),
            )
            assert process.stdin is not None
            process.stdin.write(json.dumps(job) + "\n")
            process.stdin.flush()
            worker = Worker(index, process)
            worker._reader = threading.Thread(target=worker.read, daemon=True)
            worker._reader.start()
            started.append(worker)
        for worker in started:
            if not worker.ready.wait(ready_timeout) or worker.process.poll() is not None:
                worker.process.wait(timeout=5)
                assert worker.process.stderr is not None
                raise RuntimeError(
                    f"worker {worker.index} did not start: {worker.process.stderr.read()}"
                )
        yield Workers(started)
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.kill()
            worker.process.wait()
            for pipe in (worker.process.stdin, worker.process.stdout, worker.process.stderr):
                if pipe is not None:
                    pipe.close()


# -- what the emulator saw -----------------------------------------------------------------


def makespan(traffic: Sequence[Exchange]) -> float:
    """Seconds from the first request's arrival to the last answer."""
    ends = [e.end for e in traffic if e.end is not None]
    return max(ends) - min(e.start for e in traffic)


def in_flight_at(traffic: Sequence[Exchange], moment: float) -> int:
    """Requests the emulator was working on at ``moment``."""
    return sum(e.start <= moment < (e.end if e.end is not None else math.inf) for e in traffic)


def peak_between(traffic: Sequence[Exchange], start: float, end: float) -> int:
    """The most requests in flight at once between ``start`` and ``end`` (exact, not sampled).

    The count only rises when a request arrives, so its peak over the interval is at
    ``start`` or at an arrival inside it.
    """
    moments = [start, *(e.start for e in traffic if start <= e.start <= end)]
    return max(in_flight_at(traffic, m) for m in moments)
