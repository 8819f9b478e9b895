"""The ``smsc-async`` group: every command is registered here."""

from __future__ import annotations

import click

from smsc_async import __version__
from smsc_async.cli._account import senders, tariffs
from smsc_async.cli._contacts import contacts
from smsc_async.cli._demo import demo
from smsc_async.cli._emulator import emulator
from smsc_async.cli._subclients import subclients

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="smsc-async")
def main() -> None:
    """smsc-async: the async SMSC SDK's command line.

    Start with ``smsc-async demo``: it needs no account.
    """


for command in (demo, emulator, tariffs, senders, subclients, contacts):
    main.add_command(command)
