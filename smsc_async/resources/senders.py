"""The sender-names family: ``senders.php`` (seed 002, spec §A.3)."""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import PurePath

import attrs

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Files, Format, Rule, Scope
from smsc_async._validation import (
    COMMENT_MAX,
    FILENAME_MAX,
    NAME_MAX,
    URL_MAX,
    Checks,
    Text,
    check_login,
    checking,
    is_email,
    smsc_date,
)
from smsc_async.formats import Column, ListOf, Ok, Row, Single
from smsc_async.models.senders import (
    OperatorStatuses,
    Registration,
    Sender,
    SenderDocument,
    SenderId,
    UaRegistration,
)
from smsc_async.resources._base import Resource, form
from smsc_async.resources._paging import pages

__all__ = [
    "ADD",
    "CHANGE",
    "CHECK_CODE",
    "DELETE",
    "DOCUMENT_MAX_BYTES",
    "DOCUMENT_TYPES",
    "LIST",
    "LIST_MAX_CNT",
    "SEND_CODE",
    "SendersResource",
    "check_sender_name",
    "check_user",
]

LIST_MAX_CNT = 15000
DOCUMENT_MAX_BYTES = 3 * 1024 * 1024  # "3 MB" in the docs; read as binary megabytes
# The documented types are jpg, tif, pdf, png, zip, rar; .jpeg and .tiff are the same types.
DOCUMENT_TYPES = frozenset({"jpg", "jpeg", "tif", "tiff", "pdf", "png", "zip", "rar"})
# Assumption: the docs say the document goes "in the request body" without naming the field;
# SMSC's official libraries post attachments as file0, file1, ... so we use file0.
_DOCUMENT_FIELD = "file0"
# ASCII digits only: str.isdigit() also accepts Arabic-Indic, fullwidth and superscript ones.
_DIGITS = re.compile(r"[0-9]+")
# "only English letters, numbers, dots, dashes and underscores; at most 11 characters"
# (SMSC's FAQ 88 on sender names); a digital name is a phone number, up to 15 digits.
_NAME = re.compile(r"[A-Za-z0-9._-]+")
_NAME_MAX = 11
_DIGITAL_NAME_MAX = 15

# fmt=0 order of the per-operator keys (seed 002). Assumption: fmt=1 with operators=1 (no
# layout in the docs, no keys to check) follows it, as the documented all=0/all=1 rows
# follow their fmt=0 key order; fmt=0, 2 and 3 are read by key.
_OPERATOR_KEYS = tuple(a.name for a in attrs.fields(OperatorStatuses))

_SENDER = Row(
    (
        Column("sender", free_text=True),
        Column("status", when="all"),
        *(Column(key, when="operators") for key in _OPERATOR_KEYS),
        Column("id"),
    ),
    renames={Format.LINES: {"name": "sender"}},
)
# add answers ``ID = <id>`` / ``<id>`` / ``<sender><id>id</id></sender>`` / ``{"sender": <id>}``.
_SENDER_ID = Row((Column("id"),), renames={Format.JSON: {"sender": "id"}})

LIST: Command[list[Sender]] = Command(
    "senders.get",
    "senders.php",
    "get",
    ListOf(_SENDER),
    list[Sender],
    RetryClass.SAFE_READ,
    rules=(Rule(3),),  # more than 3 identical list requests a minute -> error 9
)
ADD: Command[SenderId] = Command(
    "senders.add",
    "senders.php",
    "add",
    Single(_SENDER_ID),
    SenderId,
    RetryClass.WRITE,
    rules=(Rule(5, scope=Scope.COMMAND),),  # more than 5 creations a minute -> error 9
)
# The docs give no numbers for chg/del/send_code/check_code; like spec §B does for scripts
# with unknown limits, we assume 3 identical requests a minute.
CHANGE: Command[None] = Command(
    "senders.chg", "senders.php", "chg", Ok(), None, RetryClass.WRITE, rules=(Rule(3),)
)
DELETE: Command[None] = Command(
    "senders.del", "senders.php", "del", Ok(), None, RetryClass.WRITE, rules=(Rule(3),)
)
# Sending a code texts the number: never replayed blind.
SEND_CODE: Command[None] = Command(
    "senders.send_code", "senders.php", "send_code", Ok(), None, RetryClass.SEND, rules=(Rule(3),)
)
CHECK_CODE: Command[None] = Command(
    "senders.check_code",
    "senders.php",
    "check_code",
    Ok(),
    None,
    RetryClass.WRITE,
    rules=(Rule(3),),
)


