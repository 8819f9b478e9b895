"""Receive SMSC's callbacks: delivery reports, incoming messages and call confirmations.

SMSC posts every status change, every incoming SMS and every "confirm the number with a
call" to the account's handler URL. This package reads such a request (pure code: no I/O,
no web framework) and checks its signature::

    from smsc_async.callbacks import DeliveryReport, parse_body

    event = parse_body(body, content_type, query=query, secret="...", algorithm="sha1")
    if isinstance(event, DeliveryReport):
        ...

Much of the wire is inferred from public sources rather than documented: each such
choice is marked ``Assumption:`` in the code. Unknown fields are kept in ``.extra``;
``dedupe_key`` recognises a second delivery of the same event. :func:`render` writes the
request SMSC would send, for tests and the emulator.
"""

from smsc_async.callbacks._parse import DEFAULT_CHARSET, MAX_BYTES, parse, parse_body
from smsc_async.callbacks._render import BodyFormat, render
from smsc_async.errors import CallbackError, SignatureError
from smsc_async.models.callbacks import (
    CallbackEvent,
    CallConfirmation,
    DeliveryReport,
    IncomingMessage,
)

__all__ = [
    "DEFAULT_CHARSET",
    "MAX_BYTES",
    "BodyFormat",
    "CallConfirmation",
    "CallbackError",
    "CallbackEvent",
    "DeliveryReport",
    "IncomingMessage",
    "SignatureError",
    "parse",
    "parse_body",
    "render",
]
