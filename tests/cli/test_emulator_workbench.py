"""``smsc-async emulator`` and the workbench: the inbox URL, the control token, the summary.

Nothing is served: ``serve`` is captured (the ``served`` fixture), or uvicorn's ``run`` is
replaced by one that returns at once, as Ctrl+C would make it.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
import uvicorn

from smsc_async.testing import Emulator, serve
from tests.cli.conftest import cli

Served = list[tuple[Emulator, dict[str, Any]]]


def test_the_inbox_url_is_printed_and_no_token_on_loopback(served: Served) -> None:
    """Bound to 127.0.0.1 the controls are open to this machine: no token is made up."""
    result = cli("emulator", "--port", "9191", env={"SMSC_EMULATOR_TOKEN": None})
    assert 0 == result.exit_code, result.output
    [(emulator, _)] = served
    assert "Inbox at http://127.0.0.1:9191/_emulator/" in result.stdout.splitlines()
    assert emulator.control_token is None
    assert "token" not in result.stdout.lower()


def test_bound_elsewhere_a_token_is_made_up_and_printed_once(served: Served) -> None:
    result = cli("emulator", "--host", "0.0.0.0", env={"SMSC_EMULATOR_TOKEN": None})  # noqa: S104
    assert 0 == result.exit_code, result.output
    [(emulator, _)] = served
    token = emulator.control_token
    assert token is not None
    assert len(token) >= 20
    lines = result.stdout.splitlines()
    assert f"Inbox at http://0.0.0.0:8080/_emulator/#token={token}" in lines
    assert f"Control token (Authorization: Bearer ...): {token}" in lines
    # Twice in all: in the URL the page reads it from, and on its own line.
    assert 2 == result.stdout.count(token)
    again = cli("emulator", "--host", "0.0.0.0", env={"SMSC_EMULATOR_TOKEN": None})  # noqa: S104
    assert served[1][0].control_token not in (None, token)
    assert token not in again.stdout


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--control-token", "my-own-token"], {"SMSC_EMULATOR_TOKEN": None}),
        ([], {"SMSC_EMULATOR_TOKEN": "my-own-token"}),
    ],
)
def test_a_given_token_is_used_and_not_printed(
    served: Served, args: list[str], env: dict[str, str | None]
) -> None:
    """``--control-token`` or ``SMSC_EMULATOR_TOKEN``: the emulator's token, never echoed."""
    result = cli("emulator", "--host", "10.1.2.3", *args, env=env)
    assert 0 == result.exit_code, result.output
    [(emulator, options)] = served
    assert ("my-own-token", "10.1.2.3") == (emulator.control_token, options["host"])
    assert "my-own-token" not in result.output
    assert "Inbox at http://10.1.2.3:8080/_emulator/" in result.stdout.splitlines()


@pytest.mark.parametrize("host", ["localhost", "::1", "127.0.0.2"])
def test_every_loopback_host_needs_no_token(served: Served, host: str) -> None:
    result = cli("emulator", "--host", host, env={"SMSC_EMULATOR_TOKEN": None})
    assert 0 == result.exit_code, result.output
    assert served[0][0].control_token is None


def test_serve_prints_the_summary_once_the_server_stops(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After uvicorn's ``run`` returns (Ctrl+C), ``serve`` prints ``Emulator.summary()``."""
    emulator = Emulator()
    emulator.rulebook.peak_in_flight["demo"] = 3
    ran: list[uvicorn.Server] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: ran.append(self))
    serve(emulator, host="127.0.0.1", port=0)
    assert 1 == len(ran)
    out = capsys.readouterr().out
    assert emulator.summary() + "\n" == out
    assert "Peak in flight (refused at 15): demo 3" in out


def test_serve_lets_the_refusal_lines_through_where_nothing_logs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without logging set up (a bare command line), the emulator's lines get a handler."""
    logger = logging.getLogger("smsc_async.emulator")
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: None)
    serve(Emulator(), port=0)
    [handler] = logger.handlers
    assert isinstance(handler, logging.StreamHandler)
