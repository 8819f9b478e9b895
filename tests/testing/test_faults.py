"""Faults on demand, and what the SDK makes of each (virtual time: the loop clock starts at 0)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from smsc_async import (
    ApiError,
    AuthError,
    CodeAlreadySentError,
    Format,
    InvalidCodeError,
    InvalidNumberError,
    IpBlockedError,
    MessageDeniedError,
    NotFoundError,
    OperationFailedError,
    ParametersError,
    ParseError,
    RateLimitError,
    SmscClient,
    SmscError,
    TransportError,
    UndeliverableError,
)
from smsc_async.testing import DEFAULT_LOGIN, Emulator, Faults
from smsc_async.testing._tariffs import DEFAULT_TARIFFS
from tests._support import confirmed, unpaced

pytestmark = pytest.mark.looptime


def now() -> float:
    return asyncio.get_running_loop().time()


async def timed(call: Awaitable[Any]) -> float:
    """Loop seconds ``call`` takes, whether it returns or raises an SMSC error."""
    start = now()
    with contextlib.suppress(SmscError):
        await call
    return now() - start


def created(emulator: Emulator) -> list[str]:
    """The names the default account has at the emulator."""
    return [e.sender for e in emulator.senders.names[DEFAULT_LOGIN].values()]


# -- latency and jitter ---------------------------------------------------------------------


@pytest.mark.parametrize("latency", [0.5, 2.0, 7.25])
async def test_a_fixed_latency_makes_a_call_take_exactly_that_long(latency: float) -> None:
    """With ``latency`` set, a call takes exactly that many loop seconds, and no real time."""
    emulator = Emulator(latency=latency)
    async with emulator.client() as smsc:
        start = now()
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()
        assert latency == now() - start
    assert [(start, start + latency)] == [(e.start, e.end) for e in emulator.traffic]


PLANS: dict[str, Callable[[Faults], None]] = {
    "success": lambda faults: None,
    "forced-error": lambda faults: faults.error("get.get_price", 1),
    "bad-gateway": lambda faults: faults.bad_gateway(),
}


@pytest.mark.parametrize("plan", PLANS)
async def test_latency_holds_for_refusals_and_error_pages(plan: str) -> None:
    """Successes, SMSC errors and 502 pages all take the configured latency."""
    emulator = Emulator(latency=1.5)
    PLANS[plan](emulator.faults)
    async with emulator.client(retries=0) as smsc:  # one request: a 502 would be retried
        assert 1.5 == await timed(smsc.tariffs.get())


async def test_an_authorisation_error_takes_the_latency_too() -> None:
    """A request with a wrong password is refused after the same latency."""
    emulator = Emulator(latency=1.5)
    async with emulator.client(password="wrong", retries=0) as smsc:
        with pytest.raises(AuthError):
            await smsc.tariffs.get()
    assert 1.5 == now()


async def test_latency_is_per_request_not_a_queue() -> None:
    """Concurrent calls overlap at the server: three at once all finish after one latency."""
    emulator = Emulator(latency=2.0)
    async with confirmed(emulator.client()) as smsc:
        await asyncio.gather(smsc.tariffs.get(), smsc.senders.list(), smsc.senders.add("shop"))
    assert 2.0 == now()
    assert 3 == emulator.peak_in_flight()


async def durations(seed: int, calls: int = 20) -> list[float]:
    """How long each of ``calls`` sequential calls takes with latency 1 and jitter 0.5."""
    emulator = Emulator(latency=1.0, jitter=0.5, seed=seed, rules=())
    async with unpaced(emulator) as smsc:  # no pacing: each call takes only the server's time
        # Rounded to looptime's microsecond: the sums of loop times differ in the last bits.
        return [round(await timed(smsc.tariffs.get()), 6) for _ in range(calls)]


async def test_jitter_stays_between_latency_and_latency_plus_jitter() -> None:
    """Every call takes from ``latency`` to ``latency + jitter`` seconds, and they vary."""
    taken = await durations(seed=1)
    assert [] == [t for t in taken if not 1.0 <= t <= 1.5]
    assert max(taken) - min(taken) > 0.2


async def test_jitter_is_reproducible_with_the_same_seed() -> None:
    """The same seed gives the same delays; another seed gives others."""
    first, again, other = await durations(seed=7), await durations(seed=7), await durations(8)
    assert first == again
    assert first != other


# -- connection faults ----------------------------------------------------------------------


async def test_a_reset_before_processing_is_a_request_that_was_never_sent() -> None:
    """``reset(after=False)`` drops the call unseen: ``request_sent`` is False, nothing changed."""
    emulator = Emulator()
    emulator.faults.reset(after=False)
    async with emulator.client(retries=0) as smsc:  # a failure before sending is retried
        with pytest.raises(TransportError) as caught:
            await smsc.senders.add("shop")
        assert (False, None, "senders.add") == (
            caught.value.request_sent,
            caught.value.status_code,
            caught.value.command,
        )
        assert [] == created(emulator)
        await smsc.senders.add("shop")  # the fault is used up; retrying is safe
    assert ["shop"] == created(emulator)


async def test_a_reset_after_processing_leaves_the_change_applied() -> None:
    """``reset()`` drops the answer after the change was made: ``request_sent`` is True."""
    emulator = Emulator()
    emulator.faults.reset()
    async with emulator.client(retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.senders.add("shop")
        assert (True, None) == (caught.value.request_sent, caught.value.status_code)
        assert ["shop"] == created(emulator)
        with pytest.raises(OperationFailedError):  # so a blind retry is not harmless
            await smsc.senders.add("shop")


async def test_a_bad_gateway_page_is_a_transport_error_with_status_502() -> None:
    """``bad_gateway()`` answers nginx's 502 page; the SDK reports HTTP 502, nothing changed."""
    emulator = Emulator()
    emulator.faults.bad_gateway()
    async with emulator.client(retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.senders.add("shop")
    assert (502, True) == (caught.value.status_code, caught.value.request_sent)
    assert [] == created(emulator)
    assert [502] == [e.http_status for e in emulator.traffic]


async def test_a_truncated_body_is_a_parse_error(fmt: Format) -> None:
    """``truncate()`` cuts the answer in half, which the SDK refuses to decode in any format."""
    emulator = Emulator()
    emulator.faults.truncate()
    async with emulator.client(fmt=fmt, retries=0) as smsc:  # a read would be asked again
        with pytest.raises(ParseError) as caught:
            await smsc.tariffs.get()
        assert ("tariffs.get", int(fmt)) == (caught.value.command, caught.value.fmt)
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()  # only once


@pytest.mark.parametrize("delay", [2.0, 0.5])
async def test_a_slow_body_still_decodes_after_three_pauses(fmt: Format, delay: float) -> None:
    """``slow_body(delay=d)`` sends four pieces ``d`` apart: the answer is whole, 3d later."""
    emulator = Emulator(latency=1.0)
    emulator.faults.slow_body(delay=delay)
    async with emulator.client(fmt=fmt) as smsc:
        start = now()
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()
        assert 1.0 + 3 * delay == now() - start


async def test_a_slow_body_of_a_short_answer_also_comes_in_four_pieces(fmt: Format) -> None:
    """Even a short answer (a new name's id) is sent in four pieces: three pauses of ``delay``."""
    emulator = Emulator()
    emulator.faults.slow_body("senders.add", delay=2)
    async with emulator.client(fmt=fmt) as smsc:
        start = now()
        assert 1001 == await smsc.senders.add("shop")
        assert 6.0 == now() - start


# -- forced SMSC errors ---------------------------------------------------------------------


async def test_a_forced_error_5_on_senders_add_is_operation_failed() -> None:
    """``error("senders.add", 5)`` answers error 5 with its message; no name is created."""
    emulator = Emulator()
    emulator.faults.error("senders.add", 5, "cannot save")
    async with emulator.client(retries=0) as smsc:
        with pytest.raises(OperationFailedError) as caught:
            await smsc.senders.add("shop")
    assert (5, "cannot save", "senders.add") == (
        caught.value.code,
        caught.value.message,
        caught.value.command,
    )
    assert [] == created(emulator)
    assert [5] == [e.error_code for e in emulator.traffic]


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (1, ParametersError),
        (2, AuthError),
        (3, NotFoundError),
        (4, IpBlockedError),
        (5, OperationFailedError),
        (6, MessageDeniedError),
        (7, InvalidNumberError),
        (8, UndeliverableError),
        (9, RateLimitError),
        (10, CodeAlreadySentError),
        (11, InvalidCodeError),
        (42, ApiError),
    ],
)
async def test_a_forced_error_code_maps_to_its_exception_class(
    code: int, error: type[ApiError]
) -> None:
    """Each forced SMSC error code reaches the caller as its own ``ApiError`` subclass."""
    emulator = Emulator()
    emulator.faults.error("*", code)
    async with emulator.client(retries=0) as smsc:  # one reply: a 9 would be retried
        with pytest.raises(ApiError) as caught:
            await smsc.senders.list()
    assert (error, code, "forced error") == (
        type(caught.value),
        caught.value.code,
        caught.value.message,
    )


