"""Chunked requests through the core, in process, with real executors (the shell, a fake `claude` on PATH)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.errors import ExitStatus, RunnerError
from runner.logs.models import ErrorCode, EventType, PlanMode, TaskStatus, Visibility
from tests.helpers.cli import FAKE_BIN
from tests.helpers.harness import Harness, core_with
from tests.helpers.logs_check import assert_logs_consistent

SHELL_REQUEST = "1. echo one > a.txt 2. cat missing.txt > b.txt 3. cp b.txt c.txt 4. echo four > d.txt"
CLAUDE_REQUEST = "1. write a.txt 2. claim b.txt 3. write c.txt next to b.txt 4. write d.txt"
PARENT_EVENTS = [
    EventType.USER_INPUT, EventType.PLANNING_START, EventType.SIZE_ESTIMATION, EventType.CHUNKING_DECISION,
    EventType.DEPENDENCY_ANALYSIS, EventType.EXECUTION_PLAN, EventType.PLANNING_END, EventType.CHUNKING_START,
    EventType.CHUNKING_ANALYSIS, EventType.SUBTASK_CREATED, EventType.SUBTASK_CREATED, EventType.SUBTASK_CREATED,
    EventType.SUBTASK_CREATED,
    EventType.SUBTASK_START, EventType.SUBTASK_COMPLETE,  # 1
    EventType.SUBTASK_START, EventType.SUBTASK_FAILED,  # 2 fails
    EventType.SUBTASK_FAILED,  # 3 skipped: it names b.txt, which 2 made
    EventType.SUBTASK_START, EventType.SUBTASK_COMPLETE,  # 4
    EventType.CHUNKING_AGGREGATION, EventType.CHUNKING_COMPLETE,
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project folder, apart from the fake agent's own files."""
    folder = tmp_path / "p"
    folder.mkdir()
    return folder


