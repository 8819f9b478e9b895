"""What every framework adapter does once it holds the request's bytes: the shared core.

No framework here: :mod:`.starlette` and :mod:`.aiohttp` read the request (the body under a
size cap, the content type, the URL's query) and turn :class:`Answer` into their response.
Everything else (parse, verify, hand over, choose the status) is decided once, here.

Status codes (the same in every adapter):

- 200 ``OK``: the event was parsed, verified and handed over (the handler returned, or it
  is in the queue). Unknown message ids get 200 too: the adapter does not know ids.
- 400: the request is no usable callback (:class:`CallbackError`: a missing field, a
  non-numeric status, an unknown kind, a body in no known shape or charset).
- 403: the signature is missing or wrong (:class:`SignatureError`).
- 413: the body is over ``max_bytes`` (reading stops there).
- 500: the handler raised. Assumption (SMSC's retry policy is not published): a non-2xx
  answer makes SMSC deliver the event again, so a failure the service did not absorb is
  reported rather than swallowed; the exception is logged on the ``smsc_async`` logger.
- 503: the queue is full (a bounded ``asyncio.Queue``): the event is not taken, and
  SMSC may try again later.

No answer's text, and no log line, quotes the secret, the signature or the body.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping
from typing import TypeAlias

import attrs

from smsc_async.callbacks._parse import MAX_BYTES, parse_body
from smsc_async.callbacks._signature import check_algorithm
from smsc_async.errors import CallbackError, SignatureError
from smsc_async.models.callbacks import CallbackEvent

__all__ = ["FORM", "Answer", "Dispatcher", "Handler", "TooLarge", "read_capped"]

logger = logging.getLogger("smsc_async")

Handler: TypeAlias = Callable[[CallbackEvent], Awaitable[object]] | asyncio.Queue[CallbackEvent]
"""An async callable taking the event, or a queue the event is put in."""

FORM = "application/x-www-form-urlencoded"
# The handler URL's own settings (design: the wire notes); nothing else of the
# query is read, so a secret written in the URL (``?sha1=...``) is never taken as a field.
_SETTINGS = ("fmt", "charset")
_MAX_TEXT = 200


@attrs.frozen
class Answer:
    """The response an adapter sends: a status and a short plain text."""

    status: int
    text: str


class TooLarge(Exception):  # noqa: N818 - a signal between the adapter and its reader
    """The body went over the cap while being read."""


async def read_capped(chunks: AsyncIterable[bytes], max_bytes: int) -> bytes:
    """Join an async iterator of chunks, stopping as soon as they go over ``max_bytes``.

    Raises:
        TooLarge: More than ``max_bytes`` arrived (what was read is dropped).
    """
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge
    return bytes(body)


@attrs.frozen
class Dispatcher:
    """Parse, verify and hand over one request; say what to answer.

    Built once per endpoint; the adapters call :meth:`answer` per request.
    """

    handler: Handler
    secret: str | None = attrs.field(default=None, repr=False)
    algorithm: str = "md5"
    allow_crc32: bool = False
    max_bytes: int = MAX_BYTES

    def __attrs_post_init__(self) -> None:
        # A misconfiguration fails when the endpoint is built, not on SMSC's first call.
        if self.secret is not None:
            check_algorithm(self.algorithm, allow_crc32=self.allow_crc32)
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes}")

    def settings(self, query: Mapping[str, str]) -> dict[str, str]:
        """The handler URL's ``fmt`` and ``charset``, the only query parameters read."""
        return {name: query[name] for name in _SETTINGS if name in query}

    def get_fields(self, raw_query: bytes) -> bytes:
        """A GET's query string as a form body, without the URL's own settings.

        Assumption: SMSC may call the handler URL with GET, the fields in the query string
        (percent-encoded in the URL's charset) next to the ``fmt``/``charset`` settings.
        """
        pairs = [
            p for p in raw_query.split(b"&") if p.partition(b"=")[0] not in (b"fmt", b"charset")
        ]
        return b"&".join(pairs)

    def too_large(self) -> Answer:
        """The answer to a body over the cap."""
        logger.warning("refused a callback: the body is over %d bytes", self.max_bytes)
        return Answer(413, f"body over {self.max_bytes} bytes")

    async def answer(
        self, body: bytes, content_type: str | None, query: Mapping[str, str]
    ) -> Answer:
        """Parse ``body``, hand the event over, and say what to answer (never raises)."""
        try:
            event = parse_body(
                body,
                content_type,
                query=self.settings(query),
                secret=self.secret,
                algorithm=self.algorithm,
                allow_crc32=self.allow_crc32,
                max_bytes=self.max_bytes,
            )
        except SignatureError:
            logger.warning("refused a callback: its signature is missing or wrong")
            return Answer(403, "signature refused")
        except CallbackError as error:
            # The parser's messages name fields, never values that could be secrets.
            text = str(error)[:_MAX_TEXT]
            logger.warning("refused a callback: %s", text)
            return Answer(400, f"bad callback: {text}")
        return await self._hand_over(event)

    async def _hand_over(self, event: CallbackEvent) -> Answer:
        if isinstance(self.handler, asyncio.Queue):
            try:
                self.handler.put_nowait(event)
            except asyncio.QueueFull:
                logger.warning("refused a callback: the queue is full (%s)", event.dedupe_key)
                return Answer(503, "busy")
            return Answer(200, "OK")
        try:
            await self.handler(event)
        except Exception:
            # The handler's own traceback, with the event's key; never the request itself.
            logger.exception("the callback handler failed on %s", event.dedupe_key)
            return Answer(500, "handler failed")
        return Answer(200, "OK")
