"""What an SMSC command is, as data.

Each command is declared once, beside its resource, as a :class:`Command`: the script and
command flag it posts, the anti-flood rules that govern it, how it may be retried, and the
shape and type of its reply. The single command path (``SmscClient._call``) reads nothing
else, so rate limits, retries and formats are never written twice.
"""

from __future__ import annotations

import enum
from typing import Any, Generic, TypeVar

import attrs

from smsc_async._types import Rule
from smsc_async.formats import Shape

__all__ = ["Command", "RetryClass"]

T = TypeVar("T")


class RetryClass(enum.Enum):
    """How a command may be repeated after a failure."""

    SAFE_READ = "safe_read"
    """Changes nothing: retried after any transport failure, identical calls coalesced."""
    WRITE = "write"
    """Creates or changes something: error 9 means the server rejected it (safe to retry
    after the window); a failure after the request may have left is surfaced, not retried."""
    SEND = "send"
    """Sends a message: never replayed blind."""


@attrs.frozen
class Command(Generic[T]):
    """One SMSC command, declared once.

    Attributes:
        name: Dotted name used in errors and logs, e.g. ``"senders.add"``.
        script: The script posted to, e.g. ``"senders.php"``.
        flag: The command flag sent as ``<flag>=<value>``, e.g. ``"add"``; ``""`` for a
            script's command without one (``send.php``, ``status.php``, ``balance.php``).
        shape: Where each reply field sits in each wire format.
        result_type: What the reply structures into (``None`` for a bare ``OK``).
        retry: How the command may be retried.
        rules: The anti-flood rules that count it (besides the per-login concurrency rule,
            which counts every command).
        value: What the flag is set to: ``"1"``, except for commands that share a flag and
            are told apart by its value (``move_group=1/2/3``).
        multiline: The parameters that may hold line breaks (CR, LF): message texts.
            Every other value is refused with one before it is sent (the line formats
            split replies at line breaks, unescaped).
    """

    name: str
    script: str
    flag: str
    shape: Shape
    result_type: Any
    retry: RetryClass
    rules: tuple[Rule, ...] = ()
    value: str = "1"
    multiline: frozenset[str] = frozenset()

    def flag_field(self) -> dict[str, str]:
        """The form field that names the command, e.g. ``{"add": "1"}`` (``{}``: no flag)."""
        return {self.flag: self.value} if self.flag else {}
