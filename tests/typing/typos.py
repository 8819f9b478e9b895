"""Deliberate typos that ``mypy --strict`` must report, each on its own marked line.

Not a test module (pytest collects ``test_*.py`` only) and left out of ``mypy tests``
(``[tool.mypy] exclude``): ``tests/test_typos.py`` runs mypy on this file alone and
checks that every line marked ``# E: <code>`` is reported with that code, and nothing
else is. A typo that type-checks is a bug of the SDK's signatures.
"""

from __future__ import annotations

from smsc_async import BlockType, Format, SmscClient, Translit
from smsc_async.testing import Emulator


async def typos(smsc: SmscClient) -> object:
    """Each statement holds one typo."""
    SmscClient.from_env(dedline=10)  # E: call-arg
    Emulator().client(dedline=1)  # E: call-arg
    SmscClient(login="alex", passwrd="secret")  # E: call-arg
    SmscClient.from_env(fmt="json")  # E: arg-type
    await smsc.blacklist.add("79990000001", type=BlockType.AL)  # E: attr-defined
    await smsc.blacklist.add("79990000001", type=7)  # E: arg-type
    await smsc.messages.send("79990000001", "hi", translit=Translit.LATN)  # E: attr-defined
    await smsc.mailings.add("promo", ["79990000001"], mes="hi")  # E: call-arg
    await smsc.blacklist.add("79990000001", type=7)  # E: arg-type
    await smsc.senders.add("SHOP", cmt="a comment")  # E: call-arg
    return Format.JSN  # E: attr-defined
