"""The callbacks parser is pure, like the decoders (design.md §6): no I/O, no framework."""

from __future__ import annotations

from tests.test_layers import HTTP, UPPER, _modules, _violations

FRAMEWORKS = ("starlette", "fastapi", "anyio", "asyncio", "uvicorn", "smsc_async._transport")


def test_the_callbacks_package_imports_no_http_framework_or_client() -> None:
    """smsc_async.callbacks imports neither an HTTP stack, a web framework, nor the client."""
    paths = _modules("callbacks")
    assert paths
    assert [] == _violations(paths, (*HTTP, *FRAMEWORKS, *UPPER))


def test_the_facade_does_not_load_the_callbacks_package() -> None:
    """``import smsc_async`` stays light: the callbacks package is imported on its own."""
    from tests.test_imports import _loaded_after  # noqa: PLC0415

    assert [] == _loaded_after("import smsc_async", ("smsc_async.callbacks",))
