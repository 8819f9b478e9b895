"""``smsc.senders`` against seed 002: e-mail names, and the checks the audit of issue 21 named."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import respx

from smsc_async import NotFoundError, SmscClient, UaRegistration, ValidationError
from smsc_async.testing import Emulator
from tests._support import make_client

pytestmark = pytest.mark.looptime

SendersCall = Callable[[SmscClient], Awaitable[object]]

UA: dict[str, Any] = {
    "fio": "TOV Shop",
    "inn": "12345678",
    "address": "Kyiv",
    "desc": "Online shop",
    "subj": "Orders",
}


async def test_an_email_name_is_changed_and_deleted_by_its_address() -> None:
    """A name made with mail=True is changed and deleted by name (seed 002), not refused."""
    emulator = Emulator(approve_senders=True)
    async with emulator.client() as smsc:
        await smsc.senders.add("news@shop.example", mail=True, name="Shop news")
        await smsc.senders.change("news@shop.example", register=["tele2"])
        await smsc.senders.delete("news@shop.example")
        assert [] == [s for s in await smsc.senders.list(all=True) if "@" in s.sender]
        with pytest.raises(NotFoundError):
            await smsc.senders.delete("news@shop.example")
    assert ["senders.add", "senders.chg", "senders.del"] == [
        e.command for e in emulator.traffic[:3]
    ]


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request would reach the (route-less) respx router."""
    async with make_client() as client:
        yield client


BAD_CALLS = [
    pytest.param(
        lambda s: s.senders.change("news@shop", comment="c"), {"sender"}, id="chg-mail-no-dot"
    ),
    pytest.param(lambda s: s.senders.delete("a@b@c.ru"), {"sender"}, id="del-mail-two-at"),
    pytest.param(lambda s: s.senders.send_code("79990000000", site=5), {"site"}, id="site-int"),
    pytest.param(
        lambda s: s.senders.send_code("79990000000", site="my site"), {"site"}, id="site-space"
    ),
    pytest.param(
        lambda s: s.senders.send_code("79990000000", site="x" * 12), {"site"}, id="site-long"
    ),
    pytest.param(
        lambda s: s.senders.add("shop", ua_reg=UaRegistration(**UA, email="not-an-address")),
        {"ua_reg.email"},
        id="ua-email",
    ),
    pytest.param(
        lambda s: s.senders.add("shop", ua_reg=UaRegistration(**UA, email="  ")),
        {"ua_reg", "ua_reg.email"},
        id="ua-email-blank",
    ),
    pytest.param(lambda s: s.senders.list(all=1), {"all"}, id="list-all-int"),
    pytest.param(lambda s: s.senders.list(operators="1"), {"operators"}, id="list-operators-str"),
]


@pytest.mark.parametrize(("call", "fields"), BAD_CALLS)
async def test_bad_argument_raises_before_sending(
    smsc: SmscClient, router: respx.MockRouter, call: SendersCall, fields: set[str]
) -> None:
    """A bad argument raises ValidationError naming the field; nothing is sent."""
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == {e.field for e in caught.value.errors}
    assert not router.calls


def test_iterate_checks_its_flags_at_once() -> None:
    """iterate(all=, operators=) refuses a non-bool when called, not when first iterated."""
    smsc = SmscClient(login="demo", password="demo-password")
    with pytest.raises(ValidationError) as caught:
        smsc.senders.iterate(all="yes", operators=0)  # type: ignore[arg-type]
    assert {"all", "operators"} == {e.field for e in caught.value.errors}
