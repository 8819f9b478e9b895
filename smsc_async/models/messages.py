"""Models of the messages family: sending (``send.php``) and delivery status (``status.php``).

Spec §2 and §3. Status and error codes are lenient enums: a code SMSC adds later becomes an
``UNKNOWN_<code>`` member instead of failing the call; ``.meaning`` describes every code.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal

import attrs

from smsc_async.models._base import FLATTEN, LenientIntEnum, extra_field

__all__ = [
    "Attachment",
    "CallSettings",
    "DeliveryError",
    "HlrInfo",
    "MessageCost",
    "MessageStatus",
    "MessageType",
    "Sent",
    "SentPhone",
    "StatusDetail",
    "StatusReport",
    "Translit",
    "Voice",
]

_MSK = dt.timezone(dt.timedelta(hours=3), "MSK")  # the server's clock (spec §1.6)


class MessageType(LenientIntEnum):
    """What a message is: the kind to send, and the ``type`` a full status reports."""

    SMS = 0
    FLASH = 1
    BIN = 2
    PUSH = 3
    HLR = 4
    PING = 5
    MMS = 6
    CALL = 7
    MAIL = 8
    VIBER = 10
    SOC = 12


class MessageStatus(LenientIntEnum):
    """A message's delivery status (spec §3.3); ``.meaning`` says it in words."""

    NOT_FOUND = -3
    STOPPED = -2
    WAITING = -1
    TRANSFERRED = 0
    DELIVERED = 1
    READ = 2
    EXPIRED = 3
    CLICKED = 4
    UNDELIVERABLE = 20
    INVALID_NUMBER = 22
    PROHIBITED = 23
    NO_MONEY = 24
    UNAVAILABLE_NUMBER = 25

    @property
    def meaning(self) -> str:
        """What the code means."""
        return _STATUS_MEANINGS.get(self.value, f"unknown status {self.value}")

    @property
    def is_final(self) -> bool:
        """The status will not change any more.

        Assumption: the docs do not say which statuses are final; waiting, stopped (a
        paused mailing) and handed to the operator are not, every other one (also a code
        not known here) is.
        """
        return self.value not in (-2, -1, 0)

    @property
    def is_delivered(self) -> bool:
        """The message reached the recipient (delivered, read, or its link clicked)."""
        return self.value in (1, 2, 4)


_STATUS_MEANINGS = {
    -3: "message not found",
    -2: "stopped (the mailing was paused before hand-off)",
    -1: "waiting to be sent",
    0: "handed to the operator",
    1: "delivered",
    2: "read (an e-mail was opened)",
    3: "expired (its lifetime ran out undelivered)",
    4: "delivered, and its short link was clicked",
    20: "cannot be delivered",
    22: "invalid number",
    23: "prohibited (duplicate, flood, blacklist, spam filter or sender name)",
    24: "not enough money",
    25: "unavailable number",
}


class DeliveryError(LenientIntEnum):
    """Why a message was not delivered: the ``err`` of a status (spec §3.4).

    E-mails reuse 2, 3 and 4 (mailbox full, mail server not found, mailbox blocked).
    """

    NONE = 0
    NO_SUBSCRIBER = 1
    MAILBOX_FULL = 2
    MAIL_SERVER_NOT_FOUND = 3
    MAILBOX_BLOCKED = 4
    SUBSCRIBER_OFFLINE = 6
    NO_SMS_SERVICE = 11
    HANDSET_ERROR = 12
    SUBSCRIBER_BLOCKED = 13
    SERVICE_NOT_SUPPORTED = 21
    VIRTUAL_SEND = 200
    SIM_REPLACED = 219
    OPERATOR_QUEUE_FULL = 220
    NO_ANSWER = 237
    NO_TEMPLATE = 238
    FORBIDDEN_IP = 239
    BUSY = 240
    CONVERSION_ERROR = 241
    ANSWERING_MACHINE = 242
    NO_CONTRACT = 243
    MAILING_FORBIDDEN = 244
    STATUS_NOT_RECEIVED = 245
    TIME_RESTRICTION = 246
    MESSAGE_LIMIT = 247
    NO_ROUTE = 248
    INVALID_NUMBER_FORMAT = 249
    NUMBER_FORBIDDEN_BY_SETTINGS = 250
    PER_NUMBER_LIMIT = 251
    NUMBER_FORBIDDEN = 252
    SPAM_FILTER = 253
    UNREGISTERED_SENDER = 254
    REJECTED_BY_OPERATOR = 255

    @property
    def meaning(self) -> str:
        """What the code means."""
        return _ERROR_MEANINGS.get(self.value, f"unknown error {self.value}")


