"""fmt=1: comma-separated values, no keys.

Columns are read by position from the row's layout for this request. A line with more
columns than the layout is only readable when exactly one column is free text: it takes
the surplus. Anything else is a :class:`~smsc_async.errors.ParseError`, never a guess.
"""

from __future__ import annotations

import re
from typing import Any

import cattrs

from smsc_async._types import Format, Params
from smsc_async.formats._common import ErrorReply, fail, text_lines
from smsc_async.formats._hooks import configure_text_converter
from smsc_async.formats._shapes import Column, Kind, ListOf, Ok, Sections, Shape, Single

__all__ = ["decode", "find_error", "make_converter", "parse"]

FMT = Format.CSV
# ``0,-N``, or ``<id>,-N`` for the send errors that carry a message id (spec §2.4). Only a
# body of exactly this one line is an error: official libraries test the same way.
_ERROR = re.compile(r"(\d+),-(\d+)")


def parse(text: str) -> str:
    """Line formats need no parsing before error detection: the text is the document."""
    return text


def find_error(text: str) -> ErrorReply | None:
    """``0,-N`` (or ``<id>,-N``) as the whole body."""
    match = _ERROR.fullmatch(text.strip())
    if match is None:
        return None
    return ErrorReply(int(match[2]), "", None if match[1] == "0" else match[1])


def _fits(cells: list[str], layout: tuple[Column, ...]) -> bool:
    if len(cells) == len(layout):
        return True
    return len(cells) > len(layout) and sum(c.free_text for c in layout) == 1


def _record(line: str, layout: tuple[Column, ...], text: str) -> dict[str, Any]:
    cells = line.split(",")
    surplus = len(cells) - len(layout)
    if surplus < 0:
        raise fail(f"expected {len(layout)} columns, got {len(cells)}", FMT, text)
    if surplus > 0:
        free = [i for i, c in enumerate(layout) if c.free_text]
        if len(free) != 1:
            raise fail(
                f"expected {len(layout)} columns, got {len(cells)}, and no single free-text "
                "column to hold the extra commas",
                FMT,
                text,
            )
        i = free[0]
        cells = [*cells[:i], ",".join(cells[i : i + surplus + 1]), *cells[i + surplus + 1 :]]
    return {column.name: cell for column, cell in zip(layout, cells, strict=True)}


def decode(text: str, shape: Shape, params: Params) -> Any:
    """Turn a fmt=1 body into neutral records for ``shape``."""
    if isinstance(shape, Ok):
        if text.strip() != "OK":
            raise fail("expected OK", FMT, text)
        return None
    if isinstance(shape, Single):
        if shape.or_ok and text.strip() == "OK":
            return {}
        lines = text_lines(text)
        if len(lines) != 1:
            raise fail(f"expected one line, got {len(lines)}", FMT, text)
        return _record(lines[0], shape.row.layout(params), text)
    if isinstance(shape, ListOf):
        layout = shape.row.layout(params)
        return [_record(line, layout, text) for line in text_lines(text)]
    return _sections(text, shape, params)


def _sections(text: str, shape: Sections, params: Params) -> dict[str, Any]:
    layouts = [(s, s.row.layout(params)) for s in shape.sections]
    result: dict[str, Any] = {}
    for line in text_lines(text):
        cells = line.split(",")
        matches = [(s, layout) for s, layout in layouts if _fits(cells, layout)]
        if len(matches) != 1:
            raise fail(f"cannot tell which section a {len(cells)}-column line is", FMT, text)
        section, layout = matches[0]
        record = _record(line, layout, text)
        if section.kind is Kind.VALUE:
            result[section.name] = record[layout[0].name]
        else:
            result.setdefault(section.name, []).append(record)
    return result


def make_converter() -> cattrs.Converter:
    """The converter for fmt=1 records (every value a string)."""
    converter = cattrs.Converter()
    configure_text_converter(converter)
    return converter
