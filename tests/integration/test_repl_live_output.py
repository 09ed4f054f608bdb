"""The interactive REPL shows the work in a real pseudo-terminal: output live, tool lines for an agent,
long output folded, `--quiet`, and keys typed during a task kept at the prompt instead of run."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pexpect

from runner.repl.live_output import FOLD_TAIL, LIVE_LINES
from tests.helpers.cli import runner_env
from tests.helpers.repl_pty import expect, spawn_repl

PROMPT = "pm-runner>"


def test_shell_output_streams_live_and_long_output_folds(tmp_path: Path) -> None:
    """Output lines appear while the task runs; past LIVE_LINES they fold to the last lines and a pointer."""
    child = spawn_repl(tmp_path, "--executor", "shell")
    expect(child, PROMPT)
    child.sendline("echo first-line; sleep 4; echo after-sleep")
    started = time.monotonic()
    expect(child, r"\| first-line")
    assert time.monotonic() - started < 3.5, "the first line waited for the task to end"
    expect(child, "RESULT: COMPLETE")
    expect(child, PROMPT)
    total = LIVE_LINES + 20
    child.sendline(f"for i in $(seq 1 {total}); do echo row$i; done")
    before = expect(child, "RESULT: COMPLETE")
    assert f"row{LIVE_LINES}\r\n" in before and f"row{LIVE_LINES + 1}\r\n" not in before
    assert f"{total - LIVE_LINES - FOLD_TAIL} more lines folded (all of them: /logs task-002 --full)" in before
    assert all(f"row{n}\r\n" in before for n in range(total - FOLD_TAIL + 1, total + 1))
    child.terminate(force=True)


def test_quiet_shows_only_the_result(tmp_path: Path) -> None:
    """`--quiet` keeps the output in the log and off the screen."""
    child = spawn_repl(tmp_path, "--executor", "shell", "--quiet")
    expect(child, PROMPT)
    child.sendline("echo hidden-output-line")
    before = expect(child, "RESULT: COMPLETE")
    assert "| hidden-output-line" not in before
    child.terminate(force=True)


def test_an_agent_shows_its_text_and_one_line_per_tool(tmp_path: Path) -> None:
    """The fake Claude's assistant text and a `● Write …` line show live; protocol records do not."""
    child = spawn_repl(tmp_path, "--executor", "claude-code", fake_claude=True)
    expect(child, PROMPT)
    child.sendline("write notes.md with a summary")
    before = expect(child, "RESULT: COMPLETE")
    assert "I'll create notes.md" in before and "● Write " in before and "notes.md" in before
    assert "session started" not in before and '"type"' not in before
    child.terminate(force=True)


def test_keys_typed_during_a_task_wait_at_the_prompt(tmp_path: Path) -> None:
    """A line typed while a task runs is not run: it waits at the next prompt until Enter."""
    child = spawn_repl(tmp_path, "--executor", "shell")
    expect(child, PROMPT)
    child.sendline("sleep 2")
    time.sleep(0.7)
    child.sendline("touch typed-early.txt")
    expect(child, "RESULT: COMPLETE")
    expect(child, "not run: kept at the prompt")
    expect(child, PROMPT + " touch typed-early.txt")
    time.sleep(1.0)
    assert not (tmp_path / "typed-early.txt").exists()
    child.send("\r")
    expect(child, "TASK: task-002")
    assert (tmp_path / "typed-early.txt").exists()
    child.terminate(force=True)


def test_dumb_terminal_gets_no_spinner_escapes(tmp_path: Path) -> None:
    """TERM=dumb: no line-erasing escapes while a task runs."""
    env = runner_env({"TERM": "dumb", "COLUMNS": "80"})
    child = pexpect.spawn(sys.executable, ["-m", "runner", "repl", "--executor", "shell"], cwd=str(tmp_path),
                          env=env, dimensions=(24, 80), encoding="utf-8", codec_errors="replace", timeout=30)
    expect(child, "pm-runner")
    child.sendline("sleep 1; echo x")
    before = expect(child, "RESULT: COMPLETE")
    assert "\x1b[2K" not in before
    child.terminate(force=True)
