"""The CLI keeps its authorisation guard between runs: five mistyped runs never earn the block.

Runs go against an emulator served on 127.0.0.1, which answers error 2 to a wrong password
and, like SMSC, blocks the IP at the 5th authorisation error within 30 minutes. The state
dir is the test's own (``SMSC_STATE_DIR``, set for every test in ``tests/conftest.py``).
"""

from __future__ import annotations

import asyncio
import functools
import json
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import Result

from smsc_async import ProcessLimiter
from smsc_async.cli import _common
from smsc_async.cli._guard import STATE_FILE, FileGuardLimiter, state_dir
from smsc_async.testing import DEFAULT_APIKEY, DEFAULT_LOGIN, DEFAULT_PASSWORD, Ban, Emulator
from tests.cli.conftest import cli, one_line_error

WRONG = "Wr0ng-Passw0rd-Typed"
WRONG_KEY = "wrong-api-key-0123456789"
ROOT = Path(__file__).parent.parent.parent


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    """``smsc-async ARGS`` in click's runner, as a new process: nothing left in its memory.

    Without the reset every run in this test process would share the SDK's process-wide
    limiter, and its guard, which a real run does not.
    """
    ProcessLimiter.default().reset()
    return cli(*args, env=env)


def state_file() -> Path:
    return state_dir() / STATE_FILE


def auth_errors(emulator: Emulator) -> list[int | None]:
    return [x.error_code for x in emulator.traffic]


def run_process(password: str = WRONG) -> subprocess.Popen[str]:
    """``python -m smsc_async tariffs`` in a process of its own (the environment's account)."""
    env = {**os.environ, "SMSC_PASSWORD": password}
    env.pop("SMSC_REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "smsc_async", "tariffs", "--retries", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    """The exit code and standard error of a run, once it ended."""
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr


def assert_paused(stderr: str, login: str = DEFAULT_LOGIN) -> None:
    """One error line saying the run was paused, naming the login and when it ends."""
    [line] = [x for x in stderr.splitlines() if x.startswith("Error:")]
    assert "paused" in line
    assert f"for {login} " in line
    assert "4 authorisation errors within 30 minutes" in line
    assert "(until " in line
    assert "Traceback" not in stderr
    assert WRONG not in stderr


# -- five runs --------------------------------------------------------------------------


def test_the_fifth_process_is_refused_before_it_sends(emulator: Emulator) -> None:
    """Five processes with a wrong password: 4 reach SMSC, the 5th is refused here, no block."""
    for _ in range(4):
        code, stderr = finished(run_process())
        assert 1 == code, stderr
        assert "SMSC error 2 (authorise error)" in stderr
    code, stderr = finished(run_process())
    assert 1 == code
    assert_paused(stderr)
    assert [2, 2, 2, 2] == auth_errors(emulator)
    assert [] == emulator.rulebook.bans


def test_the_pause_holds_for_every_later_run_and_login(emulator: Emulator) -> None:
    """After four wrong runs every later one is refused, whatever its login or password.

    SMSC blocks the IP, not the login: the error names who earned the pause.
    """
    for _ in range(4):
        one_line_error(run("tariffs", "--password", WRONG), 1)
    for _ in range(3):
        assert_paused(one_line_error(run("tariffs"), 1))
    line = one_line_error(run("tariffs", "--login", "other", "--password", WRONG), 1)
    assert "requests for other are paused" in line
    assert f"(earned by {DEFAULT_LOGIN})" in line
    assert [2, 2, 2, 2] == auth_errors(emulator)
    assert [] == emulator.rulebook.bans


def test_a_blocked_ip_is_remembered_by_the_next_run(emulator: Emulator) -> None:
    """Error 4 pauses the server for later runs too: they send nothing until it ends."""
    emulator.rulebook.bans.append(Ban("127.0.0.1", 0.0, math.inf, "blocked by the test"))
    line = one_line_error(run("tariffs"), 1)
    assert "SMSC error 4" in line
    line = one_line_error(run("tariffs"), 1)
    assert "paused" in line
    assert "SMSC blocked this IP (error 4)" in line
    assert [4] == auth_errors(emulator)


# -- the pause ends ---------------------------------------------------------------------


class WallClock:
    """A wall clock the test moves."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_run_after_the_pause_reaches_the_server_again(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 minutes (of the runs' wall clock) after the 4th error, a run is sent again."""
    clock = WallClock()
    monkeypatch.setattr(
        _common, "FileGuardLimiter", functools.partial(FileGuardLimiter, clock=clock)
    )
    for _ in range(4):
        one_line_error(run("tariffs", "--password", WRONG), 1)
        clock.now += 60
    clock.now += 1800 - 4 * 60 - 1  # one second before the first error leaves the span
    assert_paused(one_line_error(run("tariffs"), 1))
    clock.now += 1
    result = run("tariffs", "--json")
    assert 0 == result.exit_code, result.output
    assert [2, 2, 2, 2, None] == auth_errors(emulator)


async def test_the_guard_counts_across_instances_and_forgets_after_its_span(
    tmp_path: Path,
) -> None:
    """Each instance (a run) sees the others' errors, and the file forgets them after the span.

    The pause lasts from the 4th error until the oldest of the four leaves the span.
    """
    clock = WallClock(1000.0)
    path = tmp_path / "state" / STATE_FILE

    def a_run() -> FileGuardLimiter:
        return FileGuardLimiter(path, clock=clock)

    pauses = []
    for _ in range(4):
        pauses.append(await a_run().auth_failed("srv|local", "alex", limit=4, span=10.0))
        clock.now += 1
    assert [None, None, None] == pauses[:3]
    assert pauses[3] is not None
    assert (7.0, "alex") == (pauses[3].seconds, pauses[3].login)
    assert "4 authorisation errors within 10 s" == pauses[3].reason
    found = await a_run().paused("srv|local")
    assert found is not None
    assert 6.0 == found.seconds
    assert await a_run().paused("other|local") is None
    clock.now = 1010.0  # the first error leaves the span: three are left in it
    assert await a_run().paused("srv|local") is None
    clock.now = 1014.0  # all four left it
    assert await a_run().auth_failed("srv|local", "alex", limit=4, span=10.0) is None
    saved = json.loads(path.read_bytes())
    assert [1014.0] == [e["at"] for e in saved["auth_errors"]["srv|local"]]
    assert {} == saved["pauses"]


async def test_a_clock_set_back_does_not_stretch_a_pause(tmp_path: Path) -> None:
    """A pause never lasts longer than its own length, whatever the wall clock did."""
    clock = WallClock(5000.0)
    path = tmp_path / STATE_FILE
    await FileGuardLimiter(path, clock=clock).ban("srv|local", "alex", 30.0, "blocked")
    clock.now -= 3600
    found = await FileGuardLimiter(path, clock=clock).paused("srv|local")
    assert found is not None
    assert 30.0 == found.seconds


# -- two runs at once -------------------------------------------------------------------


def test_runs_at_once_lose_no_error(tmp_path: Path) -> None:
    """Eight threads, each a run of its own recording errors at once: the file keeps them all."""
    path = tmp_path / STATE_FILE
    start = threading.Barrier(8)

    def worker(number: int) -> None:
        async def record() -> None:
            limiter = FileGuardLimiter(path)
            start.wait()
            for _ in range(10):
                await limiter.auth_failed(f"srv{number}|local", "alex", limit=99, span=60.0)

        asyncio.run(record())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = json.loads(path.read_bytes())
    assert {f"srv{n}|local": 10 for n in range(8)} == {
        where: len(errors) for where, errors in saved["auth_errors"].items()
    }


def test_processes_at_once_each_count_their_error(emulator: Emulator) -> None:
    """Four wrong runs started together all count: a 5th run is refused, SMSC never blocks."""
    runs = [run_process() for _ in range(4)]
    for process in runs:
        code, stderr = finished(process)
        assert 1 == code, stderr
        assert "SMSC error 2" in stderr
    saved = json.loads(state_file().read_bytes())
    [errors] = saved["auth_errors"].values()
    assert 4 == len(errors)
    code, stderr = finished(run_process())
    assert 1 == code
    assert_paused(stderr)
    assert [2, 2, 2, 2] == auth_errors(emulator)
    assert [] == emulator.rulebook.bans


# -- a broken file, no secrets ----------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff not json {",
        b"[1, 2, 3]",
        b'{"version": 2, "auth_errors": {}, "pauses": {}}',
        b'{"version": 1, "auth_errors": {"x|local": [{"at": "soon"}]}, "pauses": {}}',
        (
            b'{"version": 1, "auth_errors": {}, "pauses": {"x|local": {"until": Infinity,'
            b' "seconds": 1800, "reason": "r", "login": "l"}}}'
        ),
    ],
    ids=["binary", "a-list", "another-version", "a-bad-entry", "a-non-finite-time"],
)
def test_a_corrupt_file_is_ignored_and_replaced(emulator: Emulator, content: bytes) -> None:
    """A file that is not the guard's counts as empty: the run is sent, the file rewritten."""
    path = state_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    line = one_line_error(run("tariffs", "--password", WRONG), 1)
    assert "SMSC error 2" in line
    saved = json.loads(path.read_bytes())
    [errors] = saved["auth_errors"].values()
    assert [DEFAULT_LOGIN] == [e["login"] for e in errors]
    assert [2] == auth_errors(emulator)


