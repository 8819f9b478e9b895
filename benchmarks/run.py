"""Run the benchmarks, print their tables, and write them to ``benchmarks/RESULTS.md``.

Run: ``nox -s bench`` (installs the peer package the comparison needs), or
``python benchmarks/run.py [NAME ...]`` for some of them (``makespan``, ``loopback``,
``cost_per_call``, ``limiter_pass``, ``redis_pass``, ``decoding``, ``imports``, ``peers``,
``fastapi_app``, ``memory``, ``contacts_stream``, ``processes``). A run of some writes only
those to the file; a full run replaces it.
Never part of the test run.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
from pathlib import Path

from _bench import HERE, Table, machine, stamp

ORDER = (
    "makespan",
    "loopback",
    "cost_per_call",
    "limiter_pass",
    "redis_pass",
    "decoding",
    "imports",
    "peers",
    "fastapi_app",
    "memory",
    "contacts_stream",
    "processes",
)


def main() -> None:
    """Run the chosen benchmarks in order; write what they measured."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    names = args.names or list(ORDER)
    load = os.getloadavg()[0]
    command = "nox -s bench" if not args.names else "python benchmarks/run.py " + " ".join(names)
    header = [
        "# Benchmark results",
        "",
        f"- Run: `{command}` on {stamp()}",
        f"- Machine: {machine()}",
        f"- Load average when it started: {load:.2f}",
        "",
        "Each table says what it measures and how; a MISS against a target is a finding,",
        "explained in the README's performance section.",
    ]
    print("\n".join(header[2:5]))
    sections = []
    for name in names:
        started = time.perf_counter()
        tables: list[Table] = importlib.import_module(name).run()
        took = time.perf_counter() - started
        for table in tables:
            print()
            print(table.text())
        print(f"({name}: {took:.1f} s)")
        sections += [table.markdown() for table in tables]
    args.output.write_text("\n\n".join(["\n".join(header), *sections]) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
