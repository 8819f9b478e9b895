"""The command path: coalescing, retries by retry class, deadlines, events, background sends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from smsc_async import (
    MaybeAppliedError,
    NotFoundError,
    ParseError,
    RateLimitError,
    SendUnconfirmedError,
    TransportError,
    ValidationError,
)
from smsc_async.events import Coalesced, Event, LimiterWait, Retry
from smsc_async.testing import Emulator
from tests._support import make_client, reply

pytestmark = pytest.mark.looptime

SENDERS = '[{"sender": "shop", "id": 1}]'


async def test_identical_reads_in_flight_share_one_request_but_not_one_list() -> None:
    """Ten identical list() calls at once: one request, equal results, separate lists."""
    emulator = Emulator(latency=1.0, approve_senders=True)
    async with emulator.client() as smsc:
        await smsc.senders.add("shop")
        results = await asyncio.gather(*(smsc.senders.list() for _ in range(10)))
    assert 2 == len(emulator.traffic)
    assert all(r == results[0] for r in results)
    assert len({id(r) for r in results}) == 10
    results[0].clear()
    assert results[1]


async def test_coalesced_callers_share_the_error_too() -> None:
    """When the shared read fails, every caller gets the failure."""
    emulator = Emulator(latency=1.0)
    emulator.faults.error("senders.get", 3, "not found")
    async with emulator.client(retries=0) as smsc:
        outcomes = await asyncio.gather(
            *(smsc.senders.list() for _ in range(3)), return_exceptions=True
        )
    assert all(isinstance(o, NotFoundError) for o in outcomes)
    assert 1 == len(emulator.traffic)


async def test_writes_are_never_coalesced() -> None:
    """Two identical changes at once are two requests."""
    emulator = Emulator(approve_senders=True)
    async with emulator.client() as smsc:
        await smsc.senders.add("shop")
        await asyncio.gather(
            smsc.senders.change("shop", comment="x"), smsc.senders.change("shop", comment="x")
        )
    assert ["senders.add", "senders.chg", "senders.chg"] == [x.command for x in emulator.traffic]


async def test_a_failure_before_sending_is_retried() -> None:
    """A drop before the server processed anything is retried, even for a write."""
    emulator = Emulator()
    emulator.faults.reset("senders.add", after=False)
    events: list[Event] = []
    async with emulator.client(on_event=events.append) as smsc:
        new_id = await smsc.senders.add("shop")
    assert new_id > 0
    assert ["senders.add", "senders.add"] == [x.command for x in emulator.traffic]
    assert ["transport error before sending"] == [e.reason for e in events if isinstance(e, Retry)]


async def test_a_read_that_failed_after_sending_is_retried() -> None:
    """A safe read whose answer was lost is simply asked again."""
    emulator = Emulator()
    emulator.faults.reset("get.get_price", after=True)
    async with emulator.client() as smsc:
        tariffs = await smsc.tariffs.get()
    assert tariffs.zones
    assert 2 == len(emulator.traffic)


async def test_a_write_that_failed_after_sending_is_not_repeated() -> None:
    """A change whose answer was lost may have happened: MaybeAppliedError, one request."""
    emulator = Emulator()
    emulator.faults.reset("senders.add", after=True)
    async with emulator.client() as smsc:
        with pytest.raises(MaybeAppliedError) as caught:
            await smsc.senders.add("shop")
        assert caught.value.request_sent
        assert "may have been applied" in str(caught.value)
        assert ["shop"] == [s.sender for s in await smsc.senders.list(all=True)]
    assert 2 == len(emulator.traffic)  # the add, then our own check


async def test_a_code_send_is_never_replayed_after_a_lost_answer() -> None:
    """send_code (it texts a phone) after a lost answer is reported, not repeated."""
    emulator = Emulator()
    emulator.faults.reset("senders.send_code", after=True)
    async with emulator.client() as smsc:
        with pytest.raises(MaybeAppliedError):
            await smsc.senders.send_code("79990000000")
    assert 1 == len(emulator.traffic)


async def test_a_bad_gateway_on_a_write_is_not_repeated() -> None:
    """An error page from a proxy in front of SMSC leaves a write's outcome unknown."""
    emulator = Emulator()
    emulator.faults.bad_gateway("senders.add")
    async with emulator.client() as smsc:
        with pytest.raises(MaybeAppliedError) as caught:
            await smsc.senders.add("shop")
    assert 502 == caught.value.status_code


