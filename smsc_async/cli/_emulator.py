"""``smsc-async emulator``: serve the SMSC emulator on this machine."""

from __future__ import annotations

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
def emulator(
    *, host: str, port: int, minute: float, latency: float, jitter: float, approve_senders: bool
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
    """
    from smsc_async.testing import DEFAULT_LOGIN, Emulator, serve  # noqa: PLC0415 - extra

    served = Emulator(
        minute=minute, latency=latency, jitter=jitter, approve_senders=approve_senders
    )
    click.echo(
        f"SMSC emulator at http://{host}:{port}/sys/ - account {DEFAULT_LOGIN!r} "
        f"(credentials: smsc-async emulator --help); a minute lasts {minute:g} s"
    )
    serve(served, host=host, port=port)
