"""``smsc-async emulator --callback-*``, through click's ``CliRunner`` (nothing is served)."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner, Result

from smsc_async.cli import main
from smsc_async.testing import CallbackSender, Emulator

SECRET = "cb-s3cret-value"
HOOK = "http://127.0.0.1:9000/smsc/callback"


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    """``smsc-async ARGS``, without any ``SMSC_CALLBACK_SECRET`` of the caller's own."""
    environment: dict[str, str | None] = {"SMSC_CALLBACK_SECRET": None, **(env or {})}
    return CliRunner().invoke(main, list(args), env=environment, prog_name="smsc-async")


def sender(served: list[tuple[Emulator, dict[str, Any]]]) -> CallbackSender:
    """The callback sender of the one emulator served."""
    [(emulator, _)] = served
    assert emulator.callbacks is not None
    return emulator.callbacks


def settings(sender: CallbackSender) -> tuple[str, str, str, str, str | None]:
    """URL, body format, charset, algorithm and secret the sender posts with."""
    return sender.url, sender.fmt, sender.charset, sender.algorithm, sender._target.secret


def callback_line(result: Result) -> str:
    """The start-up line about callbacks."""
    assert 0 == result.exit_code, result.output
    [line] = [x for x in result.stdout.splitlines() if x.startswith("Callbacks to ")]
    return line


def test_help_lists_the_callback_options() -> None:
    """``emulator --help`` lists URL, secret (with its variable), algorithm, body and charset."""
    result = run("emulator", "--help")
    assert 0 == result.exit_code
    listed = [
        line.split()[0]
        for line in result.stdout.partition("Options:\n")[2].splitlines()
        if line.startswith("  --callback-")
    ]
    expected = [
        "--callback-url",
        "--callback-secret",
        "--callback-algorithm",
        "--callback-fmt",
        "--callback-charset",
    ]
    assert expected == listed
    assert "SMSC_CALLBACK_SECRET" in result.stdout


def test_the_callback_options_build_the_sender_and_the_line_names_them_but_the_secret(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """Every ``--callback-*`` option reaches the emulator's sender; the line shows no secret."""
    result = run(
        "emulator",
        "--callback-url",
        HOOK,
        "--callback-secret",
        SECRET,
        "--callback-algorithm",
        "sha1",
        "--callback-fmt",
        "json",
        "--callback-charset",
        "utf-8",
    )
    line = callback_line(result)
    assert (HOOK, "json", "utf-8", "sha1", SECRET) == settings(sender(served))
    assert f"Callbacks to {HOOK} (json, utf-8, signed with sha1)" == line
    assert SECRET not in result.output


def test_without_options_but_the_url_the_defaults_are_smscs(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """Only ``--callback-url``: form bodies in windows-1251, unsigned."""
    line = callback_line(run("emulator", "--callback-url", HOOK))
    assert (HOOK, "form", "windows-1251", "md5", None) == settings(sender(served))
    assert f"Callbacks to {HOOK} (form, windows-1251, unsigned)" == line


def test_the_secret_may_come_from_the_environment(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """``SMSC_CALLBACK_SECRET`` signs the callbacks and is never printed."""
    result = run("emulator", "--callback-url", HOOK, env={"SMSC_CALLBACK_SECRET": SECRET})
    line = callback_line(result)
    assert (HOOK, "form", "windows-1251", "md5", SECRET) == settings(sender(served))
    assert f"Callbacks to {HOOK} (form, windows-1251, signed with md5)" == line
    assert SECRET not in result.output


def test_the_urls_own_settings_are_read_and_its_secret_not_printed(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """``?fmt=2&charset=koi8-r&sha1=...`` in the URL sets the sender; the line drops the secret."""
    result = run("emulator", "--callback-url", f"{HOOK}?fmt=2&charset=koi8-r&sha1={SECRET}")
    line = callback_line(result)
    called = f"{HOOK}?fmt=2&charset=koi8-r"
    assert (called, "xml", "koi8-r", "sha1", SECRET) == settings(sender(served))
    assert f"Callbacks to {called} (xml, koi8-r, signed with sha1)" == line
    assert SECRET not in result.output


def test_a_secret_in_the_environment_without_a_url_calls_nobody(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """``SMSC_CALLBACK_SECRET`` set for an app beside the emulator does not turn callbacks on."""
    result = run("emulator", env={"SMSC_CALLBACK_SECRET": SECRET})
    assert 0 == result.exit_code, result.output
    [(emulator, _)] = served
    assert None is emulator.callbacks
    assert "Callbacks" not in result.output
    assert SECRET not in result.output


@pytest.mark.parametrize(
    "option",
    [
        ("--callback-fmt", "json"),
        ("--callback-charset", "utf-8"),
        ("--callback-algorithm", "sha1"),
        ("--callback-secret", "typed-but-unused"),
    ],
)
def test_a_callback_option_without_the_url_is_a_usage_error(
    option: tuple[str, str], served: list[tuple[Emulator, dict[str, Any]]]
) -> None:
    """``--callback-fmt`` and the like without ``--callback-url`` exit 2, serving nothing."""
    result = run("emulator", *option)
    assert 2 == result.exit_code
    [error] = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert "--callback-url" in error
    assert "Traceback" not in result.output
    assert [] == served


@pytest.mark.parametrize(
    ("args", "secrets"),
    [
        (["--callback-url", f"{HOOK}?fmt=3", "--callback-fmt", "xml"], ()),
        (["--callback-url", f"{HOOK}?charset=koi8-r", "--callback-charset", "utf-8"], ()),
        (["--callback-url", f"{HOOK}?sha1={SECRET}", "--callback-algorithm", "md5"], (SECRET,)),
        (
            ["--callback-url", f"{HOOK}?md5={SECRET}", "--callback-secret", "another-secret"],
            (SECRET, "another-secret"),
        ),
        (["--callback-url", "ftp://127.0.0.1/smsc/callback"], ()),
    ],
)
def test_a_url_the_options_contradict_is_a_bad_parameter(
    args: list[str],
    secrets: tuple[str, ...],
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """An option against the URL's own setting, or no http URL, exits 2 quoting no secret."""
    result = run("emulator", *args)
    assert 2 == result.exit_code
    [error] = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert "--callback-*" in error
    assert "Traceback" not in result.output
    assert [] == [s for s in secrets if s in result.output]
    assert [] == served


def test_a_contradicting_secret_from_the_environment_is_not_printed(
    served: list[tuple[Emulator, dict[str, Any]]],
) -> None:
    """``SMSC_CALLBACK_SECRET`` other than the URL's secret: a usage error showing neither."""
    result = run(
        "emulator",
        "--callback-url",
        f"{HOOK}?md5={SECRET}",
        env={"SMSC_CALLBACK_SECRET": "another-secret"},
    )
    assert 2 == result.exit_code
    assert [] == [s for s in (SECRET, "another-secret") if s in result.output]
    assert [] == served
