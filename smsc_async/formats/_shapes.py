"""Declarative response shapes: where each field of a reply sits in each wire format.

A command declares its shape once; the four decoders read it. Field names are the model's
attribute names; ``renames`` maps the few wire keys that differ (fmt=0 says ``name`` where
the others say ``sender``), so every decoder hands the converters the same keys.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from typing import TypeAlias

import attrs

from smsc_async._types import Format, Params

__all__ = [
    "Column",
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
]


@attrs.frozen
class Column:
    """One field of a record.

    Attributes:
        name: The model field it fills.
        free_text: The value is free text and may contain commas (line formats are not
            escaped by the server, so such a field absorbs the surplus of a split).
        when: In fmt=1, the column is present only when this request flag is ``"1"``
            (fmt=1 has no keys, so its layout depends on what was asked).
        items: The value is a comma-separated list whose every item fully matches this
            regular expression (phone numbers, group ids). In fmt=1 such a column may span
            several cells; a line is read only if exactly one split fits every column.
        pattern: In fmt=1 rows with list columns, what the single cell of this column must
            fully match (an id, a date): it rules out splits that put other cells here.
        text: The value is text someone wrote (a contact's name) that fmt=1 takes to hold
            no comma, but that may hold anything in fmt=0, ``", key = "`` included. fmt=0
            reads it as it reads a ``free_text`` value: it never guesses where it ends.
    """

    name: str
    free_text: bool = False
    when: str | None = None
    items: str | None = None
    pattern: str | None = None
    text: bool = False


class LineStyle(enum.Enum):
    """How fmt=0 writes one record."""

    PAIRS = "pairs"
    """``key = value, key = value`` (most scripts)."""
    LABELS = "labels"
    """``OK - 2 SMS, ID - 279, COST - 4.48`` (``send.php``): ``LABEL - value[ unit]`` parts,
    keys case-folded (``ok``, ``id``, ``cost``), a unit word after a value dropped."""
    VALUES = "values"
    """The fmt=1 layout: ``250.80`` (``balance.php`` answers fmt=0 and fmt=1 alike)."""


Chooser: TypeAlias = Callable[[Sequence[str], Params], tuple[Column, ...]]
"""fmt=1: the columns of one line, from its cells and the request's parameters."""


@attrs.frozen
class Row:
    """A record type: its columns in wire order, and per-format key renames.

    Attributes:
        columns: Every column, in wire order.
        renames: Per format, wire keys that differ from the field names.
        lines: How fmt=0 writes the record.
        choose: fmt=1, when the layout depends on the line itself (``status.php``: an HLR
            request's row carries 8 more columns than an SMS's), picks the columns of a
            line; ``None``: :meth:`layout` decides from the request alone.
    """

    columns: tuple[Column, ...]
    renames: Mapping[Format, Mapping[str, str]] = attrs.field(factory=dict)
    lines: LineStyle = LineStyle.PAIRS
    choose: Chooser | None = None

    def layout(self, params: Params) -> tuple[Column, ...]:
        """The fmt=1 columns present for a request with these parameters."""
        return tuple(c for c in self.columns if c.when is None or params.get(c.when) == "1")

    def line_layout(self, cells: Sequence[str], params: Params) -> tuple[Column, ...]:
        """The fmt=1 columns of one line (``cells`` split at every comma)."""
        if self.choose is not None:
            return self.choose(cells, params)
        return self.layout(params)

    def names(self) -> frozenset[str]:
        """Every field name the row can hold."""
        return frozenset(c.name for c in self.columns)

    def free_text(self) -> frozenset[str]:
        """The free-text field names."""
        return frozenset(c.name for c in self.columns if c.free_text)

    def texts(self) -> frozenset[str]:
        """The names of the fields that may hold ``", key = "`` in fmt=0: free text, text."""
        return frozenset(c.name for c in self.columns if c.free_text or c.text)

    def key(self, fmt: Format, wire_key: str) -> str:
        """The field name for a wire key in a format."""
        return self.renames.get(fmt, {}).get(wire_key, wire_key)


@attrs.frozen
class ListOf:
    """A list of records: lines (fmt=0/1), a root's children (fmt=2), an array (fmt=3)."""

    row: Row


@attrs.frozen
class Items:
    """A list of sub-records inside a :class:`Single` reply (send's per-phone details).

    fmt=3 holds them in an array under ``name``, fmt=2 as the children of the element
    ``name``, fmt=0 and fmt=1 as the lines after the record's own line.

    Attributes:
        name: The model field (and JSON key, XML element) that holds them.
        row: Their record type.
    """

    name: str
    row: Row


@attrs.frozen
class Single:
    """One record: one line (fmt=0/1), the root element (fmt=2), an object (fmt=3).

    Attributes:
        row: The record type.
        or_ok: A bare acknowledgement (as :class:`Ok`) is a valid answer too, read as an
            empty record (for commands whose docs allow either).
        items: Sub-records that may follow the record (``None``: the reply is one record).
    """

    row: Row
    or_ok: bool = False
    items: Items | None = None


class Kind(enum.Enum):
    """How a section of a multi-section reply holds its data."""

    MANY = "many"
    """A list of records."""
    VALUE = "value"
    """One value (the section's row has exactly one column)."""


@attrs.frozen
class Section:
    """One section of a multi-section reply, named as the JSON key / XML element is.

    In fmt=0 a line belongs to the section whose first column is the line's first key; in
    fmt=1 to the section whose column count fits the line.
    """

    name: str
    row: Row
    kind: Kind = Kind.MANY


@attrs.frozen
class Sections:
    """A reply of several sections (tariffs: zones, then operator codes, then mail)."""

    sections: tuple[Section, ...]


@attrs.frozen
class Ok:
    """A bare acknowledgement: ``OK`` / ``<result>OK</result>`` / ``{"result": "OK"}``."""


Shape: TypeAlias = "ListOf | Single | Sections | Ok"
"""Every response shape a command can declare."""
