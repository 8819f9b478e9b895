"""What the account commands share: connection options, running a call, errors, output.

Errors reach the user as one line, never a traceback: bad input (an option, a file, an
argument the SDK's checks refuse) exits with 2, as click's own usage errors do; SMSC
refusing or not answering exits with 1; a change whose outcome is unknown (its answer was
lost after the request left: it may have happened) exits with 3, so a script does not
simply run it again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import functools
import json
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar

import attrs
import click
from rich.console import Console

from smsc_async import (
    Format,
    LoginPausedError,
    MaybeAppliedError,
    SmscClient,
    SmscError,
    ValidationError,
)
from smsc_async.cli._guard import STATE_FILE, FileGuardLimiter, state_dir

__all__ = [
    "Account",
    "MaybeAppliedFailure",
    "SmscFailure",
    "UserError",
    "account_options",
    "err_console",
    "fmt_option",
    "jsonable",
    "out_console",
    "print_json",
    "run",
]

P = ParamSpec("P")
T = TypeVar("T")

ENV_REDIS_URL = "SMSC_REDIS_URL"  # the SDK's contract name (SmscClient.from_env reads it too)

FORMATS = {"json": Format.JSON, "xml": Format.XML, "csv": Format.CSV, "lines": Format.LINES}


class UserError(click.ClickException):
    """A mistake of the user's (an option, a file, an argument): one line, exit code 2."""

    exit_code = 2


class SmscFailure(click.ClickException):
    """SMSC refused, or could not be reached: one line, exit code 1."""

    exit_code = 1


class MaybeAppliedFailure(click.ClickException):
    """Something may or may not have happened at SMSC: one line, exit code 3.

    Apart from :class:`SmscFailure` so a script can tell "safe to run again" (1) from
    "check the server first, or it may happen twice" (3).
    """

    exit_code = 3


def out_console() -> Console:
    """Where results go: standard output, looked up at each write (so a test runner's)."""
    return Console(soft_wrap=True)


def err_console() -> Console:
    """Where progress and notes go: standard error, so ``--json`` output stays clean."""
    return Console(stderr=True, soft_wrap=True)


def jsonable(value: object) -> Any:
    """``value`` as plain JSON data: attrs models as objects, money as strings, dates ISO."""
    if attrs.has(type(value)):
        value = attrs.asdict(value, recurse=False)  # type: ignore[arg-type] # attrs.has checked
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    # Money as a string keeps every digit a float would round.
    return str(value) if isinstance(value, Decimal) else _date(value)


