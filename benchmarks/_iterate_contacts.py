"""A child process for ``memory.py``: iterate N contacts from a served emulator.

Prints one JSON line: contacts seen, peak RSS before iterating (after imports and the
first request) and after, in KiB. A process of its own, so its peak is the walk's alone.

    python benchmarks/_iterate_contacts.py http://127.0.0.1:8080/sys/ 100000
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
from pathlib import Path

from smsc_async import SmscClient
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD


def peak_kib() -> int:
    """The process's peak resident set so far, in KiB.

    On Linux, VmHWM: ``ru_maxrss`` carries over the parent's peak through fork and exec, so
    a child of a large parent would report the parent's size.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def main(base_url: str, count: int) -> None:
    """Walk ``count`` contacts, a page of 1000 at a time, keeping none of them."""
    async with SmscClient(
        login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, base_url=base_url
    ) as smsc:
        await smsc.contacts.list(cnt=1)  # imports, connection, converters built
        before = peak_kib()
        seen = 0
        async for _ in smsc.contacts.iterate():
            seen += 1
            if seen == count:
                break
    print(json.dumps({"seen": seen, "before_kib": before, "after_kib": peak_kib()}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