async def test_retries_stop_at_the_configured_count() -> None:
    """Failures before sending are retried `retries` times, then the last one is raised."""
    emulator = Emulator()
    emulator.faults.reset("get.get_price", after=False, times=None)
    async with emulator.client(retries=2) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.tariffs.get()
    assert not caught.value.request_sent
    assert 3 == len(emulator.traffic)


async def test_a_deadline_shorter_than_the_window_fails_at_once() -> None:
    """A call that would wait 61 s under a 5 s deadline ends now with retry_after."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        for _ in range(3):
            await smsc.tariffs.get()
        with pytest.raises(RateLimitError) as caught:
            await smsc.with_options(deadline=5.0).tariffs.get()
    assert 0.0 == loop.time()
    assert 61.0 == pytest.approx(caught.value.retry_after)
    assert 3 == len(emulator.traffic)
    assert "deadline" in str(caught.value)


async def test_with_options_shares_the_limits() -> None:
    """A with_options view counts in the same windows as its client."""
    emulator = Emulator()
    loop = asyncio.get_running_loop()
    async with emulator.client() as smsc:
        for _ in range(3):
            await smsc.tariffs.get()
        await smsc.with_options(timeout=10.0).tariffs.get()
    assert 61.0 == loop.time()
    assert [] == emulator.violations


async def test_a_timeout_on_a_read_is_retried_and_can_succeed() -> None:
    """A read slower than the timeout is given up on and asked again."""
    emulator = Emulator()
    emulator.faults.slow_body("get.get_price", delay=1.0)  # 3 s of body, once
    events: list[Event] = []
    loop = asyncio.get_running_loop()
    async with emulator.client(timeout=0.7, on_event=events.append) as smsc:
        assert (await smsc.tariffs.get()).zones
    assert 2 == len(emulator.traffic)
    assert ["transport error after sending"] == [e.reason for e in events if isinstance(e, Retry)]
    assert 0.7 <= loop.time() <= 0.7 + 0.5 + 0.5  # the timeout, then backoff and jitter


async def test_events_report_waits_and_coalescing_and_a_broken_hook_is_harmless(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The hook sees every event; one that raises is logged and the call goes on."""
    caplog.set_level(logging.DEBUG, logger="smsc_async")
    seen: list[Event] = []

    def hook(event: Event) -> None:
        seen.append(event)
        raise RuntimeError("broken hook")

    emulator = Emulator(latency=1.0)
    async with emulator.client(on_event=hook) as smsc:
        await asyncio.gather(smsc.tariffs.get(), smsc.tariffs.get())
        for k in range(4):
            await smsc.senders.list(cnt=1)
            del k
    kinds = {type(e) for e in seen}
    assert {Coalesced, LimiterWait} <= kinds
    assert all(e.account == "demo" for e in seen)
    assert "on_event hook raised" in caplog.text
    assert (
        "waited 58.000 s for senders.get: 3 identical per 60 s" in caplog.text
    )  # sent at 1 s, 2, 3; the 4th at 4 waits for 62


