"""At a real terminal: a plan of more than three parts waits for Enter (any other key cancels it), and the
`/logs` browser moves from a chunked task through its parts."""

from __future__ import annotations

from pathlib import Path

import pexpect

from runner.logs.models import TaskStatus
from tests.helpers.cli import run_pm
from tests.helpers.logs_check import assert_logs_consistent
from tests.integration.test_browser_pty import phrase
from tests.integration.test_repl_pty import PROMPT, expect, spawn_repl

FOUR_PARTS = "1. echo a > a.txt 2. echo b > b.txt 3. echo c > c.txt 4. echo d > d.txt"
ASK = "Press Enter to run this plan, any other key to cancel:"


def test_enter_runs_a_big_plan_and_any_other_key_cancels(tmp_path: Path) -> None:
    """`x` cancels a four-part plan (nothing logged), Enter runs it, and a two-part plan runs without asking."""
    child = spawn_repl(tmp_path, "--plan", "always")
    try:
        expect(child, PROMPT)
        child.sendline(FOUR_PARTS)
        expect(child, "PLAN: 4 subtasks")
        expect(child, ASK)
        child.send("x")
        expect(child, "Plan not run: nothing was started or logged")
        expect(child, PROMPT)
        assert not (tmp_path / "a.txt").exists()

        child.sendline(FOUR_PARTS)
        expect(child, ASK)
        child.send("\r")
        expect(child, "SUBTASKS: 4 of 4 complete")
        expect(child, PROMPT)

        child.sendline("1. echo e > e.txt 2. echo f > f.txt")
        expect(child, "PLAN: 2 subtasks")
        expect(child, "SUBTASKS: 2 of 2 complete")
        assert ASK not in (child.before or "")
        expect(child, PROMPT)
        child.sendline("/exit")
        child.expect(pexpect.EOF, timeout=10)
    finally:
        if child.isalive():
            child.terminate(force=True)
    logs = sorted(assert_logs_consistent(tmp_path), key=lambda log: log.task_id)
    assert [(log.task_id, log.subtask_index) for log in logs] == [
        ("task-001", None), ("task-002", 1), ("task-003", 2), ("task-004", 3), ("task-005", 4),
        ("task-006", None), ("task-007", 1), ("task-008", 2)]
    assert {log.status for log in logs} == {TaskStatus.COMPLETE}
    assert all((tmp_path / f"{name}.txt").exists() for name in "abcdef")


def test_the_browser_opens_a_parent_and_moves_through_its_subtasks(tmp_path: Path) -> None:
    """In `/logs`, Enter opens the chunked task, `]` walks its parts' details, `[` steps back and `u` goes up."""
    run_pm(["repl", "--executor", "shell", "--plan", "always"],
           stdin="1. echo one > a.txt 2. cat missing.txt > b.txt 3. cp b.txt c.txt\n", cwd=tmp_path, expect=1)
    child = spawn_repl(tmp_path)
    try:
        expect(child, PROMPT)
        child.sendline("/logs")
        expect(child, phrase("row 1/4"))
        expect(child, "quit")
        child.send("\r")  # the parent's detail lists its parts
        expect(child, "Subtasks:")
        child.send("]")
        expect(child, phrase("part 1 of task-001"))  # the detail's Thread row
        expect(child, phrase('"echo one > a.txt"'))
        expect(child, phrase("task-002: part 1 of 3 of task-001"))  # the status line is drawn last
        child.send("]")
        expect(child, "TASK_ERROR")
        expect(child, phrase("task-003: part 2 of 3 of task-001"))
        child.send("]")
        expect(child, "SKIPPED")
        expect(child, phrase("task-004: part 3 of 3 of task-001"))
        child.send("]")
        expect(child, phrase("t subtask of task-001"))  # "last ...": letters already on screen are skipped
        child.send("[")
        expect(child, phrase("task-003: part 2 of 3 of task-001"))
        child.send("u")
        expect(child, phrase("task-001: the chunked task"))
        child.send("q")
        expect(child, PROMPT)
        child.sendline("/exit")
        child.expect(pexpect.EOF, timeout=10)
    finally:
        if child.isalive():
            child.terminate(force=True)
