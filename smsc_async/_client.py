"""``SmscClient``: configuration, lifecycle, and the family namespaces."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
import weakref
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import attrs

from smsc_async import _otel, resources
from smsc_async._calling import calling, label
from smsc_async._commands import Command
from smsc_async._config import (
    DEFAULT_BASE_URL,
    DEFAULT_CONCURRENCY,
    DEFAULT_MARGIN,
    DEFAULT_TIMEOUT,
    ENV_APIKEY,
    ENV_BASE_URL,
    ENV_HTTP,
    ENV_LOGIN,
    ENV_PASSWORD,
    ENV_REDIS_URL,
    ClientConfig,
    Credentials,
)
from smsc_async._path import CallOptions, CommandPath
from smsc_async._process import ProcessLimiter
from smsc_async._state import LimiterBackend
from smsc_async._transport import UNSET, Transport, Unset
from smsc_async._types import Files, Format, Rule
from smsc_async._validation import Checks, checking, is_finite_seconds
from smsc_async.errors import ClientClosedError, FieldError, ValidationError
from smsc_async.events import Event
from smsc_async.http import ENGINES, Engine
from smsc_async.resources._base import Resource

if TYPE_CHECKING:
    import httpx
    import httpx2
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

    # Only type checkers read it (the annotations are strings): no dependency at run time.
    if sys.version_info >= (3, 11):
        from typing import Unpack
    else:
        from typing_extensions import Unpack  # installed with anyio and cattrs

    from smsc_async.models.balance import Balance
    from smsc_async.resources import (
        BalanceResource,
        BlacklistResource,
        ContactsResource,
        GroupsResource,
        HistoryResource,
        InboxResource,
        MailingsResource,
        MessagesResource,
        OperatorsResource,
        OpTemplatesResource,
        SendersResource,
        StatsResource,
        SubclientsResource,
        TariffsResource,
        TemplatesResource,
    )

__all__ = ["ClientOptions", "SmscClient"]

T = TypeVar("T")
_ABANDON_AFTER = 120.0  # a request given up on is cut after this long at the latest
_MAX_REPLY_BYTES = 32 * 2**20  # far above any documented answer (a long history is ~MBs)


def _positive(value: object) -> bool:
    # Finite too: an infinite timeout or window would wait forever; NaN compares false.
    return is_finite_seconds(value) and value > 0


def _seconds(check: Checks, field: str, value: object, *, zero: bool = False) -> None:
    """``value`` must be positive seconds (or zero), or ``None``."""
    if value is None:
        return
    if not (_positive(value) or (zero and value == 0 and not isinstance(value, bool))):
        wanted = "zero or more" if zero else "positive"
        check.fail(field, f"must be {wanted} (finite) seconds or None, got {value!r}")


class ClientOptions(TypedDict, total=False):
    """The keyword arguments of :class:`SmscClient`, for ``**options`` that pass them on.

    :meth:`SmscClient.from_env` and ``Emulator.client()`` take them so that a type checker
    refuses a misspelt option (``from_env(dedline=10)``) as it would in the constructor. A
    test keeps it in step with the constructor's keywords and their types.
    """

    login: str | None
    password: str | None
    apikey: str | None
    base_url: str
    fmt: Format | int
    timeout: float | Unset | None
    deadline: float | None
    retries: int
    max_concurrency: int
    margin: float
    minute: float
    rules: Mapping[str, Sequence[Rule]] | None
    max_rate: float | None
    max_reply_bytes: int
    on_event: Callable[[Event], object] | None
    http: Engine
    http_client: httpx.AsyncClient | httpx2.AsyncClient | None
    transport: httpx.AsyncBaseTransport | None
    limiter: LimiterBackend | None
    tracer_provider: TracerProvider | None
    meter_provider: MeterProvider | None


class SmscClient:
    """An async client for the SMSC HTTP API that never makes SMSC say 9.

    Use one per application (it holds a connection pool), as an async context manager or
    closing it with :meth:`aclose`::

        async with SmscClient(login="alex", password="...") as smsc:
            tariffs = await smsc.tariffs.get()

    Every call is paced by SMSC's anti-flood rules per login, shared by every client of
    that login in the process, on any thread or event loop (or, with a shared ``limiter``
    such as :class:`smsc_async.redis.RedisLimiter`, in every process that uses it).
    Identical reads in flight are coalesced, and error 9 or a failure before sending is
    retried once the window has slid.

    One client may serve one event loop after another (``asyncio.run()`` twice, a loop per
    test): it keeps a connection pool per loop, closed when that loop shuts down. It serves
    one thread at a time: a call from a second thread while the first one's are in flight
    raises :class:`EventLoopError`.

    Closing it (:meth:`aclose`, or leaving ``async with``) fails the calls still waiting to
    send, and calls made afterwards, with :class:`ClientClosedError`; a call whose request
    had already left ends with :class:`MaybeAppliedError` (:class:`SendUnconfirmedError`
    for a message) or, for a read, :class:`ClientClosedError`. Nothing waits for the server.
    Closing it closes its views (:meth:`with_options`, :meth:`with_credentials`) too.

    Args:
        login: Account login, with ``password``.
        password: Account password. Never logged, shown or put in a URL.
        apikey: API key, instead of ``login`` and ``password``. Never logged or shown.
        base_url: Where SMSC's scripts live.
        fmt: Wire format to ask for (:class:`Format` or 0-3). Every format decodes to the
            same models; JSON is the cheapest to decode.
        timeout: Seconds one request may take (``None`` for no limit). With
            ``http_client`` and no ``timeout``, that client's own timeouts apply.
        deadline: Seconds a whole call may take, limiter waits and retries included
            (``None``, the default: no limit). A call whose wait for a limit would pass
            it raises :class:`DeadlineTooShortError` at once (nothing sent; a
            :class:`RateLimitError` with ``retry_after``); a retry that would pass it
            raises the last failure.
        retries: How often a call is repeated after error 9, a transport failure, or (for
            a read) an answer that could not be read.
        max_concurrency: Requests in flight per login, counted over every client sharing the
            login's limits: a call waits while this many are in flight. SMSC refuses the
            15th, hence 14. After SMSC's "too many concurrent requests" (someone else holds
            slots) the limiter halves it for a while and lets it grow back (AIMD).
        margin: Seconds of send-to-arrival jitter every rule window allows for.
        minute: Seconds per minute of rule windows: 60 against SMSC, less against an
            emulator whose minute is compressed.
        rules: Per command name (e.g. ``"senders.add"``), rules replacing the declared ones.
        max_rate: An optional steady cap, requests per second, on top of SMSC's rules.
        max_reply_bytes: The longest answer read (32 MiB by default). A longer one is cut
            off unread and raises :class:`ParseError` (:class:`MaybeAppliedError` for a
            change or a send: the server carried the request out).
        on_event: Called with every :mod:`~smsc_async.events` event (limiter waits,
            coalesced reads, retries, pauses).
        http: How the client's own pools send: ``"default"``, the HTTP stack's own
            connection pool (httpx's, or httpx2's with ``SMSC_HTTP_STACK=httpx2``), or
            ``"aiohttp"``, aiohttp behind the same API (``pip install
            'smsc_async[aiohttp]'``), at about a third of the client CPU per call. Timeouts,
            the concurrency cap, the reply size cap and send safety are the same with both.
            Not with ``http_client`` or ``transport``.
        http_client: An ``httpx.AsyncClient`` (or ``httpx2.AsyncClient``) of yours to send
            through (proxies, custom settings). Used as given, never closed here. It
            serves the event loop of its first call only (its connections belong to that
            loop): from another loop a call raises :class:`EventLoopError`.
        transport: An httpx transport for the client's own pools, e.g. the emulator's
            (``Emulator.transport()``); closed with the client. Not with ``http_client``.
            Every loop's pool sends through it, so it must serve every loop the client is
            used on (the emulator's does).
        limiter: Where the limits' state lives (a :class:`LimiterBackend`), shared by every
            client given the same one. ``None``: :meth:`ProcessLimiter.default`, shared by
            the whole process. A :class:`smsc_async.redis.RedisLimiter` shares them across
            processes and hosts. Never closed here (one made by :meth:`from_env` is).
        tracer_provider: Where the client's spans go, with ``opentelemetry-api`` installed
            (``pip install 'smsc_async[otel]'``): a span per call, a child span per HTTP
            request. ``None``: OpenTelemetry's global provider. Without the package nothing
            of OpenTelemetry is imported or done.
        meter_provider: Where its metrics go (limiter waits, requests in flight, error 9
            answers, retries, request durations), likewise; ``None``: the global provider.

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
        deadline: float | None = None,
        retries: int = 3,
        max_concurrency: int = DEFAULT_CONCURRENCY,
        margin: float = DEFAULT_MARGIN,
        minute: float = 60.0,
        rules: Mapping[str, Sequence[Rule]] | None = None,
        max_rate: float | None = None,
        max_reply_bytes: int = _MAX_REPLY_BYTES,
        on_event: Callable[[Event], object] | None = None,
        http: Engine = "default",
        http_client: httpx.AsyncClient | httpx2.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        limiter: LimiterBackend | None = None,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
    ) -> None:
        with checking("SmscClient") as check:
            _check_credentials(check, login, password, apikey)
            try:
                fmt = Format(fmt)
            except ValueError:
                check.fail("fmt", f"must be a Format or 0-3, got {fmt!r}")
            if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
                check.fail("base_url", f"must be an http(s) URL, got {base_url!r}")
            if timeout is not UNSET:
                _seconds(check, "timeout", timeout)
            _seconds(check, "deadline", deadline)
            check.int_range("retries", retries, 0, 100)
            # More than 14 earns error 9 from SMSC; allowed for accounts with other limits.
            check.int_range("max_concurrency", max_concurrency, 1, 10_000)
            _seconds(check, "margin", margin, zero=True)
            if margin is None:
                check.fail("margin", "must be zero or more seconds")
            if not _positive(minute):
                check.fail("minute", f"must be positive seconds, got {minute!r}")
            _seconds(check, "max_rate", max_rate)
            check.int_range("max_reply_bytes", max_reply_bytes, 1, 2**62)
            overrides = _check_rules(check, rules)
            if transport is not None and http_client is not None:
                check.fail("transport", "give transport or http_client, not both")
            _check_engine(check, http, given=http_client is not None or transport is not None)
            if limiter is not None and not isinstance(limiter, LimiterBackend):
                check.fail(
                    "limiter",
                    f"must be a LimiterBackend (e.g. a RedisLimiter), got {type(limiter).__name__}",
                )
        if timeout is UNSET and http_client is None:
            timeout = DEFAULT_TIMEOUT
        request_timeout = None if isinstance(timeout, Unset) else timeout
        abandon_after = max(_ABANDON_AFTER, 2 * (request_timeout or 0))
        self._config = ClientConfig(
            credentials=Credentials(login=login, password=password, apikey=apikey),
            base_url=base_url if base_url.endswith("/") else base_url + "/",
            fmt=Format(fmt),
            timeout=request_timeout,
            deadline=deadline,
            max_concurrency=max_concurrency,
            margin=float(margin),
            minute=float(minute),
            rules=overrides,
            max_rate=max_rate,
            retries=retries,
            abandon_after=abandon_after,
            max_reply_bytes=max_reply_bytes,
        )
        self._transport = Transport(
            base_url=self._config.base_url,
            timeout=timeout,
            # No timeout: nothing cuts a slow answer short (the caller may still cancel).
            exchange_limit=abandon_after if request_timeout is not None else None,
            max_connections=max_concurrency,
            max_reply_bytes=max_reply_bytes,
            http_client=http_client,  # type: ignore[arg-type]  # either stack's client
            transport=transport,
            engine=http,
        )
        self._on_event = on_event
        self._limiter = ProcessLimiter.default() if limiter is None else limiter
        self._owns_limiter = False  # from_env's own RedisLimiter is closed with the client
        # Spans and metrics if opentelemetry-api is installed (else a no-op); views share it.
        self._telemetry = _otel.telemetry(self._config.base_url, tracer_provider, meter_provider)
        self._path = CommandPath(
            self._config,
            self._transport,
            on_event,
            limiter=self._limiter,
            telemetry=self._telemetry,
        )
        self._options = CallOptions(deadline=deadline, timeout=request_timeout)
        self._owns_transport = True
        self._owns_path = True
        self._closed = False  # this object's aclose() (a view's closes only the view)
        # The paths of with_credentials views, closed with this client.
        self._views: weakref.WeakSet[CommandPath] = weakref.WeakSet()

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **options: Unpack[ClientOptions]
    ) -> SmscClient:
        """A client for the account the environment names.

        Reads ``SMSC_LOGIN`` and ``SMSC_PASSWORD``, or ``SMSC_APIKEY``, and ``SMSC_BASE_URL``
        (optional); empty variables count as unset. Keyword arguments go to the constructor
        and win over the environment (credentials given as arguments replace all three
        variables). ``SMSC_REDIS_URL``, when set, shares the limits through Redis:
        ``limiter=RedisLimiter.from_url(url)`` (needs ``pip install 'smsc_async[redis]'``),
        owned by the client and closed with it; a ``limiter=`` argument wins.
        ``SMSC_HTTP`` sets ``http=`` (``aiohttp`` sends through aiohttp)::

            async with SmscClient.from_env(fmt=Format.XML) as smsc:
                ...

        Args:
            environ: Where to read the variables (``os.environ`` by default).
            **options: Any :class:`SmscClient` keyword argument.

        Raises:
            ValidationError: No credentials (naming the variables), conflicting ones, a
                bad option, or ``SMSC_REDIS_URL`` without redis-py installed. Values are
                never echoed.
        """
        env = os.environ if environ is None else environ
        # Assumption: whitespace around a value is never meant (a .env line's trailing
        # space, a newline from `$(cat file)`); SMSC logins, passwords and keys hold none.
        found: dict[str, str] = {}
        source: dict[str, str] = {}  # keyword -> the variable it came from
        for keyword, name in _ENV_OPTIONS:
            value = env.get(name, "").strip()
            if value:
                found[keyword], source[keyword] = value, name
        credentials = {"login", "password", "apikey"}
        if credentials & options.keys():
            found = {k: v for k, v in found.items() if k not in credentials}
        settings: dict[str, Any] = {**found, **options}
        with checking("SmscClient.from_env") as check:
            if not credentials & settings.keys():
                check.fail(
                    "credentials",
                    f"set {ENV_LOGIN} and {ENV_PASSWORD}, or {ENV_APIKEY} (none is set)",
                )
            elif "apikey" not in settings:
                # Half a pair from the environment: name the variable that is missing.
                for have, lacks in (("login", "password"), ("password", "login")):
                    if have in found and lacks not in settings:
                        given, missing = source[have], _ENV_NAME[lacks]
                        check.fail(lacks, f"{missing} is not set or blank ({given} is)")
        redis_url = env.get(ENV_REDIS_URL, "").strip()
        owned = bool(redis_url) and "limiter" not in options
        if owned:
            settings["limiter"] = _redis_limiter(redis_url)
        try:
            client = cls(**settings)
        except ValidationError as exc:
            # The constructor names its keywords; say which variable a bad value came from.
            errors = [
                FieldError(e.field, f"{e.message} (from {source[e.field]})")
                if e.field in source and e.field not in options
                else e
                for e in exc.errors
            ]
            raise ValidationError("SmscClient.from_env", errors) from None
        # Assumption: from_url connects lazily, so a limiter left unused by a bad option
        # above holds no connection to close.
        client._owns_limiter = owned  # the limiter it made is its own to close
        return client

    @property
    def config(self) -> ClientConfig:
        """The client's configuration (secrets hidden from its repr)."""
        return self._config

    def with_options(
        self, *, deadline: float | Unset | None = UNSET, timeout: float | Unset | None = UNSET
    ) -> SmscClient:
        """A view of this client with another ``deadline`` or ``timeout`` for its calls.

        It shares everything else (connections, limits, coalescing)::

            await smsc.with_options(deadline=5).tariffs.get()

        Closing the view closes only the view (its calls then raise
        :class:`ClientClosedError`): the connections and the calls of others belong to this
        client.

        Raises:
            ValidationError: A bad value.
        """
        with checking("SmscClient.with_options") as check:
            if deadline is not UNSET:
                _seconds(check, "deadline", deadline)
            if timeout is not UNSET:
                _seconds(check, "timeout", timeout)
        changes: dict[str, Any] = {}
        if not isinstance(deadline, Unset):
            changes["deadline"] = deadline
        if not isinstance(timeout, Unset):
            changes["timeout"] = timeout
        # The path is shared too: closing this view must not stop its background requests.
        return self._view(_options=attrs.evolve(self._options, **changes), _owns_path=False)

    def with_credentials(
        self,
        *,
        login: str | None = None,
        password: str | None = None,
        apikey: str | None = None,
    ) -> SmscClient:
        """A view of this client acting as another account, e.g. a subclient you created.

        It shares the connection pool and every other setting; its calls count under the
        other account's own limits (SMSC keeps them per login)::

            sub = smsc.with_credentials(login="shop1", password="...")
            await sub.op_templates.add("shop1", "Your code: %CODE%", [...])

        Closing the view closes its own calls as :meth:`aclose` does; the pool stays open
        until this client is closed (which closes the view too).

        Raises:
            ValidationError: Missing or conflicting credentials.
        """
        with checking("SmscClient.with_credentials") as check:
            _check_credentials(check, login, password, apikey)
        config = attrs.evolve(
            self._config, credentials=Credentials(login=login, password=password, apikey=apikey)
        )
        # Its own path (its own login's limits, in the same backend); its requests stop
        # when it is closed.
        path = CommandPath(
            config,
            self._transport,
            self._on_event,
            limiter=self._limiter,
            telemetry=self._telemetry,
        )
        self._views.add(path)
        return self._view(_config=config, _path=path, _owns_path=True)

    def _view(self, **changes: object) -> SmscClient:
        """A copy with ``changes``, sharing the rest; closing it never closes the pool.

        Resources cached here are left behind: they are bound to this client's ``_call``.
        """
        view = object.__new__(SmscClient)
        view.__dict__.update(
            {k: v for k, v in self.__dict__.items() if not isinstance(v, Resource)}
        )
        view.__dict__.update(changes, _owns_transport=False, _owns_limiter=False)
        return view

    @functools.cached_property
    def tariffs(self) -> TariffsResource:
        """The tariffs family: ``smsc.tariffs.get()``."""
        return resources.TariffsResource(self._call)

    @functools.cached_property
    def senders(self) -> SendersResource:
        """The sender-names family: ``smsc.senders.list()``, ``.add()``, ..."""
        return resources.SendersResource(self._call)

    @functools.cached_property
    def subclients(self) -> SubclientsResource:
        """The subclients family: ``smsc.subclients.create()``, ``.provision()``, ..."""
        return resources.SubclientsResource(self._call, self.senders, self._templates_as)

    @functools.cached_property
    def op_templates(self) -> OpTemplatesResource:
        """The operator-templates family: ``smsc.op_templates.add()``, ``.get()``."""
        return resources.OpTemplatesResource(self._call)

    @functools.cached_property
    def templates(self) -> TemplatesResource:
        """Message templates (``templates.php``): ``smsc.templates.add()``, ``.list()``, ..."""
        return resources.TemplatesResource(self._call)

    @functools.cached_property
    def mailings(self) -> MailingsResource:
        """Mailings (``jobs.php``): ``smsc.mailings.add()``, ``.get_all()``, ``.cancel()``, ..."""
        return resources.MailingsResource(self._call)

    @functools.cached_property
    def contacts(self) -> ContactsResource:
        """The phone book (``phones.php``): ``smsc.contacts.add()``, ``.iterate()``, ..."""
        return resources.ContactsResource(self._call)

    @functools.cached_property
    def groups(self) -> GroupsResource:
        """Groups of the phone book: ``smsc.groups.add()``, ``.move_contact()``, ..."""
        return resources.GroupsResource(self._call)

    @functools.cached_property
    def blacklist(self) -> BlacklistResource:
        """The blacklist of phone numbers: ``smsc.blacklist.add()``, ``.iterate()``, ..."""
        return resources.BlacklistResource(self._call)

    @functools.cached_property
    def mail_contacts(self) -> ContactsResource:
        """The e-mail book (``mails.php``): the same methods as :attr:`contacts`."""
        from smsc_async.resources._books import MAILS  # noqa: PLC0415 - on first use

        return _named(resources.ContactsResource(self._call, MAILS), "mail_contacts")

    @functools.cached_property
    def mail_groups(self) -> GroupsResource:
        """Groups of the e-mail book: the same methods as :attr:`groups`."""
        from smsc_async.resources._books import MAILS  # noqa: PLC0415 - on first use

        return _named(resources.GroupsResource(self._call, MAILS), "mail_groups")

    @functools.cached_property
    def mail_blacklist(self) -> BlacklistResource:
        """The blacklist of e-mail addresses: the same methods as :attr:`blacklist`."""
        from smsc_async.resources._books import MAILS  # noqa: PLC0415 - on first use

        return _named(resources.BlacklistResource(self._call, MAILS), "mail_blacklist")

    @functools.cached_property
    def history(self) -> HistoryResource:
        """Messages sent: ``smsc.history.list()``, ``.iterate()`` (newest first)."""
        return resources.HistoryResource(self._call)

    @functools.cached_property
    def inbox(self) -> InboxResource:
        """Messages received: ``smsc.inbox.list()``, ``.iterate()`` (oldest first)."""
        return resources.InboxResource(self._call)

    @functools.cached_property
    def stats(self) -> StatsResource:
        """Statistics of a period: ``smsc.stats.get()``."""
        return resources.StatsResource(self._call)

    @functools.cached_property
    def operators(self) -> OperatorsResource:
        """Operator look-ups: ``smsc.operators.get(phone)``."""
        return resources.OperatorsResource(self._call)

    @functools.cached_property
    def messages(self) -> MessagesResource:
        """Messages: ``smsc.messages.send()``, ``.cost()``, ``.status()``, ``.delete()``."""
        return resources.MessagesResource(self._call, self._path.next_id)

    @functools.cached_property
    def _balance(self) -> BalanceResource:
        # Its calls are named by balance() below: the user wrote smsc.balance().
        return _named(resources.BalanceResource(self._call), "")

    async def balance(self, *, currency: bool = False) -> Balance:
        """The money on the account (``balance.php``).

        SMSC answers at most 10 balance requests a minute; calls are held back to keep
        within that, and identical ones in flight share one request.

        Args:
            currency: Also say the account's currency.

        Returns:
            The balance (a ``Decimal``), with the currency when asked for.
        """
        with calling("balance"):
            return await self._balance.get(currency=currency)

    def _templates_as(self, login: str, password: str) -> OpTemplatesResource:
        return self.with_credentials(login=login, password=password).op_templates

    async def _call(
        self, command: Command[T], params: Mapping[str, str], *, files: Files | None = None
    ) -> T:
        """The one path every command takes (see :mod:`smsc_async._path`)."""
        if self._closed:
            raise ClientClosedError(f"{label(command.name)}: the client is closed")
        return await self._path.call(command, params, files=files, options=self._options)

    @property
    def closed(self) -> bool:
        """Whether this client (or the client this is a view of) was closed."""
        return self._closed or self._path.closed or self._transport.closed

    async def aclose(self) -> None:
        """Close the client: no call is sent any more. Closing twice is harmless.

        Calls waiting to send (for the limiter, or to retry) fail with
        :class:`ClientClosedError`. Requests on their way are stopped without waiting for
        the server: their calls end with :class:`MaybeAppliedError` (a message's with
        :class:`SendUnconfirmedError`), a read's with :class:`ClientClosedError`; so do
        the requests left running in the background by callers that gave up on them.
        Then the connection pools are closed (never a caller-supplied ``http_client``).

        On a view, only the view is closed: a :meth:`with_options` view's later calls
        fail, a :meth:`with_credentials` view's own calls are stopped as above; the client
        goes on. Closing the client closes its views too.
        """
        self._closed = True
        if self._owns_transport:
            for path in list(self._views):
                await path.aclose()
        if self._owns_path:
            await self._path.aclose()
        if self._owns_transport:
            await self._transport.aclose()
        if self._owns_limiter:
            self._owns_limiter = False
            await self._limiter.aclose()

    async def __aenter__(self) -> SmscClient:  # noqa: PYI034 - not meant to be subclassed
        if self.closed:
            raise ClientClosedError(
                "this SmscClient is closed: make a new one (async with closes it on leaving)"
            )
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


