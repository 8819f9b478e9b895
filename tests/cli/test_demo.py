"""``smsc-async demo``: its async core in virtual time, and the command through ``CliRunner``."""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Coroutine
from typing import Any

import pytest
from click.testing import CliRunner, Result

import smsc_async.cli._demo as demo_module
from smsc_async import Format, Provisioned, SubclientSpec
from smsc_async.bulk import Progress
from smsc_async.cli import main
from smsc_async.cli._demo import (
    DEFAULT_LATENCY,
    DEFAULT_MINUTE,
    DEFAULT_SUBCLIENTS,
    DemoSummary,
    demo_margin,
    lower_bound,
    run_demo,
)
from smsc_async.testing import DEFAULT_APIKEY, DEFAULT_PASSWORD, Emulator

TINY = ["--subclients", "6", "--minute", "0.2", "--latency", "0"]
"""Real-time settings small enough for a unit test: 6 subclients in about 0.2 s."""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["demo", *args], prog_name="smsc-async")


def table_rows(stdout: str) -> dict[str, str]:
    """The summary table's rows: figure -> value."""
    cells = [line.split("│") for line in stdout.splitlines() if line.count("│") == 4]
    return {cell[1].strip(): cell[2].strip() for cell in cells}


def secrets_in(text: str) -> list[str]:
    return [secret for secret in (DEFAULT_PASSWORD, DEFAULT_APIKEY) if secret in text]


def take_login(login: str) -> functools.partial[Coroutine[Any, Any, DemoSummary]]:
    """``run_demo`` with ``login`` already taken at the emulator, so its subclient fails."""

    def prepare(emulator: Emulator) -> None:
        emulator.add_subclient(login, "Other-pass1")

    return functools.partial(run_demo, prepare=prepare)


# -- the async core -------------------------------------------------------------------------


@pytest.mark.looptime
async def test_the_default_demo_keeps_every_rule_within_5_percent_of_the_bound() -> None:
    """50 subclients, 2 s minutes: all done, no error 9, 14 of 14 in flight, near the bound."""
    summary = await run_demo()
    bound = 3 * DEFAULT_LATENCY + 9 * DEFAULT_MINUTE  # 10 batches of 5 sender names
    figures = (
        summary.total,
        summary.done,
        summary.failed,
        summary.error_9,
        summary.violations,
        summary.peak_in_flight,
        summary.cap,
        summary.requests,
    )
    assert (50, 50, 0, 0, 0, 14, 14, 150) == figures
    assert DEFAULT_SUBCLIENTS == summary.total
    assert pytest.approx(bound) == summary.bound
    assert summary.bound <= summary.elapsed <= 1.05 * summary.bound
    assert summary.ratio is not None
    assert pytest.approx(summary.elapsed / summary.bound) == summary.ratio
    assert (True, None, ()) == (summary.succeeded, summary.reason(), summary.failures)


@pytest.mark.looptime
async def test_every_wire_format_gives_the_same_figures(fmt: Format) -> None:
    """In each of the four formats, 7 subclients are all done with 21 requests and no error 9."""
    summary = await run_demo(subclients=7, fmt=fmt)
    figures = (summary.fmt, summary.done, summary.requests, summary.error_9, summary.violations)
    assert (fmt, 7, 21, 0, 0) == figures
    assert summary.bound <= summary.elapsed <= 1.05 * summary.bound


@pytest.mark.looptime
async def test_progress_is_reported_for_every_subclient_in_order() -> None:
    """The progress hook sees 1, 2, ... up to the total, every one done."""
    seen: list[Progress[SubclientSpec, Provisioned]] = []
    await run_demo(subclients=11, on_progress=seen.append)
    assert list(range(1, 12)) == [p.finished for p in seen]
    assert (11, 11, 0) == (seen[-1].total, seen[-1].done, seen[-1].failed)