async def test_closing_the_client_stops_requests_given_up_on() -> None:
    """aclose() does not wait for abandoned requests: they are cancelled."""
    emulator = Emulator(latency=100.0)
    loop = asyncio.get_running_loop()
    smsc = emulator.client(timeout=1.0, retries=0)
    with pytest.raises(TransportError):
        await smsc.tariffs.get()
    await smsc.aclose()
    assert 1.0 == loop.time()


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_respx_error_pages_on_reads_are_retried(
    router: respx.MockRouter, status: int
) -> None:
    """A read answered by an error page is asked again and then succeeds."""
    route = router.post("senders.php").mock(
        side_effect=[httpx.Response(status, text="<html>oops</html>"), reply(SENDERS)]
    )
    async with make_client(retries=1) as smsc:
        names = await smsc.senders.list()
    assert ["shop"] == [s.sender for s in names]
    assert 2 == route.call_count


async def test_a_window_that_frees_only_at_the_deadline_sends_nothing() -> None:
    """With no time left to wait for an answer, the call ends without sending."""
    emulator = Emulator()
    async with emulator.client() as smsc:
        for i in range(5):
            await smsc.senders.add(f"shop{i}")
        with pytest.raises(RateLimitError):
            await smsc.with_options(deadline=61.0).senders.add("late")
        assert "late" not in [s.sender for s in await smsc.senders.list(all=True)]
    assert [] == emulator.violations


async def test_reads_with_other_options_are_not_coalesced() -> None:
    """A caller with a short deadline does not lend it to one with none."""
    emulator = Emulator(latency=5.0)
    async with emulator.client(retries=0) as smsc:
        hurried, patient = await asyncio.gather(
            smsc.with_options(deadline=1.0).tariffs.get(),
            smsc.tariffs.get(),
            return_exceptions=True,
        )
    assert isinstance(hurried, TransportError)
    assert not isinstance(patient, BaseException)
    assert patient.zones


async def test_authorisation_errors_of_all_logins_add_up_as_at_smsc() -> None:
    """SMSC counts auth errors per IP: four, from any logins, pause every login."""
    emulator = Emulator()
    emulator.add_account("other", "other-password")
    clients = [emulator.client(login=f"ghost{i}", password="x") for i in range(4)]
    good = emulator.client(login="other", password="other-password")
    from smsc_async import AuthError, LoginPausedError  # noqa: PLC0415

    for client in clients:
        with pytest.raises(AuthError):
            await client.tariffs.get()
    with pytest.raises(LoginPausedError):
        await good.tariffs.get()
    for client in [*clients, good]:
        await client.aclose()
    assert 4 == len(emulator.traffic)
    assert [] == emulator.bans


async def test_an_ip_block_pauses_every_login() -> None:
    """Error 4 for one login pauses the others too: the block is on the IP."""
    emulator = Emulator()
    emulator.add_account("other", "other-password")
    emulator.faults.error("get.get_price", 4, "ip is blocked")
    from smsc_async import IpBlockedError, LoginPausedError  # noqa: PLC0415

    async with (
        emulator.client() as first,
        emulator.client(login="other", password="other-password") as second,
    ):
        with pytest.raises(IpBlockedError):
            await first.tariffs.get()
        with pytest.raises(LoginPausedError):
            await second.senders.list()
    assert 1 == len(emulator.traffic)


async def test_a_shared_read_outlives_one_cancelled_caller_but_not_all() -> None:
    """One of two joined callers cancelled: the other still gets the answer from one request."""
    emulator = Emulator(latency=2.0)
    async with emulator.client() as smsc:
        first = asyncio.create_task(smsc.tariffs.get())
        second = asyncio.create_task(smsc.tariffs.get())
        await asyncio.sleep(1.0)
        first.cancel()
        tariffs = await second
        assert tariffs.zones
        assert first.cancelled()
        for _ in range(3):
            await smsc.senders.list(cnt=7)
        lonely = asyncio.create_task(smsc.senders.list(cnt=7))  # waits for the window
        await asyncio.sleep(1.0)
        lonely.cancel()
        await asyncio.gather(lonely, return_exceptions=True)
        await asyncio.sleep(120.0)  # long past the window: had it lived on, it would be sent
    assert ["get.get_price"] + ["senders.get"] * 3 == [x.command for x in emulator.traffic]


