"""The operator-templates family: ``op_templates.php`` (seed 001, spec §A.2)."""

from __future__ import annotations

from collections.abc import Iterable

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Rule
from smsc_async._validation import Checks, Text, checking
from smsc_async.formats import Column, ListOf, Row
from smsc_async.models.op_templates import OperatorTemplate, TemplateAdded, TemplateTarget
from smsc_async.resources._base import Resource, form
from smsc_async.resources._send_params import TEXT_MAX
from smsc_async.resources.senders import check_sender_name

__all__ = ["ADD", "GET", "OpTemplatesResource", "check_template"]

# Assumption: the seed lost its reply tables; rows follow the sender-list pattern (spec §A.2):
# ``name = <name>, id = <id>, status = <status>`` / ``<name>,<id>,<status>`` / elements / objects.
_ROW = Row((Column("name"), Column("id"), Column("status")))
# "not more than ten identical requests for actions with templates within a minute"
_RULES = (Rule(10),)
_MSG = frozenset({"msg"})  # a template's text is a message: multi-line

ADD: Command[list[TemplateAdded]] = Command(
    "op_templates.add",
    "op_templates.php",
    "add",
    ListOf(_ROW),
    list[TemplateAdded],
    RetryClass.WRITE,
    rules=_RULES,
    multiline=_MSG,
)
GET: Command[list[OperatorTemplate]] = Command(
    "op_templates.get",
    "op_templates.php",
    "get",
    ListOf(_ROW),
    list[OperatorTemplate],
    RetryClass.SAFE_READ,
    rules=_RULES,
    multiline=_MSG,
)


def _check_text(check: Checks, sender: str, text: str) -> None:
    check_sender_name(check, "sender", sender, required=True)
    check.text("text", text, max_len=TEXT_MAX, kind=Text.LINES, required=True)


def check_template(
    check: Checks, sender: str, text: str, targets: Iterable[TemplateTarget | str]
) -> dict[str, str]:
    """Check a template to add; returns its parameters (one ``<target>=1`` flag each)."""
    _check_text(check, sender, text)
    flags: dict[str, str] = {}
    if isinstance(targets, str | TemplateTarget):
        targets = (targets,)  # one target given bare: not its characters
    try:
        given = list(targets)
    except TypeError:
        check.fail("targets", "must be an iterable of TemplateTarget")
        given = []
    known = [t.value for t in TemplateTarget]
    for target in given:
        value = target.value if isinstance(target, TemplateTarget) else target
        if isinstance(value, str) and value in known:
            flags[value] = "1"
        else:
            check.fail("targets", f"unknown target {target!r} (known: {', '.join(known)})")
    if not given:
        check.fail("targets", "name at least one operator and message kind (TemplateTarget)")
    return {**form(sender=sender, msg=text), **flags}


class OpTemplatesResource(Resource):
    """``smsc.op_templates``: service and transactional templates registered with operators.

    SMSC accepts at most 10 identical template requests a minute; calls are paced so.
    """

    async def add(
        self, sender: str, text: str, targets: Iterable[TemplateTarget | str]
    ) -> list[TemplateAdded]:
        """Register a template with operators, for one sender name.

        Args:
            sender: The sender name the template's messages go out under.
            text: The template's text (``msg`` on the wire).
            targets: Operators and message kinds to register with, e.g.
                ``TemplateTarget.select(kinds=[MessageKind.SERVICE])``.

        Returns:
            One row per operator and kind: added, or why not
            (:class:`~smsc_async.TemplateAddStatus`).

        Raises:
            ValidationError: A bad argument (no target, an unknown one, an empty text).
        """
        with checking(ADD.name) as check:
            params = check_template(check, sender, text, targets)
        return await self._call(ADD, params)

    async def get(self, sender: str, text: str) -> list[OperatorTemplate]:
        """A template's state at every operator.

        Args:
            sender: The sender name the template was registered for.
            text: The template's text (``msg`` on the wire).

        Returns:
            One row per operator and kind (:class:`~smsc_async.TemplateStatus`; ``NOT_FOUND``
            where it is not registered).

        Raises:
            ValidationError: A bad argument.
        """
        with checking(GET.name) as check:
            _check_text(check, sender, text)
        return await self._call(GET, form(sender=sender, msg=text))
