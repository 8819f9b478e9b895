"""What a call through smsc_async costs next to raw httpx posting the same form.

Run: ``python benchmarks/cost_per_call.py`` (or ``nox -s bench``). Both clients post the same
distinct sender-name lists, one after another, to the same in-process emulator
(``httpx.ASGITransport``, no latency): the difference is smsc_async's own path (limiter,
form building, decoding into models, error mapping). Target: within 1.3 x raw httpx.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from _bench import Table, sender_list_form, verdict

from smsc_async.testing import Emulator

CALLS = 2000
REPEATS = 7
TARGET = 1.3


async def ours(n: int) -> float:
    """CPU seconds per call through ``smsc.senders.list`` (the emulator's included)."""
    emulator = Emulator()
    async with emulator.client() as smsc:
        await smsc.senders.list(cnt=n + 1)  # warm-up
        started = time.process_time()
        for k in range(1, n + 1):
            await smsc.senders.list(cnt=k)
        return (time.process_time() - started) / n


async def raw(n: int) -> float:
    """CPU seconds per call posting the same form with a bare ``httpx.AsyncClient``."""
    emulator = Emulator()
    async with httpx.AsyncClient(
        transport=emulator.transport(), base_url="http://smsc.emulator/sys/"
    ) as http:
        await http.post("senders.php", data=sender_list_form(n + 1))
        started = time.process_time()
        for k in range(1, n + 1):
            response = await http.post("senders.php", data=sender_list_form(k))
            response.raise_for_status()
            response.json()
        return (time.process_time() - started) / n


def run() -> list[Table]:
    """Paired runs (raw, then ours, back to back): the median of their ratios.

    The machine's speed drifts between runs (a shared VM); each pair shares its moment, so
    the ratio of a pair is steadier than the ratio of two bests.
    """
    raws, oursv, ratios = [], [], []
    for _ in range(REPEATS):
        r, o = asyncio.run(raw(CALLS)), asyncio.run(ours(CALLS))
        raws.append(r)
        oursv.append(o)
        ratios.append(o / r)
    ratio = statistics.median(ratios)
    table = Table(
        f"Cost per call against raw httpx (in-process emulator, {CALLS} sequential distinct "
        f"calls, {REPEATS} paired runs)",
        ["client", "CPU us per call (median)", "ratio (median of pairs)", f"target <= {TARGET:g}x"],
    )
    table.add(
        "raw httpx.AsyncClient + json.loads", f"{statistics.median(raws) * 1e6:.0f}", "1.00", ""
    )
    table.add(
        "smsc_async senders.list",
        f"{statistics.median(oursv) * 1e6:.0f}",
        f"{ratio:.3f} ({min(ratios):.2f}-{max(ratios):.2f})",
        verdict(ratio <= TARGET),
    )
    table.notes.append(
        "Both include the emulator's own work (Starlette routing, rendering the reply); "
        "smsc_async's own path (limiter, form, decoding into models, error mapping) costs "
        f"about {(statistics.median(oursv) - statistics.median(raws)) * 1e6:.0f} us a call."
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
