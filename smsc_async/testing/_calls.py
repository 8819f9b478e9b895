"""What a family handler receives and returns: one authenticated command call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import attrs

from smsc_async import Format

__all__ = ["Call", "Handler", "Refusal", "Render", "Upload"]

Render = Callable[[Format], str]
"""A successful answer, rendered on demand in the format the request asked for."""


@attrs.frozen
class Upload:
    """A file that came with a multipart request."""

    filename: str
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")
    content_type: str


@attrs.frozen
class Call:
    """One command call, after authentication and the anti-flood rules.

    Attributes:
        script: E.g. ``"senders.php"``.
        command: The command flag, e.g. ``"add"``.
        params: Every parameter but the credentials.
        files: Uploaded files by field name.
        login: The authenticated account.
        now: Event-loop time of arrival.
        wall: The emulator's calendar time of arrival (Moscow time).
    """

    script: str
    command: str
    params: Mapping[str, str]
    files: Mapping[str, Upload]
    login: str
    now: float
    wall: dt.datetime

    def flag(self, name: str) -> bool:
        """Whether the 0/1 parameter ``name`` is set."""
        return self.params.get(name, "0") not in ("", "0")

    def owner(self) -> str:
        """Whose data the call acts on: the ``user`` subclient, else the caller's own."""
        return self.params.get("user") or self.login


Handler = Callable[[Call], Render]
"""A family's implementation of one command."""


class Refusal(Exception):  # noqa: N818 - it is the server's refusal, not a program error
    """The server's error answer: SMSC error ``code`` with its description.

    ``id`` is the message id ``send.php`` adds to errors 3, 6, 7 and 8 (spec §2.4).
    """

    def __init__(self, code: int, message: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(f"error {code} ({message})")
        self.code = code
        self.message = message
        self.id = id