async def test_requests_that_never_connected_use_up_no_window(router: respx.MockRouter) -> None:
    """Connection failures leave the identical-request window free: no minute-long wait."""
    route = router.post("get.php").mock(
        side_effect=[httpx.ConnectError("refused")] * 5 + [reply('{"zones": []}')]
    )
    loop = asyncio.get_running_loop()
    async with make_client(retries=5) as smsc:
        started = loop.time()
        await smsc.tariffs.get()  # 3 identical a minute: the 4th try would wait a minute
        elapsed = loop.time() - started
    assert 6 == route.call_count
    assert elapsed < 30.0  # backoff 0.5 + 1 + 2 + 4 + 8 s and jitter, never the 60 s window


async def test_a_request_that_reached_the_server_still_counts(router: respx.MockRouter) -> None:
    """A read whose answer was lost counted at SMSC: the fourth identical try waits a minute."""
    route = router.post("get.php").mock(
        side_effect=[httpx.ReadTimeout("lost")] * 3 + [reply('{"zones": []}')]
    )
    loop = asyncio.get_running_loop()
    async with make_client(retries=5) as smsc:
        started = loop.time()
        await smsc.tariffs.get()
        elapsed = loop.time() - started
    assert 4 == route.call_count
    assert elapsed >= 60.0


# -- answers that came but cannot be read ------------------------------------------------


async def test_a_cut_answer_to_a_send_is_unconfirmed_and_names_the_message() -> None:
    """A send whose answer was cut in half raises SendUnconfirmedError with its id and phones."""
    emulator = Emulator()
    emulator.faults.truncate("send.send")
    async with emulator.client() as smsc:
        with pytest.raises(SendUnconfirmedError) as caught:
            await smsc.messages.send("79990000001", "hello", id="order-7")
    assert ("order-7", ("79990000001",)) == (caught.value.id, caught.value.phones)
    assert "could not be read" in str(caught.value)
    assert isinstance(caught.value.__cause__, MaybeAppliedError)
    assert isinstance(caught.value.__cause__.__cause__, ParseError)
    assert ["send.send"] == [x.command for x in emulator.traffic]  # never repeated
    assert emulator.outbox.find("demo", "order-7", "79990000001") is not None


async def test_an_html_page_with_status_200_to_a_send_is_unconfirmed(
    router: respx.MockRouter,
) -> None:
    """A proxy's HTML page answered with 200 to a send: SendUnconfirmedError, one request."""
    route = router.post("send.php").mock(
        return_value=httpx.Response(200, text="<html><body>Maintenance</body></html>")
    )
    async with make_client(retries=3) as smsc:
        with pytest.raises(SendUnconfirmedError) as caught:
            await smsc.messages.send("79990000001", "hello", id=42)
    assert ("42", ("79990000001",)) == (caught.value.id, caught.value.phones)
    assert 1 == route.call_count


async def test_a_body_in_the_wrong_format_to_a_write_may_have_been_applied(
    router: respx.MockRouter,
) -> None:
    """An unreadable answer to subclients.pay: MaybeAppliedError from the ParseError, once."""
    route = router.post("users.php").mock(return_value=reply("<result>OK</result>"))
    async with make_client(retries=3) as smsc:
        with pytest.raises(MaybeAppliedError) as caught:
            await smsc.subclients.pay("shop1", 10)
    assert not isinstance(caught.value, SendUnconfirmedError)
    assert isinstance(caught.value.__cause__, ParseError)
    where = "subclients.pay [users.pay]: "  # the call the user wrote, the wire command
    assert str(caught.value).startswith(where)
    assert str(caught.value.__cause__).removeprefix(where) in str(caught.value)
    assert "may have been applied" in str(caught.value)
    assert (True, 1) == (caught.value.request_sent, route.call_count)


