"""The account commands run against an emulator served on 127.0.0.1, as a user would."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from click.testing import CliRunner, Result
from starlette.types import Receive, Scope, Send

import smsc_async.testing
from smsc_async.cli import main
from smsc_async.testing import (
    DEFAULT_APIKEY,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    Emulator,
    serving_in_thread,
)

SECRETS = (DEFAULT_PASSWORD, DEFAULT_APIKEY)


@attrs.define
class _Swap:
    """One server for the module, a fresh emulator behind it for each test."""

    emulator: Emulator = attrs.field(factory=Emulator)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.emulator(scope, receive, send)


@pytest.fixture(scope="module")
def _server() -> Iterator[tuple[_Swap, str]]:
    swap = _Swap()
    with serving_in_thread(swap) as base_url:  # type: ignore[arg-type]
        yield swap, base_url


@pytest.fixture
def emulator(_server: tuple[_Swap, str], monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """A fresh emulator, served; ``SMSC_*`` name its account, as a user would set them."""
    swap, base_url = _server
    swap.emulator = Emulator(approve_senders=True)
    point_env_at(monkeypatch, base_url)
    return swap.emulator


def point_env_at(monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    """``SMSC_*`` name the emulator's account at ``base_url``, as a user would set them."""
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY", "SMSC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMSC_LOGIN", DEFAULT_LOGIN)
    monkeypatch.setenv("SMSC_PASSWORD", DEFAULT_PASSWORD)
    monkeypatch.setenv("SMSC_BASE_URL", base_url)


def cli(*args: str, env: dict[str, str | None] | None = None) -> Result:
    """``smsc-async ARGS`` in click's runner (stdout and stderr apart)."""
    return CliRunner().invoke(main, list(args), env=env, prog_name="smsc-async")


def one_line_error(result: Result, code: int) -> str:
    """The run failed with ``code`` and one ``Error:`` line, no traceback, no secret."""
    assert code == result.exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert "Traceback" not in result.output
    assert [] == [s for s in SECRETS if s in result.output]
    return line


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Emulator, dict[str, Any]]]:
    """What ``serve`` was called with, instead of serving (the CLI imports it on each run)."""
    calls: list[tuple[Emulator, dict[str, Any]]] = []

    def capture(emulator: Emulator, **options: Any) -> None:
        calls.append((emulator, options))

    monkeypatch.setattr(smsc_async.testing, "serve", capture)
    return calls
