"""`pm-runner logs export|report|stats` and `/logs --report` on real sessions (real REPL runs, fake `claude`)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from runner.logs.models import TaskLog
from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent
from tests.helpers.otlp_receiver import otlp_receiver

SECRET_VALUE = "exp0rt-s3cret-" + "Zq8Lw2Rv9Tx4Yp6Kd1Mn"
OPENAI_KEY = "sk-proj-" + "Xy12Ab34Cd56Ef78Gh90Ij12Kl34Mn56Op78Qr90St12Uv34Wx56Yz78Ab90Cd12Ef34"
SCRIPT = f"""make a readme
README.md
/provider shell
echo deploying with {OPENAI_KEY} $PM_EXPORT_TEST_TOKEN && false
"""


def env() -> dict[str, str]:
    return runner_env({"FAKE_CLAUDE_SCENARIO": "question_then_write", "PM_EXPORT_TEST_TOKEN": SECRET_VALUE},
                      fake_claude=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real session: a clarification, its answer writing README.md with a Write tool call, a failing shell task."""
    root = tmp_path_factory.mktemp("exports") / "proj"
    root.mkdir()
    run_pm(["repl"], stdin=SCRIPT, cwd=root, env=env(), expect=1)
    return root


def logs_of(project: Path) -> list[TaskLog]:
    return sorted(assert_logs_consistent(project), key=lambda log: log.task_id)


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def spans(path: Path) -> list[dict[str, Any]]:
    return [s for line in read_lines(path) for s in line["resourceSpans"][0]["scopeSpans"][0]["spans"]]


def attrs(span: dict[str, Any]) -> dict[str, Any]:
    return {a["key"]: next(iter(a["value"].values())) for a in span["attributes"]}


def test_otlp_export_of_a_real_session(project: Path, tmp_path: Path) -> None:
    """The export names every span, links parents, carries gen_ai.* usage and marks the failed task; each
    claude-code task's review iteration is a span under it, with how it ended."""
    run = run_pm(["logs", "export", "--format", "otlp", "--output", str(tmp_path)], cwd=project, env=env())
    assert "Wrote 8 spans to" in run.stderr and "otel-logs.jsonl" in run.stderr
    found = spans(tmp_path / "otel-traces.jsonl")
    names = sorted(s["name"] for s in found)
    assert names == ["execute_tool Write", "invoke_agent claude-code", "invoke_agent claude-code",
                     "invoke_agent shell", "invoke_workflow pm-runner", "invoke_workflow pm-runner",
                     "pm_runner.review_iteration", "pm_runner.review_iteration"]
    by_id = {s["spanId"]: s for s in found}
    question, answer, failed = logs_of(project)
    tasks = {attrs(s)["pm_runner.task.id"]: s for s in found if s["name"].startswith("invoke_agent")}
    assert by_id[tasks["task-001"]["parentSpanId"]] is by_id[tasks["task-002"]["parentSpanId"]]  # one run
    write = next(s for s in found if s["name"] == "execute_tool Write")
    assert write["parentSpanId"] == tasks["task-002"]["spanId"]
    answered = attrs(tasks["task-002"])
    # The fake claude's result usage: per model call 1200 input + 300 cache creation + 2000 cache read
    # tokens; the answer took 3 calls, the question 1.
    assert answered["gen_ai.usage.input_tokens"] == "10500" and answered["gen_ai.usage.cache_read.input_tokens"] == "6000"
    assert answered["gen_ai.agent.id"] == answer.resume_token and answered["gen_ai.provider.name"] == "anthropic"
    assert "status" not in tasks["task-001"] and attrs(tasks["task-001"])["pm_runner.runner_decision"] == "clarify"
    assert tasks["task-003"]["status"]["code"] == 2 and attrs(tasks["task-003"])["error.type"] == failed.error_code
    iterations = {attrs(s)["pm_runner.task.id"]: s for s in found if s["name"] == "pm_runner.review_iteration"}
    assert {task: (s["parentSpanId"] == tasks[task]["spanId"], attrs(s)["pm_runner.review_iteration.outcome"])
            for task, s in iterations.items()} == {"task-001": (True, "CLARIFY"), "task-002": (True, "PASS")}
    records = [r for line in read_lines(tmp_path / "otel-logs.jsonl")
               for r in line["resourceLogs"][0]["scopeLogs"][0]["logRecords"]]
    assert len(records) == sum(len(log.events) for log in (question, answer, failed))
    assert all(r["spanId"] in by_id for r in records)


