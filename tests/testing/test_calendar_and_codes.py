"""What the README's examples rely on: the calendar starts now, codes are readable.

The emulator's calendar reads the time of construction (Moscow) unless ``start=`` pins it,
and the confirmation codes ``send_code`` "texts" are open to tests through
``emulator.senders.code()`` (they are not texted anywhere).
"""

from __future__ import annotations

import datetime as dt

import pytest

from smsc_async import InvalidCodeError, SenderStatus
from smsc_async.testing import Emulator
from tests._support import EMULATOR_START

MSK = dt.timezone(dt.timedelta(hours=3))


def test_the_calendar_starts_at_construction_in_moscow_time() -> None:
    """Dates in examples (``01.03.2026``...) are read against today, as SMSC would."""
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    start = Emulator().wall_clock(0.0)
    after = dt.datetime.now(dt.timezone.utc)
    assert before <= start <= after
    assert start.utcoffset() == dt.timedelta(hours=3)


@pytest.mark.parametrize(
    "start",
    [
        dt.datetime(2026, 1, 1, 9),  # noqa: DTZ001 - naive on purpose: Moscow time
        dt.datetime(2026, 1, 1, 9, tzinfo=MSK),
        dt.datetime(2026, 1, 1, 6, tzinfo=dt.timezone.utc),
    ],
    ids=["naive", "moscow", "utc"],
)
def test_start_pins_the_calendar(start: dt.datetime) -> None:
    """``start=`` is the calendar's first moment, shown in Moscow time."""
    emulator = Emulator(start=start)
    assert emulator.wall_clock(0.0) == EMULATOR_START
    assert emulator.wall_clock(0.0).utcoffset() == dt.timedelta(hours=3)


async def test_start_dates_what_is_sent() -> None:
    """A message sent at once carries the pinned date in its history."""
    emulator = Emulator(start=dt.datetime(2030, 5, 17, 12, 30, tzinfo=MSK))
    async with emulator.client() as smsc:
        await smsc.messages.send("79161234567", "Hi")
        (message,) = await smsc.history.list(start="17.05.2030")
    assert message.send_date == dt.datetime(2030, 5, 17, 12, 30, tzinfo=MSK)


async def test_a_sent_code_is_readable_until_it_is_checked() -> None:
    """``senders.code()`` gives the code ``check_code`` takes; none before or after."""
    emulator = Emulator()
    assert emulator.senders.code("79999999999") is None
    async with emulator.client() as smsc:
        await smsc.senders.add("79999999999")
        await smsc.senders.send_code("79999999999")
        code = emulator.senders.code("79999999999")
        assert code is not None
        assert len(code) == 6
        assert code.isdigit()
        assert emulator.senders.code("79999999999", login="someone-else") is None
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        with pytest.raises(InvalidCodeError):
            await smsc.senders.check_code("79999999999", wrong)
        assert emulator.senders.code("79999999999") == code  # a wrong try keeps it
        await smsc.senders.check_code("79999999999", code)
        (name,) = await smsc.senders.list(all=True)
    assert name.status is SenderStatus.ALLOWED
    assert emulator.senders.code("79999999999") is None  # used up
