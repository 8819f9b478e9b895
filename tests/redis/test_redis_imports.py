"""redis-py stays optional: one package imports it, and only when asked for."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent.parent.parent / "smsc_async"


def test_only_smsc_async_redis_imports_redis():
    """No module outside smsc_async/redis/ names the redis package in an import."""
    importers = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            if any(name == "redis" or name.startswith("redis.") for name in names):
                importers.add(path.relative_to(PACKAGE).as_posix())
    assert importers  # the scan sees the package's own imports
    assert set() == {path for path in importers if not path.startswith("redis/")}


def test_importing_the_sdk_does_not_import_redis():
    """`import smsc_async` leaves redis-py unloaded (it is the redis extra's)."""
    code = "import sys, smsc_async; print('redis' in sys.modules)"
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "False" == out.stdout.strip()


def test_the_redis_modules_import_one_way():
    """At import time each module of smsc_async/redis/ imports only modules listed before it."""
    order = ["_scripts", "_core", "_fallback", "_part", "_request", "_limiter", "__init__"]
    folder = PACKAGE / "redis"
    assert sorted(order) == sorted(path.stem for path in folder.glob("*.py"))
    upward = []
    for rank, name in enumerate(order):
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:  # top level only: TYPE_CHECKING blocks and lazy imports aside
            module = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if module.startswith("smsc_async.redis."):
                imported = module.rsplit(".", 1)[1]
                if order.index(imported) >= rank:
                    upward.append(f"{name} imports {imported}")
    assert [] == upward
