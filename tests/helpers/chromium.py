"""Headless Chromium for HTML tests: `--dump-dom` (the DOM after scripts ran) and `--screenshot`.

The runner makes the test process a child subreaper when it supervises a task in-process, so
Chromium's helper processes, orphaned when the browser exits, may be handed to the test process;
each run reaps whatever new child it left, so later tests still start with no child.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.children import live_children, reap_new_children

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", "--mute-audio"]


def chromium_path() -> str:
    """The browser binary, or a skip that says how to get one (`.ci/run` installs Debian's chromium)."""
    for name in ("chromium", "chromium-headless-shell", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium on PATH: `apt-get install -y chromium` (.ci/run does this in CI)")


def run_chromium(page: Path, profile: Path, *extra: str, timeout: float = 90) -> str:
    """Load `page` in a fresh profile and return stdout (the DOM with --dump-dom)."""
    profile.mkdir(parents=True, exist_ok=True)
    argv = [chromium_path(), *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()]
    before = set(live_children())
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                              start_new_session=True)
    finally:
        reap_new_children(before)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    return proc.stdout.decode("utf-8", "replace")


def dump_dom(page: Path, profile: Path, *extra: str) -> str:
    return run_chromium(page, profile, "--dump-dom", "--virtual-time-budget=3000", *extra)


def screenshot(page: Path, profile: Path, png: Path, width: int, height: int) -> Path:
    run_chromium(page, profile, f"--window-size={width},{height}", f"--screenshot={png}",
                 "--virtual-time-budget=3000")
    assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return png
