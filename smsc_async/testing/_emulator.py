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
import logging
import math
import sys
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any
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
from smsc_async.testing._outbox import InboxEntry, Outbox, OutboxEntry
from smsc_async.testing._render import render_error
from smsc_async.testing._requests import Account, authenticate, charset_of, format_of, read
from smsc_async.testing._rules import CONCURRENCY_LIMIT, Ban, RuleBook, ServerRule, Violation
from smsc_async.testing._senders import SendersFamily
from smsc_async.testing._tariffs import DEFAULT_TARIFFS, TariffsFamily
from smsc_async.testing._templates import TemplatesFamily
from smsc_async.testing._transport import EmulatorTransport
from smsc_async.testing._users import UsersFamily
from smsc_async.testing._workbench import workbench_routes

if TYPE_CHECKING:
    from smsc_async import ClientOptions

    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack  # installed with anyio and cattrs

__all__ = ["DEFAULT_APIKEY", "DEFAULT_LOGIN", "DEFAULT_PASSWORD", "Account", "Emulator", "Exchange"]

DEFAULT_LOGIN = "demo"
DEFAULT_PASSWORD = "demo-password"  # noqa: S105 - the emulator's own test account
DEFAULT_APIKEY = "demo-apikey"
MSK = dt.timezone(dt.timedelta(hours=3), "MSK")  # Moscow has had no DST since 2014
# Never recorded in the traffic log; the handlers see all but the credentials.
log = logging.getLogger("smsc_async.emulator")
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
        rule: For an error 9 the rules caused, the rule (:meth:`ServerRule.describe`, or
            ``"15 requests in flight"``).
    """

    start: float
    ip: str
    login: str
    command: str
    params: Mapping[str, str]
    end: float | None = None
    error_code: int | None = None
    http_status: int = 200
    rule: str | None = None


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
        control_token: The token the workbench's controls (``POST /_emulator/...``) need
            from clients not on this machine; without one, only local clients may use them.
        start: What the calendar reads at the first request (a naive value is Moscow
            time); by default the time of construction, so dates in examples and apps
            (``get.php`` periods, mailing times) mean what they would at SMSC today.

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
        control_token: str | None = None,
        start: dt.datetime | None = None,
    ) -> None:
        self.minute = minute
        self.control_token = control_token
        """``Authorization: Bearer`` token the workbench's controls need from a client that is
        not on this machine (``None``: such clients may not use them at all)."""
        self.version = 0
        """Grows with every change (a request, a status change, a control): see :meth:`bump`."""
        self._settings = _Settings(latency, jitter, seed, approve_senders, tariffs, rules)
        self._callback_target = None
        if callback_url is not None:
            self._callback_target = callback_target(
                callback_url,
                secret=callback_secret,
                algorithm=callback_algorithm,
                fmt=callback_fmt,
                charset=callback_charset,
            )
        elif callback_secret or callback_algorithm or callback_fmt or callback_charset:
            raise ValueError("callback settings were given without a callback_url")
        self._tasks: set[asyncio.Task[Outcome]] = set()
        when = dt.datetime.now(MSK).replace(microsecond=0) if start is None else start
        self._epoch = (when if when.tzinfo else when.replace(tzinfo=MSK)).astimezone(MSK)
        self._started: float | None = None
        self._fresh()
        self.app = Starlette(
            routes=[
                *workbench_routes(self),
                Route("/{path:path}", self._endpoint, methods=["GET", "POST"]),
            ]
        )

    def _fresh(self) -> None:
        """Create the families' state anew (at start, and on :meth:`reset`)."""
        settings, minute = self._settings, self.minute
        self.faults = Faults(latency=settings.latency, jitter=settings.jitter, seed=settings.seed)
        self.rulebook = (
            RuleBook(minute=minute) if settings.rules is None else RuleBook(minute, settings.rules)
        )
        self.tariffs = TariffsFamily(settings.tariffs)
        self.senders = SendersFamily(
            approve=settings.approve_senders, minute=minute, seed=settings.seed
        )
        self.op_templates = OpTemplatesFamily(self.senders)
        self.contacts = ContactsFamily()
        self.outbox = Outbox(self.wall_clock, minute)
        self.outbox.observers.append(_Bumper(self))
        self.callbacks: CallbackSender | None = None
        """Posts callbacks when ``callback_url`` is set: its ``deliveries`` record each."""
        if self._callback_target is not None:
            self.callbacks = CallbackSender(
                self._callback_target, outbox=self.outbox, seed=settings.seed
            )
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
        self._bans_logged = 0
        self.add_account(DEFAULT_LOGIN, DEFAULT_PASSWORD, apikey=DEFAULT_APIKEY)

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

        It reads ``start`` (see the constructor) at the first request and runs ``60 / minute``
        times as fast as the loop clock, so a compressed minute is still a minute of calendar.
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

    # -- the workbench: version, clock, reset, summary -----------------------------------

    def bump(self) -> None:
        """Note a change: :attr:`version` grows, so the workbench's clients redraw."""
        self.version += 1

    def loop_time(self) -> float:
        """The emulator's event-loop time now (from a thread without a loop, its last loop's)."""
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            return self.outbox._now()  # noqa: SLF001 - the outbox knows the loop it sent on

    def now(self) -> dt.datetime:
        """The emulator's calendar time now (Moscow)."""
        return self.wall_clock(self.loop_time())

    def settle(self) -> None:
        """Bring every message's status up to now; any that changed bumps :attr:`version`.

        Statuses change in emulated time without a request: the workbench settles before
        it shows them, so a page sees "delivered" when it is due, not at the next request.
        """
        now = self.loop_time()
        due = [e for e in self.outbox.entries if e.steps and e.steps[0].at <= now]
        for entry in due:
            entry.settle(now, self.minute)
        if due:
            self.bump()

    def advance(self, seconds: float) -> None:
        """Move emulated time ``seconds`` forward (emulated seconds, scaled by ``minute``).

        Everything the emulator remembers happened that much earlier: statuses due within
        ``seconds`` change (and are called back), rule windows, IP bans and code pauses age
        by it, and the calendar moves on by it. See :mod:`smsc_async.testing._workbench`
        for why time is aged rather than offset.

        Raises:
            ValueError: ``seconds`` is negative (time does not run back).
        """
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        shift = seconds * self.minute / 60.0
        now = self.loop_time()
        self._started = (now if self._started is None else self._started) - shift
        _age_outbox(self.outbox, shift)
        _age_rulebook(self.rulebook, shift)
        for code in self.senders.codes.values():
            code.sent -= shift
        for exchange in self.traffic:
            exchange.start -= shift
            if exchange.end is not None:
                exchange.end -= shift
        for entry in self.outbox.entries:
            applied = len(entry.applied)
            entry.settle(now, self.minute)
            if entry.steps or len(entry.applied) > applied:
                # "Its coming status changes were replaced": the callback sender reports the
                # changes made and times the rest anew (its old timers find nothing to do).
                for observer in list(self.outbox.observers):
                    observer.changed(entry)
        self.bump()

    def set_clock(self, when: dt.datetime) -> None:
        """Set the calendar: it reads ``when`` now and runs on from there.

        Only the calendar moves (the dates of later messages, ``get.php`` periods); rule
        windows and statuses keep their emulated time. A naive ``when`` is Moscow time.
        """
        if when.tzinfo is None:
            when = when.replace(tzinfo=MSK)
        self._epoch = when.astimezone(MSK)
        self._started = self.loop_time()
        self.bump()

    async def reset(self) -> None:
        """Forget what the emulator was told and did; keep its settings and its calendar.

        Messages, replies, traffic, violations, bans, subclients, sender names, contacts,
        planned faults: all fresh. Family objects are new, so read them from the emulator
        again afterwards. Callbacks not yet posted are dropped.
        """
        old = self.callbacks
        self._fresh()
        if old is not None and self.callbacks is not None:
            for knob in ("transport", "retries", "retry_delay", "timeout", "repeat"):
                setattr(self.callbacks, knob, getattr(old, knob))
            await old.aclose()
            self.callbacks.bind(asyncio.get_running_loop())
        self.bump()

    def summary(self) -> str:
        """What happened, in a few lines: printed by ``smsc-async emulator`` on shutdown.

        Requests, violations (by rule), SMSC error codes answered, the peak of requests in
        flight per login, and the IP bans.
        """
        traffic, violations, bans = self.traffic, self.violations, self.bans
        errors = Counter(e.error_code for e in traffic if e.error_code is not None)
        head = (
            f"SMSC emulator: {_count(len(traffic), 'request')}, "
            f"{_count(len(violations), 'violation')} (error 9), {_count(len(bans), 'IP ban')}"
        )
        lines = [head]
        if violations:
            lines.append("Violations by rule:")
            by_rule = Counter(v.rule for v in violations)
            lines += [f"  {rule}: {n}" for rule, n in by_rule.most_common()]
        if errors:
            codes = ", ".join(f"{code} x{n}" for code, n in sorted(errors.items()))
            lines.append(f"Error codes: {codes}")
        peaks = {k: v for k, v in self.rulebook.peak_in_flight.items() if v}
        if peaks:
            shown = ", ".join(f"{login} {peak}" for login, peak in sorted(peaks.items()))
            lines.append(f"Peak in flight (refused at {CONCURRENCY_LIMIT}): {shown}")
        if bans:
            lines.append("Bans:")
            lines += [f"  {b.ip} until {self._until(b)}: {b.reason}" for b in bans]
        return "\n".join(lines)

    # -- ways in ------------------------------------------------------------------------

    def transport(self, *, ip: str = "127.0.0.1") -> EmulatorTransport:
        """An httpx transport into this emulator, from client address ``ip``."""
        return EmulatorTransport(self, ip=ip)

    def client(self, *, ip: str = "127.0.0.1", **kwargs: Unpack[ClientOptions]) -> SmscClient:
        """An :class:`~smsc_async.SmscClient` wired to this emulator in process.

        Keyword arguments go to ``SmscClient`` and override the defaults (the default
        account's credentials, ``apikey=`` replacing them; the emulator's ``minute``);
        ``ip=`` sets the client's address.
        """
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
        self.bump()  # in flight now: the workbench shows it
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
                _refused(exchange, error)
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
            self._log_bans()
            self.bump()

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
                exchange.rule = f"{CONCURRENCY_LIMIT} requests in flight"
                self.rulebook.record(Violation(now, login, name, exchange.rule, ip))
                result = _nothing, Refusal(9, "too many concurrent requests")
            elif command is None:
                result = _nothing, Refusal(1, "no command given")
            elif plan := self.faults.take(name, frozenset({FaultKind.ERROR})):
                result = _nothing, Refusal(plan.code, plan.message)
            elif rule := self.rulebook.admit(login, script, command, _handed(params), now):
                exchange.rule = rule.describe()
                self.rulebook.record(Violation(now, login, name, exchange.rule, ip))
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

    def _log_bans(self) -> None:
        """Log each IP ban imposed since the last look (once, whichever request caused it)."""
        for ban in self.rulebook.bans[self._bans_logged :]:
            log.warning("banned IP %s until %s: %s", ban.ip, self._until(ban), ban.reason)
        self._bans_logged = len(self.rulebook.bans)

    def _until(self, ban: Ban) -> str:
        """When ``ban`` ends, on the calendar ("further notice" for one without an end)."""
        if not math.isfinite(ban.until):
            return "further notice"
        return self.wall_clock(ban.until).isoformat(sep=" ", timespec="seconds")

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


