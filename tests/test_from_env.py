"""``SmscClient.from_env``: the account and server from ``SMSC_*`` variables, secrets unshown."""

from __future__ import annotations

import inspect
import socket
import traceback
from typing import Any

import httpx
import pytest

from smsc_async import (
    AuthError,
    ClientOptions,
    Format,
    SmscClient,
    Tariffs,
    TransportError,
    ValidationError,
)
from smsc_async.testing import DEFAULT_APIKEY, DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving
from tests._support import APIKEY, LOGIN, PASSWORD

ENV_NAMES = ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY")


def credentials_of(smsc: SmscClient) -> tuple[str | None, str | None, str | None]:
    creds = smsc.config.credentials
    password, apikey = creds.password, creds.apikey
    return (
        creds.login,
        None if password is None else password.reveal(),
        None if apikey is None else apikey.reveal(),
    )


def test_login_and_password_come_from_the_environment() -> None:
    """SMSC_LOGIN and SMSC_PASSWORD make a login client for smsc.ru."""
    smsc = SmscClient.from_env({"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": PASSWORD})
    assert (LOGIN, PASSWORD, None) == credentials_of(smsc)
    assert "https://smsc.ru/sys/" == smsc.config.base_url


def test_apikey_comes_from_the_environment() -> None:
    """SMSC_APIKEY alone makes an API-key client."""
    smsc = SmscClient.from_env({"SMSC_APIKEY": APIKEY})
    assert (None, None, APIKEY) == credentials_of(smsc)


def test_base_url_comes_from_the_environment() -> None:
    """SMSC_BASE_URL points the client at another server (a trailing slash is added)."""
    env = {"SMSC_APIKEY": APIKEY, "SMSC_BASE_URL": "https://smscentre.com/sys"}
    assert "https://smscentre.com/sys/" == SmscClient.from_env(env).config.base_url


async def test_smsc_http_picks_the_connection_engine() -> None:
    """SMSC_HTTP=aiohttp sends through aiohttp; an argument wins; a bad value is refused."""
    emulator = Emulator()
    async with serving(emulator) as base_url:
        env = {"SMSC_LOGIN": DEFAULT_LOGIN, "SMSC_PASSWORD": DEFAULT_PASSWORD}
        env |= {"SMSC_BASE_URL": base_url, "SMSC_HTTP": "aiohttp"}
        async with SmscClient.from_env(env) as smsc:
            await smsc.balance()
            assert "aiohttp" == smsc._transport._engine
        assert "default" == SmscClient.from_env(env, http="default")._transport._engine
    with pytest.raises(ValidationError, match="http: must be one of"):
        SmscClient.from_env({"SMSC_APIKEY": APIKEY, "SMSC_HTTP": "curl"})


def test_os_environ_is_read_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without ``environ``, the process environment is read."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SMSC_APIKEY", APIKEY)
    monkeypatch.setenv("SMSC_BASE_URL", "http://127.0.0.1:9/sys/")
    smsc = SmscClient.from_env()
    assert ((None, None, APIKEY), "http://127.0.0.1:9/sys/") == (
        credentials_of(smsc),
        smsc.config.base_url,
    )


def test_empty_variables_count_as_unset() -> None:
    """Empty SMSC_LOGIN, SMSC_PASSWORD and SMSC_BASE_URL are ignored beside an SMSC_APIKEY."""
    env = {"SMSC_LOGIN": "", "SMSC_PASSWORD": "", "SMSC_APIKEY": APIKEY, "SMSC_BASE_URL": ""}
    smsc = SmscClient.from_env(env)
    assert ((None, None, APIKEY), "https://smsc.ru/sys/") == (
        credentials_of(smsc),
        smsc.config.base_url,
    )


def test_empty_apikey_beside_login_and_password_is_no_conflict() -> None:
    """An empty SMSC_APIKEY next to a login and password is unset, not a second credential."""
    env = {"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": PASSWORD, "SMSC_APIKEY": ""}
    assert (LOGIN, PASSWORD, None) == credentials_of(SmscClient.from_env(env))


def test_explicit_apikey_replaces_every_credential_of_the_environment() -> None:
    """``apikey=`` given as an argument wins, and the env's login and password are dropped."""
    env = {"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": PASSWORD}
    assert (None, None, "explicit-key") == credentials_of(
        SmscClient.from_env(env, apikey="explicit-key")
    )


