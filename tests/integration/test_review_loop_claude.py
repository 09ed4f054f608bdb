"""The review loop end to end: piped `pm-runner repl` runs with the fake `claude` (real subprocesses, real files).

Each test is one scenario of issue 12's "Must show": a check that fails then passes after the
modification prompt resumes the same agent session; a task that never passes (incomplete, then
escalation); an overloaded first attempt; a missing model; a session budget crossed.
"""

from __future__ import annotations

import json
from pathlib import Path

from runner.logs.models import EventType, LogEvent, TaskLog
from tests.helpers.cli import project_with_config, run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent

# The review loop's story as the summary view tells it, plus the full-view grouping events.
STORY = frozenset({
    EventType.REVIEW_LOOP_START, EventType.REVIEW_ITERATION_START, EventType.QUALITY_JUDGMENT,
    EventType.REJECTION_DETAILS, EventType.MODIFICATION_PROMPT, EventType.REVIEW_ITERATION_END,
    EventType.REVIEW_LOOP_END, EventType.RETRY_DECISION, EventType.RETRY_START, EventType.RETRY_SUCCESS,
    EventType.ESCALATE_DECISION, EventType.ESCALATE_EXECUTED, EventType.MODEL_SELECTED, EventType.MODEL_SWITCH,
    EventType.MODEL_FALLBACK, EventType.COST_WARNING, EventType.COST_LIMIT_EXCEEDED,
    EventType.TASK_COMPLETE, EventType.TASK_INCOMPLETE, EventType.TASK_ERROR,
})


def claude_env(tmp_path: Path, scenario: str, **extra: str) -> dict[str, str]:
    """The fake claude playing `scenario`, each run reporting $0.0123 unless `extra` says otherwise."""
    return runner_env({"FAKE_CLAUDE_SCENARIO": scenario, "FAKE_CLAUDE_CALLS": str(tmp_path / "calls.jsonl"),
                       "FAKE_CLAUDE_PATH": "notes.md", "FAKE_CLAUDE_COST": "0.0123", **extra}, fake_claude=True)


def calls(tmp_path: Path) -> list[list[str]]:
    """The argv of every fake claude call, in order."""
    path = tmp_path / "calls.jsonl"
    return [json.loads(line)["argv"] for line in path.read_text().splitlines()] if path.exists() else []


def story(log: TaskLog) -> list[str]:
    """`TYPE` or `TYPE:verdict/decision` for each loop event, in order."""
    return [_label(event) for event in log.events if event.event_type in STORY]


def _label(event: LogEvent) -> str:
    detail = event.content.get("verdict") or event.content.get("decision") or event.content.get("result")
    return f"{event.event_type.value}:{detail}" if isinstance(detail, str) else event.event_type.value


def of_type(log: TaskLog, event_type: EventType) -> list[LogEvent]:
    return [event for event in log.events if event.event_type is event_type]


