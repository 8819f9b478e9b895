"""Models of the message-templates family (``templates.php``, spec §6.2).

These are the account's own saved message texts (``smsc.templates``), not the templates
registered with operators (``op_templates.php``, :mod:`smsc_async.models.op_templates`).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from smsc_async.models._base import LenientStrEnum, extra_field

__all__ = ["MessageTemplate", "TemplateFormat"]


class TemplateFormat(LenientStrEnum):
    """What kind of message a template is for (``format``); unknown words are kept.

    The docs also allow an empty format ("not specified"): that is ``None`` in the models.
    """

    SMS = "sms"
    """An SMS."""
    FLASH = "flash"
    """A flash SMS."""
    BIN = "bin"
    """A binary SMS."""
    PUSH = "push"
    """A wap-push."""
    MMS = "mms"
    """An MMS."""
    CALL = "call"
    """A voice call."""
    MAIL = "mail"
    """An e-mail."""
    VIBER = "viber"
    """A Viber message."""


@attrs.frozen
class MessageTemplate:
    """A message template of the account.

    Attributes:
        id: Its id, assigned by the server (``tpl`` of a mailing names it).
        name: Its name.
        text: The message text (``msg``, or ``message``, on the wire).
        format: The kind of message it is for; ``None`` when not specified.
        sender: The sender name it uses; ``None`` for the account's default.
        flag: Its flags as the server reports them (``0``: none).
        extra: Fields the server sent that this model does not know.
    """

    id: int
    name: str
    text: str | None = None
    format: TemplateFormat | None = None
    sender: str | None = None
    flag: int = 0
    extra: Mapping[str, str] = extra_field()

    @property
    def auto_signature(self) -> bool:
        """Whether the template is used for auto-signing (``fl[1]``).

        Assumption: the docs name no other flag, so any non-zero ``flag`` means this one.
        """
        return self.flag != 0
