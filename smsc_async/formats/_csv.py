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
from smsc_async.formats._common import (
    ErrorReply,
    error_code,
    fail,
    require_record,
    text_lines,
)
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
    code = error_code(match[2], FMT, text)
    return ErrorReply(code, "", None if match[1] == "0" else match[1])


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


_Signature = tuple[int, ...]
"""Per cell, a bit mask: bit 0 set when the cell is empty, bit k + 1 when it matches the
layout's k-th pattern (small ints: a long line's signature stays small)."""
# Lines of up to this many cells have their split cached by signature (the lines of one
# reply mostly share one); a longer line is solved alone, not kept.
_CACHED_CELLS = 64


def _spans(
    column: Column, start: int, stop: int, fits: Callable[[str | None, int], bool], run: list[int]
) -> tuple[int, int]:
    """Where a column starting at cell ``start`` may end (exclusive), up to ``stop``.

    Always a range of ends, ``(first, last)``; empty when ``first > last``. ``run[j]``: how
    many cells from ``j`` on match the column's items in a row.
    """
    if column.free_text:
        return start + 1, stop
    if column.items is None or fits("", start):
        # One cell (an empty list is one empty cell), if it fits the column's pattern.
        return (start + 1, start + 1) if fits(column.pattern, start) else (1, 0)
    return start + 1, min(start + run[start], stop)


def _patterns(layout: tuple[Column, ...]) -> tuple[str, ...]:
    return tuple(sorted({p for c in layout for p in (c.pattern, c.items) if p is not None}))


@functools.lru_cache(maxsize=512)
def _split_cached(layout: tuple[Column, ...], signature: _Signature) -> tuple[int, ...] | str:
    return _split(layout, signature)


def _split(layout: tuple[Column, ...], signature: _Signature) -> tuple[int, ...] | str:
    """Where each column of a line with list columns ends, or why the line cannot be read.

    A line is seen only through its signature: per cell, whether it is empty and which of
    the layout's patterns it matches. Every column's possible ends form a range, so the
    readings are counted with suffix sums: linear in the cells per column, however many
    commas a free-text value holds.
    """
    n, m = len(layout), len(signature)
    surplus = m - n  # every column takes one cell at least: column i starts in [i, i + surplus]
    if surplus < 0:
        return f"a {m}-cell line fits none of the ways {n} columns can be read"
    index = {p: k for k, p in enumerate(("", *_patterns(layout)))}

    def fits(pattern: str | None, j: int) -> bool:
        return pattern is None or bool(signature[j] >> index[pattern] & 1)

    # ways[i][j]: readings (counted up to 2) of cells[j:] by layout[i:]; total[k]: the sum
    # of ways[i + 1][k:], so the readings of a range of ends is one subtraction;
    # ends[i, j]: where column i may end when it starts at cell j.
    ways = [[0] * (m + 1) for _ in range(n + 1)]
    ways[n][m] = 1
    ends: dict[tuple[int, int], tuple[int, int]] = {}
    for i in reversed(range(n)):
        stop = m - (n - i - 1)  # leave a cell for each column after this one
        after = ways[i + 1]
        total = [0] * (m + 2)
        for k in range(m, -1, -1):
            total[k] = total[k + 1] + after[k]
        column = layout[i]
        run = [0] * (m + 1)  # cells from j on that match the column's items, in a row
        if column.items is not None:
            for k in range(m - 1, -1, -1):
                run[k] = run[k + 1] + 1 if fits(column.items, k) else 0
        for j in range(i, min(i + surplus, m - 1) + 1):
            first, last = ends[i, j] = _spans(column, j, stop, fits, run)
            if first <= last:
                ways[i][j] = min(2, total[first] - total[last + 1])
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
        first, last = ends[i, j]
        j = next(k for k in range(first, last + 1) if ways[i + 1][k])
        split.append(j)
    return tuple(split)


def _solve(cells: list[str], layout: tuple[Column, ...], text: str) -> dict[str, Any]:
    """Read a line with list columns: count the splits that fit, keep the only one."""
    # Not stripped: the server writes ids and list items without spaces, while a comma in
    # prose is followed by one, so " 24" of "Shop, 24" is never taken for a group id.
    regexes = [(2 << k, _regex(p).fullmatch) for k, p in enumerate(_patterns(layout))]
    signature = tuple(
        (cell == "") | sum(bit for bit, fullmatch in regexes if fullmatch(cell) is not None)
        for cell in cells
    )
    if len(signature) <= _CACHED_CELLS:
        split = _split_cached(layout, signature)
    else:
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
        elif len(lines) != 1:
            raise fail(f"expected one line, got {len(lines)}", FMT, text)
        else:
            record = read_line(lines[0], shape.row, params, text)
        require_record(record, shape.row, FMT, text)
        return record
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
