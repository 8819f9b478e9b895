"""The emulator's anti-flood rules and IP bans (spec §B), in virtual time."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from smsc_async import (
    Format,
    IpBlockedError,
    RateLimitError,
    Sender,
    SendUnconfirmedError,
    Tariffs,
)
from smsc_async.testing import (
    DEFAULT_APIKEY,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    Ban,
    Emulator,
    RuleBook,
    Violation,
)
from tests._support import confirmed, unpaced

pytestmark = pytest.mark.looptime

OTHER_LOGIN = "other"
OTHER_PASSWORD = "other-password"
AUTH_BAN = "5 authorisation errors in 30 minutes"
SEND_BAN = "100 erroneous sends in a row"


def now() -> float:
    return asyncio.get_running_loop().time()


async def raw_price_request(
    emulator: Emulator,
    charset: str | None = "utf-8",
    *,
    password: str = DEFAULT_PASSWORD,
    ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """get.php?get_price=1 as a bare form (fmt=3), bypassing the SDK; the JSON answer.

    Bypassing the SDK also bypasses its guards (it pauses a login after 4 authorisation
    errors or an error 4), so the emulator's own answers to such requests can be seen.
    """
    form = {"get_price": "1", "login": DEFAULT_LOGIN, "psw": password, "fmt": "3"}
    if charset is not None:
        form["charset"] = charset
    async with httpx.AsyncClient(
        transport=emulator.transport(ip=ip), base_url="http://smsc.emulator/sys/"
    ) as http:
        response = await http.post("get.php", data=form)
    answer: dict[str, Any] = json.loads(response.text)  # in the charset of the reply
    return answer


# -- identical requests ------------------------------------------------------------------


async def test_fourth_identical_tariffs_request_in_a_minute_is_refused_and_recorded() -> None:
    """Three identical tariffs requests pass, the 4th in the same minute answers 9 and is logged."""
    emulator = Emulator()
    async with unpaced(emulator) as smsc:
        for _ in range(3):
            await smsc.tariffs.get()
            await asyncio.sleep(10)
        await asyncio.sleep(15)
        with pytest.raises(RateLimitError) as caught:
            await smsc.tariffs.get()
    assert 9 == caught.value.code
    assert "tariffs.get" == caught.value.command
    assert [
        Violation(
            45.0,
            DEFAULT_LOGIN,
            "get.get_price",
            "get.get_price: 3 identical per 1 min",
            "127.0.0.1",
        )
    ] == emulator.violations


async def test_senders_lists_with_different_parameters_are_not_identical() -> None:
    """Lists that differ in cnt count in separate windows, so six of them pass in one minute."""
    emulator = Emulator(approve_senders=True)
    async with unpaced(emulator) as smsc:
        await smsc.senders.add("shop")
        for cnt in (1, 2):
            for _ in range(3):
                assert ["shop"] == [s.sender for s in await smsc.senders.list(cnt=cnt)]
        with pytest.raises(RateLimitError):
            await smsc.senders.list(cnt=2)
    assert ["senders.get"] == [v.command for v in emulator.violations]


@pytest.mark.parametrize(
    "fmts",
    [
        (Format.JSON, Format.LINES, Format.XML, Format.CSV),
        (Format.CSV, Format.XML, Format.LINES, Format.JSON),
    ],
    ids=["json-first", "csv-first"],
)
async def test_a_different_fmt_does_not_make_a_request_different(
    fmts: tuple[Format, ...],
) -> None:
    """Tariffs requests asking for different formats count as identical: the 4th is refused."""
    emulator = Emulator()
    *passing, refused = fmts
    results: list[Tariffs] = []
    for fmt in passing:
        async with unpaced(emulator, fmt=fmt) as smsc:
            results.append(await smsc.tariffs.get())
    async with unpaced(emulator, fmt=refused) as smsc:
        with pytest.raises(RateLimitError):
            await smsc.tariffs.get()
    assert 3 == len(results)
    assert 1 == len(emulator.violations)


@pytest.mark.parametrize(
    "charsets",
    [("utf-8", "koi8-r", "windows-1251", None), (None, "utf-8", "utf-8", "koi8-r")],
    ids=["utf8-first", "none-first"],
)
async def test_a_different_charset_does_not_make_a_request_different(
    charsets: tuple[str | None, ...],
) -> None:
    """Tariffs requests in different charsets count as identical: the 4th is refused with 9."""
    emulator = Emulator()
    answers = [await raw_price_request(emulator, charset) for charset in charsets]
    assert [False, False, False, True] == ["error_code" in answer for answer in answers]
    assert 9 == answers[-1]["error_code"]
    assert ["get.get_price"] == [v.command for v in emulator.violations]


async def test_the_window_slides_and_refused_requests_do_not_count() -> None:
    """A request passes just as the oldest accepted one leaves the window; refusals never count."""
    emulator = Emulator()
    outcomes: list[tuple[float, str]] = []
    async with unpaced(emulator) as smsc:
        for at in (0.0, 10.0, 20.0, 30.0, 59.5, 60.0, 60.0, 69.5, 70.0):
            await asyncio.sleep(at - now())
            try:
                await smsc.tariffs.get()
            except RateLimitError:
                outcomes.append((now(), "9"))
            else:
                outcomes.append((now(), "ok"))
    assert [
        (0.0, "ok"),
        (10.0, "ok"),
        (20.0, "ok"),
        (30.0, "9"),
        (59.5, "9"),
        (60.0, "ok"),
        (60.0, "9"),
        (69.5, "9"),
        (70.0, "ok"),
    ] == outcomes
    assert [30.0, 59.5, 60.0, 69.5] == [v.time for v in emulator.violations]


async def test_two_sends_differing_only_in_id_are_identical_as_the_sdk_counts_them() -> None:
    """One text to one number twice a minute is a repeat whatever the ids, for both sides."""
    emulator = Emulator()
    async with unpaced(emulator) as smsc:
        await smsc.messages.send("79991112233", "Your code is 1234", id="a-1")
        with pytest.raises(SendUnconfirmedError, match="error 9"):  # the SDK's name for it
            await smsc.messages.send("79991112233", "Your code is 1234", id="a-2")
        await smsc.messages.send("79991112244", "Your code is 1234", id="a-3")  # another number
    assert ["send.send"] == [v.command for v in emulator.violations]
    assert ["a-1", "a-3"] == [e.id for e in emulator.outbox.entries]
    async with emulator.client(deadline=1.0) as paced:  # the SDK's own rules, no long wait
        await paced.messages.send("79991112255", "Hello", id="b-1")
        with pytest.raises(RateLimitError):
            await paced.messages.send("79991112255", "Hello", id="b-2")
    assert 1 == len(emulator.violations)  # the SDK's refusal never reached the emulator


async def test_each_login_has_its_own_identical_request_window() -> None:
    """Another login's three tariffs requests pass while the first login is at its limit."""
    emulator = Emulator()
    emulator.add_account(OTHER_LOGIN, OTHER_PASSWORD)
    async with (
        unpaced(emulator) as smsc,
        unpaced(emulator, login=OTHER_LOGIN, password=OTHER_PASSWORD) as other,
    ):
        for _ in range(3):
            await smsc.tariffs.get()
        for _ in range(3):
            await other.tariffs.get()
        with pytest.raises(RateLimitError):
            await other.tariffs.get()
    assert [OTHER_LOGIN] == [v.login for v in emulator.violations]


