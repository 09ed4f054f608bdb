"""OTLP/JSON Lines export: the file-exporter rules, the GenAI span shapes, masking and determinism."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from runner.export.masked import MaskedSession, mask_session
from runner.export.otlp.render import EVENT_NAME, log_requests, render_otlp, trace_requests
from runner.export.otlp.spans import ContentMode
from tests.helpers.export_logs import SCRIPT, SECRETS, SESSION_STARTED, export_logs
from tests.helpers.sample_logs import SESSION_ID

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")


def session() -> MaskedSession:
    return mask_session(SESSION_ID, export_logs(with_running=True), started_at=SESSION_STARTED,
                        terminal_only=True)


def lines(data: bytes) -> list[dict[str, Any]]:
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.decode("utf-8").split("\n")[:-1]]


def spans_of(request: dict[str, Any]) -> list[dict[str, Any]]:
    (resource_spans,) = request["resourceSpans"]
    (scope,) = resource_spans["scopeSpans"]
    return list(scope["spans"])


def all_spans(content: ContentMode = ContentMode.NONE) -> list[dict[str, Any]]:
    return [span for request in lines(render_otlp([session()], content).traces) for span in spans_of(request)]


def attrs(item: dict[str, Any]) -> dict[str, Any]:
    """`KeyValue`s as a dict of their single typed value."""
    result = {}
    for pair in item["attributes"]:
        (kind, value), = pair["value"].items()
        result[pair["key"]] = (kind, value)
    return result


def by_name(spans: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [span for span in spans if span["name"] == name]


def test_every_line_follows_the_otlp_json_rules() -> None:
    """Each line is one compact JSON object; ids are lowercase hex (never base64); times are nanosecond strings."""
    documents = render_otlp([session()], ContentMode.MASKED)
    for request in lines(documents.traces):
        assert set(request) == {"resourceSpans"}
        for span in spans_of(request):
            assert HEX32.match(span["traceId"]) and HEX16.match(span["spanId"])
            assert "parentSpanId" not in span or HEX16.match(span["parentSpanId"])
            for key in ("startTimeUnixNano", "endTimeUnixNano"):
                assert isinstance(span[key], str) and span[key].isdigit() and len(span[key]) == 19
            assert int(span["startTimeUnixNano"]) <= int(span["endTimeUnixNano"])
            assert span["kind"] in (1, 3) and isinstance(span["kind"], int)
            for kind, value in attrs(span).values():
                assert kind != "intValue" or (isinstance(value, str) and value.lstrip("-").isdigit())
    for request in lines(documents.logs):
        assert set(request) == {"resourceLogs"}
        for record in request["resourceLogs"][0]["scopeLogs"][0]["logRecords"]:
            assert HEX32.match(record["traceId"]) and HEX16.match(record["spanId"])
            assert record["timeUnixNano"].isdigit()
    assert b"\n\n" not in documents.traces and b"\n " not in documents.traces


def test_one_trace_per_run_with_the_run_span_at_its_root() -> None:
    """Every run is one trace: `invoke_workflow pm-runner` (INTERNAL) is the root, tasks are its children."""
    requests = trace_requests(session())
    assert len(requests) == 5  # run-001 (two tasks), run-002, run-003, run-005, run-006; run-004 is running
    for request in requests:
        spans = spans_of(request)
        root = spans[0]
        assert root["name"] == "invoke_workflow pm-runner" and root["kind"] == 1 and "parentSpanId" not in root
        assert attrs(root)["gen_ai.operation.name"] == ("stringValue", "invoke_workflow")
        assert attrs(root)["gen_ai.workflow.name"] == ("stringValue", "pm-runner")
        assert attrs(root)["pm_runner.run.id"][1].startswith("run-")
        assert {span["traceId"] for span in spans} == {root["traceId"]}
        ids = {span["spanId"] for span in spans}
        assert len(ids) == len(spans)
        assert all(span.get("parentSpanId") in ids for span in spans[1:])
    assert len({request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"] for request in requests}) == 5


def test_task_spans_carry_the_genai_agent_attributes() -> None:
    """A task is `invoke_agent {executor}` (CLIENT) with the required and recommended gen_ai.* attributes."""
    spans = all_spans()
    tasks = by_name(spans, "invoke_agent claude-code")
    assert [attrs(s)["pm_runner.task.id"][1] for s in tasks] == [
        "task-001", "task-002", "task-003", "task-004", "task-006", "task-007"]
    tool_task = next(s for s in tasks if attrs(s)["pm_runner.task.id"][1] == "task-006")
    a = attrs(tool_task)
    assert tool_task["kind"] == 3
    assert a["gen_ai.operation.name"] == ("stringValue", "invoke_agent")
    assert a["gen_ai.provider.name"] == ("stringValue", "anthropic")
    assert a["gen_ai.agent.name"] == ("stringValue", "claude-code")
    assert a["gen_ai.agent.id"] == ("stringValue", "5b3c9e7a-1d2f-4e6a-9c8b-7a6f5e4d3c2b")
    assert a["gen_ai.conversation.id"] == ("stringValue", f"{SESSION_ID}/thr-004")
    assert a["gen_ai.request.model"] == ("stringValue", "sonnet")
    assert a["gen_ai.usage.input_tokens"] == ("intValue", "1110")
    assert a["gen_ai.usage.cache_read.input_tokens"] == ("intValue", "1000")
    assert a["gen_ai.usage.output_tokens"] == ("intValue", "250")
    assert a["pm_runner.cost_usd"] == ("doubleValue", 0.0123)
    assert "error.type" not in a and "status" not in tool_task


def test_failed_tasks_are_errors_and_a_clarification_is_not() -> None:
    """error → status ERROR with error.type = error code; a question handed to the user stays UNSET."""
    tasks = {attrs(s)["pm_runner.task.id"][1]: s for s in by_name(all_spans(), "invoke_agent claude-code")}
    blocked = tasks["task-004"]
    assert blocked["status"] == {"code": 2, "message": "EXECUTOR_BLOCKED"}
    assert attrs(blocked)["error.type"] == ("stringValue", "EXECUTOR_BLOCKED")
    clarification = tasks["task-001"]
    assert "status" not in clarification and "error.type" not in attrs(clarification)
    assert attrs(clarification)["pm_runner.runner_decision"] == ("stringValue", "clarify")
    assert attrs(clarification)["pm_runner.task.status"] == ("stringValue", "incomplete")


def test_tool_uses_are_execute_tool_children_of_their_task() -> None:
    """Each tool use is `execute_tool {tool}` (INTERNAL) under its task; a failed tool result is an ERROR."""
    spans = all_spans()
    task = next(s for s in spans if s["name"].startswith("invoke_agent")
                and attrs(s)["pm_runner.task.id"][1] == "task-006")
    write, bash = by_name(spans, "execute_tool Write")[0], by_name(spans, "execute_tool Bash")[0]
    for span in (write, bash):
        assert span["parentSpanId"] == task["spanId"] and span["kind"] == 1
        assert attrs(span)["gen_ai.operation.name"] == ("stringValue", "execute_tool")
    assert attrs(write)["gen_ai.tool.name"] == ("stringValue", "Write")
    assert attrs(write)["gen_ai.tool.call.id"] == ("stringValue", "toolu_01")
    assert int(write["endTimeUnixNano"]) - int(write["startTimeUnixNano"]) == 500_000_000
    assert bash["status"]["code"] == 2 and attrs(bash)["error.type"] == ("stringValue", "tool_error")
    assert "status" not in write


def test_content_is_left_out_by_default_and_masked_when_asked() -> None:
    """Without --content masked no prompt, output or argument leaves; with it, only masked text does."""
    plain = render_otlp([session()])
    for text in (b"write calc.py and test it", b"python -m pytest", b"calc.py written", b"Create a README"):
        assert text not in plain.traces and text not in plain.logs
    assert all("body" not in r for d in lines(plain.logs) for r in d["resourceLogs"][0]["scopeLogs"][0]["logRecords"])
    rich = render_otlp([session()], ContentMode.MASKED)
    assert b"write calc.py and test it" in rich.traces and b"python -m pytest" in rich.traces
    span = next(s for s in all_spans(ContentMode.MASKED) if s["name"] == "invoke_agent claude-code"
                and attrs(s)["pm_runner.task.id"][1] == "task-006")
    messages = json.loads(attrs(span)["gen_ai.input.messages"][1])
    assert messages == [{"role": "user", "parts": [{"type": "text", "content": "write calc.py and test it"}]}]


@pytest.mark.parametrize("content", list(ContentMode))
def test_no_secret_reaches_either_file(content: ContentMode) -> None:
    """The hostile task's keys and private key are masked in the traces and in the logs file."""
    documents = render_otlp([session()], content)
    for blob in (documents.traces, documents.logs):
        for secret in SECRETS:
            assert secret.encode() not in blob
    if content is ContentMode.MASKED:
        assert b"[MASKED:" in documents.traces and b"[MASKED:" in documents.logs
        assert SCRIPT.encode() in documents.logs  # masked is not escaped: JSON carries text as text