def check_sender_name(
    check: Checks, field: str, sender: str | None, *, mail: bool = False, required: bool = False
) -> None:
    """A sender name: up to 11 characters, or 15 digits; an e-mail address with ``mail``.

    Its characters are SMSC's: English letters, digits, ``.``, ``-`` and ``_``.
    ``None`` passes unless ``required``.
    """
    if sender is None:
        if required:
            check.fail(field, "is required")
        return
    if not isinstance(sender, str) or not sender.strip():
        check.fail(field, "must be a non-empty string")
    elif mail:
        if not is_email(sender):
            check.fail(field, "must be an e-mail address (a name made with mail=True)")
    elif _DIGITS.fullmatch(sender):
        if len(sender) > _DIGITAL_NAME_MAX:
            check.fail(field, f"a digital name has at most 15 digits, got {len(sender)}")
    elif len(sender) > _NAME_MAX:
        check.fail(field, f"has at most 11 characters (15 if all digits), got {len(sender)}")
    elif not _NAME.fullmatch(sender):
        check.fail(field, "may hold only English letters, digits, '.', '-' and '_'")


def _check_existing_name(check: Checks, sender: str | None) -> None:
    """The name of an existing sender, for ``chg`` and ``del``: a name, or an e-mail address.

    Seed 002 says ``mail=1`` adds "the sender's e-mail address" as a name; changing or
    deleting one takes it by ``sender`` like any name, so an address (it holds ``@``, no
    ordinary name can) is checked as one.
    """
    mail = isinstance(sender, str) and "@" in sender
    check_sender_name(check, "sender", sender, mail=mail)


def _check_digital(check: Checks, field: str, sender: str) -> None:
    if not (
        isinstance(sender, str) and _DIGITS.fullmatch(sender) and len(sender) <= _DIGITAL_NAME_MAX
    ):
        check.fail(
            field, f"must be a digital name (a phone number, up to 15 digits), got {sender!r}"
        )


def check_user(check: Checks, user: str | None) -> None:
    """``user=``, a subclient's login, when given."""
    if user is not None:
        check_login(check, "user", user)


def _check_id(check: Checks, field: str, value: int | None) -> None:
    check.int_range(field, value, 1, 2**63 - 1)


def _registration(
    check: Checks, register: Iterable[Registration | str], ua: UaRegistration | None
) -> dict[str, str]:
    params: dict[str, str] = {}
    known = {r.value for r in Registration}
    for item in register:
        value = item.value if isinstance(item, Registration) else item
        if value in known:
            params[value] = "1"
        else:
            check.fail("register", f"unknown registration {item!r} (known: {', '.join(known)})")
    if ua is not None:
        if not isinstance(ua, UaRegistration):
            check.fail("ua_reg", "must be a UaRegistration")
            return params
        missing = [
            name
            for name in ("fio", "inn", "email", "address", "desc", "subj")
            if not str(getattr(ua, name) or "").strip()
        ]
        if missing:
            check.fail("ua_reg", f"needs {', '.join(missing)}")
        for name, kind, longest in _UA_FIELDS:
            check.text(f"ua_reg.{name}", getattr(ua, name), max_len=longest, kind=kind)
        if ua.email is not None and not is_email(ua.email):
            check.fail("ua_reg.email", "must be an e-mail address")
        params.update(
            form(
                ua_reg=True,
                fio=ua.fio,
                inn=ua.inn,
                site=ua.site,
                email=ua.email,
                address=ua.address,
                desc=ua.desc,
                subj=ua.subj,
            )
        )
    return params


# The registration details' kinds; assumption: each is one line (an address included).
_UA_FIELDS = (
    ("fio", Text.NAME, NAME_MAX),
    ("inn", Text.NAME, NAME_MAX),
    ("site", Text.NAME, URL_MAX),
    ("email", Text.NAME, NAME_MAX),
    ("address", Text.LINE, COMMENT_MAX),
    ("desc", Text.LINE, COMMENT_MAX),
    ("subj", Text.LINE, COMMENT_MAX),
)


