"""The emulator's web inbox in a real browser: the ``browser`` marker."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # pyproject's --strict-markers: a marker must be registered before a module uses it.
    config.addinivalue_line(
        "markers", "browser: drives a real headless Chromium (nox -s browser); skipped without one"
    )
