"""The full-screen `/logs` browser in a real pseudo-terminal: list, detail, full, back, tree, search, quit.

prompt-toolkit redraws only what changed and skips unchanged blanks with cursor
moves, so phrases are matched with a pattern that accepts a cursor move where a
space was; each screen switch redraws the whole screen.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pexpect
import pytest

from tests.helpers.cli import run_pm, runner_env

PROMPT = "pm-runner>"
ROWS, COLUMNS = 40, 120


def phrase(text: str) -> str:
    """A regex for `text` as drawn on screen: each space may be a cursor-forward sequence instead."""
    return r"(?: |\x1b\[\d*C)".join(re.escape(word) for word in text.split(" "))


def expect(child: pexpect.spawn, pattern: str, timeout: float = 15) -> None:
    """Wait for `pattern` (a regex); on failure show everything the terminal printed."""
    try:
        child.expect(pattern, timeout=timeout)
    except (pexpect.TIMEOUT, pexpect.EOF) as exc:
        pytest.fail(f"did not see {pattern!r}: {type(exc).__name__}\n--- transcript:\n"
                    f"{child.before!r}\n--- unread:\n{child.buffer!r}")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose latest session ran three tasks (one failed) before the browser opens."""
    script = "echo alpha-one\nfalse\necho needle-word\n"
    run_pm(["repl", "--executor", "shell"], stdin=script, cwd=tmp_path, expect=1)
    return tmp_path


def test_browse_list_detail_full_tree_search_and_quit(project: Path) -> None:
    """A person opens /logs, moves, opens a detail, toggles full, goes back, views the tree, searches, quits."""
    env = runner_env({"TERM": "xterm", "LINES": str(ROWS), "COLUMNS": str(COLUMNS), "PROMPT_TOOLKIT_NO_CPR": "1"})
    child = pexpect.spawn(sys.executable, ["-m", "runner", "repl", "--executor", "shell"], cwd=str(project),
                          env=env, dimensions=(ROWS, COLUMNS), encoding="utf-8", codec_errors="replace",
                          timeout=15)
    try:
        expect(child, PROMPT)
        child.sendline("/logs")
        expect(child, phrase("Task logs (session"))
        expect(child, phrase("row 1/3"))
        expect(child, "quit")  # the key help is the last line drawn

        child.send("j")  # the cursor moves: rows 1 and 2 are redrawn, the status says row 2
        expect(child, "task-002")
        child.send("\r")  # Enter: the detail of task-002, the failed `false`
        expect(child, phrase('Prompt: "false"').replace(": ", r":(?: |\x1b\[\d*C)*"))
        expect(child, "TASK_ERROR")
        child.send("f")  # full: executor events appear
        expect(child, "EXECUTOR_START")
        expect(child, phrase("| full"))
        child.send("b")
        expect(child, phrase("Task logs (session"))
        child.send("t")
        expect(child, re.escape("[thr-003]"))
        child.send("/")
        child.send("needle-word\r")
        expect(child, phrase("/needle-word | 2 matches"))  # the thread line and the task line
        child.send("n")
        expect(child, phrase("match 2 of 2"))
        child.send("q")
        expect(child, PROMPT)
        child.sendline("/exit")
        child.expect(pexpect.EOF, timeout=15)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before


def _spawn(project: Path, *, term: str = "xterm", rows: int = ROWS, columns: int = COLUMNS) -> pexpect.spawn:
    env = runner_env({"TERM": term, "LINES": str(rows), "COLUMNS": str(columns), "PROMPT_TOOLKIT_NO_CPR": "1"})
    return pexpect.spawn(sys.executable, ["-m", "runner", "repl", "--executor", "shell"], cwd=str(project),
                         env=env, dimensions=(rows, columns), encoding="utf-8", codec_errors="replace", timeout=15)


def test_pager_keys_key_screen_and_full_mode(project: Path) -> None:
    """`/logs --full` opens in full view; ?, Escape, PgDn/End/Home and Space work like a pager's keys."""
    child = _spawn(project)
    try:
        expect(child, PROMPT)
        child.sendline("/logs --full")
        expect(child, phrase("Task logs (session"))
        expect(child, phrase("? keys"))  # the list's own legend
        child.send("?")
        expect(child, phrase("Keys of the logs browser"))
        expect(child, phrase("Esc/b back"))
        child.send("\x1b")  # Escape: back to the list (alone: prompt-toolkit waits to tell it from a sequence)
        expect(child, phrase("row 1/3"))
        time.sleep(1)
        child.send("\x1b[4~")  # End: the cursor (reverse video) on the last row
        expect(child, re.escape("\x1b[0;7m 3 task-003"))
        child.send("\x1b[1~")  # Home: back on the first row
        expect(child, re.escape("\x1b[0;7m 1 task-001"))
        child.send("\r")  # the detail opens in full view: executor events are there at once
        expect(child, "EXECUTOR_START")
        expect(child, phrase("| full"))
        child.send(" ")  # Space pages down without leaving the detail
        expect(child, phrase("Space/PgDn"))
        child.send("q")
        expect(child, PROMPT)
    finally:
        child.close(force=True)


@pytest.mark.parametrize(("term", "rows", "columns"), [("dumb", ROWS, COLUMNS), ("xterm", 8, 50)])
def test_a_terminal_that_cannot_draw_the_browser_gets_the_plain_list(project: Path, term: str, rows: int,
                                                                     columns: int) -> None:
    """TERM=dumb or a tiny window: `/logs` prints the list instead of opening the full-screen browser."""
    child = _spawn(project, term=term, rows=rows, columns=columns)
    try:
        expect(child, "pm-runner")
        child.sendline("/logs")
        expect(child, "task-003")
        expect(child, r"3 tasks")
        child.sendline("/exit")
        child.expect(pexpect.EOF, timeout=15)
    finally:
        child.close(force=True)


def test_a_tasks_output_lines_are_one_block_in_the_browser(tmp_path: Path) -> None:
    """A task that printed 300 lines shows one EXECUTOR_OUTPUT heading over its lines, not 300 headings."""
    run_pm(["repl", "--executor", "shell"], stdin="for i in $(seq 1 300); do echo out-$i; done\n", cwd=tmp_path)
    child = _spawn(tmp_path)
    try:
        expect(child, PROMPT)
        child.sendline("/logs --full")
        expect(child, phrase("row 1/1"))
        child.send("\r")  # the detail, drawn top to bottom; its status line comes last
        expect(child, phrase("detail | "))
        screen = str(child.before)
        assert re.search(phrase("EXECUTOR_OUTPUT (300 lines)"), screen), screen
        assert screen.count("EXECUTOR_OUTPUT") == 1 and "out-1" in screen  # one heading, then the lines
        child.send("q")
        expect(child, PROMPT)
    finally:
        child.close(force=True)
