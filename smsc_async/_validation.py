"""Argument checks shared by the resources: collect every problem, then raise once.

Messages name the field and what is wrong; they never echo a secret's value.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import TypeGuard

from smsc_async.errors import FieldError, ValidationError

__all__ = [
    "COMMENT_MAX",
    "EMAIL_MAX",
    "FILENAME_MAX",
    "LOGIN_MAX",
    "MONEY_MAX",
    "NAME_MAX",
    "PASSWORD_MAX",
    "SUBJECT_MAX",
    "URL_MAX",
    "Checks",
    "Text",
    "bad_character",
    "check_login",
    "check_wire",
    "checking",
    "is_email",
    "is_finite_seconds",
    "is_phone",
    "money",
    "smsc_date",
    "text_list",
]

# Longest values accepted, per field kind. SMSC documents none of these (only a message's
# 1000 characters, a sender name's 11 or 15, a message id's 40): assumptions, each far
# above any real value and far below what would make a request absurd (a 5 MB comment).
NAME_MAX = 255
"""A name: of a contact, a person, a group, a template, a mailing; a search filter."""
COMMENT_MAX = 2000
"""Free text that is not a message: comments, tags, notes, details, descriptions."""
SUBJECT_MAX = 255
"""The subject of an e-mail or MMS."""
URL_MAX = 2000
"""An http(s) address (the length browsers and servers reliably take)."""
EMAIL_MAX = 254
"""An e-mail address (RFC 5321's path limit)."""
LOGIN_MAX = 64
"""A subclient's login."""
PASSWORD_MAX = 128
"""A password."""
FILENAME_MAX = 255
"""An attachment's or document's file name."""
MONEY_MAX = Decimal(10) ** 12
"""Sums must be smaller than this (a trillion): no account moves more, and Decimal keeps
every cent of such a sum exact at its default precision."""
_MONEY_TEXT_MAX = 40  # characters of a sum given as a string, before it is parsed


class Text(enum.Enum):
    """What a text field may hold besides printable characters.

    Every kind refuses NUL and the other C0 controls, DEL and the C1 controls (never part
    of real text, and some are line breaks to one parser or another), and lone surrogates
    (not encodable: the request could not be sent). They differ in TAB and line breaks:
    the line formats (fmt=0, fmt=1) split replies at LF and are not escaped, so a line
    break in any value the server writes back into a list would forge a record.
    """

    NAME = "name"
    """A name or identifier: no TAB, no line break (a tab is invisible and breaks lookups)."""
    LINE = "line"
    """One line of free text (a comment, tags, a subject): TAB allowed, no line break."""
    LINES = "lines"
    """A message text: TAB, CR and LF allowed (SMSC's messages are multi-line)."""


_ALWAYS_BAD = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
_BAD_CHARS = {
    Text.NAME: re.compile(f"[{_ALWAYS_BAD}\t\n\r]"),
    Text.LINE: re.compile(f"[{_ALWAYS_BAD}\n\r]"),
    Text.LINES: re.compile(f"[{_ALWAYS_BAD}]"),
}
_NAMED_CHARS = {"\x00": "NUL", "\t": "a tab", "\n": "a line break (LF)", "\r": "a line break (CR)"}


def _what(char: str) -> str:
    """A bad character, named without echoing the value around it (it may be a secret)."""
    code = ord(char)
    if char in _NAMED_CHARS:
        return _NAMED_CHARS[char]
    if 0xD800 <= code <= 0xDFFF:  # noqa: PLR2004 - the surrogate block
        return f"a lone surrogate (U+{code:04X}, not encodable)"
    return f"a control character (U+{code:04X})"


def bad_character(value: str, kind: Text) -> str | None:
    """What is wrong with ``value``'s characters for ``kind`` (``None``: nothing)."""
    found = _BAD_CHARS[kind].search(value)
    if found is None:
        return None
    return f"must not hold {_what(found.group())} (character {found.start() + 1})"


# International format, "+" optional (spec §2.1), written with the usual separators.
_PHONE = re.compile(r"\+?[0-9][0-9()\- ]*")
_PHONE_DIGITS = (7, 15)  # E.164 allows at most 15 digits; fewer than 7 is no phone number
_EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


def is_phone(value: object) -> bool:
    """A phone number in international format (``+`` and ``( ) -`` separators allowed)."""
    # Spaces around it are stripped; no other whitespace (a line break) is.
    if not isinstance(value, str) or not _PHONE.fullmatch(value.strip(" ")):
        return False
    low, high = _PHONE_DIGITS
    return low <= sum(c.isdigit() for c in value) <= high


def is_email(value: object) -> bool:
    """An e-mail address (a plausibility check, not RFC 5322)."""
    if not isinstance(value, str) or len(value) > EMAIL_MAX:
        return False
    return (
        _EMAIL.fullmatch(value.strip(" ")) is not None and bad_character(value, Text.NAME) is None
    )


# No whitespace and no control character: an address is one word.
_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f-\x9f\ud800-\udfff]+")
# A login: no whitespace, and no "," or ";" (SMSC's list separators).
_LOGIN = re.compile(r"[^\s,;]+")


