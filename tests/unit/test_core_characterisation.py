"""What the core does with a line, in-process: new task, clarification answer, /retry, refusal, cancel.

Written before the core was split into orchestration steps, to pin its behaviour through the move:
ids, statuses, decisions, the events of each task, what the UI was told, and the exit status.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.config_schema import ExecutorSettings
from runner.errors import ExitStatus, InvalidIdError, NotFoundError
from runner.logs.models import (
    ErrorCode,
    EventType,
    RunnerDecision,
    TaskLog,
    TaskStatus,
    TerminatedBy,
)
from tests.helpers.harness import core_with


def event_types(log: TaskLog) -> list[str]:
    return [event.event_type.value for event in log.events]


def test_a_new_line_is_a_new_thread_run_and_task(tmp_path: Path) -> None:
    """A first line opens a session, runs on the fake executor, verifies the file and completes."""
    with core_with(tmp_path) as h:
        log = h.line("fake:complete notes/a.txt")
        assert (log.task_id, log.thread_id, log.run_id, log.parent_task_id) == ("task-001", "thr-001", "run-001", None)
        assert log.status is TaskStatus.COMPLETE and log.runner_decision is RunnerDecision.ACCEPT
        assert event_types(log) == ["USER_INPUT", "EXECUTOR_START", "EXECUTOR_PROGRESS", "EVIDENCE_CREATED",
                                    "MEDIATION_OUTPUT", "TASK_COMPLETE"]
        assert [f.path for f in log.verified_files if f.exists] == ["notes/a.txt", "notes/a.txt"]
        assert log.test_mode is True and log.executor is not None and log.executor.name == "fake"
        session = h.manager.session_id
        assert h.ui.said == [("info", f"No session was active: started {session}"), ("started", "task-001"),
                             ("progress", "Write notes/a.txt"), ("finished", "task-001")]
        assert h.executor is not None and h.executor.tasks[0].prompt == "fake:complete notes/a.txt"
        assert h.task("task-001").status is TaskStatus.COMPLETE
        assert h.exit_status() is ExitStatus.SUCCESS


def test_a_question_then_its_answer_continue_one_thread(tmp_path: Path) -> None:
    """A question ends `incomplete`/clarify; the next line answers it in the same thread, resuming the agent."""
    with core_with(tmp_path) as h:
        question = h.line("fake:clarify Which file should I change?")
        assert question.status is TaskStatus.INCOMPLETE
        assert question.runner_decision is RunnerDecision.CLARIFY
        assert question.error_code is ErrorCode.CLARIFICATION_NEEDED
        assert question.error_reason == "Executor asked a question: Which file should I change?"
        assert event_types(question) == ["USER_INPUT", "EXECUTOR_START", "CLARIFICATION_REQUEST", "TASK_INCOMPLETE"]
        assert question.resume_token == "fake-session-0001"
        assert h.exit_status() is ExitStatus.INCOMPLETE

        answer = h.line("fake:complete README.md")
        assert (answer.thread_id, answer.run_id, answer.parent_task_id) == ("thr-001", "run-001", "task-001")
        assert event_types(answer)[0] == "USER_RESPONSE" and answer.status is TaskStatus.COMPLETE
        assert h.executor is not None
        sent = h.executor.tasks[-1]
        # With a resume token the agent gets the bare answer; it remembers its own question.
        assert (sent.prompt, sent.resume_token) == ("fake:complete README.md", "fake-session-0001")
        assert h.exit_status() is ExitStatus.SUCCESS  # the answer is now the thread's last task

        later = h.line("fake:complete b.txt")
        assert (later.thread_id, later.parent_task_id) == ("thr-002", None)
        assert h.executor.tasks[-1].resume_token is None


def test_retry_reruns_the_last_failed_task_as_the_next_run(tmp_path: Path) -> None:
    """`/retry` re-sends the failed task's prompt in its thread as a new run, and says when it succeeded."""
    with core_with(tmp_path) as h:
        failed = h.line("fake:claim missing.txt")
        assert failed.status is TaskStatus.INCOMPLETE and failed.error_code is ErrorCode.EVIDENCE_MISSING
        h.line("fake:complete other.txt")
        (tmp_path / "missing.txt").write_text("now it exists\n")
        retried = h.retry()
        assert (retried.task_id, retried.thread_id, retried.run_id, retried.parent_task_id) == (
            "task-003", "thr-001", "run-003", "task-001")
        assert retried.status is TaskStatus.COMPLETE
        assert event_types(retried)[:2] == ["USER_INPUT", "RETRY_START"]
        assert retried.events[1].content == {"retry_of": "task-001", "previous_status": "incomplete"}
        assert h.executor is not None and h.executor.tasks[-1].prompt == "fake:claim missing.txt"
        assert ("info", "Retry of task-001 succeeded as task-003") in h.ui.said
        assert h.exit_status() is ExitStatus.SUCCESS


