"""The option groups of ``send.php`` (kind, content, schedule, kind extras), checked.

Built from the single-parameter checks of :mod:`smsc_async.resources._send_params`; the
messages resource calls them inside one :func:`~smsc_async._validation.checking` block.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from smsc_async._types import Files
from smsc_async._validation import COMMENT_MAX, SUBJECT_MAX, Checks, is_email, is_phone
from smsc_async.errors import ApiError, MaybeAppliedError, ParseError, SendUnconfirmedError
from smsc_async.models.messages import (
    Attachment,
    CallSettings,
    MessageType,
    StatusDetail,
    Translit,
    Voice,
)
from smsc_async.resources import _send_params as p
from smsc_async.resources._base import form
from smsc_async.resources.senders import check_sender_name

__all__ = [
    "LIST_KINDS",
    "SEND_ARGUMENTS",
    "address",
    "content",
    "detail",
    "in_order",
    "kind",
    "kind_extras",
    "schedule",
    "unconfirmed",
]

_KIND_FLAGS = {
    MessageType.FLASH: {"flash": "1"},
    MessageType.BIN: {"bin": "2"},  # binary given as hex (bin=2), never raw bytes
    MessageType.PUSH: {"push": "1"},
    MessageType.HLR: {"hlr": "1"},
    MessageType.PING: {"ping": "1"},
    MessageType.MMS: {"mms": "1"},
    MessageType.CALL: {"call": "1"},
    MessageType.MAIL: {"mail": "1"},
    MessageType.VIBER: {"viber": "1"},
    MessageType.SOC: {"soc": "1"},
}
_WITH_FILES = (MessageType.MMS, MessageType.MAIL, MessageType.CALL)
_WITH_SUBJECT = (MessageType.MMS, MessageType.MAIL)
_MAXSMS = (1, 1000)  # Assumption: the docs give no upper bound; 1000 characters never need more
# An SMSC parameter name: "pp", "fl[5]" (assumption: no documented one has other characters).
_PARAM_NAME = re.compile(r"[A-Za-z0-9_]{1,32}(\[[0-9]{1,3}\])?")
# Set by the SDK itself: a caller's extra parameters may not replace them.
_RESERVED = frozenset(
    {"login", "psw", "apikey", "fmt", "charset", "phones", "mes", "list", "id", "cost"}
)


def kind(check: Checks, value: MessageType | int, allowed: Iterable[MessageType]) -> MessageType:
    """The kind of message to send, one of ``allowed``."""
    choices = tuple(allowed)
    try:
        found = MessageType(value)
    except (ValueError, TypeError):
        found = None
    if found is None or found not in choices:
        check.fail("kind", f"must be one of {', '.join(k.name for k in choices)}; got {value!r}")
        return MessageType.SMS
    return found


def _sender(check: Checks, of: MessageType, sender: str | None, subject: str | None) -> None:
    if of is MessageType.MAIL:
        if sender is None:
            check.fail("sender", "an e-mail needs the sender's address")
        check_sender_name(check, "sender", sender, mail=True)
        if not (isinstance(subject, str) and subject.strip()):
            check.fail("subject", "an e-mail needs a subject")
    elif sender not in ("", "."):  # "" or "." sends without the default sender name
        check_sender_name(check, "sender", sender)
    if subject is not None and of not in _WITH_SUBJECT:
        check.fail("subject", "only an MMS or an e-mail has a subject")
    else:
        check.text("subject", subject, max_len=SUBJECT_MAX)


def content(
    check: Checks,
    *,
    of: MessageType,
    sender: str | None,
    translit: Translit | int | None,
    tinyurl: bool,
    maxsms: int | None,
    subject: str | None = None,
    details: bool = False,
    bad_numbers: bool = False,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """What decides a message's content and price, checked and rendered."""
    _sender(check, of, sender, subject)
    if translit is not None:
        check.int_range("translit", translit, 0, 2)
    check.int_range("maxsms", maxsms, *_MAXSMS)
    params = {
        **_KIND_FLAGS.get(of, {}),
        **form(
            sender=sender,
            translit=None if translit is None else int(translit),
            tinyurl=check.flag("tinyurl", tinyurl),
            maxsms=maxsms,
            subj=subject,
            op=check.flag("details", details),
            err=check.flag("bad_numbers", bad_numbers),
        ),
    }
    if extra is not None:
        if not isinstance(extra, Mapping) or not all(
            isinstance(k, str) and _PARAM_NAME.fullmatch(k) and isinstance(v, str)
            for k, v in extra.items()
        ):
            check.fail("params", "must map parameter names (like pp or fl[5]) to strings")
        else:
            # Each value one line: which of SMSC's other parameters may span lines is unknown.
            good = [check.text(f"params.{k}", v, max_len=COMMENT_MAX) for k, v in extra.items()]
            taken = sorted((_RESERVED | params.keys()) & extra.keys())
            if taken:
                check.fail("params", f"cannot set {', '.join(taken)}: use the arguments")
            if None not in good:
                params.update(extra)
    return params


