"""Imports point down the layers of the design guide (design.md §2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "smsc_async"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(*relative: str) -> list[Path]:
    paths: list[Path] = []
    for rel in relative:
        target = PACKAGE / rel
        paths += sorted(target.rglob("*.py")) if target.is_dir() else [target]
    return paths


def _violations(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in paths
        for name in sorted(_imports(path))
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


# The HTTP stack, and the modules that choose and adapt it.
HTTP = ("httpx", "httpx2", "aiohttp", "httpx_aiohttp", "smsc_async.http", "smsc_async._aiohttp")
UPPER = ("smsc_async._client", "smsc_async.resources", "smsc_async.testing", "smsc_async.cli")


@pytest.mark.parametrize(
    ("paths", "forbidden"),
    [
        # Layer 1: stdlib and attrs only.
        (
            _modules("_types.py", "_secret.py", "_config.py", "errors.py"),
            (*HTTP, "cattrs", "aiolimiter", "smsc_async.formats", "smsc_async.models", *UPPER),
        ),
        # Models: no I/O, no formats.
        (
            _modules("models"),
            (*HTTP, "anyio", "smsc_async.formats", "smsc_async._transport", *UPPER),
        ),
        # Decoders are pure: no httpx, no transport.
        (_modules("formats"), (*HTTP, "anyio", "smsc_async._transport", *UPPER)),
        # Transport knows commands by name only.
        (
            _modules("_transport.py", "http.py", "_aiohttp.py"),
            ("cattrs", "smsc_async.models", "smsc_async.formats", "smsc_async._commands", *UPPER),
        ),
        # Resources never reach up to the client.
        (_modules("resources"), (*HTTP, "smsc_async._client", "smsc_async.testing")),
        # The retry policy only decides: no I/O, no limiter, below the command path.
        (
            _modules("_retry.py"),
            (
                *HTTP,
                "anyio",
                "asyncio",
                "aiolimiter",
                "smsc_async._transport",
                "smsc_async._limiter",
                "smsc_async._state",
                "smsc_async._path",
                *UPPER,
            ),
        ),
        # The wire form and the answer's meaning are pure too, like the decoders they use.
        (
            _modules("_wire.py"),
            (*HTTP, "anyio", "asyncio", "aiolimiter", "smsc_async._limiter", "smsc_async._state"),
        ),
        # The command path's parts sit below it.
        (
            _modules("_retry.py", "_coalesce.py", "_inflight.py", "_wire.py"),
            ("smsc_async._path", "smsc_async._limiter", *UPPER),
        ),
    ],
    ids=["base", "models", "formats", "transport", "resources", "retry", "wire", "path-parts"],
)
def test_imports_point_down(paths: list[Path], forbidden: tuple[str, ...]) -> None:
    """No module imports from a layer above its own."""
    assert paths
    assert _violations(paths, forbidden) == []


def test_only_the_stack_module_imports_an_http_library_at_runtime() -> None:
    """httpx or httpx2 is chosen by http.py alone; _aiohttp.py alone knows aiohttp.

    The rest of the SDK (the emulator's transport too) takes ``httpx`` from http.py, so
    one switch moves every part to httpx2 together.
    """
    users = sorted(
        (str(p.relative_to(PACKAGE)), name)
        for p in _modules(".")
        for name in _imports(p)
        if name.partition(".")[0] in {"httpx", "httpx2", "aiohttp", "httpx_aiohttp"}
    )
    # _client.py names both stacks' client types for type checkers only; _aiohttp.py
    # imports httpx-aiohttp's variant for the stack in use. callbacks/aiohttp.py is a
    # server adapter (SMSC's callbacks into an aiohttp app), not the client's stack.
    assert users == [
        ("_aiohttp.py", "aiohttp"),
        ("_aiohttp.py", "httpx_aiohttp"),
        ("_aiohttp.py", "httpx_aiohttp.httpx2"),
        ("_client.py", "httpx"),
        ("_client.py", "httpx2"),
        ("callbacks/aiohttp.py", "aiohttp"),
        ("http.py", "httpx"),
    ]
    client = (PACKAGE / "_client.py").read_text(encoding="utf-8")
    assert "if TYPE_CHECKING:\n    import httpx\n    import httpx2" in client
    stack = (PACKAGE / "http.py").read_text(encoding="utf-8")
    assert "if TYPE_CHECKING:\n    import httpx\nelse:\n    httpx = _load()" in stack


@pytest.mark.parametrize("package", ["testing", "cli"])
def test_the_emulator_and_the_cli_use_only_the_public_package(package: str) -> None:
    """The emulator and the command line import smsc_async's public modules, never private ones."""
    private = [
        f"{p.name}: {name}"
        for p in _modules(package)
        for name in _imports(p)
        if name.startswith("smsc_async.")
        and not name.startswith(f"smsc_async.{package}")
        and any(part.startswith("_") for part in name.split(".")[1:])
    ]
    assert private == []