_ERROR_MEANINGS = {
    0: "no error",
    1: "the subscriber does not exist",
    2: "the mailbox is full (e-mail)",
    3: "the recipient's mail server was not found (e-mail)",
    4: "the mailbox is blocked (e-mail)",
    6: "the subscriber is not in the network",
    11: "no SMS service (not connected)",
    12: "error in the subscriber's phone",
    13: "the subscriber is blocked",
    21: "the service is not supported",
    200: "virtual sending (test mode)",
    219: "the SIM card was replaced",
    220: "the operator's queue is full",
    237: "the subscriber does not answer (call)",
    238: "no template",
    239: "forbidden IP address",
    240: "the subscriber is busy (call)",
    241: "conversion error, or not every part delivered",
    242: "an answering machine answered (call)",
    243: "no contract signed",
    244: "mailing forbidden",
    245: "no status received (no delivery report within 24 hours)",
    246: "time restriction",
    247: "message limit exceeded",
    248: "no route",
    249: "invalid number format",
    250: "the number is forbidden by the account's settings",
    251: "limit per number exceeded",
    252: "the number is forbidden",
    253: "forbidden by the spam filter",
    254: "unregistered sender id",
    255: "rejected by the operator",
}


class StatusDetail(enum.IntEnum):
    """How much a status reply tells (``all``)."""

    BASIC = 0
    """Status, time of the last change, error."""
    FULL = 1
    """Also the send time, phone, cost, sender name, status name and text."""
    LOCATION = 2
    """Also the country, operator and region of the number."""


class Translit(enum.IntEnum):
    """Transliteration of Cyrillic text before sending (``translit``)."""

    NONE = 0
    """Send the text as it is."""
    LATIN = 1
    """Latin letters: ``translit``."""
    LOOKALIKE = 2
    """Latin look-alikes of Cyrillic letters: ``mpaHc/Ium``."""


class Voice(str, enum.Enum):
    """The voice that reads a call's text (``voice``)."""

    MALE = "m"
    MALE_2 = "m2"
    FEMALE = "w"
    FEMALE_2 = "w2"
    FEMALE_3 = "w3"
    FEMALE_4 = "w4"


@attrs.frozen
class CallSettings:
    """How a voice call is placed (``param=wait,interval,attempts``).

    Attributes:
        wait: Seconds to wait for an answer (0 to 99; 10 to 35 is sensible).
        interval: Seconds between attempts (10 to 3600).
        attempts: Attempts to make (1 to 9).
    """

    wait: int = 22
    interval: int = 20
    attempts: int = 5


@attrs.frozen
class Attachment:
    """A file sent with an MMS or an e-mail.

    Attributes:
        filename: The file name.
        content: The file's bytes.
        content_type: The MIME type; guessed from the extension when omitted.
    """

    filename: str
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")
    content_type: str | None = None


