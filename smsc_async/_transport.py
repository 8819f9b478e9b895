"""The only module that talks HTTP: it posts a form and maps the stack's failures, once.

The stack (httpx or httpx2) comes from :mod:`smsc_async.http`; a client's pools send
through the stack's own connection pool, or through aiohttp (``http="aiohttp"``).

It knows commands by name only, nothing of models or formats. Credentials travel in the
POST body, never in a URL; the debug log names the fields sent, never their values.

Connections belong to an event loop, and one client may serve several loops in turn
(``asyncio.run()`` twice, a loop per test), so the pool is kept per loop: an
``httpx.AsyncClient`` is made on a loop's first request and closed when that loop shuts its
async generators down (``asyncio.run()`` and ``asyncio.Runner`` do), before it closes.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
import threading
import time
from collections.abc import AsyncGenerator, Mapping
from types import ModuleType
from urllib.parse import urlsplit

import attrs

from smsc_async._secret import Secret, redact, reveal
from smsc_async._types import Files
from smsc_async._version import __version__
from smsc_async.errors import EventLoopError, TransportError
from smsc_async.http import Engine, httpx, stack_of

__all__ = ["UNSET", "RawReply", "ReplyTooLarge", "Transport", "Unset"]

log = logging.getLogger("smsc_async")


class Unset(enum.Enum):
    """The type of :data:`UNSET` (an enum, so type checkers can tell it from a float)."""

    UNSET = "UNSET"


UNSET = Unset.UNSET
"""``timeout`` not given: use the caller-supplied client's own timeouts."""

_HTTP_OK = 200


def _not_sent(stack: ModuleType) -> tuple[type[Exception], ...]:
    """A stack's failures that prove the request never reached the server (safe to retry)."""
    return (
        stack.ConnectError,
        stack.ConnectTimeout,
        stack.PoolTimeout,
        stack.UnsupportedProtocol,
        stack.InvalidURL,
    )


class _NoCookies(httpx.Cookies):
    """A cookie store that keeps none.

    SMSC's API is stateless (credentials in every request), and httpx's cookie handling
    builds urllib request and response stand-ins for every response, which measured at a
    quarter of a call's client CPU (``benchmarks/cost_per_call.py``).
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        """Ignore the response's cookies."""
        del response


class ReplyTooLarge(Exception):  # noqa: N818 - a signal, turned into an error by the path
    """The answer is longer than ``max_reply_bytes``; the rest of it was not read."""

    def __init__(self, limit: int, size: int | None) -> None:
        told = f" (it announced {size} bytes)" if size is not None else ""
        super().__init__(f"the answer is longer than max_reply_bytes={limit}{told}")
        self.limit = limit


class _Unclosed(httpx.AsyncBaseTransport):
    """A caller's transport, shared by the per-loop clients: only :class:`Transport` closes it."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self._transport = transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Hand ``request`` to the caller's transport."""
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        """Leave the caller's transport open for the other loops' clients."""


@attrs.define(eq=False)
class _LoopPool:
    """The ``httpx.AsyncClient`` of one event loop, and the async generator that closes it.

    The generator is registered with the loop on its first step, so the loop's
    ``shutdown_asyncgens()`` closes it, and with it the client, while the loop can still
    close sockets. ``discarded``: the loop died without that; nothing may be awaited.
    """

    http: httpx.AsyncClient
    closer: AsyncGenerator[None, None] | None = None
    discarded: bool = False
    # The transport the client routes our base URL to (a proxy's, if the environment names
    # one), and its default headers: our own pools hand requests to it directly, skipping
    # the client's auth, redirect, cookie and hook machinery we never use, a third of the
    # client CPU per call over aiohttp (benchmarks/loopback.py). None: through ``http``.
    sender: httpx.AsyncBaseTransport | None = None
    headers: httpx.Headers | None = None


@attrs.frozen
class RawReply:
    """A reply as received: status, body bytes, and the charset its header named."""

    status_code: int
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")
    charset: str | None