# -- creations -----------------------------------------------------------------------------


async def test_sixth_sender_creation_in_a_minute_is_refused_and_one_passes_after_it() -> None:
    """Five creations of different names pass, a 6th in the minute answers 9, a later one passes."""
    emulator = Emulator(approve_senders=True)
    async with unpaced(emulator) as smsc:
        ids = [await smsc.senders.add(f"shop{k}") for k in range(5)]
        await asyncio.sleep(59.9)
        with pytest.raises(RateLimitError):
            await smsc.senders.add("shop5")
        await asyncio.sleep(0.1)
        ids.append(await smsc.senders.add("shop6"))
        names = [s.sender for s in await smsc.senders.list()]
    assert 6 == len(set(ids))
    assert ["shop6", "shop4", "shop3", "shop2", "shop1", "shop0"] == names
    assert [(59.9, "senders.add", "senders.add: 5 per command per 1 min")] == [
        (v.time, v.command, v.rule) for v in emulator.violations
    ]


# -- requests in flight ------------------------------------------------------------------


async def test_fifteenth_concurrent_request_under_one_login_is_refused() -> None:
    """With 14 requests at the server, a 15th simultaneous one answers 9 and is recorded."""
    emulator = Emulator(latency=1.0)
    async with unpaced(emulator) as smsc:
        results = await asyncio.gather(
            *(smsc.senders.list(cnt=k) for k in range(1, 16)), return_exceptions=True
        )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert 1 == len(refused)
    assert isinstance(refused[0], RateLimitError)
    assert 14 == sum(1 for r in results if isinstance(r, list))
    assert 1 == len(emulator.violations)
    assert "15 requests in flight" == emulator.violations[0].rule
    assert (0.0, DEFAULT_LOGIN) == (emulator.violations[0].time, emulator.violations[0].login)
    assert 15 == emulator.peak_in_flight()
    assert 0 == emulator.in_flight()
    assert 1.0 == now()


