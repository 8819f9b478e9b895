"""Argument checks shared by the resources: collect every problem, then raise once.

Messages name the field and what is wrong; they never echo a secret's value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from smsc_async.errors import FieldError, ValidationError

__all__ = [
    "Checks",
    "checking",
    "is_email",
    "is_phone",
    "money",
    "smsc_date",
    "text_list",
]

# International format, "+" optional (spec §2.1), written with the usual separators.
_PHONE = re.compile(r"\+?[0-9][0-9()\- ]*")
_PHONE_DIGITS = (7, 15)  # E.164 allows at most 15 digits; fewer than 7 is no phone number
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


def is_phone(value: object) -> bool:
    """A phone number in international format (``+`` and ``( ) -`` separators allowed)."""
    if not isinstance(value, str) or not _PHONE.fullmatch(value.strip()):
        return False
    low, high = _PHONE_DIGITS
    return low <= sum(c.isdigit() for c in value) <= high


def is_email(value: object) -> bool:
    """An e-mail address (a plausibility check, not RFC 5322)."""
    return isinstance(value, str) and _EMAIL.fullmatch(value.strip()) is not None


class Checks:
    """A collector of :class:`~smsc_async.errors.FieldError` for one command's arguments."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.errors: list[FieldError] = []

    def fail(self, field: str, message: str) -> None:
        """Record that ``field`` is bad."""
        self.errors.append(FieldError(field, message))

    def int_range(self, field: str, value: int | None, low: int, high: int) -> None:
        """``value`` must be an integer in ``[low, high]`` (``None`` passes)."""
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(field, f"must be an integer, got {type(value).__name__}")
        elif not low <= value <= high:
            self.fail(field, f"must be between {low} and {high}, got {value}")

    def exactly_one(self, **candidates: object) -> None:
        """Exactly one of the named arguments must be given (not ``None``)."""
        given = [name for name, value in candidates.items() if value is not None]
        if len(given) != 1:
            names = " or ".join(candidates)
            problem = "both given" if given else "neither given"
            self.fail(names.replace(" or ", "/"), f"give exactly one of {names} ({problem})")

    def raise_if_any(self) -> None:
        """Raise :class:`~smsc_async.errors.ValidationError` listing every recorded problem."""
        if self.errors:
            raise ValidationError(self.command, self.errors)


@contextmanager
def checking(command: str) -> Iterator[Checks]:
    """Collect checks for ``command``; raise once, at the end, if any failed."""
    check = Checks(command)
    yield check
    check.raise_if_any()


def _dd_mm_yyyy(day: dt.date) -> str:
    # Not strftime("%Y"): glibc writes the year 999 as "999", not "0999".
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


def smsc_date(check: Checks, field: str, value: dt.date | str | None) -> str | None:
    """Render a date as SMSC's ``dd.mm.yyyy``; a string must already be a real such date."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return _dd_mm_yyyy(value)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.strptime(value, "%d.%m.%Y")  # noqa: DTZ007 - a calendar date
        except ValueError:
            check.fail(field, f"must be a date as dd.mm.yyyy, got {value!r}")
            return None
        return _dd_mm_yyyy(parsed)
    check.fail(field, f"must be a date or a 'dd.mm.yyyy' string, got {type(value).__name__}")
    return None


def text_list(
    check: Checks,
    field: str,
    values: Iterable[str] | None,
    accept: str,
    test: Callable[[object], bool],
) -> str | None:
    """Several values joined with commas (SMSC's list syntax), each passing ``test``.

    ``accept`` names what an item must be, for the message; a bare string is refused (it
    would be read as a list of its characters).
    """
    if values is None:
        return None
    if isinstance(values, str) or not isinstance(values, Iterable):
        check.fail(field, f"must be a list of {accept}, not {type(values).__name__}")
        return None
    items = list(values)
    bad = [repr(v) for v in items if not test(v)]
    if bad:
        check.fail(field, f"must hold only {accept}; bad: {', '.join(bad[:3])}")
    elif not items:
        check.fail(field, f"must hold at least one of {accept}")
    return ",".join(str(v).strip() for v in items)


def money(
    check: Checks,
    field: str,
    value: Decimal | int | str | None,
    *,
    zero: bool = True,
    negative: bool = False,
) -> str | None:
    """A sum of money with at most two decimals, rendered as SMSC reads it (``12.50``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        check.fail(field, f"must be a number (Decimal, int or str), got {type(value).__name__}")
        return None
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        check.fail(field, f"must be a number, got {value!r}")
        return None
    if not amount.is_finite():
        check.fail(field, f"must be a finite number, got {value!r}")
    elif -int(amount.normalize().as_tuple().exponent) > 2:  # noqa: PLR2004 - cents
        check.fail(field, f"has at most two decimals, got {value}")
    elif amount == 0 and not zero:
        check.fail(field, "must not be zero")
    elif amount < 0 and not negative:
        check.fail(field, f"must not be negative, got {value}")
    else:
        amount = abs(amount) if amount == 0 else amount  # "0", not "-0"
        # "10.500" has two decimals' worth of value: send it as SMSC reads money, "10.50".
        exponent = int(amount.as_tuple().exponent)
        return format(amount.quantize(Decimal("0.01")) if exponent < -2 else amount, "f")  # noqa: PLR2004
    return None
