"""aiohttp behind the stack's API: httpx-aiohttp's transport, with send-safe error mapping.

Imported only by a client made with ``http="aiohttp"`` (``pip install 'smsc_async[aiohttp]'``).

httpx-aiohttp maps aiohttp's failures onto httpx's exceptions, but not the way the
transport's send safety needs: every ``ClientConnectionError`` becomes
``httpx.ConnectTimeout``, a "the request never left" error, even when the server dropped the
connection after reading the request, or in the middle of the answer. Believing that, the
SDK would retry a send SMSC may already have carried out. So the failures are mapped again
here from aiohttp's own exception (the cause httpx-aiohttp keeps): only a failure to
connect says "not sent"; everything else says the server may have it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import aiohttp

from smsc_async.http import httpx

if TYPE_CHECKING:
    from httpx_aiohttp import AiohttpTransport as _Base
elif httpx.__name__ == "httpx2":
    from httpx_aiohttp.httpx2 import AiohttpTransport as _Base
else:
    from httpx_aiohttp import AiohttpTransport as _Base

__all__ = ["AioHttpTransport"]


def _mapped(exc: BaseException, request: httpx.Request, *, answering: bool) -> httpx.HTTPError:
    """The stack's exception for an aiohttp failure (``exc`` or the cause it wraps).

    ``answering``: the status line had arrived, so the request certainly reached the server.
    """
    cause = exc.__cause__ if isinstance(exc, httpx.HTTPError) else exc
    text = str(cause or exc) or type(cause or exc).__name__
    error: httpx.HTTPError
    if isinstance(cause, aiohttp.ConnectionTimeoutError) and not answering:
        error = httpx.ConnectTimeout(text, request=request)
    elif isinstance(cause, aiohttp.ClientConnectorError) and not answering:
        error = httpx.ConnectError(text, request=request)
    elif isinstance(cause, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        error = httpx.UnsupportedProtocol(text, request=request)
    elif isinstance(cause, aiohttp.ServerTimeoutError | TimeoutError):
        error = httpx.ReadTimeout(text, request=request)
    elif isinstance(cause, aiohttp.ClientResponseError) or (  # a malformed answer, or none
        isinstance(cause, aiohttp.ServerDisconnectedError) and not answering
    ):
        error = httpx.RemoteProtocolError(text, request=request)
    else:
        # A payload cut short, a reset, anything unknown: the server may have the request.
        error = httpx.ReadError(text, request=request)
    return error


class _Body(httpx.AsyncByteStream):
    """httpx-aiohttp's body stream, its failures mapped as failures while answering."""

    def __init__(self, stream: httpx.AsyncByteStream, request: httpx.Request) -> None:
        self._stream = stream
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except (httpx.HTTPError, aiohttp.ClientError, TimeoutError) as exc:
            raise _mapped(exc, self._request, answering=True) from None

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        except (httpx.HTTPError, aiohttp.ClientError, TimeoutError) as exc:
            raise _mapped(exc, self._request, answering=True) from None


class AioHttpTransport(_Base):
    """httpx-aiohttp's transport, one aiohttp session per instance, failures mapped send-safely.

    Made by the transport, one per event loop (an aiohttp session belongs to one loop), and
    closed with that loop's client.
    """

    def __init__(self, *, max_connections: int, **kwargs: Any) -> None:
        limits = httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
        super().__init__(limits=limits, **kwargs)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through aiohttp; its failures as the stack's exceptions."""
        try:
            response = await super().handle_async_request(request)
        except (httpx.HTTPError, aiohttp.ClientError, TimeoutError) as exc:
            raise _mapped(exc, request, answering=False) from None
        stream = response.stream
        if isinstance(stream, httpx.AsyncByteStream):  # always: httpx-aiohttp streams async
            response.stream = _Body(stream, request)
        return response
