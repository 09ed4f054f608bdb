"""OTLP/JSON Lines for a session: one `ExportTraceServiceRequest` per run, and the sibling logs file.

Per the OpenTelemetry protocol file exporter: UTF-8 JSON Lines, one top-level object per line,
one signal per file (`TracesData` lines in one file, `LogsData` lines in the other). A traces line
can be POSTed as-is to an OTLP/JSON receiver. TaskLog events become log records linked to their
task's span (or their tool call's span), `event.name` = `pm_runner.task.event`; their content
travels only with `ContentMode.MASKED`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from runner import __version__
from runner.export.masked import MaskedSession
from runner.export.otlp.encoding import (
    SEVERITY_ERROR,
    SEVERITY_INFO,
    SEVERITY_WARN,
    any_value,
    attributes,
    nanos,
)
from runner.export.otlp.spans import ContentMode, RunSpans
from runner.export.task_parts import tool_calls
from runner.logs.models import EventType, LogEvent, TaskLog

EVENT_NAME = "pm_runner.task.event"
# The GenAI conventions used (semantic-conventions-genai, gen-ai-agent-spans.md; every one is Development).
GENAI_CONVENTIONS = "semantic-conventions-genai e8fc575 (Development)"

_ERROR_EVENTS = frozenset({EventType.TASK_ERROR, EventType.EXECUTOR_ERROR, EventType.EXECUTOR_BLOCKED,
                           EventType.COST_LIMIT_EXCEEDED, EventType.SUBTASK_FAILED})
_WARN_EVENTS = frozenset({EventType.TASK_INCOMPLETE, EventType.EVIDENCE_MISSING, EventType.COST_WARNING,
                          EventType.CLARIFICATION_REQUEST, EventType.EVENTS_DROPPED})


@dataclass(frozen=True)
class OtlpDocuments:
    """The two files of an OTLP export and how many spans and log records they hold."""

    traces: bytes
    logs: bytes
    span_count: int
    log_record_count: int


def runs_of(session: MaskedSession) -> list[tuple[str, list[TaskLog]]]:
    """The session's tasks grouped by run, runs in the order their first task started."""
    runs: dict[str, list[TaskLog]] = {}
    for log in session.logs:
        runs.setdefault(log.run_id, []).append(log)
    return list(runs.items())


def _resource(session: MaskedSession) -> dict[str, Any]:
    facts = session.facts
    return {"attributes": attributes([
        ("service.name", "pm-runner"), ("service.version", facts.runner_version or __version__),
        ("pm_runner.session.id", session.session_id), ("pm_runner.project.name", facts.project_name),
        ("pm_runner.semconv.genai", GENAI_CONVENTIONS),
    ])}


def _scope(session: MaskedSession) -> dict[str, Any]:
    return {"name": "pm-runner", "version": session.facts.runner_version or __version__}


def trace_requests(session: MaskedSession, content: ContentMode = ContentMode.NONE) -> list[dict[str, Any]]:
    """One `ExportTraceServiceRequest` (= `TracesData`) per run."""
    return [
        {"resourceSpans": [{"resource": _resource(session),
                            "scopeSpans": [{"scope": _scope(session),
                                            "spans": RunSpans(session, run_id, logs, content).spans()}]}]}
        for run_id, logs in runs_of(session)
    ]


def severity(event_type: EventType) -> tuple[int, str]:
    if event_type in _ERROR_EVENTS:
        return SEVERITY_ERROR
    return SEVERITY_WARN if event_type in _WARN_EVENTS else SEVERITY_INFO


def _record(run: RunSpans, log: TaskLog, event: LogEvent, span: str, content: ContentMode) -> dict[str, Any]:
    number, text = severity(event.event_type)
    record: dict[str, Any] = {"timeUnixNano": nanos(event.timestamp), "observedTimeUnixNano": nanos(event.timestamp),
                              "severityNumber": number, "severityText": text}
    if content is ContentMode.MASKED and event.content:
        record["body"] = any_value(event.content)
    record["attributes"] = attributes([
        ("event.name", EVENT_NAME), ("pm_runner.event.type", event.event_type.value),
        ("pm_runner.event.id", event.event_id), ("pm_runner.event.visibility", event.visibility.value),
        ("pm_runner.task.id", log.task_id), ("pm_runner.session.id", run.session.session_id),
    ])
    record.update(traceId=run.trace_id, spanId=span, eventName=EVENT_NAME)
    return record


def _log_records(run: RunSpans, content: ContentMode) -> list[dict[str, Any]]:
    records = []
    for log in run.logs:
        by_event = {}
        for call in tool_calls(log):
            tool_span = run.tool_span_id(log, call)
            by_event[call.use_event.event_id] = tool_span
            if call.result_event is not None:
                by_event[call.result_event.event_id] = tool_span
        task_span = run.task_span_id(log)
        records += [_record(run, log, event, by_event.get(event.event_id, task_span), content) for event in log.events]
    return records


def log_requests(session: MaskedSession, content: ContentMode = ContentMode.NONE) -> list[dict[str, Any]]:
    """One `LogsData` per run: every event of its tasks, in order."""
    return [
        {"resourceLogs": [{"resource": _resource(session),
                           "scopeLogs": [{"scope": _scope(session),
                                          "logRecords": _log_records(RunSpans(session, run_id, logs, content),
                                                                     content)}]}]}
        for run_id, logs in runs_of(session)
    ]


def json_lines(documents: list[dict[str, Any]]) -> bytes:
    """Compact JSON, one document per line, each line ending in `\\n`."""
    return b"".join(orjson.dumps(document) + b"\n" for document in documents)


def render_otlp(sessions: list[MaskedSession], content: ContentMode = ContentMode.NONE) -> OtlpDocuments:
    """The traces file and the logs file of one or more sessions."""
    traces = [line for session in sessions for line in trace_requests(session, content)]
    logs = [line for session in sessions for line in log_requests(session, content)]
    return OtlpDocuments(
        traces=json_lines(traces), logs=json_lines(logs),
        span_count=sum(len(t["resourceSpans"][0]["scopeSpans"][0]["spans"]) for t in traces),
        log_record_count=sum(len(d["resourceLogs"][0]["scopeLogs"][0]["logRecords"]) for d in logs),
    )
