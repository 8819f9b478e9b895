"""SMSC's callbacks in an aiohttp server (install ``aiohttp``).

::

    from aiohttp import web
    from smsc_async.callbacks.aiohttp import callback_handler

    async def on_event(event: CallbackEvent) -> None:
        ...

    handler = callback_handler(on_event, secret="...", algorithm="sha1")
    app = web.Application()
    app.router.add_route("POST", "/smsc/callback", handler)
    app.router.add_route("GET", "/smsc/callback", handler)

The status codes are those of :mod:`smsc_async.callbacks._adapter` (200, 400, 403, 413,
500 when the handler raises, 503 when the queue is full).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from smsc_async.callbacks._adapter import FORM, Answer, Dispatcher, Handler, TooLarge, read_capped
from smsc_async.callbacks._parse import MAX_BYTES

__all__ = ["callback_handler"]


def callback_handler(
    handler: Handler,
    *,
    secret: str | None = None,
    algorithm: str = "md5",
    allow_crc32: bool = False,
    max_bytes: int = MAX_BYTES,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """An aiohttp handler that receives SMSC's callbacks and hands each event over.

    It reads the body (at most ``max_bytes``, whatever the application's
    ``client_max_size``), parses and verifies it, then awaits ``handler(event)`` (or puts
    the event in the queue) **before** answering, so a 200 means the event was handled. A
    POST's fields are its body; a GET's are its query string (Assumption: SMSC may call
    with GET). Of the URL's query only ``fmt`` and ``charset`` are read.

    Args:
        handler: An async callable taking the event, or an ``asyncio.Queue`` the event is
            put in (``put_nowait``).
        secret: The value of ``md5``/``sha1``/``crc32`` in the handler URL; when given,
            every request's signature is checked.
        algorithm: ``"md5"``, ``"sha1"`` or ``"crc32"``: the one the URL names.
        allow_crc32: Accept crc32 signatures (forgeable; off by default).
        max_bytes: The largest body read; a longer one is answered 413.

    Returns:
        ``async def handle(request) -> web.Response``. Answers: 200 ``OK``; 400 a bad
        callback; 403 a missing or wrong signature; 413 an oversized body; 500 the handler
        raised (logged on the ``smsc_async`` logger, so SMSC may deliver again); 503 the
        queue is full. Never a 500 for bad input.

    Raises:
        ValueError: ``algorithm`` is unknown, crc32 is asked for without
            ``allow_crc32``, or ``max_bytes`` is not positive.
    """
    dispatcher = Dispatcher(
        handler, secret=secret, algorithm=algorithm, allow_crc32=allow_crc32, max_bytes=max_bytes
    )

    async def handle(request: web.Request) -> web.Response:
        query = dict(request.query)
        if request.method == "GET":
            raw = request.rel_url.raw_query_string.encode("ascii", "replace")
            answer = await dispatcher.answer(dispatcher.get_fields(raw), FORM, query)
            return _response(answer)
        if request.content_length is not None and request.content_length > max_bytes:
            return _response(dispatcher.too_large())
        try:
            body = await read_capped(request.content.iter_any(), max_bytes)
        except TooLarge:
            return _response(dispatcher.too_large())
        answer = await dispatcher.answer(body, request.headers.get("Content-Type"), query)
        return _response(answer)

    return handle


def _response(answer: Answer) -> web.Response:
    return web.Response(status=answer.status, text=answer.text, content_type="text/plain")
