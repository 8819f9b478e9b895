"""Models of the history of sent messages (``get.php?get_messages=1``, spec §5.1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import attrs

from smsc_async.models._base import extra_field
from smsc_async.models.messages import DeliveryError, MessageStatus, MessageType

__all__ = ["SentMessage"]


@attrs.frozen
class SentMessage:
    """One message to one recipient in the history of sent messages.

    The documentation lists the reply's first fields only (status, dates, error, send date);
    the rest are the fields of a full status reply (``status.php?all=2``, spec §3.2), which
    the history shares (UNVERIFIED). Anything else the server sends is kept in ``extra``.

    Attributes:
        int_id: The server's global id of this message; ``prev_id`` pages by it.
        phone: The recipient: a phone number, or an e-mail address in e-mail history.
        status: Its delivery status (``.meaning`` says it in words; a code not known here
            is kept as ``UNKNOWN_<code>``).
        id: The message id given (or assigned) at sending; the recipients of one send
            share it.
        err: Why it was not delivered (``NONE`` when it was).
        last_date: When the status last changed (Moscow time).
        last_timestamp: The same moment as a Unix timestamp.
        send_date: When the message was sent (Moscow time).
        send_timestamp: The same moment as a Unix timestamp.
        cost: Its price.
        sender_id: The sender name it went out with.
        status_name: The status in words, as the server names it.
        message: The text sent; free text (it may contain commas).
        country: The recipient's country.
        operator: The recipient's operator.
        region: The recipient's region.
        mccmnc: The recipient's mobile country and network codes.
        type: What the message is (SMS, flash, HLR, e-mail...).
        sms_cnt: How many parts it took (seconds, for a call).
        extra: Fields the server sent that this model does not know.
    """

    int_id: int
    phone: str
    status: MessageStatus
    id: str | None = None
    err: DeliveryError | None = None
    last_date: dt.datetime | None = None
    last_timestamp: int | None = None
    send_date: dt.datetime | None = None
    send_timestamp: int | None = None
    cost: Decimal | None = None
    sender_id: str | None = None
    status_name: str | None = None
    message: str | None = None
    country: str | None = None
    operator: str | None = None
    region: str | None = None
    mccmnc: str | None = None
    type: MessageType | None = None
    sms_cnt: int | None = None
    extra: Mapping[str, str] = extra_field()
