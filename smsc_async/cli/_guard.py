"""The authorisation guard, kept between runs of the command line in a small state file.

The SDK pauses a server after 4 authorisation errors (SMSC error 2) within 30 minutes,
because SMSC blocks the IP for 30 minutes at the 5th, and for the length of a block
(error 4). It keeps both in its limiter backend, by default in the process's memory; but
each ``smsc-async`` run is a process of its own, so five runs with a mistyped password would
each see one error, and together earn the block. :class:`FileGuardLimiter` is the process
limiter that also keeps those errors and pauses in a file, so that the 5th run is refused
before it sends anything.

The file (:data:`STATE_FILE` in :func:`state_dir`) holds, per pause domain (a server as seen
from this machine), the times and logins of recent authorisation errors and the pauses in
force, with their reason and the login that earned them: never a password or an API key (an
API-key account is the SDK's masked ``apikey:***``). Times are wall-clock (``time.time()``):
runs share no monotonic clock. Each update reads, changes and rewrites the file under a
lock (filelock), so two runs at once never lose an error, and replaces it in one step, so a
reader never sees half of it; entries past their span are dropped on each write. A file
that cannot be read or parsed counts as empty and is replaced at the next update; one that
cannot be written leaves the guard to this run's memory, with a warning.
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
import click
import filelock
import platformdirs

from smsc_async import LimiterBackend, Pause, ProcessLimiter

__all__ = ["ENV_STATE_DIR", "STATE_FILE", "FileGuardLimiter", "state_dir"]

ENV_STATE_DIR = "SMSC_STATE_DIR"
"""The variable that moves the state directory (tests; users who want it elsewhere)."""

STATE_FILE = "auth-guard.json"
"""The state file's name in :func:`state_dir`."""

