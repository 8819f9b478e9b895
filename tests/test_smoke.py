from __future__ import annotations

import respx

from smsc_async import Format, Tariffs
from smsc_async.testing import render_tariffs
from tests._support import make_client, posted_form, reply


async def test_tariffs_end_to_end(router: respx.MockRouter, fmt: Format) -> None:
    """A tariffs reply in any format decodes, and the request carried fmt and charset."""
    route = router.post("get.php").mock(return_value=reply(render_tariffs(fmt, Tariffs())))
    async with make_client(fmt) as smsc:
        assert await smsc.tariffs.get() == Tariffs()
    form = posted_form(route.calls.last.request)
    assert form["fmt"] == str(int(fmt))
    assert form["get_price"] == "1"
