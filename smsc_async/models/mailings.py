"""Models of the mailings family (``jobs.php``, spec §6.1).

A mailing is a named message to many recipients that SMSC sends at once, later, or again
and again (``rpt``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal

import attrs

from smsc_async.models._base import LenientIntEnum, extra_field

__all__ = ["Mailing", "MailingCreated", "MailingKind", "MailingRepeat", "MailingStatus"]


class MailingKind(str, enum.Enum):
    """What a mailing sends: one request flag each (``flash=1``, ``viber=1``...)."""

    SMS = "sms"
    """Ordinary SMS (no flag: SMSC's default)."""
    FLASH = "flash"
    """Flash SMS, shown on the screen and not stored."""
    BIN = "bin"
    """Binary SMS (the text holds the UDH and data)."""
    PUSH = "push"
    """Wap-push (the text is a link, a newline, and a title)."""
    HLR = "hlr"
    """An HLR request per number; no text."""
    PING = "ping"
    """An invisible ping SMS probing the number; no text."""
    MMS = "mms"
    """MMS."""
    MAIL = "mail"
    """E-mail: the recipients are addresses, ``subject`` and ``sender`` are needed."""
    SOC = "soc"
    """A message to social networks and messengers."""
    VIBER = "viber"
    """A Viber message."""
    CALL = "call"
    """A voice call reading the text."""


class MailingRepeat(LenientIntEnum):
    """How often a mailing is sent again (``rpt``)."""

    MANUAL = 0
    """Not repeated by itself (SMSC's default)."""
    HOURLY = 1
    """Every hour."""
    DAILY = 2
    """Every day."""
    WORKDAYS = 3
    """Every working day."""
    WEEKENDS = 4
    """Every weekend."""
    WEEKLY = 5
    """Every week."""
    MONTHLY = 6
    """Every month."""
    YEARLY = 7
    """Every year."""


class MailingStatus(LenientIntEnum):
    """A mailing's state (``status`` of ``jobs.php?get``/``get_all``); unknown codes are kept.

    Assumption: the docs available list no codes (spec §6.1). These are the states the
    docs describe in words (a mailing waits for its time, is sent, or is cancelled while it
    waits: ``cancel`` "disables a waiting mailing"), numbered as the embedded emulator
    numbers them; any other code SMSC sends reads as ``UNKNOWN_<code>``, equal to its int.
    """

    WAITING = 0
    """Its time has not come (``cancel`` applies to it)."""
    SENT = 1
    """Its time has come: it is being sent or was sent."""
    CANCELLED = 2
    """Cancelled while it waited."""


@attrs.frozen
class MailingCreated:
    """The reply to creating a mailing.

    Attributes:
        id: The new mailing's id.
        cost: What it costs, when asked for (``report_cost=True``); else ``None``.
    """

    id: int
    cost: Decimal | None = None


@attrs.frozen
class Mailing:
    """A mailing as ``get``/``get_all`` describe it.

    Assumption: the docs available show no layout for these replies (spec §6.1); rows are
    read by these keys, anything else the server sends is kept in ``extra``.

    Attributes:
        id: Its id.
        name: Its name.
        status: Its state (:class:`MailingStatus`; a code the SDK does not know is kept).
        sender: The sender name it uses; ``None`` for the account's default.
        text: The message text (``mes`` on the wire).
        extra: Fields the server sent that this model does not know.
    """

    id: int
    name: str | None = None
    status: MailingStatus | None = None
    sender: str | None = None
    text: str | None = None
    extra: Mapping[str, str] = extra_field()