def schedule(
    check: Checks,
    *,
    time: dt.datetime | dt.timedelta | str | None,
    tz: int | None,
    period: float | Decimal | None,
    freq: int | None,
    valid: int | dt.timedelta | str | None,
) -> dict[str, str]:
    """When a message goes and how long it may wait, checked and rendered."""
    params = form(
        time=p.render_time(check, "time", time),
        tz=p.render_tz(check, tz),
        valid=p.render_valid(check, "valid", valid),
    )
    params.update(p.render_period(check, period, freq))
    return params


def kind_extras(
    check: Checks,
    params: dict[str, str],
    *,
    of: MessageType,
    attachments: Sequence[Attachment],
    fileurl: str | None,
    voice: Voice | str | None,
    call: CallSettings | None,
) -> Files | None:
    """Files, a file link and a call's settings: added to ``params``; returns the files."""
    files = None
    if attachments:
        if of not in _WITH_FILES:
            check.fail("attachments", "only an MMS, an e-mail or a call takes files")
        else:
            files = p.render_attachments(check, attachments)
    if fileurl is not None:
        check.url("fileurl", fileurl)
        params["fileurl"] = str(fileurl)
    if (voice is not None or call is not None) and of is not MessageType.CALL:
        check.fail("voice" if voice is not None else "call", "only a call has these settings")
    if voice is not None:
        try:
            params["voice"] = Voice(voice).value
        except ValueError:
            check.fail("voice", f"must be a Voice (m, m2, w, w2, w3, w4), got {voice!r}")
    params.update(form(param=p.render_call(check, call)))
    return files


def in_order(check: Checks, arguments: Sequence[str]) -> None:
    """Sort the problems found so far into the order of the method's ``arguments``.

    The groups above check what belongs together (a kind's sender and subject), not in
    signature order; the caller reads the list against the signature.
    """
    rank = {name: n for n, name in enumerate(arguments)}

    def where(field: str) -> int:
        return rank.get(field.split("[", 1)[0].split(".", 1)[0], len(rank))

    check.errors.sort(key=lambda error: where(error.field))


def address(check: Checks, field: str, phone: str) -> str | None:
    """A recipient to ask a status about: a phone number or an e-mail address."""
    if not (is_phone(phone) or is_email(phone)):
        check.fail(field, f"must be a phone number (or an e-mail address), got {phone!r}")
        return None
    return phone.strip()


def detail(check: Checks, value: StatusDetail | int) -> str | None:
    """``all=``: ``None`` for the basic status (the default, not sent)."""
    try:
        level = StatusDetail(value)
    except (ValueError, TypeError):
        check.fail("detail", f"must be a StatusDetail (0, 1 or 2), got {value!r}")
        return None
    return str(int(level)) if level else None


LIST_KINDS = (  # what send_list() can send: each recipient's own text
    MessageType.SMS,
    MessageType.FLASH,
    MessageType.PUSH,
    MessageType.VIBER,
    MessageType.SOC,
)


# send()'s arguments in signature order (send_list's and cost()'s are a subsequence).
SEND_ARGUMENTS = (
    "messages",
    "phones",
    "text",
    "kind",
    "sender",
    "id",
    "time",
    "tz",
    "period",
    "freq",
    "valid",
    "maxsms",
    "translit",
    "subject",
    "attachments",
    "fileurl",
    "voice",
    "call",
    "params",
)


def unconfirmed(
    exc: MaybeAppliedError, command: str, message_id: str, wire: Mapping[str, str]
) -> SendUnconfirmedError:
    """The error for a send whose outcome the command path could not know (``exc``)."""
    to = wire.get("phones") or ",".join(
        line.split(":", 1)[0] for line in wire.get("list", "").split("\n")
    )
    cause = exc.__cause__
    code = cause.code if isinstance(cause, ApiError) else None
    if code is not None:
        why = (
            f"SMSC refused it as a duplicate (error {code}) of an identical send within the "
            "last minute, which may have been this message"
        )
    else:
        # An unreadable answer: the path's own words ("the answer could not be read (...)").
        told = exc if isinstance(cause, ParseError) else cause or exc
        why = str(told).split(": ", 1)[-1].split(";", 1)[0]
    return SendUnconfirmedError(
        f"{why}; it may or may not have been sent, so it is not repeated (ask status() "
        "for each phone)",
        command=command,
        id=message_id,
        phones=tuple(to.split(",")),
        code=code,
        status_code=exc.status_code,
    )
