"""Client configuration: credentials, endpoint, wire format, timeouts.

The password and API key are kept as :class:`~smsc_async._secret.Secret` (shown as
``'***'``) and ``repr=False``, so neither a repr, ``attrs.asdict(config)``, a debugger nor
a traceback with its frames' locals shows them; the transport reveals them into the body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import attrs

from smsc_async._secret import Secret
from smsc_async._types import Format, Rule

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_MARGIN",
    "DEFAULT_TIMEOUT",
    "ENV_APIKEY",
    "ENV_BASE_URL",
    "ENV_HTTP",
    "ENV_LOGIN",
    "ENV_PASSWORD",
    "ENV_REDIS_URL",
    "ClientConfig",
    "Credentials",
]

DEFAULT_BASE_URL = "https://smsc.ru/sys/"
DEFAULT_TIMEOUT = 30.0
# SMSC answers error 9 to a 15th simultaneous request under one login (spec §B), so 14 is
# the most a login may have in flight.
DEFAULT_CONCURRENCY = 14
# Seconds between sending a request and SMSC counting it that every window allows for.
DEFAULT_MARGIN = 1.0
# Where SmscClient.from_env() and the command line look for the account and the server.
ENV_LOGIN = "SMSC_LOGIN"
ENV_PASSWORD = "SMSC_PASSWORD"  # noqa: S105 - the variable's name, not a password
ENV_APIKEY = "SMSC_APIKEY"
ENV_BASE_URL = "SMSC_BASE_URL"
# Where SmscClient.from_env() (and so the command line) finds a Redis to share limits in.
ENV_REDIS_URL = "SMSC_REDIS_URL"
# Where SmscClient.from_env() finds its connection engine (``http=``: default or aiohttp).
ENV_HTTP = "SMSC_HTTP"


def _secret(value: str | Secret | None) -> Secret | None:
    return value if value is None or isinstance(value, Secret) else Secret(value)


@attrs.frozen
class Credentials:
    """How the client authenticates: ``login`` + ``password``, or ``apikey``.

    ``login`` is not a secret (it names the account in logs and rate-limit keys); the
    password and API key, given as ``str``, are kept as :class:`Secret` and never shown.
    """

    login: str | None = None
    password: Secret | None = attrs.field(default=None, repr=False, converter=_secret)
    apikey: Secret | None = attrs.field(default=None, repr=False, converter=_secret)

    def form_fields(self) -> dict[str, str | Secret]:
        """The authentication fields of a request body (never of a URL).

        The secret stays wrapped: the transport reveals it as it hands the body to httpx,
        so no frame of ours holds it in plain text.
        """
        if self.apikey is not None:
            return {"apikey": self.apikey}
        assert self.login is not None  # noqa: S101 - checked by the client constructor
        assert self.password is not None  # noqa: S101
        return {"login": self.login, "psw": self.password}

    @property
    def account(self) -> str:
        """A name for the account that is safe to log: the login, or a masked API key."""
        if self.login is not None:
            return self.login
        return "apikey:***"

    @property
    def gate_key(self) -> str:
        """What the limits are shared by: the login, or a digest of the API key."""
        if self.login is not None:
            return self.login
        assert self.apikey is not None  # noqa: S101 - checked by the client constructor
        return "apikey:" + hashlib.sha256(self.apikey.reveal().encode()).hexdigest()[:16]


@attrs.frozen
class ClientConfig:
    """Everything an :class:`~smsc_async.SmscClient` was configured with."""

    credentials: Credentials
    base_url: str = DEFAULT_BASE_URL
    fmt: Format = Format.JSON
    timeout: float | None = DEFAULT_TIMEOUT
    deadline: float | None = None
    max_concurrency: int = DEFAULT_CONCURRENCY
    margin: float = DEFAULT_MARGIN
    minute: float = 60.0
    rules: Mapping[str, tuple[Rule, ...]] = attrs.field(factory=dict)
    max_rate: float | None = None
    retries: int = 3
    backoff: float = 0.5
    jitter: float = 0.5
    abandon_after: float = 120.0
    max_reply_bytes: int = 32 * 2**20