@attrs.frozen
class _Settings:
    """What :meth:`Emulator.reset` keeps."""

    latency: float
    jitter: float
    seed: int
    approve_senders: bool
    tariffs: Tariffs
    rules: tuple[ServerRule, ...] | None


@attrs.define
class _Bumper:
    """An outbox observer: a message added or re-timed, or a reply, is a change to show."""

    emulator: Emulator

    def changed(self, entry: OutboxEntry) -> None:
        del entry
        self.emulator.bump()

    def received(self, answer: InboxEntry) -> None:
        del answer
        self.emulator.bump()


def _refused(exchange: Exchange, error: Refusal) -> None:
    """Log a refusal: command, login, address, code, and for a violation the rule.

    The parameters are not logged: credentials never reach the exchange, but texts and
    numbers are the customer's.
    """
    rule = f"; rule {exchange.rule}" if exchange.rule else ""
    log.warning(
        "refused %s of login %r from %s: error %d (%s)%s",
        exchange.command,
        exchange.login,
        exchange.ip,
        error.code,
        error.message,
        rule,
    )


def _age_outbox(outbox: Outbox, shift: float) -> None:
    """Move every time the outbox holds ``shift`` loop seconds back (the calendar stays)."""
    for entry in outbox.entries:
        entry.sent -= shift
        entry.changed -= shift
        entry.steps = [attrs.evolve(step, at=step.at - shift) for step in entry.steps]
        entry.applied = [attrs.evolve(step, at=step.at - shift) for step in entry.applied]
    for answer in outbox.answers:
        answer.received -= shift


def _age_rulebook(rulebook: RuleBook, shift: float) -> None:
    """Move every time the rules hold ``shift`` loop seconds back: windows, bans, records."""
    logs = [
        *rulebook._windows.values(),  # noqa: SLF001 - aging is the rulebook's time, seen whole
        *rulebook._auth_errors.values(),  # noqa: SLF001
        *rulebook._send_errors.values(),  # noqa: SLF001
    ]
    for times in logs:
        aged = [t - shift for t in times]
        times.clear()
        times.extend(aged)
    rulebook.bans[:] = [
        attrs.evolve(b, start=b.start - shift, until=b.until - shift) for b in rulebook.bans
    ]
    rulebook.violations[:] = [attrs.evolve(v, time=v.time - shift) for v in rulebook.violations]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _nothing(fmt: Format) -> str:
    del fmt
    return ""


def _handed(params: Mapping[str, str]) -> dict[str, str]:
    """The parameters a handler (and the rules) see: all but the credentials."""
    return {k: v for k, v in params.items() if k not in _CREDENTIALS}