def test_explicit_login_and_password_replace_an_env_apikey() -> None:
    """``login=``/``password=`` as arguments win over SMSC_APIKEY rather than conflict with it."""
    smsc = SmscClient.from_env({"SMSC_APIKEY": APIKEY}, login="shop1", password="Str0ng-pass")
    assert ("shop1", "Str0ng-pass", None) == credentials_of(smsc)


def test_an_explicit_login_alone_does_not_borrow_the_env_password() -> None:
    """Credentials come whole from one place: ``login=`` without ``password=`` is refused."""
    env = {"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": PASSWORD}
    with pytest.raises(ValidationError) as caught:
        SmscClient.from_env(env, login="shop1")
    assert ("password",) == caught.value.fields


def test_other_options_go_to_the_constructor_and_win_over_the_environment() -> None:
    """Keyword options reach the client, an explicit ``base_url`` beating SMSC_BASE_URL."""
    env = {"SMSC_APIKEY": APIKEY, "SMSC_BASE_URL": "https://smscentre.com/sys/"}
    smsc = SmscClient.from_env(
        env, base_url="http://127.0.0.1:9/sys/", fmt=Format.XML, deadline=10, retries=1
    )
    config = smsc.config
    assert ("http://127.0.0.1:9/sys/", Format.XML, 10, 1) == (
        config.base_url,
        config.fmt,
        config.deadline,
        config.retries,
    )


def test_no_credentials_is_a_validation_error_naming_the_variables() -> None:
    """With nothing set, the error names SMSC_LOGIN, SMSC_PASSWORD and SMSC_APIKEY."""
    with pytest.raises(ValidationError) as caught:
        SmscClient.from_env({"SMSC_BASE_URL": "https://smscentre.com/sys/"})
    message = str(caught.value)
    assert ("credentials",) == caught.value.fields
    assert all(name in message for name in ENV_NAMES), message


async def test_no_credentials_sends_no_request() -> None:
    """A missing account is refused before any client exists, so the server hears nothing."""
    emulator = Emulator()
    async with serving(emulator) as base_url:
        with pytest.raises(ValidationError):
            SmscClient.from_env({"SMSC_BASE_URL": base_url})
    assert [] == emulator.traffic


def test_a_password_without_a_login_is_refused() -> None:
    """SMSC_PASSWORD alone is incomplete credentials: the login is reported missing."""
    with pytest.raises(ValidationError) as caught:
        SmscClient.from_env({"SMSC_PASSWORD": PASSWORD})
    assert ("login",) == caught.value.fields


def test_login_and_apikey_both_set_is_a_validation_error() -> None:
    """SMSC_LOGIN/SMSC_PASSWORD and SMSC_APIKEY together are ambiguous and refused."""
    env = {"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": PASSWORD, "SMSC_APIKEY": APIKEY}
    with pytest.raises(ValidationError) as caught:
        SmscClient.from_env(env)
    assert ("apikey",) == caught.value.fields


@pytest.mark.parametrize(
    "env",
    [
        {"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": PASSWORD},
        {"SMSC_APIKEY": APIKEY},
    ],
    ids=["login", "apikey"],
)
def test_secrets_are_not_in_the_clients_repr(env: dict[str, str]) -> None:
    """Neither the client's repr nor its config's shows the password or the API key."""
    smsc = SmscClient.from_env(env)
    shown = repr(smsc) + repr(smsc.config)
    assert (PASSWORD not in shown, APIKEY not in shown) == (True, True)


@pytest.mark.parametrize(
    ("env", "options"),
    [
        ({"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": PASSWORD, "SMSC_APIKEY": APIKEY}, {}),
        ({"SMSC_PASSWORD": PASSWORD, "SMSC_APIKEY": APIKEY}, {}),
        ({"SMSC_PASSWORD": PASSWORD}, {}),
        ({"SMSC_APIKEY": APIKEY}, {"fmt": 7, "base_url": "ftp://smsc.example/"}),
    ],
    ids=["both", "password-and-apikey", "password-only", "bad-options"],
)
def test_secrets_are_not_in_validation_errors(env: dict[str, str], options: dict[str, Any]) -> None:
    """A refused configuration's message and fields hold no password and no API key."""
    with pytest.raises(ValidationError) as caught:
        SmscClient.from_env(env, **options)
    shown = " ".join([str(caught.value), repr(caught.value), *map(str, caught.value.errors)])
    assert (PASSWORD not in shown, APIKEY not in shown) == (True, True)


