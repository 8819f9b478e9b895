"""Streaming a large phone book from the emulator: 25 pages, one in memory at a time."""

from __future__ import annotations

import tracemalloc
import weakref

from smsc_async import Contact
from smsc_async.testing import Emulator

TOTAL = 25_000
PAGE = 1000


def _emulator() -> Emulator:
    emulator = Emulator()
    for i in range(TOTAL):
        emulator.contacts.add_contact(
            [f"7999{i:07d}"], name=f"Contact {i}", comment="a comment, with a comma"
        )
    return emulator


async def test_iterating_25000_contacts_holds_one_page_at_a_time() -> None:
    """Every contact comes once, in id order, and no contact of a page outlives the next page.

    Each contact of the page before is watched with a weak reference: when the first contact
    of a page arrives, every one of them must be gone (the caller kept none). tracemalloc
    then bounds the whole walk by what one page costs: holding every page would cost 25.
    """
    emulator = _emulator()
    ids = set(emulator.contacts.books["demo", "phones.php"].contacts)
    async with emulator.client() as smsc:
        await smsc.contacts.list(cnt=PAGE)  # warm up: converters and codecs built, not measured
        tracemalloc.start()
        try:
            page = await smsc.contacts.list(after_id=TOTAL - PAGE - 1, cnt=PAGE)
            held, one_page = tracemalloc.get_traced_memory()  # what a page's models take; peak
            assert PAGE == len(page)
            del page
            tracemalloc.reset_peak()
            baseline = tracemalloc.get_traced_memory()[0]
            count, last, leftovers = 0, 0, 0
            previous: list[weakref.ref[Contact]] = []
            current: list[weakref.ref[Contact]] = []
            async for contact in smsc.contacts.iterate():
                if count % PAGE == 0:
                    leftovers = max(leftovers, sum(ref() is not None for ref in previous))
                    previous, current = current, []
                assert contact.int_id is not None
                assert contact.int_id > last
                assert contact.int_id in ids
                last = contact.int_id
                current.append(weakref.ref(contact))
                count += 1
            walk = tracemalloc.get_traced_memory()[1] - baseline
        finally:
            tracemalloc.stop()
    assert TOTAL == count
    assert 0 == leftovers
    # 25 pages plus the request that finds no 26th (the last page is full).
    assert TOTAL // PAGE + 1 == sum(1 for e in emulator.traffic if e.command == "phones.get") - 2
    # Fetching and decoding a page peaks at one_page; holding the page before meanwhile
    # would add its models (held) on top.
    assert walk < one_page + held / 2, (walk, one_page, held)
    assert [] == emulator.violations


async def test_iteration_asks_for_a_page_only_when_the_caller_needs_it() -> None:
    """Consuming one page sends one request; the next is sent when the caller asks for more."""
    emulator = _emulator()
    async with emulator.client() as smsc:
        contacts = smsc.contacts.iterate(page_size=PAGE)
        assert [] == [e for e in emulator.traffic if e.command == "phones.get"]
        for _ in range(PAGE):
            await anext(contacts)
        assert 1 == sum(1 for e in emulator.traffic if e.command == "phones.get")
        nxt = await anext(contacts)
        assert PAGE + 1 == nxt.int_id
        assert 2 == sum(1 for e in emulator.traffic if e.command == "phones.get")
        assert {"after_id": str(PAGE), "cnt": str(PAGE)}.items() <= emulator.traffic[
            -1
        ].params.items()
        await contacts.aclose()  # type: ignore[attr-defined]
