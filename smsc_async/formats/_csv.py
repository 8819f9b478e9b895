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
from collections.abc import Callable
from typing import Any

import cattrs

from smsc_async._types import Format, Params
from smsc_async.formats._common import ErrorReply, fail, text_lines
from smsc_async.formats._hooks import configure_text_converter
from smsc_async.formats._shapes import Column, Kind, ListOf, Ok, Row, Sections, Shape, Single

__all__ = ["decode", "find_error", "make_converter", "parse", "read_line"]

FMT = Format.CSV
# ``0,-N``, or ``<id>,-N`` for the send errors that carry a message id (spec §2.4); a
# caller's id may be text (``[A-Za-z0-9._-]``, up to 40). Only a body of exactly this one
# line is an error: official libraries test the same way.
_ERROR = re.compile(r"([0-9A-Za-z._-]{1,40}),-(\d+)")


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


_Signature = tuple[tuple[bool, ...], ...]


def _spans(
    column: Column, start: int, stop: int, fits: Callable[[str | None, int], bool]
) -> list[int]:
    """Where a column starting at cell ``start`` may end (exclusive), up to ``stop``."""
    if column.free_text:
        return list(range(start + 1, stop + 1))
    if column.items is None or fits("", start):
        # One cell (an empty list is one empty cell), if it fits the column's pattern.
        return [start + 1] if fits(column.pattern, start) else []
    ends = []
    end = start
    while end < stop and fits(column.items, end):
        end += 1
        ends.append(end)
    return ends


def _patterns(layout: tuple[Column, ...]) -> tuple[str, ...]:
    return tuple(sorted({p for c in layout for p in (c.pattern, c.items) if p is not None}))


@functools.lru_cache(maxsize=512)
def _split(layout: tuple[Column, ...], signature: _Signature) -> tuple[int, ...] | str:
    """Where each column of a line with list columns ends, or why the line cannot be read.

    A line is seen only through its signature: per cell, whether it is empty and which of
    the layout's patterns it matches. The lines of one reply mostly share a signature, so
    the split is solved once per reply, not per line.
    """
    n, m = len(layout), len(signature)
    surplus = m - n  # every column takes one cell at least: column i starts in [i, i + surplus]
    if surplus < 0:
        return f"a {m}-cell line fits none of the ways {n} columns can be read"
    index = {p: k for k, p in enumerate(("", *_patterns(layout)))}

    def fits(pattern: str | None, j: int) -> bool:
        return pattern is None or signature[j][index[pattern]]

    # ways[i][j]: readings (counted up to 2) of cells[j:] by layout[i:]; ends[i, j]: where
    # column i may end when it starts at cell j.
    ways = [[0] * (m + 1) for _ in range(n + 1)]
    ways[n][m] = 1
    ends: dict[tuple[int, int], list[int]] = {}
    for i in reversed(range(n)):
        stop = m - (n - i - 1)  # leave a cell for each column after this one
        after = ways[i + 1]
        for j in range(i, min(i + surplus, m - 1) + 1):
            spans = ends[i, j] = _spans(layout[i], j, stop, fits)
            ways[i][j] = min(2, sum(after[k] for k in spans))
    if ways[0][0] == 0:
        return f"a {m}-cell line fits none of the ways {n} columns can be read"
    if ways[0][0] > 1:
        return (
            "a comma inside a value makes the line readable more than one way "
            "(fmt=3 reads it exactly)"
        )
    split = []
    j = 0
    for i in range(n):
        j = next(k for k in ends[i, j] if ways[i + 1][k])
        split.append(j)
    return tuple(split)


def _solve(cells: list[str], layout: tuple[Column, ...], text: str) -> dict[str, Any]:
    """Read a line with list columns: count the splits that fit, keep the only one."""
    # Not stripped: the server writes ids and list items without spaces, while a comma in
    # prose is followed by one, so " 24" of "Shop, 24" is never taken for a group id.
    regexes = [_regex(p) for p in _patterns(layout)]
    signature = tuple(
        (cell == "", *(r.fullmatch(cell) is not None for r in regexes)) for cell in cells
    )
    split = _split(layout, signature)
    if isinstance(split, str):
        raise fail(split, FMT, text)
    record: dict[str, Any] = {}
    start = 0
    for column, end in zip(layout, split, strict=True):
        record[column.name] = ",".join(cells[start:end])
        start = end
    return record


def read_line(line: str, row: Row, params: Params, text: str) -> dict[str, Any]:
    """One fmt=1 line as a record of ``row`` (``text``: the whole body, for errors)."""
    return _record(line, row.line_layout(line.split(","), params), text)


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
        if shape.items is not None and lines:
            # The record's own line, then one line per item.
            record = read_line(lines[0], shape.row, params, text)
            items = shape.items
            record[items.name] = [read_line(line, items.row, params, text) for line in lines[1:]]
            return record
        if len(lines) != 1:
            raise fail(f"expected one line, got {len(lines)}", FMT, text)
        return read_line(lines[0], shape.row, params, text)
    if isinstance(shape, ListOf):
        return [read_line(line, shape.row, params, text) for line in text_lines(text)]
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


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    """The converter for fmt=1 records (every value a string)."""
    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_text_converter(converter)
    return converter
