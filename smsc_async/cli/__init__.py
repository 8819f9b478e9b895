"""The ``smsc-async`` command line (needs the ``cli`` extra: click and rich).

Commands:
    demo       The main job: provision subclients concurrently on the embedded emulator.
    emulator   Serve the SMSC emulator over HTTP on this machine.
    tariffs    The account's prices.
    senders    List and add sender names.
    subclients Provision subclients from a CSV or JSON file.
    contacts   Import contacts from a file, export the phone book.

Like the emulator and the tests, the command line uses only the public package.
"""

from __future__ import annotations

from smsc_async.cli._main import main

__all__ = ["main"]
