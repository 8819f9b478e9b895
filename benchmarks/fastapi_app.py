"""The README's FastAPI app under uvicorn, 500 requests at once, on each connection engine.

Run: ``python benchmarks/fastapi_app.py`` (or ``nox -s bench``). The app is the README's own
block (``<!-- readme-test: fastapi_app -->``), written to a temporary folder and served by
``python -m uvicorn`` (one process) on 127.0.0.1; ``SMSC_*`` point its client at an emulator
served by another process (20 ms latency), and ``SMSC_HTTP`` picks the engine: the default
(httpx's pool) or aiohttp. 500 distinct contact searches arrive at once; the emulator counts
violations and the most requests in flight, and the app process's CPU time (read from
/proc, so Linux only) is divided by the requests: FastAPI, uvicorn and the SDK together.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
import httpx
from _bench import HERE, ServerStats, Table, served_emulator, verdict

from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD

REQUESTS = 500
LATENCY = 0.02
CAP = 14
ENGINES = ("default", "aiohttp")
_BLOCK = re.compile(r"<!-- readme-test: fastapi_app -->\n```python\n(.*?)```", re.DOTALL)


def readme_app() -> str:
    """The README's FastAPI app, as its block reads."""
    text = (HERE.parent / "README.md").read_text(encoding="utf-8")
    found = _BLOCK.search(text)
    if found is None:
        raise RuntimeError("README.md has no fastapi_app block")
    return found[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@attrs.define
class ServedApp:
    """The app's uvicorn process and its URL."""

    url: str
    process: subprocess.Popen[str]

    def cpu_seconds(self) -> float:
        """User and system CPU time the app's process has used (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def served_app(base_url: str, http: str) -> Iterator[ServedApp]:
    """Serve the README app with uvicorn, its client pointed at ``base_url``, engine ``http``."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "sms_office.py").write_text(readme_app(), encoding="utf-8")
        env = {
            **os.environ,
            "SMSC_LOGIN": DEFAULT_LOGIN,
            "SMSC_PASSWORD": DEFAULT_PASSWORD,
            "SMSC_BASE_URL": base_url,
            "SMSC_HTTP": http,
        }
        for name in ("SMSC_APIKEY", "SMSC_REDIS_URL"):
            env.pop(name, None)
        port = _free_port()
        command = [
            *(sys.executable, "-m", "uvicorn", "sms_office:app", "--app-dir", folder),
            *("--host", "127.0.0.1", "--port", str(port), "--no-access-log"),
        ]
        process = subprocess.Popen(  # noqa: S603 - uvicorn of this interpreter
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
        )
        up = threading.Event()
        log: list[str] = []

        def read() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                log.append(line)
                if "Application startup complete" in line:
                    up.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            if not up.wait(timeout=60):
                raise RuntimeError("uvicorn did not start:\n" + "".join(log))
            yield ServedApp(f"http://127.0.0.1:{port}", process)
        finally:
            process.terminate()  # graceful: the lifespan closes the client
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            reader.join(timeout=5)
            assert process.stderr is not None
            process.stderr.close()


async def burst(url: str, n: int, first: int = 0) -> list[int]:
    """``n`` distinct contact searches at once; their status codes."""
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits, trust_env=False) as http:
        answers = await asyncio.gather(
            *(http.get("/contacts", params={"search": f"client{first + k}"}) for k in range(n))
        )
    return [a.status_code for a in answers]


@attrs.frozen
class Outcome:
    """One engine's run: the answers, the app's CPU, what the emulator saw."""

    statuses: list[int]
    cpu: float
    stats: ServerStats


def serve_and_burst(http: str, n: int = REQUESTS, latency: float = LATENCY) -> Outcome:
    """The README app on engine ``http`` against a fresh emulator: ``n`` requests at once.

    A warm-up of 20 requests comes first (imports, connections); it is not counted.
    """
    with served_emulator(latency=latency) as served, served_app(served.base_url, http) as app:
        asyncio.run(burst(app.url, 20, first=n))
        before = app.cpu_seconds()
        statuses = asyncio.run(burst(app.url, n))
        cpu = app.cpu_seconds() - before
    assert served.stats is not None
    return Outcome(statuses, cpu, served.stats)


def run() -> list[Table]:
    """One table: each engine's answers, app CPU per request, and the rules kept."""
    table = Table(
        f"The README's FastAPI app under uvicorn (1 process): {REQUESTS} contact searches at "
        f"once, emulator latency {LATENCY * 1000:g} ms",
        [
            "engine (SMSC_HTTP)",
            "answered 200",
            "app CPU ms per request",
            "peak in flight",
            "violations",
            "error 9",
            "target 0 violations",
        ],
    )
    for http in ENGINES:
        out = serve_and_burst(http)
        table.add(
            http,
            f"{out.statuses.count(200)} / {REQUESTS}",
            f"{out.cpu / REQUESTS * 1000:.2f}",
            f"{out.stats.peak_in_flight} / {CAP}",
            out.stats.violations,
            out.stats.error_9,
            verdict(out.stats.violations == 0 and out.statuses.count(200) == REQUESTS),
        )
    table.notes.append(
        "App CPU is the uvicorn process's user + system time during the burst: FastAPI, "
        "uvicorn and pydantic serving the 500 requests, and the SDK's client calls."
    )
    return [table]


if __name__ == "__main__":
    for t in run():
        print(t.text())
