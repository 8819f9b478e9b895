"""The only module that talks httpx: it posts a form and maps httpx's failures, once.

It knows commands by name only, nothing of models or formats. Credentials travel in the
POST body, never in a URL; the debug log names the fields sent, never their values.
"""

from __future__ import annotations

import enum
import logging
import re
import time
from collections.abc import Mapping

import attrs
import httpx

from smsc_async._types import Files, Params
from smsc_async._version import __version__
from smsc_async.errors import TransportError

__all__ = ["UNSET", "RawReply", "Transport", "Unset"]

log = logging.getLogger("smsc_async")


class Unset(enum.Enum):
    """The type of :data:`UNSET` (an enum, so type checkers can tell it from a float)."""

    UNSET = "UNSET"


UNSET = Unset.UNSET
"""``timeout`` not given: use the caller-supplied client's own timeouts."""

# Failures that prove the request never reached the server: retrying them is always safe.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.InvalidURL,
)
_HTTP_OK = 200


class _NoCookies(httpx.Cookies):
    """A cookie store that keeps none.

    SMSC's API is stateless (credentials in every request), and httpx's cookie handling
    builds urllib request and response stand-ins for every response, which measured at a
    quarter of a call's client CPU (``benchmarks/cost_per_call.py``).
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        """Ignore the response's cookies."""
        del response


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
        http_client: A caller-owned client, used as given and never closed here.
        transport: An httpx transport for the client created here (closed with it).
    """

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float | Unset | None,
        exchange_limit: float | None,
        max_connections: int,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base_url = base_url
        self._owned = http_client is None
        self._timeout: httpx.Timeout | None = None
        if not isinstance(timeout, Unset):
            self._timeout = httpx.Timeout(exchange_limit, connect=timeout, pool=None)
        if http_client is None:
            http_client = httpx.AsyncClient(
                transport=transport,
                timeout=self._timeout or httpx.Timeout(None),
                limits=httpx.Limits(
                    max_connections=max_connections, max_keepalive_connections=max_connections
                ),
                headers={"User-Agent": f"smsc_async/{__version__}"},
            )
            # httpx's ``cookies`` setter copies into a plain store, so the attribute is set
            # directly; on an httpx without it, cookies are simply kept as before.
            if isinstance(getattr(http_client, "_cookies", None), httpx.Cookies):
                http_client._cookies = _NoCookies()  # noqa: SLF001 - see above
        self._http = http_client

    async def post(
        self, script: str, form: Params, files: Files | None = None, *, command: str
    ) -> RawReply:
        """POST ``form`` (and ``files``, as multipart) to ``script``.

        Raises:
            TransportError: No usable HTTP answer; ``request_sent`` tells whether the server
                may have processed the request.
        """
        url = self._base_url + script
        log.debug("%s: POST %s fields=%s", command, script, ",".join(_field_names(form, files)))
        started = time.perf_counter()
        try:
            response = await self._http.post(
                url,
                data=dict(form),
                files=dict(files) if files else None,
                timeout=self._timeout or httpx.USE_CLIENT_DEFAULT,
            )
        except _NOT_SENT as exc:
            raise TransportError(_describe(exc), command=command, request_sent=False) from None
        except httpx.HTTPError as exc:
            raise TransportError(_describe(exc), command=command, request_sent=True) from None
        log.debug(
            "%s: HTTP %d, %d bytes in %.3fs",
            command,
            response.status_code,
            len(response.content),
            time.perf_counter() - started,
        )
        if response.status_code != _HTTP_OK:
            raise TransportError(
                f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                command=command,
                request_sent=True,
                status_code=response.status_code,
            )
        return RawReply(response.status_code, response.content, _charset(response))

    async def aclose(self) -> None:
        """Close the httpx client if this transport created it."""
        if self._owned:
            await self._http.aclose()


_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)


def _charset(response: httpx.Response) -> str | None:
    """The charset the Content-Type names, in lower case.

    httpx's ``charset_encoding`` parses the header with the email package, at several
    times the cost.
    """
    match = _CHARSET.search(response.headers.get("content-type", ""))
    return match[1].lower() if match else None


def _field_names(form: Mapping[str, str], files: Files | None) -> list[str]:
    return [*form, *(f"{name}(file)" for name in files or ())]


def _describe(exc: Exception) -> str:
    # httpx messages may quote the URL; ours never carries credentials, so that is safe.
    detail = str(exc) or "no detail"
    return f"{type(exc).__name__}: {detail}"
