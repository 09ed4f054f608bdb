"""Opt-in: export a session to a real Arize Phoenix and read the spans back through its REST API.

Runs only where Phoenix is installed: `phoenix` on PATH, or PM_RUNNER_PHOENIX=/path/to/phoenix
(e.g. `python3 -m venv /tmp/phx && /tmp/phx/bin/pip install arize-phoenix`, then
`PM_RUNNER_PHOENIX=/tmp/phx/bin/phoenix pytest -m otel_backend`). Phoenix listens on loopback
only, with telemetry off, in a temporary working folder; it is stopped at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runner.export.masked import mask_session
from runner.export.otlp.render import trace_requests
from runner.export.otlp.sender import send_traces
from tests.helpers.export_logs import SESSION_STARTED, export_logs
from tests.helpers.sample_logs import SESSION_ID

pytestmark = pytest.mark.otel_backend
PROJECT = "pm-runner-test"
START_TIMEOUT_S = 180


def _phoenix() -> str:
    found = os.environ.get("PM_RUNNER_PHOENIX") or shutil.which("phoenix")
    if not found or not Path(found).exists():
        pytest.skip("Arize Phoenix is not installed: pip install arize-phoenix, then set PM_RUNNER_PHOENIX")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = _phoenix()
    work = tmp_path_factory.mktemp("phoenix")
    port = _free_port()
    env = {**os.environ, "PHOENIX_HOST": "127.0.0.1", "PHOENIX_PORT": str(port),
           "PHOENIX_GRPC_PORT": str(_free_port()), "PHOENIX_WORKING_DIR": str(work),
           "PHOENIX_TELEMETRY_ENABLED": "false"}
    log = (work / "phoenix.log").open("wb")
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None, (work / "phoenix.log").read_text()[-3000:]
                assert time.monotonic() < deadline, "Phoenix did not start in time"
                time.sleep(1)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _spans(base: str, trace_id: str, expected: int) -> list[dict[str, Any]]:
    """Phoenix ingests in the background: poll until the trace's spans are all there."""
    deadline = time.monotonic() + 60
    while True:
        try:
            data = _get(f"{base}/v1/projects/{PROJECT}/spans?trace_id={trace_id}")["data"]
            if len(data) >= expected:
                return list(data)
        except urllib.error.HTTPError as exc:
            assert exc.code == 404, exc  # the project appears with its first span
        assert time.monotonic() < deadline, f"only part of trace {trace_id} arrived"
        time.sleep(1)


def test_phoenix_stores_the_spans_with_their_parents_and_attributes(phoenix: str) -> None:
    """Every span sent is accepted; read back, names, parents, gen_ai.* attributes and statuses hold."""
    session = mask_session(SESSION_ID, export_logs(), started_at=SESSION_STARTED)
    requests = trace_requests(session)
    report = send_traces(requests, phoenix, {"x-project-name": PROJECT})
    assert report.spans_accepted == report.spans_sent > 0 and report.spans_rejected == 0, report.notes
    tool_run = next(r for r in requests if any(s["name"] == "execute_tool Bash"
                                               for s in r["resourceSpans"][0]["scopeSpans"][0]["spans"]))
    sent = tool_run["resourceSpans"][0]["scopeSpans"][0]["spans"]
    stored = {s["context"]["span_id"]: s for s in _spans(phoenix, sent[0]["traceId"], len(sent))}
    assert set(stored) == {s["spanId"] for s in sent}
    by_name = {s["name"]: s for s in stored.values()}
    run, task = by_name["invoke_workflow pm-runner"], by_name["invoke_agent claude-code"]
    assert run["parent_id"] is None and task["parent_id"] == run["context"]["span_id"]
    assert by_name["execute_tool Bash"]["parent_id"] == task["context"]["span_id"]
    assert task["attributes"]["gen_ai.operation.name"] == "invoke_agent"
    assert task["attributes"]["gen_ai.usage.input_tokens"] == 1110
    assert task["attributes"]["gen_ai.provider.name"] == "anthropic"
    assert by_name["execute_tool Bash"]["status_code"] == "ERROR"
    assert task["span_kind"] == "AGENT"  # Phoenix read the OpenInference kind
    failed_run = next(r for r in requests if any(
        s.get("status", {}).get("message") == "EXECUTOR_BLOCKED" for s in r["resourceSpans"][0]["scopeSpans"][0]["spans"]))
    failed = _spans(phoenix, failed_run["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"], 2)
    assert {s["status_code"] for s in failed if s["name"].startswith("invoke_agent")} == {"ERROR"}


def test_the_cli_exports_a_real_session_to_phoenix(phoenix: str, tmp_path: Path) -> None:
    """`pm-runner logs export --endpoint` on a real shell session: every span accepted and stored."""
    from tests.helpers.cli import run_pm

    project = tmp_path / "demo"
    project.mkdir()
    run_pm(["repl", "--executor", "shell"], stdin="echo hi\nfalse\n", cwd=project, expect=1)
    run = run_pm(["logs", "export", "--endpoint", phoenix, "--header", f"x-project-name={PROJECT}",
                  "--output", f"{tmp_path}/otlp/"], cwd=project)
    assert "4 of 4 spans accepted" in run.stderr, run.transcript()
    lines = [json.loads(line) for line in (tmp_path / "otlp" / "otel-traces.jsonl").read_text().splitlines()]
    failed_run = lines[1]["resourceSpans"][0]["scopeSpans"][0]["spans"]
    stored = _spans(phoenix, failed_run[0]["traceId"], 2)
    assert {s["name"] for s in stored} == {"invoke_workflow pm-runner", "invoke_agent shell"}
    task = next(s for s in stored if s["name"] == "invoke_agent shell")
    assert task["status_code"] == "ERROR" and task["attributes"]["error.type"] == "EXECUTOR_FAILED"
    assert task["attributes"]["gen_ai.provider.name"] == "_OTHER"
