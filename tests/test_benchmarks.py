"""The benchmarks stay runnable: each module imports against the SDK as it is now.

They are never run by the tests (``nox -s bench`` does), so an SDK change that breaks one
would otherwise be found only then (a removed private name did break ``limiter_pass``).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
MODULES = sorted(path.stem for path in BENCHMARKS.glob("*.py") if not path.stem.startswith("_"))


@pytest.fixture
def on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmarks folder importable, as ``python benchmarks/<name>.py`` makes it."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))


@pytest.mark.parametrize("name", MODULES)
@pytest.mark.usefixtures("on_path")
def test_every_benchmark_imports_and_has_its_entry_point(name: str) -> None:
    """Importing a benchmark runs nothing; it has run() (or main(), for run.py itself)."""
    module = importlib.import_module(name)
    try:
        assert callable(getattr(module, "main" if name == "run" else "run", None))
    finally:
        sys.modules.pop(name, None)