async def test_a_cut_answer_to_a_write_is_not_repeated() -> None:
    """senders.add whose answer was cut: MaybeAppliedError; the name exists once."""
    emulator = Emulator()
    emulator.faults.truncate("senders.add")
    async with emulator.client() as smsc:
        with pytest.raises(MaybeAppliedError):
            await smsc.senders.add("shop")
        assert ["shop"] == [s.sender for s in await smsc.senders.list(all=True)]
    assert ["senders.add", "senders.get"] == [x.command for x in emulator.traffic]


async def test_a_cut_answer_to_a_read_is_asked_again() -> None:
    """A read whose answer was cut is asked again, with a Retry event, and then succeeds."""
    emulator = Emulator()
    emulator.faults.truncate("get.get_price")
    events: list[Event] = []
    async with emulator.client(on_event=events.append) as smsc:
        assert (await smsc.tariffs.get()).zones
    assert 2 == len(emulator.traffic)
    assert ["unreadable answer"] == [e.reason for e in events if isinstance(e, Retry)]


async def test_a_read_that_stays_unreadable_raises_parse_error_after_its_retries() -> None:
    """Every answer cut: retries + 1 requests, then the ParseError."""
    emulator = Emulator()
    emulator.faults.truncate("get.get_price", times=None)
    async with emulator.client(retries=2) as smsc:
        with pytest.raises(ParseError) as caught:
            await smsc.tariffs.get()
    assert "tariffs.get" == caught.value.command
    assert 3 == len(emulator.traffic)


# -- the reply size cap -------------------------------------------------------------------


async def test_a_reply_announcing_more_than_the_cap_is_a_parse_error_not_retried(
    router: respx.MockRouter,
) -> None:
    """Content-Length over max_reply_bytes: ParseError at once, the read not asked again."""
    route = router.post("senders.php").mock(return_value=reply("[" + " " * 200 + "]"))
    async with make_client(retries=3, max_reply_bytes=100) as smsc:
        with pytest.raises(ParseError) as caught:
            await smsc.senders.list()
    assert "max_reply_bytes=100" in str(caught.value)
    assert 1 == route.call_count


async def test_a_streamed_reply_is_cut_off_at_the_cap(router: respx.MockRouter) -> None:
    """A body of unknown length is read only up to max_reply_bytes, then left unread."""
    served: list[int] = []

    async def endless() -> AsyncIterator[bytes]:
        for n in range(10_000):
            served.append(n)
            yield b"[" if n == 0 else b" " * 10

    router.post("senders.php").mock(return_value=httpx.Response(200, content=endless()))
    async with make_client(max_reply_bytes=100) as smsc:
        with pytest.raises(ParseError, match="max_reply_bytes"):
            await smsc.senders.list()
    assert len(served) <= 12


async def test_a_write_with_a_reply_over_the_cap_may_have_been_applied(
    router: respx.MockRouter,
) -> None:
    """The server answered a change at length: it was processed, so MaybeAppliedError."""
    router.post("senders.php").mock(return_value=reply('{"id": 1' + " " * 500 + "}"))
    async with make_client(max_reply_bytes=64) as smsc:
        with pytest.raises(MaybeAppliedError) as caught:
            await smsc.senders.add("shop")
    assert isinstance(caught.value.__cause__, ParseError)
    assert "max_reply_bytes=64" in str(caught.value)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "32"])
def test_max_reply_bytes_must_be_a_positive_int(bad: object) -> None:
    """max_reply_bytes is checked like the other options."""
    with pytest.raises(ValidationError) as caught:
        make_client(max_reply_bytes=bad)
    assert ("max_reply_bytes",) == caught.value.fields


def test_max_reply_bytes_defaults_to_32_mib() -> None:
    """The default cap is 32 MiB, kept in the client's config."""
    assert 32 * 2**20 == make_client().config.max_reply_bytes


# --- issue 17: honest diagnostics, AIMD, pauses per server ----------------------------------


