"""The README's FastAPI recipe under ``uvicorn --workers 4`` with ``SMSC_REDIS_URL`` (issue 17).

The recipe is the README's own block (``<!-- readme-test: fastapi_app -->``), written to a
module of a temporary folder and served by ``python -m uvicorn --workers 4`` on 127.0.0.1;
``SMSC_*`` point its clients (``SmscClient.from_env``) at an emulator served from this
process, and at a real redis-server. The emulator keeps SMSC's real minute, as the app's
clients do (there is no ``SMSC_*`` variable for a compressed one): distinct contact
searches are bound by the in-flight cap alone, and sender names by 5 a minute, so the
6th and later names are refused at once (503) rather than waited for.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving_in_thread
from tests._redis import RedisServer, free_port
from tests.multiprocess._harness import CAP, worker_env
from tests.test_readme_frameworks import readme_blocks

WORKERS = 4
SEARCHES = 180
NAMES = 20  # 5 are created in SMSC's minute, whichever worker takes them
LATENCY = 0.1


@contextmanager
def uvicorn_workers(app_dir: Path, env: dict[str, str]) -> Iterator[str]:
    """Serve ``sms_office:app`` with ``uvicorn --workers 4``; yields its URL once all are up.

    The server runs in a session of its own, so teardown ends it and its workers (by
    their process group), whatever happened.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "sms_office:app",
        "--app-dir",
        str(app_dir),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--no-access-log",
    ]
    process = subprocess.Popen(  # noqa: S603 - uvicorn of this interpreter
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    )
    log: list[str] = []
    up = threading.Semaphore(0)

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line)
            if "Application startup complete" in line:
                up.release()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        for _ in range(WORKERS):
            if not up.acquire(timeout=60):
                raise RuntimeError("uvicorn's workers did not start:\n" + "".join(log))
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # graceful: lifespans close the clients
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        reader.join(timeout=5)
        assert process.stderr is not None
        process.stderr.close()


async def burst(url: str) -> list[httpx.Response]:
    """200 requests at once: distinct contact searches and new sender names."""
    limits = httpx.Limits(max_connections=SEARCHES + NAMES)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits, trust_env=False) as http:
        searches = [http.get("/contacts", params={"search": f"client{k}"}) for k in range(SEARCHES)]
        names = [http.post("/senders", json={"sender": f"SHOP{k:02d}"}) for k in range(NAMES)]
        return list(await asyncio.gather(*searches, *names))


async def test_readme_fastapi_recipe_under_four_uvicorn_workers_keeps_the_limits(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """200 requests at once to 4 uvicorn workers of the README app: 0 violations, <= 14, 5 names."""
    (tmp_path / "sms_office.py").write_text(readme_blocks()["fastapi_app"], encoding="utf-8")
    emulator = Emulator(latency=LATENCY, approve_senders=True)
    with serving_in_thread(emulator) as base_url:
        env = worker_env(
            {
                "SMSC_LOGIN": DEFAULT_LOGIN,
                "SMSC_PASSWORD": DEFAULT_PASSWORD,
                "SMSC_BASE_URL": base_url,
                "SMSC_REDIS_URL": redis_server.url,
            }
        )
        env.pop("SMSC_APIKEY", None)
        with uvicorn_workers(tmp_path, env) as url:
            started = time.monotonic()
            responses = await burst(url)
            taken = time.monotonic() - started
    searched, named = responses[:SEARCHES], responses[SEARCHES:]
    assert [] == emulator.violations
    assert emulator.peak_in_flight() <= CAP
    assert [200] * SEARCHES == [r.status_code for r in searched]
    assert [201] * 5 + [503] * (NAMES - 5) == sorted(r.status_code for r in named)
    assert all(r.headers.get("Retry-After") for r in named if r.status_code == 503)
    assert 5 == len(emulator.senders.names[DEFAULT_LOGIN])
    # Every request reached the server once: no error 9, so no retries pile up.
    assert SEARCHES + 5 == len(emulator.traffic), f"{taken:.1f} s"
