"""What the four decoders share: body text, the neutral error record, parse failures."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from smsc_async._types import Format
from smsc_async.errors import ParseError
from smsc_async.formats._shapes import Row

__all__ = [
    "MAX_CODE_DIGITS",
    "MAX_EXPONENT",
    "MAX_NUMBER_CHARS",
    "ErrorReply",
    "Renamer",
    "body_text",
    "bounded",
    "bounded_decimal",
    "error_code",
    "fail",
    "require_record",
    "text_lines",
]

# SMSC's own default when a request names no charset (spec §1.3).
SERVER_DEFAULT_CHARSET = "windows-1251"


@attrs.frozen
class ErrorReply:
    """An error envelope, whatever the format: ``error_code``, description, message id."""

    code: int
    message: str
    id: str | None = None


def body_text(content: bytes, header_charset: str | None, requested_charset: str | None) -> str:
    """Decode a reply body.

    The charset named by the response header wins; else the one the request asked for;
    else SMSC's default, windows-1251.

    Raises:
        ParseError: The bytes are not text in that charset, or the charset is unknown.
    """
    charset = header_charset or requested_charset or SERVER_DEFAULT_CHARSET
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        raise ParseError(f"unknown charset {charset!r} in the reply") from None
    try:
        text = content.decode(codec.name)
    except UnicodeDecodeError as exc:
        raise ParseError(f"reply is not valid {codec.name}: {exc.reason}") from None
    return text.removeprefix("\ufeff")


MAX_NUMBER_CHARS = 64
"""The longest number literal read, in characters. SMSC's numbers (ids, phone numbers,
sums, timestamps) have at most ~20 digits; ``int()`` on a longer one costs quadratic time."""
MAX_EXPONENT = 64
"""The largest decimal exponent, either way, of a number read: ``1e600000`` is 18
characters, and as an integer 2 million bits."""


def bounded(text: str) -> str:
    """``text`` itself, if it is short enough to be a number literal.

    Raises:
        ValueError: It is longer than :data:`MAX_NUMBER_CHARS`.
    """
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"expected a number, got {len(text)} characters")
    return text


def bounded_decimal(literal: str) -> Decimal:
    """A number literal as a finite ``Decimal`` of bounded length and exponent.

    Raises:
        ValueError: The literal is not a number, is too long, or its exponent too large.
    """
    try:
        number = Decimal(bounded(literal))
    except InvalidOperation:
        raise ValueError(f"expected a number, got {literal!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {literal!r}")
    if not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise ValueError(f"expected a number, got one of magnitude 1e{number.adjusted()}")
    return number


MAX_CODE_DIGITS = 9
"""The most digits an error code may have: SMSC's codes have one or two."""
_CODE = re.compile(rf"-?[0-9]{{1,{MAX_CODE_DIGITS}}}")


def error_code(value: str, fmt: Format, text: str) -> int:
    """An error envelope's code, read from its text (ASCII digits, a sign at most).

    Raises:
        ParseError: The code is not a short decimal number (``int()`` alone would take
            ``"²"`` for a digit and fail, or spend quadratic time on thousands of digits).
    """
    code = value.strip()
    if _CODE.fullmatch(code) is None:
        raise fail(f"the error envelope's code {code[:20]!r} is not a number", fmt, text)
    return int(code)


def fail(message: str, fmt: Format, text: str) -> ParseError:
    """A :class:`ParseError` carrying the start of the body (the command is added later)."""
    return ParseError(message, fmt=int(fmt), excerpt=text[:120])


class Renamer:
    """Turns a row's wire keys into field names, in one format; made once per reply and row.

    The records of a reply mostly share one key sequence: its renamed sequence is worked out
    once, and each record is rebuilt by zipping, which gives exactly what
    ``{renames.get(k, k): v for k, v in record.items()}`` gives, order and collisions alike.
    """

    _KEPT = 64  # key sequences remembered: a reply of records all keyed differently is odd

    def __init__(self, row: Row, fmt: Format) -> None:
        self.renames = row.renames.get(fmt, {})
        self._seen: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __call__(self, record: dict[str, Any]) -> dict[str, Any]:
        """The record with its keys renamed: ``record`` itself when the row renames none."""
        renames = self.renames
        if not renames:
            return record
        keys = tuple(record)
        renamed = self._seen.get(keys)
        if renamed is None:
            renamed = tuple(renames.get(k, k) for k in keys)
            if len(self._seen) < self._KEPT:
                self._seen[keys] = renamed
        return dict(zip(renamed, record.values(), strict=True))


def text_lines(text: str) -> list[str]:
    """The non-blank lines of a line-format body, carriage returns removed."""
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]


def require_record(record: Mapping[str, Any], row: Row, fmt: Format, text: str) -> None:
    """A one-record reply must hold one of its row's fields, with a value.

    Without this, a reply that is not a success (``{}``, ``<result/>``, an answer naming
    only unknown keys) would structure into a model whose every field has its default.

    Raises:
        ParseError: None of the row's fields is there.
    """
    if not any(record.get(name) not in (None, "") for name in row.names()):
        raise fail("the reply holds none of the fields a success has", fmt, text)
