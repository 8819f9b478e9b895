"""The typed models every wire format decodes to: frozen attrs classes, one module per family."""

from smsc_async.models._base import LenientIntEnum
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
from smsc_async.models.tariffs import OperatorTariff, Tariffs, TariffZone

__all__ = [
    "LenientIntEnum",
    "OperatorStatus",
    "OperatorStatuses",
    "OperatorTariff",
    "Registration",
    "Sender",
    "SenderDocument",
    "SenderId",
    "SenderStatus",
    "TariffZone",
    "Tariffs",
    "UaRegistration",
]