# from_env's variables: (keyword, variable) pairs, and the variable of each keyword.
_ENV_OPTIONS = (
    ("login", ENV_LOGIN),
    ("password", ENV_PASSWORD),
    ("apikey", ENV_APIKEY),
    ("base_url", ENV_BASE_URL),
    ("http", ENV_HTTP),
)
_ENV_NAME = dict(_ENV_OPTIONS)


R = TypeVar("R", bound=Resource)


def _named(resource: R, family: str) -> R:
    """``resource``, its calls named ``<family>.<method>`` in errors (see Resource)."""
    resource._named_as(family)  # noqa: SLF001 - the client names the namespaces it makes
    return resource


def _redis_limiter(url: str) -> LimiterBackend:
    """``RedisLimiter.from_url(url)``, imported only now: redis-py is an optional extra."""
    try:
        module = importlib.import_module("smsc_async.redis")
    except ImportError as exc:
        if exc.name not in {"redis", "redis.asyncio"}:
            raise
        with checking("SmscClient.from_env") as check:
            check.fail(
                ENV_REDIS_URL,
                "is set, but redis-py is not installed: pip install 'smsc_async[redis]'",
            )
        raise  # unreachable: the check above raises ValidationError
    limiter: LimiterBackend = module.RedisLimiter.from_url(url)
    return limiter