def check_login(check: Checks, field: str, value: object) -> None:
    """A login (a subclient's): a non-empty string without spaces, commas or semicolons."""
    if (
        not isinstance(value, str)
        or not _LOGIN.fullmatch(value)
        or len(value) > LOGIN_MAX
        or bad_character(value, Text.NAME) is not None
    ):
        check.fail(
            field,
            f"must be a login (a string of 1 to {LOGIN_MAX} characters without spaces, "
            "controls, ',' or ';')",
        )


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

    def present(self, field: str, value: object) -> bool:
        """``value`` is required: record that it is missing when it is ``None``."""
        if value is None:
            self.fail(field, "is required")
            return False
        return True

    def text(
        self,
        field: str,
        value: object,
        *,
        max_len: int,
        kind: Text = Text.LINE,
        required: bool = False,
        blank: bool = True,
    ) -> str | None:
        """A text argument: a string of at most ``max_len`` characters of ``kind``.

        ``None`` passes unless ``required``; an empty or blank string fails when
        ``required`` or not ``blank``. Returns the text when it is good, else ``None``.
        Messages never quote the value (it may be a secret).
        """
        if value is None:
            if required:
                self.fail(field, "is required")
            return None
        if not isinstance(value, str):
            self.fail(field, f"must be a string, got {type(value).__name__}")
            return None
        problem = bad_character(value, kind)
        if problem is None and len(value) > max_len:
            problem = f"has at most {max_len} characters, got {len(value)}"
        if problem is None and (required or not blank) and not value.strip():
            problem = "must not be empty"
        if problem is not None:
            self.fail(field, problem)
            return None
        return value

    def flags(self, **values: object) -> None:
        """Each named yes/no argument must be ``True`` or ``False`` (see :meth:`flag`)."""
        for field, value in values.items():
            self.flag(field, value)

    def url(self, field: str, value: object) -> str | None:
        """An http(s) address of at most :data:`URL_MAX` characters (``None`` passes)."""
        if value is None:
            return None
        if not isinstance(value, str) or len(value) > URL_MAX or not _URL.fullmatch(value):
            self.fail(field, f"must be an http(s) address of at most {URL_MAX} characters")
            return None
        return value

    def flag(self, field: str, value: object) -> bool:
        """A yes/no argument must be ``True`` or ``False`` (``None`` passes, as no)."""
        if value is None or isinstance(value, bool):
            return bool(value)
        self.fail(field, f"must be True or False, got {type(value).__name__}")
        return False

    def decimal_range(
        self, field: str, value: object, low: Decimal, high: Decimal
    ) -> Decimal | None:
        """A number (int, float or Decimal, not bool) in ``[low, high]`` (``None`` passes)."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.fail(field, f"must be a number, got {type(value).__name__}")
            return None
        # str() first: a float's shortest repr (0.1, not 0.1000000000000000055...).
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite() or not low <= number <= high:
            self.fail(field, f"must be from {low} to {high}, got {value!r}")
            return None
        return number

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
    """A sum of money with at most two decimals, rendered as SMSC reads it (``12.50``).

    Sums must be below :data:`MONEY_MAX` in size (so no overflow, and the cents exact).
    """
    if value is None:
        return None
    amount = _amount(check, field, value)
    if amount is None:
        return None
    if amount != amount.quantize(_CENT, rounding=ROUND_DOWN):
        check.fail(field, f"has at most two decimals, got {value}")
    elif amount == 0 and not zero:
        check.fail(field, "must not be zero")
    elif amount < 0 and not negative:
        check.fail(field, f"must not be negative, got {value}")
    else:
        amount = abs(amount) if amount == 0 else amount  # "0", not "-0"
        # "10.500" has two decimals' worth of value: send it as SMSC reads money, "10.50".
        if int(amount.as_tuple().exponent) < -2:  # noqa: PLR2004 - cents
            amount = amount.quantize(_CENT)
        return format(amount, "f")
    return None


_CENT = Decimal("0.01")


def _amount(check: Checks, field: str, value: object) -> Decimal | None:
    """``value`` as a finite Decimal below :data:`MONEY_MAX` in size, or ``None`` (recorded)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        check.fail(field, f"must be a number (Decimal, int or str), got {type(value).__name__}")
        return None
    if isinstance(value, str) and (len(value) > _MONEY_TEXT_MAX or not value.strip().isascii()):
        check.fail(field, f"must be a number of at most {_MONEY_TEXT_MAX} ASCII characters")
        return None
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        check.fail(field, f"must be a number, got {value!r}")
        return None
    if not amount.is_finite():
        check.fail(field, f"must be a finite number, got {value!r}")
        return None
    # adjusted() reads the exponent without arithmetic: nothing here can overflow.
    if amount and amount.adjusted() >= MONEY_MAX.adjusted():
        check.fail(field, f"must be less than {MONEY_MAX:,} in size")
        return None
    return amount


