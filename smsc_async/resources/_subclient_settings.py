"""Checks and rendering of subclient settings and credentials (``users.php``, seed 000).

Every documented setting is checked by its kind (named flag, enum, count, money, hours,
list, e-mail, phone, URL, sender name, free text) and rendered as SMSC reads it.
"""

from __future__ import annotations

import enum
import re
from typing import Any

import attrs

from smsc_async._validation import (
    COMMENT_MAX,
    NAME_MAX,
    PASSWORD_MAX,
    Checks,
    Text,
    bad_character,
    check_login,
    is_email,
    is_phone,
    money,
    text_list,
)
from smsc_async.models.subclients import (
    AccountType,
    Currency,
    HourRange,
    SubclientSettings,
    Tariff,
    TimeZone,
)
from smsc_async.resources.senders import check_sender_name

__all__ = ["check_login", "check_password", "settings_params"]

_PASSWORD_MIN = 8
_CODE = re.compile(r"[0-9]{1,15}")
_ENUMS: dict[str, type[enum.IntEnum]] = {
    "type": AccountType,
    "tariff": Tariff,
    "curr": Currency,
    "tz": TimeZone,
}
_MINIMUMS = {
    "site_id": 1,
    "vld": 1,
    "mlen": 1,
    **dict.fromkeys(("ktm", "dlim", "plim", "tlim", "ilim"), 0),
}
_INT_MAX = 2**31 - 1
_MONEY = frozenset({"mintrf", "nb"})
_EMAILS = frozenset({"email", "email2"})
_PHONES = frozenset({"phone", "phone2"})
_SENDERS = frozenset({"sender", "sender2"})
# Free-text settings: (kind, longest). Auto-replies are messages (multi-line, 1000
# characters like any message); assumption: the details and the comment are one line each.
_TEXT = {
    "fio": (Text.NAME, NAME_MAX),
    "props": (Text.LINE, COMMENT_MAX),
    "cntr": (Text.LINE, COMMENT_MAX),
    "comment": (Text.LINE, COMMENT_MAX),
    "answ": (Text.LINES, 1000),
    "answ_call": (Text.LINES, 1000),
}
_HOURS = frozenset({"tmlim", "mail_hours"})


def check_password(check: Checks, field: str, password: object) -> None:
    """SMSC's password policy: 8 characters or more, 3 of: letters, digits, cases, symbols.

    The message never repeats the password.
    """
    if not isinstance(password, str):
        check.fail(field, f"must be a string, got {type(password).__name__}")
        return
    if len(password) > PASSWORD_MAX or (problem := bad_character(password, Text.NAME)):
        check.fail(field, f"{problem or 'is too long'} (at most {PASSWORD_MAX} characters)")
        return
    kinds = (
        any(c.isalpha() for c in password),
        any(c.isdigit() for c in password),
        any(c.isupper() for c in password) and any(c.islower() for c in password),
        any(not c.isalnum() for c in password),
    )
    if len(password) < _PASSWORD_MIN or sum(kinds) < 3:  # noqa: PLR2004 - 3 of the 4 kinds
        check.fail(
            field,
            "is too weak: use 8 or more characters and 3 of: letters, digits, "
            "upper and lower case, symbols",
        )


def _hours(check: Checks, name: str, value: object) -> tuple[int, int] | None:
    if not isinstance(value, HourRange):
        check.fail(name, f"must be an HourRange, got {type(value).__name__}")
        return None
    start, end = value.start, value.end
    if not all(isinstance(h, int) and not isinstance(h, bool) for h in (start, end)):
        check.fail(name, "hours must be integers")
    elif not 0 <= start < end <= 24:  # noqa: PLR2004 - hours of a day
        check.fail(name, f"must be hours with 0 <= start < end <= 24, got {start}-{end}")
    else:
        return start, end
    return None


def _setting(check: Checks, name: str, wire: str, value: Any) -> dict[str, str]:  # noqa: PLR0911, PLR0912 - a branch per kind
    """Check one setting and render its parameters."""
    if "[" in wire:  # fl[N], fl2[N], fl3[N], mfl[N]: named booleans
        if not isinstance(value, bool):
            check.fail(name, f"must be True or False, got {value!r}")
            return {}
        return {wire: "1" if value else "0"}
    if name in _ENUMS:
        kind = _ENUMS[name]
        if isinstance(value, int) and not isinstance(value, bool):  # not 3.0, not True
            try:
                return {wire: str(int(kind(value)))}
            except ValueError:
                pass
        low, high = min(kind), max(kind)
        check.fail(name, f"must be a {kind.__name__} ({int(low)}-{int(high)}), got {value!r}")
        return {}
    if name in _MINIMUMS:
        check.int_range(name, value, _MINIMUMS[name], _INT_MAX)
        return {wire: str(value)}
    if name in _MONEY:
        rendered = money(check, name, value)
        return {wire: rendered} if rendered is not None else {}
    if name in _HOURS:
        hours = _hours(check, name, value)
        if hours is None:
            return {}
        if name == "tmlim":
            return {wire: f"{hours[0]}-{hours[1]}"}
        return {"mh1": str(hours[0]), "mh2": str(hours[1])}
    if name in ("fmts", "ph", "mph"):
        if name == "fmts":
            joined = text_list(check, name, value, "phone codes (digits)", _is_code)
        elif name == "ph":
            joined = text_list(check, name, value, "phone or group numbers", _is_phone_or_group)
        else:
            joined = text_list(check, name, value, "phone numbers", is_phone)
        return {wire: joined} if joined is not None else {}
    if not isinstance(value, str):
        check.fail(name, f"must be a string, got {type(value).__name__}")
    elif name in _EMAILS and not is_email(value):
        check.fail(name, f"must be an e-mail address, got {value!r}")
    elif name in _PHONES and not is_phone(value):
        check.fail(name, f"must be a phone number in international format, got {value!r}")
    elif name == "url":
        check.url(name, value)
    elif name in _SENDERS:
        check_sender_name(check, name, value)
    elif name in _TEXT:
        text_kind, longest = _TEXT[name]
        rendered = check.text(name, value, max_len=longest, kind=text_kind)
        return {wire: rendered} if rendered is not None else {}
    return {wire: value} if isinstance(value, str) else {}


def _is_code(value: object) -> bool:
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


def _is_phone_or_group(value: object) -> bool:
    return is_phone(value) or _is_code(value)


def settings_params(check: Checks, settings: SubclientSettings | None) -> dict[str, str]:
    """Check every setting given (``None`` ones are left out) and render their parameters."""
    if settings is None:
        return {}
    if not isinstance(settings, SubclientSettings):
        check.fail("settings", f"must be SubclientSettings, got {type(settings).__name__}")
        return {}
    params: dict[str, str] = {}
    for field in attrs.fields(SubclientSettings):
        value = getattr(settings, field.name)
        if value is not None:
            params.update(_setting(check, field.name, field.metadata["smsc"], value))
    return params
