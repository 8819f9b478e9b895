"""fmt=1: comma-separated values, no keys.

Columns are read by position from the row's layout for this request. A line with more
columns than the layout is only readable when exactly one column is free text: it takes
the surplus. Rows with list columns (``Column.items``: phone numbers, group ids) are read by
trying every split: exactly one must fit. Anything else is a
:class:`~smsc_async.errors.ParseError`, never a guess.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
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
    if any(c.items is not None for c in layout):
        return _solve(cells, layout, text)
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


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _fits_cell(pattern: str | None, cell: str) -> bool:
    # Not stripped: the server writes ids and list items without spaces, while a comma in
    # prose is followed by one, so " 24" of "Shop, 24" is never taken for a group id.
    return pattern is None or _regex(pattern).fullmatch(cell) is not None


def _spans(column: Column, cells: list[str], start: int, stop: int) -> Iterator[int]:
    """Where a column starting at ``cells[start]`` may end (exclusive), up to ``stop``."""
    if column.free_text:
        yield from range(start + 1, stop + 1)
    elif column.items is None or cells[start] == "":
        # One cell (an empty list is one empty cell), if it fits the column's pattern.
        if _fits_cell(column.pattern, cells[start]):
            yield start + 1
    else:
        end = start
        while end < stop and _fits_cell(column.items, cells[end]):
            end += 1
            yield end


def _solve(cells: list[str], layout: tuple[Column, ...], text: str) -> dict[str, Any]:
    """Read a line with list columns: count the splits that fit, keep the only one."""
    n, m = len(layout), len(cells)
    surplus = m - n  # every column takes one cell at least: column i starts in [i, i + surplus]
    # ways[i][j]: readings (counted up to 2) of cells[j:] by layout[i:].
    ways = [[0] * (m + 1) for _ in range(n + 1)]
    ways[n][m] = 1
    for i in reversed(range(n)):
        stop = m - (n - i - 1)  # leave a cell for each column after this one
        for j in range(i, min(i + surplus, m - 1) + 1):
            spans = _spans(layout[i], cells, j, stop)
            ways[i][j] = min(2, sum(ways[i + 1][k] for k in spans))
    if surplus < 0 or ways[0][0] == 0:
        raise fail(f"a {m}-cell line fits none of the ways {n} columns can be read", FMT, text)
    if ways[0][0] > 1:
        raise fail(
            "a comma inside a value makes the line readable more than one way "
            "(fmt=3 reads it exactly)",
            FMT,
            text,
        )
    record: dict[str, Any] = {}
    j = 0
    for i, column in enumerate(layout):
        end = next(k for k in _spans(column, cells, j, m - (n - i - 1)) if ways[i + 1][k])
        record[column.name] = ",".join(cells[j:end])
        j = end
    return record


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