async def test_fourteen_concurrent_requests_under_one_login_pass() -> None:
    """Fourteen simultaneous requests under one login all pass with no violation."""
    emulator = Emulator(latency=1.0)
    async with confirmed(emulator.client()) as smsc:
        results = await asyncio.gather(*(smsc.senders.list(cnt=k) for k in range(1, 15)))
    assert [[] for _ in range(14)] == results
    assert [] == emulator.violations
    assert 14 == emulator.peak_in_flight()


async def test_two_logins_each_have_their_own_fourteen_in_flight() -> None:
    """Fourteen simultaneous requests under each of two logins all pass: the cap is per login."""
    emulator = Emulator(latency=1.0)
    emulator.add_account(OTHER_LOGIN, OTHER_PASSWORD)
    async with (
        confirmed(emulator.client()) as smsc,
        confirmed(emulator.client(login=OTHER_LOGIN, password=OTHER_PASSWORD)) as other,
    ):
        results: list[list[Sender]] = await asyncio.gather(
            *(client.senders.list(cnt=k) for client in (smsc, other) for k in range(1, 15))
        )
    assert 28 == len(results)
    assert [] == emulator.violations
    assert (14, 14) == (emulator.peak_in_flight(), emulator.peak_in_flight(OTHER_LOGIN))


async def test_the_in_flight_cap_counts_the_account_however_it_authenticates() -> None:
    """Requests with the API key and with login and password share one account's 14."""
    emulator = Emulator(latency=1.0)
    async with unpaced(emulator) as smsc, unpaced(emulator, apikey=DEFAULT_APIKEY) as keyed:
        results = await asyncio.gather(
            *(client.senders.list(cnt=k) for k in range(1, 9) for client in (smsc, keyed)),
            return_exceptions=True,
        )
    assert 2 == sum(isinstance(r, RateLimitError) for r in results)
    assert [DEFAULT_LOGIN, DEFAULT_LOGIN] == [v.login for v in emulator.violations]
    assert 16 == emulator.peak_in_flight()


# -- IP bans for authorisation errors ----------------------------------------------------


async def fail_to_log_in(
    emulator: Emulator, times: int, *, every: float = 0.0, ip: str = "127.0.0.1"
) -> None:
    """``times`` requests with a wrong password, ``every`` seconds apart; each answers 2.

    They bypass the SDK, which stops sending for a login after its 4th authorisation error.
    """
    for k in range(times):
        if k:
            await asyncio.sleep(every)
        answer = await raw_price_request(emulator, password="wrong-password", ip=ip)
        assert 2 == answer["error_code"]


async def test_five_authorisation_errors_block_the_ip_for_thirty_minutes() -> None:
    """After 5 bad passwords even the right one answers 4 until 30 minutes have passed."""
    emulator = Emulator()
    await fail_to_log_in(emulator, 5, every=60.0)  # the 5th at t=240
    # Bare requests: after one error 4 the SDK pauses the login and sends nothing more.
    for at in (240.0, 1000.0, 2039.9):
        await asyncio.sleep(at - now())
        assert 4 == (await raw_price_request(emulator))["error_code"]
    async with emulator.client() as smsc:
        await asyncio.sleep(2040.0 - now())
        tariffs = await smsc.tariffs.get()
    assert tariffs.zones
    assert [Ban("127.0.0.1", 240.0, 2040.0, AUTH_BAN)] == emulator.bans
    assert [2, 2, 2, 2, 2, 4, 4, 4, None] == [e.error_code for e in emulator.traffic]


async def test_a_blocked_ip_is_refused_even_with_a_wrong_password() -> None:
    """A blocked IP answers 4 before it checks the password, and that adds no new ban."""
    emulator = Emulator()
    await fail_to_log_in(emulator, 5)
    for _ in range(5):
        answer = await raw_price_request(emulator, password="wrong-password")
        assert 4 == answer["error_code"]
    assert 1 == len(emulator.bans)


@pytest.mark.parametrize(("times", "every"), [(4, 0.0), (10, 450.0)], ids=["four", "spread"])
async def test_fewer_than_five_authorisation_errors_in_thirty_minutes_do_not_block(
    times: int, every: float
) -> None:
    """Four bad passwords, or bad ones 7.5 minutes apart, answer 2 and leave the IP open."""
    emulator = Emulator()
    await fail_to_log_in(emulator, times, every=every)
    async with emulator.client() as smsc:
        await smsc.tariffs.get()
    assert [] == emulator.bans


