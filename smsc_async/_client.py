"""``SmscClient``: configuration, the transport, and the one command path."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from smsc_async._commands import Command
from smsc_async._config import (
    DEFAULT_BASE_URL,
    DEFAULT_CONCURRENCY,
    DEFAULT_TIMEOUT,
    ClientConfig,
    Credentials,
)
from smsc_async._transport import UNSET, Transport, Unset
from smsc_async._types import Files, Format
from smsc_async._validation import checking
from smsc_async.errors import ParseError, api_error_class
from smsc_async.formats import ErrorReply, decode_reply
from smsc_async.resources import SendersResource, TariffsResource

if TYPE_CHECKING:
    import httpx

__all__ = ["SmscClient"]

T = TypeVar("T")
log = logging.getLogger("smsc_async")

_CHARSET = "utf-8"


def _positive(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


class SmscClient:
    """An async client for the SMSC HTTP API.

    Use one per application (it holds a connection pool), as an async context manager or
    closing it with :meth:`aclose`::

        async with SmscClient(login="alex", password="...") as smsc:
            tariffs = await smsc.tariffs.get()

    Args:
        login: Account login, with ``password``.
        password: Account password. Never logged, shown or put in a URL.
        apikey: API key, instead of ``login`` and ``password``. Never logged or shown.
        base_url: Where SMSC's scripts live.
        fmt: Wire format to ask for (:class:`Format` or 0-3). Every format decodes to the
            same models; JSON is the cheapest to decode.
        timeout: Seconds a request may take in all (``None`` for no limit). With
            ``http_client`` and no ``timeout``, that client's own timeouts apply.
        http_client: An ``httpx.AsyncClient`` of yours to send through (proxies, custom
            settings). Used as given, never closed here.
        transport: An httpx transport for the client's own pool, e.g. the emulator's
            (``Emulator.transport()``); closed with the client. Not with ``http_client``.

    Raises:
        ValidationError: Missing or conflicting credentials, or a bad option.
    """

    def __init__(
        self,
        *,
        login: str | None = None,
        password: str | None = None,
        apikey: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        fmt: Format | int = Format.JSON,
        timeout: float | Unset | None = UNSET,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        with checking("SmscClient") as check:
            if apikey is not None:
                if login is not None or password is not None:
                    check.fail("apikey", "give apikey, or login and password, not both")
                elif not isinstance(apikey, str) or not apikey:
                    check.fail("apikey", "must be a non-empty string")
            else:
                if not isinstance(login, str) or not login:
                    check.fail("login", "must be a non-empty string (or give apikey)")
                if not isinstance(password, str) or not password:
                    check.fail("password", "must be a non-empty string (or give apikey)")
            try:
                fmt = Format(fmt)
            except ValueError:
                check.fail("fmt", f"must be a Format or 0-3, got {fmt!r}")
            if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
                check.fail("base_url", f"must be an http(s) URL, got {base_url!r}")
            if timeout is not None and timeout is not UNSET and not _positive(timeout):
                check.fail("timeout", f"must be positive seconds or None, got {timeout!r}")
            if transport is not None and http_client is not None:
                check.fail("transport", "give transport or http_client, not both")
        if timeout is UNSET and http_client is None:
            timeout = DEFAULT_TIMEOUT
        self._config = ClientConfig(
            credentials=Credentials(login=login, password=password, apikey=apikey),
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            fmt=Format(fmt),
            timeout=None if isinstance(timeout, Unset) else timeout,
            max_concurrency=DEFAULT_CONCURRENCY,
        )
        self._transport = Transport(
            base_url=self._config.base_url,
            timeout=timeout,
            max_connections=self._config.max_concurrency,
            http_client=http_client,
            transport=transport,
        )

    @property
    def config(self) -> ClientConfig:
        """The client's configuration (secrets hidden from its repr)."""
        return self._config

    @functools.cached_property
    def tariffs(self) -> TariffsResource:
        """The tariffs family: ``smsc.tariffs.get()``."""
        return TariffsResource(self._call)

    @functools.cached_property
    def senders(self) -> SendersResource:
        """The sender-names family: ``smsc.senders.list()``, ``.add()``, ..."""
        return SendersResource(self._call)

    async def _call(
        self, command: Command[T], params: Mapping[str, str], *, files: Files | None = None
    ) -> T:
        """The one path every command takes: form, post, decode, raise SMSC's errors."""
        config = self._config
        form = {
            command.flag: "1",
            **params,
            "fmt": str(int(config.fmt)),
            "charset": _CHARSET,
            **config.credentials.form_fields(),
        }
        raw = await self._transport.post(command.script, form, files, command=command.name)
        try:
            result: Any = decode_reply(
                raw.content,
                fmt=config.fmt,
                shape=command.shape,
                result_type=command.result_type,
                params=form,
                header_charset=raw.charset,
                requested_charset=_CHARSET,
            )
        except ParseError as exc:
            raise ParseError(
                exc.reason, command=command.name, fmt=exc.fmt, excerpt=exc.excerpt
            ) from None
        if isinstance(result, ErrorReply):
            log.debug("%s: SMSC error %d (%s)", command.name, result.code, result.message)
            cls = api_error_class(result.code, command.script)
            raise cls(result.code, result.message, command=command.name, id=result.id)
        return result  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Close the connection pool (unless it belongs to a caller-supplied client)."""
        await self._transport.aclose()

    async def __aenter__(self) -> SmscClient:  # noqa: PYI034 - not meant to be subclassed
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        config = self._config
        return (
            f"<SmscClient account={config.credentials.account!r} base_url={config.base_url!r} "
            f"fmt={config.fmt.name}>"
        )
