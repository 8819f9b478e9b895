"""``smsc-async emulator``: serve the SMSC emulator on this machine."""

from __future__ import annotations

import ipaddress
import secrets
from typing import Literal

import click

__all__ = ["emulator"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--minute",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.001),
    help="Seconds per emulated minute: every rule window and ban scales with it.",
)
@click.option(
    "--latency",
    default=0.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds each request takes at the server.",
)
@click.option(
    "--jitter",
    default=0.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Up to this many more seconds per request.",
)
@click.option("--approve-senders", is_flag=True, help="Allow new sender names without moderation.")
@click.option(
    "--callback-url",
    metavar="URL",
    help="Post status reports and incoming messages to this handler URL, as SMSC does "
    "(its query may hold fmt, charset and md5/sha1/crc32 as in SMSC's settings).",
)
@click.option(
    "--callback-secret",
    envvar="SMSC_CALLBACK_SECRET",
    metavar="SECRET",
    help="Sign each callback with this secret [env: SMSC_CALLBACK_SECRET].",
)
@click.option(
    "--callback-algorithm",
    type=click.Choice(["md5", "sha1", "crc32"]),
    help="The signature's algorithm [default: md5].",
)
@click.option(
    "--callback-fmt",
    type=click.Choice(["form", "json", "xml"]),
    help="The callback body [default: form].",
)
@click.option(
    "--callback-charset",
    type=click.Choice(["windows-1251", "utf-8", "koi8-r"]),
    help="The callback body's charset [default: windows-1251].",
)
@click.option(
    "--control-token",
    envvar="SMSC_EMULATOR_TOKEN",
    metavar="TOKEN",
    help="The token the inbox's controls need from other machines "
    "[env: SMSC_EMULATOR_TOKEN; made up and printed when --host is not a loopback address].",
)
def emulator(
    *,
    host: str,
    port: int,
    minute: float,
    latency: float,
    jitter: float,
    approve_senders: bool,
    callback_url: str | None,
    callback_secret: str | None,
    callback_algorithm: Literal["md5", "sha1", "crc32"] | None,
    callback_fmt: Literal["form", "json", "xml"] | None,
    callback_charset: str | None,
    control_token: str | None,
) -> None:
    """Serve the SMSC emulator at http://HOST:PORT/sys/ until Ctrl+C.

    It answers every command the SDK implements (tariffs, sender names, subclients,
    operator templates, contacts, groups and the blacklist, sending, message status and
    deletion, balance, message templates, mailings, the history of sent messages, incoming
    messages, statistics, operator look-ups), in all four formats. Sent messages are kept
    in memory and reach "delivered" five emulated seconds after they go. Point the other
    commands at it with SMSC_BASE_URL.

    It enforces SMSC's anti-flood rules (error 9) and IP bans (error 4). Its account is
    login "demo", password "demo-password", API key "demo-apikey": test values, not secrets.

    With --callback-url it calls your handler back as SMSC would: a signed delivery report
    for every status change of a message, retried a few times when not answered 2xx.

    Its inbox, at http://HOST:PORT/_emulator/, shows what your app did: messages and their
    statuses, replies, subclients, sender names, contacts, requests in flight, rule windows,
    violations and bans; a JSON API beside it reads the same and controls the emulator
    (faults, clock, reset). Ctrl+C prints a summary.
    """
    from smsc_async.testing import DEFAULT_LOGIN, Emulator, serve  # noqa: PLC0415 - extra

    # SMSC_CALLBACK_SECRET in the environment may be meant for the app beside it: only a
    # secret typed on the command line without a URL is a mistake.
    secret_typed = (
        click.get_current_context().get_parameter_source("callback_secret")
        is click.core.ParameterSource.COMMANDLINE
    )
    if callback_url is None and (
        callback_algorithm or callback_fmt or callback_charset or secret_typed
    ):
        raise click.UsageError("the --callback-* options need --callback-url")
    generated = control_token is None and not _loopback(host)
    if generated:
        # Reachable from other machines: the controls must not be open to all of them.
        control_token = secrets.token_urlsafe(16)
    try:
        served = Emulator(
            minute=minute,
            latency=latency,
            jitter=jitter,
            approve_senders=approve_senders,
            callback_url=callback_url,
            callback_secret=callback_secret if callback_url else None,
            callback_algorithm=callback_algorithm,
            callback_fmt=callback_fmt,
            callback_charset=callback_charset,
            control_token=control_token,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--callback-*") from None
    click.echo(
        f"SMSC emulator at http://{host}:{port}/sys/ - account {DEFAULT_LOGIN!r} "
        f"(credentials: smsc-async emulator --help); a minute lasts {minute:g} s"
    )
    if (sender := served.callbacks) is not None:
        signed = f"signed with {sender.algorithm}" if sender.signed else "unsigned"
        click.echo(f"Callbacks to {sender.url} ({sender.fmt}, {sender.charset}, {signed})")
    inbox = f"http://{host}:{port}/_emulator/"
    if generated:
        # Printed once, here: the page reads it from the URL's fragment, never sent on.
        click.echo(f"Inbox at {inbox}#token={control_token}")
        click.echo(f"Control token (Authorization: Bearer ...): {control_token}")
    else:
        click.echo(f"Inbox at {inbox}")
    serve(served, host=host, port=port)


def _loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name: it may reach other machines
