"""smsc_async: the async-first, rate-limit-aware SDK for the SMSC HTTP API.

::

    from smsc_async import SmscClient

    async with SmscClient(login="alex", password="...") as smsc:
        tariffs = await smsc.tariffs.get()
        names = await smsc.senders.list()
        new_id = await smsc.senders.add(sender="my_shop", cmt="test")
"""

from smsc_async._client import SmscClient
from smsc_async._types import Format, Rule, Scope
from smsc_async._version import __version__
from smsc_async.errors import (
    ApiError,
    AuthError,
    CodeAlreadySentError,
    FieldError,
    InsufficientFundsError,
    InvalidCodeError,
    InvalidDateError,
    InvalidNumberError,
    IpBlockedError,
    LoginPausedError,
    MaybeAppliedError,
    MessageDeniedError,
    NotFoundError,
    OperationFailedError,
    ParametersError,
    ParseError,
    RateLimitError,
    SmscError,
    TransportError,
    UndeliverableError,
    ValidationError,
)
from smsc_async.models import (
    OperatorStatus,
    OperatorStatuses,
    OperatorTariff,
    Registration,
    Sender,
    SenderDocument,
    SenderStatus,
    Tariffs,
    TariffZone,
    UaRegistration,
)

__all__ = [
    "ApiError",
    "AuthError",
    "CodeAlreadySentError",
    "FieldError",
    "Format",
    "InsufficientFundsError",
    "InvalidCodeError",
    "InvalidDateError",
    "InvalidNumberError",
    "IpBlockedError",
    "LoginPausedError",
    "MaybeAppliedError",
    "MessageDeniedError",
    "NotFoundError",
    "OperationFailedError",
    "OperatorStatus",
    "OperatorStatuses",
    "OperatorTariff",
    "ParametersError",
    "ParseError",
    "RateLimitError",
    "Registration",
    "Rule",
    "Scope",
    "Sender",
    "SenderDocument",
    "SenderStatus",
    "SmscClient",
    "SmscError",
    "TariffZone",
    "Tariffs",
    "TransportError",
    "UaRegistration",
    "UndeliverableError",
    "ValidationError",
    "__version__",
]
