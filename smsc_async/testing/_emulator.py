"""The embedded SMSC emulator: a Starlette app with in-memory state and the server's rules.

Requests are read (POST forms, multipart, or GET query strings; ``login``+``psw`` or
``apikey``; the request's ``charset``), then processed in a task of the emulator's own, so a
client that gives up does not stop the server: the request keeps counting as in flight
until it is finished, as on the real server. Time is the event loop's, so virtual-time
tests (looptime) run hours of rules in milliseconds.
"""

from __future__ import annotations

import asyncio
import codecs
import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from smsc_async import Format, SmscClient, Tariffs
from smsc_async.testing._calls import Call, Handler, Refusal, Render, Upload
from smsc_async.testing._delivery import Outcome, respond
from smsc_async.testing._faults import FaultKind, Faults
from smsc_async.testing._render import render_error
from smsc_async.testing._rules import Ban, RuleBook, ServerRule, Violation
from smsc_async.testing._senders import SendersFamily
from smsc_async.testing._tariffs import DEFAULT_TARIFFS, TariffsFamily
from smsc_async.testing._transport import EmulatorTransport

__all__ = ["DEFAULT_APIKEY", "DEFAULT_LOGIN", "DEFAULT_PASSWORD", "Account", "Emulator", "Exchange"]

DEFAULT_LOGIN = "demo"
DEFAULT_PASSWORD = "demo-password"  # noqa: S105 - the emulator's own test account
DEFAULT_APIKEY = "demo-apikey"
MSK = dt.timezone(dt.timedelta(hours=3), "MSK")  # Moscow has had no DST since 2014
_SERVER_CHARSET = "windows-1251"  # SMSC's default when a request names none
_SECRET_PARAMS = frozenset({"psw", "apikey", "password"})
_CONTENT_TYPES = {
    Format.LINES: "text/plain",
    Format.CSV: "text/plain",
    Format.XML: "text/xml",
    Format.JSON: "application/json",
}


@attrs.frozen
class Account:
    """An SMSC account of the emulator."""

    login: str
    password: str = attrs.field(repr=False)
    apikey: str | None = attrs.field(default=None, repr=False)


@attrs.define
class Exchange:
    """One request as the emulator saw it (secrets removed), for tests to inspect.

    Attributes:
        start: Event-loop time of arrival.
        end: When the emulator finished it (``None`` while in flight).
        ip: The client's address.
        login: The account: the one authenticated, else the ``login`` given.
        command: ``<script>.<flag>``, e.g. ``"senders.add"``.
        params: The parameters, without ``psw``/``apikey``.
        error_code: The SMSC error answered, or ``None`` for success.
        http_status: The HTTP status answered.
    """

    start: float
    ip: str
    login: str
    command: str
    params: Mapping[str, str]
    end: float | None = None
    error_code: int | None = None
    http_status: int = 200


