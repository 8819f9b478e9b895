"""The typed models every wire format decodes to: frozen attrs classes, one module per family."""

from smsc_async.models._base import LenientIntEnum, LenientStrEnum
from smsc_async.models.contacts import (
    BlacklistEntry,
    BlockType,
    Contact,
    ContactGroup,
    CreatedId,
)
from smsc_async.models.history import SentMessage
from smsc_async.models.inbox import IncomingMessage
from smsc_async.models.mailings import Mailing, MailingCreated, MailingKind, MailingRepeat
from smsc_async.models.op_templates import (
    MessageKind,
    Operator,
    OperatorTemplate,
    TemplateAdded,
    TemplateAddStatus,
    TemplateStatus,
    TemplateTarget,
)
from smsc_async.models.operators import OperatorInfo
from smsc_async.models.senders import (
    OperatorStatus,
    OperatorStatuses,
    Registration,
    Sender,
    SenderDocument,
    SenderId,
    SenderStatus,
    UaRegistration,
)
from smsc_async.models.stats import AccountStats
from smsc_async.models.subclients import (
    AccountType,
    Currency,
    HourRange,
    Provisioned,
    SubclientDayStats,
    SubclientId,
    SubclientSettings,
    SubclientSpec,
    SubclientStats,
    Tariff,
    TemplateSpec,
    TimeZone,
)
from smsc_async.models.tariffs import OperatorTariff, Tariffs, TariffZone
from smsc_async.models.templates import MessageTemplate, TemplateFormat

__all__ = [
    "AccountStats",
    "AccountType",
    "BlacklistEntry",
    "BlockType",
    "Contact",
    "ContactGroup",
    "CreatedId",
    "Currency",
    "HourRange",
    "IncomingMessage",
    "LenientIntEnum",
    "LenientStrEnum",
    "Mailing",
    "MailingCreated",
    "MailingKind",
    "MailingRepeat",
    "MessageKind",
    "MessageTemplate",
    "Operator",
    "OperatorInfo",
    "OperatorStatus",
    "OperatorStatuses",
    "OperatorTariff",
    "OperatorTemplate",
    "Provisioned",
    "Registration",
    "Sender",
    "SenderDocument",
    "SenderId",
    "SenderStatus",
    "SentMessage",
    "SubclientDayStats",
    "SubclientId",
    "SubclientSettings",
    "SubclientSpec",
    "SubclientStats",
    "Tariff",
    "TariffZone",
    "Tariffs",
    "TemplateAddStatus",
    "TemplateAdded",
    "TemplateFormat",
    "TemplateSpec",
    "TemplateStatus",
    "TemplateTarget",
    "TimeZone",
    "UaRegistration",
]
