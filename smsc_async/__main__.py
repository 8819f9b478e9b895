"""``python -m smsc_async``: the ``smsc-async`` command line."""

from smsc_async.cli import main

main()
