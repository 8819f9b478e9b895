"""Models of the operator-templates family (``op_templates.php``, seed 001, spec §A.2).

Service and transactional message templates are registered with operators, one
registration per operator and message kind: a :class:`TemplateTarget`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from smsc_async.models._base import LenientIntEnum

__all__ = [
    "MessageKind",
    "Operator",
    "OperatorTemplate",
    "TemplateAddStatus",
    "TemplateAdded",
    "TemplateStatus",
    "TemplateTarget",
]


class Operator(str, enum.Enum):
    """An operator templates are registered with."""

    MTS = "mts"
    """MTS."""
    MEGAFON = "mega"
    """Megafon."""
    BEELINE = "bee"
    """Beeline."""
    TELE2 = "tele2"
    """Tele2."""
    MOTIV = "motiv"
    """MOTIV."""
    SOCIAL = "soc"
    """Social networks and messengers (the ``soc`` flag)."""


class MessageKind(str, enum.Enum):
    """What a template's messages are."""

    SERVICE = "srv"
    """Service messages."""
    AUTH = "auth"
    """Authorisation (one-time codes)."""
    TRANSACTIONAL = "trn"
    """Transactional messages."""
    ADVERTISING = "adv"
    """Advertising."""


class TemplateTarget(str, enum.Enum):
    """One operator and message kind to register a template with (one request flag each)."""

    MTS_SERVICE = "mts_srv"
    """MTS, service."""
    MTS_AUTH = "mts_auth"
    """MTS, authorisation."""
    MTS_TRANSACTIONAL = "mts_trn"
    """MTS, transactional."""
    MEGAFON_SERVICE = "mega_srv"
    """Megafon, service."""
    MEGAFON_AUTH = "mega_auth"
    """Megafon, authorisation."""
    MEGAFON_TRANSACTIONAL = "mega_trn"
    """Megafon, transactional."""
    MEGAFON_ADVERTISING = "mega_adv"
    """Megafon, advertising."""
    BEELINE_SERVICE = "bee_srv"
    """Beeline, service."""
    BEELINE_TRANSACTIONAL = "bee_trn"
    """Beeline, transactional."""
    TELE2_SERVICE = "tele2_srv"
    """Tele2, service."""
    TELE2_TRANSACTIONAL = "tele2_trn"
    """Tele2, transactional."""
    MOTIV_SERVICE = "motiv_srv"
    """MOTIV, service."""
    MOTIV_TRANSACTIONAL = "motiv_trn"
    """MOTIV, transactional."""
    SOCIAL = "soc"
    """Social networks and messengers (no kind)."""

    @property
    def operator(self) -> Operator:
        """The operator."""
        return Operator(self.value.split("_")[0])

    @property
    def kind(self) -> MessageKind | None:
        """The message kind (``None`` for :attr:`SOCIAL`)."""
        _, _, kind = self.value.partition("_")
        return MessageKind(kind) if kind else None

    @classmethod
    def select(
        cls,
        *,
        operators: Iterable[Operator] | None = None,
        kinds: Iterable[MessageKind] | None = None,
    ) -> frozenset[TemplateTarget]:
        """Every target of these operators and message kinds (``None``: any).

        For example, every service target: ``TemplateTarget.select(kinds=[MessageKind.SERVICE])``.
        """
        wanted_operators = None if operators is None else frozenset(operators)
        wanted_kinds = None if kinds is None else frozenset(kinds)
        return frozenset(
            target
            for target in cls
            if (wanted_operators is None or target.operator in wanted_operators)
            and (wanted_kinds is None or target.kind in wanted_kinds)
        )


class TemplateAddStatus(LenientIntEnum):
    """What became of a template at one operator when it was added."""

    NOT_SAVED = -2
    """The template cannot be saved."""
    SENDER_NOT_ACCEPTED = -1
    """Its sender name was not found, or not accepted by the operator."""
    ADDED = 1
    """Added."""


class TemplateStatus(LenientIntEnum):
    """A template's state at one operator."""

    NOT_FOUND = -1
    """No such template for this operator."""
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


def _target(name: str) -> TemplateTarget | None:
    try:
        return TemplateTarget(name)
    except ValueError:
        return None


@attrs.frozen
class TemplateAdded:
    """The answer of one operator to adding a template.

    Attributes:
        name: Operator and message kind, as the server names them (e.g. ``"mts_srv"``).
        status: What became of the template there.
        id: The template's id, when it was added.
    """

    name: str
    status: TemplateAddStatus
    id: int | None = None

    @property
    def target(self) -> TemplateTarget | None:
        """The target this row answers for, when the server's name is a known one."""
        return _target(self.name)


@attrs.frozen
class OperatorTemplate:
    """A template's state at one operator and message kind.

    Attributes:
        name: Operator and message kind, as the server names them (e.g. ``"mts_srv"``).
        status: The template's state there.
        id: The template's id (``None`` where it was not found).
    """

    name: str
    status: TemplateStatus
    id: int | None = None

    @property
    def target(self) -> TemplateTarget | None:
        """The target this row answers for, when the server's name is a known one."""
        return _target(self.name)
