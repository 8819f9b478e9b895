"""Models of the contacts family (``phones.php`` and ``mails.php``, seed 004, spec §A.5).

One set of models serves both address books: a phone contact's numbers and an e-mail
contact's addresses are both its :attr:`Contact.addresses`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs

from smsc_async.models._base import LenientIntEnum, extra_field

__all__ = ["BlacklistEntry", "BlockType", "Contact", "ContactGroup", "CreatedId"]


class BlockType(LenientIntEnum):
    """What a blacklist entry blocks (``type`` of ``add_black``)."""

    ALL = 0
    """Every message."""
    MASS = 1
    """Mass mailings only."""
    SINGLE = 2
    """Single messages only."""


@attrs.frozen
class Contact:
    """A contact of the phone book (``phones.php``) or of the e-mail book (``mails.php``).

    Attributes:
        addresses: Its phone numbers (``phone``), or e-mail addresses (``mail``).
        id: The id the client gave it (``myid``), as text; ``None`` where it has none.
        name: Its name.
        groups: The ids of the groups it belongs to.
        first_name: First name.
        last_name: Surname.
        middle_name: Middle name.
        birthday: Date of birth.
        comment: A comment (``comments`` in the reply, ``cmt`` in requests).
        tags: Its tags, as the server writes them.
        other_addresses: Other numbers (``phone_other``) or addresses (``mail_other``);
            messages are not sent to them.
        int_id: The server's own id of it (``int_id``), where the reply carries one:
            ``after_id`` pages by it.
        extra: Fields the server sent that this model does not know.
    """

    addresses: tuple[str, ...]
    # Seed 004 says the listed <id> is the "contact Id assigned by the Client", the words it
    # uses for ``myid``: any text the client chose ("c-17"), so it is read as text.
    id: str | None = None
    name: str | None = None
    groups: tuple[int, ...] = ()
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: dt.date | None = None
    comment: str | None = None
    tags: str | None = None
    other_addresses: tuple[str, ...] = ()
    # Seed 004 says after_id takes the "Contact ID (int_id)" (get, fmt=3) but lists no
    # int_id among the reply's fields: it is kept where a reply has it, None elsewhere.
    int_id: int | None = None
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class ContactGroup:
    """A group of contacts.

    Attributes:
        id: Its id, assigned by the server (``grp`` in requests).
        name: Its name.
        number: The group's number for sending (``num``); ``None`` where it has none.
        count: How many contacts it holds (``cnt``).
        extra: Fields the server sent that this model does not know.
    """

    id: int
    name: str
    number: int | None = None
    count: int | None = None
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class BlacklistEntry:
    """An entry of the blacklist: a number (or e-mail address) messages are not sent to.

    Attributes:
        id: Its id, assigned by the server; ``prev_id`` pages by it.
        address: The phone number (``phone``), or e-mail address (``email``).
        type: What it blocks.
        comment: A comment.
        extra: Fields the server sent that this model does not know.
    """

    id: int
    address: str
    type: BlockType = BlockType.ALL
    comment: str | None = None
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class CreatedId:
    """The reply to creating a contact, group or blacklist entry: its new id."""

    id: int