async def test_over_http_the_demo_keeps_every_rule() -> None:
    """Served by uvicorn on 127.0.0.1 (real time), 7 subclients are done without error 9."""
    summary = await run_demo(subclients=7, minute=0.2, latency=0.01, over_http=True)
    figures = (summary.over_http, summary.done, summary.requests, summary.error_9)
    assert (True, 7, 21, 0) == figures
    assert (0, 14) == (summary.violations, summary.cap)
    assert summary.bound <= summary.elapsed


@pytest.mark.looptime
async def test_a_taken_login_fails_its_subclient_and_the_claim() -> None:
    """A login that exists already fails that subclient alone, and the summary says why."""
    summary = await take_login("shop0002")(subclients=6)
    assert (5, 1, ("shop0002: LoginTakenError",)) == (
        summary.done,
        summary.failed,
        summary.failures,
    )
    assert not summary.succeeded
    assert "1 of 6 subclients not done (first: shop0002: LoginTakenError)" == summary.reason()


@pytest.mark.looptime
async def test_an_error_9_answered_fails_the_claim_though_every_subclient_is_done() -> None:
    """An error 9 the emulator forces is retried to success, and still counted against the claim."""

    def prepare(emulator: Emulator) -> None:
        emulator.faults.error("senders.add", 9, "duplicate request, wait a minute")

    summary = await run_demo(subclients=6, prepare=prepare)
    assert (6, 1, 0) == (summary.done, summary.error_9, summary.violations)
    assert "SMSC answered error 9 1 time(s)" == summary.reason()


def test_the_lower_bound_is_set_by_sender_names_or_by_the_in_flight_cap() -> None:
    """Sender-name batches set the bound, unless latency x (3n / 14) is longer."""
    assert pytest.approx(0.15 + 9 * 2.0) == lower_bound(50, minute=2.0, latency=0.05)
    assert pytest.approx(0.15) == lower_bound(5, minute=2.0, latency=0.05)
    assert pytest.approx(math.ceil(210 / 14) * 1.0) == lower_bound(70, minute=0.01, latency=1.0)


def test_the_margin_scales_with_the_minute() -> None:
    """The client's margin is 1 s per real minute, at least 20 ms (100 ms over loopback HTTP)."""
    assert (1.0, 2.0 / 60, 0.02) == (demo_margin(60.0), demo_margin(2.0), demo_margin(0.2))
    assert (0.1, 1.0) == (demo_margin(2.0, over_http=True), demo_margin(60.0, over_http=True))


def test_the_json_summary_names_the_format_and_rounds_seconds() -> None:
    """``as_json`` gives plain data: the format by name, seconds to the millisecond."""
    summary = DemoSummary(
        total=1,
        done=1,
        failed=0,
        requests=3,
        error_9=0,
        violations=0,
        peak_in_flight=1,
        cap=14,
        elapsed=0.123456,
        bound=0.1,
        ratio=1.23456,
        fmt=Format.XML,
        minute=1.0,
        latency=0.0,
        margin=1 / 60,
        over_http=False,
    )
    data = summary.as_json()
    assert ("xml", 0.123, 1.2346, [], True) == (
        data["fmt"],
        data["elapsed"],
        data["ratio"],
        data["failures"],
        data["ok"],
    )
    assert data == json.loads(json.dumps(data))


# -- the command ----------------------------------------------------------------------------


def test_the_command_prints_the_summary_table_and_exits_0() -> None:
    """A tiny run exits 0 with every figure in the table and the compressed minute said."""
    result = run(*TINY)
    assert 0 == result.exit_code, result.output
    rows = table_rows(result.stdout)
    expected = {
        "subclients done": "6",
        "subclients failed": "0",
        "requests sent": "18",
        "error 9 answers": "0",
    }
    assert expected == {k: rows[k] for k in expected}
    assert rows["peak in flight"].endswith("/ 14")
    assert {"time taken", "lower bound", "time / bound"} <= rows.keys()
    assert "A minute lasts 0.2 s here" in result.stdout
    assert "A minute lasts 0.2 s here" in result.stderr  # said before the run, too
    assert "6/6" in result.stderr  # the progress bar, kept off standard output
    assert [] == secrets_in(result.output)


