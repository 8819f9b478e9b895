"""The message-templates family in the emulator: ``templates.php`` (spec §6.2).

The docs show no reply layouts. What the emulator answers, and why:

* ``add``: the new id, ``{"id": N}`` as valery1707/smsc-java reads it from the server, and
  the project's created-id convention in the other formats (``ID = N``, ``N``,
  ``<result><id>N</id></result>``).
* ``get``: one row per template, ``id, name, format, sender, flag, message``; that client's
  create-then-list test reads the text back through a field named ``message``.
* ``chg``/``del``: ``OK``; an unknown id is error 3 (valery1707 maps it to "invalid id").
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import attrs

from smsc_async import Format, MessageTemplate, TemplateFormat
from smsc_async.testing._calls import Call, Handler, Refusal, Render
from smsc_async.testing._render import render_created_id, render_ok

__all__ = ["TemplatesFamily", "render_templates"]

_FORMATS = frozenset({"", *(f.value for f in TemplateFormat)})
_FIELDS = ("name", "msg", "format", "sender")


@attrs.define
class TemplatesFamily:
    """State: message templates per owner (account or subclient), by id.

    Attributes:
        templates: ``owner -> id -> template``.
    """

    templates: dict[str, dict[int, MessageTemplate]] = attrs.field(
        factory=lambda: defaultdict(dict)
    )
    _next_id: int = 0

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher."""
        return {
            ("templates.php", "add"): self.add,
            ("templates.php", "chg"): self.chg,
            ("templates.php", "del"): self.delete,
            ("templates.php", "get"): self.get,
        }

    def find(self, owner: str, template_id: int) -> MessageTemplate | None:
        """``owner``'s template ``template_id``, if it exists (mailings send them)."""
        return self.templates.get(owner, {}).get(template_id)

    # -- commands -----------------------------------------------------------------------

    def add(self, call: Call) -> Render:
        """Create a template: ``name`` and ``msg`` are required."""
        values = _values(call)
        if not values.get("name") or not values.get("msg"):
            raise Refusal(1, "name and msg are required")
        self._next_id += 1
        template = _template(self._next_id, values, _flag(call, 0))
        self.templates[call.owner()][template.id] = template
        new_id = template.id
        return lambda fmt: render_created_id(fmt, new_id, root="result")

    def chg(self, call: Call) -> Render:
        """Change the values given; the others stay."""
        old = self._find(call)
        values = {
            "name": old.name,
            "msg": old.text or "",
            "format": old.format.value if old.format is not None else "",
            "sender": old.sender or "",
            **_values(call),
        }
        if not values["name"] or not values["msg"]:
            raise Refusal(1, "name and msg may not be emptied")
        self.templates[call.owner()][old.id] = _template(old.id, values, _flag(call, old.flag))
        return render_ok

    def delete(self, call: Call) -> Render:
        """Delete a template."""
        old = self._find(call)
        del self.templates[call.owner()][old.id]
        return render_ok

    def get(self, call: Call) -> Render:
        """Every template of the caller, by id."""
        rows = sorted(self.templates.get(call.owner(), {}).values(), key=lambda t: t.id)
        return lambda fmt: render_templates(fmt, rows)

    def _find(self, call: Call) -> MessageTemplate:
        raw = call.params.get("id", "")
        template = self.find(call.owner(), int(raw)) if raw.isdigit() else None
        if template is None:
            raise Refusal(3, "template not found")
        return template


def _values(call: Call) -> dict[str, str]:
    values = {k: call.params[k] for k in _FIELDS if k in call.params}
    if values.get("format", "") not in _FORMATS:
        raise Refusal(1, "unknown format")
    return values


def _flag(call: Call, default: int) -> int:
    raw = call.params.get("fl[1]")
    if raw is None:
        return default
    if raw not in ("0", "1"):
        raise Refusal(1, "bad fl[1]")
    return int(raw)


def _template(template_id: int, values: dict[str, str], flag: int) -> MessageTemplate:
    return MessageTemplate(
        template_id,
        values["name"],
        values["msg"],
        TemplateFormat(values["format"]) if values.get("format") else None,
        values.get("sender") or None,
        flag,
    )


def render_templates(fmt: Format, templates: Sequence[MessageTemplate]) -> str:
    """The reply to ``templates.php?get=1``: a row per template (none: an empty list)."""
    rows = [
        [
            ("id", t.id),
            ("name", t.name),
            ("format", t.format.value if t.format is not None else ""),
            ("sender", t.sender or ""),
            ("flag", t.flag),
            ("message", t.text or ""),
        ]
        for t in templates
    ]
    if fmt is Format.LINES:
        return "\n".join(", ".join(f"{k} = {v}" for k, v in row) for row in rows)
    if fmt is Format.CSV:
        return "\n".join(",".join(str(v) for _, v in row) for row in rows)
    if fmt is Format.XML:
        parts = ["<list>"]
        for row in rows:
            parts.append("<template>")
            parts += [f"<{k}>{escape(str(v))}</{k}>" for k, v in row]
            parts.append("</template>")
        parts.append("</list>")
        return "\n".join(parts)
    documents: list[dict[str, Any]] = [dict(row) for row in rows]
    return json.dumps(documents, indent=0, ensure_ascii=False)
