"""Rule groups in the limiter, in virtual time: several commands counting in one window."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest
import respx

from smsc_async import Rule, Scope
from smsc_async._limiter import Limiter
from smsc_async.resources import subclients
from tests._support import make_client, reply
from tests.test_limiter import make_limiter

pytestmark = pytest.mark.looptime

PER_USER = Rule(3, 60.0, Scope.PARAM, "user", group="users.add/chg")


async def send(limiter: Limiter, command: str, rule: Rule, start: float, user: str) -> float:
    """Start at ``start``, pass ``command``'s windows for ``user``, send at once."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(start)
    ticket = await limiter.admit(command, (rule,), {"user": user}, None)
    (await limiter.go(ticket, None)).release()
    return loop.time()


async def test_commands_of_one_group_share_a_window_per_user() -> None:
    """Creations and changes of one subclient count together: the 4th of either waits."""
    limiter = make_limiter()
    sends = await asyncio.gather(
        send(limiter, "users.add", PER_USER, 0, "sub1"),
        send(limiter, "users.chg", PER_USER, 1, "sub1"),
        send(limiter, "users.pay", PER_USER, 2, "sub1"),
        send(limiter, "users.chg", PER_USER, 3, "sub1"),
    )
    assert [0.0, 1.0, 2.0, 61.0] == list(sends)  # free when the first leaves: 0 + 60 + 1


async def test_a_group_keeps_each_user_apart() -> None:
    """Another subclient's requests are not held by a full window of the first."""
    limiter = make_limiter()
    sends = await asyncio.gather(
        *(send(limiter, "users.chg", PER_USER, 0, "sub1") for _ in range(3)),
        send(limiter, "users.add", PER_USER, 0, "sub2"),
        send(limiter, "users.chg", PER_USER, 0, "sub1"),
    )
    assert [0.0, 0.0, 0.0, 0.0, 61.0] == list(sends)


async def test_without_a_group_each_command_counts_alone() -> None:
    """The same rule without a group keeps one window per command."""
    limiter = make_limiter()
    alone = Rule(3, 60.0, Scope.PARAM, "user")
    sends = await asyncio.gather(
        *(send(limiter, "users.add", alone, 0, "sub1") for _ in range(3)),
        *(send(limiter, "users.chg", alone, 0, "sub1") for _ in range(3)),
    )
    assert [0.0] * 6 == list(sends)


async def test_groups_of_other_names_do_not_share() -> None:
    """Two groups of different names keep different windows."""
    limiter = make_limiter()
    other = Rule(3, 60.0, Scope.PARAM, "user", group="elsewhere")
    sends = await asyncio.gather(
        *(send(limiter, "users.add", PER_USER, 0, "sub1") for _ in range(3)),
        *(send(limiter, "users.add", other, 0, "sub1") for _ in range(3)),
    )
    assert [0.0] * 6 == list(sends)


def test_subclient_writes_are_declared_in_one_group_per_user() -> None:
    """users.add, users.chg and users.pay declare the one per-subclient group rule."""
    declared = {c.name: c.rules for c in (subclients.CREATE, subclients.UPDATE, subclients.PAY)}
    assert dict.fromkeys(("users.add", "users.chg", "users.pay"), (PER_USER,)) == declared


async def test_client_paces_writes_to_one_subclient_together(router: respx.MockRouter) -> None:
    """Through the client, a change after three creations of one login waits out the window."""
    route = router.post("users.php").mock(return_value=reply('{"result": "OK"}'))
    loop = asyncio.get_running_loop()

    async def at(call: Awaitable[object]) -> float:
        await call
        return loop.time()

    async with make_client() as smsc:
        times = await asyncio.gather(
            at(smsc.subclients.create("sub1", "Sub-pass-2024")),
            at(smsc.subclients.pay("sub1", 10)),
            at(smsc.subclients.update("sub1", password="New-pass-2025")),
            at(smsc.subclients.update("sub2", password="New-pass-2025")),
            at(smsc.subclients.update("sub1", new_login="sub1new")),
        )
    assert 5 == route.call_count
    assert [0.0, 0.0, 0.0, 0.0] == list(times[:4])
    assert times[4] >= 60.0