def test_a_failing_check_sends_the_agent_back_and_the_second_pass_passes(tmp_path: Path) -> None:
    """Pass 1 leaves the check failing; the modification prompt resumes the same session; pass 2 passes: COMPLETE."""
    project = project_with_config(tmp_path)
    run = run_pm(["repl", "--check", "grep -q Revised notes.md"], stdin="write notes.md\n", cwd=project,
                 env=claude_env(tmp_path, "revise_on_resume"))
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(project)
    assert story(log) == [
        "REVIEW_LOOP_START", "REVIEW_ITERATION_START", "MODEL_SELECTED", "QUALITY_JUDGMENT:REJECT",
        "REJECTION_DETAILS", "MODIFICATION_PROMPT", "REVIEW_ITERATION_END:REJECT",
        "REVIEW_ITERATION_START", "MODEL_SELECTED", "QUALITY_JUDGMENT:PASS", "REVIEW_ITERATION_END:PASS",
        "REVIEW_LOOP_END:PASS", "TASK_COMPLETE"]
    first, second = calls(tmp_path)
    assert "--resume" not in first
    session = log.resume_token
    assert session and second[second.index("--resume") + 1] == session
    (prompt,) = of_type(log, EventType.MODIFICATION_PROMPT)
    assert second[-1] == prompt.content["prompt"] and "check `grep -q Revised notes.md` failed" in second[-1]
    (details,) = of_type(log, EventType.REJECTION_DETAILS)
    assert details.content["failures"][0]["criterion"] == "check `grep -q Revised notes.md`"
    assert [(i.iteration, i.verdict) for i in log.review_iterations] == [(1, "REJECT"), (2, "PASS")]
    assert log.metrics is not None and log.metrics.passes == 2 and log.metrics.cost_usd == 0.0246
    assert "Revised after review." in (project / "notes.md").read_text()
    visibility = {e.event_type: e.visibility.value for e in log.events}
    assert visibility[EventType.QUALITY_JUDGMENT] == "summary" and visibility[EventType.MODIFICATION_PROMPT] == "full"
    assert visibility[EventType.REJECTION_DETAILS] == "full" and visibility[EventType.REVIEW_LOOP_START] == "summary"


def test_a_task_that_never_passes_is_incomplete_after_max_iterations(tmp_path: Path) -> None:
    """A check that never passes: three iterations, each resumed, then INCOMPLETE naming the check; exit 2."""
    project = project_with_config(tmp_path)
    run = run_pm(["repl", "--check", "grep -q Approved notes.md"], stdin="write notes.md\n", cwd=project,
                 env=claude_env(tmp_path, "write"), expect=2)
    assert "RESULT: INCOMPLETE" in run.stdout and "check `grep -q Approved notes.md`" in run.stdout
    (log,) = assert_logs_consistent(project)
    assert log.status.value == "incomplete" and log.error_code is not None
    assert log.error_code.value == "REVIEW_REJECTED"
    judgments = [e.content["verdict"] for e in of_type(log, EventType.QUALITY_JUDGMENT)]
    assert judgments == ["REJECT", "REJECT", "REJECT"]
    assert len(calls(tmp_path)) == 3 and len(of_type(log, EventType.MODIFICATION_PROMPT)) == 2
    assert story(log)[-2:] == ["REVIEW_LOOP_END:REJECT", "TASK_INCOMPLETE"]


def test_escalation_runs_a_fresh_loop_on_the_stronger_model(tmp_path: Path) -> None:
    """After max_iterations of REJECT, --escalate-model runs one fresh loop (new session) that passes."""
    project = project_with_config(tmp_path)
    run = run_pm(["repl", "--model", "claude-haiku-4-5", "--max-iterations", "2", "--escalate-model",
                  "claude-opus-4-8", "--check", "grep -q 'Written by claude-opus-4-8' notes.md"],
                 stdin="write notes.md\n", cwd=project, env=claude_env(tmp_path, "signed"))
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(project)
    assert story(log) == [
        "REVIEW_LOOP_START", "REVIEW_ITERATION_START", "MODEL_SELECTED", "QUALITY_JUDGMENT:REJECT",
        "REJECTION_DETAILS", "MODIFICATION_PROMPT", "REVIEW_ITERATION_END:REJECT",
        "REVIEW_ITERATION_START", "MODEL_SELECTED", "QUALITY_JUDGMENT:REJECT",
        "REJECTION_DETAILS", "MODIFICATION_PROMPT", "REVIEW_ITERATION_END:REJECT", "REVIEW_LOOP_END:REJECT",
        "RETRY_DECISION:ESCALATE", "ESCALATE_DECISION", "MODEL_SWITCH", "ESCALATE_EXECUTED",
        "REVIEW_LOOP_START", "REVIEW_ITERATION_START", "MODEL_SELECTED", "QUALITY_JUDGMENT:PASS",
        "REVIEW_ITERATION_END:PASS", "REVIEW_LOOP_END:PASS", "TASK_COMPLETE"]
    (switch,) = of_type(log, EventType.MODEL_SWITCH)
    assert (switch.content["from_model"], switch.content["to_model"]) == ("claude-haiku-4-5", "claude-opus-4-8")
    assert "escalation" in switch.content["why"]
    argvs = calls(tmp_path)
    assert [argv[argv.index("--model") + 1] for argv in argvs] == ["claude-haiku-4-5"] * 2 + ["claude-opus-4-8"]
    assert "--resume" in argvs[1] and "--resume" not in argvs[2]
    assert argvs[2][-1].startswith("write notes.md\n\n---\n") and "another model" in argvs[2][-1]
    assert log.artifacts.files_created == ["notes.md"]
    reasons = [e.content["why"] for e in of_type(log, EventType.MODEL_SELECTED)]
    assert reasons == ["--model flag", "--model flag", "escalation"]
    assert [(i.loop, i.model, i.verdict) for i in log.review_iterations] == [
        (1, "claude-haiku-4-5", "REJECT"), (1, "claude-haiku-4-5", "REJECT"), (2, "claude-opus-4-8", "PASS")]


