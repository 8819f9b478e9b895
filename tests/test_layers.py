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


UPPER = ("smsc_async._client", "smsc_async.resources", "smsc_async.testing", "smsc_async.cli")


@pytest.mark.parametrize(
    ("paths", "forbidden"),
    [
        # Layer 1: stdlib and attrs only.
        (
            _modules("_types.py", "_secret.py", "_config.py", "errors.py"),
            ("httpx", "cattrs", "aiolimiter", "smsc_async.formats", "smsc_async.models", *UPPER),
        ),
        # Models: no I/O, no formats.
        (
            _modules("models"),
            ("httpx", "anyio", "smsc_async.formats", "smsc_async._transport", *UPPER),
        ),
        # Decoders are pure: no httpx, no transport.
        (_modules("formats"), ("httpx", "anyio", "smsc_async._transport", *UPPER)),
        # Transport knows commands by name only.
        (
            _modules("_transport.py"),
            ("cattrs", "smsc_async.models", "smsc_async.formats", "smsc_async._commands", *UPPER),
        ),
        # Resources never reach up to the client.
        (_modules("resources"), ("httpx", "smsc_async._client", "smsc_async.testing")),
        # The retry policy only decides: no I/O, no limiter, below the command path.
        (
            _modules("_retry.py"),
            (
                "httpx",
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
            ("httpx", "anyio", "asyncio", "aiolimiter", "smsc_async._limiter", "smsc_async._state"),
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


def test_only_transport_imports_httpx_at_runtime() -> None:
    """In the SDK core, httpx is imported at run time by _transport.py alone."""
    core = [p for p in _modules(".") if "testing" not in p.relative_to(PACKAGE).parts]
    users = sorted(
        str(p.relative_to(PACKAGE))
        for p in core
        if "httpx" in _imports(p) and p.relative_to(PACKAGE) != Path("_transport.py")
    )
    # _client.py names httpx types for type checkers only.
    assert users == ["_client.py"]
    client = (PACKAGE / "_client.py").read_text(encoding="utf-8")
    assert "if TYPE_CHECKING:\n    import httpx" in client


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
