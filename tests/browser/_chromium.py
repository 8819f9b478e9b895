"""Where the browser tests find Chromium, and why they cannot run when they cannot."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path


def find_chromium() -> str | None:
    """The Chromium binary to drive: $SMSC_CHROMIUM, Debian's, or one on PATH.

    Playwright's own browser download needs the internet, which CI machines lack: the
    tests launch a system Chromium through ``executable_path`` instead.
    """
    candidates = [
        os.environ.get("SMSC_CHROMIUM", ""),
        "/usr/bin/chromium",
        shutil.which("chromium") or "",
        shutil.which("chromium-browser") or "",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the browser tests need playwright (pip install playwright)"
    if find_chromium() is None:
        return "no Chromium binary (apt-get install chromium, or set SMSC_CHROMIUM)"
    return None
