"""Fixed, realistic TaskLogs for view tests: one session, two threads, a clarification, a retry,
a blocked executor and (optionally) a task still running.

Every value is fixed (no clock, no randomness) so renderers can be compared with exact strings.
"""

from __future__ import annotations

from typing import Any

from runner.logs.models import (
    BlockedReason,
    DetectionMethod,
    ErrorCode,
    EventType,
    ExecutorInfo,
    LogEvent,
    Metrics,
    RunnerDecision,
    SessionSummary,
    StatusCounts,
    TaskLog,
    TaskLogEntry,
    TaskStatus,
    TerminatedBy,
    VerifiedFile,
)
from runner.logs.store.indexes import entry_from_log
from runner.timestamps import epoch_ms_of

SESSION_ID = "sess-20250112-001"
PROJECT_ROOT = "/home/dev/project"
CLAUDE = ExecutorInfo(name="claude-code", model="sonnet")
CLAUDE_COMMAND = "claude -p --output-format stream-json --verbose"
QUESTION = "What should the README file be called, README.md or README.rst?"


def stamp(clock: str) -> str:
    """`11:30:05.250` on the session's day as a full ISO timestamp."""
    return f"2025-01-12T{clock}Z"


def external_id(started_at: str) -> str:
    """The runner's external id for a task started at `started_at`."""
    return f"task-{epoch_ms_of(started_at)}"


def make_event(number: int, event_type: EventType, clock: str, **content: Any) -> LogEvent:
    """An event with its default visibility from the seed's table."""
    return LogEvent(
        event_id=f"evt-{number:04d}",
        event_type=event_type,
        timestamp=stamp(clock),
        visibility=event_type.default_visibility,
        content=content,
    )


def make_log(task_number: int, events: list[LogEvent], **fields: Any) -> TaskLog:
    """A TaskLog of the sample session; `fields` override or add any field."""
    started_at = fields.pop("started_at", events[0].timestamp)
    values: dict[str, Any] = {
        "session_id": SESSION_ID,
        "task_id": f"task-{task_number:03d}",
        "external_task_id": external_id(started_at),
        "thread_id": "thr-001",
        "run_id": "run-001",
        "status": TaskStatus.COMPLETE,
        "started_at": started_at,
        "ended_at": events[-1].timestamp,
        "prompt_summary": str(events[0].content.get("prompt", ""))[:100],
        "executor": CLAUDE,
        "verification_root": PROJECT_ROOT,
        "events": events,
    }
    values.update(fields)
    return TaskLog(**values)


def clarification_task() -> TaskLog:
    """task-001: the agent asks which file name to use; the task ends incomplete with `clarify`."""
    events = [
        make_event(1, EventType.USER_INPUT, "11:30:00.000", prompt="Create a README"),
        make_event(
            2,
            EventType.EXECUTOR_START,
            "11:30:01.200",
            executor="claude-code",
            model="sonnet",
            command=CLAUDE_COMMAND,
        ),
        make_event(3, EventType.EXECUTOR_OUTPUT, "11:30:09.800", text=QUESTION),
        make_event(4, EventType.CLARIFICATION_REQUEST, "11:30:10.000", question=QUESTION),
        make_event(
            5,
            EventType.TASK_INCOMPLETE,
            "11:30:10.050",
            reason="The executor asked a question instead of changing files",
        ),
    ]
    return make_log(
        1,
        events,
        status=TaskStatus.INCOMPLETE,
        prompt_summary="Create a README",
        runner_decision=RunnerDecision.CLARIFY,
        error_code=ErrorCode.CLARIFICATION_NEEDED,
        error_reason=f"Clarification needed: {QUESTION}",
        metrics=Metrics(
            duration_ms=10050,
            input_tokens=812,
            output_tokens=64,
            cost_usd=0.0123,
            model="claude-sonnet-4-5",
        ),
    )


def answer_task() -> TaskLog:
    """task-002: the user's answer continues thread thr-001; README.md is written and verified."""
    events = [
        make_event(1, EventType.USER_RESPONSE, "11:31:00.000", prompt="call it README.md"),
        make_event(
            2,
            EventType.EXECUTOR_START,
            "11:31:00.400",
            executor="claude-code",
            model="sonnet",
            command=CLAUDE_COMMAND,
            resume=True,
        ),
        make_event(3, EventType.EXECUTOR_PROGRESS, "11:31:12.000", line="Writing README.md"),
        make_event(
            4,
            EventType.EXECUTOR_OUTPUT,
            "11:31:20.500",
            text="Created README.md with a project overview,\ninstall steps and usage.",
        ),
        make_event(
            5, EventType.EVIDENCE_CREATED, "11:31:21.000", files=["README.md"], method="diff"
        ),
        make_event(
            6,
            EventType.MEDIATION_OUTPUT,
            "11:31:21.100",
            text="README.md created (1 file verified).",
        ),
        make_event(7, EventType.TASK_COMPLETE, "11:31:21.150", files_verified=["README.md"]),
    ]
    return make_log(
        2,
        events,
        parent_task_id="task-001",
        prompt_summary="call it README.md",
        files_modified_count=1,
        executor_summary="Created README.md",
        verified_files=[
            VerifiedFile(
                path="README.md",
                exists=True,
                detected_at=stamp("11:31:21.000"),
                detection_method=DetectionMethod.DIFF,
                size=1834,
            )
        ],
        metrics=Metrics(
            duration_ms=21150,
            input_tokens=2310,
            output_tokens=655,
            cost_usd=0.0456,
            model="claude-sonnet-4-5",
        ),
    )


