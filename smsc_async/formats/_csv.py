"""fmt=1: comma-separated values, no keys.

Columns are read by position from the row's layout for this request. A line with more
columns than the layout is only readable when exactly one column is free text: it takes
the surplus. Rows with list columns (``Column.items``: phone numbers, group ids) are read by
trying every split: exactly one must fit. Anything else is a
:class:`~smsc_async.errors.ParseError`, never a guess.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import TYPE_CHECKING, Any

import attrs

from smsc_async._types import Format, Params
from smsc_async.formats._common import (
    ErrorReply,
    error_code,
    fail,
    require_record,
    text_lines,
)
from smsc_async.formats._shapes import Column, Kind, ListOf, Ok, Row, Sections, Shape, Single

if TYPE_CHECKING:
    import cattrs

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


class _Reader:
    """Reads the lines of one layout into records; made once per reply and layout.

    What the layout implies (its names, whether it has list columns, its patterns) is
    worked out once, and, for rows with list columns, each distinct cell is matched against
    the patterns once and each distinct line signature solved once per reply: the lines of
    one reply repeat most of their cells (empty ones, group ids, dates) and their shape.
    """

    def __init__(self, layout: tuple[Column, ...], text: str) -> None:
        self.layout = layout
        self.text = text
        self.names = tuple(c.name for c in layout)
        self.free = [i for i, c in enumerate(layout) if c.free_text]
        self.lists = any(c.items is not None for c in layout)
        patterns = _patterns(layout) if self.lists else ()
        self.tests = [(2 << k, _regex(p).fullmatch) for k, p in enumerate(patterns)]
        self.masks: dict[str, int] = {}  # a cell's signature bits
        self.splits: dict[_Signature, tuple[tuple[int, int], ...] | str] = {}

    def __call__(self, line: str) -> dict[str, Any]:
        """One line as a record."""
        cells = line.split(",")
        if self.lists:
            return self._solve(cells)
        n = len(self.names)
        if len(cells) == n:
            return dict(zip(self.names, cells, strict=True))
        surplus = len(cells) - n
        if surplus < 0:
            raise fail(f"expected {n} columns, got {len(cells)}", FMT, self.text)
        if len(self.free) != 1:
            raise fail(
                f"expected {n} columns, got {len(cells)}, and no single free-text "
                "column to hold the extra commas",
                FMT,
                self.text,
            )
        i = self.free[0]
        cells = [*cells[:i], ",".join(cells[i : i + surplus + 1]), *cells[i + surplus + 1 :]]
        return dict(zip(self.names, cells, strict=True))

    def _mask(self, cell: str) -> int:
        bits = int(cell == "")
        for bit, fullmatch in self.tests:
            if fullmatch(cell):
                bits |= bit
        self.masks[cell] = bits
        return bits

    def _solve(self, cells: list[str]) -> dict[str, Any]:
        """Read a line with list columns: count the splits that fit, keep the only one."""
        # Not stripped: the server writes ids and list items without spaces, while a comma
        # in prose is followed by one, so " 24" of "Shop, 24" is never taken for a group id.
        masks = self.masks
        for cell in set(cells).difference(masks):
            self._mask(cell)
        signature = tuple(map(masks.__getitem__, cells))
        spans = self.splits.get(signature)
        if spans is None:
            if len(signature) <= _CACHED_CELLS:
                split = _split_cached(self.layout, signature)
            else:
                split = _split(self.layout, signature)
            if isinstance(split, str):
                spans = split  # why the line cannot be read
            else:  # column i spans cells split[i - 1] (0 for the first) up to split[i]
                spans = tuple(zip((0, *split[:-1]), split, strict=True))
            self.splits[signature] = spans
        if isinstance(spans, str):
            raise fail(spans, FMT, self.text)
        return {
            name: cells[start] if end - start == 1 else ",".join(cells[start:end])
            for name, (start, end) in zip(self.names, spans, strict=True)
        }


def _record(line: str, layout: tuple[Column, ...], text: str) -> dict[str, Any]:
    return _Reader(layout, text)(line)


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_Signature = tuple[int, ...]
"""Per cell, a bit mask: bit 0 set when the cell is empty, bit k + 1 when it matches the
layout's k-th pattern (small ints: a long line's signature stays small)."""
# Lines of up to this many cells have their split cached by signature (the lines of one
# reply mostly share one); a longer line is solved alone, not kept.
_CACHED_CELLS = 64


def _patterns(layout: tuple[Column, ...]) -> tuple[str, ...]:
    return tuple(sorted({p for c in layout for p in (c.pattern, c.items) if p is not None}))


@functools.lru_cache(maxsize=512)
def _split_cached(layout: tuple[Column, ...], signature: _Signature) -> tuple[int, ...] | str:
    return _split(layout, signature)


@attrs.frozen
class _Reading:
    """What one column needs to say where it may end: its kind, its pattern bits, its runs."""

    column: Column
    bit: int  # the signature bit of the column's pattern (0: no pattern, any cell fits)
    items: int  # the signature bit of its items (0: not a list column)
    run: list[int]  # run[j]: cells from j on that match its items, in a row

    def count(
        self,
        row: list[int],
        after: list[int],
        total: list[int],
        starts: range,
        *,
        stop: int,
        signature: _Signature,
    ) -> None:
        """Fill ``row[j]``, the readings of the line from cell ``j`` on, for each start.

        :meth:`ends` inlined by kind, as this runs once per cell and column: ``after``
        holds the next column's readings, ``total[k]`` the sum of ``after[k:]``.
        """
        lo, hi = starts.start, starts.stop
        bit, run = self.bit, self.run
        if self.column.free_text:  # ends j + 1 .. stop
            end = min(hi, stop)
            tail = total[stop + 1]
            row[lo:end] = [min(2, t - tail) for t in total[lo + 1 : end + 1]]
        elif not self.items:  # one cell, if it fits the pattern
            if bit:
                pairs = zip(after[lo + 1 : hi + 1], signature[lo:hi], strict=True)
                row[lo:hi] = [a if s & bit else 0 for a, s in pairs]
            else:
                row[lo:hi] = after[lo + 1 : hi + 1]
        else:
            for j in starts:
                if signature[j] & 1:  # an empty list: one empty cell
                    if not bit or signature[j] & bit:
                        row[j] = after[j + 1]
                elif run[j]:
                    row[j] = min(2, total[j + 1] - total[min(j + run[j], stop) + 1])

    def ends(self, j: int, stop: int, signature: _Signature) -> range:
        """Where the column may end (exclusive) when it starts at cell ``j``, up to ``stop``."""
        if self.column.free_text:
            return range(j + 1, stop + 1)
        if not self.items or signature[j] & 1:
            # One cell (an empty list is one empty cell), if it fits the column's pattern.
            return range(j + 1, j + 2) if not self.bit or signature[j] & self.bit else range(0)
        return range(j + 1, min(j + self.run[j], stop) + 1)


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
    bits = {p: 2 << k for k, p in enumerate(_patterns(layout))}
    readings = []
    for column in layout:
        items = bits[column.items] if column.items is not None else 0
        run = [0] * (m + 1)
        if items:
            for k in range(m - 1, -1, -1):
                run[k] = run[k + 1] + 1 if signature[k] & items else 0
        bit = bits[column.pattern] if column.pattern is not None else 0
        readings.append(_Reading(column, bit, items, run))
    # ways[i][j]: readings (counted up to 2) of cells[j:] by layout[i:]; total[k]: the sum
    # of ways[i + 1][k:], so the readings of a range of ends is one subtraction.
    ways = [[0] * (m + 1) for _ in range(n + 1)]
    ways[n][m] = 1
    for i in reversed(range(n)):
        stop = m - (n - i - 1)  # leave a cell for each column after this one
        total = list(itertools.accumulate(reversed(ways[i + 1])))[::-1]  # one pass, in C
        total.append(0)
        starts = range(i, min(i + surplus, m - 1) + 1)
        readings[i].count(ways[i], ways[i + 1], total, starts, stop=stop, signature=signature)
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
        span = readings[i].ends(j, m - (n - i - 1), signature)
        j = next(k for k in span if ways[i + 1][k])
        split.append(j)
    return tuple(split)


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
        row = shape.row
        if row.choose is None:  # one layout for every line: worked out once, not per line
            read = _Reader(row.layout(params), text)
            return [read(line) for line in text_lines(text)]
        return [read_line(line, row, params, text) for line in text_lines(text)]
    return _sections(text, shape, params)


def _sections(text: str, shape: Sections, params: Params) -> dict[str, Any]:
    layouts = [(s, s.row.layout(params)) for s in shape.sections]
    free = [sum(c.free_text for c in layout) for _, layout in layouts]
    result: dict[str, Any] = {}
    for line in text_lines(text):
        cells = line.split(",")
        n = len(cells)
        matches = [
            (s, layout)
            for (s, layout), f in zip(layouts, free, strict=True)
            if n == len(layout) or (n > len(layout) and f == 1)
        ]
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
    import cattrs  # noqa: PLC0415 - loaded with the first reply, not with the package

    from smsc_async.formats._hooks import configure_text_converter  # noqa: PLC0415

    converter = cattrs.Converter(detailed_validation=detailed_validation)
    configure_text_converter(converter)
    return converter
