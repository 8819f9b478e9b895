"""``smsc-async demo``: the main job, on the embedded emulator (being written)."""

from __future__ import annotations

import click

__all__ = ["demo"]


@click.command()
def demo() -> None:
    """Provision subclients concurrently on the embedded emulator (no account needed)."""
