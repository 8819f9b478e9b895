"""fmt=2: XML documents, parsed with defusedxml.

An element becomes a record generically: its attributes, its leaf children's texts, and,
when it has no children, its own text under its tag name. That one rule reads every
documented shape: ``<sender id="5">shop</sender>`` gives ``{"id": "5", "sender": "shop"}``,
``<sender><id>5</id></sender>`` gives ``{"id": "5"}``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XmlSyntaxError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from smsc_async._types import Format, Params
from smsc_async.formats._common import ErrorReply, error_code, fail, require_record
from smsc_async.formats._shapes import Kind, ListOf, Ok, Row, Sections, Shape, Single

if TYPE_CHECKING:
    import cattrs

__all__ = ["decode", "find_error", "make_converter", "parse"]

FMT = Format.XML
# The body is already text in the right charset; a declaration naming another encoding
# would only mislead the parser.
_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")


def parse(text: str) -> Element:
    """Parse a body into its root element.

    Raises:
        ParseError: The body is not well-formed XML or uses forbidden constructs.
    """
    try:
        root: Element = fromstring(_DECLARATION.sub("", text).strip())
    except (XmlSyntaxError, DefusedXmlException) as exc:
        raise fail(f"not XML: {exc}", FMT, text) from None
    return root


def find_error(root: Element) -> ErrorReply | None:
    """``<result><error>…</error><error_code>N</error_code>[<id>…</id>]</result>``.

    An ``<error>`` without a code, or a code that is not a number, is never read as a
    record (no reply's own record has either at its top).

    Raises:
        ParseError: The envelope's code is missing or unreadable.
    """
    code = root.findtext("error_code")
    message = root.findtext("error")
    if code is None:
        if message is None and root.tag != "error":
            return None
        raise fail("the server answered an error without a code", FMT, message or "")
    return ErrorReply(error_code(code, FMT, code), message or "", root.findtext("id"))


def _record(element: Element, row: Row) -> dict[str, Any]:
    raw: dict[str, Any] = dict(element.attrib)
    children = list(element)
    for child in children:
        if len(child) == 0:
            raw[child.tag] = child.text or ""
    if not children:
        raw[element.tag] = element.text or ""
    return {row.key(FMT, k): v for k, v in raw.items()}


def decode(root: Element, shape: Shape, params: Params) -> Any:
    """Turn a parsed fmt=2 body into neutral records for ``shape``."""
    if isinstance(shape, Ok):
        if len(root) != 0 or (root.text or "").strip() != "OK":
            raise fail("expected <result>OK</result>", FMT, root.text or "")
        return None
    if isinstance(shape, Single):
        if shape.or_ok and len(root) == 0 and (root.text or "").strip() == "OK":
            return {}
        record = _record(root, shape.row)
        require_record(record, shape.row, FMT, root.text or "")
        items = shape.items
        element = None if items is None else root.find(items.name)
        if items is not None and element is not None:
            record[items.name] = [_record(child, items.row) for child in element]
        return record
    if isinstance(shape, ListOf):
        return [_record(child, shape.row) for child in root]
    return _sections(root, shape)


def _sections(root: Element, shape: Sections) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for section in shape.sections:
        element = root.find(section.name)
        if element is None:
            continue
        if section.kind is Kind.VALUE:
            result[section.name] = element.text or ""
        else:
            result[section.name] = [_record(child, section.row) for child in element]
    return result


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """The converter for fmt=2 records (every value a string)."""
    import cattrs  # noqa: PLC0415 - loaded with the first reply, not with the package

    from smsc_async.formats._hooks import configure_text_converter  # noqa: PLC0415

    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_text_converter(converter)
    return converter
