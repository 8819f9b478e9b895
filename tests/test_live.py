"""Opt-in reads against the real SMSC, skipped unless credentials are in the environment.

They need ``SMSC_LOGIN`` and ``SMSC_PASSWORD`` (or ``SMSC_APIKEY``), change nothing on the
account and send nothing. ``SMSC_BASE_URL`` points them at another host (e.g. ``https://smscentre.com/sys/``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from smsc_async import Contact, ContactGroup, SmscClient, Tariffs

_LOGIN, _PASSWORD = os.environ.get("SMSC_LOGIN"), os.environ.get("SMSC_PASSWORD")
_APIKEY = os.environ.get("SMSC_APIKEY")

pytestmark = pytest.mark.skipif(
    not (_APIKEY or (_LOGIN and _PASSWORD)),
    reason="live tests need SMSC_LOGIN and SMSC_PASSWORD, or SMSC_APIKEY",
)


@pytest.fixture
async def smsc() -> AsyncIterator[SmscClient]:
    credentials = {"apikey": _APIKEY} if _APIKEY else {"login": _LOGIN, "password": _PASSWORD}
    base_url = os.environ.get("SMSC_BASE_URL", "https://smsc.ru/sys/")
    async with SmscClient(**credentials, base_url=base_url) as client:
        yield client


async def test_live_tariffs_decode(smsc: SmscClient) -> None:
    """The real price list decodes into Tariffs."""
    assert isinstance(await smsc.tariffs.get(), Tariffs)


async def test_live_contacts_groups_and_blacklist_decode(smsc: SmscClient) -> None:
    """One page of the real phone book, its groups and its blacklist decode into the models."""
    contacts = await smsc.contacts.list(cnt=5)
    groups = await smsc.groups.list()
    blacklist = await smsc.blacklist.list(cnt=5)
    assert all(isinstance(c, Contact) for c in contacts)
    assert all(isinstance(g, ContactGroup) for g in groups)
    assert len(blacklist) <= 5
