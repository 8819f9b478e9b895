"""``mypy --strict`` reports every deliberate typo of ``tests/typing/typos.py``, and only those."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

TYPOS = Path(__file__).parent / "typing" / "typos.py"
_MARK = re.compile(r"#\s*E:\s*([a-z-]+)")
_REPORTED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


def _marked() -> dict[int, str]:
    """Line number -> the error code its ``# E:`` comment expects."""
    lines = TYPOS.read_text(encoding="utf-8").splitlines()
    return {n: m[1] for n, line in enumerate(lines, 1) if (m := _MARK.search(line))}


@pytest.mark.skipif(
    subprocess.run(
        [sys.executable, "-m", "mypy", "--version"], capture_output=True, check=False
    ).returncode
    != 0,
    reason="mypy is not installed (pip install 'smsc_async[typecheck]')",
)
def test_mypy_reports_each_typo_and_nothing_else(tmp_path: Path) -> None:
    """Every marked line is an error with its code; no other line is."""
    marked = _marked()
    assert len(marked) >= 8
    done = subprocess.run(  # noqa: S603 - this interpreter, this repository's file
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            f"--cache-dir={tmp_path}",
            "--show-error-codes",
            "--no-error-summary",
            "--hide-error-context",
            "--no-pretty",
            str(TYPOS),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=TYPOS.parent.parent.parent,
    )
    reported: dict[int, set[str]] = {}
    for line in done.stdout.splitlines():
        if (m := _REPORTED.match(line)) is not None and Path(m["path"]).name == TYPOS.name:
            reported.setdefault(int(m["line"]), set()).add(m["code"])
    expected = {n: {code} for n, code in marked.items()}
    assert expected == reported, done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr  # errors found, mypy ran whole