def _document(check: Checks, document: SenderDocument | None, doc_info: str | None) -> Files | None:
    check.text("doc_info", doc_info, max_len=COMMENT_MAX)
    if document is None:
        if doc_info is not None:
            check.fail("doc_info", "describes a document: pass document= too")
        return None
    if not isinstance(document, SenderDocument):
        check.fail("document", "must be a SenderDocument")
        return None
    filename = check.text(
        "document", document.filename, max_len=FILENAME_MAX, kind=Text.NAME, required=True
    )
    if filename is None:
        return None
    suffix = PurePath(document.filename).suffix.lower().lstrip(".")
    if suffix not in DOCUMENT_TYPES:
        check.fail("document", f"must be jpg, tif, pdf, png, zip or rar, got {suffix or 'no'} file")
    size = len(document.content)
    if size == 0:
        check.fail("document", "is empty")
    elif size > DOCUMENT_MAX_BYTES:
        check.fail("document", f"is {size} bytes, at most {DOCUMENT_MAX_BYTES} (3 MB) allowed")
    content_type = (
        document.content_type
        or mimetypes.guess_type(document.filename)[0]
        or "application/octet-stream"
    )
    return {_DOCUMENT_FIELD: (PurePath(document.filename).name, document.content, content_type)}


class SendersResource(Resource):
    """``smsc.senders``: sender names (Sender IDs) of the account or of a subclient.

    Every method takes ``user=`` to act for a subclient (its login).
    """

    async def list(
        self,
        *,
        all: bool = False,  # noqa: A002 - SMSC's own parameter name
        operators: bool = False,
        from_date: dt.date | str | None = None,
        prev_id: int | None = None,
        cnt: int | None = None,
        user: str | None = None,
    ) -> list[Sender]:
        """List sender names, one page.

        Args:
            all: Every name, not only activated ones; fills :attr:`Sender.status`.
            operators: Add per-operator statuses (:attr:`Sender.operators`).
            from_date: Only names whose status at some operator changed since this date
                (``date`` or ``"dd.mm.yyyy"``); sorted by that change, newest first.
            prev_id: Only names created before the one with this id (paging).
            cnt: At most this many names (1 to 15000).
            user: Act for this subclient.

        Returns:
            The names, in the server's order.

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(LIST.name) as check:
            check.flag("all", all)
            check.flag("operators", operators)
            date = smsc_date(check, "from_date", from_date)
            _check_id(check, "prev_id", prev_id)
            check.int_range("cnt", cnt, 1, LIST_MAX_CNT)
            check_user(check, user)
        params = form(
            all=all, operators=operators, from_date=date, prev_id=prev_id, cnt=cnt, user=user
        )
        return await self._call(LIST, params)

    def iterate(
        self,
        *,
        all: bool = False,  # noqa: A002
        operators: bool = False,
        page_size: int = 1000,
        user: str | None = None,
    ) -> AsyncIterator[Sender]:
        """Every sender name, fetched a page at a time as the caller consumes them.

        Pages are chained with ``prev_id`` (the smallest id of the page before); each page
        is a separate request through the command path. There is no ``from_date`` here: with
        it the server sorts by status-change date, not by id, so ``prev_id`` paging would
        skip names. Use ``list(from_date=..., cnt=15000)`` for that.

        Args:
            all: Every name, not only activated ones.
            operators: Add per-operator statuses.
            page_size: Names per request (1 to 15000).
            user: Act for this subclient.

        Raises:
            ValidationError: A bad argument, raised here, before iteration starts.
            ParseError: During iteration, if the server's pages do not move to older ids.
        """
        with checking(LIST.name) as check:
            check.flag("all", all)
            check.flag("operators", operators)
            check.int_range("page_size", page_size, 1, LIST_MAX_CNT)
            check_user(check, user)
        params = form(all=all, operators=operators, cnt=page_size, user=user)
        return self._pages(params, page_size)

    def _pages(self, params: dict[str, str], page_size: int) -> AsyncIterator[Sender]:
        async def fetch(prev_id: int | None) -> list[Sender]:
            page_params = params if prev_id is None else {**params, "prev_id": str(prev_id)}
            return await self._call(LIST, page_params)

        # Assumption: prev_id pages run from newer to older names (the docs: "names created
        # before the name with the specified ID").
        return pages(fetch, page_size, ascending=False, command=LIST.name)

    async def add(
        self,
        sender: str,
        *,
        comment: str | None = None,
        register: Iterable[Registration | str] = (),
        ua_reg: UaRegistration | None = None,
        mail: bool = False,
        name: str | None = None,
        document: SenderDocument | None = None,
        doc_info: str | None = None,
        user: str | None = None,
    ) -> int:
        """Create a sender name.

        SMSC accepts at most 5 creations a minute.

        Args:
            sender: The name: up to 11 characters, or up to 15 digits; an e-mail address
                with ``mail=True``.
            comment: A comment on the name (``cmt`` on the wire).
            register: Operators to register the name with.
            ua_reg: Register for Ukraine at the national rate, with these details.
            mail: The name is the sender's e-mail address.
            name: With ``mail=True``, the owner's name.
            document: A document for the operators (jpg, tif, pdf, png, zip, rar; 3 MB).
            doc_info: A description of ``document``.
            user: Act for this subclient.

        Returns:
            The new name's id.

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(ADD.name) as check:
            check.flag("mail", mail)
            check_sender_name(check, "sender", sender, mail=mail is True, required=True)
            check.text("comment", comment, max_len=COMMENT_MAX)
            check.text("name", name, max_len=NAME_MAX, kind=Text.NAME)
            if name is not None and not mail:
                check.fail("name", "names the owner of an e-mail sender: needs mail=True")
            check_user(check, user)
            params = form(
                sender=sender, cmt=comment, mail=mail, name=name, doc_info=doc_info, user=user
            )
            params.update(_registration(check, register, ua_reg))
            files = _document(check, document, doc_info)
        reply = await self._call(ADD, params, files=files)
        return reply.id

    async def change(
        self,
        sender: str | None = None,
        *,
        id: int | None = None,  # noqa: A002 - SMSC's own parameter name
        comment: str | None = None,
        register: Iterable[Registration | str] = (),
        ua_reg: UaRegistration | None = None,
        document: SenderDocument | None = None,
        doc_info: str | None = None,
        user: str | None = None,
    ) -> None:
        """Change a sender name's comment, registrations or documents.

        Args:
            sender: The name to change (an e-mail address for a name made with
                ``mail=True``); or give ``id`` instead.
            id: The id of the name to change.
            comment: A new comment (``cmt``).
            register: Operators to register the name with.
            ua_reg: Register for Ukraine at the national rate, with these details.
            document: A document for the operators.
            doc_info: A description of ``document``.
            user: Act for this subclient.

        Raises:
            ValidationError: A bad argument (e.g. both or neither of ``sender`` and ``id``).
            NotFoundError: No such name.
        """
        with checking(CHANGE.name) as check:
            check.exactly_one(sender=sender, id=id)
            _check_existing_name(check, sender)
            _check_id(check, "id", id)
            check.text("comment", comment, max_len=COMMENT_MAX)
            check_user(check, user)
            params = form(sender=sender, id=id, cmt=comment, doc_info=doc_info, user=user)
            params.update(_registration(check, register, ua_reg))
            files = _document(check, document, doc_info)
        await self._call(CHANGE, params, files=files)

    async def delete(
        self,
        sender: str | None = None,
        *,
        id: int | None = None,  # noqa: A002
        user: str | None = None,
    ) -> None:
        """Delete a sender name, by name or by id (exactly one).

        A name made with ``mail=True`` is deleted by its e-mail address.

        Raises:
            ValidationError: Both or neither of ``sender`` and ``id``, or a bad value.
            NotFoundError: No such name.
        """
        with checking(DELETE.name) as check:
            check.exactly_one(sender=sender, id=id)
            _check_existing_name(check, sender)
            _check_id(check, "id", id)
            check_user(check, user)
        await self._call(DELETE, form(sender=sender, id=id, user=user))

    async def send_code(
        self,
        sender: str,
        *,
        site: str | None = None,
        site_name: str | None = None,
        user: str | None = None,
    ) -> None:
        """Text a confirmation code to a digital sender name (a phone number).

        Args:
            sender: The digital name, digits only.
            site: A registered sender name to send the code from.
            site_name: The site named in the message text.
            user: Act for this subclient.

        Raises:
            ValidationError: ``sender`` is not a digital name.
            CodeAlreadySentError: A code was sent already; retry after 8 hours.
        """
        with checking(SEND_CODE.name) as check:
            _check_digital(check, "sender", sender)
            check_sender_name(check, "site", site)
            check.text("site_name", site_name, max_len=NAME_MAX, kind=Text.NAME)
            check_user(check, user)
        await self._call(SEND_CODE, form(sender=sender, site=site, site_name=site_name, user=user))

    async def check_code(self, sender: str, code: str | int, *, user: str | None = None) -> None:
        """Confirm a digital sender name with the code texted to it.

        Raises:
            ValidationError: ``sender`` is not a digital name, or ``code`` is not digits.
            InvalidCodeError: The code is wrong.
        """
        with checking(CHECK_CODE.name) as check:
            _check_digital(check, "sender", sender)
            if isinstance(code, bool) or not _DIGITS.fullmatch(str(code)):
                check.fail("code", "must be the digits of the confirmation code")
            check_user(check, user)
        await self._call(CHECK_CODE, form(sender=sender, code=str(code), user=user))