def retry_task() -> TaskLog:
    """task-003: `/retry` opens run-002 of the same thread and succeeds."""
    events = [
        make_event(1, EventType.USER_INPUT, "11:35:00.000", prompt="Create a README"),
        make_event(2, EventType.RETRY_START, "11:35:00.010", retry_of="task-002", attempt=2),
        make_event(
            3,
            EventType.EXECUTOR_START,
            "11:35:00.300",
            executor="claude-code",
            model="sonnet",
            command=CLAUDE_COMMAND,
        ),
        make_event(4, EventType.EXECUTOR_OUTPUT, "11:38:04.000", text="Rewrote README.md."),
        make_event(5, EventType.TASK_COMPLETE, "11:38:04.200", files_verified=["README.md"]),
    ]
    return make_log(
        3,
        events,
        run_id="run-002",
        parent_task_id="task-002",
        prompt_summary="Create a README",
        files_modified_count=1,
        verified_files=[
            VerifiedFile(
                path="README.md",
                exists=True,
                detected_at=stamp("11:38:04.100"),
                detection_method=DetectionMethod.DIFF,
            )
        ],
        metrics=Metrics(duration_ms=184200, cost_usd=0.1021, model="claude-sonnet-4-5"),
    )


def blocked_task() -> TaskLog:
    """task-004: thread thr-002; the executor stops at an interactive prompt and is ended."""
    pattern = "? Select a test framework"
    events = [
        make_event(1, EventType.USER_INPUT, "11:40:00.000", prompt="Add tests"),
        make_event(
            2,
            EventType.EXECUTOR_START,
            "11:40:00.500",
            executor="claude-code",
            model="sonnet",
            command=CLAUDE_COMMAND,
        ),
        make_event(3, EventType.EXECUTOR_OUTPUT, "11:40:03.000", line=pattern),
        make_event(
            4,
            EventType.EXECUTOR_BLOCKED,
            "11:40:03.100",
            reason="INTERACTIVE_PROMPT",
            detected_pattern=pattern,
            action="REPL_FAIL_CLOSED",
        ),
        make_event(
            5,
            EventType.TASK_ERROR,
            "11:40:03.400",
            reason="Executor blocked on interactive prompt",
            executor_blocked=True,
            blocked_reason="INTERACTIVE_PROMPT",
        ),
    ]
    return make_log(
        4,
        events,
        thread_id="thr-002",
        run_id="run-003",
        status=TaskStatus.ERROR,
        prompt_summary="Add tests",
        error_code=ErrorCode.EXECUTOR_BLOCKED,
        error_reason=f"Executor blocked on interactive prompt: '{pattern}'",
        executor_blocked=True,
        blocked_reason=BlockedReason.INTERACTIVE_PROMPT,
        terminated_by=TerminatedBy.REPL_FAIL_CLOSED,
        timeout_ms=60000,
    )


def running_task() -> TaskLog:
    """task-005: thread thr-003, still running (no terminal event, no end time)."""
    events = [
        make_event(1, EventType.USER_INPUT, "11:45:00.000", prompt="Fix the flaky login test"),
        make_event(
            2,
            EventType.EXECUTOR_START,
            "11:45:00.300",
            executor="claude-code",
            model="sonnet",
            command=CLAUDE_COMMAND,
        ),
        make_event(3, EventType.EXECUTOR_PROGRESS, "11:45:07.000", line="Running pytest -x"),
    ]
    return make_log(
        5,
        events,
        thread_id="thr-003",
        run_id="run-004",
        status=TaskStatus.RUNNING,
        ended_at=None,
        prompt_summary="Fix the flaky login test",
    )


def session_logs(*, with_running: bool = False) -> list[TaskLog]:
    """The sample session's tasks in creation order."""
    logs = [clarification_task(), answer_task(), retry_task(), blocked_task()]
    return logs + [running_task()] if with_running else logs


def session_entries(*, with_running: bool = False) -> list[TaskLogEntry]:
    """Index rows of the sample session."""
    return [entry_from_log(log) for log in session_logs(with_running=with_running)]


def session_summaries() -> list[SessionSummary]:
    """Two rows of the global index: an older finished session and the sample one."""
    return [
        SessionSummary(
            session_id="sess-20250111-001",
            started_at="2025-01-11T09:00:00.000Z",
            updated_at="2025-01-11T09:42:10.000Z",
            project_root=PROJECT_ROOT,
            executor="shell",
            task_count=2,
            counts=StatusCounts(complete=2),
        ),
        SessionSummary(
            session_id=SESSION_ID,
            started_at=stamp("11:29:58.000"),
            updated_at=stamp("11:45:07.000"),
            project_root=PROJECT_ROOT,
            executor="claude-code",
            task_count=5,
            counts=StatusCounts(complete=2, incomplete=1, error=1, running=1),
        ),
    ]