def _date(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def print_json(value: object) -> None:
    """Print ``value`` as indented JSON on standard output."""
    click.echo(json.dumps(jsonable(value), ensure_ascii=False, indent=2))


@attrs.frozen
class Account:
    """The account and server the command talks to, from options or ``SMSC_*`` variables.

    ``redis_url`` (``--redis-url`` / ``SMSC_REDIS_URL``) shares the limits and the
    authorisation guard through Redis; without it the guard is kept between runs in a
    state file (:mod:`smsc_async.cli._guard`).
    """

    login: str | None
    password: str | None = attrs.field(repr=False)
    apikey: str | None = attrs.field(repr=False)
    base_url: str | None
    fmt: Format
    retries: int = 3
    redis_url: str | None = attrs.field(default=None, repr=False)  # may hold Redis's password

    def client(self) -> SmscClient:
        """A client for the account, with the limiter that keeps its guard between runs.

        Raises:
            UserError: No credentials, or conflicting ones; a Redis URL that is not one,
                or one without redis-py installed.
        """
        if self.apikey is None and (self.login is None or self.password is None):
            raise UserError(
                "no account: set SMSC_LOGIN and SMSC_PASSWORD (or SMSC_APIKEY), "
                "or give --login and --password (or --apikey)"
            )
        options: dict[str, Any] = {"fmt": self.fmt, "retries": self.retries}
        if self.base_url is not None:
            options["base_url"] = self.base_url
        if self.apikey is not None:
            if self.login is not None:
                raise UserError("give an API key, or a login and password, not both")
            options["apikey"] = self.apikey
        else:
            options.update(login=self.login, password=self.password)
        if self.redis_url is not None:
            return _shared_client(self.redis_url, options)
        # Each run is a process of its own: the guard's errors and pauses go to a file, so
        # that five runs with a wrong password cannot earn SMSC's 30-minute IP block.
        return SmscClient(limiter=FileGuardLimiter(state_dir() / STATE_FILE), **options)


def _shared_client(url: str, options: dict[str, Any]) -> SmscClient:
    """A client whose limits and guard live in Redis at ``url``, as ``from_env`` makes one.

    ``from_env`` builds the :class:`~smsc_async.redis.RedisLimiter`, owned by the client
    and closed with it; the URL (and its password) is never echoed.
    """
    try:
        return SmscClient.from_env({ENV_REDIS_URL: url}, **options)
    except ValidationError as exc:
        if ENV_REDIS_URL not in exc.fields:
            raise
        # e.g. "SMSC_REDIS_URL: is set, but redis-py is not installed: pip install ..."
        raise UserError("; ".join(str(e) for e in exc.errors)) from None
    except ValueError as exc:  # RedisLimiter.from_url: not a redis:// address
        raise UserError(f"--redis-url ({ENV_REDIS_URL}): {exc}") from None


def fmt_option(function: Callable[P, T]) -> Callable[P, T]:
    """``--fmt``: the wire format to ask SMSC for."""
    return click.option(
        "--fmt",
        "fmt_name",
        type=click.Choice(list(FORMATS)),
        default="json",
        show_default=True,
        help="Wire format to ask SMSC for (every one gives the same results).",
    )(function)


def account_options(function: Callable[..., T]) -> Callable[..., T]:
    """The connection options, collected into one ``account`` argument; and ``--json``."""

    @click.option(
        "--login", envvar="SMSC_LOGIN", show_envvar=True, help="Account login.", default=None
    )
    @click.option(
        "--password",
        envvar="SMSC_PASSWORD",
        show_envvar=True,
        default=None,
        help="Account password (the variable keeps it out of your shell history).",
    )
    @click.option("--apikey", envvar="SMSC_APIKEY", show_envvar=True, default=None, help="API key.")
    @click.option(
        "--redis-url",
        envvar=ENV_REDIS_URL,
        show_envvar=True,
        default=None,
        help="Share the limits and the authorisation guard with other processes through "
        "this Redis (redis://...; needs smsc_async[redis]).",
    )
    @click.option(
        "--base-url",
        envvar="SMSC_BASE_URL",
        show_envvar=True,
        default=None,
        help="Where SMSC's scripts live [default: https://smsc.ru/sys/].",
    )
    @fmt_option
    @click.option(
        "--retries",
        type=click.IntRange(0, 100),
        default=3,
        show_default=True,
        help="Repeats of a call after a connection failure or error 9 (0: fail fast).",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print JSON, for scripts.")
    @functools.wraps(function)
    def wrapper(
        *args: Any,
        login: str | None,
        password: str | None,
        apikey: str | None,
        redis_url: str | None,
        base_url: str | None,
        fmt_name: str,
        retries: int,
        **kwargs: Any,
    ) -> T:
        account = Account(
            login=login or None,
            password=password or None,
            apikey=apikey or None,
            base_url=base_url or None,
            fmt=FORMATS[fmt_name],
            retries=retries,
            redis_url=redis_url or None,
        )
        return function(*args, account=account, **kwargs)

    return wrapper


def run(account: Account, work: Callable[[SmscClient], Awaitable[T]]) -> T:
    """Run ``work`` with a client for ``account`` on a fresh event loop, closing the client.

    Raises:
        UserError: Bad input: the SDK's checks refused an argument (nothing was sent).
        SmscFailure: SMSC answered an error, or no usable answer came.
        MaybeAppliedFailure: The answer to a change was lost after the request left: it
            may have happened.
    """

    async def main() -> T:
        async with account.client() as smsc:
            return await work(smsc)

    try:
        return asyncio.run(main())
    except ValidationError as exc:
        raise UserError(str(exc)) from None
    except MaybeAppliedError as exc:
        raise MaybeAppliedFailure(str(exc)) from None
    except LoginPausedError as exc:
        raise SmscFailure(f"{exc} (until {_clock_time(exc.retry_after)})") from None
    except SmscError as exc:
        raise SmscFailure(str(exc)) from None


def _clock_time(seconds: float) -> str:
    """The local wall-clock time ``seconds`` from now, e.g. ``"14:32:05"``."""
    end = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return end.astimezone().strftime("%H:%M:%S")