def test_an_overloaded_first_attempt_is_retried_and_succeeds(tmp_path: Path) -> None:
    """A 529 overloaded first pass is retried after a backoff (same prompt, no resume): RETRY_SUCCESS, COMPLETE."""
    project = project_with_config(tmp_path, {"review": {"retry_backoff_ms": 50}})
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=project, env=claude_env(tmp_path, "overloaded,write"))
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(project)
    assert story(log) == [
        "REVIEW_LOOP_START", "REVIEW_ITERATION_START", "MODEL_SELECTED", "QUALITY_JUDGMENT:RETRY",
        "RETRY_DECISION:RETRY", "RETRY_START", "MODEL_SELECTED", "RETRY_SUCCESS", "QUALITY_JUDGMENT:PASS",
        "REVIEW_ITERATION_END:PASS", "REVIEW_LOOP_END:PASS", "TASK_COMPLETE"]
    (decision,) = of_type(log, EventType.RETRY_DECISION)
    assert decision.content["delay_ms"] == 50 and "529" in decision.content["why"]
    first, second = calls(tmp_path)
    assert first == second
    assert log.review_iterations[0].retries == 1 and log.metrics is not None and log.metrics.passes == 2


def test_a_missing_model_falls_back(tmp_path: Path) -> None:
    """A model the agent reports unavailable (404) re-runs the pass on --fallback-model: MODEL_FALLBACK, COMPLETE."""
    project = project_with_config(tmp_path)
    run = run_pm(["repl", "--model", "claude-nonexistent-9", "--fallback-model", "claude-sonnet-4-6"],
                 stdin="write notes.md\n", cwd=project,
                 env=claude_env(tmp_path, "write", FAKE_CLAUDE_MODELS="claude-sonnet-4-6,claude-opus-4-8"))
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(project)
    (fallback,) = of_type(log, EventType.MODEL_FALLBACK)
    assert (fallback.content["from_model"], fallback.content["to_model"]) == ("claude-nonexistent-9",
                                                                              "claude-sonnet-4-6")
    assert "issue with the selected model" in fallback.content["why"]
    selected = [(e.content["model"], e.content["why"]) for e in of_type(log, EventType.MODEL_SELECTED)]
    assert selected == [("claude-nonexistent-9", "--model flag"), ("claude-sonnet-4-6", "fallback")]
    assert fallback.visibility.value == "summary" and log.review_iterations[0].fallback
    assert log.metrics is not None and log.metrics.model == "claude-sonnet-4-6"


