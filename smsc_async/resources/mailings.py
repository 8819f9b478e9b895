"""The mailings family: ``jobs.php`` (spec §6.1; replies: the jobs_answer docs page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Format, Rule
from smsc_async._validation import NAME_MAX, Checks, Text, checking, smsc_date
from smsc_async.formats import Column, ListOf, Ok, Row, Single
from smsc_async.models.mailings import Mailing, MailingCreated, MailingKind, MailingRepeat
from smsc_async.models.messages import Translit
from smsc_async.resources import _mailing_options as options
from smsc_async.resources._base import Resource, form

__all__ = ["ADD", "CANCEL", "DELETE", "GET", "GET_ALL", "MailingsResource"]

_ID_MAX = 2**63 - 1

# add: "OK, ID - <id>[, COST - <cost>]" / "<id>[,<cost>]" / <result><id>..</id>[<cost>..]
# / {"id": <id>[, "cost": "<cost>"]}, the cost only with cost=1 (jobs_answer docs): what
# send.php's cost=2 does for ``messages.send(report_cost=True)``, hence the same Python name.
_CREATED = Row((Column("id"), Column("cost", when="cost")))
# get/get_all: no layout in the available docs. Assumption: keyed rows (fmt=0 lines, fmt=2
# elements, fmt=3 objects) in this order for fmt=1; name and text may hold commas, so a
# fmt=1 line with more cells than columns cannot be read (ParseError), never misread.
# UNVERIFIED: a public script that deletes every mailing takes the first characters of each
# fmt=0 get_all line as its id, so the real fmt=0 rows may not be keyed; JSON is the default.
_MAILING = Row(
    (
        Column("id"),
        Column("name", free_text=True),
        Column("status"),
        Column("sender"),
        Column("text", free_text=True),
    ),
    # The wire's ``mes`` is the model's ``text``, the name messages.send uses.
    renames={fmt: {"mes": "text"} for fmt in Format},
)
# "Sending more than one identical request for actions with mailing lists within a minute"
# earns error 9 (jobs_answer docs); spec §B's "3, UNVERIFIED" predates that page.
_RULES = (Rule(1),)

# Creating a mailing sends messages: never replayed blind after an unknown outcome.
ADD: Command[MailingCreated] = Command(
    "jobs.add",
    "jobs.php",
    "add",
    Single(_CREATED),
    MailingCreated,
    RetryClass.SEND,
    rules=_RULES,
    multiline=frozenset({"mes", "list"}),  # the text, the list's lines of texts
)
GET: Command[Mailing] = Command(
    "jobs.get", "jobs.php", "get", Single(_MAILING), Mailing, RetryClass.SAFE_READ, rules=_RULES
)
GET_ALL: Command[list[Mailing]] = Command(
    "jobs.get_all",
    "jobs.php",
    "get_all",
    ListOf(_MAILING),
    list[Mailing],
    RetryClass.SAFE_READ,
    rules=_RULES,
)
CANCEL: Command[None] = Command(
    "jobs.cancel", "jobs.php", "cancel", Ok(), None, RetryClass.WRITE, rules=_RULES
)
DELETE: Command[None] = Command(
    "jobs.del", "jobs.php", "del", Ok(), None, RetryClass.WRITE, rules=_RULES
)


def _check_id(check: Checks, value: int) -> None:
    if value is None:
        check.fail("id", "must be the mailing's id")
    check.int_range("id", value, 1, _ID_MAX)


class MailingsResource(Resource):
    """``smsc.mailings``: mailings (``jobs.php``): create, inspect, cancel, delete.

    SMSC refuses a second identical request about mailings within a minute: calls are
    paced so, and identical reads in flight share one request.
    """

    async def add(
        self,
        name: str,
        phones: Iterable[str] | None = None,
        text: str | None = None,
        *,
        tpl: int | None = None,
        list: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,  # noqa: A002
        kind: MailingKind | str = MailingKind.SMS,
        sender: str | None = None,
        subject: str | None = None,
        time: dt.datetime | dt.timedelta | str | None = None,
        tz: int | None = None,
        repeat: MailingRepeat | int | None = None,
        repeat_count: int | None = None,
        auto_repeat: bool = False,
        sender2: str | None = None,
        period: float | Decimal | None = None,
        freq: int | None = None,
        valid: int | dt.timedelta | str | None = None,
        translit: Translit | int | None = None,
        tinyurl: bool = False,
        fileurl: str | None = None,
        report_cost: bool = False,
    ) -> MailingCreated:
        """Create a mailing: one text to many recipients, now, later or repeatedly.

        The text is exactly one of ``text``, ``tpl`` (a message template's id) or ``list``
        (a text per recipient, which then names the recipients too); HLR and ping mailings
        have none.

        A mailing sends messages, so the call is never repeated after a failure that leaves
        its outcome unknown (:class:`~smsc_async.MaybeAppliedError`): look at
        :meth:`get_all` before trying again.

        Args:
            name: The mailing's name.
            phones: The recipients: phone numbers (``+`` optional), ``G<id>`` for every
                number of a contact group; e-mail addresses for ``MailingKind.MAIL``.
            text: The text (at most 1000 characters; ``mes`` on the wire).
            tpl: The id of a message template to send (``smsc.templates``).
            list: Recipient -> text, instead of ``phones`` and ``text``.
            kind: What to send (SMS by default).
            sender: The sender name (an e-mail address for mail, which needs one).
            subject: The subject of an MMS or e-mail (e-mail needs one; ``subj``).
            time: When to send: a ``datetime`` (an aware one is sent in Moscow time), a
                ``timedelta`` from now, or one of SMSC's forms (``"DDMMYYhhmm"``,
                ``"DD.MM.YY hh:mm"``, ``"h1-h2"``, ``"0<unix time>"``, ``"+<minutes>"``).
            tz: The hours ``time`` is ahead of Moscow (naive times only).
            repeat: How often to send it again.
            repeat_count: At most this many repeats (``rptn``).
            auto_repeat: Repeat automatically (``fl[5]=1``).
            sender2: The sender name of the automatic repeats.
            period: Spread the sending over this many hours (0.1 to 720).
            freq: Minutes between the batches of a ``period`` (1 to 1440).
            valid: How long a message may wait for delivery: hours (1 to 24), a
                ``timedelta`` or ``"hh:mm"`` (00:01 to 24:00).
            translit: Transliterate Cyrillic text (:class:`~smsc_async.Translit`).
            tinyurl: Shorten the links in the text.
            fileurl: The http(s) address of a file to attach.
            report_cost: Add the mailing's cost to the reply (``cost=1``).

        Returns:
            The new mailing's id, and its cost when asked for.

        Raises:
            ValidationError: A bad argument; nothing was sent.
            MaybeAppliedError: The request may have reached SMSC and was not repeated.
        """
        with checking(ADD.name) as check:
            check.text("name", name, max_len=NAME_MAX, kind=Text.NAME, required=True)
            which = options.check_kind(check, kind)
            params = form(name=name, sender=sender, subj=subject, sender2=sender2, fileurl=fileurl)
            params.update(
                options.text(check, which, phones=phones, text=text, tpl=tpl, per_recipient=list)
            )
            params.update(
                options.extras(
                    check,
                    which,
                    sender=sender,
                    subject=subject,
                    sender2=sender2,
                    fileurl=fileurl,
                    auto_repeat=auto_repeat,
                )
            )
            params.update(
                form(time=options.send_time(check, time), valid=options.valid(check, valid))
            )
            params.update(options.schedule(check, time, tz, repeat, repeat_count))
            params.update(options.spread(check, period, freq))
            check.int_range("translit", translit, 0, 2)  # a Translit is an int
            if isinstance(translit, int):
                params["translit"] = str(int(translit))
            check.flag("auto_repeat", auto_repeat)
            params.update(
                form(
                    tinyurl=check.flag("tinyurl", tinyurl),
                    cost=check.flag("report_cost", report_cost),
                )
            )
        return await self._call(ADD, params)

    async def get(self, id: int) -> Mailing:  # noqa: A002 - SMSC's own parameter name
        """One mailing.

        Raises:
            ValidationError: ``id`` is not a positive integer; nothing was sent.
            NotFoundError: Error 3 (assumed to mean no such mailing).
        """
        with checking(GET.name) as check:
            _check_id(check, id)
        return await self._call(GET, {"id": str(id)})

    async def get_all(
        self, *, start: dt.date | str | None = None, end: dt.date | str | None = None
    ) -> list[Mailing]:
        """Every mailing of the account, or those of a period.

        Args:
            start: From this date (``date`` or ``"dd.mm.yyyy"``).
            end: Up to this date.

        Raises:
            ValidationError: A bad date; nothing was sent.
        """
        with checking(GET_ALL.name) as check:
            # Assumption: start/end are dates as SMSC writes them elsewhere (dd.mm.yyyy).
            params = form(start=smsc_date(check, "start", start), end=smsc_date(check, "end", end))
        return await self._call(GET_ALL, params)

    async def cancel(self, id: int) -> None:  # noqa: A002
        """Disable a mailing that is waiting to be sent.

        Raises:
            ValidationError: ``id`` is not a positive integer; nothing was sent.
        """
        with checking(CANCEL.name) as check:
            _check_id(check, id)
        await self._call(CANCEL, {"id": str(id)})

    async def delete(self, id: int) -> None:  # noqa: A002
        """Delete a mailing.

        Raises:
            ValidationError: ``id`` is not a positive integer; nothing was sent.
        """
        with checking(DELETE.name) as check:
            _check_id(check, id)
        await self._call(DELETE, {"id": str(id)})
