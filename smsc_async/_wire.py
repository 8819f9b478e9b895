"""What one command puts on the wire, and what its answer means.

Pure (no I/O, like :mod:`smsc_async.formats`): the form a command posts (its flag, its
parameters, the format, the charset and the credentials), and the answer read into the
command's result, or into the :class:`~smsc_async.ApiError` subclass of the code SMSC sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from smsc_async._commands import Command
from smsc_async._config import ClientConfig
from smsc_async._secret import Secret
from smsc_async._types import Format
from smsc_async.errors import ParseError, api_error_class
from smsc_async.formats import ErrorReply, decode_reply

if TYPE_CHECKING:
    from smsc_async._transport import RawReply

__all__ = ["CHARSET", "decode", "form"]

T = TypeVar("T")
log = logging.getLogger("smsc_async")

CHARSET = "utf-8"


def form(
    command: Command[Any], params: Mapping[str, str], config: ClientConfig
) -> dict[str, str | Secret]:
    """The form fields of ``command`` with ``params``, as posted (the secret still wrapped)."""
    return {
        **command.flag_field(),
        **params,
        "fmt": str(int(config.fmt)),
        "charset": CHARSET,
        **config.credentials.form_fields(),
    }


def decode(command: Command[T], params: Mapping[str, str], raw: RawReply, fmt: Format) -> T:
    """The result of ``command`` from its answer, or the error the answer says.

    The body stays inside ``raw`` (whose repr shows its length only): a traceback that
    records frames' locals must not show an answer echoing the password.

    Raises:
        ApiError: SMSC answered with an error code (its subclass for the code and script).
        ParseError: The answer could not be read (naming the command).
    """
    try:
        result: Any = decode_reply(
            raw.content,
            fmt=fmt,
            shape=command.shape,
            result_type=command.result_type,
            params={**command.flag_field(), **params},
            header_charset=raw.charset,
            requested_charset=CHARSET,
        )
    except ParseError as exc:
        raise ParseError(
            exc.reason, command=command.name, fmt=exc.fmt, excerpt=exc.excerpt
        ) from None
    if isinstance(result, ErrorReply):
        cls = api_error_class(result.code, command.script)
        error = cls(result.code, result.message, command=command.name, id=result.id)
        # The error's message, not the reply's: it is redacted (an echo of psw=...).
        log.debug("%s: SMSC error %d (%s)", command.name, error.code, error.message)
        raise error
    return result  # type: ignore[no-any-return]
