"""The embedded SMSC emulator: a Starlette app with in-memory state and the server's rules.

Requests are read (POST forms, multipart, or GET query strings; ``login``+``psw`` or
``apikey``; the request's ``charset``), then processed in a task of the emulator's own, so a
client that gives up does not stop the server: the request keeps counting as in flight
until it is finished, as on the real server. Time is the event loop's, so virtual-time
tests (looptime) run hours of rules in milliseconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from smsc_async import AccountType, Format, SmscClient, Tariffs
from smsc_async.callbacks import BodyFormat
from smsc_async.testing._callbacks import CallbackSender, callback_target
from smsc_async.testing._calls import Call, Handler, Refusal, Render, Upload
from smsc_async.testing._contacts import ContactsFamily
from smsc_async.testing._delivery import Outcome, respond
from smsc_async.testing._faults import FaultKind, Faults
from smsc_async.testing._history import HistoryFamily
from smsc_async.testing._mailings import MailingsFamily
from smsc_async.testing._messages import MessagesFamily, Resolver
from smsc_async.testing._op_templates import OpTemplatesFamily
from smsc_async.testing._outbox import Outbox
from smsc_async.testing._render import render_error
from smsc_async.testing._requests import Account, authenticate, charset_of, format_of, read
from smsc_async.testing._rules import Ban, RuleBook, ServerRule, Violation
from smsc_async.testing._senders import SendersFamily
from smsc_async.testing._tariffs import DEFAULT_TARIFFS, TariffsFamily
from smsc_async.testing._templates import TemplatesFamily
from smsc_async.testing._transport import EmulatorTransport
from smsc_async.testing._users import UsersFamily

__all__ = ["DEFAULT_APIKEY", "DEFAULT_LOGIN", "DEFAULT_PASSWORD", "Account", "Emulator", "Exchange"]

DEFAULT_LOGIN = "demo"
DEFAULT_PASSWORD = "demo-password"  # noqa: S105 - the emulator's own test account
DEFAULT_APIKEY = "demo-apikey"
MSK = dt.timezone(dt.timedelta(hours=3), "MSK")  # Moscow has had no DST since 2014
# Never recorded in the traffic log; the handlers see all but the credentials.
_SECRET_PARAMS = frozenset({"psw", "apikey", "password", "pswc"})
_CREDENTIALS = frozenset({"login", "psw", "apikey"})
_CONTENT_TYPES = {
    Format.LINES: "text/plain",
    Format.CSV: "text/plain",
    Format.XML: "text/xml",
    Format.JSON: "application/json",
}


@attrs.define
class Exchange:
    """One request as the emulator saw it (secrets removed), for tests to inspect.

    Attributes:
        start: Event-loop time of arrival.
        end: When the emulator finished it (``None`` while in flight).
        ip: The client's address.
        login: The account: the one authenticated, else the ``login`` given.
        command: ``<script>.<flag>``, e.g. ``"senders.add"``; for the scripts without a
            command flag, ``"send.send"``, ``"send.cost"``, ``"status.status"``,
            ``"status.del"``, ``"balance.balance"``.
        params: The parameters, without the secrets (``psw``, ``apikey``, ``password``,
            ``pswc``).
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
    (:data:`DEFAULT_LOGIN` / :data:`DEFAULT_PASSWORD`, or :data:`DEFAULT_APIKEY`); the
    subclients it creates (``users.php``, :meth:`add_subclient`) are accounts too. The
    families' state is open to tests: :attr:`tariffs`, :attr:`senders`, :attr:`users`,
    :attr:`op_templates`, :attr:`contacts` (``phones.php`` and ``mails.php``), :attr:`messages`
    (``send.php``, ``status.php``, ``balance.php``: balances, and the knobs that provoke
    refusals), :attr:`outbox` (messages sent and answers received; :meth:`Outbox.receive`
    lets an answer arrive), :attr:`history` (``get.php`` history, inbox and statistics,
    ``info.php`` operator look-ups over sample numbering data), :attr:`templates`
    (``templates.php``), :attr:`mailings` (``jobs.php``). Scripts without a
    command flag have commands named by the emulator: ``send.send``, ``send.cost``
    (``cost=1``), ``status.status``, ``status.del`` (``del=1``), ``balance.balance``.

    Args:
        minute: Seconds per emulated minute: every rule window and ban scales with it.
        latency: Seconds every request takes at the server.
        jitter: Up to this many more seconds per request, drawn with ``seed``.
        seed: Seed of the emulator's randomness (jitter, confirmation codes).
        approve_senders: New sender names are allowed at once instead of after moderation.
        tariffs: The price list (a sample list by default).
        rules: The windowed anti-flood rules (spec §B by default).
        callback_url: Post status reports and incoming messages to this handler URL, as
            SMSC does to the one set in the account (see :attr:`callbacks`). Its query may
            hold ``fmt``, ``charset`` and ``md5``/``sha1``/``crc32`` as in SMSC's settings.
        callback_secret: Sign each callback with this secret (the value of ``md5=``...).
        callback_algorithm: ``"md5"`` (the default), ``"sha1"`` or ``"crc32"``.
        callback_fmt: The body: ``"form"`` (the default), ``"json"`` or ``"xml"``.
        callback_charset: The body's charset: ``"windows-1251"`` (SMSC's default),
            ``"utf-8"`` or ``"koi8-r"``.

    Raises:
        ValueError: A callback setting is unknown or contradicts the URL.
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
        callback_url: str | None = None,
        callback_secret: str | None = None,
        callback_algorithm: str | None = None,
        callback_fmt: BodyFormat | None = None,
        callback_charset: str | None = None,
    ) -> None:
        self.minute = minute
        self.faults = Faults(latency=latency, jitter=jitter, seed=seed)
        self.rulebook = RuleBook(minute=minute) if rules is None else RuleBook(minute, rules)
        self.tariffs = TariffsFamily(tariffs)
        self.senders = SendersFamily(approve=approve_senders, minute=minute, seed=seed)
        self.op_templates = OpTemplatesFamily(self.senders)
        self.contacts = ContactsFamily()
        self.outbox = Outbox(self.wall_clock, minute)
        self.callbacks: CallbackSender | None = None
        """Posts callbacks when ``callback_url`` is set: its ``deliveries`` record each."""
        if callback_url is not None:
            target = callback_target(
                callback_url,
                secret=callback_secret,
                algorithm=callback_algorithm,
                fmt=callback_fmt,
                charset=callback_charset,
            )
            self.callbacks = CallbackSender(target, outbox=self.outbox, seed=seed)
        elif callback_secret or callback_algorithm or callback_fmt or callback_charset:
            raise ValueError("callback settings were given without a callback_url")
        # get.php history, inbox and statistics, info.php: they read the outbox.
        self.history = HistoryFamily(self.outbox)
        self.traffic: list[Exchange] = []
        self.accounts: dict[str, Account] = {}
        self.users = UsersFamily(self.accounts, self.senders, self.op_templates, self.contacts)
        self.messages = MessagesFamily(
            self.outbox, self.tariffs, self.users, self.senders, self.contacts
        )
        # templates.php and jobs.php: message templates, and mailings that may send them.
        self.templates = TemplatesFamily()
        self.mailings = MailingsFamily(self.tariffs, self.templates, self.contacts)
        self._handlers: dict[tuple[str, str], Handler] = {
            **self.tariffs.handlers(),
            **self.senders.handlers(),
            **self.users.handlers(),
            **self.op_templates.handlers(),
            **self.contacts.handlers(),
            **self.history.handlers(),
            **self.messages.handlers(),
            **self.templates.handlers(),
            **self.mailings.handlers(),
        }
        # Scripts without a command flag (send.php, status.php, balance.php) name their own.
        self._resolvers: dict[str, Resolver] = self.messages.resolvers()
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

    def add_subclient(
        self,
        login: str,
        password: str,
        *,
        parent: str = DEFAULT_LOGIN,
        type: AccountType = AccountType.INDEPENDENT,  # noqa: A002 - SMSC's own name
        balance: Decimal = Decimal(0),
    ) -> int:
        """Create a subclient of ``parent`` as ``users.php?add=1`` would, without any checks.

        It signs in with ``login`` and ``password`` like any account. ``balance`` is set
        without a payment (statistics show no credit for it).

        Returns:
            Its id (``user_id``).

        Raises:
            ValueError: ``login`` is taken already.
        """
        entry = self.users.create(login, password, parent=parent, type=type, balance=balance)
        return entry.id

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

    async def aclose(self) -> None:
        """Release what the emulator holds besides memory.

        That is the callback sender's tasks, timers and connections; callbacks not yet
        posted are dropped.
        """
        if self.callbacks is not None:
            await self.callbacks.aclose()

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
        params, files = await read(request)
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
        command = self._command_of(script, params)
        name = f"{script.removesuffix('.php')}.{command or '?'}"
        fmt = format_of(params)
        charset = charset_of(params)
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
                body = render_error(fmt, error.code, error.message, id=error.id)
            else:
                body = render(fmt)
            return Outcome(
                body.encode(charset, errors="replace"),
                f"{_CONTENT_TYPES[fmt]}; charset={charset}",
                command=name,
            )
        finally:
            exchange.end = asyncio.get_running_loop().time()

    def _command_of(self, script: str, params: Mapping[str, str]) -> str | None:
        """The command: named by the script's resolver, else the first handler flag set."""
        if (resolve := self._resolvers.get(script)) is not None:
            return resolve(params)
        return next(
            (c for s, c in self._handlers if s == script and params.get(c, "0") not in ("", "0")),
            None,
        )

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
        account = authenticate(self.accounts, params)
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
            elif rule := self.rulebook.admit(login, script, command, _handed(params), now):
                self.rulebook.record(Violation(now, login, name, rule.describe(), ip))
                result = _nothing, Refusal(9, "duplicate request, wait a minute")
            else:
                call = Call(
                    script,
                    command,
                    _handed(params),
                    incoming.files,
                    login,
                    now,
                    self.wall_clock(now),
                )
                try:
                    self._check_user(call)
                    result = self._handlers[script, command](call), None
                except Refusal as refusal:
                    result = _nothing, refusal
            await asyncio.sleep(self.faults.delay())
            return result
        finally:
            self.rulebook.leave(login)

    def _check_user(self, call: Call) -> None:
        """Refuse ``user=`` naming anyone but a subclient of the caller (error 3).

        ``users.php`` checks its own ``user`` per command (``add`` names a new one).
        """
        user = call.params.get("user")
        if call.script != "users.php" and user and not self.users.is_subclient(call.login, user):
            raise Refusal(3, "subclient not found")


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


def _handed(params: Mapping[str, str]) -> dict[str, str]:
    """The parameters a handler (and the rules) see: all but the credentials."""
    return {k: v for k, v in params.items() if k not in _CREDENTIALS}
