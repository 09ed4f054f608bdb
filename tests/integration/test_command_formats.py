"""The `command` executor with placeholders and a stream format: a wrapper script's stdout read by an
agent's decoder (fake agent CLIs as the wrapped programs)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runner.errors import ExecutorUnavailableError
from runner.executors.base import ExecutorLimits, ExecutorStatus, ExecutorTask
from runner.executors.command import STREAM_FORMATS, CommandExecutor, build_argv
from runner.logs.models import ErrorCode
from tests.helpers.recording_sink import FIXTURE_BIN, RecordingSink

LIMITS = ExecutorLimits(executor_timeout_ms=20_000, progress_timeout_ms=10_000, kill_grace_ms=1_000)
CODEX = f"{FIXTURE_BIN}/codex exec --json --sandbox workspace-write --skip-git-repo-check"
GEMINI = f"{FIXTURE_BIN}/gemini --output-format stream-json --skip-trust --approval-mode yolo"


@pytest.fixture(autouse=True)
def fake_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_AGENTS_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("FAKE_CODEX_CALLS", str(tmp_path / "codex.jsonl"))
    monkeypatch.setenv("FAKE_GEMINI_CALLS", str(tmp_path / "gemini.jsonl"))


def task(root: Path, prompt: str, **extra: str) -> ExecutorTask:
    return ExecutorTask(prompt=prompt, project_root=root, limits=LIMITS, **extra)  # type: ignore[arg-type]


def test_placeholders_are_filled_and_empty_optional_ones_dropped() -> None:
    """{model} and {session} with their option disappear when unset; {cwd} is the project folder."""
    words = ["agent", "-m", "{model}", "--resume", "{session}", "--dir={cwd}", "{prompt}"]
    assert build_argv(words, "hi", cwd="/p") == ["agent", "--dir=/p", "hi"]
    assert build_argv(words, "hi", model="m1", session="s1", cwd="/p") == \
        ["agent", "-m", "m1", "--resume", "s1", "--dir=/p", "hi"]


def test_unknown_format_is_a_clear_error() -> None:
    """A format that does not exist names the known ones."""
    with pytest.raises(ExecutorUnavailableError) as caught:
        CommandExecutor("agent {prompt}", "yaml")
    assert caught.value.hint is not None and all(name in caught.value.hint for name in STREAM_FORMATS)


def test_codex_jsonl_wrapper_is_read_natively(tmp_path: Path) -> None:
    """With codex-jsonl a wrapper's claims, tokens and session are read as for the codex executor."""
    result = CommandExecutor(f"{CODEX} {{prompt}}", "codex-jsonl").run(task(tmp_path, "write a.md"), RecordingSink())
    assert result.status is ExecutorStatus.SUCCEEDED
    assert result.claimed_files == [str(tmp_path / "a.md")] and (tmp_path / "a.md").exists()
    assert result.usage is not None and result.usage.input_tokens == 15000
    # No {session} in the template: the answer to a question must carry the request, not resume.
    assert result.resume_token is None


def test_gemini_stream_wrapper_failed_result_with_exit_zero_is_a_failure(tmp_path: Path) -> None:
    """The stream's own result decides for a wrapper too (Gemini's invalid stream exits 0)."""
    result = CommandExecutor(f"{GEMINI} -p {{prompt}}", "gemini-stream").run(
        task(tmp_path, "invalid-stream"), RecordingSink())
    assert result.status is ExecutorStatus.FAILED and result.exit_code == 0
    assert result.error_code is ErrorCode.EXECUTOR_FAILED and "InvalidStreamError" in (result.error_message or "")


def test_session_placeholder_resumes_the_wrapped_agent(tmp_path: Path) -> None:
    """With {session} in the template the session id is the resume token and goes back in its place."""
    executor = CommandExecutor(f"{GEMINI} --resume {{session}} -p {{prompt}}", "gemini-stream")
    asked = executor.run(task(tmp_path, "question"), RecordingSink())
    assert asked.is_question and asked.resume_token
    answered = executor.run(task(tmp_path, "greeting.txt", resume_token=asked.resume_token), RecordingSink())
    assert answered.status is ExecutorStatus.SUCCEEDED and (tmp_path / "greeting.txt").exists()
    argvs = [json.loads(line)["argv"] for line in (tmp_path / "gemini.jsonl").read_text().splitlines()]
    assert "--resume" not in argvs[0] and argvs[1][argvs[1].index("--resume") + 1] == asked.resume_token


def test_text_format_keeps_plain_output(tmp_path: Path) -> None:
    """`text` (the default) is the plain command executor: exit code and last lines."""
    result = CommandExecutor(f"{os.environ.get('SHELL', '/bin/sh')} -c 'echo {{cwd}}'", "text").run(
        task(tmp_path, "ignored"), RecordingSink())
    assert result.status is ExecutorStatus.SUCCEEDED and result.final_message == str(tmp_path)


def test_repl_executor_format_flag_reads_the_wrapper_natively(tmp_path: Path) -> None:
    """`--executor command --executor-format codex-jsonl` logs the wrapper's claims and tokens."""
    from tests.helpers.cli import run_pm, runner_env
    from tests.helpers.logs_check import assert_logs_consistent

    root = tmp_path / "p"
    root.mkdir()
    env = runner_env({"FAKE_AGENTS_STATE": str(tmp_path / "state")})
    run = run_pm(["repl", "--executor", "command", "--executor-cmd", f"{CODEX} {{prompt}}",
                  "--executor-format", "codex-jsonl"], stdin="write a.md\n", cwd=root, env=env)
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(root)
    assert log.metrics is not None and log.metrics.input_tokens == 15000
    assert {(f.path, f.detection_method.value) for f in log.verified_files} >= {("a.md", "executor_claim")}