async def test_a_forced_error_reads_the_same_in_every_format(fmt: Format) -> None:
    """The forced error's envelope decodes to the same exception in every wire format."""
    emulator = Emulator()
    emulator.faults.error("get.get_price", 7, "invalid number")
    async with emulator.client(fmt=fmt, retries=0) as smsc:
        with pytest.raises(InvalidNumberError) as caught:
            await smsc.tariffs.get()
    message = "" if fmt is Format.CSV else "invalid number"  # fmt=1 is ``0,-7``: no text
    assert (7, message) == (caught.value.code, caught.value.message)


# -- how often a plan applies ---------------------------------------------------------------

KINDS: dict[str, tuple[Callable[[Faults, int | None], None], type[SmscError]]] = {
    "error": (lambda f, times: f.error("get.get_price", 1, times=times), ParametersError),
    "bad-gateway": (lambda f, times: f.bad_gateway("get.get_price", times=times), TransportError),
    "reset-before": (lambda f, t: f.reset("get.get_price", after=False, times=t), TransportError),
    "reset-after": (lambda f, times: f.reset("get.get_price", times=times), TransportError),
    "truncate": (lambda f, times: f.truncate("get.get_price", times=times), ParseError),
}


async def outcome(smsc: SmscClient) -> str:
    """What a price-list request ended with: ``"ok"`` or the exception's class name."""
    try:
        await smsc.tariffs.get()
    except SmscError as exc:
        return type(exc).__name__
    return "ok"


