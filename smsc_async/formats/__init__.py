"""Pure decoders: reply bytes → neutral records → models. No I/O, no httpx.

One module per wire format (``_lines`` fmt=0, ``_csv`` fmt=1, ``_xml`` fmt=2, ``_json``
fmt=3), each with ``parse``, ``find_error``, ``decode`` and its own cattrs converter. The
shapes they follow are declared once per command (:mod:`smsc_async.formats._shapes`).
"""

from __future__ import annotations

import typing
from types import ModuleType
from typing import Any

import cattrs

from smsc_async._types import Format, Params
from smsc_async.errors import ParseError, SmscError
from smsc_async.formats import _csv, _json, _lines, _xml
from smsc_async.formats._common import ErrorReply, body_text
from smsc_async.formats._shapes import (
    Column,
    Items,
    Kind,
    LineStyle,
    ListOf,
    Ok,
    Row,
    Section,
    Sections,
    Shape,
    Single,
)

__all__ = [
    "CONVERTERS",
    "Column",
    "ErrorReply",
    "Items",
    "Kind",
    "LineStyle",
    "ListOf",
    "Ok",
    "Row",
    "Section",
    "Sections",
    "Shape",
    "Single",
    "decode_reply",
]

_MODULES: dict[Format, ModuleType] = {
    Format.LINES: _lines,
    Format.CSV: _csv,
    Format.XML: _xml,
    Format.JSON: _json,
}

CONVERTERS: dict[Format, cattrs.Converter] = {
    fmt: module.make_converter() for fmt, module in _MODULES.items()
}
"""One converter per wire format, built once (detailed validation: it names every bad field)."""

# The same converters without cattrs' detailed validation, which costs ~40% of structuring a
# record: replies that fit go through these, and only one that does not is structured
# again by CONVERTERS, for an error naming each bad field.
_FAST: dict[Format, cattrs.Converter] = {
    fmt: module.make_converter(detailed_validation=False) for fmt, module in _MODULES.items()
}


def decode_reply(
    content: bytes,
    *,
    fmt: Format,
    shape: Shape,
    result_type: Any,
    params: Params,
    header_charset: str | None = None,
    requested_charset: str | None = "utf-8",
) -> Any:
    """Decode one reply body.

    Args:
        content: The body's bytes.
        fmt: The format the request asked for.
        shape: Where the fields sit (declared by the command).
        result_type: What to structure the records into; ``None`` for a bare ``OK``.
        params: The request's parameters (fmt=1 layouts depend on its flags).
        header_charset: The charset the response's ``Content-Type`` named, if any.
        requested_charset: The ``charset`` the request sent, if any.

    Returns:
        The structured result, or an :class:`ErrorReply` when the server answered an error
        envelope (the caller turns it into the right exception).

    Raises:
        ParseError: The body cannot be read as that format and shape. Nothing else
            escapes: whatever the body, the caller gets an :class:`SmscError`.
    """
    try:
        text = body_text(content, header_charset, requested_charset)
        return _decode(text, fmt, shape, result_type, params)
    except SmscError:
        raise
    except Exception as exc:  # the safety net behind the decoders' own checks
        # Each cause found is fixed where it arises; this only keeps an unforeseen one from
        # reaching the caller as anything but "the answer could not be understood".
        raise ParseError(
            f"reply could not be read ({type(exc).__name__})",
            fmt=int(fmt),
            excerpt=content[:120].decode("utf-8", "replace"),
        ) from exc


def _decode(text: str, fmt: Format, shape: Shape, result_type: Any, params: Params) -> Any:
    # ``ERROR = N (...)`` has been seen whatever fmt was asked (spec §1.5): look for it first.
    error = _lines.find_error(text)
    if error is not None:
        return error
    module = _MODULES[fmt]
    document = module.parse(text)
    error = module.find_error(document)
    if error is not None:
        return error
    records = module.decode(document, shape, params)
    if result_type is None:
        return None
    try:
        return _FAST[fmt].structure(records, result_type)
    except Exception:  # noqa: BLE001, S110 - the detailed pass below says what is wrong
        pass
    # A list is explained by its first record that does not fit: the detailed pass over
    # thousands of bad records (a 64 KiB body of them) would cost a second or more.
    path, value, tp = "reply", records, result_type
    if typing.get_origin(result_type) is list and isinstance(records, list):
        (item_type,) = typing.get_args(result_type)
        for i, record in enumerate(records):
            try:
                _FAST[fmt].structure(record, item_type)
            except Exception:  # noqa: BLE001, PERF203 - this is the one to explain
                path, value, tp = f"reply[{i}]", record, item_type
                break
    try:
        CONVERTERS[fmt].structure(value, tp)
        return CONVERTERS[fmt].structure(records, result_type)  # only the fast pass failed
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        problems = "; ".join(cattrs.transform_error(exc, path=path))
        raise ParseError(
            f"reply does not fit {_type_name(result_type)}: {problems}",
            fmt=int(fmt),
            excerpt=text[:120],
        ) from None


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp)
