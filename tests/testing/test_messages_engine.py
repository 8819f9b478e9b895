"""smsc.messages and smsc.balance() against the emulator, in virtual time: pacing and safety."""

from __future__ import annotations

import asyncio

import pytest

from smsc_async import Format, MessageStatus, SendUnconfirmedError, StatusDetail
from smsc_async.testing import Emulator

pytestmark = pytest.mark.looptime

PHONE = "79161234567"
OTHER = "79261234567"


async def test_a_thousand_distinct_sends_finish_near_the_bound_without_error_9() -> None:
    """1,000 sends at 1 s latency: 14 in flight, no violation, within 1.1 x 1000/14 s."""
    emulator = Emulator(latency=1.0)
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        sent = await asyncio.gather(
            *(smsc.messages.send(f"7916{n:07d}", f"Order {n} is ready") for n in range(1000))
        )
    elapsed = loop.time()
    # Only the concurrency cap binds distinct sends: 14 at a time, 1 s each.
    bound = 1000 / 14 * 1.0
    assert [] == emulator.violations
    assert 14 == emulator.peak_in_flight()
    assert bound <= elapsed <= 1.1 * bound
    assert (1000, 1000) == (len({s.id for s in sent}), len(emulator.traffic))


async def test_a_repeated_identical_send_is_held_back_not_refused(fmt: Format) -> None:
    """The same send twice at once (same id even): the second leaves 61 s later, accepted."""
    emulator = Emulator()
    sent_at: list[float] = []
    loop = asyncio.get_running_loop()

    async with emulator.client(fmt=fmt) as smsc:

        async def send() -> str:
            sent = await smsc.messages.send(PHONE, "Your code: 1234", id=5)
            sent_at.append(loop.time())
            return sent.id

        ids = await asyncio.gather(send(), send())
    assert [] == emulator.violations
    assert (["5", "5"], [0.0, 61.0]) == (list(ids), sent_at)
    assert [0.0, 61.0] == [x.start for x in emulator.traffic]


async def test_identical_sends_with_assigned_ids_are_held_back_too() -> None:
    """Without ids (so the SDK assigns two), the same text to the same phone still waits."""
    emulator = Emulator()
    async with emulator.client() as smsc:
        first, second = await asyncio.gather(
            smsc.messages.send(PHONE, "Hi"), smsc.messages.send(PHONE, "Hi")
        )
        other = await smsc.messages.send(OTHER, "Hi")
    assert first.id != second.id
    assert [0.0, 61.0, 61.0] == [x.start for x in emulator.traffic]
    assert other.cnt == 1


async def test_a_send_that_times_out_after_leaving_is_not_resent() -> None:
    """Latency beyond the timeout: SendUnconfirmedError names the id; status finds it sent."""
    emulator = Emulator(latency=5.0)
    loop = asyncio.get_running_loop()
    async with emulator.client(timeout=1.0, retries=3) as smsc:
        with pytest.raises(SendUnconfirmedError) as caught:
            await smsc.messages.send([PHONE, OTHER], "Hello")
        assert 1.0 == pytest.approx(loop.time())
        error = caught.value
        await asyncio.sleep(10.0)  # the server finished with it at 5 s
        reports = await smsc.with_options(timeout=None).messages.status_many(
            [(phone, error.id) for phone in error.phones]
        )
    sends = [x for x in emulator.traffic if x.command == "send.send"]
    assert 1 == len(sends)
    assert (error.id, (PHONE, OTHER)) == (sends[0].params["id"], error.phones)
    assert f"message id {error.id}" in str(error)
    assert all(r.status is not MessageStatus.NOT_FOUND for r in reports)


async def test_a_duplicate_from_another_client_raises_at_once() -> None:
    """An identical send another process made earlier: error 9 is raised, not waited out."""
    emulator = Emulator()
    # Another process: its sends are not paced by (or recorded in) this one's windows.
    rogue = emulator.client(rules={"messages.send": ()})
    async with rogue, emulator.client(retries=3) as smsc:
        await rogue.messages.send(PHONE, "Hi", id=7)
        with pytest.raises(SendUnconfirmedError) as caught:
            await smsc.messages.send(PHONE, "Hi", id=7)
    assert (9, "7") == (caught.value.code, caught.value.id)
    assert [None, 9] == [x.error_code for x in emulator.traffic]
    assert 0.0 == asyncio.get_running_loop().time()


async def test_status_of_one_message_keeps_to_five_a_minute_across_lists() -> None:
    """Status of a message alone and in lists: the 6th request about it waits 61 s."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        sent = await smsc.messages.send(PHONE, "Hi", id=11)
        other = await smsc.messages.send(OTHER, "Hi", id=12)
        for detail in (0, 1, 2):
            await smsc.messages.status(PHONE, sent.id, detail=StatusDetail(detail))
        await smsc.messages.status_many([(PHONE, sent.id), (OTHER, other.id)])
        await smsc.messages.status_many([(OTHER, other.id), (PHONE, sent.id)], detail=1)
        assert 0.0 == loop.time()
        await smsc.messages.status(PHONE, sent.id)
    assert [] == emulator.violations
    assert 61.0 == loop.time()


async def test_an_unknown_message_reads_not_found() -> None:
    """Reconciling an id that never reached SMSC: NOT_FOUND, in every detail."""
    emulator = Emulator()
    async with emulator.client() as smsc:
        reports = [
            await smsc.messages.status(PHONE, 404, detail=StatusDetail(detail))
            for detail in (0, 1, 2)
        ]
    assert [MessageStatus.NOT_FOUND] * 3 == [r.status for r in reports]


async def test_eleven_balance_requests_keep_to_ten_a_minute() -> None:
    """The 11th balance request in a row waits for the window; none is refused."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        for n in range(11):
            await smsc.balance(currency=n % 2 == 0)
    assert [] == emulator.violations
    assert 61.0 == loop.time()


async def test_six_identical_price_requests_keep_to_five_a_minute() -> None:
    """The 6th identical price request in a row waits; a different one does not."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        for _ in range(5):
            await smsc.messages.cost(PHONE, "Hi")
        await smsc.messages.cost(OTHER, "Hi")
        assert 0.0 == loop.time()
        await smsc.messages.cost(PHONE, "Hi")
    assert [] == emulator.violations
    assert 61.0 == loop.time()


async def test_a_send_is_debited_and_delivered_in_emulated_time(fmt: Format) -> None:
    """send, then balance and status after a minute: the price is gone, the SMS delivered."""
    emulator = Emulator()
    async with emulator.client(fmt=fmt) as smsc:
        before = await smsc.balance()
        sent = await smsc.messages.send(PHONE, "Hi", report_balance=True)
        await asyncio.sleep(60.0)
        report = await smsc.messages.status(PHONE, sent.id, detail=StatusDetail.FULL)
    assert sent.cost is not None
    assert before.balance - sent.cost == sent.balance
    assert (MessageStatus.DELIVERED, "Hi", PHONE) == (report.status, report.message, report.phone)