@pytest.fixture
def claude_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The fake `claude` first on PATH, a session of its own per new call, and a log of every call."""
    monkeypatch.setenv("PATH", f"{FAKE_BIN}:{__import__('os').environ['PATH']}")
    monkeypatch.setenv("FAKE_CLAUDE_NEW_SESSIONS", "1")
    calls = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_CLAUDE_CALLS", str(calls))
    return calls


def _parts(h: Harness, parent_id: str) -> list[str]:
    return [e.task_id for e in h.manager.entries() if e.parent_task_id == parent_id and e.subtask_index]


def test_shell_plan_where_part_two_fails(tmp_path: Path) -> None:
    """Under --plan always the shell splits a 4-part request: part 2 errors, 3 (naming its file) is skipped, 4 runs."""
    with core_with(tmp_path, executor="shell", plan=PlanMode.ALWAYS) as h:
        parent = h.line(SHELL_REQUEST)
        assert [e.event_type for e in parent.events] == [*PARENT_EVENTS, EventType.TASK_ERROR]
        assert parent.status is TaskStatus.ERROR and parent.error_code is ErrorCode.PLAN_INCOMPLETE
        assert parent.error_reason == ("2 of 4 subtasks did not complete: part 2 (task-003) error "
                                       "(EXECUTOR_FAILED); part 3 (task-004) skipped")
        children = [h.task(t) for t in _parts(h, parent.task_id)]
        assert [c.task_id for c in children] == ["task-002", "task-003", "task-004", "task-005"]
        assert [c.subtask_index for c in children] == [1, 2, 3, 4]
        assert {(c.thread_id, c.run_id) for c in children} == {(parent.thread_id, parent.run_id)}
        assert [c.status for c in children] == [TaskStatus.COMPLETE, TaskStatus.ERROR, TaskStatus.INCOMPLETE,
                                                TaskStatus.COMPLETE]
        skipped = children[2]
        assert skipped.error_code is ErrorCode.SKIPPED and skipped.executor is None
        assert skipped.error_reason == "not run: it depends on part 2 (task-003, error), which did not complete"
        assert [c.prompt_summary for c in children] == ["echo one > a.txt", "cat missing.txt > b.txt",
                                                        "cp b.txt c.txt", "echo four > d.txt"]
        assert h.executor is not None and [t.prompt for t in h.executor.tasks] == [
            "echo one > a.txt", "cat missing.txt > b.txt", "echo four > d.txt"]
        assert not (tmp_path / "c.txt").exists() and (tmp_path / "d.txt").exists()
        # The parent is the thread's last task: its ERROR decides the exit code.
        assert h.exit_status() is ExitStatus.ERROR
        assert h.ui.of_kind("finished") == ["task-002", "task-003", "task-004", "task-005", "task-001"]
    assert_logs_consistent(tmp_path)


def test_claude_plan_part_two_incomplete_parent_incomplete(project: Path, claude_on_path: Path) -> None:
    """With claude, part 2 claims a file it never wrote: incomplete; 3 is skipped; the parent is INCOMPLETE (exit 2)."""
    with core_with(project, executor="claude-code") as h:
        parent = h.line(CLAUDE_REQUEST)
        assert parent.status is TaskStatus.INCOMPLETE and parent.error_code is ErrorCode.PLAN_INCOMPLETE
        statuses = [(h.task(t).status, h.task(t).error_code) for t in _parts(h, parent.task_id)]
        assert statuses == [(TaskStatus.COMPLETE, None), (TaskStatus.INCOMPLETE, ErrorCode.EVIDENCE_MISSING),
                            (TaskStatus.INCOMPLETE, ErrorCode.SKIPPED), (TaskStatus.COMPLETE, None)]
        assert h.exit_status() is ExitStatus.INCOMPLETE
        aggregate = next(e for e in parent.events if e.event_type is EventType.CHUNKING_AGGREGATION).content
        assert [(p["number"], p["status"]) for p in aggregate["subtasks"]] == [
            (1, "complete"), (2, "incomplete"), (3, "skipped"), (4, "complete")]
        assert [p["files"] for p in aggregate["subtasks"] if p["number"] != 2] == [["a.txt"], [], ["d.txt"]]
        # Each part that ran went through the review loop on its own; part 2 was sent back and still failed.
        part_two = [e.event_type for e in h.task("task-003").events]
        assert part_two.count(EventType.REVIEW_ITERATION_START) > 1 and EventType.REVIEW_LOOP_END in part_two
        assert EventType.REVIEW_LOOP_START not in [e.event_type for e in h.task("task-004").events]  # skipped


def test_each_part_resumes_the_previous_agent_session(project: Path, claude_on_path: Path) -> None:
    """Part 1 starts a session; every later call (parts 2 and 4, and the review loop's) resumes that session."""
    with core_with(project, executor="claude-code") as h:
        h.line(CLAUDE_REQUEST)
        calls = [json.loads(line)["argv"] for line in claude_on_path.read_text().splitlines()]
        part_starts = [argv[-1].splitlines()[0] for argv in calls if argv[-1].startswith(("write", "claim"))]
        assert part_starts == ["write a.txt", "claim b.txt", "write d.txt"]  # part 3 was skipped
        assert "--resume" not in calls[0]
        first_session = h.task("task-002").resume_token
        assert first_session and all(argv[argv.index("--resume") + 1] == first_session for argv in calls[1:])
        starts = [e.content for e in h.task("task-001").events if e.event_type is EventType.SUBTASK_START]
        assert [s["resumes_session"] for s in starts] == [False, True, True]


def test_an_agent_part_prompt_carries_the_whole_request(project: Path, claude_on_path: Path) -> None:
    """An agent is told its one part first, that the other parts run separately, and the whole request."""
    with core_with(project, executor="claude-code") as h:
        h.line(CLAUDE_REQUEST)
        assert h.executor is not None
        (prompt,) = [t.prompt for t in h.executor.tasks if t.prompt.startswith("write d.txt")]  # part 4
        assert prompt.splitlines()[0] == "write d.txt"
        assert "This is part 4 of 4 of the request below" in prompt
        assert "Parts before this one: 1 complete, 2 incomplete, 3 skipped." in prompt
        assert prompt.endswith("The whole request:\n" + CLAUDE_REQUEST)


def test_auto_plans_for_agents_only(tmp_path: Path, project: Path, claude_on_path: Path) -> None:
    """`--plan auto` leaves the shell's line whole (no planning events) and splits the same list for claude."""
    with core_with(tmp_path, executor="shell") as h:
        log = h.line("1. echo a > a.txt 2. echo b > b.txt")
        assert [e.event_type for e in log.events][:2] == [EventType.USER_INPUT, EventType.EXECUTOR_START]
        assert len(h.manager.entries()) == 1
    with core_with(project, executor="claude-code") as h:
        parent = h.line("1. write a.txt 2. write b.txt")
        assert parent.status is TaskStatus.COMPLETE and len(h.manager.entries()) == 3


def test_an_unsplit_request_records_its_planning_as_detail(project: Path, claude_on_path: Path) -> None:
    """A request the planner leaves whole still records why, at `full` visibility, and runs as one task."""
    with core_with(project, executor="claude-code") as h:
        log = h.line("write notes.md")
        types = [e.event_type for e in log.events]
        assert types[:5] == [EventType.USER_INPUT, EventType.PLANNING_START, EventType.SIZE_ESTIMATION,
                             EventType.CHUNKING_DECISION, EventType.PLANNING_END]
        assert all(e.visibility is Visibility.FULL for e in log.events[1:5])
        decision = log.events[3].content
        assert decision["chunk"] is False and decision["reason"].startswith("not split: no numbered")
        assert log.status is TaskStatus.COMPLETE and len(h.manager.entries()) == 1


def test_plan_off_and_max_subtasks(project: Path, claude_on_path: Path) -> None:
    """`--plan off` never plans; `--max-subtasks 2` leaves a three-part request whole and says why."""
    with core_with(project, executor="claude-code", plan=PlanMode.OFF) as h:
        log = h.line("1. write a.txt 2. write b.txt")
        assert EventType.PLANNING_START not in [e.event_type for e in log.events]
    with core_with(project, executor="claude-code", max_subtasks=2) as h:
        log = h.line("1. write a.txt 2. write b.txt 3. write c.txt")
        decision = next(e.content for e in log.events if e.event_type is EventType.CHUNKING_DECISION)
        assert "more than --max-subtasks 2" in decision["reason"] and len(h.manager.entries()) == 1


def test_a_declined_plan_runs_and_logs_nothing(tmp_path: Path) -> None:
    """When the person declines the plan nothing is created, and the outcome says so."""
    with core_with(tmp_path, executor="shell", plan=PlanMode.ALWAYS) as h:
        h.ui.run_plans = False
        outcome = h.core.handle_line(SHELL_REQUEST)
        assert outcome.tasks == [] and "Plan not run" in outcome.notices[0].message
        assert h.manager.entries() == [] and h.exit_status() is ExitStatus.SUCCESS


def test_retry_of_the_parent_reruns_only_what_did_not_complete(tmp_path: Path) -> None:
    """`/retry` (no id: the last failure is a part) re-runs parts 2 and 3 under a new parent in a new run."""
    with core_with(tmp_path, executor="shell", plan=PlanMode.ALWAYS) as h:
        h.line(SHELL_REQUEST)
        (tmp_path / "missing.txt").write_text("now here\n")
        retry = h.retry()
        assert retry.task_id == "task-006" and retry.parent_task_id == "task-001"
        assert retry.status is TaskStatus.COMPLETE and retry.run_id != h.task("task-001").run_id
        new_parts = [h.task(t) for t in _parts(h, retry.task_id)]
        assert [(p.task_id, p.subtask_index, p.status) for p in new_parts] == [
            ("task-007", 2, TaskStatus.COMPLETE), ("task-008", 3, TaskStatus.COMPLETE)]
        types = [e.event_type for e in retry.events]
        assert types[:2] == [EventType.USER_INPUT, EventType.RETRY_START]
        retries = [e.content for e in retry.events if e.event_type is EventType.SUBTASK_RETRY]
        assert retries == [{"subtask_id": "task-007", "number": 2, "retry_of": "task-003"},
                           {"subtask_id": "task-008", "number": 3, "retry_of": "task-004"}]
        aggregate = next(e.content for e in retry.events if e.event_type is EventType.CHUNKING_AGGREGATION)
        assert [(p["subtask_id"], p.get("carried_over", False)) for p in aggregate["subtasks"]] == [
            ("task-002", True), ("task-007", False), ("task-008", False), ("task-005", True)]
        assert (tmp_path / "c.txt").read_text() == "now here\n"
        assert h.exit_status() is ExitStatus.SUCCESS
        assert any("Retry of task-001 succeeded as task-006" in n.message for n in h.ui.notices)
        with pytest.raises(RunnerError, match="nothing to retry: every subtask of task-006 completed"):
            h.retry("task-006")


def test_a_bug_mid_plan_still_leaves_every_task_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail-closed: an exception while the plan runs closes the open parts and the parent as errors."""
    import runner.orchestration.chunking.run as chunked

    calls = []

    def broken_prompt(*args: object, **kwargs: object) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("planner bug")
        return "echo ok"

    monkeypatch.setattr(chunked, "subtask_prompt", broken_prompt)
    with core_with(tmp_path, executor="shell", plan=PlanMode.ALWAYS) as h:
        parent = h.line("1. one 2. two 3. three")
        assert parent.status is TaskStatus.ERROR and "planner bug" in (parent.error_reason or "")
        assert [e.status for e in h.manager.entries()] == [TaskStatus.ERROR, TaskStatus.COMPLETE,
                                                           TaskStatus.ERROR, TaskStatus.ERROR]
    assert_logs_consistent(tmp_path)


def test_ctrl_c_mid_plan_skips_the_rest(tmp_path: Path) -> None:
    """A cancel while part 1 runs ends it INTERRUPTED; part 2 is skipped as interrupted; the request is interrupted."""
    with core_with(tmp_path, executor="shell", plan=PlanMode.ALWAYS) as h:
        timer = h.cancel_after(0.5)
        parent = h.line("1. sleep 5 2. echo b > b.txt")
        timer.cancel()
        first, second = (h.task(t) for t in _parts(h, parent.task_id))
        assert (first.status, first.error_code) == (TaskStatus.ERROR, ErrorCode.INTERRUPTED)
        assert (second.status, second.error_code) == (TaskStatus.INCOMPLETE, ErrorCode.SKIPPED)
        assert second.error_reason == "not run: the plan was interrupted"
        assert parent.status is TaskStatus.ERROR and h.interrupted
        assert not (tmp_path / "b.txt").exists()


def test_a_part_retried_by_the_retry_policy_is_recorded_on_the_parent(
        project: Path, claude_on_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Part 1's first pass is a 529 overloaded: the review loop retries it; the parent says SUBTASK_RETRY, then COMPLETE."""
    monkeypatch.setenv("FAKE_CLAUDE_SCENARIO", "overloaded,write")
    with core_with(project, executor="claude-code", retry_backoff_ms=50) as h:
        parent = h.line("1. write a.txt 2. write b.txt")
        assert parent.status is TaskStatus.COMPLETE
        part_events = [(e.event_type, e.content.get("number")) for e in parent.events
                       if e.event_type.value.startswith("SUBTASK_") and e.event_type is not EventType.SUBTASK_CREATED]
        assert part_events == [(EventType.SUBTASK_START, 1), (EventType.SUBTASK_RETRY, 1),
                               (EventType.SUBTASK_COMPLETE, 1), (EventType.SUBTASK_START, 2),
                               (EventType.SUBTASK_COMPLETE, 2)]
        retry = next(e.content for e in parent.events if e.event_type is EventType.SUBTASK_RETRY)
        assert retry == {"subtask_id": "task-002", "number": 1, "retries": 1, "by": "the retry policy"}
        assert EventType.RETRY_SUCCESS in [e.event_type for e in h.task("task-002").events]
