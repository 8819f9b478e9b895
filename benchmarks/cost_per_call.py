"""What a call through smsc_async costs next to raw httpx posting the same form.

Run: ``python benchmarks/cost_per_call.py`` (or ``nox -s bench``). Both clients post the same
distinct sender-name lists, one after another, to the same in-process emulator
(``httpx.ASGITransport``, no latency): the difference is smsc_async's own path (limiter,
form building, decoding into models, error mapping). Target: within 1.3 x raw httpx.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from _bench import Table, sender_list_form, verdict

from smsc_async.testing import Emulator

CALLS = 2000
REPEATS = 5
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
    """Best of REPEATS runs of each, interleaved so drift hits both alike."""
    best_ours = best_raw = float("inf")
    for _ in range(REPEATS):
        best_raw = min(best_raw, asyncio.run(raw(CALLS)))
        best_ours = min(best_ours, asyncio.run(ours(CALLS)))
    ratio = best_ours / best_raw
    table = Table(
        f"Cost per call against raw httpx (in-process emulator, {CALLS} sequential distinct "
        f"calls, best of {REPEATS})",
        ["client", "CPU us per call", "ratio", f"target <= {TARGET:g}x"],
    )
    table.add("raw httpx.AsyncClient + json.loads", f"{best_raw * 1e6:.0f}", "1.00", "")
    table.add(
        "smsc_async senders.list",
        f"{best_ours * 1e6:.0f}",
        f"{ratio:.3f}",
        verdict(ratio <= TARGET),
    )
    table.notes.append(
        "Both include the emulator's own work (Starlette routing, rendering the reply); "
        f"smsc_async's own path costs about {(best_ours - best_raw) * 1e6:.0f} us a call."
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
