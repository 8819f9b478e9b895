"""Import cost: ``import smsc_async`` beside ``import httpx``, each in a fresh interpreter.

Run: ``python benchmarks/imports.py`` (or ``nox -s bench``). Each import is timed inside
its own child process (``time.perf_counter()`` around the import statement, so the
interpreter's start-up does not count), the statements taking turns, PAIRS rounds; the
table shows medians and their ratio. Target: ``import smsc_async`` within 1.2x of
``import httpx``. A second table lists which optional or heavy modules each statement
leaves in ``sys.modules``: after ``import smsc_async`` none should be there.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from _bench import Table, verdict

PAIRS = 15
TARGET = 1.2
BASELINE = "import httpx"
STATEMENTS = (BASELINE, "import smsc_async", "from smsc_async import SmscClient")
HEAVY = (
    "cattrs",
    "starlette",
    "click",
    "rich",
    "redis",
    "aiohttp",
    "httpx2",
    "opentelemetry",
    "smsc_async.testing",
    "smsc_async.cli",
    "httpx",
    "asyncio",
)
"""Modules (and their submodules) looked for after each statement."""

# The child: time the statement, then name what it loaded of HEAVY (a prefix match, so
# "cattrs" also finds cattrs.gen and cattrs.preconf.json).
_CHILD = """
import json, sys, time
started = time.perf_counter()
exec({statement!r})
took = time.perf_counter() - started
heavy = {heavy!r}
loaded = sorted(
    name for name in sys.modules
    if any(name == h or name.startswith(h + ".") for h in heavy)
)
print(json.dumps({{"ms": took * 1e3, "loaded": loaded}}))
"""


def measure(statement: str) -> tuple[float, list[str]]:
    """One fresh interpreter: milliseconds the statement took, and the HEAVY modules loaded."""
    done = subprocess.run(  # noqa: S603 - our own child script
        [sys.executable, "-c", _CHILD.format(statement=statement, heavy=HEAVY)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["ms"]), list(result["loaded"])


def _families(loaded: list[str]) -> str:
    """The HEAVY entries with something loaded, e.g. ``cattrs (12 modules)``."""
    found = []
    for heavy in HEAVY:
        count = sum(1 for n in loaded if n == heavy or n.startswith(heavy + "."))
        if count:
            found.append(heavy if count == 1 else f"{heavy} ({count} modules)")
    return ", ".join(found) or "none"


def run() -> list[Table]:
    """Two tables: the import times against httpx, and what each import loads."""
    times: dict[str, list[float]] = {s: [] for s in STATEMENTS}
    loaded: dict[str, list[str]] = {}
    for _ in range(PAIRS):
        for statement in STATEMENTS:  # in turns, so a busy moment hits all of them alike
            ms, modules = measure(statement)
            times[statement].append(ms)
            loaded[statement] = modules
    base = statistics.median(times[BASELINE])
    table = Table(
        f"Import time in a fresh interpreter (median of {PAIRS}, in turns)",
        ["statement", "median ms", "x httpx", "target", "verdict"],
    )
    for statement in STATEMENTS:
        median = statistics.median(times[statement])
        ratio = median / base
        targeted = statement == "import smsc_async"
        table.add(
            f"`{statement}`",
            f"{median:.1f}",
            f"{ratio:.2f}",
            f"<= {TARGET:g}x" if targeted else "",
            verdict(ratio <= TARGET) if targeted else "",
        )
    table.notes.append(
        "The client, the limiter backends and the models load on first use (PEP 562), so "
        "`import smsc_async` costs the enums, the exception tree and attrs; "
        "`from smsc_async import SmscClient` adds httpx, asyncio, anyio and the command "
        "path (no target: it includes httpx itself); each family's commands and models "
        "load with its first use (`smsc.senders`), aiolimiter only with `max_rate`."
    )
    modules = Table(
        "Heavy or optional modules in sys.modules after each statement",
        ["statement", "loaded"],
    )
    for statement in STATEMENTS[1:]:
        modules.add(f"`{statement}`", _families(loaded[statement]))
    modules.notes.append(
        "Each wire format's decoder and cattrs converter load with its first reply. "
        "Where httpx's command-line extra is installed, `import httpx` itself loads click "
        "and rich (httpx/_main.py), so they appear beside the client."
    )
    return [table, modules]


if __name__ == "__main__":
    for t in run():
        print(t.text())
        print()
