"""The command line against a server answering broken or hostile bodies: one clean error line.

A read whose answer cannot be understood exits 1; a change whose answer cannot be
understood may have happened, and exits 3. Never a traceback, never a made-up success.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from starlette.types import Receive, Scope, Send

from smsc_async.testing import serving_in_thread
from tests.cli.conftest import cli, one_line_error, point_env_at


@attrs.define
class _Answer:
    """An ASGI app answering every request with one body (HTTP 200, as SMSC does)."""

    body: bytes = b""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        while (await receive()).get("more_body"):
            pass
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


@pytest.fixture(scope="module")
def _server() -> Iterator[tuple[_Answer, str]]:
    answer = _Answer()
    with serving_in_thread(answer) as base_url:  # type: ignore[arg-type]
        yield answer, base_url


@pytest.fixture
def answer(_server: tuple[_Answer, str], monkeypatch: pytest.MonkeyPatch) -> _Answer:
    """The served app, its body to set; ``SMSC_*`` name an account and point at it."""
    app, base_url = _server
    point_env_at(monkeypatch, base_url)
    return app


# Per wire format, bodies that once escaped as foreign exceptions, took long, or read an
# error as a success; the CLI's --fmt names each format.
HOSTILE = {
    "json": [
        "[" * 100_000,
        '{"error_code": Infinity}',
        '{"id": 1e600000}',
        '{"error": "dup"}',
        "[1.5]",
        '{"error": "x", "error_code": "' + "9" * 5000 + '"}',
    ],
    "xml": [
        "<result><error>x</error><error_code>\u00b2</error_code></result>",
        "<result><error>dup</error></result>",
        "<result><error_code>" + "9" * 5000 + "</error_code></result>",
    ],
    "lines": ["ERROR dup", "ERROR = " + "9" * 5000 + " (x)", "foo = 1"],
    "csv": ["ERROR dup", "0,-" + "9" * 5000],
}
# Bodies a list or a price list may be (an empty one), but a creation's answer may not.
NOT_A_SUCCESS = {"json": ["{}"], "xml": ["<result/>"], "lines": [""], "csv": [""]}
CASES = [(fmt, body) for fmt, bodies in HOSTILE.items() for body in bodies]
WRITE_CASES = CASES + [(fmt, body) for fmt, bodies in NOT_A_SUCCESS.items() for body in bodies]


def _case_id(case: tuple[str, str]) -> str:
    fmt, body = case
    return f"{fmt}-{body[:24]!r}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_a_read_answered_with_a_hostile_body_fails_cleanly(
    answer: _Answer, case: tuple[str, str]
) -> None:
    """``senders list`` and ``tariffs`` exit 1 with one Error: line for each hostile body."""
    fmt, body = case
    answer.body = body.encode()
    for command in (["senders", "list", "--fmt", fmt], ["tariffs", "--fmt", fmt]):
        line = one_line_error(cli(*command, "--retries", "0"), 1)
        assert "Error:" in line


@pytest.mark.parametrize("case", WRITE_CASES, ids=_case_id)
def test_a_change_answered_with_a_hostile_body_is_never_a_success(
    answer: _Answer, case: tuple[str, str]
) -> None:
    """``senders add`` never reports a new id from such a body: exit 1 or 3, one Error: line."""
    fmt, body = case
    answer.body = body.encode()
    result = cli("senders", "add", "shop", "--fmt", fmt, "--retries", "0")
    assert result.exit_code in (1, 3), result.output
    one_line_error(result, result.exit_code)