def _check_engine(check: Checks, http: object, *, given: bool) -> None:
    if http not in ENGINES:
        check.fail("http", f"must be one of {', '.join(map(repr, ENGINES))}, got {http!r}")
    elif http == "aiohttp":
        if given:
            check.fail(
                "http", "'aiohttp' is for the client's own pools: not with http_client or transport"
            )
        elif importlib.util.find_spec("httpx_aiohttp") is None:
            check.fail("http", "'aiohttp' needs httpx-aiohttp: pip install 'smsc_async[aiohttp]'")


def _check_credentials(
    check: Checks, login: str | None, password: str | None, apikey: str | None
) -> None:
    if apikey is not None:
        if login is not None or password is not None:
            check.fail("apikey", "give apikey, or login and password, not both")
        elif not isinstance(apikey, str) or not apikey:
            check.fail("apikey", "must be a non-empty string")
        return
    if not isinstance(login, str) or not login:
        check.fail("login", "must be a non-empty string (or give apikey)")
    if not isinstance(password, str) or not password:
        check.fail("password", "must be a non-empty string (or give apikey)")


def _check_rules(
    check: Checks, rules: Mapping[str, Sequence[Rule]] | None
) -> dict[str, tuple[Rule, ...]]:
    if rules is None:
        return {}
    if not isinstance(rules, Mapping):
        check.fail("rules", "must map command names to sequences of Rule")
        return {}
    overrides: dict[str, tuple[Rule, ...]] = {}
    for name, given in rules.items():
        listed = tuple(given) if isinstance(given, Sequence) else (given,)
        if not all(isinstance(r, Rule) and r.limit >= 1 and _positive(r.window) for r in listed):
            check.fail("rules", f"{name}: give Rule(limit >= 1, window > 0) values")
            continue
        overrides[name] = listed
    return overrides
