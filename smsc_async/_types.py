"""Small shared types: the wire format switch and the shapes of request data."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeAlias

import attrs

__all__ = ["Files", "Format", "Params", "Rule", "Scope"]


class Format(enum.IntEnum):
    """SMSC's response formats, the ``fmt`` request parameter.

    All four decode to the same models; pick one for the wire, not for the code.
    """

    LINES = 0
    """``key = value, key = value`` lines (the server's default)."""
    CSV = 1
    """Comma-separated values, one record per line, no keys."""
    XML = 2
    """XML documents."""
    JSON = 3
    """JSON documents (the SDK's default: self-describing and cheapest to decode)."""


Params: TypeAlias = Mapping[str, str]
"""Request parameters of one command, already rendered to strings."""

Files: TypeAlias = Mapping[str, tuple[str, bytes, str]]
"""Multipart file fields: ``field -> (filename, content, content type)``."""


class Scope(enum.Enum):
    """Which requests an anti-flood rule counts together."""

    IDENTICAL = "identical"
    """Requests with the same script, command and parameters."""
    COMMAND = "command"
    """Every request of the command, whatever its parameters."""
    PARAM = "param"
    """Requests of the command with the same value of one parameter (e.g. per subclient)."""
    EACH = "each"
    """Each item of one comma-separated parameter counts on its own: a request naming
    several (status requests about several messages) counts once towards each."""


@attrs.frozen(cache_hash=True)  # hashed on every call by the limiter's tables
class Rule:
    """One of SMSC's anti-flood rules: at most ``limit`` matching requests per ``window``.

    The server answers error 9 to the request that would exceed it (spec §B).

    Attributes:
        limit: How many matching requests the server accepts within one window.
        window: The window's length in seconds.
        scope: Which requests count together.
        param: With :attr:`Scope.PARAM` (or :attr:`Scope.EACH`), the parameter whose value
            (or each of whose items) keys the rule.
        group: A name shared by rules of several commands that count in one window (e.g.
            subclient creations and changes); ``None``: the command counts on its own.
        ignore: With :attr:`Scope.IDENTICAL`, parameters that do not make two requests
            different (e.g. the message id the SDK assigns to every send: two sends of the
            same text to the same phones are held back as identical whatever their ids).
    """

    limit: int
    window: float = 60.0
    scope: Scope = Scope.IDENTICAL
    param: str | None = None
    group: str | None = None
    ignore: frozenset[str] = frozenset()