class Emulator:
    """An SMSC server in memory, strict about its anti-flood rules.

    It is an ASGI app: use it in process through :meth:`client` (``httpx.ASGITransport``),
    in tests through the ``smsc_emulator`` pytest fixture, or over HTTP with
    ``smsc-async emulator`` (uvicorn). It has one account to begin with
    (:data:`DEFAULT_LOGIN` / :data:`DEFAULT_PASSWORD`, or :data:`DEFAULT_APIKEY`).

    Args:
        minute: Seconds per emulated minute: every rule window and ban scales with it.
        latency: Seconds every request takes at the server.
        jitter: Up to this many more seconds per request, drawn with ``seed``.
        seed: Seed of the emulator's randomness (jitter, confirmation codes).
        approve_senders: New sender names are allowed at once instead of after moderation.
        tariffs: The price list (a sample list by default).
        rules: The windowed anti-flood rules (spec §B by default).
    """

    def __init__(
        self,
        *,
        minute: float = 60.0,
        latency: float = 0.0,
        jitter: float = 0.0,
        seed: int = 0,
        approve_senders: bool = False,
        tariffs: Tariffs = DEFAULT_TARIFFS,
        rules: tuple[ServerRule, ...] | None = None,
    ) -> None:
        self.minute = minute
        self.faults = Faults(latency=latency, jitter=jitter, seed=seed)
        self.rulebook = RuleBook(minute=minute) if rules is None else RuleBook(minute, rules)
        self.tariffs = TariffsFamily(tariffs)
        self.senders = SendersFamily(approve=approve_senders, minute=minute, seed=seed)
        self.traffic: list[Exchange] = []
        self.accounts: dict[str, Account] = {}
        self._handlers: dict[tuple[str, str], Handler] = {
            **self.tariffs.handlers(),
            **self.senders.handlers(),
        }
        self._scripts = {script for script, _ in self._handlers}
        self._tasks: set[asyncio.Task[Outcome]] = set()
        self._epoch = dt.datetime(2026, 1, 1, 9, tzinfo=MSK)
        self._started: float | None = None
        self.add_account(DEFAULT_LOGIN, DEFAULT_PASSWORD, apikey=DEFAULT_APIKEY)
        self.app = Starlette(
            routes=[Route("/{path:path}", self._endpoint, methods=["GET", "POST"])]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        path = scope.get("path", "/")
        if scope["type"] == "http" and not path.startswith("/"):
            # An absolute-URI request line (``GET http://host/sys/get.php?...``, as proxies
            # send it): uvicorn's h11 protocol hands the whole URL on as the path.
            path = urlsplit(path).path or "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)

    # -- set-up and inspection ----------------------------------------------------------

    def add_account(self, login: str, password: str, *, apikey: str | None = None) -> Account:
        """Create (or replace) an account."""
        account = Account(login, password, apikey)
        self.accounts[login] = account
        return account

    @property
    def violations(self) -> list[Violation]:
        """Every request refused with error 9 for a rule, in order."""
        return self.rulebook.violations

    @property
    def bans(self) -> list[Ban]:
        """Every IP block imposed, in order."""
        return self.rulebook.bans

    def in_flight(self, login: str = DEFAULT_LOGIN) -> int:
        """Requests of ``login`` the emulator is working on now."""
        return self.rulebook.in_flight[login]

    def peak_in_flight(self, login: str = DEFAULT_LOGIN) -> int:
        """The most requests of ``login`` ever in flight at once."""
        return self.rulebook.peak_in_flight[login]

    def wall_clock(self, now: float) -> dt.datetime:
        """The emulator's calendar time (Moscow) at event-loop time ``now``.

        It starts at 2026-01-01 09:00 with the first request and runs ``60 / minute`` times
        as fast as the loop clock, so a compressed minute is still a minute of calendar.
        """
        started = self._started if self._started is not None else now
        return self._epoch + dt.timedelta(seconds=(now - started) * 60.0 / self.minute)

    async def drain(self) -> None:
        """Wait until every request the emulator has begun is finished."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- ways in ------------------------------------------------------------------------

    def transport(self, *, ip: str = "127.0.0.1") -> EmulatorTransport:
        """An httpx transport into this emulator, from client address ``ip``."""
        return EmulatorTransport(self, ip=ip)

    def client(self, **kwargs: Any) -> SmscClient:
        """An :class:`~smsc_async.SmscClient` wired to this emulator in process.

        Keyword arguments go to ``SmscClient`` and override the defaults (the default
        account's credentials, ``apikey=`` replacing them; the emulator's ``minute``);
        ``ip=`` sets the client's address.
        """
        ip = kwargs.pop("ip", "127.0.0.1")
        options: dict[str, Any] = {"base_url": "http://smsc.emulator/sys/"}
        if "apikey" not in kwargs:
            options.update(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD)
        options.update(kwargs)
        options.setdefault("transport", self.transport(ip=ip))
        options.setdefault("minute", self.minute)  # the client's windows match the emulator's
        return SmscClient(**options)

    # -- the server ---------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        script = request.url.path.rsplit("/", 1)[-1]
        if script not in self._scripts:
            return Response(
                "<html><body><h1>404 Not Found</h1></body></html>", 404, media_type="text/html"
            )
        params, files = await _read(request)
        ip = request.client.host if request.client else "unknown"
        task = asyncio.get_running_loop().create_task(self._process(script, params, files, ip))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        # Shielded: a client that gives up (timeout, cancellation) does not stop the server.
        outcome = await asyncio.shield(task)
        return respond(outcome, self.faults)

    async def _process(
        self, script: str, params: dict[str, str], files: dict[str, Upload], ip: str
    ) -> Outcome:
        now = asyncio.get_running_loop().time()
        if self._started is None:
            self._started = now
        command = next(
            (c for s, c in self._handlers if s == script and params.get(c, "0") not in ("", "0")),
            None,
        )
        name = f"{script.removesuffix('.php')}.{command or '?'}"
        fmt = _format(params)
        charset = _charset(params)
        login = params.get("login") or ""
        exchange = Exchange(
            now, ip, login, name, {k: v for k, v in params.items() if k not in _SECRET_PARAMS}
        )
        self.traffic.append(exchange)
        try:
            if self.faults.take(name, frozenset({FaultKind.RESET_BEFORE})):
                return Outcome.drop(name)
            if plan := self.faults.take(name, frozenset({FaultKind.BAD_GATEWAY})):
                await asyncio.sleep(self.faults.delay())
                exchange.http_status = 502
                return Outcome.bad_gateway(name, plan)
            incoming = _Incoming(script, command, name, params, files, ip, now)
            render, error = await self._answer(incoming, exchange)
            if script == "send.php":
                self.rulebook.send_answered(ip, now, error=error is not None)
            if error is not None:
                exchange.error_code = error.code
                body = render_error(fmt, error.code, error.message)
            else:
                body = render(fmt)
            return Outcome(
                body.encode(charset, errors="replace"),
                f"{_CONTENT_TYPES[fmt]}; charset={charset}",
                command=name,
            )
        finally:
            exchange.end = asyncio.get_running_loop().time()

    async def _answer(
        self, incoming: _Incoming, exchange: Exchange
    ) -> tuple[Render, Refusal | None]:
        """Apply bans, authentication and the rules; run the handler; take the latency."""
        script, command, name, params, ip, now = (
            incoming.script,
            incoming.command,
            incoming.name,
            incoming.params,
            incoming.ip,
            incoming.now,
        )
        if self.rulebook.banned(ip, now):
            await asyncio.sleep(self.faults.delay())
            return _nothing, Refusal(4, "ip is blocked")
        account = self._authenticate(params)
        if account is None:
            self.rulebook.auth_failed(ip, now)
            await asyncio.sleep(self.faults.delay())
            return _nothing, Refusal(2, "authorise error")
        login = exchange.login = account.login
        admitted = self.rulebook.enter(login)
        try:
            result: tuple[Render, Refusal | None]
            if not admitted:
                self.rulebook.record(Violation(now, login, name, "15 requests in flight", ip))
                result = _nothing, Refusal(9, "too many concurrent requests")
            elif command is None:
                result = _nothing, Refusal(1, "no command given")
            elif plan := self.faults.take(name, frozenset({FaultKind.ERROR})):
                result = _nothing, Refusal(plan.code, plan.message)
            elif rule := self.rulebook.admit(login, script, command, _public(params), now):
                self.rulebook.record(Violation(now, login, name, rule.describe(), ip))
                result = _nothing, Refusal(9, "duplicate request, wait a minute")
            else:
                call = Call(
                    script,
                    command,
                    _public(params),
                    incoming.files,
                    login,
                    now,
                    self.wall_clock(now),
                )
                try:
                    result = self._handlers[script, command](call), None
                except Refusal as refusal:
                    result = _nothing, refusal
            await asyncio.sleep(self.faults.delay())
            return result
        finally:
            self.rulebook.leave(login)

    def _authenticate(self, params: Mapping[str, str]) -> Account | None:
        if apikey := params.get("apikey"):
            return next((a for a in self.accounts.values() if a.apikey == apikey), None)
        account = self.accounts.get(params.get("login", ""))
        psw = params.get("psw", "")
        if account is None or not psw:
            return None
        # Official libraries also send the lower-case MD5 of the password (spec §1.2,
        # UNVERIFIED for today's server); the emulator accepts both.
        md5 = hashlib.md5(account.password.encode(), usedforsecurity=False).hexdigest()
        return account if psw in (account.password, md5) else None


@attrs.frozen
class _Incoming:
    """A request as read, before the server's checks."""

    script: str
    command: str | None
    name: str
    params: Mapping[str, str]
    files: Mapping[str, Upload]
    ip: str
    now: float


def _nothing(fmt: Format) -> str:
    del fmt
    return ""


def _public(params: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k not in _SECRET_PARAMS | {"login"}}


def _format(params: Mapping[str, str]) -> Format:
    try:
        return Format(int(params.get("fmt", "0")))
    except ValueError:
        return Format.LINES


# Python's codec names, spelled as SMSC spells them in its Content-Type header.
_LABELS = {"cp1251": "windows-1251", "koi8-r": "koi8-r", "utf-8": "utf-8"}


def _charset(params: Mapping[str, str]) -> str:
    try:
        name = codecs.lookup(params.get("charset") or _SERVER_CHARSET).name
    except LookupError:
        return _SERVER_CHARSET
    return _LABELS.get(name, name)


async def _read(request: Request) -> tuple[dict[str, str], dict[str, Upload]]:
    """Parameters from the query string and the body (form or multipart), and uploads.

    URL-encoded data is decoded in the charset the request names (SMSC's default,
    windows-1251, when it names none), as the server does.
    """
    raw_query = request.url.query
    content_type = request.headers.get("content-type", "")
    files: dict[str, Upload] = {}
    if content_type.startswith("multipart/form-data"):
        # Read every part as latin-1 (lossless), then decode it in the charset the request
        # names, like url-encoded data: Starlette alone would assume UTF-8.
        headers = [(k, v) for k, v in request.scope["headers"] if k != b"content-type"]
        headers.append((b"content-type", (content_type + "; charset=latin-1").encode()))
        raw = Request({**request.scope, "headers": headers}, request.receive)
        fields: list[tuple[str, str]] = []
        uploads: list[tuple[str, str, bytes, str]] = []
        async with raw.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    kind = value.content_type or "application/octet-stream"
                    uploads.append((key, value.filename or key, data, kind))
                else:
                    fields.append((key, value))
        charset = _charset(_parse(raw_query) | dict(fields))

        def text(value: str) -> str:
            return value.encode("latin-1").decode(charset, errors="replace")

        params = _parse(raw_query)
        params.update((text(k), text(v)) for k, v in fields)
        for key, filename, data, kind in uploads:
            files[text(key)] = Upload(text(filename), data, kind)
        return params, files
    raw_body = (await request.body()).decode("latin-1")
    if content_type and not content_type.startswith("application/x-www-form-urlencoded"):
        raw_body = ""
    return _parse(raw_query, raw_body), files


def _parse(*raw: str) -> dict[str, str]:
    sniffed = dict(p for part in raw for p in parse_qsl(part, encoding="latin-1"))
    charset = _charset(sniffed)
    params: dict[str, str] = {}
    for part in raw:
        params.update(parse_qsl(part, keep_blank_values=True, encoding=charset, errors="replace"))
    return params
