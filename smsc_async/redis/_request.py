"""One request's part in Redis, from its admission to its release.

A :class:`Request` holds the keys and arguments of take.lua (built once) and drives the
script until it is admitted or has its slot; :func:`admit` and :func:`take` start one, and
:class:`RedisAdmission` and :class:`RedisLease` are the handles the engine gets back.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from typing import Any

from smsc_async._state import CAP_REASON, Admission, Lease, TooLate, WindowSpec
from smsc_async.errors import LimiterUnavailableError
from smsc_async.redis._fallback import Policy, go_in_process
from smsc_async.redis._part import Part
from smsc_async.redis._scripts import ADMIT, ADMIT_AND_GO, DONE, GO, GROW_EVERY, LOST, WINDOW, text


class Request:
    """One request's part in Redis: its id, the keys and arguments of its scripts, its state.

    The arguments are take.lua's, built once (``ARGS_*`` name the ones that change).
    """

    __slots__ = (
        "args",
        "asked",
        "holds",
        "id",
        "keys",
        "left",
        "login",
        "part",
        "reason",
        "tag",
        "waited",
        "windows",
    )

    ARG_KNOWN, ARG_FRESH, ARG_MODE, ARG_CAP, ARG_ASKED = 0, 1, 5, 6, 9

    def __init__(self, part: Part, login: str, windows: Sequence[WindowSpec]) -> None:
        core = part.core
        self.part = part
        self.login = login
        self.windows = tuple(windows)
        self.id = core.new_id()
        self.tag = tag = core.tag(login)
        self.keys = core.head(tag)
        self.args: list[object] = [
            "",
            "",
            self.id,
            core.lease,
            len(windows),
            ADMIT,
            0,
            GROW_EVERY,
            core.restart_hold,
            "",
            core.queue_ttl,
        ]
        for window in windows:
            key = window.key
            self.keys += [f"{tag}:w:{key}", f"{tag}:p:{key}", f"{tag}:b:{key}", f"{tag}:c:{key}"]
            self.args += [window.limit, repr(float(window.span))]
        self.args.append(core.channel)
        self.asked = ""
        """When the call first asked, by Redis's clock (its place in the slot queue)."""
        self.reason = ""
        self.waited = False
        self.holds = False
        """Whether Redis may hold something of it (an entry, a place in line, a slot)."""
        self.left = False

    @property
    def pending_keys(self) -> tuple[str, ...]:
        return tuple(self.keys[7::4])

    @property
    def cap(self) -> int:
        value = self.args[self.ARG_CAP]
        return value if isinstance(value, int) else 0

    async def drive(self, mode: int, timeout: float | None) -> None:
        """Run take.lua in ``mode`` until it is done: admitted (``ADMIT``), or the slot taken.

        Raises:
            TooLate: The wait would pass ``timeout``.
            LimiterUnavailableError: Redis cannot be reached.
        """
        part, login, args = self.part, self.login, self.args
        core, loop = part.core, part.loop
        deadline = None if timeout is None else loop.time() + timeout
        part.ensure_listener()
        window_wake, slot_wake = "w" + self.tag, "g" + self.id
        while True:
            args[self.ARG_KNOWN] = core.epochs.get(login, "")
            args[self.ARG_FRESH] = "F:" + self.id
            args[self.ARG_MODE] = mode
            args[self.ARG_ASKED] = self.asked
            # Expected before the script runs: a wake sent while it answers is not missed.
            wakes = {
                ADMIT: (window_wake,),
                ADMIT_AND_GO: (window_wake, slot_wake),
                GO: (slot_wake,),
            }[mode]
            future = part.expect(*wakes)
            try:
                self.holds = True  # until the answer says otherwise (a cancel meanwhile)
                answer = await part.run("take", self.keys, args)
                status = int(answer[0])
                if status == LOST:
                    await part.recover(login)
                    continue
                core.epochs[login] = text(answer[4])
                self.asked = text(answer[5])
                if status == DONE:
                    self.settle(slot=mode != ADMIT)
                    return
                now = loop.time()
                if status == WINDOW:
                    wait = self._window_wait(answer, now, deadline)
                else:  # queued for a slot: admitted, if it was not already
                    if mode == ADMIT_AND_GO:
                        self.settle(slot=False)
                        mode = GO
                    self.waited = True
                    wait = int(answer[1]) / 1e6
                    if deadline is not None and now >= deadline:
                        raise TooLate(wait, CAP_REASON)
                    wait = min(wait, part.poll_for())
                sleep = wait + _jitter(wait)
                if deadline is not None:
                    sleep = min(sleep, deadline - now)
                if sleep > 0:
                    await asyncio.wait((future,), timeout=sleep)
            finally:
                part.forget(future, *wakes)

    def _window_wait(self, answer: Sequence[Any], now: float, deadline: float | None) -> float:
        """How long to sleep before asking again for a window (nothing was joined).

        Raises:
            TooLate: The window frees only after ``deadline``.
        """
        self.holds = False
        wait = int(answer[1]) / 1e6
        window = self.windows[int(answer[2]) - 1]
        self.reason = self.reason or window.label
        pending = int(answer[3]) == 1
        if deadline is not None and (now >= deadline or (not pending and now + wait >= deadline)):
            raise TooLate(wait, window.label)
        if pending:  # a withdrawal may free it: wake on one, check now and then
            return min(wait, self.part.poll_for())
        return wait

    def settle(self, *, slot: bool) -> None:
        """Note what the request now holds, for the renewer (entries pending, or its slot)."""
        part = self.part
        if slot:
            part.pending.pop(self.id, None)
            part.slots[self.id] = self.login
        elif self.windows:
            part.pending[self.id] = (self.login, self.pending_keys)
        part.start_renewer()

    def leave(self) -> None:
        """Give back whatever the request holds in Redis, in the background (sync)."""
        if self.left:
            return
        self.left = True
        part = self.part
        part.slots.pop(self.id, None)
        part.pending.pop(self.id, None)
        if not self.holds:
            return
        keys = self.keys[:6]
        args: list[object] = [
            self.id,
            part.core.channel,
            "w" + self.tag,
            self.cap,
            GROW_EVERY,
        ]
        for window, log_key, pending_key in zip(
            self.windows, self.keys[6::4], self.pending_keys, strict=True
        ):
            keys += [log_key, pending_key]
            args += [repr(float(window.margin)), repr(float(window.span))]
        part.spawn(part.quietly("leave", keys, args))

    def refund(self) -> None:
        if not self.windows:
            return
        keys = [*self.keys[6::4], *self.pending_keys]  # the logs, the pending sets
        self.part.spawn(self.part.quietly("refund", keys, [self.id]))


