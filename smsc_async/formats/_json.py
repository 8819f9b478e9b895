"""fmt=3: JSON documents.

Floats are read as :class:`~decimal.Decimal` so money never passes through binary floating
point. The server sends some numbers as strings (``"balance": "1871.62"``) and some ids as
numbers; the converter accepts either wherever a field is typed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import cattrs

from smsc_async._types import Format, Params
from smsc_async.formats._common import ErrorReply, fail
from smsc_async.formats._hooks import configure_json_converter
from smsc_async.formats._shapes import Kind, ListOf, Ok, Row, Sections, Shape, Single

__all__ = ["decode", "find_error", "make_converter", "parse"]

FMT = Format.JSON


def parse(text: str) -> Any:
    """Parse a body into Python values (floats as ``Decimal``).

    Raises:
        ParseError: The body is not JSON.
    """
    try:
        return json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise fail(f"not JSON: {exc}", FMT, text) from None


def find_error(document: Any) -> ErrorReply | None:
    """``{"error": "…", "error_code": N[, "id": …]}``."""
    if not isinstance(document, dict) or "error_code" not in document:
        return None
    try:
        code = int(document["error_code"])
    except (TypeError, ValueError):
        return None
    message_id = document.get("id")
    return ErrorReply(
        code, str(document.get("error", "")), None if message_id is None else str(message_id)
    )


def _record(obj: Any, row: Row) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise fail(f"expected an object, got {type(obj).__name__}", FMT, json.dumps(obj)[:120])
    renames = row.renames.get(FMT)
    if not renames:
        return dict(obj)
    return {renames.get(k, k): v for k, v in obj.items()}


def _array(value: Any, row: Row) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise fail(f"expected an array, got {type(value).__name__}", FMT, str(value)[:120])
    return [_record(item, row) for item in value]


def decode(document: Any, shape: Shape, params: Params) -> Any:
    """Turn a parsed fmt=3 body into neutral records for ``shape``."""
    if isinstance(shape, Ok):
        if not isinstance(document, dict) or document.get("result") != "OK":
            raise fail('expected {"result": "OK"}', FMT, str(document)[:120])
        return None
    if isinstance(shape, Single):
        if shape.or_ok and document == {"result": "OK"}:
            return {}
        record = _record(document, shape.row)
        items = shape.items
        if items is not None and items.name in document:
            record[items.name] = _array(document[items.name], items.row)
        return record
    if isinstance(shape, ListOf):
        return _array(document, shape.row)
    return _sections(document, shape)


def _sections(document: Any, shape: Sections) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise fail("expected an object of sections", FMT, str(document)[:120])
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
    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_json_converter(converter)
    return converter
