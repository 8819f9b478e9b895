"""Turning a processed request into an HTTP answer, with the delivery faults applied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import attrs
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from smsc_async.testing._faults import ConnectionResetByEmulator, FaultKind, Faults, Plan

__all__ = ["Outcome", "respond"]

_BAD_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_DELIVERY = frozenset({FaultKind.RESET_AFTER, FaultKind.TRUNCATE, FaultKind.SLOW_BODY})


@attrs.frozen
class Outcome:
    """What the server decided to answer, before it goes on the wire."""

    body: bytes = attrs.field(repr=lambda b: f"<{len(b)} bytes>")
    content_type: str
    command: str
    status: int = 200

    @classmethod
    def bad_gateway(cls, command: str, plan: Plan) -> Outcome:
        """The 502 page of nginx, as a proxy in front of SMSC sends it."""
        del plan
        return cls(_BAD_GATEWAY_PAGE, "text/html", command, 502)


class _ResetResponse(Response):
    """Sends the headers and half the body, then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send(
            {
                "type": "http.response.body",
                "body": self.body[: len(self.body) // 2],
                "more_body": True,
            }
        )
        raise ConnectionResetByEmulator(before=False)


def respond(outcome: Outcome, faults: Faults) -> Response:
    """The Starlette response for ``outcome``, broken as a planned fault says."""
    headers = {"content-type": outcome.content_type}
    plan = faults.take(outcome.command, _DELIVERY)
    if plan is None:
        return Response(outcome.body, outcome.status, headers=headers)
    if plan.kind is FaultKind.RESET_AFTER:
        return _ResetResponse(outcome.body, outcome.status, headers=headers)
    if plan.kind is FaultKind.TRUNCATE:
        return Response(outcome.body[: len(outcome.body) // 2], outcome.status, headers=headers)

    async def pieces() -> AsyncIterator[bytes]:
        size = max(1, -(-len(outcome.body) // 4))
        for start in range(0, len(outcome.body), size):
            if start:
                await asyncio.sleep(plan.delay)
            yield outcome.body[start : start + size]

    return StreamingResponse(pieces(), outcome.status, headers=headers)
