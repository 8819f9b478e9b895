"""Names a package loads on first use (PEP 562), so importing it stays cheap.

The package keeps its ``__all__`` and ``TYPE_CHECKING`` imports (type checkers see every
name); :func:`attach` gives it the module ``__getattr__`` and ``__dir__`` that load the rest,
hidden from type checkers so a misspelt name is still an error rather than ``Any``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["attach"]


def attach(
    package: str, where: Callable[[str], str | None], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``.

    Args:
        package: The package's ``__name__``.
        where: The module a name not loaded yet lives in, or ``None``: no such name.
        public: The package's ``__all__``, listed by ``dir()`` loaded or not.
    """
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's own name
        module = where(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted({*namespace, *public})

    return __getattr__, __dir__
