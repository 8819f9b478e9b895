from __future__ import annotations

import importlib
import inspect
import pkgutil

import attrs
import pytest

import smsc_async

EXPECTED = [
    "AccountStats",
    "AccountType",
    "ApiError",
    "Attachment",
    "AuthError",
    "Balance",
    "BlacklistEntry",
    "BlockType",
    "CallSettings",
    "CallbackError",
    "ClientClosedError",
    "ClientOptions",
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
    "MailingStatus",
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
    "SignatureError",
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


def test_all_is_pinned_and_sorted() -> None:
    """The public names are exactly the contract, sorted, and all importable."""
    assert EXPECTED == smsc_async.__all__
    assert sorted(smsc_async.__all__) == smsc_async.__all__
    for name in smsc_async.__all__:
        assert hasattr(smsc_async, name)


def test_issue_contract_names_import() -> None:
    """The names the docs promise import from the top level."""
    from smsc_async import (  # noqa: F401, PLC0415
        ApiError,
        Format,
        RateLimitError,
        SmscClient,
        SmscError,
        ValidationError,
    )


def test_public_names_have_docstrings() -> None:
    """Every public class, function and method of the public modules is documented."""
    missing = []
    modules = [smsc_async]
    for info in pkgutil.walk_packages(smsc_async.__path__, "smsc_async."):
        if not any(part.startswith("_") for part in info.name.split(".")[1:]):
            modules.append(importlib.import_module(info.name))
    for module in modules:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not inspect.getdoc(obj):
                missing.append(f"{module.__name__}.{name}")
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or not inspect.isfunction(member):
                        continue
                    if not inspect.getdoc(member):
                        missing.append(f"{module.__name__}.{name}.{attr}")
    assert missing == []


def test_models_are_frozen() -> None:
    """Every attrs model the package exports is immutable."""
    from smsc_async import models  # noqa: PLC0415

    for name in models.__all__:
        cls = getattr(models, name)
        if attrs.has(cls):
            blank = object.__new__(cls)
            with pytest.raises(attrs.exceptions.FrozenInstanceError):
                blank.anything = 1  # type: ignore[attr-defined]
