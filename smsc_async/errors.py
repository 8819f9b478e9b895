"""The one exception tree of smsc_async.

Everything the SDK raises on purpose derives from :class:`SmscError`::

    SmscError
    ├── TransportError          no usable answer: connection, timeout, HTTP 5xx, an HTML page
    │   └── MaybeAppliedError       a change or send whose outcome is unknown: not repeated
    │       └── SendUnconfirmedError    a message send whose outcome is unknown (.id, .phones)
    ├── ClientClosedError       the client was closed: nothing (more) is sent
    ├── EventLoopError          used from a loop it cannot serve (another thread's, or
    │                           not its http_client's)
    ├── LoginPausedError        refused before sending: the login is paused (ban, auth guard)
    ├── LimiterUnavailableError the shared limiter (Redis) cannot be reached: nothing sent
    ├── ApiError                SMSC answered with an error code (.code, .message, .command)
    │   ├── ParametersError         1  error in parameters
    │   ├── AuthError               2  wrong login/password/API key, or IP not allowed
    │   ├── NotFoundError           3  the object (sender name, operator, ...) was not found
    │   │   └── InsufficientFundsError  3 on send.php: not enough money
    │   ├── IpBlockedError          4  the IP address is temporarily blocked
    │   ├── OperationFailedError    5  saving or deleting failed
    │   │   ├── InvalidDateError        5 on send.php, jobs.php: bad ``time``
    │   │   └── LoginTakenError         5 on users.php: the subclient login is taken
    │   ├── MessageDeniedError      6  message denied (text or sender name)
    │   ├── InvalidNumberError      7  invalid phone number format
    │   ├── UndeliverableError      8  cannot deliver to that number
    │   ├── RateLimitError          9  anti-flood rule or too many concurrent requests
    │   │   └── DeadlineTooShortError   not SMSC's: the wait for a limit would pass the
    │   │                               call's deadline, so nothing was sent
    │   ├── CodeAlreadySentError   10  confirmation code already sent (retry after 8 hours)
    │   └── InvalidCodeError       11  wrong confirmation code
    ├── ParseError              the answer could not be understood
    ├── CallbackError           a callback request SMSC (or someone) sent us is unusable:
    │   │                       a missing field, a non-numeric status, an oversized body...
    │   └── SignatureError          its signature is missing or wrong (or crc32, not allowed)
    └── ValidationError         bad input, raised before any request (also a ValueError)

Errors name the Python call that raised them first, the wire command after it in brackets
when it differs: ``contacts.add [phones.add]: SMSC error 7 (invalid number)``. ``command``
stays the wire command (what rule overrides and logs use) and ``call`` is the Python one
(``None`` outside a resource call, e.g. raised by the constructor).

The four wire formats' error envelopes all map to the same class through
:func:`api_error_class`. No exception text ever contains a password or an API key: the
messages are built from the server's description, the command name and field names, and
every text that comes from an answer (an excerpt, an error page, httpx's words, SMSC's
description) goes through one redaction, :func:`smsc_async._secret.redact`, here: in
:class:`SmscError`'s constructor for the message, and in each class for the attributes
that hold such text (``ParseError.excerpt`` and ``reason``, ``ApiError.message``). A page
that echoes the request (``psw=...``, ``"apikey": ...``, a subclient's ``password``) shows
``***`` instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

import attrs

from smsc_async._calling import current_call, label
from smsc_async._secret import redact

__all__ = [
    "ApiError",
    "AuthError",
    "CallbackError",
    "ClientClosedError",
    "CodeAlreadySentError",
    "DeadlineTooShortError",
    "EventLoopError",
    "FieldError",
    "InsufficientFundsError",
    "InvalidCodeError",
    "InvalidDateError",
    "InvalidNumberError",
    "IpBlockedError",
    "LimiterUnavailableError",
    "LoginPausedError",
    "LoginTakenError",
    "MaybeAppliedError",
    "MessageDeniedError",
    "NotFoundError",
    "OperationFailedError",
    "ParametersError",
    "ParseError",
    "RateLimitError",
    "SendUnconfirmedError",
    "SignatureError",
    "SmscError",
    "TransportError",
    "UndeliverableError",
    "ValidationError",
    "api_error_class",
]


class SmscError(Exception):
    """Base class of every error smsc_async raises on purpose.

    Its message never shows a credential: text arguments are redacted (see the module).
    """

    # Whether the message may quote an answer, so credential fields in it are masked
    # (always: the literal values of the secrets of this process).
    _quotes_answers: ClassVar[bool] = True

    def __init__(self, *args: object) -> None:
        fields = self._quotes_answers
        super().__init__(*(redact(a, fields=fields) if isinstance(a, str) else a for a in args))


class TransportError(SmscError):
    """No usable answer reached us: connection failure, timeout, HTTP error page.

    Attributes:
        command: The SMSC command, e.g. ``"phones.add"``.
        call: The Python call that raised it, e.g. ``"contacts.add"``.
        request_sent: ``False`` when the request certainly never reached the server (it is
            then safe to retry anything); ``True`` when it may have been processed.
        status_code: The HTTP status when the server (or a proxy) answered with an error page.
    """

    def __init__(
        self,
        message: str,
        *,
        command: str,
        request_sent: bool,
        status_code: int | None = None,
    ) -> None:
        self.call = current_call()
        super().__init__(f"{label(command, self.call)}: {message}")
        self.command = command
        self.request_sent = request_sent
        self.status_code = status_code


class MaybeAppliedError(TransportError):
    """A change or a send failed after the request may have reached SMSC.

    The server may or may not have carried it out, so it is not repeated blindly: check
    the state (e.g. list the sender names) before trying again.
    """


class SendUnconfirmedError(MaybeAppliedError):
    """A message send whose outcome is unknown: the message may or may not have gone out.

    Raised when the answer to a send was lost after the request left (a timeout, a dropped
    connection, an error page), or when SMSC refused it as a duplicate of an identical
    send within the last minute (error 9), which may have been this very message sent
    before. It is never repeated blindly: ask ``smsc.messages.status(phone, id)`` for each
    phone (status ``NOT_FOUND`` means the message with this id was not accepted).

    Attributes:
        id: The message id the send carried (the caller's, or the one the SDK assigned).
        phones: The recipients the send named, as sent. A group (``G<id>``) is named as
            such: ask about its members' numbers, as ``status`` takes numbers only.
        code: SMSC's error code when SMSC answered (9), else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        command: str,
        id: str,  # noqa: A002 - SMSC's own name for it
        phones: tuple[str, ...] = (),
        code: int | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(
            f"{message}; message id {id}",
            command=command,
            request_sent=True,
            status_code=status_code,
        )
        self.id = id
        self.phones = phones
        self.code = code


class ClientClosedError(SmscError):
    """The client (or the view of it) was closed: the call was not sent, or not sent again.

    Raised by every call made after :meth:`~smsc_async.SmscClient.aclose`, and by the calls
    still waiting for the limiter or a retry when it was closed. A call whose request had
    already left ends as :class:`MaybeAppliedError` instead when it may have changed
    something (:class:`SendUnconfirmedError` for a message).
    """


class EventLoopError(SmscError):
    """The client was used from an event loop it cannot serve; nothing was sent.

    One client may serve one loop after another (``asyncio.run()`` twice, a loop per test),
    but not two at once: a call from a second thread's loop while another thread's calls
    are in flight raises this at once. A caller-supplied ``http_client`` is bound to the
    loop it was first used on, so a call from another loop raises this too.
    """


class LoginPausedError(SmscError):
    """Refused before sending: requests to this server from this address are paused.

    Raised after SMSC blocked the IP (error 4), for the length of the block, and after 4
    authorisation errors within 30 minutes, so that a 5th does not earn that block. SMSC
    keeps both per server and outgoing IP, and so does the pause: every login reaching
    that server from here waits, clients of other servers do not.

    Attributes:
        account: The login (or a masked API key) of the call refused.
        reason: Why, e.g. ``"4 authorisation errors within 30 minutes"``.
        retry_after: Seconds until requests are sent again.
        earned_by: The login (or masked API key) whose answers earned the pause; it may be
            another login than ``account`` (e.g. a subclient's wrong passwords).
    """

    _quotes_answers = False  # our words and the account name ("apikey:***" is not a field)

    def __init__(
        self, account: str, reason: str, retry_after: float, *, earned_by: str | None = None
    ) -> None:
        earned_by = account if earned_by is None else earned_by
        whose = "" if earned_by == account else f" (earned by {earned_by})"
        super().__init__(
            f"requests for {account} are paused for {retry_after:.0f} s more: {reason}{whose}"
        )
        self.account = account
        self.reason = reason
        self.retry_after = retry_after
        self.earned_by = earned_by


class LimiterUnavailableError(SmscError):
    """The shared limiter's store (Redis) cannot be reached: the call was not sent.

    Without the shared state a call could break a limit other processes are keeping, so
    by default calls fail fast instead (see :class:`smsc_async.redis.RedisLimiter` for the
    opt-in fallback to the process's own limits).
    """


class ApiError(SmscError):
    """SMSC answered with ``error_code`` (HTTP 200, an error envelope in the chosen format).

    Attributes:
        code: SMSC's error number.
        message: SMSC's short description (an English token such as ``"authorise error"``).
        command: The SMSC command, e.g. ``"phones.add"``.
        call: The Python call that raised it, e.g. ``"contacts.add"``.
        id: The message id, for the send errors that carry one (3, 6, 7, 8); else ``None``.
    """

    code: int = 0

    def __init__(
        self,
        code: int,
        message: str,
        *,
        command: str,
        id: str | None = None,  # noqa: A002 - SMSC's own name for it
    ) -> None:
        detail = f"SMSC error {code}" + (f" ({message})" if message else "")
        if id is not None:
            detail += f", message id {id}"
        self.call = current_call()
        super().__init__(f"{label(command, self.call)}: {detail}")
        self.code = code
        self.message = redact(message)
        self.command = command
        self.id = id


class ParametersError(ApiError):
    """Error 1: SMSC rejected the request's parameters."""

    code = 1


class AuthError(ApiError):
    """Error 2: wrong login, password or API key, or the IP is not in the allowed list.

    Five of these within 30 minutes get the IP blocked for 30 minutes (error 4).
    """

    code = 2


class NotFoundError(ApiError):
    """Error 3: the object the command names (sender name, operator, message) does not exist."""

    code = 3


class InsufficientFundsError(NotFoundError):
    """Error 3 from ``send.php``: not enough money on the account."""


class IpBlockedError(ApiError):
    """Error 4: the IP address is temporarily blocked. Never retried."""

    code = 4


class OperationFailedError(ApiError):
    """Error 5: SMSC could not save or delete the object."""

    code = 5


class InvalidDateError(OperationFailedError):
    """Error 5 from ``send.php`` or ``jobs.php``: the ``time`` parameter is not a valid date."""


class LoginTakenError(OperationFailedError):
    """Error 5 from ``users.php``: the subclient could not be saved because its login is taken.

    Assumption: the docs list no errors for ``users.php``; a creation (or a rename with
    ``new_login``) whose parameters pass the checks fails to save when the login exists.
    """


class MessageDeniedError(ApiError):
    """Error 6: the message is denied (by its text or sender name)."""

    code = 6


class InvalidNumberError(ApiError):
    """Error 7: invalid phone number format."""

    code = 7


class UndeliverableError(ApiError):
    """Error 8: the message (or confirmation code) cannot be delivered to that number."""

    code = 8


class RateLimitError(ApiError):
    """Error 9: an anti-flood rule was hit, or 15+ requests were in flight under one login.

    Attributes:
        retry_after: Seconds after which the same request may succeed, when known.
    """

    code = 9

    def __init__(
        self,
        code: int,
        message: str,
        *,
        command: str,
        id: str | None = None,  # noqa: A002
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, message, command=command, id=id)
        self.retry_after = retry_after


class DeadlineTooShortError(RateLimitError):
    """Not SMSC's error 9: the client refused the call itself, and nothing was sent.

    Waiting for an anti-flood window or a concurrency slot would have passed the call's
    ``deadline``. ``retry_after`` says how long the limit needed (at least); ``reason``
    names it (a window's label, ``"concurrency cap"`` or ``"max_rate"``). It is a
    :class:`RateLimitError` so that code handling SMSC's 9 handles this one too.

    Attributes:
        reason: The limit that would have made the call wait.
    """

    def __init__(self, reason: str, *, command: str, retry_after: float) -> None:
        super().__init__(
            9,
            f"nothing was sent: waiting {retry_after:.3g} s for {reason} would pass the "
            "call's deadline",
            command=command,
            retry_after=retry_after,
        )
        self.reason = reason
        # Its own text, not ApiError's "SMSC error 9 (...)" (SMSC never answered): args is
        # what str(), logs and error trackers show.
        self.args = (f"{label(command, self.call)}: {self.message}",)

    def __repr__(self) -> str:
        # Refused here, before sending; ``code`` stays 9 only so handlers of SMSC's 9 match.
        what = f"{label(self.command, self.call)}: refused locally, nothing was sent"
        return (
            f"{type(self).__name__}({what!r}, reason={redact(self.reason)!r}, "
            f"retry_after={self.retry_after!r})"
        )


class CodeAlreadySentError(ApiError):
    """Error 10: a confirmation code was already sent to that number; retry after 8 hours."""

    code = 10


class InvalidCodeError(ApiError):
    """Error 11: the confirmation code is wrong."""

    code = 11


class ParseError(SmscError):
    """The answer could not be understood (or could be read more than one way).

    Attributes:
        command: The SMSC command.
        call: The Python call that raised it, e.g. ``"contacts.list"``.
        fmt: The wire format the answer was read as (0-3).
        excerpt: The start of the offending body, for diagnosis, credentials masked.
    """

    def __init__(
        self, message: str, *, command: str = "", fmt: int | None = None, excerpt: str = ""
    ) -> None:
        # Each part on its own: a value cut short at the end of one must not run on into
        # the next. The whole message is redacted again by SmscError (idempotent).
        message, excerpt = redact(message), redact(excerpt)
        self.call = current_call()
        where = label(command, self.call)
        where = f"{where}: " if where else ""
        shown = f" [fmt={fmt}, body starts {excerpt!r}]" if fmt is not None else ""
        super().__init__(f"{where}{message}{shown}")
        self.reason = message
        self.command = command
        self.fmt = fmt
        self.excerpt = excerpt


class CallbackError(SmscError, ValueError):
    """A callback request could not be used: see :mod:`smsc_async.callbacks`.

    Raised for a missing required field, a field that is not what it must be (a status that
    is not a number), a body over the size limit or in no known shape, and fields that fit
    no known kind of event. The message names fields, never their values' secrets: no
    signature or secret is ever quoted.

    Attributes:
        field: The offending field, when one is to blame.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SignatureError(CallbackError):
    """A callback's signature is missing, wrong, or refused (crc32 unless allowed).

    Neither the secret nor the signature appears in the message.
    """


@attrs.frozen
class FieldError:
    """One bad argument: which field, and what is wrong with it."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(SmscError, ValueError):
    """Bad input, found before any request was sent. Lists every bad field at once.

    Attributes:
        command: The command (or ``"SmscClient"``) whose arguments were checked.
        call: The Python call that raised it, e.g. ``"contacts.add"``.
        errors: Every problem found, in argument order.
    """

    _quotes_answers = False  # field names and our words: "password: too short" hides nothing

    def __init__(self, command: str, errors: Iterable[FieldError]) -> None:
        self.command = command
        self.call = current_call()
        self.errors = tuple(errors)
        listed = "; ".join(str(e) for e in self.errors)
        super().__init__(f"invalid arguments for {label(command, self.call)}: {listed}")

    @property
    def fields(self) -> tuple[str, ...]:
        """The names of the bad fields, in order."""
        return tuple(e.field for e in self.errors)


_BY_CODE: dict[int, type[ApiError]] = {
    cls.code: cls
    for cls in (
        ParametersError,
        AuthError,
        NotFoundError,
        IpBlockedError,
        OperationFailedError,
        MessageDeniedError,
        InvalidNumberError,
        UndeliverableError,
        RateLimitError,
        CodeAlreadySentError,
        InvalidCodeError,
    )
}
# Codes whose meaning depends on the script (spec §2.3): send.php's 3 and 5.
_BY_SCRIPT_CODE: dict[tuple[str, int], type[ApiError]] = {
    ("send.php", 3): InsufficientFundsError,
    ("send.php", 5): InvalidDateError,
    ("jobs.php", 5): InvalidDateError,
    ("users.php", 5): LoginTakenError,
}


def api_error_class(code: int, script: str = "") -> type[ApiError]:
    """The :class:`ApiError` subclass for an SMSC error code answered by ``script``.

    Unknown codes map to :class:`ApiError` itself, so a new server code never breaks a call.
    """
    return _BY_SCRIPT_CODE.get((script, code)) or _BY_CODE.get(code, ApiError)
