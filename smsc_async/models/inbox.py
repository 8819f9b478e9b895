"""Models of incoming messages (``get.php?get_answers=1``, spec §5.2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from smsc_async.models._base import extra_field

__all__ = ["IncomingMessage"]


@attrs.frozen
class IncomingMessage:
    """A message received on one of the account's numbers (an answer, an inbound SMS).

    The documentation names only the id; the other fields are the ones a client of the
    real server reads (spec §5.2, names partly UNVERIFIED). Anything else the server sends
    is kept in ``extra``.

    Attributes:
        id: Its id, assigned by the server; ``after_id`` pages by it.
        phone: Who sent it.
        message: Its text; free text (it may contain commas).
        received: When the server received it (Moscow time).
        to_phone: The account's number it came to.
        sent: When the sender's side says it was sent (Moscow time).
        extra: Fields the server sent that this model does not know.
    """

    id: int
    phone: str
    message: str = ""
    received: dt.datetime | None = None
    to_phone: str | None = None
    sent: dt.datetime | None = None
    extra: Mapping[str, str] = extra_field()
