"""Memory: peak RSS of a client iterating 1,000 to 100,000 contacts.

Run: ``python benchmarks/memory.py`` (or ``nox -s bench``). The emulator, holding 100,000
contacts, is served from a child process on 127.0.0.1; each walk runs in a fresh client
process of its own, so its peak resident set is the walk's alone. Target: flat in the number
of contacts iterated (``contacts.iterate()`` holds one page of 1000 at a time).
"""

from __future__ import annotations

from _bench import Table, run_child, served_emulator, verdict

COUNTS = (1_000, 10_000, 100_000)
# Flat: the largest walk may not peak more than this above the smallest one. One page of
# models, its body and the decoder's transient lists are a few MiB at most.
FLAT_MIB = 8.0


def run() -> list[Table]:
    """One table: per walk length, the client's peak RSS."""
    rows = []
    with served_emulator(contacts=max(COUNTS)) as served:
        for count in COUNTS:
            result = run_child("_iterate_contacts.py", served.base_url, str(count))
            assert result["seen"] == count, result
            rows.append((count, result["before_kib"] / 1024, result["after_kib"] / 1024))
    growth = rows[-1][2] - rows[0][2]
    table = Table(
        "Peak RSS of a client process iterating contacts (served emulator, pages of 1000)",
        ["contacts iterated", "peak RSS before MiB", "peak RSS after MiB", "added MiB"],
    )
    for count, before, after in rows:
        table.add(f"{count:,}", f"{before:.1f}", f"{after:.1f}", f"{after - before:.1f}")
    table.notes.append(
        f"From {COUNTS[0]:,} to {COUNTS[-1]:,} contacts the peak grows by {growth:.1f} MiB "
        f"(target: flat, under {FLAT_MIB:g} MiB): {verdict(growth < FLAT_MIB)}."
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
