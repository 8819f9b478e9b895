"""smsc_async: the async-first, rate-limit-aware SDK for the SMSC HTTP API.

::

    from smsc_async import SmscClient

    async with SmscClient(login="alex", password="...") as smsc:
        tariffs = await smsc.tariffs.get()
        names = await smsc.senders.list()
        new_id = await smsc.senders.add(sender="my_shop", cmt="test")
"""

# The light names (the enums, the version, the exception tree: stdlib and attrs) load with
# the package; the client, the limiter backends and the models on first use (PEP 562), so
# ``import smsc_async`` pulls in neither httpx, asyncio nor cattrs. Type checkers see every
# name through the imports below.
import importlib
from typing import TYPE_CHECKING, Any

from smsc_async._types import Format, Rule, Scope
from smsc_async._version import __version__
from smsc_async.errors import (
    ApiError,
    AuthError,
    ClientClosedError,
    CodeAlreadySentError,
    DeadlineTooShortError,
    EventLoopError,
    FieldError,
    InsufficientFundsError,
    InvalidCodeError,
    InvalidDateError,
    InvalidNumberError,
    IpBlockedError,
    LimiterUnavailableError,
    LoginPausedError,
    LoginTakenError,
    MaybeAppliedError,
    MessageDeniedError,
    NotFoundError,
    OperationFailedError,
    ParametersError,
    ParseError,
    RateLimitError,
    SendUnconfirmedError,
    SmscError,
    TransportError,
    UndeliverableError,
    ValidationError,
)

if TYPE_CHECKING:
    from smsc_async._client import SmscClient
    from smsc_async._process import ProcessLimiter
    from smsc_async._state import LimiterBackend, Pause
    from smsc_async.models import (
        AccountStats,
        AccountType,
        Attachment,
        Balance,
        BlacklistEntry,
        BlockType,
        CallSettings,
        Contact,
        ContactGroup,
        Currency,
        DeliveryError,
        HlrInfo,
        HourRange,
        IncomingMessage,
        Mailing,
        MailingCreated,
        MailingKind,
        MailingRepeat,
        MessageCost,
        MessageKind,
        MessageStatus,
        MessageTemplate,
        MessageType,
        Operator,
        OperatorInfo,
        OperatorStatus,
        OperatorStatuses,
        OperatorTariff,
        OperatorTemplate,
        Provisioned,
        Registration,
        Sender,
        SenderDocument,
        SenderStatus,
        Sent,
        SentMessage,
        SentPhone,
        StatusDetail,
        StatusReport,
        SubclientDayStats,
        SubclientId,
        SubclientSettings,
        SubclientSpec,
        SubclientStats,
        Tariff,
        Tariffs,
        TariffZone,
        TemplateAdded,
        TemplateAddStatus,
        TemplateFormat,
        TemplateSpec,
        TemplateStatus,
        TemplateTarget,
        TimeZone,
        Translit,
        UaRegistration,
        Voice,
    )

# Loaded on first use; every other public name not loaded with the package is a model.
_LAZY: dict[str, str] = {
    "SmscClient": "smsc_async._client",
    "ProcessLimiter": "smsc_async._process",
    "LimiterBackend": "smsc_async._state",
    "Pause": "smsc_async._state",
}


# Hidden from type checkers: a module ``__getattr__`` would make every misspelt name Any.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Load a public name that is not loaded with the package (the client, the models)."""
        module = _LAZY.get(name) or ("smsc_async.models" if name in __all__ else None)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        """Every public name, loaded or not."""
        return sorted({*globals(), *__all__})


__all__ = [
    "AccountStats",
    "AccountType",
    "ApiError",
    "Attachment",
    "AuthError",
    "Balance",
    "BlacklistEntry",
    "BlockType",
    "CallSettings",
    "ClientClosedError",
    "CodeAlreadySentError",
    "Contact",
    "ContactGroup",
    "Currency",
    "DeadlineTooShortError",
    "DeliveryError",
    "EventLoopError",
    "FieldError",
    "Format",
    "HlrInfo",
    "HourRange",
    "IncomingMessage",
    "InsufficientFundsError",
    "InvalidCodeError",
    "InvalidDateError",
    "InvalidNumberError",
    "IpBlockedError",
    "LimiterBackend",
    "LimiterUnavailableError",
    "LoginPausedError",
    "LoginTakenError",
    "Mailing",
    "MailingCreated",
    "MailingKind",
    "MailingRepeat",
    "MaybeAppliedError",
    "MessageCost",
    "MessageDeniedError",
    "MessageKind",
    "MessageStatus",
    "MessageTemplate",
    "MessageType",
    "NotFoundError",
    "OperationFailedError",
    "Operator",
    "OperatorInfo",
    "OperatorStatus",
    "OperatorStatuses",
    "OperatorTariff",
    "OperatorTemplate",
    "ParametersError",
    "ParseError",
    "Pause",
    "ProcessLimiter",
    "Provisioned",
    "RateLimitError",
    "Registration",
    "Rule",
    "Scope",
    "SendUnconfirmedError",
    "Sender",
    "SenderDocument",
    "SenderStatus",
    "Sent",
    "SentMessage",
    "SentPhone",
    "SmscClient",
    "SmscError",
    "StatusDetail",
    "StatusReport",
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
    "Translit",
    "TransportError",
    "UaRegistration",
    "UndeliverableError",
    "ValidationError",
    "Voice",
    "__version__",
]