@attrs.frozen
class SentPhone:
    """Per-recipient details of a send or price request.

    ``op=1`` (``details``) gives one for every number; ``err=1`` (``bad_numbers``) one for
    each number that failed (Assumption: in the same shape; the docs show neither).

    Attributes:
        phone: The number.
        mccmnc: Its mobile country and network code.
        cost: The price for this number.
        status: Its status right after the request.
        error: Why it failed (``NONE`` for no error).
        extra: Fields this model does not know.
    """

    phone: str
    mccmnc: str | None = None
    cost: Decimal | None = None
    status: MessageStatus | None = None
    error: DeliveryError | None = None
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class Sent:
    """The reply to a send.

    Attributes:
        id: The message id (the caller's, or the one the SDK assigned), as text.
        cnt: SMS messages sent (parts times recipients); seconds for a voice call.
        cost: The price, when asked for (``report_cost``).
        balance: The account's balance afterwards, when asked for (``report_balance``).
        phones: Per-recipient details, when asked for (``details``/``bad_numbers``).
        extra: Fields this model does not know.
    """

    id: str
    cnt: int
    cost: Decimal | None = None
    balance: Decimal | None = None
    phones: tuple[SentPhone, ...] = ()
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class MessageCost:
    """The price of a message, without sending it (``cost=1``).

    Attributes:
        cost: The price.
        cnt: SMS messages it would take (parts times recipients).
        phones: Per-recipient details, when asked for.
        extra: Fields this model does not know.
    """

    cost: Decimal
    cnt: int
    phones: tuple[SentPhone, ...] = ()
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class HlrInfo:
    """What an HLR request found about a number.

    Attributes:
        imsi: The SIM card's IMSI.
        msc: The serving switching centre's number.
        mcc: Mobile country code where the number is registered.
        mnc: Mobile network code.
        cn: Country of registration.
        net: Operator.
        rcn: Roaming country.
        rnet: Roaming operator.
    """

    imsi: str | None = None
    msc: str | None = None
    mcc: str | None = None
    mnc: str | None = None
    cn: str | None = None
    net: str | None = None
    rcn: str | None = None
    rnet: str | None = None


def _msk(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, _MSK)


@attrs.frozen
class StatusReport:
    """A message's status (``status.php``).

    Each time comes as a date and as a Unix timestamp; a format that sends only one (fmt=0
    dates, fmt=1 timestamps) gets the other filled in, so every format gives equal models.

    Attributes:
        status: The delivery status.
        last_date: When it last changed (Moscow time).
        last_timestamp: The same, as a Unix timestamp.
        err: Why it was not delivered (``NONE``: no error, also when the server left it out).
        id: The message id (in replies about several messages).
        phone: The recipient (in replies about several messages, and with ``FULL``).
        send_date: When it was sent (``FULL``).
        send_timestamp: The same, as a Unix timestamp.
        cost: Its price (``FULL``).
        sender_id: The sender name it went with (``FULL``; ``HLR`` for HLR requests).
        status_name: The status in words, in the account's language (``FULL``).
        message: Its text (``FULL``).
        country: Country of the number (``LOCATION``).
        operator: Operator of the number (``LOCATION``).
        region: Region of the number (``LOCATION``).
        type: What the message is (``FULL``, when the server says).
        sms_cnt: Its parts (seconds for a call), when the server says.
        mccmnc: Mobile country and network code, when the server says.
        hlr: What an HLR request found; ``None`` for other messages.
        extra: Fields this model does not know (``flag``, ``comment``, ``operator_orig``...).
    """

    status: MessageStatus
    last_date: dt.datetime | None = None
    last_timestamp: int | None = None
    # Assumption: no err means no error (the recorded fmt=3 reply about a delivered message
    # has none, while fmt=0/1 always write it).
    err: DeliveryError = DeliveryError.NONE
    id: str | None = None
    phone: str | None = None
    send_date: dt.datetime | None = None
    send_timestamp: int | None = None
    cost: Decimal | None = None
    sender_id: str | None = None
    status_name: str | None = None
    message: str | None = None
    country: str | None = None
    operator: str | None = None
    region: str | None = None
    type: MessageType | None = None
    sms_cnt: int | None = None
    mccmnc: str | None = None
    hlr: HlrInfo | None = attrs.field(default=None, metadata=FLATTEN)
    extra: Mapping[str, str] = extra_field()

    def __attrs_post_init__(self) -> None:
        # Fill each time from its twin, so every format's reply makes an equal model. A
        # zero timestamp is the server's "never" (e.g. not sent yet): no date for it.
        for date, stamp in (("last_date", "last_timestamp"), ("send_date", "send_timestamp")):
            when, seconds = getattr(self, date), getattr(self, stamp)
            if when is None and seconds:
                object.__setattr__(self, date, _msk(seconds))
            elif seconds is None and when is not None:
                object.__setattr__(self, stamp, int(when.timestamp()))
