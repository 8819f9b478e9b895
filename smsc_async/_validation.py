"""Argument checks shared by the resources: collect every problem, then raise once.

Messages name the field and what is wrong; they never echo a secret's value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from smsc_async.errors import FieldError, ValidationError

__all__ = ["Checks", "checking", "smsc_date"]


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


def smsc_date(check: Checks, field: str, value: dt.date | str | None) -> str | None:
    """Render a date as SMSC's ``dd.mm.yyyy``; a string must already be a real such date."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str):
        try:
            parsed = dt.datetime.strptime(value, "%d.%m.%Y")  # noqa: DTZ007 - a calendar date
        except ValueError:
            check.fail(field, f"must be a date as dd.mm.yyyy, got {value!r}")
            return None
        return parsed.strftime("%d.%m.%Y")
    check.fail(field, f"must be a date or a 'dd.mm.yyyy' string, got {type(value).__name__}")
    return None
