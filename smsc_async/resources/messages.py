"""The messages family: ``send.php`` (send, price) and ``status.php`` (status, delete).

Spec §2, §3, §7 and §8. A send is never replayed blind: every send carries a message id
(the caller's, or one the SDK assigns), and a send whose outcome is unknown raises
:class:`~smsc_async.SendUnconfirmedError` naming that id, so ``status`` can reconcile it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from decimal import Decimal

import attrs

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Files, Rule, Scope
from smsc_async._validation import checking
from smsc_async.errors import MaybeAppliedError, SendUnconfirmedError
from smsc_async.formats import ListOf, Ok, Single
from smsc_async.models.messages import (
    Attachment,
    CallSettings,
    MessageCost,
    MessageType,
    Sent,
    StatusDetail,
    StatusReport,
    Translit,
    Voice,
)
from smsc_async.resources import _send_options as o
from smsc_async.resources import _send_params as p
from smsc_async.resources._base import Call, Resource, form
from smsc_async.resources._message_rows import STATUS_MANY_ROW, STATUS_ROW, sent_shape

__all__ = [
    "COST",
    "DELETE",
    "SEND",
    "SEND_WITH_BALANCE",
    "SEND_WITH_COST",
    "STATUS",
    "STATUS_MANY",
    "MessagesResource",
]

# "More than 1 identical send a minute" (spec §8). Every send carries an id, most of them
# assigned by the SDK, so the id does not tell two sends apart: a repeat of the same text to
# the same phones waits for the window whatever its id.
_SEND_RULES = (Rule(1, ignore=frozenset({"id"}), group="messages.send"),)


# A message's text, and the list's lines of texts, are multi-line; no other parameter is.
_TEXTS = frozenset({"mes", "list"})


def _declare_send(*columns: str) -> Command[Sent]:
    return Command(
        "messages.send",
        "send.php",
        "",
        sent_shape(*columns),
        Sent,
        RetryClass.SEND,
        _SEND_RULES,
        multiline=_TEXTS,
    )


SEND = _declare_send("id", "cnt")
"""Send (``cost=0``): fmt=1 ``<id>,<cnt>``."""
SEND_WITH_COST = _declare_send("id", "cnt", "cost")
"""Send and report the price (``cost=2``): fmt=1 ``<id>,<cnt>,<cost>``."""
SEND_WITH_BALANCE = _declare_send("id", "cnt", "cost", "balance")
"""Send and report the price and new balance (``cost=3``): fmt=1 ``<id>,<cnt>,<cost>,<balance>``."""
COST: Command[MessageCost] = Command(
    "messages.cost",
    "send.php",
    "",
    sent_shape("cost", "cnt"),  # fmt=1 "1.40,1"; fmt=0 "OK - 1 SMS, COST - 1.40"
    MessageCost,
    RetryClass.SAFE_READ,
    (Rule(5),),  # more than 5 identical price requests a minute -> error 9
    multiline=_TEXTS,
)

# "More than 5 requests for the status of the same message a minute" (spec §8): a request
# counts once towards each id it names (per id: stricter than per phone and id).
_STATUS_RULES = (Rule(5, scope=Scope.EACH, param="id", group="messages.status"),)

STATUS: Command[StatusReport] = Command(
    "messages.status",
    "status.php",
    "",
    Single(STATUS_ROW),
    StatusReport,
    RetryClass.SAFE_READ,
    _STATUS_RULES,
)
STATUS_MANY: Command[list[StatusReport]] = Command(
    "messages.status",
    "status.php",
    "",
    ListOf(STATUS_MANY_ROW),
    list[StatusReport],
    RetryClass.SAFE_READ,
    _STATUS_RULES,
)
# Assumption: deleting answers OK like other scripts' changes (the docs show no reply).
DELETE: Command[None] = Command(
    "messages.delete", "status.php", "del", Ok(), None, RetryClass.WRITE, _STATUS_RULES
)


def _send_command(*, report_cost: bool, report_balance: bool) -> tuple[Command[Sent], str | None]:
    if report_balance:
        return SEND_WITH_BALANCE, "3"
    if report_cost:
        return SEND_WITH_COST, "2"
    return SEND, None


class MessagesResource(Resource):
    """``smsc.messages``: send messages, price them, follow and delete them.

    SMSC refuses a second identical send within a minute, a 6th identical price request
    and a 6th status request about one message; calls are held back to keep within that.
    """

    def __init__(self, call: Call, new_id: Callable[[], Awaitable[str]] | None = None) -> None:
        super().__init__(call)
        # The limiter backend's ids are unique among all its sharers (a Redis counter
        # across workers); without one, the process's own counter.
        self._new_id = new_id

    async def send(
        self,
        phones: str | Iterable[str],
        text: str | bytes | None = None,
        *,
        kind: MessageType = MessageType.SMS,
        sender: str | None = None,
        id: int | str | None = None,  # noqa: A002 - SMSC's own parameter name
        time: dt.datetime | dt.timedelta | str | None = None,
        tz: int | None = None,
        period: float | Decimal | None = None,
        freq: int | None = None,
        valid: int | dt.timedelta | str | None = None,
        maxsms: int | None = None,
        translit: Translit | int | None = None,
        tinyurl: bool = False,
        subject: str | None = None,
        attachments: Sequence[Attachment] = (),
        fileurl: str | None = None,
        voice: Voice | str | None = None,
        call: CallSettings | None = None,
        details: bool = False,
        bad_numbers: bool = False,
        report_cost: bool = False,
        report_balance: bool = False,
        params: Mapping[str, str] | None = None,
    ) -> Sent:
        """Send a message to one or more recipients.

        The send is never repeated blindly. If its outcome cannot be known (the answer was
        lost after the request left, or SMSC refused it as a duplicate of an identical send
        within the minute), :class:`~smsc_async.SendUnconfirmedError` names its id: ask
        :meth:`status` for each phone before sending again. Without ``id`` the SDK assigns
        one (a number unique within the process), so every send can be looked up.

        Args:
            phones: Phone numbers in international format (or ``G<group id>``; e-mail
                addresses for ``MAIL``): a list, or one string separated by ``,`` or ``;``.
            text: The text, up to 1000 characters. ``BIN``: bytes (or their hex digits);
                ``PUSH``: the link, a line break, the title; none for ``HLR`` and ``PING``.
            kind: What to send (:class:`MessageType`): SMS, flash, push, bin, hlr, ping,
                mms, mail, call, viber, soc.
            sender: A registered sender name; ``""`` (or ``"."``) for none at all; the
                sender's address for an e-mail.
            id: The message id: an integer 1 to 2147483647 or up to 40 of
                ``A-Z a-z 0-9 . - _``. ``None``: the SDK assigns one.
            time: When to send: an aware ``datetime``; a naive one in ``tz``; a
                ``timedelta`` of whole minutes from now; or SMSC's own string forms
                (``"DDMMYYhhmm"``, ``"DD.MM.YY hh:mm"``, ``"h1-h2"``, ``"0<unix time>"``,
                ``"+<minutes>"``). ``None``: now.
            tz: Hours from Moscow time that a naive ``time`` is in (``None``: the account's).
            period: Spread the mailing over this many hours (0.1 to 720).
            freq: With ``period``, send a batch every this many minutes (1 to 1440).
            valid: How long the message may wait for delivery: hours (1 to 24), a
                ``timedelta``, or ``"hh:mm"``.
            maxsms: At most this many parts; a longer text is cut.
            translit: Transliterate Cyrillic text (:class:`Translit`).
            tinyurl: Shorten links in the text (and count clicks).
            subject: The subject of an MMS or an e-mail (required for e-mail).
            attachments: Files for an MMS, an e-mail or a call.
            fileurl: An http(s) link to a file to attach.
            voice: A call's voice (:class:`Voice`).
            call: How a call is placed (:class:`CallSettings`).
            details: Add per-recipient details to the reply (``op=1``).
            bad_numbers: Add the numbers that failed, with their errors (``err=1``).
            report_cost: Add the price to the reply (``cost=2``).
            report_balance: Add the price and the new balance (``cost=3``).
            params: Further SMSC parameters, sent as given (e.g. ``{"pp": "123"}``).

        Returns:
            The message id, the SMS count, and whatever else was asked for.

        Raises:
            ValidationError: A bad argument; nothing was sent.
            SendUnconfirmedError: The outcome is unknown; carries ``id`` and ``phones``.
            InsufficientFundsError, MessageDeniedError, InvalidNumberError,
                UndeliverableError: SMSC refused; ``.id`` names the message it recorded.
        """
        with checking(SEND.name) as check:
            of = o.kind(check, kind, MessageType)
            fields = {
                "phones": p.recipients(check, "phones", phones, of),
                "mes": p.render_text(check, "text", text, of),
                "id": p.message_id(check, "id", id),
            }
            wire = o.content(
                check,
                of=of,
                sender=sender,
                translit=translit,
                tinyurl=tinyurl,
                maxsms=maxsms,
                subject=subject,
                details=details,
                bad_numbers=bad_numbers,
                extra=params,
            )
            wire.update(o.schedule(check, time=time, tz=tz, period=period, freq=freq, valid=valid))
            check.flag("report_cost", report_cost)
            check.flag("report_balance", report_balance)
            files = o.kind_extras(
                check, wire, of=of, attachments=attachments, fileurl=fileurl, voice=voice, call=call
            )
            o.in_order(check, o.SEND_ARGUMENTS)
        return await self._send(
            fields, wire, files, report_cost=report_cost, report_balance=report_balance
        )

    async def send_list(
        self,
        messages: Mapping[str, str] | Iterable[tuple[str, str]],
        *,
        kind: MessageType = MessageType.SMS,
        sender: str | None = None,
        id: int | str | None = None,  # noqa: A002
        time: dt.datetime | dt.timedelta | str | None = None,
        tz: int | None = None,
        period: float | Decimal | None = None,
        freq: int | None = None,
        valid: int | dt.timedelta | str | None = None,
        maxsms: int | None = None,
        translit: Translit | int | None = None,
        tinyurl: bool = False,
        details: bool = False,
        bad_numbers: bool = False,
        report_cost: bool = False,
        report_balance: bool = False,
        params: Mapping[str, str] | None = None,
    ) -> Sent:
        """Send each recipient its own text in one request (``list=``).

        Every message of the list shares one id. Texts may not hold line breaks (lines
        separate the list's entries). The other arguments are those of :meth:`send`.

        Args:
            messages: Phone number to text, as a mapping or ``(phone, text)`` pairs.
            kind: ``SMS``, ``FLASH``, ``PUSH``, ``VIBER`` or ``SOC``.
            sender: See :meth:`send`.
            id: See :meth:`send`.
            time: See :meth:`send`.
            tz: See :meth:`send`.
            period: See :meth:`send`.
            freq: See :meth:`send`.
            valid: See :meth:`send`.
            maxsms: See :meth:`send`.
            translit: See :meth:`send`.
            tinyurl: See :meth:`send`.
            details: See :meth:`send`.
            bad_numbers: See :meth:`send`.
            report_cost: See :meth:`send`.
            report_balance: See :meth:`send`.
            params: See :meth:`send`.

        Raises:
            ValidationError: A bad argument; nothing was sent.
            SendUnconfirmedError: The outcome is unknown; carries ``id`` and ``phones``.
        """
        with checking(SEND.name) as check:
            of = o.kind(check, kind, o.LIST_KINDS)
            fields = {
                "list": p.render_list(check, "messages", messages),
                "id": p.message_id(check, "id", id),
            }
            wire = o.content(
                check,
                of=of,
                sender=sender,
                translit=translit,
                tinyurl=tinyurl,
                maxsms=maxsms,
                details=details,
                bad_numbers=bad_numbers,
                extra=params,
            )
            wire.update(o.schedule(check, time=time, tz=tz, period=period, freq=freq, valid=valid))
            check.flag("report_cost", report_cost)
            check.flag("report_balance", report_balance)
            o.in_order(check, o.SEND_ARGUMENTS)
        return await self._send(
            fields, wire, None, report_cost=report_cost, report_balance=report_balance
        )

    async def cost(
        self,
        phones: str | Iterable[str],
        text: str | bytes | None = None,
        *,
        kind: MessageType = MessageType.SMS,
        sender: str | None = None,
        maxsms: int | None = None,
        translit: Translit | int | None = None,
        tinyurl: bool = False,
        subject: str | None = None,
        details: bool = False,
        params: Mapping[str, str] | None = None,
    ) -> MessageCost:
        """The price of a message, without sending it (``cost=1``).

        Identical price requests in flight share one request; SMSC answers at most 5
        identical ones a minute. The arguments are those of :meth:`send`.

        Args:
            phones: See :meth:`send`.
            text: See :meth:`send`.
            kind: See :meth:`send`.
            sender: See :meth:`send`.
            maxsms: See :meth:`send`.
            translit: See :meth:`send`.
            tinyurl: See :meth:`send`.
            subject: See :meth:`send`.
            details: Add per-recipient prices (``op=1``).
            params: See :meth:`send`.

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(COST.name) as check:
            of = o.kind(check, kind, MessageType)
            fields = form(
                phones=p.recipients(check, "phones", phones, of),
                mes=p.render_text(check, "text", text, of),
                cost="1",
            )
            wire = o.content(
                check,
                of=of,
                sender=sender,
                translit=translit,
                tinyurl=tinyurl,
                maxsms=maxsms,
                subject=subject,
                details=details,
                extra=params,
            )
            o.in_order(check, o.SEND_ARGUMENTS)
        return await self._call(COST, {**fields, **wire})

    async def status(
        self,
        phone: str,
        id: int | str,  # noqa: A002 - SMSC's own parameter name
        *,
        detail: StatusDetail | int = StatusDetail.BASIC,
    ) -> StatusReport:
        """The delivery status of one message to one phone.

        Args:
            phone: The recipient (an e-mail address for an e-mail).
            id: The message id the send carried (:attr:`Sent.id`).
            detail: How much to tell (:class:`StatusDetail`).

        Returns:
            The status; its ``id`` and ``phone`` are the ones asked about. A message SMSC
            does not know has status ``NOT_FOUND``.

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(STATUS.name) as check:
            address = o.address(check, "phone", phone)
            msg_id = p.message_id(check, "id", id)
            level = o.detail(check, detail)
        report = await self._call(STATUS, form(phone=address, id=msg_id, all=level))
        return attrs.evolve(report, id=report.id or msg_id, phone=report.phone or address)

    async def status_many(
        self,
        messages: Iterable[tuple[str, int | str]],
        *,
        detail: StatusDetail | int = StatusDetail.BASIC,
    ) -> list[StatusReport]:
        """The statuses of several messages in one request.

        Args:
            messages: ``(phone, id)`` pairs.
            detail: How much to tell (:class:`StatusDetail`).

        Returns:
            One status per message, each with its ``id`` and ``phone``, in SMSC's order;
            an unknown message has status ``NOT_FOUND``.

        Raises:
            ValidationError: A bad argument; nothing was sent.
        """
        with checking(STATUS_MANY.name) as check:
            pairs = [] if isinstance(messages, str) else list(messages)
            phones, ids = [], []
            for n, pair in enumerate(pairs):
                if not (isinstance(pair, tuple) and len(pair) == 2):  # noqa: PLR2004
                    check.fail(f"messages[{n}]", "must be a (phone, id) pair")
                    continue
                phones.append(o.address(check, f"messages[{n}]", pair[0]))
                ids.append(p.message_id(check, f"messages[{n}]", pair[1]))
            if not pairs:
                check.fail("messages", "must hold at least one (phone, id) pair")
            level = o.detail(check, detail)
        # A trailing comma keeps the several-messages layout even for one (spec §3.1).
        params = {"phone": ",".join(map(str, phones)) + ",", "id": ",".join(map(str, ids)) + ","}
        return await self._call(STATUS_MANY, {**params, **form(all=level)})

    async def delete(self, phone: str, id: int | str) -> None:  # noqa: A002
        """Delete a message sent earlier (``del=1``).

        Raises:
            ValidationError: A bad argument; nothing was sent.
            OperationFailedError: SMSC could not delete it (error 5).
        """
        with checking(DELETE.name) as check:
            address = o.address(check, "phone", phone)
            msg_id = p.message_id(check, "id", id)
        await self._call(DELETE, form(phone=address, id=msg_id))

    # -- helpers ---------------------------------------------------------------------------

    async def _send(
        self,
        fields: dict[str, str | None],
        params: dict[str, str],
        files: Files | None,
        *,
        report_cost: bool,
        report_balance: bool,
    ) -> Sent:
        # Assigned only once the arguments are good: a refused call uses up no id.
        message_id = fields.get("id") or (
            await self._new_id() if self._new_id is not None else p.new_message_id()
        )
        command, cost = _send_command(report_cost=report_cost, report_balance=report_balance)
        wire = {**form(**{**fields, "id": message_id}), **form(cost=cost), **params}
        try:
            return await self._call(command, wire, files=files)
        except SendUnconfirmedError:
            raise
        except MaybeAppliedError as exc:
            raise o.unconfirmed(exc, command.name, message_id, wire) from exc
