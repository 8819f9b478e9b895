"""The one module that knows which HTTP stack the SDK runs on: httpx, or httpx2.

Public so that code beside the SDK (the emulator's transport, an app's own transport for
``SmscClient(transport=...)``) can build on the same stack: ``from smsc_async.http import
httpx`` is httpx2's module where the SDK runs on httpx2.

httpx is the default. ``SMSC_HTTP_STACK=httpx2`` in the environment (read once, when
smsc_async is first imported) makes httpx2, pydantic's maintained fork of httpx, the SDK's
own stack: its clients, its transports (the emulator's too) and its exceptions. A process
that called ``httpx2.alias_httpx()`` runs on httpx2 either way (``import httpx`` is httpx2
there). The two share one API, so the rest of the package imports ``httpx`` from here and
never asks which it got.

A caller's own client (``SmscClient(http_client=...)``) may come from either stack:
:func:`stack_of` finds the module its exceptions belong to.

Besides the stack, a client picks its connection engine (:data:`Engine`): the stack's own
pool (``"default"``), or aiohttp behind the stack's API (``"aiohttp"``, httpx-aiohttp).
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Literal

__all__ = ["ENGINES", "STACKS", "STACK_ENV", "Engine", "httpx", "stack_of"]

STACK_ENV = "SMSC_HTTP_STACK"
"""The environment variable that picks the SDK's own stack (``httpx`` or ``httpx2``)."""

STACKS = ("httpx", "httpx2")
"""The stacks the SDK runs on."""

Engine = Literal["default", "aiohttp"]
"""How a client's own pools send: the stack's pool, or aiohttp (the ``aiohttp`` extra)."""

ENGINES: tuple[Engine, ...] = ("default", "aiohttp")


def _load() -> ModuleType:
    name = os.environ.get(STACK_ENV, "").strip().lower() or "httpx"
    if name not in STACKS:
        # An import-time failure names the variable: a typo must not silently mean httpx.
        raise ImportError(f"{STACK_ENV}={name!r}: the HTTP stack must be one of {STACKS}")
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ImportError(
            f"{STACK_ENV}={name} needs that package: pip install 'smsc_async[{name}]'"
        ) from exc


if TYPE_CHECKING:
    import httpx
else:
    httpx = _load()


def stack_of(client: object) -> ModuleType:
    """The stack module (httpx or httpx2) ``client``'s class comes from.

    A caller's ``http_client`` raises that module's exceptions, which the transport maps.
    Anything else (a subclass from a third package, e.g. httpx-aiohttp's client) is looked
    up along its classes' modules.
    """
    for cls in type(client).__mro__:
        root = cls.__module__.partition(".")[0]
        if root in STACKS:
            module = sys.modules.get(root)
            if module is not None:
                return module
    return httpx
