"""The spans of one run, per the OpenTelemetry GenAI agent conventions (status: Development).

run → `invoke_workflow pm-runner` (INTERNAL); task → `invoke_agent {executor}` (CLIENT, the agent
is another process); tool use → `execute_tool {tool}` (INTERNAL); review iterations and subtasks
→ INTERNAL children of their task. Next to `gen_ai.*`, OpenInference names (`openinference.span.kind`,
`session.id`, `llm.*`) let Arize Phoenix show the spans in its own views.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

import orjson

from runner.export.masked import MaskedSession
from runner.export.otlp.encoding import (
    SPAN_KIND_CLIENT,
    SPAN_KIND_INTERNAL,
    STATUS_ERROR,
    attributes,
    nanos,
    span_id,
    trace_id,
)
from runner.export.task_parts import (
    Phase,
    ToolCall,
    final_message,
    input_prompt,
    review_iterations,
    subtasks,
    tool_calls,
)
from runner.logs.models import RunnerDecision, TaskLog, TaskStatus

WORKFLOW_NAME = "pm-runner"

# gen_ai.provider.name well-known values; an executor that is no provider's agent says so by model.
_PROVIDER_BY_EXECUTOR = {"claude-code": "anthropic", "codex": "openai", "gemini": "gcp.gen_ai"}
_PROVIDER_BY_MODEL_PREFIX = (("claude", "anthropic"), ("gpt", "openai"), ("o1", "openai"), ("o3", "openai"),
                             ("o4", "openai"), ("codex", "openai"), ("gemini", "gcp.gen_ai"))
OTHER_PROVIDER = "_OTHER"


class ContentMode(StrEnum):
    """Whether prompts, outputs and tool arguments leave the machine: never by default, masked on request."""

    NONE = "none"
    MASKED = "masked"


def provider_name(executor: str | None, model: str | None) -> str:
    """`anthropic`, `openai`, `gcp.gen_ai`, else `_OTHER` (the attribute is required)."""
    if executor in _PROVIDER_BY_EXECUTOR:
        return _PROVIDER_BY_EXECUTOR[executor]
    lowered = (model or "").lower()
    return next((p for prefix, p in _PROVIDER_BY_MODEL_PREFIX if lowered.startswith(prefix)), OTHER_PROVIDER)


def is_failure(log: TaskLog) -> bool:
    """Failed for a trace: error, or incomplete for any reason but a question handed to the user."""
    if log.status is TaskStatus.ERROR:
        return True
    return log.status is TaskStatus.INCOMPLETE and log.runner_decision is not RunnerDecision.CLARIFY


class RunSpans:
    """Builds the spans of one run of `session`; ids come from the session's seed and the log ids."""

    def __init__(self, session: MaskedSession, run_id: str, logs: list[TaskLog], content: ContentMode) -> None:
        self.session = session
        self.run_id = run_id
        self.logs = logs
        self.content = content
        self.trace_id = trace_id(f"{session.id_seed}/{run_id}")
        self.run_span_id = span_id(f"{session.id_seed}/{run_id}")

    def task_span_id(self, log: TaskLog) -> str:
        return span_id(f"{self.session.id_seed}/{log.task_id}")

    def tool_span_id(self, log: TaskLog, call: ToolCall) -> str:
        return span_id(f"{self.session.id_seed}/{log.task_id}/tool/{call.call_id}/{call.use_event.event_id}")

    def spans(self) -> list[dict[str, Any]]:
        """The run span first, then each task followed by its children."""
        result = [self._run_span()]
        for log in self.logs:
            result.append(self._task_span(log))
            result.extend(self._tool_span(log, call) for call in tool_calls(log))
            for phase in review_iterations(log) + subtasks(log):
                result.append(self._phase_span(log, phase))
        return result

    def _common(self) -> list[tuple[str, Any]]:
        thread_id = self.logs[0].thread_id
        return [("pm_runner.session.id", self.session.session_id), ("session.id", self.session.session_id),
                ("pm_runner.thread.id", thread_id),
                ("gen_ai.conversation.id", f"{self.session.session_id}/{thread_id}")]

    def _run_span(self) -> dict[str, Any]:
        last = self.logs[-1]
        attrs = [("gen_ai.operation.name", "invoke_workflow"), ("gen_ai.workflow.name", WORKFLOW_NAME),
                 ("pm_runner.run.id", self.run_id), *self._common(), ("pm_runner.task.count", len(self.logs)),
                 ("openinference.span.kind", "CHAIN")]
        ends = [log.ended_at or log.started_at for log in self.logs]
        return _span(self.trace_id, self.run_span_id, None, f"invoke_workflow {WORKFLOW_NAME}", SPAN_KIND_INTERNAL,
                     min(log.started_at for log in self.logs), max(ends), attrs,
                     self._status(last) if is_failure(last) else None)

    def _status(self, log: TaskLog) -> dict[str, Any]:
        code = log.error_code.value if log.error_code else log.status.value
        message = log.error_reason if self.content is ContentMode.MASKED and log.error_reason else code
        return {"code": STATUS_ERROR, "message": message}

    def _task_span(self, log: TaskLog) -> dict[str, Any]:
        executor = log.executor.name if log.executor else "unknown"
        failed = is_failure(log)
        attrs = [*_agent_attributes(log, executor), *self._common(), *_usage_attributes(log),
                 ("error.type", (log.error_code.value if log.error_code else log.status.value) if failed else None),
                 *_task_attributes(log), *self._task_content(log)]
        return _span(self.trace_id, self.task_span_id(log), self.run_span_id, f"invoke_agent {executor}",
                     SPAN_KIND_CLIENT, log.started_at, log.ended_at or log.started_at, attrs,
                     self._status(log) if failed else None)

    def _task_content(self, log: TaskLog) -> Iterable[tuple[str, Any]]:
        if self.content is not ContentMode.MASKED:
            return []
        prompt, answer = input_prompt(log), final_message(log)
        return [
            ("gen_ai.input.messages", _messages("user", prompt)), ("input.value", prompt),
            ("gen_ai.output.messages", _messages("assistant", answer)), ("output.value", answer),
        ]

    def _tool_span(self, log: TaskLog, call: ToolCall) -> dict[str, Any]:
        attrs: list[tuple[str, Any]] = [
            ("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", call.tool),
            ("gen_ai.tool.call.id", call.call_id), ("error.type", "tool_error" if call.is_error else None),
            ("pm_runner.task.id", log.task_id), ("pm_runner.tool.finished", call.is_error is not None),
            ("openinference.span.kind", "TOOL"), ("tool.name", call.tool),
        ]
        if self.content is ContentMode.MASKED:
            attrs += [("gen_ai.tool.call.arguments", call.target), ("gen_ai.tool.call.result", call.result_preview)]
        status = {"code": STATUS_ERROR, "message": "tool_error"} if call.is_error else None
        return _span(self.trace_id, self.tool_span_id(log, call), self.task_span_id(log),
                     f"execute_tool {call.tool}", SPAN_KIND_INTERNAL, call.started_at,
                     call.ended_at or log.ended_at or call.started_at, attrs, status)

    def _phase_span(self, log: TaskLog, phase: Phase) -> dict[str, Any]:
        attrs = [("pm_runner.task.id", log.task_id), (f"pm_runner.{phase.kind}.ordinal", phase.ordinal),
                 (f"pm_runner.{phase.kind}.name", phase.name), (f"pm_runner.{phase.kind}.outcome", phase.outcome),
                 ("openinference.span.kind", "CHAIN")]
        status = {"code": STATUS_ERROR, "message": phase.outcome or "failed"} if phase.failed else None
        seed = f"{self.session.id_seed}/{log.task_id}/{phase.kind}/{phase.events[0].event_id}"
        return _span(self.trace_id, span_id(seed), self.task_span_id(log), f"pm_runner.{phase.kind}",
                     SPAN_KIND_INTERNAL, phase.started_at, phase.ended_at or log.ended_at or phase.started_at,
                     attrs, status)