async def test_the_client_from_env_talks_to_the_server_it_names() -> None:
    """A client made from SMSC_* variables reads the emulator's prices as its account."""
    emulator = Emulator()
    async with serving(emulator) as base_url:
        by_login = {
            "SMSC_BASE_URL": base_url,
            "SMSC_LOGIN": DEFAULT_LOGIN,
            "SMSC_PASSWORD": DEFAULT_PASSWORD,
        }
        by_apikey = {"SMSC_BASE_URL": base_url, "SMSC_APIKEY": DEFAULT_APIKEY}
        async with SmscClient.from_env(by_login, timeout=10) as smsc:
            tariffs = await smsc.tariffs.get()
        async with SmscClient.from_env(by_apikey, timeout=10) as smsc:
            assert tariffs == await smsc.tariffs.get()
    assert isinstance(tariffs, Tariffs)
    assert [(DEFAULT_LOGIN, None), (DEFAULT_LOGIN, None)] == [
        (e.login, e.error_code) for e in emulator.traffic
    ]


async def test_a_wrong_env_password_is_an_auth_error_without_the_password() -> None:
    """A wrong SMSC_PASSWORD reaches SMSC as such; the AuthError does not repeat it."""
    emulator = Emulator()
    async with serving(emulator) as base_url:
        env = {
            "SMSC_BASE_URL": base_url,
            "SMSC_LOGIN": DEFAULT_LOGIN,
            "SMSC_PASSWORD": "wr0ng-SECRET",
        }
        async with SmscClient.from_env(env, timeout=10) as smsc:
            with pytest.raises(AuthError) as caught:
                await smsc.tariffs.get()
    assert "wr0ng-SECRET" not in str(caught.value)
    assert [2] == [e.error_code for e in emulator.traffic]


def test_whitespace_around_the_variables_is_stripped() -> None:
    """A trailing newline or space (a .env file, ``$(cat file)``) is not part of a credential."""
    env = {"SMSC_LOGIN": f"  {LOGIN}\n", "SMSC_PASSWORD": f"{PASSWORD} \n", "SMSC_BASE_URL": ""}
    assert (LOGIN, PASSWORD, None) == credentials_of(SmscClient.from_env(env))
    assert (None, None, APIKEY) == credentials_of(
        SmscClient.from_env({"SMSC_APIKEY": f"\t{APIKEY}"})
    )


def test_a_blank_password_names_the_variable_missing() -> None:
    """SMSC_PASSWORD of spaces counts as unset, and the error names SMSC_PASSWORD."""
    with pytest.raises(ValidationError) as caught:
        SmscClient.from_env({"SMSC_LOGIN": LOGIN, "SMSC_PASSWORD": "   "})
    assert ("password",) == caught.value.fields
    assert "SMSC_PASSWORD is not set or blank (SMSC_LOGIN is)" in str(caught.value)


def test_a_bad_value_from_the_environment_names_its_variable() -> None:
    """A bad SMSC_BASE_URL is reported as coming from SMSC_BASE_URL."""
    env = {"SMSC_APIKEY": APIKEY, "SMSC_BASE_URL": "ftp://example.com/"}
    with pytest.raises(ValidationError) as caught:
        SmscClient.from_env(env)
    assert ("base_url",) == caught.value.fields
    assert "(from SMSC_BASE_URL)" in str(caught.value)


async def test_an_unreachable_server_is_named_and_httpx_is_the_cause() -> None:
    """A closed port: TransportError names host:port, chains httpx's error, shows no password."""
    with socket.socket() as probe:  # a port nothing listens on (bound, then closed)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "SMSC_LOGIN": LOGIN,
        "SMSC_PASSWORD": PASSWORD,
        "SMSC_BASE_URL": f"http://127.0.0.1:{port}/sys/",
    }
    async with SmscClient.from_env(env, retries=0) as smsc:
        with pytest.raises(TransportError) as caught:
            await smsc.tariffs.get()
    error = caught.value
    assert f"cannot reach 127.0.0.1:{port}" in str(error)
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert error.request_sent is False
    shown = "".join(traceback.format_exception(error))
    assert "ConnectError" in shown
    assert PASSWORD not in shown


def test_client_options_are_the_constructors_keywords() -> None:
    """ClientOptions (from_env's and Emulator.client's options) is __init__'s keywords, typed."""
    parameters = dict(inspect.signature(SmscClient.__init__).parameters)
    del parameters["self"]
    declared = {
        name: getattr(hint, "__forward_arg__", hint)
        for name, hint in ClientOptions.__annotations__.items()
    }
    assert {name: p.annotation for name, p in parameters.items()} == declared
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
