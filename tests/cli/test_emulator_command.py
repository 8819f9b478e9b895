"""``smsc-async`` and ``smsc-async emulator``, through click's ``CliRunner`` (nothing is served)."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

import pytest
from click.testing import CliRunner, Result

from smsc_async import __version__
from smsc_async.cli import main
from smsc_async.testing import DEFAULT_APIKEY, DEFAULT_PASSWORD, Emulator


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="smsc-async")


def test_the_console_script_is_the_click_group() -> None:
    """The ``smsc-async`` console script runs ``smsc_async.cli:main``."""
    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert "smsc_async.cli:main" == scripts["smsc-async"]


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_every_command(flag: str) -> None:
    """``smsc-async --help`` describes the tool and lists its commands."""
    result = run(flag)
    assert 0 == result.exit_code
    assert result.stdout.startswith("Usage: smsc-async [OPTIONS] COMMAND [ARGS]...")
    assert ["contacts", "demo", "emulator", "senders", "subclients", "tariffs"] == [
        line.split()[0]
        for line in result.stdout.partition("Commands:\n")[2].splitlines()
        if line.strip()
    ]


def test_version_prints_the_package_version() -> None:
    """``smsc-async --version`` prints the program name and the package version."""
    result = run("--version")
    assert (0, f"smsc-async, version {__version__}\n") == (result.exit_code, result.stdout)


def test_emulator_help_lists_every_option() -> None:
    """``smsc-async emulator --help`` lists every option, the callback settings included."""
    result = run("emulator", "--help")
    assert 0 == result.exit_code
    listed = [
        line.split()[0]
        for line in result.stdout.partition("Options:\n")[2].splitlines()
        if line.startswith("  -")
    ]
    expected = [
        *("--host", "--port", "--minute", "--latency", "--jitter", "--approve-senders"),
        *("--callback-url", "--callback-secret", "--callback-algorithm", "--callback-fmt"),
        *("--callback-charset", "--control-token", "-h,"),
    ]
    assert expected == listed


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--port", "70000"], "--port"),
        (["--port", "-1"], "--port"),
        (["--minute", "0"], "--minute"),
        (["--latency", "-0.5"], "--latency"),
        (["--jitter", "soon"], "--jitter"),
    ],
)
def test_bad_option_values_are_user_errors(
    args: list[str], option: str, served: list[tuple[Emulator, dict[str, Any]]]
) -> None:
    """An out-of-range option exits with code 2 and a one-line message, no traceback."""
    result = run("emulator", *args)
    assert 2 == result.exit_code
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert 1 == len(errors)
    assert f"'{option}'" in errors[0]
    assert "Traceback" not in result.output
    assert [] == served


def test_emulator_builds_the_emulator_asked_for_and_serves_it(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """``emulator --minute 1 --latency 0.05 --approve-senders`` serves such an emulator."""
    result = run("emulator", "--minute", "1", "--latency", "0.05", "--approve-senders")
    assert 0 == result.exit_code, result.output
    [(emulator, options)] = served
    assert {"host": "127.0.0.1", "port": 8080} == options
    settings = (
        emulator.minute,
        emulator.rulebook.minute,
        emulator.senders.minute,
        emulator.faults.latency,
        emulator.faults.jitter,
        emulator.senders.approve,
    )
    assert (1.0, 1.0, 1.0, 0.05, 0.0, True) == settings


def test_emulator_defaults(served: list[tuple[Emulator, dict[str, Any]]]) -> None:
    """Without options the emulator runs in real time, without latency or auto-approval."""
    assert 0 == run("emulator").exit_code
    [(emulator, options)] = served
    assert {"host": "127.0.0.1", "port": 8080} == options
    settings = (emulator.minute, emulator.faults.latency, emulator.senders.approve)
    assert (60.0, 0.0, False) == settings


def test_emulator_passes_host_and_port_to_serve(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """``--host`` and ``--port`` reach ``serve`` and the URL printed."""
    result = run("emulator", "--host", "0.0.0.0", "--port", "9090", "--jitter", "0.2")  # noqa: S104
    assert 0 == result.exit_code
    [(emulator, options)] = served
    assert ({"host": "0.0.0.0", "port": 9090}, 0.2) == (options, emulator.faults.jitter)  # noqa: S104
    assert "http://0.0.0.0:9090/sys/" in result.stdout


def test_emulator_prints_the_base_url_but_no_secret(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """The start-up line gives the base URL and the account, never the password or API key."""
    result = run("emulator", "--minute", "1")
    assert 0 == result.exit_code
    line = result.stdout.splitlines()[0]  # the inbox's URL follows (issue 20)
    assert "SMSC emulator at http://127.0.0.1:8080/sys/" in line
    assert "'demo'" in line
    assert [] == [s for s in (DEFAULT_PASSWORD, DEFAULT_APIKEY) if s in result.output]