def _agent_attributes(log: TaskLog, executor: str) -> list[tuple[str, Any]]:
    model = log.metrics.model if log.metrics else None
    requested = (log.executor.model if log.executor else None) or model
    return [("gen_ai.operation.name", "invoke_agent"),
            ("gen_ai.provider.name", provider_name(executor, model or requested)),
            ("gen_ai.agent.name", executor), ("gen_ai.agent.id", log.resume_token),
            ("gen_ai.request.model", requested), ("gen_ai.response.model", model),
            ("openinference.span.kind", "AGENT"), ("llm.model_name", model or requested)]


def _usage_attributes(log: TaskLog) -> list[tuple[str, Any]]:
    metrics = log.metrics
    if metrics is None:
        return []
    return [("gen_ai.usage.input_tokens", metrics.input_tokens),
            ("gen_ai.usage.cache_read.input_tokens", metrics.cache_read_input_tokens),
            ("gen_ai.usage.cache_creation.input_tokens", metrics.cache_creation_input_tokens),
            ("gen_ai.usage.output_tokens", metrics.output_tokens),
            ("pm_runner.cost_usd", metrics.cost_usd), ("pm_runner.duration_ms", metrics.duration_ms),
            ("pm_runner.num_turns", metrics.num_turns),
            *_token_counts(metrics.input_tokens, metrics.output_tokens)]


def _task_attributes(log: TaskLog) -> list[tuple[str, Any]]:
    return [("pm_runner.task.id", log.task_id), ("pm_runner.external_task.id", log.external_task_id),
            ("pm_runner.run.id", log.run_id), ("pm_runner.parent_task.id", log.parent_task_id),
            ("pm_runner.task.status", log.status.value), ("pm_runner.runner_decision", log.runner_decision.value),
            ("pm_runner.error_code", log.error_code.value if log.error_code else None),
            ("pm_runner.files.verified", sum(1 for f in log.verified_files if f.exists)),
            ("pm_runner.test_mode", True if log.test_mode else None)]


def _token_counts(tokens_in: int | None, tokens_out: int | None) -> list[tuple[str, Any]]:
    total = (tokens_in or 0) + (tokens_out or 0) if tokens_in is not None or tokens_out is not None else None
    return [("llm.token_count.prompt", tokens_in), ("llm.token_count.completion", tokens_out),
            ("llm.token_count.total", total)]


def _messages(role: str, text: str | None) -> str | None:
    """GenAI messages as the JSON string the conventions allow on spans."""
    if text is None:
        return None
    return orjson.dumps([{"role": role, "parts": [{"type": "text", "content": text}]}]).decode()


def _span(trace: str, span: str, parent: str | None, name: str, kind: int, start: str, end: str,
          attrs: list[tuple[str, Any]], status: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"traceId": trace, "spanId": span}
    if parent:
        body["parentSpanId"] = parent
    body.update(name=name, kind=kind, startTimeUnixNano=nanos(start), endTimeUnixNano=nanos(end),
                attributes=attributes(attrs))
    if status:
        body["status"] = status
    return body
