"""The operator-templates family in the emulator: ``op_templates.php`` (seed 001, spec §A.2)."""

from __future__ import annotations

from collections import defaultdict

import attrs

from smsc_async import (
    OperatorTemplate,
    SenderStatus,
    TemplateAdded,
    TemplateAddStatus,
    TemplateStatus,
    TemplateTarget,
)
from smsc_async.testing._calls import Call, Handler, Refusal, Render
from smsc_async.testing._render import render_op_templates
from smsc_async.testing._senders import SendersFamily

__all__ = ["OpTemplatesFamily", "Registrations"]

Registrations = dict[TemplateTarget, tuple[int, TemplateStatus]]
"""One template's registrations: its id and state at each target it was added for."""


@attrs.define
class OpTemplatesFamily:
    """State: templates per owner (account or subclient), by ``(sender, msg)``.

    Attributes:
        senders: The sender-names family: a template needs an allowed name of its owner.
        templates: ``owner -> (sender, msg) -> target -> (id, status)``.
    """

    senders: SendersFamily
    templates: dict[str, dict[tuple[str, str], Registrations]] = attrs.field(
        factory=lambda: defaultdict(dict)
    )
    _next_id: int = 0

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher."""
        return {
            ("op_templates.php", "add"): self.add,
            ("op_templates.php", "get"): self.get,
        }

    # -- set-up -------------------------------------------------------------------------

    def set_status(
        self,
        owner: str,
        sender: str,
        msg: str,
        target: TemplateTarget | str,
        status: TemplateStatus,
    ) -> None:
        """Move one registration along, as an operator would (for tests).

        Raises:
            KeyError: The template was never added for ``target``.
        """
        registrations = self.templates[owner][sender, msg]
        target = TemplateTarget(target)
        template_id, _ = registrations[target]
        registrations[target] = (template_id, TemplateStatus(status))

    def move(self, old: str, new: str) -> None:
        """Give ``old``'s templates to ``new`` (a renamed subclient)."""
        if old in self.templates:
            self.templates[new] = self.templates.pop(old)

    # -- commands -----------------------------------------------------------------------

    def add(self, call: Call) -> Render:
        """Register a template with the operators flagged; one row per target asked for."""
        sender, msg = _text(call)
        wanted = [t for t in TemplateTarget if call.flag(t.value)]
        if not wanted:
            raise Refusal(1, "no operator given")
        names = self.senders.names.get(call.owner(), {}).values()
        if not any(e.sender == sender and e.status is SenderStatus.ALLOWED for e in names):
            rejected = [
                TemplateAdded(t.value, TemplateAddStatus.SENDER_NOT_ACCEPTED) for t in wanted
            ]
            return lambda fmt: render_op_templates(fmt, rejected)
        registrations = self.templates[call.owner()].setdefault((sender, msg), {})
        rows = []
        for target in wanted:
            if target in registrations:
                template_id = registrations[target][0]  # re-adding keeps the id
            else:
                self._next_id += 1
                template_id = self._next_id
            # Assumption: a re-added template waits for registration again.
            registrations[target] = (template_id, TemplateStatus.AWAITING_REGISTRATION)
            rows.append(TemplateAdded(target.value, TemplateAddStatus.ADDED, template_id))
        return lambda fmt: render_op_templates(fmt, rows)

    def get(self, call: Call) -> Render:
        """A template's state at every target (``NOT_FOUND`` where it was not added)."""
        sender, msg = _text(call)
        registrations = self.templates.get(call.owner(), {}).get((sender, msg), {})
        rows = []
        for target in TemplateTarget:
            if target in registrations:
                template_id, status = registrations[target]
                rows.append(OperatorTemplate(target.value, status, template_id))
            else:
                rows.append(OperatorTemplate(target.value, TemplateStatus.NOT_FOUND))
        return lambda fmt: render_op_templates(fmt, rows)


def _text(call: Call) -> tuple[str, str]:
    sender, msg = call.params.get("sender", ""), call.params.get("msg", "")
    if not sender or not msg:
        raise Refusal(1, "sender and msg are required")
    return sender, msg
