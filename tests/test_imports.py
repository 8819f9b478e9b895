"""What ``import smsc_async`` loads: the light names only, never an optional stack.

Each check runs in a fresh interpreter, as sys.modules here holds whatever other tests
imported. Speed targets live in ``benchmarks/imports.py``; these pin the behaviour.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

OPTIONAL = (
    "starlette",
    "click",
    "rich",
    "redis",
    "smsc_async.testing",
    "smsc_async.cli",
    "aiohttp",
    "httpx2",
    "opentelemetry",
)

_LOADED = """
import json, sys
exec({statement!r})
names = {names!r}
print(json.dumps(sorted(
    n for n in sys.modules if any(n == m or n.startswith(m + ".") for m in names)
)))
"""


def _loaded_after(statement: str, names: tuple[str, ...]) -> list[str]:
    """The modules of ``names`` (and their submodules) a fresh interpreter holds after it."""
    done = subprocess.run(  # noqa: S603 - our own child script
        [sys.executable, "-c", _LOADED.format(statement=statement, names=names)],
        check=True,
        capture_output=True,
        text=True,
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_import_loads_no_optional_stack() -> None:
    """After ``import smsc_async`` no emulator, CLI, Redis, OTel or other HTTP stack is loaded."""
    assert [] == _loaded_after("import smsc_async", OPTIONAL)


def test_import_loads_neither_httpx_nor_cattrs_nor_the_client() -> None:
    """The client, its transport and the converters load on first use, not with the package."""
    heavy = ("httpx", "cattrs", "asyncio", "smsc_async._client", "smsc_async.formats")
    assert [] == _loaded_after("import smsc_async", heavy)


def test_the_client_loads_no_optional_stack_of_its_own() -> None:
    """``from smsc_async import SmscClient`` loads httpx but no emulator, CLI, Redis or OTel.

    click and rich are left out: ``import httpx`` loads them itself where its command-line
    extra is installed.
    """
    # The stack the SDK runs on is its own (httpx2 under ``nox -s tests_httpx2``).
    stack = os.environ.get("SMSC_HTTP_STACK") or "httpx"
    ours = tuple(name for name in OPTIONAL if name not in ("click", "rich", stack))
    assert [] == _loaded_after("from smsc_async import SmscClient", ours)


def test_a_format_loads_its_own_decoder_and_converter_only() -> None:
    """Decoding a JSON reply loads its decoder and cattrs, not defusedxml or the XML decoder."""
    statement = (
        "from smsc_async import Format\n"
        "from smsc_async.formats import Column, Row, Single, decode_reply\n"
        "from smsc_async.models.contacts import CreatedId\n"
        "shape = Single(Row((Column('id'),)))\n"
        "decode_reply(b'{\"id\": 5}', fmt=Format.JSON, shape=shape, result_type=CreatedId,"
        " params={})"
    )
    loaded = _loaded_after(statement, ("cattrs", "defusedxml", "smsc_async.formats._xml"))
    assert "cattrs" in loaded
    assert [] == [name for name in loaded if not name.startswith("cattrs")]


@pytest.mark.parametrize("name", ["SmscClient", "Contact", "Pause", "ProcessLimiter"])
def test_lazy_names_are_the_real_objects(name: str) -> None:
    """A name loaded on first use is the object its module defines, and is listed by dir()."""
    import smsc_async  # noqa: PLC0415

    value = getattr(smsc_async, name)
    assert name == value.__name__
    assert name in dir(smsc_async)


def test_an_unknown_name_is_an_attribute_error() -> None:
    """The lazy lookup does not invent names."""
    import smsc_async  # noqa: PLC0415

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = smsc_async.Nope  # type: ignore[attr-defined]
