"""Decoding cost: microseconds per record for 1,000-record lists, in each wire format.

Run: ``python benchmarks/decoding.py`` (or ``nox -s bench``). The bodies are what the
emulator renders for 1,000 contacts and 1,000 sender names; each is decoded with the
command's own shape into frozen attrs models (``decode_reply``: charset, error check,
parse, cattrs structuring). The floor is ``json.loads`` plus building one plain dict per
record with the same fields. Targets: JSON under 10 us a record, the other formats under 25.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from _bench import Table, verdict

from smsc_async import Contact, Format, Sender, SenderStatus
from smsc_async.formats import decode_reply
from smsc_async.resources import senders
from smsc_async.resources._books import PHONES
from smsc_async.testing._render import render_contacts, render_senders

RECORDS = 1000
REPEATS = 15
TARGET_JSON_US = 10.0
TARGET_OTHER_US = 25.0


def contact_bodies() -> dict[Format, bytes]:
    """The reply to ``phones.php?get=1`` listing 1,000 contacts, in each format."""
    contacts = [
        Contact(
            (f"7999{i:07d}", f"7998{i:07d}"),
            i + 1,
            name=f"Contact {i}",
            groups=(301, 302),
            last_name="Ivanov",
            birthday=dt.date(1990, 5, 1),
        )
        for i in range(RECORDS)
    ]
    return {fmt: render_contacts(fmt, contacts).encode() for fmt in Format}


def sender_bodies() -> dict[Format, bytes]:
    """The reply to ``senders.php?get=1&all=1`` listing 1,000 names, in each format."""
    names = [Sender(f"SHOP{i:04d}", 1000 + i, SenderStatus.ALLOWED) for i in range(RECORDS)]
    return {fmt: render_senders(fmt, names, all=True).encode() for fmt in Format}


def best_us(work: Callable[[], object]) -> float:
    """Best of REPEATS, in CPU microseconds per record (other processes do not count)."""
    best = float("inf")
    gc.collect()
    gc.disable()  # as timeit does: a collection triggered by earlier garbage is not decoding
    try:
        for _ in range(REPEATS):
            started = time.process_time()
            work()
            best = min(best, time.process_time() - started)
    finally:
        gc.enable()
    return best / RECORDS * 1e6


def floor(body: bytes, fields: tuple[str, ...]) -> Callable[[], object]:
    """``json.loads`` and one dict per record with the same fields: what any decoder pays."""

    def work() -> object:
        return [{k: r.get(k) for k in fields} for r in json.loads(body)]

    return work


def ours(body: bytes, fmt: Format, command: Any, params: Mapping[str, str]) -> Callable[[], object]:
    """smsc_async's decoding of ``body`` into the command's models."""

    def work() -> object:
        result = decode_reply(
            body, fmt=fmt, shape=command.shape, result_type=command.result_type, params=params
        )
        assert len(result) == RECORDS
        return result

    return work


def run() -> list[Table]:
    """One table: per list, the floor and each format."""
    table = Table(
        f"Decoding {RECORDS}-record lists into models (best of {REPEATS})",
        ["list", "decoder", "us per record", "x floor", "target", "verdict"],
    )
    cases = (
        (
            "contacts",
            contact_bodies(),
            PHONES.get,
            {"get": "1", "cnt": "1000"},
            (
                "phone",
                "name",
                "group",
                "first_name",
                "last_name",
                "middle_name",
                "birthday",
                "id",
                "comments",
                "tags",
                "phone_other",
            ),
        ),
        (
            "sender names",
            sender_bodies(),
            senders.LIST,
            {"get": "1", "all": "1"},
            ("sender", "status", "id"),
        ),
    )
    for name, bodies, command, params, fields in cases:
        base = best_us(floor(bodies[Format.JSON], fields))
        table.add(name, "floor: json.loads + dicts", f"{base:.2f}", "1.0", "", "")
        for fmt in (Format.JSON, Format.LINES, Format.CSV, Format.XML):
            cost = best_us(ours(bodies[fmt], fmt, command, params))
            target = TARGET_JSON_US if fmt is Format.JSON else TARGET_OTHER_US
            table.add(
                name,
                f"fmt={int(fmt)} {fmt.name.lower()}",
                f"{cost:.2f}",
                f"{cost / base:.1f}",
                f"< {target:g}",
                verdict(cost < target),
            )
    table.notes.append(
        "Contacts carry 2 phone numbers, 2 groups, a name, a surname and a birthday each; "
        "sender names their id and moderation status."
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