def test_retry_by_external_id_and_the_errors_it_can_give(tmp_path: Path) -> None:
    """`/retry <external id>` finds the task; nothing failed or an unknown id is a RunnerError with a hint."""
    with core_with(tmp_path) as h:
        done = h.line("fake:complete a.txt")
        with pytest.raises(NotFoundError, match="no failed task to retry"):
            h.retry()
        again = h.retry(done.external_task_id)
        assert again.parent_task_id == "task-001" and again.run_id == "run-002"
        with pytest.raises(InvalidIdError):
            h.retry("../etc")
        with pytest.raises(NotFoundError, match="no task task-099"):
            h.retry("task-099")


def test_an_unusable_executor_rejects_each_task_with_the_fix(tmp_path: Path) -> None:
    """With no usable executor every line is still logged: `error`, `reject`, REJECTED, reason and fix."""
    with core_with(tmp_path, executor="command") as h:
        assert h.core.executor is None and h.core.executor_problem is not None
        log = h.line("write the README")
        assert log.status is TaskStatus.ERROR and log.runner_decision is RunnerDecision.REJECT
        assert log.error_code is ErrorCode.REJECTED
        assert log.error_reason is not None
        assert log.error_reason.startswith("the command executor needs a command template (fix: give one with")
        assert event_types(log) == ["USER_INPUT", "TASK_ERROR"]
        assert log.events[-1].content["reason"] == "the command executor needs a command template"
        assert h.exit_status() is ExitStatus.ERROR


def test_a_missing_required_key_rejects_the_task(tmp_path: Path) -> None:
    """A key the config marks as required and the environment lacks refuses the task, naming the key."""
    settings = {"fake": ExecutorSettings(api_key_env="PM_RUNNER_TEST_ONLY_KEY")}
    with core_with(tmp_path, executors=settings) as h:
        log = h.line("fake:complete a.txt")
        assert log.runner_decision is RunnerDecision.REJECT and log.error_code is ErrorCode.REJECTED
        assert log.error_reason == ("PM_RUNNER_TEST_ONLY_KEY is not set "
                                    "(fix: export PM_RUNNER_TEST_ONLY_KEY=... before starting pm-runner)")
        assert not (tmp_path / "a.txt").exists()


def test_cancel_while_a_task_runs_ends_it_as_the_users(tmp_path: Path) -> None:
    """The cancel flag set mid-task ends it `error`/INTERRUPTED by the USER, and marks the line interrupted."""
    with core_with(tmp_path) as h:
        timer = h.cancel_after(0.3)
        log = h.line("fake:slow 20000 late.txt")
        timer.join()
        assert log.status is TaskStatus.ERROR and log.error_code is ErrorCode.INTERRUPTED
        assert log.terminated_by is TerminatedBy.USER
        assert log.error_reason == "Task cancelled by the user"
        assert not (tmp_path / "late.txt").exists()
        assert h.interrupted is True
        assert h.exit_status() is ExitStatus.ERROR


def test_three_errors_in_a_row_bring_one_warning(tmp_path: Path) -> None:
    """The third consecutive ERROR adds a WARNING pointing at /logs; a success resets the count."""
    with core_with(tmp_path) as h:
        for _ in range(2):
            h.line("fake:error boom")
        assert h.ui.of_kind("warning") == []
        h.line("fake:error boom")
        assert h.ui.of_kind("warning") == ["WARNING: 3 tasks in a row ended in ERROR; see what happened with /logs"]
        h.line("fake:complete a.txt")
        h.line("fake:error boom")
        assert len(h.ui.of_kind("warning")) == 1
        assert h.task("task-001").events[-1].event_type is EventType.TASK_ERROR
