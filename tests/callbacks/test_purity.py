"""The callbacks parser is pure, like the decoders (design.md §6): no I/O, no framework."""

from __future__ import annotations

from tests.test_layers import HTTP, PACKAGE, UPPER, _modules, _violations

FRAMEWORKS = ("starlette", "fastapi", "anyio", "asyncio", "uvicorn", "smsc_async._transport")
# One small module per framework (design.md §6), each importing its framework; and the
# core they share, which may use asyncio (for the queue) but no framework.
ADAPTERS = ("aiohttp.py", "starlette.py")
SHARED = ("_adapter.py",)


def test_the_callbacks_parser_imports_no_http_framework_or_client() -> None:
    """The parse layer imports neither an HTTP stack, a web framework, nor the client."""
    paths = [p for p in _modules("callbacks") if p.name not in (*ADAPTERS, *SHARED)]
    assert {"__init__.py", "_parse.py", "_signature.py"} <= {p.name for p in paths}
    assert [] == _violations(paths, (*HTTP, *FRAMEWORKS, *UPPER))


def test_the_adapters_core_imports_no_framework() -> None:
    """The adapters' shared core imports no framework, HTTP stack or client."""
    paths = _modules(*(f"callbacks/{name}" for name in SHARED))
    assert [] == _violations(paths, (*HTTP, "starlette", "fastapi", "uvicorn", *UPPER))


def test_each_adapter_is_known() -> None:
    """Every module of the package is the parse layer, the shared core, or a listed adapter."""
    parse_layer = {"__init__.py", "_parse.py", "_render.py", "_signature.py"}
    names = {p.name for p in (PACKAGE / "callbacks").glob("*.py")}
    assert parse_layer | set(ADAPTERS) | set(SHARED) == names


def test_the_facade_does_not_load_the_callbacks_package() -> None:
    """``import smsc_async`` stays light: the callbacks package is imported on its own."""
    from tests.test_imports import _loaded_after  # noqa: PLC0415

    assert [] == _loaded_after("import smsc_async", ("smsc_async.callbacks",))


def test_the_callbacks_package_loads_no_framework() -> None:
    """``import smsc_async.callbacks`` loads neither an adapter nor its framework."""
    from tests.test_imports import _loaded_after  # noqa: PLC0415

    adapters = tuple(f"smsc_async.callbacks.{name[:-3]}" for name in ADAPTERS)
    loaded = _loaded_after(
        "import smsc_async.callbacks", ("starlette", "fastapi", "aiohttp", *adapters)
    )
    assert [] == loaded