async def outcomes(smsc: SmscClient, calls: int) -> list[str]:
    """What each of ``calls`` sequential price-list requests ended with."""
    return [await outcome(smsc) for _ in range(calls)]


@pytest.mark.parametrize("kind", KINDS)
async def test_times_2_applies_a_fault_twice_then_stops(kind: str) -> None:
    """A plan with ``times=2`` breaks the next two calls of its command, then no more."""
    emulator = Emulator(rules=())
    plan, error = KINDS[kind]
    plan(emulator.faults, 2)
    async with unpaced(emulator) as smsc:  # one request per call, none held back
        assert [error.__name__, error.__name__, "ok", "ok"] == await outcomes(smsc, 4)


@pytest.mark.parametrize("kind", KINDS)
async def test_times_none_applies_a_fault_to_every_call(kind: str) -> None:
    """A plan with ``times=None`` breaks every call of its command."""
    emulator = Emulator(rules=())
    plan, error = KINDS[kind]
    plan(emulator.faults, None)
    async with unpaced(emulator) as smsc:
        assert [error.__name__] * 5 == await outcomes(smsc, 5)


async def test_a_plan_for_one_command_leaves_the_others_alone() -> None:
    """A fault planned for ``senders.add`` does not touch ``get.get_price`` or ``senders.get``."""
    emulator = Emulator()
    emulator.faults.error("senders.add", 5, times=None)
    async with emulator.client() as smsc:
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()
        assert [] == await smsc.senders.list()
        with pytest.raises(OperationFailedError):
            await smsc.senders.add("shop")


async def test_star_matches_every_command() -> None:
    """A plan for ``"*"`` applies to every command of every script."""
    emulator = Emulator()
    emulator.faults.error("*", 1, times=None)
    async with emulator.client() as smsc:
        calls = [smsc.tariffs.get(), smsc.senders.list(), smsc.senders.add("shop")]
        for call in calls:
            with pytest.raises(ParametersError):
                await call
    assert ["get.get_price", "senders.get", "senders.add"] == [e.command for e in emulator.traffic]


async def test_clear_forgets_every_plan_but_keeps_latency() -> None:
    """``clear()`` drops planned faults; latency and jitter stay."""
    emulator = Emulator(latency=0.5)
    emulator.faults.error("*", 1, times=None)
    emulator.faults.bad_gateway(times=None)
    emulator.faults.clear()
    async with emulator.client() as smsc:
        assert 0.5 == await timed(smsc.tariffs.get())
    assert ([], [None]) == (emulator.faults.plans, [e.error_code for e in emulator.traffic])
