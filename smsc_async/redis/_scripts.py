"""The Lua scripts a RedisLimiter runs, and the codes take.lua speaks.

Each script is package data (``lua/<name>.lua``), headed by what it guarantees; what Redis
is sent is that file behind the shared parts it needs.
"""

from __future__ import annotations

import importlib.resources

GROW_EVERY = 2.0
"""Seconds per +1 of the cap in force after :meth:`RedisLimiter.back_off` (additive increase)."""


def _lua(*names: str) -> str:
    folder = importlib.resources.files("smsc_async.redis") / "lua"
    return "\n".join((folder / f"{name}.lua").read_text(encoding="utf-8") for name in names)


# Each script with the shared parts it needs (clock.lua: Redis's TIME; login.lua: the
# epoch and the slot queue; pause.lua: pause domains).
SCRIPTS = {
    "take": _lua("clock", "login", "take"),
    "leave": _lua("clock", "login", "leave"),
    "renew": _lua("clock", "login", "renew"),
    "recover": _lua("clock", "login", "recover"),
    "refund": _lua("refund"),
    "hold": _lua("clock", "hold"),
    "back_off": _lua("clock", "back_off"),
    "paused": _lua("clock", "pause", "paused"),
    "ban": _lua("clock", "pause", "ban"),
    "auth_failed": _lua("clock", "pause", "auth_failed"),
    "next_id": _lua("next_id"),
}

# TAKE's modes (take.lua) and answers.
ADMIT, ADMIT_AND_GO, GO = 0, 1, 2
LOST, DONE, WINDOW, QUEUED = -1, 0, 1, 2


def text(value: object) -> str:
    """A value from a script's answer or a pub/sub message, as text."""
    return value.decode() if isinstance(value, bytes) else str(value)