def test_an_unusable_state_file_leaves_the_guard_to_the_run(emulator: Emulator) -> None:
    """A state path that cannot be written: the run still works, with one warning line."""
    state_file().mkdir(parents=True)  # a directory where the file should be
    result = run("tariffs", "--password", WRONG)
    line = one_line_error(result, 1)
    assert "SMSC error 2" in line
    assert "cannot keep the authorisation guard" in result.stderr
    assert [2] == auth_errors(emulator)


def test_the_file_holds_no_password_or_api_key(emulator: Emulator) -> None:
    """Logins are written, secrets never: not the wrong ones, not the right ones."""
    for _ in range(2):
        one_line_error(run("tariffs", "--password", WRONG), 1)
    env: dict[str, str | None] = {"SMSC_LOGIN": None, "SMSC_PASSWORD": None}
    for _ in range(2):
        one_line_error(run("tariffs", env={**env, "SMSC_APIKEY": WRONG_KEY}), 1)
    assert_paused(one_line_error(run("tariffs"), 1), login=DEFAULT_LOGIN)
    raw = state_file().read_bytes()
    for secret in (WRONG, WRONG_KEY, DEFAULT_PASSWORD, DEFAULT_APIKEY):
        assert secret.encode() not in raw
    saved = json.loads(raw)
    [errors] = saved["auth_errors"].values()
    assert [DEFAULT_LOGIN, DEFAULT_LOGIN, "apikey:***", "apikey:***"] == [
        e["login"] for e in errors
    ]


def test_the_state_dir_follows_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """SMSC_STATE_DIR moves the state; unset (or empty), it is the user's cache dir."""
    assert Path("/srv/smsc") == state_dir({"SMSC_STATE_DIR": "/srv/smsc"})
    cache = state_dir({"SMSC_STATE_DIR": ""})
    assert "smsc-async" == cache.name
    assert cache == state_dir({})
    assert Path(os.environ["SMSC_STATE_DIR"]) == state_dir()
