"""What every resource shares: the command path it calls, and parameter rendering."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar

from smsc_async._calling import calling
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
    """Base of the per-family namespaces (``smsc.senders``, ``smsc.tariffs``, ...).

    Every public method of a subclass runs under its Python name,
    ``"<family>.<method>"`` (:mod:`smsc_async._calling`), so the errors it raises name the
    call the user wrote (``contacts.add [phones.add]``), an iterator's for each page too.
    ``family`` is the client's attribute: the class name's by default (``OpTemplatesResource``
    -> ``op_templates``); the client renames the e-mail book's (``mail_contacts``).
    """

    family: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.family:
            stem = cls.__name__.removesuffix("Resource")
            cls.family = re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()
        for name, method in list(vars(cls).items()):
            if not name.startswith("_") and inspect.isfunction(method):
                setattr(cls, name, _named(method))

    def __init__(self, call: Call) -> None:
        self._call = call
        self._family = type(self).family

    def _named_as(self, family: str) -> None:
        """Name this instance's calls ``<family>.<method>`` (the e-mail book's, say).

        ``""``: its calls keep the name of the call that made them (``smsc.balance()``).
        """
        self._family = family


def _name(resource: Resource, method: Callable[..., Any]) -> str | None:
    family = getattr(resource, "_family", type(resource).family)
    return f"{family}.{method.__name__}" if family else None


def _named(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` running under its Python name; an async iterator it returns too."""
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def run(self: Resource, *args: Any, **kwargs: Any) -> Any:
            name = _name(self, method)
            if name is None:
                return await method(self, *args, **kwargs)
            with calling(name):
                return await method(self, *args, **kwargs)

        return run

    @functools.wraps(method)
    def call(self: Resource, *args: Any, **kwargs: Any) -> Any:
        name = _name(self, method)
        if name is None:
            return method(self, *args, **kwargs)
        with calling(name):
            result = method(self, *args, **kwargs)
        return _iterating(name, result) if isinstance(result, AsyncIterator) else result

    return call


async def _iterating(name: str, items: AsyncIterator[T]) -> AsyncIterator[T]:
    """``items``, each step (each page fetched) running under ``name``."""
    try:
        while True:
            with calling(name):
                try:
                    item = await anext(items)
                except StopAsyncIteration:
                    return
            yield item
    finally:
        close = getattr(items, "aclose", None)
        if close is not None:
            await close()


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
