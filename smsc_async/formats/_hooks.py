"""cattrs configuration shared by the per-format converters.

Each wire format gets its own converter (``make_converter()`` in its module, the shape of
cattrs' ``preconf`` modules); never the global one. The three text formats (fmt 0, 1, 2)
hand over strings only, so their converter is strict about that; JSON mixes numbers and
strings for the same fields across commands (spec §7.3), so its converter takes either.

Both converters share the model rules:

* unknown wire keys go to a model's ``extra`` mapping, as strings;
* a field marked :data:`~smsc_async.models._base.FLATTEN` is a nested model whose fields
  sit beside the parent's on the wire;
* an empty value of an optional field is ``None``;
* SMSC's ``0``/``1`` flags are booleans; codes and documented words become lenient enums;
* ``tuple[int, ...]`` and ``tuple[str, ...]`` read SMSC's list syntax (``"1,2"``, one JSON
  number, or a JSON array); an empty value is an empty tuple;
* dates ``dd.mm.yyyy`` become ``date``; ``dd.mm.yyyy hh:mm[:ss]`` become ``datetime`` in
  Moscow time (UTC+3, no DST since 2014), which is the server's clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn

from smsc_async.formats._common import (
    MAX_EXPONENT,
    MAX_NUMBER_CHARS,
    bounded,
    bounded_decimal,
)
from smsc_async.formats._compiled import compile_structure
from smsc_async.models._base import LenientIntEnum, LenientStrEnum

__all__ = [
    "MAX_EXPONENT",
    "MAX_NUMBER_CHARS",
    "bounded_decimal",
    "configure_json_converter",
    "configure_text_converter",
]

_Hook = Callable[[Any, Any], Any]


def _optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None``, else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if len(args) != 1 or len(typing.get_args(tp)) != 2:  # noqa: PLR2004 - exactly X | None
        return None
    return args[0]


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text for {what}, got {type(value).__name__}")
    return value


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError("expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise ValueError(f"expected an integer, got {value}")
        if value.adjusted() > MAX_EXPONENT:  # int() of 1e600000: 2 million bits
            raise ValueError(f"expected an integer, got one of magnitude 1e{value.adjusted()}")
        return int(value)
    return int(bounded(_text(value, "an integer").strip()))


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("expected a number, got a boolean")
    if isinstance(value, Decimal | int):
        return Decimal(value)
    return bounded_decimal(_text(value, "a number").strip())


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text not in ("0", "1"):
        raise ValueError(f"expected a 0/1 flag, got {value!r}")
    return text == "1"


MSK = dt.timezone(dt.timedelta(hours=3), "MSK")
# The forms strptime's "%d.%m.%Y[ %H:%M[:%S]]" accepts (1- or 2-digit fields, 4-digit years),
# matched by hand: strptime costs ~15 us a call, and a contact list has a date per record.
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_DATETIME = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}) (\d{1,2}):(\d{1,2})(?::(\d{1,2}))?")


def _to_date(value: Any) -> dt.date:
    text = _text(value, "a date").strip()
    if len(text) > 10 and text[10] != " ":  # noqa: PLR2004 - a time may follow, nothing else
        raise ValueError(f"expected a date as dd.mm.yyyy, got {value!r}")
    if len(text) > 10:  # noqa: PLR2004
        return _to_datetime(text).date()
    match = _DATE.fullmatch(text)
    try:
        if match is not None:
            day, month, year = match.groups()
            return dt.date(int(year), int(month), int(day))
    except ValueError:  # out of range: 31.02.2026
        pass
    raise ValueError(f"expected a date as dd.mm.yyyy, got {value!r}")


def _to_datetime(value: Any) -> dt.datetime:
    text = _text(value, "a date and time").strip()
    match = _DATETIME.fullmatch(text)
    try:
        if match is not None:
            day, month, year, hour, minute, second = match.groups()
            return dt.datetime(
                int(year),
                int(month),
                int(day),
                int(hour),
                int(minute),
                int(second or 0),
                tzinfo=MSK,
            )
    except ValueError:  # out of range: 25:00
        pass
    raise ValueError(f"expected dd.mm.yyyy hh:mm:ss, got {value!r}")


# Lists in replies: items separated by commas, semicolons or white space (the docs allow
# "any separator" in requests; Assumption: replies use the same syntax).
_LIST_SEPARATORS = re.compile(r"[,;\s]+")


_OTHER_SEPARATORS = re.compile(r"[;\s]")


def _split_items(value: str) -> tuple[str, ...]:
    """The non-empty items of a list string, as ``_LIST_SEPARATORS`` splits it."""
    if not value:
        return ()
    if _OTHER_SEPARATORS.search(value) is None:  # commas only: str.split, a third the cost
        return tuple(filter(None, value.split(",")))
    return tuple(filter(None, _LIST_SEPARATORS.split(value)))


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        return [item for item in _LIST_SEPARATORS.split(value) if item]
    return [value]  # one JSON number


def _as_extra(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except RecursionError:
        raise ValueError("a value nested too deeply") from None


def _model_factory(
    converter: cattrs.Converter, str_hook: _Hook, int_hook: _Hook
) -> Callable[[Any], _Hook]:
    def factory(cls: Any) -> _Hook:
        attrs.resolve_types(cls)
        fields = attrs.fields(cls)
        base = make_dict_structure_fn(cls, converter)
        has_extra = "extra" in attrs.fields_dict(cls)
        own = {f.name for f in fields if f.name != "extra"}
        flattened: list[tuple[str, frozenset[str]]] = []
        for f in fields:
            if f.metadata.get("smsc_flatten"):
                child = _optional_inner(f.type) or f.type
                flattened.append((f.name, frozenset(a.name for a in attrs.fields(child))))
        claimed = own.union(*(names for _, names in flattened))
        plain = not flattened  # a record of own keys only is handed over as it is
        # Without detailed validation (the pass every reply takes first), such a record
        # goes through a function generated for the class; cattrs' otherwise.
        fast = None
        if plain and not converter.detailed_validation:
            fast = compile_structure(
                cls,
                converter,
                optional_inner=_optional_inner,
                str_hook=str_hook,
                int_hook=int_hook,
            )

        def structure(data: Any, _: Any) -> Any:
            if type(data) is not dict and not isinstance(data, Mapping):
                raise TypeError(f"expected a record for {cls.__name__}, got {type(data).__name__}")
            if plain and own.issuperset(data):
                # The usual record: nothing to sort out, so no copies (``extra`` defaults
                # to an empty mapping, as the sorted copy would give).
                return base(data, cls) if fast is None else fast(data)
            values = {k: v for k, v in data.items() if k in own}
            for name, names in flattened:
                part = {k: v for k, v in data.items() if k in names}
                values[name] = part or None
            if has_extra:
                values["extra"] = {k: _as_extra(v) for k, v in data.items() if k not in claimed}
            return base(values, cls)

        return structure

    return factory


def _configure(converter: cattrs.Converter, scalar: Callable[[Any, str], Any]) -> None:
    """Register the hooks both converter families share; ``scalar`` vets raw values."""
    numbers = scalar is not _text  # the text formats hand over strings only

    def to_int(value: Any, _: Any) -> int:
        # The usual cases first, without the checks' calls: a JSON number, a digit string.
        kind = type(value)
        if kind is int and numbers:
            return value  # type: ignore[no-any-return]
        if kind is str and len(value) <= MAX_NUMBER_CHARS:
            return int(value)  # int() ignores surrounding white space, as _to_int does
        return _to_int(scalar(value, "an integer"))

    # cattrs looks up plain classes by singledispatch, most specific class first, so the
    # enum hook registered on LenientIntEnum wins over the int hook for its subclasses.
    converter.register_structure_hook(int, to_int)
    converter.register_structure_hook(Decimal, lambda v, _: _to_decimal(scalar(v, "a number")))
    converter.register_structure_hook(bool, lambda v, _: _to_bool(scalar(v, "a 0/1 flag")))

    def to_str(value: Any, _: Any) -> str:
        if type(value) is str:  # the usual case, without the checks' calls
            return value
        return _as_extra(scalar(value, "text"))

    converter.register_structure_hook(str, to_str)
    # datetime before date: singledispatch would otherwise hand datetime the date hook.
    converter.register_structure_hook(dt.datetime, lambda v, _: _to_datetime(scalar(v, "a date")))

    def to_date(value: Any, _: Any) -> dt.date:
        if type(value) is str:  # the usual ``dd.mm.yyyy``, without the checks' calls
            match = _DATE.fullmatch(value)
            if match is not None:
                day, month, year = match.groups()
                with contextlib.suppress(ValueError):  # out of range: _to_date says so
                    return dt.date(int(year), int(month), int(day))
        return _to_date(scalar(value, "a date"))

    converter.register_structure_hook(dt.date, to_date)
    converter.register_structure_hook(
        LenientIntEnum, lambda v, cls: cls(_to_int(scalar(v, "a code")))
    )
    # Likewise LenientStrEnum over the str hook (which would hand back a plain str).
    converter.register_structure_hook(
        LenientStrEnum, lambda v, cls: cls(_as_extra(scalar(v, "a word")).strip())
    )

    def optional(tp: Any) -> _Hook:
        inner = _optional_inner(tp)
        hook = converter.get_structure_hook(inner)  # looked up once, not per value

        # The two commonest inner types answer a string in place (as their hooks do),
        # saving a call per field of every record.
        if inner is str:

            def optional_str(value: Any, _: Any) -> Any:
                if value is None or value == "":
                    return None
                return value if type(value) is str else hook(value, inner)

            return optional_str
        if inner is int:

            def optional_int(value: Any, _: Any) -> Any:
                if value is None or value == "":
                    return None
                if type(value) is str and len(value) <= MAX_NUMBER_CHARS:
                    return int(value)
                return hook(value, inner)

            return optional_int

        def structure(value: Any, _: Any) -> Any:
            if value is None or value == "":
                return None
            return hook(value, inner)

        return structure

    converter.register_structure_hook_factory(lambda tp: _optional_inner(tp) is not None, optional)

    def ids(value: Any, _: Any) -> tuple[int, ...]:
        if type(value) is str and len(value) <= MAX_NUMBER_CHARS:
            # No item is longer than the whole, and none holds white space to strip.
            return tuple(map(int, _split_items(value)))
        return tuple(_to_int(scalar(item, "an id")) for item in _items(value))

    def words(value: Any, _: Any) -> tuple[str, ...]:
        if type(value) is str:
            return _split_items(value)
        return tuple(_as_extra(scalar(item, "text")) for item in _items(value))

    converter.register_structure_hook_func(lambda tp: tp == tuple[int, ...], ids)
    converter.register_structure_hook_func(lambda tp: tp == tuple[str, ...], words)
    converter.register_structure_hook_factory(attrs.has, _model_factory(converter, to_str, to_int))


def configure_text_converter(converter: cattrs.Converter) -> None:
    """Configure a converter for fmt 0, 1 and 2, whose decoders yield only strings."""
    _configure(converter, _text)


def _json_scalar(value: Any, what: str) -> Any:
    if isinstance(value, dict | list):
        raise TypeError(f"expected {what}, got a JSON {type(value).__name__}")
    return value


def configure_json_converter(converter: cattrs.Converter) -> None:
    """Configure a converter for fmt 3, whose values are JSON strings or numbers."""
    _configure(converter, _json_scalar)
