"""The README's emulator test of a send whose answer is lost, run so it cannot rot.

The example is the code block of README.md marked ``<!-- readme-test: send_test -->``; it is
executed as a module of its own and its test function is called with a fresh emulator, as
the ``smsc_emulator`` fixture would pass it.
"""

from __future__ import annotations

import re
import types
from pathlib import Path

from smsc_async.testing import Emulator

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^<!-- readme-test: send_test -->\n```python\n(.*?)^```$", re.M | re.S)


def send_test_module() -> types.ModuleType:
    """The README's marked block, run as a module."""
    blocks = _BLOCK.findall(README.read_text(encoding="utf-8"))
    assert len(blocks) == 1, "README.md must mark exactly one block send_test"
    module = types.ModuleType("readme_send_test")
    module.__file__ = f"{README}:send_test"
    exec(compile(blocks[0], module.__file__, "exec"), module.__dict__)  # noqa: S102 - the README's
    return module


async def test_the_readme_send_test_passes() -> None:
    """The README's lost-send test passes against the emulator, after one send and one status."""
    emulator = Emulator()
    await send_test_module().test_a_lost_confirmation_is_not_sent_twice(emulator)
    assert [("send.send", None), ("status.status", None)] == [
        (e.command, e.error_code) for e in emulator.traffic
    ]
