"""Chunked requests end to end: a piped `pm-runner repl` with the shell and with a fake `claude` on PATH."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runner.logs.models import ErrorCode, EventType, TaskLog, TaskStatus
from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent

SHELL_ALWAYS = ["repl", "--executor", "shell", "--plan", "always"]
FAILING = "1. echo one > a.txt 2. cat missing.txt > b.txt 3. cp b.txt c.txt"
PLANNED = [EventType.USER_INPUT, EventType.PLANNING_START, EventType.SIZE_ESTIMATION, EventType.CHUNKING_DECISION,
           EventType.DEPENDENCY_ANALYSIS, EventType.EXECUTION_PLAN, EventType.PLANNING_END,
           EventType.CHUNKING_START, EventType.CHUNKING_ANALYSIS] + [EventType.SUBTASK_CREATED] * 3
PART_TWO_FAILS = [EventType.SUBTASK_START, EventType.SUBTASK_COMPLETE, EventType.SUBTASK_START,
                  EventType.SUBTASK_FAILED, EventType.SUBTASK_FAILED, EventType.CHUNKING_AGGREGATION,
                  EventType.CHUNKING_COMPLETE]


def by_id(project: Path) -> dict[str, TaskLog]:
    return {log.task_id: log for log in assert_logs_consistent(project)}


def types(log: TaskLog) -> list[EventType]:
    return [event.event_type for event in log.events]


def test_shell_part_two_errors(tmp_path: Path) -> None:
    """Part 2 exits 1, part 3 (copying its b.txt) is skipped: the parent is ERROR, the run exits 1, the tree nests."""
    run = run_pm(SHELL_ALWAYS, stdin=f"{FAILING}\n/logs --tree\n/tasks\n", cwd=tmp_path, expect=1)
    assert "\n".join(["PLAN: 3 subtasks from the inline numbered list (size L)", "  1. echo one > a.txt",
                      "  2. cat missing.txt > b.txt", "  3. cp b.txt c.txt  (after 2)"]) in run.stdout
    assert "\n".join([
        "RESULT: ERROR", "TASK: task-001", "SUBTASKS: 1 of 3 complete (1 complete, 1 error, 1 skipped)",
        "  1. task-002 COMPLETE  echo one > a.txt  files: a.txt",
        "  2. task-003 ERROR     cat missing.txt > b.txt  files: b.txt",
        "  3. task-004 SKIPPED   cp b.txt c.txt  (not run: it depends on part 2 (task-003, error), which did not "
        "complete)",
        "NEXT: /retry task-001 runs the subtasks that did not complete again, or /logs task-001"]) in run.stdout
    tree = [line.split('"')[0].rstrip() for line in run.lines if "─ task-00" in line]
    assert tree == ["      └─ task-001 ERROR USER_INPUT → TASK_ERROR",
                    "         ├─ task-002 COMPLETE USER_INPUT → TASK_COMPLETE",
                    "         ├─ task-003 ERROR USER_INPUT → TASK_ERROR",
                    "         └─ task-004 INCOMPLETE USER_INPUT → TASK_INCOMPLETE"]
    tasks = run.stdout.split("> /tasks\n", 1)[1].splitlines()
    assert tasks[0] == "Failed:" and re.sub(r"task-\d{13}", "EPOCH", tasks[1])[:36] == "  EPOCH [log: task-001] ERROR  files"
    expected = ["    1. EPOCH [log: task-002] COMPLETE  files: 1", "    2. EPOCH [log: task-003] ERROR  files: 1  Executor",
                "    3. EPOCH [log: task-004] INCOMPLETE  files: 0  not run: it depends on part 2"]
    for line, start in zip(tasks[2:5], expected, strict=True):
        assert re.sub(r"task-\d{13}", "EPOCH", line).startswith(start), line
    logs = by_id(tmp_path)
    assert types(logs["task-001"]) == [*PLANNED, *PART_TWO_FAILS, EventType.TASK_ERROR]
    assert [(logs[t].parent_task_id, logs[t].subtask_index, logs[t].status) for t in ("task-002", "task-003",
                                                                                      "task-004")] == [
        ("task-001", 1, TaskStatus.COMPLETE), ("task-001", 2, TaskStatus.ERROR), ("task-001", 3, TaskStatus.INCOMPLETE)]
    assert logs["task-004"].error_code is ErrorCode.SKIPPED


def test_shell_part_two_incomplete(tmp_path: Path) -> None:
    """Part 2 changes no file under --require-evidence always: INCOMPLETE; part 3 skipped; parent INCOMPLETE, exit 2."""
    run = run_pm([*SHELL_ALWAYS, "--require-evidence", "always"],
                 stdin="1. echo one > a.txt 2. touch -c b.txt 3. cp b.txt c.txt\n", cwd=tmp_path, expect=2)
    assert "RESULT: INCOMPLETE\nTASK: task-001\nSUBTASKS: 1 of 3 complete (1 complete, 1 incomplete, 1 skipped)" \
        in run.stdout
    logs = by_id(tmp_path)
    assert [logs[t].status for t in ("task-001", "task-002", "task-003", "task-004")] == [
        TaskStatus.INCOMPLETE, TaskStatus.COMPLETE, TaskStatus.INCOMPLETE, TaskStatus.INCOMPLETE]
    assert types(logs["task-001"]) == [*PLANNED, *PART_TWO_FAILS, EventType.TASK_INCOMPLETE]


def test_claude_plan_with_the_default_executor(tmp_path: Path) -> None:
    """With `claude` on PATH, --plan auto splits the list; part 2 claims a file it never wrote; the tree nests."""
    project = tmp_path / "p"
    project.mkdir()
    calls_log = tmp_path / "calls.jsonl"
    env = runner_env({"FAKE_CLAUDE_CALLS": str(calls_log), "FAKE_CLAUDE_NEW_SESSIONS": "1"}, fake_claude=True)
    run = run_pm(["repl"], stdin="1. write a.txt 2. claim b.txt 3. write c.txt next to b.txt\n", cwd=project,
                 env=env, expect=2)
    assert "TASK: task-003 (part 2 of task-001)" in run.stdout
    assert "  3. task-004 SKIPPED     write c.txt next to b.txt  (not run: it depends on part 2" in run.stdout
    logs = by_id(project)
    assert types(logs["task-001"]) == [*PLANNED, *PART_TWO_FAILS, EventType.TASK_INCOMPLETE]
    assert logs["task-003"].error_code is ErrorCode.EVIDENCE_MISSING
    calls = [json.loads(line)["argv"] for line in calls_log.read_text().splitlines()]
    assert [argv[-1].splitlines()[0] for argv in calls if argv[-1].startswith(("write", "claim"))] == [
        "write a.txt", "claim b.txt"]  # part 3 never reached the agent; the other calls are the review loop's
    assert all(argv[argv.index("--resume") + 1] == logs["task-002"].resume_token for argv in calls[1:])
    tree = run_pm(["logs", "tree", "--json"], cwd=project, env=env)
    (thread,) = json.loads(tree.stdout)["threads"]
    (parent,) = thread["runs"][0]["tasks"]
    assert parent["task_id"] == "task-001"
    assert [(t["task_id"], t["subtask_index"], t["status"]) for t in parent["subtasks"]] == [
        ("task-002", 1, "complete"), ("task-003", 2, "incomplete"), ("task-004", 3, "incomplete")]


def test_plan_preview_runs_and_logs_nothing(tmp_path: Path) -> None:
    """`/plan TEXT` shows the size, decision, parts and dependencies, and what would happen; no task is logged."""
    run = run_pm(["repl", "--executor", "shell"], stdin=f"/plan {FAILING}\n/plan always\n/plan {FAILING}\n",
                 cwd=tmp_path)
    assert "\n".join([
        f"Plan for: {FAILING}",
        "Size: L (items 3, files 4, symbols 0, length 64; set by files)",
        "Decision: split into 3 subtasks, one per item of the inline numbered list (size L)",
        "  1. echo one > a.txt", "  2. cat missing.txt > b.txt",
        "  3. cp b.txt c.txt  (after 2: names b.txt, which item 2 also names)",
        "Order: 1, 2, 3, one at a time; could run in parallel: [1, 2] then [3]",
        "Here: runs as one task: requests to shell run whole (--plan auto plans for agent executors; /plan always "
        "splits them)",
        "Nothing was run or logged."]) in run.stdout
    assert "Here: runs as 3 subtasks, in order (--plan always)" in run.stdout
    sessions = tmp_path / ".claude" / "logs" / "sessions"
    assert not sessions.exists() or not list(sessions.glob("*/tasks/*.json"))


def test_retry_of_the_parent_in_a_script(tmp_path: Path) -> None:
    """After fixing what part 2 needed, `/retry task-001` re-runs parts 2 and 3 only; the thread ends COMPLETE."""
    stdin = f"{FAILING}\necho here > missing.txt\n/retry task-001\n/tasks\n"
    run = run_pm(SHELL_ALWAYS, stdin=stdin, cwd=tmp_path, expect=0)
    assert "Retry of task-001 succeeded as task-006" in run.stdout
    assert "  1. task-002 COMPLETE  echo one > a.txt  files: a.txt  (done in an earlier run)" in run.stdout
    logs = by_id(tmp_path)
    retry = logs["task-006"]
    assert retry.parent_task_id == "task-001" and retry.run_id == "run-003"
    assert [(logs[t].subtask_index, logs[t].parent_task_id) for t in ("task-007", "task-008")] == [
        (2, "task-006"), (3, "task-006")]
    assert [e.content["retry_of"] for e in retry.events if e.event_type is EventType.SUBTASK_RETRY] == [
        "task-003", "task-004"]
    assert (tmp_path / "c.txt").read_text() == "here\n"


def _wait_for(predicate, what: str, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def _running_pid(project: Path, task_id: str) -> int | None:
    """The pid of the executor child of a running task, from its EXECUTOR_START event (journal)."""
    tasks = next((project / ".claude" / "logs" / "sessions").glob("*/tasks"), None)
    journal = tasks / f"{task_id}.events.jsonl" if tasks else None
    if journal is None or not journal.exists():
        return None
    for line in journal.read_text().splitlines():
        event = json.loads(line)
        if event["event_type"] == "EXECUTOR_START":
            return int(event["content"]["pid"])
    return None


def test_kill_9_mid_plan_then_recovery_and_retry(tmp_path: Path) -> None:
    """kill -9 while part 2 runs: part 1 stays complete; the parent, part 2 and part 3 are recovered as errors
    with the plan intact; `/retry` of the parent in the continued session runs parts 2 and 3 only."""
    request = "1. echo one > a.txt 2. until [ -f go ]; do sleep 0.1; done; echo two > b.txt 3. echo three > c.txt"
    proc = subprocess.Popen([sys.executable, "-m", "runner", *SHELL_ALWAYS], cwd=tmp_path, env=runner_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None
    proc.stdin.write(f"{request}\n".encode())
    proc.stdin.flush()
    try:
        _wait_for(lambda: _running_pid(tmp_path, "task-003") is not None, "part 2 to start")
        child = _running_pid(tmp_path, "task-003")
        proc.kill()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert child is not None
    os.killpg(child, signal.SIGKILL)  # the part's own process group outlives the runner

    session = next((tmp_path / ".claude" / "logs" / "sessions").iterdir()).name
    (tmp_path / "go").write_text("")
    run = run_pm(SHELL_ALWAYS, stdin=f"/continue {session}\n/retry task-001\n", cwd=tmp_path, expect=0)
    assert "recovered 3 task(s)" in run.stderr
    logs = by_id(tmp_path)
    assert logs["task-002"].status is TaskStatus.COMPLETE
    for task_id in ("task-001", "task-003", "task-004"):
        assert (logs[task_id].status, logs[task_id].error_code) == (TaskStatus.ERROR, ErrorCode.RUNNER_CRASHED)
        assert types(logs[task_id])[-2:] == [EventType.RECOVERY_COMPLETE, EventType.TASK_ERROR]
    plan = next(e.content for e in logs["task-001"].events if e.event_type is EventType.EXECUTION_PLAN)
    assert [item["number"] for item in plan["items"]] == [1, 2, 3]
    assert types(logs["task-001"]).count(EventType.SUBTASK_CREATED) == 3
    retry = logs["task-005"]
    assert retry.status is TaskStatus.COMPLETE and retry.parent_task_id == "task-001"
    assert [(logs[t].subtask_index, logs[t].status) for t in ("task-006", "task-007")] == [
        (2, TaskStatus.COMPLETE), (3, TaskStatus.COMPLETE)]
    assert "task-008" not in logs
