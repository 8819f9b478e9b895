"""Pure decoders: reply bytes → neutral records → models. No I/O, no httpx.

One module per wire format (``_lines`` fmt=0, ``_csv`` fmt=1, ``_xml`` fmt=2, ``_json``
fmt=3), each with ``parse``, ``find_error``, ``decode`` and its own cattrs converter, loaded
when a reply in that format first arrives. The shapes they follow are declared once per
command (:mod:`smsc_async.formats._shapes`).
"""

from __future__ import annotations

import importlib
import threading
import typing
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from smsc_async._types import Format, Params
from smsc_async.errors import ParseError, SmscError
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

if TYPE_CHECKING:
    import cattrs

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
    "converter",
    "decode_reply",
]

# Each format's decoder and converter are loaded on its first reply, not at import: a
# client uses one format, and cattrs, its hooks and defusedxml cost more to import than
# the rest of the SDK's own modules together.
_MODULE_NAMES = {
    Format.LINES: "smsc_async.formats._lines",
    Format.CSV: "smsc_async.formats._csv",
    Format.XML: "smsc_async.formats._xml",
    Format.JSON: "smsc_async.formats._json",
}
_modules: dict[Format, ModuleType] = {}
_converters: dict[tuple[Format, bool], cattrs.Converter] = {}
_building = threading.Lock()  # one converter per format, whichever thread asks first


def _module(fmt: Format) -> ModuleType:
    module = _modules.get(fmt)
    if module is None:
        module = _modules[fmt] = importlib.import_module(_MODULE_NAMES[fmt])
    return module


def converter(fmt: Format, *, detailed_validation: bool = True) -> cattrs.Converter:
    """The cattrs converter of one wire format, built on its first use and kept.

    Args:
        fmt: The wire format.
        detailed_validation: With cattrs' detailed validation, which names every bad
            field; without it (~40% cheaper a record) for replies that fit.

    Returns:
        The same converter on every call with the same arguments.
    """
    key = (fmt, detailed_validation)
    built = _converters.get(key)
    if built is None:
        with _building:
            built = _converters.get(key)
            if built is None:
                built = _module(fmt).make_converter(detailed_validation=detailed_validation)
                _converters[key] = built
    return built


class _Converters(Mapping[Format, "cattrs.Converter"]):
    """The detailed converters by format, each built when first looked up."""

    def __getitem__(self, fmt: Format) -> cattrs.Converter:
        return converter(Format(fmt))

    def __iter__(self) -> Iterator[Format]:
        return iter(Format)

    def __len__(self) -> int:
        return len(Format)


CONVERTERS: Mapping[Format, cattrs.Converter] = _Converters()
"""One converter per wire format (detailed validation: it names every bad field), built on
its first use."""


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
    error = _module(Format.LINES).find_error(text)
    if error is not None:
        return error
    module = _module(fmt)
    document = module.parse(text)
    error = module.find_error(document)
    if error is not None:
        return error
    records = module.decode(document, shape, params)
    if result_type is None:
        return None
    # Replies that fit go through the converter without detailed validation; only one that
    # does not is structured again with it, for an error naming each bad field.
    fast = converter(fmt, detailed_validation=False)
    try:
        return fast.structure(records, result_type)
    except Exception:  # noqa: BLE001, S110 - the detailed pass below says what is wrong
        pass
    import cattrs  # noqa: PLC0415 - loaded with the converters, named only here

    # A list is explained by its first record that does not fit: the detailed pass over
    # thousands of bad records (a 64 KiB body of them) would cost a second or more.
    path, value, tp = "reply", records, result_type
    if typing.get_origin(result_type) is list and isinstance(records, list):
        (item_type,) = typing.get_args(result_type)
        for i, record in enumerate(records):
            try:
                fast.structure(record, item_type)
            except Exception:  # noqa: BLE001, PERF203 - this is the one to explain
                path, value, tp = f"reply[{i}]", record, item_type
                break
    detailed = converter(fmt)
    try:
        detailed.structure(value, tp)
        return detailed.structure(records, result_type)  # only the fast pass failed
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
        problems = "; ".join(cattrs.transform_error(exc, path=path))
        raise ParseError(
            f"reply does not fit {_type_name(result_type)}: {problems}",
            fmt=int(fmt),
            excerpt=text[:120],
        ) from None


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp)