async def test_a_deadline_too_short_for_a_window_is_not_smscs_nine() -> None:
    """Refused locally: DeadlineTooShortError, naming the window and saying nothing was sent."""
    from smsc_async import DeadlineTooShortError  # noqa: PLC0415

    emulator = Emulator(minute=2.0)
    async with emulator.client() as smsc:
        for i in range(5):
            await smsc.senders.add(f"shop{i}")
        with pytest.raises(DeadlineTooShortError) as caught:
            await smsc.with_options(deadline=1.0).senders.add("late")
    assert "senders.add: 5 command per 2 s" == caught.value.reason
    assert (
        "senders.add: nothing was sent: waiting 3 s for senders.add: 5 command per 2 s would "
        "pass the call's deadline"
    ) == str(caught.value)
    assert isinstance(caught.value, RateLimitError)
    assert 3.0 == caught.value.retry_after  # the 2 s window + the 1 s margin
    assert 5 == len(emulator.traffic)


async def test_waits_are_reported_only_when_there_was_one_with_what_held_the_call() -> None:
    """No wait: no event; a full window: its label; the in-flight cap: "concurrency cap"."""
    seen: list[Event] = []
    emulator = Emulator(latency=0.5, minute=2.0)
    async with emulator.client(on_event=seen.append, max_concurrency=1) as smsc:
        await smsc.senders.list(cnt=1)
        assert [] == seen
        await asyncio.gather(smsc.tariffs.get(), smsc.senders.list(cnt=2))
        for _ in range(4):  # 3 identical a minute: the 4th waits
            await smsc.senders.list(cnt=3)
    waits = [(e.command, e.reason) for e in seen if isinstance(e, LimiterWait)]
    assert ("senders.get", "concurrency cap") in waits or (
        "tariffs.get",
        "concurrency cap",
    ) in waits
    assert ("senders.get", "senders.get: 3 identical per 2 s") in waits


async def test_too_many_in_flight_backs_off_exponentially_and_halves_the_cap() -> None:
    """Three foreign concurrency 9s: retries after 0.5-1, 1-2, 2-4 s (+jitter); cap 14 -> 7.

    They come within one recovery step: one overload, halved once.
    """
    from smsc_async import ProcessLimiter  # noqa: PLC0415

    seen: list[Event] = []
    emulator = Emulator()
    for _ in range(3):
        emulator.faults.error("get.get_price", 9, "too many concurrent requests")
    backend = ProcessLimiter(recovery=100.0)
    async with emulator.client(on_event=seen.append, retries=3, limiter=backend) as smsc:
        assert (await smsc.tariffs.get()).zones
        state = backend._domain(asyncio.get_running_loop()).logins
        (login,) = [key for key in state if key.endswith("/demo")]
        assert 7 == state[login].reduced
    waits = [e.wait for e in seen if isinstance(e, Retry)]
    assert 3 == len(waits)
    for attempt, wait in enumerate(waits):
        assert 0.5 * 2**attempt <= wait <= 2**attempt + 0.5  # equal jitter + the 0.5 s jitter


async def test_auth_pauses_are_kept_per_server_and_name_the_login_that_earned_them() -> None:
    """A subclient's 4 wrong passwords pause its server for the main login, not another server."""
    from smsc_async import AuthError, LoginPausedError  # noqa: PLC0415

    emulator = Emulator()
    async with (
        emulator.client() as main,
        emulator.client(base_url="https://other.example/sys/") as elsewhere,
    ):
        sub = main.with_credentials(login="shop1", password="wrong")
        for _ in range(4):
            with pytest.raises(AuthError):
                await sub.tariffs.get()
        with pytest.raises(LoginPausedError) as caught:
            await main.tariffs.get()
        assert (await elsewhere.tariffs.get()).zones
    assert ("demo", "shop1") == (caught.value.account, caught.value.earned_by)
    assert "4 authorisation errors within 30 minutes" == caught.value.reason
    assert "(earned by shop1)" in str(caught.value)
