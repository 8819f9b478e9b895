"""fmt=2: XML documents, parsed with defusedxml.

An element becomes a record generically: its attributes, its leaf children's texts, and,
when it has no children, its own text under its tag name. That one rule reads every
documented shape: ``<sender id="5">shop</sender>`` gives ``{"id": "5", "sender": "shop"}``,
``<sender><id>5</id></sender>`` gives ``{"id": "5"}``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.etree.ElementTree import ParseError as XmlSyntaxError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, fromstring

from smsc_async._types import Format, Params
from smsc_async.formats._common import ErrorReply, Renamer, error_code, fail, require_record
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
    body = _DECLARATION.sub("", text).strip()
    try:
        if "xmlns" in body or "xml:" in body:  # declared namespaces, or the built-in one
            root: Element = fromstring(body)
        else:
            root = _without_namespaces(body)
    except (XmlSyntaxError, DefusedXmlException) as exc:
        raise fail(f"not XML: {exc}", FMT, text) from None
    return root


def _without_namespaces(body: str) -> Element:
    """What ``defusedxml.ElementTree.fromstring`` builds, for a body using no namespace.

    The same defused parser (its entity, DTD and external-reference guards untouched), with
    expat handing elements straight to the tree builder: the parser's own start and end
    handlers, two Python calls an element (most of parsing a list), only rewrite namespaced
    names, and a body without ``xmlns`` or ``xml:`` has none.
    """
    builder = TreeBuilder()
    parser = DefusedXMLParser(target=builder)
    expat = parser.parser
    expat.ordered_attributes = False  # attributes as the dict the builder takes
    expat.StartElementHandler = builder.start
    expat.EndElementHandler = builder.end
    parser.feed(body)
    root: Element = parser.close()
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


def _record(element: Element, rename: Renamer) -> dict[str, Any]:
    raw: dict[str, Any] = dict(element.attrib)
    for child in element:
        if not len(child):
            raw[child.tag] = child.text or ""
    if not len(element):
        raw[element.tag] = element.text or ""
    return rename(raw)


def _records(parent: Element, row: Row) -> list[dict[str, Any]]:
    rename = Renamer(row, FMT)
    return [_record(child, rename) for child in parent]


def decode(root: Element, shape: Shape, params: Params) -> Any:
    """Turn a parsed fmt=2 body into neutral records for ``shape``."""
    if isinstance(shape, Ok):
        if len(root) != 0 or (root.text or "").strip() != "OK":
            raise fail("expected <result>OK</result>", FMT, root.text or "")
        return None
    if isinstance(shape, Single):
        if shape.or_ok and len(root) == 0 and (root.text or "").strip() == "OK":
            return {}
        record = _record(root, Renamer(shape.row, FMT))
        require_record(record, shape.row, FMT, root.text or "")
        items = shape.items
        element = None if items is None else root.find(items.name)
        if items is not None and element is not None:
            record[items.name] = _records(element, items.row)
        return record
    if isinstance(shape, ListOf):
        return _records(root, shape.row)
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
            result[section.name] = _records(element, section.row)
    return result


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """The converter for fmt=2 records (every value a string)."""
    import cattrs  # noqa: PLC0415 - loaded with the first reply, not with the package

    from smsc_async.formats._hooks import configure_text_converter  # noqa: PLC0415

    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_text_converter(converter)
    return converter