@pytest.mark.parametrize("content", ["none", "masked"])
def test_the_export_holds_no_secret_and_is_the_same_twice(project: Path, tmp_path: Path, content: str) -> None:
    """Neither file holds the key or the secret env value; a second export is byte-identical."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    for folder in (first, second):
        run_pm(["logs", "export", "--content", content, "--output", str(folder)], cwd=project, env=env())
    for name in ("otel-traces.jsonl", "otel-logs.jsonl"):
        data = (first / name).read_bytes()
        assert data == (second / name).read_bytes()
        assert OPENAI_KEY.encode() not in data and SECRET_VALUE.encode() not in data
        assert stat.S_IMODE((first / name).stat().st_mode) == 0o600
    if content == "masked":
        assert b"[MASKED:" in (first / "otel-traces.jsonl").read_bytes()


def test_jsonl_is_one_event_per_line(project: Path) -> None:
    """`--format jsonl` on stdout: one JSON object per event, each with the ids that place it."""
    run = run_pm(["logs", "export", "--format", "jsonl"], cwd=project, env=env())
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    logs = logs_of(project)
    assert len(rows) == sum(len(log.events) for log in logs)
    assert {(r["task_id"], r["event_id"]) for r in rows} == {(log.task_id, e.event_id) for log in logs for e in log.events}
    assert all(r["session_id"] == logs[0].session_id and r["run_id"].startswith("run-") for r in rows)
    assert OPENAI_KEY not in run.stdout and SECRET_VALUE not in run.stdout


def test_endpoint_retries_then_counts_the_spans(project: Path) -> None:
    """--endpoint posts protobuf to the receiver, retries a 503, and says how many spans were accepted."""
    with otlp_receiver() as receiver:
        receiver.answers = [(503, {})]
        run = run_pm(["logs", "export", "--endpoint", receiver.url, "--header", "x-project-name=demo"],
                     cwd=project, env=env())
    assert "8 of 8 spans accepted by" in run.stderr and "1 retried" in run.stderr
    assert run.stdout == ""  # sending does not also dump the traces
    assert all(r.headers["content-type"] == "application/x-protobuf" for r in receiver.received)
    assert receiver.received[0].headers["x-project-name"] == "demo"
    assert sum(len(r.decoded().resource_spans[0].scope_spans[0].spans) for r in receiver.received[1:]) == 8


def test_endpoint_refusal_is_an_error(project: Path) -> None:
    """A 415 is not retried: exit 1, the reason and the count on stderr."""
    with otlp_receiver() as receiver:
        receiver.answers = [(415, {})]
        run = run_pm(["logs", "export", "--endpoint", receiver.url], cwd=project, env=env(), expect=1)
    assert "HTTP 415" in run.stderr and "0 of 8 spans accepted" in run.stderr and "ERROR:" in run.stderr


def test_reports_markdown_and_html(project: Path, tmp_path: Path) -> None:
    """A task's 12-section Markdown on stdout; the session's HTML written 0600 to --output."""
    md = run_pm(["logs", "report", "task-002", "--format", "md"], cwd=project, env=env()).stdout
    assert md.startswith("# Task report: task-002 (COMPLETE)") and md.count("\n## ") == 12
    target = tmp_path / "session.html"
    run = run_pm(["logs", "report", "--format", "html", "--output", str(target)], cwd=project, env=env())
    assert f"to {target}" in run.stderr and stat.S_IMODE(target.stat().st_mode) == 0o600
    html = target.read_text()
    assert html.count('data-testid="task-card"') == 3 and html.count('data-testid="tool-call"') == 1
    assert OPENAI_KEY not in html and SECRET_VALUE not in html
    bad = run_pm(["logs", "report", "task-002", "--format", "html"], cwd=project, env=env(), expect=1)
    assert "covers a whole session" in bad.stderr and "HINT:" in bad.stderr


def test_stats_json_and_since(project: Path) -> None:
    """Stats count tasks by status and sum tokens from the index; --since filters; a bad value is explained."""
    data = json.loads(run_pm(["logs", "stats", "--json"], cwd=project, env=env()).stdout)
    assert data["schema_version"] == 1 and data["tasks"]["total"] == 3
    assert data["tasks"]["by_status"] == {"queued": 0, "running": 0, "complete": 1, "incomplete": 1, "error": 1}
    assert data["usage"]["input_tokens"] == 3500 + 10500 and data["by"]["executor"]["shell"]["tasks"] == 1
    future = json.loads(run_pm(["logs", "stats", "--json", "--since", "2999-01-01"], cwd=project, env=env()).stdout)
    assert future["tasks"]["total"] == 0
    bad = run_pm(["logs", "stats", "--since", "yesterday"], cwd=project, env=env(), expect=1)
    assert "invalid value 'yesterday' for --since" in bad.stderr and "2025-01-12" in bad.stderr


def test_repl_report_is_written_under_the_logs(tmp_path: Path) -> None:
    """`/logs --report` writes the session's HTML report under .claude/logs/reports/ (0600) and prints its path."""
    run = run_pm(["repl", "--executor", "shell"], stdin="echo hi\n/logs --report\n", cwd=tmp_path)
    line = next(line for line in run.lines if line.startswith("Report: "))
    path = Path(line.removeprefix("Report: "))
    assert path.parent == tmp_path / ".claude" / "logs" / "reports" and path.suffix == ".html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert 'data-testid="task-card"' in path.read_text()