_VERSION = 1  # another version (a later layout) counts as empty, and is replaced
_KEPT_ERRORS = 32  # per domain: the guard needs the last 4; the bound keeps the file small
_LOCK_TIMEOUT = 10.0  # seconds; an update holds the lock for a read and a write


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the command line keeps its state: ``SMSC_STATE_DIR``, or the user's cache dir.

    Args:
        environ: Where to read the variable (``os.environ`` by default); empty is unset.

    Returns:
        The directory (not created here), e.g. ``~/.cache/smsc-async`` on Linux.
    """
    env = os.environ if environ is None else environ
    chosen = env.get(ENV_STATE_DIR)
    if chosen:
        return Path(chosen).expanduser()
    return platformdirs.user_cache_path("smsc-async", appauthor=False)


@attrs.frozen
class _Error:
    """An authorisation error: when (wall clock), how long it counts, whose."""

    at: float
    span: float
    login: str


@attrs.frozen
class _Paused:
    """A pause: until when (wall clock), its length, why, and who earned it."""

    until: float
    seconds: float
    reason: str
    login: str

    def left(self, now: float) -> float:
        # A wall clock set back must not stretch a pause beyond its own length.
        return min(self.until - now, self.seconds)

    def pause(self, now: float) -> Pause:
        return Pause(self.left(now), self.reason, self.login)


@attrs.define
class _State:
    errors: dict[str, list[_Error]] = attrs.Factory(dict)
    pauses: dict[str, _Paused] = attrs.Factory(dict)


class FileGuardLimiter(ProcessLimiter):
    """The process limiter whose authorisation guard and IP-block pauses outlive the run.

    Everything else (windows, slots, message ids) is the :class:`~smsc_async.ProcessLimiter`
    it extends. :meth:`paused`, :meth:`ban` and :meth:`auth_failed` keep their state in
    memory as it does, and in the file at ``path`` too; the longer of the two pauses holds.

    Args:
        path: The state file (its directory is made when first written).
        clock: Wall-clock seconds (``time.time``; tests pass their own).
        lock_timeout: Seconds to wait for another run's lock before keeping this error
            in memory only.
    """

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        lock_timeout: float = _LOCK_TIMEOUT,
    ) -> None:
        super().__init__()
        self.path = path
        self._clock = clock
        self._file_lock = filelock.FileLock(
            path.with_name(path.name + ".lock"), timeout=lock_timeout, mode=0o600
        )
        self._read_lock = threading.Lock()
        self._seen: tuple[tuple[int, int, int], _State] | None = None
        self._warned = False

    def __repr__(self) -> str:
        return f"<FileGuardLimiter path={str(self.path)!r}>"

    async def paused(self, where: str) -> Pause | None:
        """The pause of ``where`` in force, in this run or in the state file."""
        mine = await super().paused(where)
        found = self._read().pauses.get(where)
        now = self._clock()
        theirs = found.pause(now) if found is not None and found.left(now) > 0 else None
        return _longer(mine, theirs)

    async def ban(self, where: str, login: str, seconds: float, reason: str) -> Pause:
        """SMSC blocked the address (error 4): pause ``where``, in memory and in the file."""
        mine = await super().ban(where, login, seconds, reason)
        record = functools.partial(
            _record_ban, where=where, login=login, seconds=seconds, reason=reason
        )
        return _longer(mine, await self._update(record)) or mine

    async def auth_failed(self, where: str, login: str, *, limit: int, span: float) -> Pause | None:
        """Count an authorisation error in memory and in the file (see the base class).

        The file counts every run's errors, so its pause engages at the ``limit``-th error
        of all the runs within ``span``.
        """
        mine = await super().auth_failed(where, login, limit=limit, span=span)
        record = functools.partial(_record_auth, where=where, login=login, limit=limit, span=span)
        return _longer(mine, await self._update(record))

    # -- the file ---------------------------------------------------------------------

    def _read(self) -> _State:
        """The file's state, parsed again only when the file changed (a stat per call)."""
        try:
            info = self.path.stat()
        except OSError:  # none yet, or unreadable: no guard from the file
            return _State()
        signature = (info.st_ino, info.st_mtime_ns, info.st_size)
        with self._read_lock:
            if self._seen is not None and self._seen[0] == signature:
                return self._seen[1]
        state = self._load()
        with self._read_lock:
            self._seen = (signature, state)
        return state

    def _load(self) -> _State:
        try:
            return _parse(self.path.read_bytes())
        except (OSError, ValueError, TypeError, KeyError):  # unreadable, not JSON, wrong shape
            return _State()

    async def _update(self, change: Callable[[_State, float], Pause | None]) -> Pause | None:
        """Read, change and rewrite the file under its lock (in a thread: it may wait)."""
        try:
            return await asyncio.to_thread(self._locked_update, change)
        except OSError as exc:  # filelock.Timeout is one too
            if not self._warned:  # one line a run, on standard error beside the command's own
                self._warned = True
                click.echo(
                    f"Warning: cannot keep the authorisation guard in {self.path} ({exc}); "
                    "this run keeps it in memory only",
                    err=True,
                )
            return None

    def _locked_update(self, change: Callable[[_State, float], Pause | None]) -> Pause | None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._file_lock:
            state = self._load()
            now = self._clock()
            result = change(state, now)
            _prune(state, now)
            self._write(state)
        return result

    def _write(self, state: _State) -> None:
        """Replace the file in one step: a reader sees the old state or the new one."""
        fd, name = tempfile.mkstemp(prefix=f".{STATE_FILE}.", dir=self.path.parent)  # 0600
        temporary = Path(name)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(_dump(state))
            temporary.replace(self.path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise


def _record_auth(
    state: _State, now: float, *, where: str, login: str, limit: int, span: float
) -> Pause | None:
    """Add the error; the pause, if ``limit`` errors (any run's) now fall within ``span``."""
    errors = state.errors.setdefault(where, [])
    errors.append(_Error(now, span, login))
    recent = sorted(e.at for e in errors if now - e.at < span)
    if len(recent) < limit:
        return None
    reason = LimiterBackend.auth_reason(limit, span)
    return _record_pause(state, now, where, _Paused(recent[-limit] + span, span, reason, login))


def _record_ban(
    state: _State, now: float, *, where: str, login: str, seconds: float, reason: str
) -> Pause:
    return _record_pause(state, now, where, _Paused(now + seconds, seconds, reason, login))


def _record_pause(state: _State, now: float, where: str, new: _Paused) -> Pause:
    """Keep the longer of ``new`` and the pause in force; the one kept."""
    old = state.pauses.get(where)
    if old is None or new.left(now) > old.left(now):
        state.pauses[where] = new
    return state.pauses[where].pause(now)


def _prune(state: _State, now: float) -> None:
    """Drop errors past their span and pauses that ended (and keep the newest errors only)."""
    for where, errors in list(state.errors.items()):
        kept = [e for e in errors if now - e.at < e.span][-_KEPT_ERRORS:]
        if kept:
            state.errors[where] = kept
        else:
            del state.errors[where]
    for where, paused in list(state.pauses.items()):
        if paused.left(now) <= 0:
            del state.pauses[where]


def _longer(one: Pause | None, other: Pause | None) -> Pause | None:
    if one is None or (other is not None and other.seconds > one.seconds):
        return other
    return one


# -- the file's layout ----------------------------------------------------------------


def _dump(state: _State) -> bytes:
    data = {
        "version": _VERSION,
        "auth_errors": {
            where: [attrs.asdict(e) for e in errors] for where, errors in state.errors.items()
        },
        "pauses": {where: attrs.asdict(p) for where, p in state.pauses.items()},
    }
    return json.dumps(data, indent=1, sort_keys=True).encode()


def _parse(raw: bytes) -> _State:
    """The state in ``raw``; ``ValueError`` (or ``TypeError``, ``KeyError``) if malformed."""
    data = _mapping(json.loads(raw))
    if data.get("version") != _VERSION:
        raise ValueError("another version")
    state = _State()
    for where, errors in _mapping(data["auth_errors"]).items():
        if not isinstance(errors, list):
            raise TypeError("errors must be a list")
        state.errors[where] = [
            _Error(_number(e["at"]), _seconds(e["span"]), _text(e["login"]))
            for e in map(_mapping, errors)
        ]
    for where, found in _mapping(data["pauses"]).items():
        paused = _mapping(found)
        state.pauses[where] = _Paused(
            _number(paused["until"]),
            _seconds(paused["seconds"]),
            _text(paused["reason"]),
            _text(paused["login"]),
        )
    return state


def _mapping(value: object) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise TypeError("expected an object")
    return value


def _number(value: object) -> float:
    # bool is an int; NaN and infinities (which json reads) would make a pause endless.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("expected a finite number")
    return float(value)


def _seconds(value: object) -> float:
    seconds = _number(value)
    if seconds <= 0:
        raise ValueError("expected positive seconds")
    return seconds


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value
