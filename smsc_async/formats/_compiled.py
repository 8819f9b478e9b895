"""Generated structuring functions: one per model class, for the records that fit it.

cattrs' own generated function (the detailed converters use it) fills a dict with the
fields present and calls the class with it, every value through its hook. For a record
whose keys are all the model's own, the function generated here reads each key once,
answers the usual string values in place (text, optional text, integers written as
digits: exactly what the hooks do with them) and calls the class with every argument, a
missing optional field getting its default as attrs would give it. Any other value goes
through the field's hook, so the result is always the hook's. Whatever raises sends the
record to the converter's careful path, which says what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs

from smsc_async.formats._common import MAX_NUMBER_CHARS

__all__ = ["compile_structure"]

_MISSING = object()


def compile_structure(
    cls: type,
    converter: cattrs.Converter,
    *,
    optional_inner: Callable[[Any], Any],
    str_hook: Any,
    int_hook: Any,
) -> Callable[[Mapping[str, Any]], Any] | None:
    """A function structuring a record of ``cls``'s own keys, or ``None`` where none applies.

    Args:
        cls: The attrs model.
        converter: The converter whose hooks the fields use.
        optional_inner: ``X`` for a type ``X | None``, else ``None``.
        str_hook: The converter's hook for ``str``: text is inlined only where it is in use.
        int_hook: The converter's hook for ``int``, likewise.

    Returns:
        ``structure(record)``; ``None`` for a model this does not cover (a default that
        needs the instance), which keeps cattrs' function.
    """
    names: dict[str, Any] = {"MISSING": _MISSING, "cls": cls, "MAX": MAX_NUMBER_CHARS}
    body = ["def structure(o):", "    get = o.get"]
    args = []
    for i, field in enumerate(attrs.fields(cls)):
        if not field.init or field.name == "extra":
            continue  # extra is left to its factory: a record of own keys has none
        if field.type is None:
            return None
        x = f"x{i}"
        names[f"h{i}"] = converter.get_structure_hook(field.type)
        names[f"t{i}"] = field.type
        convert = _conversion(
            i,
            field.type,
            converter,
            optional_inner=optional_inner,
            str_hook=str_hook,
            int_hook=int_hook,
        )
        if field.default is attrs.NOTHING:
            body.append(f"    {x} = o[{field.name!r}]")
            body += [f"    {line}" for line in convert]
        else:
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                if default.takes_self:
                    return None
                names[f"d{i}"] = default.factory
                given = f"d{i}()"
            else:
                names[f"d{i}"] = default
                given = f"d{i}"
            body += [
                f"    {x} = get({field.name!r}, MISSING)",
                f"    if {x} is MISSING:",
                f"        {x} = {given}",
                "    else:",
                *(f"        {line}" for line in convert),
            ]
        args.append(f"{field.alias}={x}" if field.kw_only else x)
    body.append(f"    return cls({', '.join(args)})")
    source = "\n".join(body)
    # Generated from the model's own field declarations, as cattrs and attrs do.
    exec(compile(source, f"<smsc_async structure {cls.__qualname__}>", "exec"), names)  # noqa: S102
    structure: Callable[[Mapping[str, Any]], Any] = names["structure"]
    return structure


def _conversion(
    i: int,
    field_type: Any,
    converter: cattrs.Converter,
    *,
    optional_inner: Callable[[Any], Any],
    str_hook: Any,
    int_hook: Any,
) -> list[str]:
    """The lines turning the raw value ``x<i>`` into the field's value (hook ``h<i>``)."""
    x = f"x{i}"
    call = f"{x} = h{i}({x}, t{i})"
    inner = optional_inner(field_type)
    base = field_type if inner is None else inner
    own_hook = converter.get_structure_hook(base)
    lines, test = [], "if"
    if inner is not None:  # what the optional hooks do with None and "" (no value)
        lines = [f"if {x} is None or {x} == '':", f"    {x} = None"]
        test = "elif"
    if base is str and own_hook is str_hook:  # a string is itself
        return [*lines, f"{test} type({x}) is not str:", f"    {call}"]
    if base is int and own_hook is int_hook:  # digits go to int(), as in the hook
        return [
            *lines,
            f"{test} type({x}) is str and len({x}) <= MAX:",
            f"    {x} = int({x})",
            "else:",
            f"    {call}",
        ]
    return [call]
