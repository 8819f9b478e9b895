"""A child process for the loopback benchmarks: serve an emulator on 127.0.0.1 until told.

Prints the base URL on the first line; when its standard input closes, it stops serving
and prints what the emulator saw as one JSON line (requests, error 9 answers, rule
violations, peak requests in flight for any login), then exits.

    python benchmarks/_serve_emulator.py --latency=0.02 --contacts=100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from smsc_async.testing import Emulator, serving


def emulator(latency: float, contacts: int, minute: float) -> Emulator:
    """An emulator with ``contacts`` contacts in the default account's phone book."""
    em = Emulator(latency=latency, minute=minute, approve_senders=True)
    for i in range(contacts):
        em.contacts.add_contact(
            [f"7999{i:07d}"], groups=[301], name=f"Contact {i}", last_name="Ivanov"
        )
    return em


async def main(latency: float, contacts: int, minute: float) -> None:
    """Serve until standard input closes, then report."""
    em = emulator(latency, contacts, minute)
    async with serving(em) as base_url:
        print(base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await em.drain()
    peaks = em.rulebook.peak_in_flight
    report = {
        "requests": len(em.traffic),
        "error_9": sum(x.error_code == 9 for x in em.traffic),
        "violations": len(em.violations),
        "peak_in_flight": max(peaks.values(), default=0),
    }
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--contacts", type=int, default=0)
    parser.add_argument("--minute", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(main(args.latency, args.contacts, args.minute))
