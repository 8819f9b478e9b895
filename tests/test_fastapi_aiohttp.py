"""The README's FastAPI app on the aiohttp engine, under uvicorn: 500 requests at once.

It runs ``benchmarks/fastapi_app.py``'s own harness (which reports the app's CPU per
request in ``nox -s bench``): the README block served by ``python -m uvicorn`` on
127.0.0.1 with ``SMSC_HTTP=aiohttp``, against an emulator served by another process.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the app's CPU in /proc")
def test_500_requests_at_once_keep_every_rule_on_aiohttp(monkeypatch: pytest.MonkeyPatch) -> None:
    """All 500 answered 200, at most 14 in flight at SMSC, no violation, no error 9."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    harness = importlib.import_module("fastapi_app")  # from the benchmarks folder

    out = harness.serve_and_burst("aiohttp", n=500)
    assert [200] * 500 == out.statuses
    assert (0, 0) == (out.stats.violations, out.stats.error_9)
    assert out.stats.peak_in_flight <= 14
    assert 520 == out.stats.requests  # each search reached SMSC once: nothing retried
    assert out.cpu > 0
