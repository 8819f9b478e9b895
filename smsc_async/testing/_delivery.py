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
    dropped: bool = False
    """The connection is dropped before the request is processed."""

    @classmethod
    def drop(cls, command: str) -> Outcome:
        """No answer: the connection goes before the server processed anything."""
        return cls(b"", "text/plain", command, dropped=True)

    @classmethod
    def bad_gateway(cls, command: str, plan: Plan) -> Outcome:
        """The 502 page of nginx, as a proxy in front of SMSC sends it."""
        del plan
        return cls(_BAD_GATEWAY_PAGE, "text/html", command, 502)


class _ResetResponse(Response):
    """Sends the headers and half the body, then drops the connection.

    The exception has to come after the response has started: before that, Starlette
    (and uvicorn) would answer an HTTP 500 page instead of dropping anything.
    """

    before = False

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
        raise ConnectionResetByEmulator(before=self.before)


class _DropResponse(_ResetResponse):
    """Drops the connection of a request the server never processed.

    Its headers promise a body that never comes, so an HTTP client cannot take the
    silence for an empty answer.
    """

    before = True
    sent_share = 0


def respond(outcome: Outcome, faults: Faults) -> Response:
    """The Starlette response for ``outcome``, broken as a planned fault says."""
    headers = {"content-type": outcome.content_type}
    if outcome.dropped:
        return _DropResponse(b"\0" * 64, 200, headers=headers)
    plan = faults.take(outcome.command, _DELIVERY)
    if plan is None:
        return Response(outcome.body, outcome.status, headers=headers)
    if plan.kind is FaultKind.RESET_AFTER:
        return _ResetResponse(outcome.body, outcome.status, headers=headers)
    if plan.kind is FaultKind.TRUNCATE:
        return Response(outcome.body[: len(outcome.body) // 2], outcome.status, headers=headers)

    async def pieces() -> AsyncIterator[bytes]:
        body = outcome.body
        cuts = [len(body) * i // 4 for i in range(5)]  # always four pieces, three pauses
        for i in range(4):
            if i:
                await asyncio.sleep(plan.delay)
            yield body[cuts[i] : cuts[i + 1]]

    return StreamingResponse(pieces(), outcome.status, headers=headers)
