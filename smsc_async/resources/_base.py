"""What every resource shares: the command path it calls, and parameter rendering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from smsc_async._commands import Command
from smsc_async._types import Files

__all__ = ["Call", "Resource", "form"]

T = TypeVar("T")


class Call(Protocol):
    """The single command path, as handed to resources by the client."""

    async def __call__(
        self, command: Command[T], params: Mapping[str, str], *, files: Files | None = None
    ) -> T:
        """Run ``command`` with ``params`` and return its decoded reply."""
        ...


class Resource:
    """Base of the per-family namespaces (``smsc.senders``, ``smsc.tariffs``, ...)."""

    def __init__(self, call: Call) -> None:
        self._call = call


def form(**values: str | int | bool | None) -> dict[str, str]:
    """Render keyword arguments as SMSC parameters.

    ``None`` and ``False`` are left out (SMSC's defaults apply); ``True`` is ``1``.
    """
    rendered: dict[str, str] = {}
    for key, value in values.items():
        if value is None or value is False:
            continue
        rendered[key] = "1" if value is True else str(value)
    return rendered