def test_a_missing_model_without_fallback_is_an_error(tmp_path: Path) -> None:
    """Without --fallback-model a missing model ends the task ERROR after one pass (no retry: it would fail again)."""
    project = project_with_config(tmp_path)
    run = run_pm(["repl", "--model", "claude-nonexistent-9"], stdin="write notes.md\n", cwd=project,
                 env=claude_env(tmp_path, "write", FAKE_CLAUDE_MODELS="claude-sonnet-4-6"), expect=1)
    assert "RESULT: ERROR" in run.stdout and "issue with the selected model" in run.stdout
    assert len(calls(tmp_path)) == 1


def test_a_session_budget_warns_then_stops_the_loop_and_refuses_the_next_task(tmp_path: Path) -> None:
    """$0.01 a pass against $0.025: COST_WARNING at 80%, COST_LIMIT_EXCEEDED at 100%, the loop stops (no pass 4),
    the task ends BUDGET_EXCEEDED, the next task is refused, /budget and /status show spent / budget, /budget raises
    it, and the run exits 1."""
    project = project_with_config(tmp_path)
    script = "write notes.md\nwrite other.md\n/budget\n/status\n/budget 1\nwrite third.md\n"
    run = run_pm(["repl", "--max-iterations", "5", "--max-cost-usd", "0.025",
                  "--check", "grep -q Approved notes.md"], stdin=script, cwd=project,
                 env=claude_env(tmp_path, "write", FAKE_CLAUDE_COST="0.01"), expect=1)
    first, refused, third = sorted(assert_logs_consistent(project), key=lambda log: log.task_id)
    assert [e.event_type for e in first.events if e.event_type in (
        EventType.COST_WARNING, EventType.COST_LIMIT_EXCEEDED)] == [EventType.COST_WARNING,
                                                                     EventType.COST_LIMIT_EXCEEDED]
    assert len(of_type(first, EventType.QUALITY_JUDGMENT)) == 3  # not 5: the loop stopped at the limit
    assert first.status.value == "error" and first.error_code is not None
    assert first.error_code.value == "BUDGET_EXCEEDED" and "session budget of $0.0250 reached" in (first.error_reason or "")
    assert story(first)[-2:] == ["REVIEW_LOOP_END:BUDGET_EXCEEDED", "TASK_ERROR"]
    assert refused.status.value == "error" and refused.error_code is not None
    assert refused.error_code.value == "BUDGET_EXCEEDED" and "no new task runs" in (refused.error_reason or "")
    assert third.status.value == "incomplete"  # after /budget 1 the session runs tasks again
    assert len(calls(tmp_path)) == 3 + 5
    block = run.stdout.split("TASK: task-001", 1)[1]
    assert "SPENT: $0.0300 this task; session $0.0300 of $0.0250 (120%)" in block
    assert "WARNING: session budget 80% used ($0.0200 of $0.0250)" in run.stderr
    assert run.stdout.count("Budget: $0.0300 of $0.0250 (120%)") == 2  # /budget, then /status


def test_a_refused_tool_call_ends_the_loop_after_one_pass(tmp_path: Path) -> None:
    """A shell command the agent's permissions refused is not sent back (it would be refused again): one pass,
    INCOMPLETE with PERMISSION_DENIED and how to allow it, the loop's end saying why."""
    project = project_with_config(tmp_path)
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=project, env=claude_env(tmp_path, "write_and_run"),
                 expect=2)
    assert "RESULT: INCOMPLETE" in run.stdout and "--allowed-tools 'Bash(cat notes.md)'" in run.stdout
    (log,) = assert_logs_consistent(project)
    assert log.error_code is not None and log.error_code.value == "PERMISSION_DENIED"
    assert story(log) == [
        "REVIEW_LOOP_START", "REVIEW_ITERATION_START", "MODEL_SELECTED", "REVIEW_ITERATION_END:PERMISSION_DENIED",
        "REVIEW_LOOP_END:PERMISSION_DENIED", "TASK_INCOMPLETE"]
    assert len(calls(tmp_path)) == 1