def test_json_prints_one_parseable_object_with_the_figures() -> None:
    """``--json`` puts exactly one JSON object on standard output, with the run's figures."""
    result = run(*TINY, "--json", "--fmt", "2")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    figures = {k: data[k] for k in ("total", "done", "failed", "requests", "error_9", "cap")}
    assert {"total": 6, "done": 6, "failed": 0, "requests": 18, "error_9": 0, "cap": 14} == figures
    assert ("xml", 0.2, True) == (data["fmt"], data["minute"], data["ok"])
    assert data["bound"] <= data["elapsed"]
    assert [] == secrets_in(result.output)


def test_the_command_runs_over_http() -> None:
    """``--http`` serves the emulator on 127.0.0.1 and says so; no secret is printed."""
    result = run("--subclients", "3", "--minute", "0.2", "--latency", "0", "--http", "--json")
    assert 0 == result.exit_code, result.output
    data = json.loads(result.stdout)
    assert (True, 3, 9, 0) == (data["over_http"], data["done"], data["requests"], data["error_9"])
    assert [] == secrets_in(result.output)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--subclients", "0"], "--subclients"),
        (["--subclients", "1001"], "--subclients"),
        (["--minute", "0"], "--minute"),
        (["--latency", "-1"], "--latency"),
        (["--fmt", "7"], "--fmt"),
        (["--fmt", "yaml"], "--fmt"),
    ],
)
def test_bad_option_values_are_usage_errors(args: list[str], option: str) -> None:
    """An out-of-range option exits with code 2 and one ``Error:`` line, no traceback."""
    result = run(*args)
    assert 2 == result.exit_code
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert 1 == len(errors)
    assert f"'{option}'" in errors[0]
    assert "Traceback" not in result.output
    assert "" == result.stdout


@pytest.mark.parametrize("name", ["lines", "csv", "xml", "json", "0", "1", "2", "3"])
def test_fmt_takes_a_name_or_a_number(name: str) -> None:
    """``--fmt`` accepts each format by name (any case) or by its number."""
    result = run(*TINY, "--json", "--fmt", name.upper())
    assert 0 == result.exit_code, result.output
    expected = {"0": "lines", "1": "csv", "2": "xml", "3": "json"}.get(name, name)
    assert expected == json.loads(result.stdout)["fmt"]


def test_a_failed_subclient_fails_the_run_with_a_one_line_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A subclient that cannot be created makes the command exit 1, saying why in one line."""
    monkeypatch.setattr(demo_module, "run_demo", take_login("shop0001"))
    result = run(*TINY)
    assert 1 == result.exit_code
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    expected = (
        "Error: the demo's claim failed: 1 of 6 subclients not done "
        "(first: shop0001: LoginTakenError)"
    )
    assert [expected] == errors
    assert "Traceback" not in result.output
    rows = table_rows(result.stdout)
    assert ("5", "1") == (rows["subclients done"], rows["subclients failed"])


def test_a_failed_run_with_json_still_prints_the_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``--json``, a failed run prints its JSON summary and exits 1."""
    monkeypatch.setattr(demo_module, "run_demo", take_login("shop0000"))
    result = run(*TINY, "--json")
    assert 1 == result.exit_code
    data = json.loads(result.stdout)
    assert (5, 1, False, ["shop0000: LoginTakenError"]) == (
        data["done"],
        data["failed"],
        data["ok"],
        data["failures"],
    )


def test_help_lists_every_option() -> None:
    """``smsc-async demo --help`` lists subclients, minute, latency, fmt, http and json."""
    result = run("--help")
    assert 0 == result.exit_code
    listed = [
        line.split()[0]
        for line in result.stdout.partition("Options:\n")[2].splitlines()
        if line.startswith("  -")
    ]
    expected = ["--subclients", "--minute", "--latency", "--fmt", "--http", "--json", "-h,"]
    assert expected == listed
