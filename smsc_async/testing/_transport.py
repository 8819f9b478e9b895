"""An httpx transport into the emulator, in process (``httpx.ASGITransport`` underneath)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smsc_async.http import httpx
from smsc_async.testing._faults import ConnectionResetByEmulator

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["EmulatorTransport"]


class EmulatorTransport(httpx.AsyncBaseTransport):
    """Carries requests to the emulator app without sockets.

    The emulator's connection faults surface as the httpx errors a real socket gives:
    a drop before the request was processed as ``httpx.ConnectError``, one in the middle
    of the answer as ``httpx.ReadError``.
    """

    def __init__(self, app: ASGIApp, *, ip: str = "127.0.0.1") -> None:
        self._asgi = httpx.ASGITransport(app=app, client=(ip, 50000))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app and return its answer."""
        try:
            return await self._asgi.handle_async_request(request)
        except ConnectionResetByEmulator as exc:
            if exc.before:
                raise httpx.ConnectError(
                    "connection refused by the emulator", request=request
                ) from None
            raise httpx.ReadError("connection reset by the emulator", request=request) from None

    async def aclose(self) -> None:
        """Nothing to release: there are no sockets."""
        await self._asgi.aclose()
