"""SMSC's callbacks in a Starlette or FastAPI app (install ``starlette`` or ``fastapi``).

::

    from smsc_async.callbacks.starlette import callback_endpoint

    async def on_event(event: CallbackEvent) -> None:
        ...

    endpoint = callback_endpoint(on_event, secret="...", algorithm="sha1")
    app.add_route("/smsc/callback", endpoint, methods=["POST", "GET"])  # Starlette
    app.add_api_route("/smsc/callback", endpoint, methods=["POST", "GET"])  # FastAPI

The status codes are those of :mod:`smsc_async.callbacks._adapter` (200, 400, 403, 413,
500 when the handler raises, 503 when the queue is full).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from smsc_async.callbacks._adapter import FORM, Answer, Dispatcher, Handler, TooLarge, read_capped
from smsc_async.callbacks._parse import MAX_BYTES

__all__ = ["callback_endpoint"]


def callback_endpoint(
    handler: Handler,
    *,
    secret: str | None = None,
    algorithm: str = "md5",
    allow_crc32: bool = False,
    max_bytes: int = MAX_BYTES,
) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint that receives SMSC's callbacks and hands each event over.

    It reads the body (at most ``max_bytes``), parses and verifies it, then awaits
    ``handler(event)`` (or puts the event in the queue) **before** answering, so a 200
    means the event was handled. A POST's fields are its body; a GET's are its query
    string (Assumption: SMSC may call with GET). Of the URL's query only ``fmt`` and
    ``charset`` are read.

    Args:
        handler: An async callable taking the event, or an ``asyncio.Queue`` the event is
            put in (``put_nowait``).
        secret: The value of ``md5``/``sha1``/``crc32`` in the handler URL; when given,
            every request's signature is checked.
        algorithm: ``"md5"``, ``"sha1"`` or ``"crc32"``: the one the URL names.
        allow_crc32: Accept crc32 signatures (forgeable; off by default).
        max_bytes: The largest body read; a longer one is answered 413.

    Returns:
        ``async def endpoint(request) -> Response``. Answers: 200 ``OK``; 400 a bad
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

    async def endpoint(request: Request) -> Response:
        query = dict(request.query_params)
        if request.method == "GET":
            raw = request.scope.get("query_string", b"")
            answer = await dispatcher.answer(dispatcher.get_fields(raw), FORM, query)
            return _response(answer)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            return _response(dispatcher.too_large())
        try:
            body = await read_capped(request.stream(), max_bytes)
        except TooLarge:
            return _response(dispatcher.too_large())
        answer = await dispatcher.answer(body, request.headers.get("content-type"), query)
        return _response(answer)

    return endpoint


def _response(answer: Answer) -> Response:
    return PlainTextResponse(answer.text, status_code=answer.status)
