"""At a real terminal a plan of more than three parts waits for Enter; any other key cancels it."""

from __future__ import annotations

from pathlib import Path

import pexpect

from runner.logs.models import TaskStatus
from tests.helpers.logs_check import assert_logs_consistent
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
