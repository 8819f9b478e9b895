"""The retry policy on its own: what each failure means, without a client, a server or a clock."""

from __future__ import annotations

import random
from typing import Any

import pytest

from smsc_async import (
    ClientClosedError,
    MaybeAppliedError,
    ParseError,
    RateLimitError,
    TransportError,
)
from smsc_async._commands import Command, RetryClass
from smsc_async._retry import (
    auth_guard,
    backoff,
    closed_error,
    crowded_wait,
    gives_up,
    ip_ban,
    jittered,
    maybe_applied,
    never_resend,
    rate_limited_reason,
    too_many_in_flight,
    transport_reason,
    unreadable,
)
from smsc_async.formats import Ok


def command(retry: RetryClass, script: str = "senders.php") -> Command[Any]:
    return Command("family.cmd", script, "cmd", Ok(), None, retry)


READ = command(RetryClass.SAFE_READ)
WRITE = command(RetryClass.WRITE)
SEND = command(RetryClass.SEND, "send.php")


def nine(message: str) -> RateLimitError:
    return RateLimitError(9, message, command="family.cmd")


class Fixed(random.Random):
    """A random source that always lands at one point of the range asked for (0: low, 1: high)."""

    def __init__(self, point: float) -> None:
        super().__init__()
        self.point = point

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.point


# -- error 9 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("too many concurrent requests", True),
        ("Too Many CONCURRENT Requests", True),
        ("duplicate request, wait a minute", False),
        ("", False),  # fmt=1 sends no description: read as a window's
    ],
)
def test_only_an_error_nine_naming_concurrency_is_about_requests_in_flight(
    message: str, expected: bool
) -> None:
    """Error 9 is about the in-flight cap exactly when its description says "concurrent"."""
    assert expected == too_many_in_flight(nine(message))


@pytest.mark.parametrize("script", ["send.php", "jobs.php"])
def test_a_sends_duplicate_error_nine_ends_the_call_as_maybe_applied(script: str) -> None:
    """A send refused as a duplicate is not resent: MaybeAppliedError, with SMSC's words."""
    error = nine("duplicate request, wait a minute")
    with pytest.raises(MaybeAppliedError) as caught:
        never_resend(command(RetryClass.SEND, script), error)
    text = (
        "family.cmd: SMSC refused it as a duplicate (error 9: duplicate request, wait a "
        "minute); an identical send within the last minute may have been this one, so it "
        "is not repeated"
    )
    actual = (str(caught.value), caught.value.request_sent, caught.value.__cause__)
    assert (text, True, error) == actual


@pytest.mark.parametrize(
    ("cmd", "message"),
    [
        (SEND, "too many concurrent requests"),  # nothing of it was carried out
        (command(RetryClass.SEND, "senders.php"), "duplicate request"),  # a general window
        (command(RetryClass.WRITE, "jobs.php"), "duplicate request"),  # not a send
        (command(RetryClass.SAFE_READ, "send.php"), "duplicate request"),
    ],
    ids=["concurrency", "other-script", "write", "read"],
)
def test_other_error_nines_are_waited_out(cmd: Command[Any], message: str) -> None:
    """Error 9 for the cap, of another script, or to a non-send leaves the call to retry."""
    assert None is never_resend(cmd, nine(message))  # type: ignore[func-returns-value]


@pytest.mark.parametrize(
    ("message", "expected"),
    [("duplicate request", "error 9 (duplicate request)"), ("", "error 9 (rate limited)")],
)
def test_the_reason_of_an_error_nine_retry_quotes_smscs_words(message: str, expected: str) -> None:
    """A retry after error 9 says so, with SMSC's description, or "rate limited" without one."""
    assert expected == rate_limited_reason(nine(message))


# -- transport failures and unreadable answers ---------------------------------------------


def lost(*, sent: bool) -> TransportError:
    return TransportError("no answer within 5 s", command="family.cmd", request_sent=sent)


@pytest.mark.parametrize(
    ("cmd", "sent"),
    [(READ, True), (READ, False), (WRITE, False), (SEND, False)],
    ids=["read-sent", "read-unsent", "write-unsent", "send-unsent"],
)
def test_a_read_or_a_request_that_never_left_may_be_repeated(cmd: Command[Any], sent: bool) -> None:
    """No ending error for a read, nor for a change or send the server never saw."""
    assert None is maybe_applied(cmd, lost(sent=sent))


@pytest.mark.parametrize("cmd", [WRITE, SEND], ids=["write", "send"])
def test_a_change_or_send_lost_after_it_left_ends_as_maybe_applied(cmd: Command[Any]) -> None:
    """A change or a send that may have arrived ends as MaybeAppliedError, its status kept."""
    exc = TransportError(
        "HTTP 502 error page", command="family.cmd", request_sent=True, status_code=502
    )
    error = maybe_applied(cmd, exc)
    assert error is not None
    text = (
        "family.cmd: HTTP 502 error page; the request may have been applied, so it is not repeated"
    )
    actual = (type(error), str(error), error.request_sent, error.status_code)
    assert (MaybeAppliedError, text, True, 502) == actual


