"""fmt=3: JSON documents.

Floats are read as :class:`~decimal.Decimal` so money never passes through binary floating
point. The server sends some numbers as strings (``"balance": "1871.62"``) and some ids as
numbers; the converter accepts either wherever a field is typed.
"""

from __future__ import annotations

import json
import reprlib
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn

from smsc_async._types import Format, Params
from smsc_async.formats._common import (
    MAX_CODE_DIGITS,
    MAX_NUMBER_CHARS,
    ErrorReply,
    Renamer,
    bounded_decimal,
    error_code,
    fail,
    require_record,
)
from smsc_async.formats._shapes import Kind, ListOf, Ok, Row, Sections, Shape, Single

if TYPE_CHECKING:
    import cattrs

__all__ = ["decode", "find_error", "make_converter", "parse"]

FMT = Format.JSON

# Parts of a document shown in errors: bounded in depth and length, and never through
# json.dumps (a Decimal is not JSON-serialisable; a deep value would recurse).
_SHOWN = reprlib.Repr()
_SHOWN.maxlevel = 3
_SHOWN.maxstring = _SHOWN.maxother = 80
_SHOWN.maxlong = 40


def _shown(value: Any) -> str:
    return _SHOWN.repr(value)[:120]


def _int(literal: str) -> int:
    # Bounded before int(): a long literal costs quadratic time (and past 4,300 digits
    # int() refuses it with a ValueError of its own).
    if len(literal) > MAX_NUMBER_CHARS:
        raise ValueError(f"a {len(literal)}-digit number")
    return int(literal)


def _constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def parse(text: str) -> Any:
    """Parse a body into Python values (floats as ``Decimal``).

    Numbers are bounded as they are read: a literal over
    :data:`~smsc_async.formats._common.MAX_NUMBER_CHARS` characters, an exponent beyond
    :data:`~smsc_async.formats._common.MAX_EXPONENT`, ``Infinity`` and ``NaN`` are refused
    (``1e600000`` would otherwise become a 2-million-bit integer when an id is read).

    Raises:
        ParseError: The body is not JSON, nests too deeply, or holds such a number.
    """
    try:
        return json.loads(
            text, parse_float=bounded_decimal, parse_int=_int, parse_constant=_constant
        )
    except ValueError as exc:
        raise fail(f"not JSON: {exc}", FMT, text) from None
    except RecursionError:
        raise fail("not JSON this SDK reads: nested too deeply", FMT, text) from None


def _code(value: Any) -> int:
    """An error envelope's ``error_code``: a JSON integer, or a string of digits."""
    if isinstance(value, str):
        return error_code(value, FMT, value)
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)  # 9.0; the exponent is bounded by parse
    if type(value) is int and abs(value) < 10**MAX_CODE_DIGITS:
        return value
    raise fail(f"the error envelope's code {_shown(value)} is not a number", FMT, _shown(value))


def find_error(document: Any) -> ErrorReply | None:
    """``{"error": "…", "error_code": N[, "id": …]}``.

    An ``"error"`` without a code, or a code that is not a number, is never read as a
    record (no reply's own record has either at its top).

    Raises:
        ParseError: The envelope's code is missing or unreadable.
    """
    if not isinstance(document, dict):
        return None
    if "error_code" not in document:
        if "error" in document:
            raise fail("the server answered an error without a code", FMT, _shown(document))
        return None
    code = _code(document["error_code"])
    message, message_id = document.get("error", ""), document.get("id")
    return ErrorReply(
        code,
        message if isinstance(message, str) else _shown(message),
        None if message_id is None else _text(message_id),
    )


def _text(value: Any) -> str:
    return (
        value
        if isinstance(value, str)
        else str(value)
        if isinstance(value, int | Decimal)
        else _shown(value)
    )


def _record(obj: Any, rename: Renamer) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise fail(f"expected an object, got {type(obj).__name__}", FMT, _shown(obj))
    record = rename(obj)
    return dict(obj) if record is obj else record


def _array(value: Any, row: Row) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise fail(f"expected an array, got {type(value).__name__}", FMT, _shown(value))
    rename = Renamer(row, FMT)
    return [_record(item, rename) for item in value]


def decode(document: Any, shape: Shape, params: Params) -> Any:
    """Turn a parsed fmt=3 body into neutral records for ``shape``."""
    if isinstance(shape, Ok):
        if not isinstance(document, dict) or document.get("result") != "OK":
            raise fail('expected {"result": "OK"}', FMT, _shown(document))
        return None
    if isinstance(shape, Single):
        if shape.or_ok and document == {"result": "OK"}:
            return {}
        record = _record(document, Renamer(shape.row, FMT))
        require_record(record, shape.row, FMT, _shown(document))
        items = shape.items
        if items is not None and items.name in document:
            record[items.name] = _array(document[items.name], items.row)
        return record
    if isinstance(shape, ListOf):
        return _array(document, shape.row)
    return _sections(document, shape)


def _sections(document: Any, shape: Sections) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise fail("expected an object of sections", FMT, _shown(document))
    result: dict[str, Any] = {}
    for section in shape.sections:
        if section.name not in document:
            continue
        value = document[section.name]
        if section.kind is Kind.VALUE:
            result[section.name] = value
        else:
            result[section.name] = _array(value, section.row)
    return result


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """The converter for fmt=3 records (JSON numbers or strings)."""
    import cattrs  # noqa: PLC0415 - loaded with the first reply, not with the package

    from smsc_async.formats._hooks import configure_json_converter  # noqa: PLC0415

    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_json_converter(converter)
    return converter
