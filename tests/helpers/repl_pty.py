"""The REPL in a real pseudo-terminal for tests: spawn it, and wait for what a person would see."""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import pytest

from tests.helpers.cli import runner_env


def spawn_repl(project: Path, *args: str, extra_env: dict[str, str] | None = None,
               fake_claude: bool = False, color: bool = False) -> pexpect.spawn:
    """`pm-runner repl ARGS` at a 40×120 xterm; NO_COLOR is set unless `color` asks for colour."""
    env = runner_env({"TERM": "xterm", "LINES": "40", "COLUMNS": "120", "PROMPT_TOOLKIT_NO_CPR": "1",
                      **(extra_env or {})}, fake_claude=fake_claude)
    if color:
        env.pop("NO_COLOR", None)
    return pexpect.spawn(sys.executable, ["-m", "runner", "repl", *args], cwd=str(project), env=env,
                         dimensions=(40, 120), encoding="utf-8", codec_errors="replace", timeout=30)


def expect(child: pexpect.spawn, pattern: str, timeout: float = 30) -> str:
    """Wait for `pattern` (a regex); return what came before it, or fail showing the transcript."""
    try:
        child.expect(pattern, timeout=timeout)
    except (pexpect.TIMEOUT, pexpect.EOF) as exc:
        pytest.fail(f"did not see {pattern!r}: {type(exc).__name__}\n--- transcript:\n{child.before!r}")
    return str(child.before)
