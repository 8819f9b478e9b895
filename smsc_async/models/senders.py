"""Models of the sender-names family (``senders.php``)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from smsc_async.models._base import FLATTEN, LenientIntEnum, extra_field

__all__ = [
    "OperatorStatus",
    "OperatorStatuses",
    "Registration",
    "Sender",
    "SenderDocument",
    "SenderId",
    "SenderStatus",
    "UaRegistration",
]


class SenderStatus(LenientIntEnum):
    """Moderation status of a sender name (``all=1``)."""

    MODERATION = 0
    """Waiting for moderation."""
    ALLOWED = 1
    """Allowed to use."""
    DISABLED = 2
    """Disabled."""


class OperatorStatus(LenientIntEnum):
    """Status of a sender name at one operator (``operators=1``)."""

    AWAITING_REGISTRATION = 0
    """Waiting to be registered."""
    SENT_FOR_REGISTRATION = 1
    """Sent to the operator for registration."""
    ACCEPTED = 2
    """Accepted by the operator."""
    REJECTED = 3
    """Not accepted by the operator."""
    DISABLED = 4
    """Temporarily disabled."""
    NO_MONEY = 5
    """Not enough money on the account."""
    DOCUMENTS_REQUIRED = 8
    """Supporting documents are required."""


@attrs.frozen
class OperatorStatuses:
    """A sender name's status at every operator; ``None`` where the server sent none.

    ``*_step`` are paid names, ``*_int`` common-name replacement, ``tele2`` free names,
    ``ua_*`` Ukraine.
    """

    mega_step: OperatorStatus | None = None
    bee_step: OperatorStatus | None = None
    motiv_step: OperatorStatus | None = None
    mts_step: OperatorStatus | None = None
    tele2_step: OperatorStatus | None = None
    tele2: OperatorStatus | None = None
    ua_reg: OperatorStatus | None = None
    ua_int: OperatorStatus | None = None
    mega_int: OperatorStatus | None = None
    motiv_int: OperatorStatus | None = None
    mts_int: OperatorStatus | None = None


@attrs.frozen
class Sender:
    """A sender name (Sender ID) of the account.

    Attributes:
        sender: The name itself.
        id: Its id, assigned by the server.
        status: Moderation status; only in replies to ``list(all=True)``.
        operators: Per-operator statuses; only in replies to ``list(operators=True)``.
        extra: Fields the server sent that this model does not know (e.g. the replacement
            analog the server adds for some operators).
    """

    sender: str
    id: int
    status: SenderStatus | None = None
    operators: OperatorStatuses | None = attrs.field(default=None, metadata=FLATTEN)
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class SenderId:
    """The reply to creating a sender name: its new id."""

    id: int


class Registration(str, enum.Enum):
    """Where to register a sender name when adding or changing it (``add``/``chg`` flags)."""

    MTS_STEP = "mts_step"
    """Paid name at MTS."""
    MEGA_STEP = "mega_step"
    """Paid name at Megafon."""
    BEE_STEP = "bee_step"
    """Paid name at Beeline."""
    MOTIV_STEP = "motiv_step"
    """Paid name at MOTIV."""
    TELE2_STEP = "tele2_step"
    """Paid name at Tele2."""
    TELE2 = "tele2"
    """Name at Tele2 on the tariff with free names."""
    MEGA_INT = "mega_int"
    """Replacement with a common name at Megafon."""
    MOTIV_INT = "motiv_int"
    """Replacement with a common name at MOTIV."""
    MTS_INT = "mts_int"
    """Replacement with a common name at MTS."""
    UA_INT = "ua_int"
    """Ukraine, at the higher rate for international traffic."""


@attrs.frozen
class UaRegistration:
    """The details SMSC needs to register a name for Ukraine at the national rate (``ua_reg``).

    Attributes:
        fio: Legal name of the organisation.
        inn: EDRPOU / INN.
        email: Contact e-mail.
        address: Actual address.
        desc: Description of the services provided by the sender.
        subj: Subject (purpose of the messages).
        site: Web site, optional.
    """

    fio: str
    inn: str
    email: str
    address: str
    desc: str
    subj: str
    site: str | None = None


@attrs.frozen
class SenderDocument:
    """A document for the operators (trademark or domain certificate) sent with ``add``/``chg``.

    jpg, tif, pdf, png, zip or rar, at most 3 MB.

    Attributes:
        filename: The file name; its extension decides the type.
        content: The file's bytes.
        content_type: The MIME type; guessed from the extension when omitted.
    """

    filename: str
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")
    content_type: str | None = None
