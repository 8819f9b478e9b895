"""Which of the SDK's Python calls is running: what error messages name first.

Users write ``smsc.contacts.add(...)``, not ``phones.php?add=1``: an error says
``contacts.add [phones.add]: ...``, the wire command in brackets (alone when the two are
the same, e.g. ``senders.add``). The resources' public methods set the name for the time
they run (:class:`smsc_async.resources._base.Resource`); the errors read it as they are
built (:mod:`smsc_async.errors`), wherever that is on the command path. A context
variable carries it there, so a task a call starts (a shared read, a request left running)
keeps its name, and concurrent calls never see each other's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["calling", "current_call", "label"]

_CALL: ContextVar[str | None] = ContextVar("smsc_async_call", default=None)


def current_call() -> str | None:
    """The Python call running now, e.g. ``"contacts.add"`` (``None`` outside one)."""
    return _CALL.get()


@contextmanager
def calling(name: str) -> Iterator[None]:
    """Name the Python call running inside the block (an inner call names its own)."""
    token = _CALL.set(name)
    try:
        yield
    finally:
        _CALL.reset(token)


def label(command: str, call: str | None = None) -> str:
    """How an error names where it happened: ``"contacts.add [phones.add]"``.

    Args:
        command: The wire command (``""`` when none is known).
        call: The Python call; the one running now by default.
    """
    call = current_call() if call is None else call
    if not call or call == command:
        return command
    return f"{call} [{command}]" if command else call
