"""Input like peers, in a real pseudo-terminal: multi-line tasks, completion with descriptions after a
restart, quit words and the goodbye line, a visible pending question (`answer>`, QUESTION, /skip),
and the FILES line of the result."""

from __future__ import annotations

from pathlib import Path

import pexpect
import pytest

from tests.helpers.cli import run_pm
from tests.helpers.repl_pty import expect, spawn_repl

PROMPT = "pm-runner>"


def test_alt_enter_makes_a_multi_line_task(tmp_path: Path) -> None:
    """Esc-Enter inserts a newline; Enter then runs both lines as one task (one TASK, both files)."""
    child = spawn_repl(tmp_path, "--executor", "shell")
    expect(child, PROMPT)
    child.send("touch one.txt")
    child.send("\x1b\r")
    child.send("touch two.txt\r")
    expect(child, "RESULT: COMPLETE")
    expect(child, PROMPT)
    assert (tmp_path / "one.txt").exists() and (tmp_path / "two.txt").exists()
    child.send("/tasks\r")
    before = expect(child, r"Total: (\d+)")
    assert child.match.group(1) == "1", before
    child.terminate(force=True)


def test_completion_after_a_restart_offers_the_latest_sessions_tasks(tmp_path: Path) -> None:
    """In a new REPL (no session yet), Tab after `/logs ` lists the previous session's task ids with status."""
    run_pm(["repl", "--executor", "shell"], stdin="echo first\necho second\n", cwd=tmp_path)
    child = spawn_repl(tmp_path, "--executor", "shell")
    expect(child, PROMPT)
    child.send("/logs task-00\t")
    expect(child, "task-001")
    expect(child, "complete: echo first")  # the menu's description column
    expect(child, "task-002")
    child.send("\x03")
    expect(child, PROMPT)
    child.send("/pro\t")
    expect(child, "vider")  # completed in place: /pro + vider
    child.terminate(force=True)


@pytest.mark.parametrize("word", ["quit", ":q", "/q"])
def test_quit_words_leave_with_a_goodbye_naming_the_session(tmp_path: Path, word: str) -> None:
    """`quit`, `:q` and `/q` leave; the goodbye line names the session and how to continue it."""
    child = spawn_repl(tmp_path, "--executor", "shell")
    expect(child, PROMPT)
    child.sendline("echo hi")
    expect(child, "RESULT: COMPLETE")
    expect(child, PROMPT)
    child.sendline(word)
    expect(child, r"Goodbye\. Session (sess-\d{8}-\d{3}) saved \(1 task\); continue it with: "
                  r"pm-runner repl --continue sess-")
    child.expect(pexpect.EOF, timeout=15)


def test_ctrl_d_says_goodbye_too(tmp_path: Path) -> None:
    """Ctrl-D at the prompt prints the goodbye line and exits 0."""
    child = spawn_repl(tmp_path, "--executor", "shell")
    expect(child, PROMPT)
    child.sendeof()
    expect(child, "Goodbye")
    child.expect(pexpect.EOF, timeout=15)
    child.close()
    assert child.exitstatus == 0


def test_a_pending_question_is_visible_and_can_be_skipped(tmp_path: Path) -> None:
    """The agent's question is shown as QUESTION, the prompt reads `answer>`, and /skip returns to a task prompt."""
    child = spawn_repl(tmp_path, "--executor", "claude-code", extra_env={"FAKE_CLAUDE_SCENARIO": "question"},
                  fake_claude=True)
    expect(child, PROMPT)
    child.sendline("create a README")
    expect(child, "QUESTION: ")
    expect(child, "RESULT: INCOMPLETE")
    expect(child, "answer>")
    child.sendline("/tasks")  # another command leaves the question pending
    expect(child, "answer>")
    child.sendline("/skip")
    expect(child, "Dropped the question of task-001")
    expect(child, PROMPT)
    child.terminate(force=True)


def test_the_result_names_the_changed_files(tmp_path: Path) -> None:
    """At a terminal a FILES line lists what the task created, before the RESULT line."""
    child = spawn_repl(tmp_path, "--executor", "shell")
    expect(child, PROMPT)
    child.sendline("touch alpha.txt beta.txt")
    expect(child, r"FILES: alpha\.txt, beta\.txt")
    expect(child, "RESULT: COMPLETE")
    child.terminate(force=True)


def test_the_result_line_is_coloured_by_status_and_plain_with_no_color(tmp_path: Path) -> None:
    """At a colour terminal RESULT is green or red by real escapes (never shown as text); NO_COLOR keeps it plain."""
    child = spawn_repl(tmp_path, "--executor", "shell", color=True)
    expect(child, PROMPT)
    child.sendline("true")
    transcript = expect(child, r"TASK: task-001")
    expect(child, PROMPT)
    child.sendline("false")
    transcript += expect(child, r"TASK: task-002")
    child.terminate(force=True)
    assert "\x1b[1;32mRESULT: COMPLETE\x1b[0m" in transcript
    assert "\x1b[1;31mRESULT: ERROR\x1b[0m" in transcript
    assert "\\x1b" not in transcript  # an escape neutralised into visible text
    plain = spawn_repl(tmp_path, "--executor", "shell")
    expect(plain, PROMPT)
    plain.sendline("true")
    before = expect(plain, r"TASK: task-001")
    plain.terminate(force=True)
    assert "RESULT: COMPLETE" in before and "\x1b[1;32m" not in before


def test_ctrl_c_at_the_prompt_marks_the_abandoned_line(tmp_path: Path) -> None:
    """Ctrl-C leaves the half-typed line on the screen ending in ^C (like a shell) and runs nothing."""
    child = spawn_repl(tmp_path, "--executor", "shell")
    expect(child, PROMPT)
    child.send("echo never-run")
    expect(child, "never-run")
    child.sendintr()
    expect(child, r"never-run\^C")  # the last frame of the abandoned line
    after = expect(child, PROMPT)
    child.sendline("/exit")
    child.expect(pexpect.EOF, timeout=15)
    assert "RESULT" not in after
    assert not (tmp_path / ".claude" / "logs" / "sessions").exists()  # no task, so no session either
