"""fmt=0: ``key = value, key = value`` lines.

The server does not escape values, so a text value may contain ``", "`` and even
``", word = "``. A line is cut before every ``", <identifier> = "``, and read by key:

- a cut whose key the row knows starts that field (the docs show every key on every line,
  so a text holding ``", tags = x"`` names ``tags`` twice);
- a key seen twice means the line cannot be read one way only;
- right after a text field (``Column.free_text`` or ``Column.text``), a cut whose key the
  row does not know is either a field the SDK does not know yet (seed 002: ``operators=1``
  may add a sender's "replacement analog") or part of the text: it cannot be told apart;
- after any other field (an id, a number, a date: they hold no ``", word = "``) such a
  cut is a field of its own, kept in the model's ``extra``.

A line that cannot be read one way only is a :class:`~smsc_async.errors.ParseError`,
never a guess (fmt=3 reads it exactly). A single record may also come as an
acknowledgement, ``OK, ID - 17, COST - 1.40``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from smsc_async._types import Format, Params
from smsc_async.errors import ParseError
from smsc_async.formats import _csv
from smsc_async.formats._common import (
    ErrorReply,
    error_code,
    fail,
    require_record,
    text_lines,
)
from smsc_async.formats._shapes import Kind, LineStyle, ListOf, Ok, Row, Sections, Shape, Single

if TYPE_CHECKING:
    import cattrs

__all__ = ["decode", "find_error", "make_converter", "parse"]

FMT = Format.LINES
_CUT = re.compile(r", (?=[A-Za-z_][\w\[\]]* =(?: |$|,))")
_PAIR = re.compile(r"([A-Za-z_][\w\[\]]*) =(?: (.*))?\Z", re.DOTALL)
_DASHED = re.compile(r"([A-Za-z_]\w*) - (\S*)")
_ERROR = re.compile(r"ERROR = (\d+)(?: \((.*?)\))?(?:, ID - (\S+?)\)?)?\s*\Z", re.DOTALL)
# What is left of an envelope that is not the whole one: a body cut short (``ERROR = 9
# (duplicate r``) or worded otherwise (``ERROR dup``, ``ERROR: dup``).
_ERROR_LEAD = re.compile(r"ERROR(?:\s|=|:|\Z)")
_ERROR_CODED = re.compile(r"ERROR\s*=\s*(\d+)")
_OK = re.compile(r"OK(?:[ ,\-][^\n]*)?")
_LABEL_CUT = re.compile(r", (?=[A-Za-z_]\w* - )")
_LABEL = re.compile(r"([A-Za-z_]\w*) - (\S+)(?: [A-Za-z]+)?\Z")


def parse(text: str) -> str:
    """Line formats need no parsing before error detection: the text is the document."""
    return text


def find_error(text: str) -> ErrorReply | None:
    """``ERROR = N (description)``, with ``, ID - <id>`` for some send errors.

    A body that starts as an envelope but is not a whole one is never read as a record:
    with a code (``ERROR = 9 (duplicate r``, cut in the middle) it is that error, without
    one (``ERROR dup``) a :class:`~smsc_async.errors.ParseError`.

    Raises:
        ParseError: The body starts with ``ERROR`` but gives no readable code.
    """
    body = text.strip()
    if not body.startswith("ERROR"):
        return None
    match = _ERROR.match(body)
    if match is not None:
        return ErrorReply(error_code(match[1], FMT, text), match[2] or "", match[3])
    if _ERROR_LEAD.match(body) is None:
        return None  # ``ERRORS,...``: a word that only begins so
    coded = _ERROR_CODED.match(body)
    if coded is None:
        raise fail("the server answered an error without a code", FMT, text)
    # A cut envelope: the code is whole (digits, then what followed them), and the code is
    # what decides what the caller does (9 on a write: refused, safe to retry after the
    # window), so it is read as that error with what is left of its description. Reading
    # it as ParseError instead would hide that the server refused the request.
    rest = body[coded.end() :].strip()
    message = rest[1:].partition(")")[0] if rest.startswith("(") else rest
    return ErrorReply(error_code(coded[1], FMT, text), message.strip(), None)


def _pairs(line: str, text: str) -> list[tuple[str, str]]:
    """``(key, value)`` for each ``key = value`` cut of a line."""
    pairs = []
    for part in _CUT.split(line):
        match = _PAIR.match(part)
        if match is None:
            raise fail(f"expected 'key = value', got {part[:40]!r}", FMT, text)
        # Keys are case-folded: the server writes ``ID = 5`` and ``Status = 1``.
        pairs.append((match[1].lower(), match[2] or ""))
    return pairs


_Keys = tuple[frozenset[str], frozenset[str], Mapping[str, str]]
"""A row's field names, its text ones, and its fmt=0 key renames."""


def _keys(row: Row) -> _Keys:
    return row.names(), row.texts(), row.renames.get(FMT, {})


def _record(line: str, row: Row, text: str, keys: _Keys | None = None) -> dict[str, Any]:
    known, texts, renames = keys or _keys(row)
    record: dict[str, Any] = {}
    open_text: str | None = None  # the text field just read: a cut after it may be inside it
    for wire_key, value in _pairs(line, text):
        name = renames.get(wire_key, wire_key)
        if open_text is not None and name not in known:
            # Two readings: a field the SDK does not know, or ", <key> = " in the text.
            raise fail(
                f"{wire_key!r} after the text of {open_text!r} is either a field of its own "
                "or part of the text: the line is ambiguous",
                FMT,
                text,
            )
        if name in record:
            raise fail(f"key {wire_key!r} appears twice: the line is ambiguous", FMT, text)
        record[name] = value
        # Assumption: a field the row does not know holds no ", word = " (it goes to extra;
        # the one SMSC documents, a sender's replacement analog, is a sender name).
        open_text = name if name in texts else None
    return record


def _labels(line: str, row: Row, text: str) -> dict[str, Any]:
    """``OK - 2 SMS, ID - 279, COST - 4.48``: each part ``LABEL - value[ unit]``."""
    record: dict[str, Any] = {}
    for part in _LABEL_CUT.split(line.strip()):
        match = _LABEL.match(part)
        if match is None:
            raise fail(f"expected 'LABEL - value', got {part[:40]!r}", FMT, text)
        name = row.key(FMT, match[1].lower())
        if name in record:
            raise fail(f"label {match[1]!r} appears twice: the line is ambiguous", FMT, text)
        record[name] = match[2]
    return record


def _line(
    line: str, row: Row, params: Params, text: str, keys: _Keys | None = None
) -> dict[str, Any]:
    """One record, in the row's fmt=0 style (``keys``: the row's, when worked out already)."""
    if row.lines is LineStyle.LABELS:
        return _labels(line, row, text)
    if row.lines is LineStyle.VALUES:
        try:
            return _csv.read_line(line, row, params, text)
        except ParseError as exc:
            raise fail(exc.reason, FMT, text) from None
    return _record(line, row, text, keys)


def _only_line(text: str) -> str:
    lines = text_lines(text)
    if len(lines) != 1:
        raise fail(f"expected one line, got {len(lines)}", FMT, text)
    return lines[0]


def decode(text: str, shape: Shape, params: Params) -> Any:
    """Turn a fmt=0 body into neutral records for ``shape``."""
    if isinstance(shape, Ok):
        # ``OK``, or ``OK`` and words after it (Assumption: the docs show a bare OK; a
        # word after it is not an error), on one line: never ``OKAY`` or an empty body.
        if _OK.fullmatch(text.strip()) is None:
            raise fail("expected OK", FMT, text)
        return None
    if isinstance(shape, Single):
        if shape.or_ok and text.strip() == "OK":
            return {}
        record = _single(text, shape, params)
        require_record(record, shape.row, FMT, text)
        return record
    if isinstance(shape, ListOf):
        row, keys = shape.row, _keys(shape.row)  # worked out once for every line
        return [_line(line, row, params, text, keys) for line in text_lines(text)]
    return _sections(text, shape)


def _single(text: str, shape: Single, params: Params) -> dict[str, Any]:
    if shape.items is not None:
        # The record's own line, then one line per item.
        first, *rest = text_lines(text) or [""]
        record = _line(first, shape.row, params, text)
        items = shape.items
        record[items.name] = [_line(line, items.row, params, text) for line in rest]
        return record
    line = _only_line(text)
    if line.startswith("OK, "):
        return _acknowledged(line, shape.row, text)
    return _line(line, shape.row, params, text)


def _acknowledged(line: str, row: Row, text: str) -> dict[str, Any]:
    """``OK, ID - 17, COST - 1.40``: an acknowledgement with ``KEY - value`` fields.

    jobs.php answers a creation so (its docs); the values are ids and sums, never text.
    """
    record: dict[str, Any] = {}
    for part in line.split(", ")[1:]:
        match = _DASHED.fullmatch(part)
        if match is None:
            raise fail(f"expected 'KEY - value' after OK, got {part[:40]!r}", FMT, text)
        name = row.key(FMT, match[1].lower())
        if name in record:
            raise fail(f"key {match[1]!r} appears twice: the line is ambiguous", FMT, text)
        record[name] = match[2]
    return record


def _sections(text: str, shape: Sections) -> dict[str, Any]:
    by_lead = {s.row.columns[0].name: s for s in shape.sections}
    result: dict[str, Any] = {}
    for line in text_lines(text):
        lead = _pairs(line, text)[0][0]
        section = by_lead.get(lead)
        if section is None:
            raise fail(f"a line starting with {lead!r} belongs to no section", FMT, text)
        record = _record(line, section.row, text)
        if section.kind is Kind.VALUE:
            result[section.name] = record[lead]
        else:
            result.setdefault(section.name, []).append(record)
    return result


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """The converter for fmt=0 records (every value a string)."""
    import cattrs  # noqa: PLC0415 - loaded with the first reply, not with the package

    from smsc_async.formats._hooks import configure_text_converter  # noqa: PLC0415

    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_text_converter(converter)
    return converter
