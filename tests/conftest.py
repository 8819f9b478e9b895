from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from smsc_async import Format
from tests._support import BASE_URL


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """respx in place of the network: any request no route matches fails the test."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as mock:
        yield mock


@pytest.fixture(params=list(Format), ids=lambda f: f"fmt{int(f)}")
def fmt(request: pytest.FixtureRequest) -> Format:
    """Each of the four wire formats in turn."""
    return request.param  # type: ignore[no-any-return]
