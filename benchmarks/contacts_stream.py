"""Streaming a 25,000-contact phone book from the in-process emulator, in each wire format.

Run: ``python benchmarks/contacts_stream.py`` (or ``nox -s bench``). Reports the wall time of
the walk (25 pages of 1000, plus the request that finds no 26th; the emulator's rendering is
in it), contacts per second, and, in a second walk under tracemalloc, the peak memory the
walk adds next to what one page of models takes.
"""

from __future__ import annotations

import asyncio
import time
import tracemalloc

from _bench import Table

from smsc_async import Format
from smsc_async.testing import Emulator

TOTAL = 25_000


def emulator() -> Emulator:
    em = Emulator()
    for i in range(TOTAL):
        em.contacts.add_contact(
            [f"7999{i:07d}", f"7998{i:07d}"],
            groups=[301, 302],
            name=f"Contact {i}",
            last_name="Ivanov",
            birthday="01.05.1990",
        )
    return em


async def walk(fmt: Format, *, measure_memory: bool) -> tuple[float, int, int]:
    em = emulator()
    async with em.client(fmt=fmt) as smsc:
        await smsc.contacts.list(cnt=1000)  # warm-up, not measured
        one_page = base = 0
        if measure_memory:
            tracemalloc.start()
            page = await smsc.contacts.list(after_id=1000, cnt=1000)
            one_page = tracemalloc.get_traced_memory()[0]
            del page
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
        started = time.perf_counter()
        count = 0
        async for _ in smsc.contacts.iterate():
            count += 1
        seconds = time.perf_counter() - started
        peak = 0
        if measure_memory:
            peak = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
    assert count == TOTAL
    return seconds, peak, one_page


def run() -> list[Table]:
    """One table: per format, the walk's speed and the memory it adds."""
    table = Table(
        f"contacts.iterate() over {TOTAL} contacts (2 numbers, 2 groups each), in process",
        ["fmt", "seconds", "contacts/s", "walk peak KiB", "1 page KiB"],
    )
    for fmt in Format:
        # A loop per walk: each has its own rate windows (the first page is the same request
        # in every walk, and a shared login would wait out SMSC's 3 identical a minute).
        seconds, _, _ = asyncio.run(walk(fmt, measure_memory=False))
        _, peak, one_page = asyncio.run(walk(fmt, measure_memory=True))
        table.add(
            f"{int(fmt)} {fmt.name.lower()}",
            f"{seconds:.2f}",
            f"{TOTAL / seconds:.0f}",
            f"{peak / 1024:.0f}",
            f"{one_page / 1024:.0f}",
        )
    table.notes.append(
        "Wall time includes the emulator rendering each page in the same process; the peak "
        "is traced Python memory (tracemalloc) the walk adds, next to one page of models."
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
