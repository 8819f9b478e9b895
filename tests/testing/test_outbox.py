"""The emulator's store of sent messages and received answers."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest

from smsc_async.testing import Emulator
from smsc_async.testing._outbox import Outbox, OutboxEntry, Step, message_pairs, phone_key
from tests._support import EMULATOR_START

pytestmark = pytest.mark.looptime

START = EMULATOR_START


def clock(now: float) -> dt.datetime:
    return START + dt.timedelta(seconds=now)


def entry(login: str = "demo", id: str = "1", phone: str = "79161234567") -> OutboxEntry:  # noqa: A002
    return OutboxEntry(login, id, phone, "Hi", "", "sms", 0.0, START, 1, Decimal("1.60"))


def test_an_entry_moves_through_its_steps_as_time_passes() -> None:
    """The wall time of a change scales with the emulated minute (here 6 s)."""
    outbox = Outbox(clock, minute=6.0)
    sent = outbox.add(entry())
    sent.steps = [Step(0.1, 0), Step(0.5, 1)]
    outbox.settle(0.3)
    assert (0, 0.1, START + dt.timedelta(seconds=1)) == (
        sent.status,
        sent.changed,
        sent.changed_wall,
    )
    outbox.settle(1.0)
    assert (1, [], START + dt.timedelta(seconds=5)) == (sent.status, sent.steps, sent.changed_wall)


def test_ids_count_up_per_login_and_int_ids_globally() -> None:
    outbox = Outbox(clock)
    assert ["1", "2", "1"] == [outbox.next_id("a"), outbox.next_id("a"), outbox.next_id("b")]
    first, second = outbox.add(entry("a", "7")), outbox.add(entry("b", "x-1"))
    assert (100_001, 100_002) == (first.int_id, second.int_id)
    assert "8" == outbox.next_id("a")  # a caller's numeric id moves the count on


def test_find_matches_login_id_and_the_number_written_any_way() -> None:
    outbox = Outbox(clock)
    older, newer = outbox.add(entry()), outbox.add(entry())
    assert newer is outbox.find("demo", "1", "8 (916) 123-45-67")
    assert older is not newer
    assert None is outbox.find("demo", "2", "79161234567")
    assert None is outbox.find("other", "1", "79161234567")
    assert [older, newer] == list(outbox.for_login("demo"))
    outbox.delete(newer)
    assert older is outbox.find("demo", "1", "+79161234567")


def test_force_sets_a_status_and_drops_the_steps_to_come() -> None:
    outbox = Outbox(clock)
    sent = outbox.add(entry())
    sent.steps = [Step(5.0, 1)]
    outbox.force("demo", "1", "79161234567", 20, err=6, now=2.0)
    outbox.settle(10.0)
    assert (20, 6, 2.0) == (sent.status, sent.err, sent.changed)
    with pytest.raises(KeyError):
        outbox.force("demo", "9", "79161234567", 1)


async def test_receive_keeps_an_answer_at_the_emulators_time() -> None:
    emulator = Emulator(start=EMULATOR_START)
    await asyncio.sleep(30)
    answer = emulator.outbox.receive("demo", "79161234567", "Yes", to_phone="79990000000")
    assert (501, 30.0, START) == (answer.id, answer.received, answer.received_wall)
    assert answer.sent_wall == answer.received_wall
    assert [answer] == list(emulator.outbox.answers_for("demo"))
    assert [] == list(emulator.outbox.answers_for("other"))


@pytest.mark.parametrize(
    ("phones", "ids", "pairs"),
    [
        ("7916", "1", [("7916", "1")]),
        ("7916,", "1,2,", [("7916", "1"), ("7916", "2")]),
        ("7916,7926", "1", [("7916", "1"), ("7926", "1")]),
        ("7916,7926", "1,2", [("7916", "1"), ("7926", "2")]),
        ("7916,7926,7903", "1,2", []),
        ("", "1", []),
    ],
)
def test_message_pairs(phones: str, ids: str, pairs: list[tuple[str, str]]) -> None:
    assert pairs == message_pairs(phones, ids)


def test_phone_keys() -> None:
    assert ["79161234567"] * 3 == [
        phone_key(p) for p in ("+7 916 123-45-67", "89161234567", "9161234567")
    ]
    assert "a@b.ru" == phone_key(" A@B.ru ")
