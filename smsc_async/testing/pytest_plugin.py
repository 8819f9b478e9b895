"""Where the ``smsc_emulator`` fixture used to live; kept for ``pytest_plugins`` lists.

The plugin is :mod:`smsc_async.pytest_plugin`, outside this package, so that loading it
does not import Starlette (see there).
"""

from __future__ import annotations

from smsc_async.pytest_plugin import smsc_emulator

__all__ = ["smsc_emulator"]