def test_repl_report_refuses_a_symlinked_folder(tmp_path: Path) -> None:
    """A reports folder that is a link (e.g. from a cloned repository) is refused, not followed."""
    run_pm(["repl", "--executor", "shell"], stdin="echo hi\n", cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / ".claude" / "logs" / "reports").symlink_to(elsewhere)
    run = run_pm(["logs", "--report"], cwd=tmp_path, expect=1)
    assert "symbolic link" in run.stderr and list(elsewhere.iterdir()) == []


@contextmanager
def repl_working_on(project: Path, lines: bytes, started: str, *flags: str) -> Iterator[None]:
    """A shell-executor REPL fed `lines`, once a file matching `started` exists under its sessions; stopped after."""
    proc = subprocess.Popen([sys.executable, "-m", "runner", "repl", "--executor", "shell", *flags], cwd=project,
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=runner_env())
    try:
        assert proc.stdin is not None
        proc.stdin.write(lines)
        proc.stdin.flush()
        sessions = project / ".claude" / "logs" / "sessions"
        deadline = time.monotonic() + 30
        while not any(sessions.glob(started)):
            assert time.monotonic() < deadline, f"no {started} appeared"
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()  # the runner cancels its task and ends the task's process group
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_live_session_exports_what_is_finished(tmp_path: Path) -> None:
    """While the runner works on a task, export leaves that task out and says so."""
    with repl_working_on(tmp_path, b"echo first\nsleep 30\n", "*/tasks/task-002.json"):
        run = run_pm(["logs", "export", "--format", "jsonl"], cwd=tmp_path)
        assert "is still running; exported its finished tasks only" in run.stderr
        assert "left out task-002" in run.stderr
        assert {json.loads(line)["task_id"] for line in run.stdout.splitlines()} == {"task-001"}


def test_a_live_normal_mode_task_s_report_names_a_file_that_exists(tmp_path: Path) -> None:
    """A report of a task still running in normal mode names its event journal, the file that holds it then."""
    with repl_working_on(tmp_path, b"sleep 30\n", "*/tasks/task-001.events.jsonl", "--durability", "normal"):
        report = run_pm(["logs", "report", "task-001"], cwd=tmp_path).stdout
        named = next(line for line in report.splitlines() if line.startswith("- Log: "))
        path = tmp_path / named.removeprefix("- Log: ").strip("`")
        assert path.name == "task-001.events.jsonl" and path.is_file(), named
        assert not (path.parent / "task-001.json").exists()  # normal mode: no snapshot before the end


def test_otlp_output_folder_is_made_when_named_with_a_slash(project: Path, tmp_path: Path) -> None:
    """`--output new/` makes the folder (0700) and writes both files in it; `--output x.jsonl` gets a sibling."""
    run_pm(["logs", "export", "--output", f"{tmp_path}/new/"], cwd=project, env=env())
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["otel-logs.jsonl", "otel-traces.jsonl"]
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o700
    run_pm(["logs", "export", "--output", str(tmp_path / "run.jsonl")], cwd=project, env=env())
    assert (tmp_path / "run.jsonl").exists() and (tmp_path / "run-logs.jsonl").exists()


def test_bad_usage_is_explained(project: Path) -> None:
    """Unknown options and contradictions are usage errors (exit 64), bad values errors (1); each names the fix."""
    for args, expected, code in (
            (["logs", "export", "--all", "--session", "latest"], "cannot be combined", 64),
            (["logs", "export", "--format", "csv"], "invalid choice", 64),
            (["logs", "export", "--header", "novalue", "--endpoint", "http://127.0.0.1:9"], "KEY=VALUE", 1),
            (["logs", "export", "--endpoint", "ftp://x"], "http:// or https://", 1)):
        run = run_pm(args, cwd=project, env=env(), expect=code)
        assert expected in run.stderr and "Traceback" not in run.stderr, run.transcript()
    assert os.path.exists(project)