def test_exporting_twice_gives_the_same_bytes() -> None:
    """Ids come from the TaskLog ids and the session start, so a second export is byte-identical."""
    first = render_otlp([session()], ContentMode.MASKED)
    second = render_otlp([session()], ContentMode.MASKED)
    assert first == second
    other = mask_session(SESSION_ID, export_logs(), started_at="2025-02-01T00:00:00.000Z")
    assert lines(render_otlp([other]).traces)[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"] != \
        lines(first.traces)[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]


def test_events_are_log_records_linked_to_their_spans() -> None:
    """Every event is a log record named pm_runner.task.event in its task's trace; tool events point at the tool span."""
    spans = {s["spanId"]: s for s in all_spans()}
    records = [r for d in log_requests(session()) for r in d["resourceLogs"][0]["scopeLogs"][0]["logRecords"]]
    assert len(records) == sum(len(log.events) for log in session().logs)
    for record in records:
        a = attrs(record)
        assert a["event.name"] == ("stringValue", EVENT_NAME) and record["eventName"] == EVENT_NAME
        span = spans[record["spanId"]]
        assert span["traceId"] == record["traceId"]
        assert attrs(span)["pm_runner.task.id"] == a["pm_runner.task.id"]
    tool_records = [r for r in records if attrs(r)["pm_runner.event.id"] == ("stringValue", "evt-0004")
                    and attrs(r)["pm_runner.task.id"] == ("stringValue", "task-006")]
    assert spans[tool_records[0]["spanId"]]["name"] == "execute_tool Write"
    errors = [r for r in records if attrs(r)["pm_runner.event.type"] == ("stringValue", "TASK_ERROR")]
    assert errors and all(r["severityNumber"] == 17 for r in errors)


def test_a_running_task_is_left_out_and_named() -> None:
    """With terminal_only, the running task is not exported and the session says so."""
    masked = session()
    assert [(item.task_id, item.status) for item in masked.left_out] == [("task-005", "running")]
    assert b"task-005" not in render_otlp([masked]).traces


def test_review_iterations_and_subtasks_are_child_spans() -> None:
    """A rejected review iteration and a failed subtask become ERROR children of their task; passing ones do not."""
    from runner.logs.models import EventType
    from tests.helpers.sample_logs import make_event, make_log

    events = [
        make_event(1, EventType.USER_INPUT, "12:00:00.000", prompt="build it"),
        make_event(2, EventType.REVIEW_ITERATION_START, "12:00:01.000", iteration=1),
        make_event(3, EventType.QUALITY_JUDGMENT, "12:00:02.000", verdict="reject"),
        make_event(4, EventType.REVIEW_ITERATION_END, "12:00:03.000"),
        make_event(5, EventType.REVIEW_ITERATION_START, "12:00:04.000", iteration=2),
        make_event(6, EventType.QUALITY_JUDGMENT, "12:00:05.000", verdict="pass"),
        make_event(7, EventType.REVIEW_ITERATION_END, "12:00:06.000"),
        make_event(8, EventType.SUBTASK_START, "12:00:07.000", subtask_id="part-1"),
        make_event(9, EventType.SUBTASK_START, "12:00:07.500", subtask_id="part-2"),
        make_event(10, EventType.SUBTASK_COMPLETE, "12:00:08.000", subtask_id="part-2"),
        make_event(11, EventType.SUBTASK_FAILED, "12:00:09.000", subtask_id="part-1"),
        make_event(12, EventType.TASK_COMPLETE, "12:00:10.000"),
    ]
    session = mask_session(SESSION_ID, [make_log(8, events, thread_id="thr-008", run_id="run-008")],
                           started_at=SESSION_STARTED)
    spans = spans_of(trace_requests(session)[0])
    task = spans[1]
    reviews = by_name(spans, "pm_runner.review_iteration")
    parts = by_name(spans, "pm_runner.subtask")
    assert [attrs(s)["pm_runner.review_iteration.outcome"][1] for s in reviews] == ["reject", "pass"]
    assert [s.get("status", {}).get("code") for s in reviews] == [2, None]
    assert {attrs(s)["pm_runner.subtask.name"][1]: s.get("status", {}).get("code") for s in parts} == {
        "part-1": 2, "part-2": None}
    assert all(s["parentSpanId"] == task["spanId"] for s in reviews + parts)
    part_1 = next(s for s in parts if attrs(s)["pm_runner.subtask.name"][1] == "part-1")
    assert int(part_1["endTimeUnixNano"]) - int(part_1["startTimeUnixNano"]) == 2_000_000_000
