"""Everything a report says about one task, gathered once from its (masked) log and its session.

Shared by the Markdown report and the HTML report's task cards, so both say the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from runner.errors import NotFoundError
from runner.export.masked import DEFAULT_LOGS_DIR, MaskedSession
from runner.export.task_parts import (
    Phase,
    ToolCall,
    clarification_question,
    final_message,
    input_prompt,
    main_text,
    review_iterations,
    subtasks,
    tool_calls,
)
from runner.logs.models import DetectionMethod, EventType, RunnerDecision, TaskLog, TaskStatus
from runner.views.fields import duration_between, format_cost, format_duration

REPORT_SCHEMA = "pm-runner.task-report/1"
_TEST_COMMAND = re.compile(
    r"(?<![\w-])(pytest|py\.test|unittest|tox|nox|jest|vitest|mocha|rspec|phpunit|ctest|"
    r"(npm|pnpm|yarn|bun)( run)? test|go test|cargo (test|nextest)|mvn test|gradle test|make test|rake test)\b")
_PLAN_EVENTS = frozenset({EventType.PLANNING_START, EventType.EXECUTION_PLAN, EventType.CHUNKING_DECISION,
                          EventType.SUBTASK_CREATED, EventType.PLANNING_END})
_RETRY_EVENTS = frozenset({EventType.RETRY_DECISION, EventType.RETRY_START, EventType.RETRY_SUCCESS,
                           EventType.SUBTASK_RETRY, EventType.ESCALATE_DECISION, EventType.ESCALATE_EXECUTED,
                           EventType.MODEL_SWITCH, EventType.MODEL_FALLBACK})
_PLAN_TOOLS = frozenset({"TodoWrite", "write_todos", "update_plan", "todo_list"})
_OUTPUT_LINES = 40


def _event_line(event_type: EventType, text: str | None) -> str:
    return f"{event_type.value}: {text}" if text else event_type.value


@dataclass(frozen=True)
class TaskFacts:
    log: TaskLog
    children: tuple[TaskLog, ...]  # later tasks that continue this one (an answer, a retry)
    logs_dir: str = DEFAULT_LOGS_DIR  # how the report names the logs folder

    @classmethod
    def of(cls, session: MaskedSession, task_id: str) -> TaskFacts:
        log = session.by_task_id.get(task_id)
        if log is None:
            raise NotFoundError(f"no task {task_id} in session {session.session_id}",
                                hint="pm-runner logs list shows the session's tasks")
        return cls(log, session.continued_by.get(task_id, ()), session.logs_dir)

    # --- what happened -----------------------------------------------------------------
    @property
    def prompt(self) -> str | None:
        return input_prompt(self.log) or self.log.prompt_summary or None

    @property
    def is_answer(self) -> bool:
        return self.log.events[0].event_type is EventType.USER_RESPONSE and self.log.parent_task_id is not None

    @property
    def question(self) -> str | None:
        return clarification_question(self.log)

    @property
    def answer(self) -> TaskLog | None:
        """The task that answered this task's question, if one did."""
        if self.log.runner_decision is not RunnerDecision.CLARIFY:
            return None
        return next((c for c in self.children if c.events[0].event_type is EventType.USER_RESPONSE), None)

    @property
    def final_message(self) -> str | None:
        return final_message(self.log)

    @property
    def calls(self) -> list[ToolCall]:
        return tool_calls(self.log)

    @property
    def phases(self) -> list[Phase]:
        return review_iterations(self.log) + subtasks(self.log)

    def call_duration_ms(self, call: ToolCall) -> int | None:
        return duration_between(call.started_at, call.ended_at)

    @property
    def duration_ms(self) -> int | None:
        metrics = self.log.metrics
        if metrics and metrics.duration_ms is not None:
            return metrics.duration_ms
        return duration_between(self.log.started_at, self.log.ended_at)

    @property
    def executor_model(self) -> str:
        executor = self.log.executor
        model = (self.log.metrics.model if self.log.metrics else None) or (executor.model if executor else None)
        name = executor.name if executor else "—"
        return f"{name} / {model}" if model else name

    @property
    def command(self) -> str | None:
        start = next((e for e in self.log.events if e.event_type is EventType.EXECUTOR_START), None)
        value = start.content.get("command") if start else None
        return value if isinstance(value, str) else None

    @property
    def output_lines(self) -> list[str]:
        lines: list[str] = []
        for event in self.log.events:
            if event.event_type is EventType.EXECUTOR_OUTPUT and (text := main_text(event)):
                lines.extend(text.splitlines())
        return lines[-_OUTPUT_LINES * 50:]

    @property
    def plan_items(self) -> list[str]:
        items = [_event_line(e.event_type, main_text(e)) for e in self.log.events if e.event_type in _PLAN_EVENTS]
        items += [f"{c.tool}" + (f": {c.target}" if c.target else "") for c in self.calls if c.tool in _PLAN_TOOLS]
        return items

    @property
    def test_calls(self) -> list[ToolCall]:
        return [c for c in self.calls if c.target and _TEST_COMMAND.search(c.target)]

    @property
    def evidence_lines(self) -> list[str]:
        lines = []
        summary = self.log.evidence_summary
        if summary is not None:
            verdict = "passed" if summary.verification_passed else "failed"
            lines.append(f"Verification {verdict}: {summary.verification_reason}")
        for event in self.log.events:
            if event.event_type is EventType.EVIDENCE_MISSING:
                missing = event.content.get("files_missing")
                shown = ", ".join(str(m) for m in missing) if isinstance(missing, list) else main_text(event)
                lines.append(f"Evidence missing: {shown}")
        return lines

    @property
    def debug_lines(self) -> list[str]:
        lines = []
        for event in self.log.events:
            note = event.content.get("note")
            stderr = event.content.get("stream") == "stderr"
            if event.event_type in (EventType.EXECUTOR_ERROR, EventType.EXECUTOR_BLOCKED):
                lines.append(_event_line(event.event_type, main_text(event)))
            elif event.event_type is EventType.EXECUTOR_OUTPUT and (stderr or isinstance(note, str)):
                lines.append(f"{'stderr' if stderr else note}: {main_text(event) or ''}")
        lines += [f"{c.tool} failed: {c.result_preview or c.target or ''}" for c in self.calls if c.is_error]
        return lines

    @property
    def retry_lines(self) -> list[str]:
        lines = [_event_line(e.event_type, main_text(e) or _retry_text(e.content))
                 for e in self.log.events if e.event_type in _RETRY_EVENTS]
        lines += [f"review {p.name}: {p.outcome or 'no verdict'}" for p in review_iterations(self.log)]
        lines += [f"continued by {c.task_id} ({c.status.value})" for c in self.children]
        return lines

    @property
    def log_path(self) -> str:
        # A live task's record is its event journal (in normal mode no snapshot file exists yet:
        # its queued and running states are lines of that journal); the snapshot is written when it ends.
        name = f"{self.log.task_id}.json" if self.log.status.is_terminal else f"{self.log.task_id}.events.jsonl"
        return f"{self.logs_dir}/sessions/{self.log.session_id}/tasks/{name}"

    @property
    def artifact_lines(self) -> list[tuple[str, str]]:
        a = self.log.artifacts
        lines = [(p, "created") for p in a.files_created] + [(p, "modified") for p in a.files_modified]
        lines += [(p, "deleted") for p in a.files_deleted]
        lines += [(f.path, f"claimed, {'verified' if f.exists else 'not on disk'}") for f in self.log.verified_files
                  if f.detection_method is DetectionMethod.EXECUTOR_CLAIM]
        return lines

    @property
    def claimed(self) -> list[str]:
        return [f.path for f in self.log.verified_files if f.detection_method is DetectionMethod.EXECUTOR_CLAIM]

    @property
    def verified(self) -> list[str]:
        return sorted({f.path for f in self.log.verified_files if f.exists})

    @property
    def missing(self) -> list[str]:
        summary = self.log.evidence_summary
        return list(summary.files_missing) if summary else []

    @property
    def failure_lines(self) -> list[str]:
        log = self.log
        if log.status is TaskStatus.COMPLETE or not log.status.is_terminal:
            return []
        lines = [f"Error code: {log.error_code.value if log.error_code else '—'}",
                 f"Reason: {log.error_reason or '—'}"]
        if log.executor_blocked:
            lines.append(f"Blocked: {log.blocked_reason.value if log.blocked_reason else '—'}")
        if log.terminated_by:
            lines.append(f"Terminated by: {log.terminated_by.value}")
        if log.timeout_ms:
            lines.append(f"Timeout in force: {log.timeout_ms} ms")
        lines += [f"Missing evidence: {path}" for path in self.missing]
        return lines

    @property
    def ball_with(self) -> str:
        log = self.log
        if not log.status.is_terminal:
            return f"runner: the task is {log.status.value}"
        later = self.children[-1] if self.children else None
        if log.runner_decision is RunnerDecision.CLARIFY:
            if later is not None:
                return f"nobody: the question was answered in {later.task_id}"
            return "user: answer the question (type the answer as the next line)"
        if log.status is TaskStatus.COMPLETE:
            return f"nobody: done (runner decision {log.runner_decision.value})"
        if later is not None:
            return f"runner: continued as {later.task_id} ({later.status.value})"
        return f"user: decide what next (e.g. /retry {log.task_id})"

    @property
    def final_status(self) -> str:
        status = self.log.status
        if status is TaskStatus.COMPLETE:
            return "RESOLVED"
        if not status.is_terminal:
            return "IN PROGRESS"
        return "BLOCKED" if self.log.runner_decision is RunnerDecision.CLARIFY else "FAILED"

    @property
    def metrics_line(self) -> str:
        m = self.log.metrics
        tokens_in = "—" if m is None or m.input_tokens is None else str(m.input_tokens)
        tokens_out = "—" if m is None or m.output_tokens is None else str(m.output_tokens)
        turns = "—" if m is None or m.num_turns is None else str(m.num_turns)
        return (f"tokens {tokens_in} in / {tokens_out} out, cost {format_cost(m.cost_usd if m else None)}, "
                f"duration {format_duration(self.duration_ms)}, turns {turns}")

    def longest_list(self) -> int:
        return max(len(self.calls), len(self.output_lines), len(self.debug_lines), len(self.artifact_lines),
                   len(self.plan_items), len(self.retry_lines), len(self.evidence_lines), 1)

    def checkpoint(self) -> dict[str, Any]:
        """The seed's `{section: value}` snapshot: one short value per section."""
        log = self.log
        calls = self.calls
        return {
            "schema": REPORT_SCHEMA,
            "correlation_id": {"session_id": log.session_id, "thread_id": log.thread_id, "run_id": log.run_id,
                               "task_id": log.task_id, "external_task_id": log.external_task_id,
                               "parent_task_id": log.parent_task_id},
            "task_summary": log.prompt_summary,
            "input": "answer" if self.is_answer else "request",
            "plan": len(self.plan_items),
            "execute": {"tool_calls": len(calls), "failed_tool_calls": sum(1 for c in calls if c.is_error)},
            "test": {"test_commands": len(self.test_calls),
                     "verification_passed": log.evidence_summary.verification_passed if log.evidence_summary else None},
            "debug": len(self.debug_lines),
            "retry": [c.task_id for c in self.children],
            "checkpoint": {"resume_token": log.resume_token, "updated_at": log.updated_at,
                           "last_event_id": log.events[-1].event_id, "log": self.log_path},
            "output_artifacts": self.verified,
            "failure_analysis": {"error_code": log.error_code.value if log.error_code else None,
                                 "error_reason": log.error_reason},
            "ball_with": self.ball_with.split(":", 1)[0],
            "final_status": self.final_status.lower().replace(" ", "_"),
        }


def _retry_text(content: dict[str, Any]) -> str | None:
    parts = [f"{k}: {v}" for k, v in content.items() if isinstance(v, str | int | float) and not isinstance(v, bool)]
    return ", ".join(parts) or None