class Transport:
    """Posts SMSC forms through one ``httpx.AsyncClient``.

    Args:
        base_url: Where the scripts live, ending in ``/``.
        timeout: Seconds to connect, ``None`` for no limit, :data:`UNSET` to keep the
            caller's client's own settings.
        exchange_limit: Seconds any other phase (write, read) may take. It is longer than
            the caller waits: a request the caller gave up on runs on until the server
            answers, so its concurrency slot is held as long as SMSC works on it.
        max_connections: Pool size. It is sized from the per-login concurrency cap, and the
            pool wait is unbounded, so a pool timeout can never fire before our own limits.
        max_reply_bytes: The longest answer read; a longer one is cut off unread.
        http_client: A caller-owned client, used as given and never closed here. It is bound
            to the event loop of its first request.
        transport: An httpx transport for the clients created here (one per event loop,
            all through it), closed by :meth:`aclose`.
        engine: How the clients created here send: the stack's own pool (``"default"``),
            or aiohttp (``"aiohttp"``, one aiohttp session per event loop).
    """

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float | Unset | None,
        exchange_limit: float | None,
        max_connections: int,
        max_reply_bytes: int = 32 * 2**20,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        engine: Engine = "default",
    ) -> None:
        self._base_url = base_url
        parts = urlsplit(base_url)  # host[:port], never userinfo: what errors name
        self._server = parts.netloc.rpartition("@")[2] or base_url
        self._max_reply = max_reply_bytes
        self._max_connections = max_connections
        self._given = http_client
        # A caller's client may come from the other stack: its failures and its settings'
        # types are that stack's.
        stack = httpx if http_client is None else stack_of(http_client)
        self._timeout: httpx.Timeout | None = None
        if not isinstance(timeout, Unset):
            self._timeout = stack.Timeout(exchange_limit, connect=timeout, pool=None)
        self._use_default = stack.USE_CLIENT_DEFAULT
        self._not_sent = _not_sent(stack)
        self._http_error: type[Exception] = stack.HTTPError
        self._engine = engine
        self._given_loop: asyncio.AbstractEventLoop | None = None
        self._transport = transport
        self._pools: dict[asyncio.AbstractEventLoop, _LoopPool] = {}
        # A caller's client is used through its own API, on whichever loop.
        self._given_pool = None if http_client is None else _LoopPool(http_client)
        # The last loop's pool: the loop a client serves hardly ever changes.
        self._last: tuple[asyncio.AbstractEventLoop | None, _LoopPool | None] = (
            None,
            self._given_pool,
        )
        self._urls: dict[str, httpx.URL] = {}
        self._extensions = {} if self._timeout is None else {"timeout": self._timeout.as_dict()}
        self._lock = threading.Lock()
        self.closed = False
        """Whether :meth:`aclose` was called: nothing is sent any more."""

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Check that ``loop`` may use this transport (a caller's client serves one loop).

        Raises:
            EventLoopError: The caller's ``http_client`` was first used on another loop.
        """
        if self._given is None:
            return
        with self._lock:
            if self._given_loop is None:
                self._given_loop = loop
            elif self._given_loop is not loop:
                raise EventLoopError(
                    "the http_client given to SmscClient belongs to the event loop it was "
                    "first used on, and this is another one; give each loop its own "
                    "SmscClient, or let SmscClient make its own pool (one per loop)"
                )

    async def _client(self) -> _LoopPool:
        """The pool of the running loop, its ``httpx.AsyncClient`` made on its first request."""
        loop = asyncio.get_running_loop()
        last_loop, last = self._last
        if last is not None and (last_loop is loop or self._given is not None):
            return last
        pool = self._pools.get(loop)
        if pool is None:
            self._sweep()
            http = self._new_client()
            route = getattr(http, "_transport_for_url", None)  # httpx's and httpx2's
            sender = None if route is None else route(httpx.URL(self._base_url))
            pool = _LoopPool(http, sender=sender, headers=http.headers)
            closer = self._closer(pool, loop)
            await closer.__anext__()  # registers it with the loop (its firstiter hook)
            pool.closer = closer
            self._pools[loop] = pool
        self._last = (loop, pool)
        return pool

    def _new_client(self) -> httpx.AsyncClient:
        transport: httpx.AsyncBaseTransport | None = None
        if self._transport is not None:
            transport = _Unclosed(self._transport)
        elif self._engine == "aiohttp":
            from smsc_async._aiohttp import AioHttpTransport  # noqa: PLC0415 - the extra's

            # Its own per loop, closed with this client (an aiohttp session has one loop).
            transport = AioHttpTransport(max_connections=self._max_connections)
        http = httpx.AsyncClient(
            transport=transport,
            timeout=self._timeout or httpx.Timeout(None),
            limits=httpx.Limits(
                max_connections=self._max_connections,
                max_keepalive_connections=self._max_connections,
            ),
            headers={"User-Agent": f"smsc_async/{__version__}"},
        )
        # httpx's ``cookies`` setter copies into a plain store, so the attribute is set
        # directly; on an httpx without it, cookies are simply kept as before.
        if isinstance(getattr(http, "_cookies", None), httpx.Cookies):
            http._cookies = _NoCookies()  # noqa: SLF001 - see above
        return http

    async def _closer(
        self, pool: _LoopPool, loop: asyncio.AbstractEventLoop
    ) -> AsyncGenerator[None, None]:
        """Suspended until the loop shuts its async generators down, or :meth:`aclose`."""
        try:
            yield
        finally:
            if self._pools.get(loop) is pool:
                del self._pools[loop]
            if self._last[1] is pool:
                self._last = (None, None)
            if not pool.discarded:
                await pool.http.aclose()

    def _sweep(self) -> None:
        """Forget the clients of loops that closed without shutting their generators down.

        Their sockets cannot be closed any more (that needs the loop): a loop closed by
        hand, without ``shutdown_asyncgens()``, leaves them to the garbage collector.
        """
        for loop, pool in list(self._pools.items()):
            if loop.is_closed():
                del self._pools[loop]
                _discard(pool)

    async def post(
        self,
        script: str,
        form: Mapping[str, str | Secret],
        files: Files | None = None,
        *,
        command: str,
    ) -> RawReply:
        """POST ``form`` (and ``files``, as multipart) to ``script``.

        A :class:`Secret` in ``form`` is revealed only here, inline, as httpx gets the body:
        no local of ours holds it in plain text (httpx's own frames do, beyond our reach).

        Raises:
            TransportError: No usable HTTP answer; ``request_sent`` tells whether the server
                may have processed the request.
        """
        if log.isEnabledFor(logging.DEBUG):
            fields = ",".join(_field_names(form, files))
            log.debug("%s: POST %s fields=%s", command, script, fields)
        started = time.perf_counter()
        pool = await self._client()
        try:
            if pool.sender is None:
                http = pool.http
                request = http.build_request(
                    "POST",
                    self._base_url + script,
                    data={name: reveal(value) for name, value in form.items()},
                    files=dict(files) if files else None,
                    timeout=self._timeout or self._use_default,
                )
                response = await http.send(request, stream=True)
            else:
                url = self._urls.get(script)
                if url is None:
                    url = self._urls[script] = httpx.URL(self._base_url + script)
                request = httpx.Request(
                    "POST",
                    url,
                    data={name: reveal(value) for name, value in form.items()},
                    files=dict(files) if files else None,
                    headers=pool.headers,
                    extensions=self._extensions,
                )
                response = await pool.sender.handle_async_request(request)
        except self._not_sent as exc:
            raise self._failed(exc, command, sent=False) from exc
        except self._http_error as exc:
            raise self._failed(exc, command, sent=True) from exc
        try:
            if response.status_code != _HTTP_OK:
                raise TransportError(
                    f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                    command=command,
                    request_sent=True,
                    status_code=response.status_code,
                )
            content = await self._read(response)
        except self._http_error as exc:
            raise self._failed(exc, command, sent=True) from exc
        finally:
            await response.aclose()
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s: HTTP %d, %d bytes in %.3fs",
                command,
                response.status_code,
                len(content),
                time.perf_counter() - started,
            )
        return RawReply(response.status_code, content, _charset(response))

    def _failed(self, exc: Exception, command: str, *, sent: bool) -> TransportError:
        """The error for an httpx failure: it names the server; ``exc`` stays its cause.

        The cause's own words are redacted in place (a proxy's message may quote what it
        was sent), so the chained traceback shows no secret either.
        """
        exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
        where = "cannot reach" if not sent else "no usable answer from"
        return TransportError(
            f"{where} {self._server}: {_describe(exc)}", command=command, request_sent=sent
        )

    async def _read(self, response: httpx.Response) -> bytes:
        """The body, up to ``max_reply_bytes``; past it, stop reading (closing the stream).

        Raises:
            ReplyTooLarge: The body (or its announced length) is over the cap.
        """
        limit = self._max_reply
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > limit:
            raise ReplyTooLarge(limit, int(announced))
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise ReplyTooLarge(limit, None)
            chunks.append(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def aclose(self) -> None:
        """Close the clients this transport made (never a caller's ``http_client``).

        The running loop's client is closed here. Another loop's is closed by that loop
        (when it shuts down, or at once if it runs in another thread); a closed loop's is
        let go.
        """
        self.closed = True
        current = asyncio.get_running_loop()
        for loop, pool in list(self._pools.items()):
            del self._pools[loop]
            if loop is current:
                _discard(pool)  # its generator must not close the client a second time
                await pool.http.aclose()
            elif loop.is_closed():
                _discard(pool)
            elif loop.is_running():
                asyncio.run_coroutine_threadsafe(pool.http.aclose(), loop)
            # Otherwise a loop that is not running now: its shutdown closes the client.
        self._last = (None, self._given_pool)
        if self._transport is not None:
            await self._transport.aclose()


def _discard(pool: _LoopPool) -> None:
    """Finish a pool's generator without awaiting anything (its loop may be gone)."""
    pool.discarded = True
    closer, pool.closer = pool.closer, None
    if closer is None:
        return
    step = closer.aclose()
    try:
        step.send(None)
    except StopIteration:
        return
    step.close()  # not reached: the generator awaits nothing once discarded


_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


def _charset(response: httpx.Response) -> str | None:
    """The charset the Content-Type names, in lower case.

    httpx's ``charset_encoding`` parses the header with the email package, at several
    times the cost.
    """
    match = _CHARSET.search(response.headers.get("content-type", ""))
    return match[1].lower() if match else None


def _field_names(form: Mapping[str, str | Secret], files: Files | None) -> list[str]:
    return [*form, *(f"{name}(file)" for name in files or ())]


def _describe(exc: Exception) -> str:
    # httpx messages may quote the URL; ours never carries credentials, so that is safe.
    detail = str(exc) or "no detail"
    return f"{type(exc).__name__}: {detail}"
