"""The README's sessions example is real: `--continue`, `logs sessions`, a filtered list, the newest
tasks only, and a usage error (64).

Each `$ pm-runner …` line is run in one empty folder (a heredoc is its stdin); its stdout and stderr
together (`2>&1`, what a terminal shows) must read as the README shows, and each `echo $?` as the previous command's exit code.
Volatile parts (ids from the clock, times, durations, the column padding they change) are
normalised on both sides.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.helpers.cli import run_pm
from tests.integration.test_readme_plans import example

MARKER = "<!-- sessions example: replayed by tests/integration/test_readme_sessions.py -->"
_VOLATILE = [(re.compile(r"sess-\d{8}-\d{3}"), "sess-ID"), (re.compile(r"task-\d{13}"), "task-EPOCH"),
             (re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"), "TIME"), (re.compile(r"\b\d+(\.\d+)?m?s\b"), "DUR"),
             (re.compile(r"[ ─]+"), " ")]


def normalise(lines: list[str]) -> list[str]:
    text = "\n".join(line.rstrip() for line in lines)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text.splitlines()


def test_the_readme_sessions_example_is_what_the_commands_print(tmp_path: Path) -> None:
    """Every command of the block prints what the README shows and exits as its `echo $?` says."""
    steps = example(MARKER)
    assert [command for command, _, _ in steps] == [
        "pm-runner repl --executor shell", "pm-runner repl --executor shell --continue", "echo $?",
        "pm-runner logs sessions", "pm-runner logs list --status error", "pm-runner logs list --limit 2",
        "pm-runner logs list --full", "echo $?"]
    last_code = None
    for command, script, expected in steps:
        if command == "echo $?":
            assert [str(last_code)] == expected, command
            continue
        run = run_pm(shlex.split(command)[1:], stdin="\n".join(script) + "\n" if script else "", cwd=tmp_path,
                     expect=None, timeout=240, merged=True)  # minutes only under a heavily loaded machine
        last_code = run.code
        assert normalise(run.stdout.splitlines()) == normalise(expected), run.transcript()