async def test_a_ban_blocks_only_its_own_ip() -> None:
    """While 127.0.0.1 is blocked, requests from 10.0.0.2 under the same login pass."""
    emulator = Emulator()
    await fail_to_log_in(emulator, 5)
    async with emulator.client(ip="10.0.0.2") as elsewhere, emulator.client() as blocked:
        assert (await elsewhere.tariffs.get()).zones
        with pytest.raises(IpBlockedError):
            await blocked.tariffs.get()
    assert [("10.0.0.2", None), ("127.0.0.1", 4)] == [
        (e.ip, e.error_code) for e in emulator.traffic[5:]
    ]
    assert ["127.0.0.1"] == [b.ip for b in emulator.bans]


async def test_authorisation_errors_are_counted_per_ip() -> None:
    """Bad passwords from two addresses, 4 each, block neither of them."""
    emulator = Emulator()
    for ip in ("127.0.0.1", "10.0.0.2"):
        await fail_to_log_in(emulator, 4, ip=ip)
    for ip in ("127.0.0.1", "10.0.0.2"):
        async with emulator.client(ip=ip) as smsc:
            await smsc.tariffs.get()
    assert [] == emulator.bans


# -- the minute setting ------------------------------------------------------------------


async def test_a_compressed_minute_scales_the_tariffs_window_to_one_second() -> None:
    """With minute=1.0 the 4th identical request within 1 s is refused, and passes at 1 s."""
    emulator = Emulator(minute=1.0)
    async with unpaced(emulator) as smsc:
        for _ in range(3):
            await smsc.tariffs.get()
        await asyncio.sleep(0.999)
        with pytest.raises(RateLimitError):
            await smsc.tariffs.get()
        await asyncio.sleep(0.001)
        await smsc.tariffs.get()
    assert [0.999] == [v.time for v in emulator.violations]


async def test_a_compressed_minute_scales_the_auth_ban_to_thirty_seconds() -> None:
    """With minute=1.0 five bad passwords block the IP for 30 s, not 30 minutes."""
    emulator = Emulator(minute=1.0)
    await fail_to_log_in(emulator, 5)
    await asyncio.sleep(29.9)
    # Bare: after an error 4 the SDK pauses the login for 30 minutes of its own.
    assert 4 == (await raw_price_request(emulator))["error_code"]
    await asyncio.sleep(0.1)
    async with emulator.client() as smsc:
        await smsc.tariffs.get()
    assert [Ban("127.0.0.1", 0.0, 30.0, AUTH_BAN)] == emulator.bans


# -- IP bans for erroneous sends (RuleBook directly: send.php is not implemented yet) ----


def send_errors(book: RuleBook, ip: str, times: list[float]) -> None:
    for at in times:
        book.send_answered(ip, at, error=True)


@pytest.mark.parametrize(("minute", "every"), [(60.0, 6.0), (60.0, 0.0), (1.0, 0.1)])
def test_a_hundred_erroneous_sends_in_ten_minutes_block_the_ip_for_ten(
    minute: float, every: float
) -> None:
    """The 100th erroneous send in a row within 10 minutes blocks the IP for 10 minutes."""
    book = RuleBook(minute=minute)
    send_errors(book, "10.0.0.9", [k * every for k in range(99)])
    assert [] == book.bans
    last = 99 * every
    book.send_answered("10.0.0.9", last, error=True)
    assert [Ban("10.0.0.9", last, last + 10 * minute, SEND_BAN)] == book.bans
    assert book.banned("10.0.0.9", last + 10 * minute - 0.001) is not None
    assert book.banned("10.0.0.9", last + 10 * minute) is None
    assert book.banned("10.0.0.8", last) is None


def test_a_successful_send_resets_the_erroneous_sends_count() -> None:
    """99 errors, a success, then 99 errors more within 10 minutes block nothing."""
    book = RuleBook()
    send_errors(book, "10.0.0.9", [float(k) for k in range(99)])
    book.send_answered("10.0.0.9", 99.0, error=False)
    send_errors(book, "10.0.0.9", [float(k) for k in range(100, 199)])
    assert [] == book.bans
    book.send_answered("10.0.0.9", 199.0, error=True)
    assert [199.0] == [b.start for b in book.bans]


def test_erroneous_sends_spread_over_more_than_ten_minutes_do_not_block() -> None:
    """Errors 6.1 s apart never put 100 in one 10-minute window, however many there are."""
    book = RuleBook()
    send_errors(book, "10.0.0.9", [k * 6.1 for k in range(500)])
    assert [] == book.bans


def test_erroneous_sends_are_counted_per_ip() -> None:
    """Errors alternating between two addresses, 100 in all, block neither."""
    book = RuleBook()
    for k in range(100):
        book.send_answered(f"10.0.0.{k % 2}", float(k), error=True)
    assert [] == book.bans
