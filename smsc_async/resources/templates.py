"""The message-templates family: ``templates.php`` (spec §6.2).

Not to be confused with operator templates (``op_templates.php``, ``smsc.op_templates``).
"""

from __future__ import annotations

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Format, Rule
from smsc_async._validation import NAME_MAX, Checks, Text, checking
from smsc_async.formats import Column, ListOf, Ok, Row, Single
from smsc_async.models.contacts import CreatedId
from smsc_async.models.templates import MessageTemplate, TemplateFormat
from smsc_async.resources._base import Resource, form
from smsc_async.resources._paging import or_empty
from smsc_async.resources._send_params import TEXT_MAX
from smsc_async.resources.senders import check_sender_name

__all__ = ["ADD", "CHANGE", "DELETE", "LIST", "TemplatesResource"]

# Assumption: the docs show no reply layout. valery1707/smsc-java reads get as a JSON array
# of {id, name, format, sender, flag} and the text; whether the server calls the text ``msg``
# (like the request) or ``message`` is unverified, so both land in ``text`` (the name
# messages.send uses for a message's text). The key order
# for fmt=0/1 is ours; both texts may hold commas, so a fmt=1 line with more cells than
# columns cannot be read (ParseError), never misread.
_TEXT = {"message": "text", "msg": "text"}
_TEMPLATE = Row(
    (
        Column("id"),
        Column("name", free_text=True),
        Column("format"),
        Column("sender"),
        Column("flag"),
        Column("text", free_text=True),
    ),
    renames=dict.fromkeys(Format, _TEXT),
)
# add answers {"id": N} (valery1707); the other formats are assumed to follow the project's
# created-id convention (``ID = N`` / ``N`` / ``<id>N</id>``).
_ID = Row((Column("id"),))
# templates.php's limits exist but are not published: assume 3 identical a minute (spec §B).
_RULES = (Rule(3),)

LIST: Command[list[MessageTemplate]] = Command(
    "templates.get",
    "templates.php",
    "get",
    ListOf(_TEMPLATE),
    list[MessageTemplate],
    RetryClass.SAFE_READ,
    rules=_RULES,
)
_MSG = frozenset({"msg"})  # a template's text is a message: multi-line
ADD: Command[CreatedId] = Command(
    "templates.add",
    "templates.php",
    "add",
    Single(_ID),
    CreatedId,
    RetryClass.WRITE,
    rules=_RULES,
    multiline=_MSG,
)
CHANGE: Command[None] = Command(
    "templates.chg",
    "templates.php",
    "chg",
    Ok(),
    None,
    RetryClass.WRITE,
    rules=_RULES,
    multiline=_MSG,
)
DELETE: Command[None] = Command(
    "templates.del", "templates.php", "del", Ok(), None, RetryClass.WRITE, rules=_RULES
)


def _format(check: Checks, value: TemplateFormat | str | None) -> str | None:
    if value is None:
        return None
    known = [f.value for f in TemplateFormat]
    word = value.value if isinstance(value, TemplateFormat) else value
    if not isinstance(word, str) or word not in known:
        check.fail("format", f"must be a TemplateFormat ({', '.join(known)}), got {value!r}")
        return None
    return word


def _fields(
    check: Checks,
    *,
    name: str | None,
    text: str | None,
    format: TemplateFormat | str | None,  # noqa: A002 - SMSC's own parameter name
    sender: str | None,
) -> dict[str, str]:
    check.text("name", name, max_len=NAME_MAX, kind=Text.NAME, blank=False)
    check.text("text", text, max_len=TEXT_MAX, kind=Text.LINES, blank=False)
    word = _format(check, format)
    check_sender_name(check, "sender", sender, mail=word == TemplateFormat.MAIL.value)
    return form(name=name, msg=text, format=word, sender=sender)


class TemplatesResource(Resource):
    """``smsc.templates``: the account's message templates (``templates.php``).

    A template's id can stand for the text of a mailing (``smsc.mailings.add(tpl=...)``).
    SMSC publishes no limits for this script; calls are paced at 3 identical a minute.
    """

    async def list(self) -> list[MessageTemplate]:
        """Every template of the account.

        Returns:
            The templates, in the server's order (empty when there are none).
        """
        # Assumption: like the other list scripts, error 3 on get means "none found".
        return await or_empty(self._call(LIST, {}))

    async def add(
        self,
        name: str,
        text: str,
        *,
        format: TemplateFormat | str | None = None,  # noqa: A002 - SMSC's own parameter name
        sender: str | None = None,
        auto_signature: bool = False,
    ) -> int:
        """Create a template.

        Args:
            name: The template's name.
            text: The message text (``msg`` on the wire).
            format: The kind of message it is for (not specified by default).
            sender: The sender name it uses (an e-mail address for ``TemplateFormat.MAIL``).
            auto_signature: Use it for auto-signing (``fl[1]=1``).

        Returns:
            The new template's id.

        Raises:
            ValidationError: A bad argument (an empty name or text, an unknown format, a bad
                sender name); nothing was sent.
        """
        with checking(ADD.name) as check:
            if name is None:
                check.fail("name", "must be a non-empty string")
            if text is None:
                check.fail("text", "must be a non-empty string")
            params = _fields(check, name=name, text=text, format=format, sender=sender)
            if check.flag("auto_signature", auto_signature):
                params["fl[1]"] = "1"
        reply = await self._call(ADD, params)
        return reply.id

    async def change(
        self,
        id: int,  # noqa: A002 - SMSC's own parameter name
        *,
        name: str | None = None,
        text: str | None = None,
        format: TemplateFormat | str | None = None,  # noqa: A002
        sender: str | None = None,
        auto_signature: bool | None = None,
    ) -> None:
        """Change a template; only the values given are sent.

        Args:
            id: The template to change.
            name: A new name.
            text: A new text (``msg``).
            format: A new kind of message.
            sender: A new sender name.
            auto_signature: Turn auto-signing on (``True``) or off (``False``, sent as
                ``fl[1]=0``; assumption: the server reads 0 as off).

        Raises:
            ValidationError: A bad argument, or nothing to change; nothing was sent.
            NotFoundError: No template has that id (error 3).
        """
        with checking(CHANGE.name) as check:
            check.int_range("id", id, 1, 2**63 - 1)
            if id is None:
                check.fail("id", "must be the template's id")
            params = _fields(check, name=name, text=text, format=format, sender=sender)
            if auto_signature is not None and not isinstance(auto_signature, bool):
                check.fail("auto_signature", "must be True, False or None")
            if not params and auto_signature is None:
                check.fail("change", "nothing to change: give at least one new value")
        if auto_signature is not None:
            params["fl[1]"] = "1" if auto_signature else "0"
        await self._call(CHANGE, {"id": str(id), **params})

    async def delete(self, id: int) -> None:  # noqa: A002 - SMSC's own parameter name
        """Delete a template.

        Raises:
            ValidationError: ``id`` is not a positive integer; nothing was sent.
            NotFoundError: No template has that id (error 3).
        """
        with checking(DELETE.name) as check:
            check.int_range("id", id, 1, 2**63 - 1)
            if id is None:
                check.fail("id", "must be the template's id")
        await self._call(DELETE, {"id": str(id)})