@pytest.mark.parametrize(
    ("sent", "expected"),
    [(True, "transport error after sending"), (False, "transport error before sending")],
)
def test_the_reason_of_a_transport_retry_says_whether_it_had_left(
    sent: bool, expected: str
) -> None:
    """A retry after a transport failure says whether the request had been sent."""
    assert expected == transport_reason(lost(sent=sent))


def test_an_unreadable_answer_to_a_change_ends_as_maybe_applied() -> None:
    """The answer came but could not be read: MaybeAppliedError quoting the parse error once."""
    parse = ParseError("not JSON", command="family.cmd", fmt=3, excerpt="<html>")
    error = unreadable(WRITE, parse)
    text = (
        "family.cmd: the answer could not be read (not JSON [fmt=3, body starts '<html>']); "
        "the request may have been applied, so it is not repeated"
    )
    assert (text, True) == (str(error), error.request_sent)


# -- the client closed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cmd", "sent", "expected_type", "expected_text"),
    [
        (WRITE, False, ClientClosedError, "family.cmd: the client was closed before it was sent"),
        (
            READ,
            True,
            ClientClosedError,
            "family.cmd: the client was closed before its answer came",
        ),
        (
            SEND,
            True,
            MaybeAppliedError,
            (
                "family.cmd: the client was closed before the answer came; the request may "
                "have been applied, so it is not repeated"
            ),
        ),
    ],
    ids=["unsent", "read-sent", "send-sent"],
)
def test_closing_ends_a_call_as_closed_unless_a_change_may_have_arrived(
    cmd: Command[Any], sent: bool, expected_type: type[Exception], expected_text: str
) -> None:
    """Closed before sending, or a read: ClientClosedError; a sent change: MaybeAppliedError."""
    error = closed_error(cmd, sent=sent)
    assert (expected_type, expected_text) == (type(error), str(error))


# -- waits ---------------------------------------------------------------------------------


def test_the_backoff_doubles_from_its_base_with_each_attempt() -> None:
    """The wait after attempts 1, 2, 3, 4 is the base, twice, four and eight times it."""
    assert [0.5, 1.0, 2.0, 4.0] == [backoff(0.5, attempt) for attempt in (1, 2, 3, 4)]


@pytest.mark.parametrize(
    ("crowded", "point", "expected"),
    [(1, 0.0, 0.5), (1, 1.0, 1.0), (2, 0.0, 1.0), (3, 1.0, 4.0), (6, 1.0, 30.0), (9, 0.0, 15.0)],
)
def test_a_crowded_server_is_retried_between_half_and_all_of_a_doubling_capped_base(
    crowded: int, point: float, expected: float
) -> None:
    """After the n-th "too many concurrent": between half and all of min(2**(n-1), 30) s."""
    assert expected == crowded_wait(crowded, Fixed(point))


@pytest.mark.parametrize(("point", "expected"), [(0.0, 2.0), (1.0, 2.5)])
def test_jitter_adds_up_to_its_length(point: float, expected: float) -> None:
    """A wait of 2 s with 0.5 s of jitter becomes 2 to 2.5 s."""
    assert expected == jittered(2.0, 0.5, Fixed(point))


@pytest.mark.parametrize(
    ("attempt", "wait", "deadline", "expected"),
    [
        (3, 1.0, None, False),  # the 3rd failure of 3 retries: one more to go
        (4, 1.0, None, True),  # retries used up
        (1, 1.0, 101.0, False),  # the wait ends exactly at the deadline
        (1, 1.5, 101.0, True),  # the wait would pass it
    ],
    ids=["retries-left", "retries-used", "just-in-time", "too-late"],
)
def test_a_call_gives_up_when_out_of_retries_or_when_the_wait_would_pass_its_deadline(
    attempt: int, wait: float, deadline: float | None, expected: bool
) -> None:
    """Give up after the last retry, or when now + wait is past the deadline."""
    assert expected == gives_up(attempt, 3, now=100.0, wait=wait, deadline=deadline)


# -- pauses --------------------------------------------------------------------------------


@pytest.mark.parametrize(("minute", "expected"), [(60.0, 1800.0), (2.0, 60.0)])
def test_error_four_pauses_the_server_for_thirty_minutes(minute: float, expected: float) -> None:
    """An IP block pauses for SMSC's longer block, 30 minutes of the configured length."""
    assert (expected, "SMSC blocked this IP (error 4)") == ip_ban(minute)


@pytest.mark.parametrize(("minute", "expected"), [(60.0, 1800.0), (2.0, 60.0)])
def test_the_auth_guard_pauses_at_four_errors_within_thirty_minutes(
    minute: float, expected: float
) -> None:
    """The guard stops at 4 auth errors in 30 minutes, before SMSC's 5th blocks the IP."""
    assert (4, expected) == auth_guard(minute)