def is_finite_seconds(value: object) -> TypeGuard[int | float]:
    """A real number of seconds (int or float, not bool), not infinite and not NaN."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_WIRE_BAD = re.compile("[\x00\r\n\ud800-\udfff]")
_WIRE_BAD_LINES = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_wire(command: str, params: Mapping[str, str], multiline: frozenset[str]) -> None:
    """The last check before a request is admitted: every parameter can be sent as it is.

    Names and values must be strings free of NUL and lone surrogates (which UTF-8 cannot
    encode), with CR and LF only in the parameters ``multiline`` names (a command's message
    texts). The resources check every argument before this; this catches what one missed,
    still before the limiter counts the request.

    Raises:
        ValidationError: Naming each parameter that cannot be sent.
    """
    try:
        # The usual case costs two joins and a few scans in C (no regex for ASCII); a value
        # with a line break, or anything amiss, takes the parameter-by-parameter path.
        texts = "".join(params) + "".join(params.values())
    except TypeError:
        texts = None
    if (
        texts is not None
        and "\x00" not in texts
        and "\n" not in texts
        and "\r" not in texts
        and (texts.isascii() or _SURROGATE.search(texts) is None)
    ):
        return
    errors: list[FieldError] = []
    for key, value in params.items():
        if not isinstance(key, str) or not isinstance(value, str):
            errors.append(
                FieldError(str(key), f"must be sent as a string, got {type(value).__name__}")
            )
            continue
        pattern = _WIRE_BAD_LINES if key in multiline else _WIRE_BAD
        found = pattern.search(key) or pattern.search(value)
        if found is not None:
            errors.append(FieldError(key, f"cannot be sent: holds {_what(found.group())}"))
    if errors:
        raise ValidationError(command, errors)