def _jitter(wait: float) -> float:
    """A little random delay, so sharers woken at one moment do not all ask at once."""
    return secrets.randbelow(1000) / 1000 * min(0.005, wait * 0.1)


async def admit(
    policy: Policy,
    part: Part,
    login: str,
    windows: Sequence[WindowSpec],
    timeout: float | None,
) -> Admission:
    """Join every window at once (:meth:`RedisLimiter.admit` while Redis answers)."""
    request = Request(part, login, windows)
    if windows:  # with none, there is nothing to join: go() takes the slot
        try:
            await request.drive(ADMIT, timeout)
        except BaseException:
            request.leave()
            raise
    return RedisAdmission(policy, request)


async def take(
    part: Part, login: str, windows: Sequence[WindowSpec], cap: int, timeout: float | None
) -> Lease:
    """Admit and take a slot in one script (:meth:`RedisLimiter.take` while Redis answers)."""
    request = Request(part, login, windows)
    request.args[request.ARG_CAP] = cap
    try:
        await request.drive(ADMIT_AND_GO, timeout)
    except BaseException:
        request.leave()
        raise
    lease = RedisLease(request)
    lease.reason = request.reason or (CAP_REASON if request.waited else "")
    return lease


class RedisAdmission(Admission):
    """A request joined to its windows in Redis; :meth:`go` takes its slot there."""

    def __init__(self, policy: Policy, request: Request) -> None:
        self.policy = policy
        self.request = request
        self.reason = request.reason

    async def go(self, cap: int, timeout: float | None) -> Lease:
        policy, request = self.policy, self.request
        request.args[request.ARG_CAP] = cap
        try:
            await request.drive(GO, timeout)
        except LimiterUnavailableError:
            request.part.pending.pop(request.id, None)  # its lease ends in Redis
            if policy.on_unavailable == "fail":
                raise
            # Redis went down between admit and go: this request goes by the process scope.
            return await go_in_process(policy, request.login, request.windows, cap, timeout)
        except BaseException:
            self.withdraw()
            raise
        return RedisLease(request)

    def withdraw(self) -> None:
        self.request.leave()


class RedisLease(Lease):
    """A request holding its slot in Redis until its exchange ends."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.waited = request.waited
        self._refunded = False

    def release(self) -> None:
        self.request.leave()

    def refund(self) -> None:
        if not self._refunded:
            self._refunded = True
            self.request.refund()
