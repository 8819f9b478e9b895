"""The events SMSC posts to the account's handler URL: frozen attrs values, no behaviour.

Public through :mod:`smsc_async.callbacks` only, not the :mod:`smsc_async.models` facade:
``IncomingMessage`` there is already the inbox's record (``get.php?get_answers=1``), and a
callback's reply is a different shape under the same name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

import attrs

from smsc_async.models.messages import DeliveryError, MessageStatus, MessageType

__all__ = ["CallConfirmation", "CallbackEvent", "DeliveryReport", "IncomingMessage"]


def _extra() -> Mapping[str, str]:
    # Like the other models' ``extra``: in equality, not in the hash (a dict is unhashable).
    return attrs.field(factory=dict, hash=False, kw_only=True)


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.isoformat()


@attrs.frozen
class DeliveryReport:
    """A message's status changed (its delivery report).

    Attributes:
        id: The message id (the one ``send`` returned, or the one given to it).
        phone: The recipient.
        status: The new status.
        err: Why it was not delivered (``NONE`` when the server sent no error).
        time: When the status changed (Moscow time), when the server says.
        sms_cnt: Its parts (``cnt``), when the server says.
        type: What the message is, when the server says.
        sender_id: The sender name it went with (``sender``), when the server says.
        extra: Every other field of the request (``flag``...), as text.
    """

    id: str
    phone: str
    status: MessageStatus
    err: DeliveryError = DeliveryError.NONE
    time: dt.datetime | None = None
    sms_cnt: int | None = None
    type: MessageType | None = None
    sender_id: str | None = None
    extra: Mapping[str, str] = _extra()

    @property
    def dedupe_key(self) -> str:
        """The same for every delivery of this event: kind, id, phone, status and time."""
        return f"report:{self.id}:{self.phone}:{int(self.status)}:{_when(self.time)}"


@attrs.frozen
class IncomingMessage:
    """An SMS came in to one of the account's numbers (a reply, an inbound message).

    Attributes:
        phone: Who sent it.
        message: Its text (``mes``).
        to_phone: The account's number it came to (``to``), when the server says.
        sms_id: Its id at SMSC, when the server says.
        sent: When the sender's side says it was sent (Moscow time).
        received: When the server received it (``time``, Moscow time).
        extra: Every other field of the request, as text.
    """

    phone: str
    message: str
    to_phone: str | None = None
    sms_id: int | None = None
    sent: dt.datetime | None = None
    received: dt.datetime | None = None
    extra: Mapping[str, str] = _extra()

    @property
    def dedupe_key(self) -> str:
        """The same for every delivery of this message: its SMSC id, else its contents."""
        if self.sms_id is not None:
            return f"incoming:{self.sms_id}"
        # No id: who, to whom, when and what (the text hashed, to keep the key short).
        text = hashlib.sha256(self.message.encode()).hexdigest()[:32]
        return (
            f"incoming:{self.phone}:{self.to_phone or ''}:{_when(self.received)}"
            f":{_when(self.sent)}:{text}"
        )


@attrs.frozen
class CallConfirmation:
    """Someone called to confirm their number ("confirm the number with a call").

    Attributes:
        phone: The number that called.
        time: When the call came (``ts``, else ``time``; Moscow time).
        extra: Every other field of the request, as text.
    """

    phone: str
    time: dt.datetime
    extra: Mapping[str, str] = _extra()

    @property
    def dedupe_key(self) -> str:
        """The same for every delivery of this call: kind, phone and time."""
        return f"call:{self.phone}:{_when(self.time)}"


CallbackEvent = DeliveryReport | IncomingMessage | CallConfirmation
"""Any event :func:`~smsc_async.callbacks.parse` returns."""
