"""What the four decoders share: body text, the neutral error record, parse failures."""

from __future__ import annotations

import codecs

import attrs

from smsc_async._types import Format
from smsc_async.errors import ParseError

__all__ = ["ErrorReply", "body_text", "fail", "text_lines"]

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


def fail(message: str, fmt: Format, text: str) -> ParseError:
    """A :class:`ParseError` carrying the start of the body (the command is added later)."""
    return ParseError(message, fmt=int(fmt), excerpt=text[:120])


def text_lines(text: str) -> list[str]:
    """The non-blank lines of a line-format body, carriage returns removed."""
    return [line.rstrip("\r") for line in text.split("\n") if line.strip()]
