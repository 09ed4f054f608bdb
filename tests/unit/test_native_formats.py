"""The codex and gemini stream decoders and the shared fold, over the recordings of the real CLIs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from runner.executors.agents.codex import PROFILE as CODEX
from runner.executors.agents.gemini import PROFILE as GEMINI
from runner.executors.failure_kind import FailureKind
from runner.executors.formats.fold import ItemFold
from runner.executors.formats.items import Claim, TextItem, ToolEnd, ToolStart
from runner.executors.native import AgentProfile, decide
from runner.executors.streams import OutputBudget
from runner.executors.supervised_run import RunEnd, SupervisedRun
from runner.logs.models import ErrorCode, EventType
from tests.helpers.recorded_streams import RECORDED_PROJECT, recording
from tests.helpers.recording_sink import RecordingSink

PROFILES = {"codex": CODEX, "gemini": GEMINI}


@dataclass(frozen=True)
class Expected:
    """What pm-runner must conclude from one recording."""

    status: str
    claims: tuple[str, ...] = ()
    error_code: ErrorCode | None = None
    reason: str = ""  # a phrase of the error message
    question: bool = False
    input_tokens: int | None = None
    model: str | None = None


CASES = {
    ("codex", "write_and_run"): Expected("SUCCEEDED", ("hello.py",), input_tokens=15000),
    ("codex", "write_default_sandbox"): Expected("FAILED", error_code=ErrorCode.EXECUTOR_FAILED,
                                                 reason="read-only sandbox"),
    ("codex", "question"): Expected("SUCCEEDED", question=True, input_tokens=5000),
    ("codex", "question_request_user_input_tool"): Expected("SUCCEEDED", input_tokens=10000),
    ("codex", "resume_answer"): Expected("SUCCEEDED", ("greeting.txt",), input_tokens=25000),
    ("codex", "resume_answer_no_sandbox_flag"): Expected("FAILED", reason="read-only sandbox"),
    ("codex", "resume_unknown_session"): Expected("FAILED", error_code=ErrorCode.EXECUTOR_FAILED,
                                                  reason="no such thread to resume"),
    ("codex", "fail_500"): Expected("FAILED", reason="reported a failure"),
    ("codex", "fail_529_overloaded"): Expected("FAILED", reason="529"),
    ("codex", "invalid_model"): Expected("FAILED", reason="does not exist"),
    ("gemini", "write_and_run"): Expected("SUCCEEDED", ("hello.py",), input_tokens=16000, model="gemini-3.8-flash"),
    ("gemini", "write_and_run_fake_responses"): Expected("SUCCEEDED", ("hello.py",)),
    ("gemini", "write_default_approval"): Expected("SUCCEEDED"),
    ("gemini", "question"): Expected("SUCCEEDED", question=True, input_tokens=8000, model="gemini-3.8-flash"),
    ("gemini", "resume_answer"): Expected("SUCCEEDED", ("greeting.txt",), input_tokens=12000),
    ("gemini", "resume_unknown_session"): Expected("FAILED", error_code=ErrorCode.EXECUTOR_FAILED,
                                                   reason="unknown --resume session"),
    ("gemini", "fail_500"): Expected("FAILED", reason="500"),
    ("gemini", "fail_503_overloaded"): Expected("FAILED", reason="overloaded"),
    ("gemini", "invalid_model"): Expected("FAILED", reason="no-such-model", model="no-such-model"),
}


def replay(agent: str, scenario: str) -> tuple[ItemFold, SupervisedRun, RecordingSink]:
    """Feed a recording's stdout and stderr lines to the fold as the supervisor would."""
    found = recording(agent, scenario)
    sink = RecordingSink()
    profile: AgentProfile = PROFILES[agent]
    fold = ItemFold(profile.decoder(), OutputBudget(sink), profile.label)
    stderr = found.stderr.splitlines()
    for line in stderr:
        fold.on_line("stderr", line)
    for line in found.stdout:
        fold.on_line("stdout", line)
    run = SupervisedRun(RunEnd.EXITED, exit_code=found.exit_code, stderr_tail=stderr[-40:])
    return fold, run, sink


@pytest.mark.parametrize(("agent", "scenario"), sorted(CASES), ids=[f"{a}-{s}" for a, s in sorted(CASES)])
def test_recorded_stream_gives_the_expected_result(agent: str, scenario: str) -> None:
    """Status, claims, question, tokens and model come out of each real recording as the table says."""
    expected = CASES[(agent, scenario)]
    fold, run, _sink = replay(agent, scenario)
    result = decide(PROFILES[agent], fold, run, None, None)
    assert str(result.status) == expected.status, result.error_message
    claims = tuple(path.removeprefix(RECORDED_PROJECT + "/") for path in result.claimed_files)
    assert claims == expected.claims
    assert result.is_question is expected.question
    if expected.error_code is not None:
        assert result.error_code is expected.error_code
    assert expected.reason in (result.error_message or ""), result.error_message
    if expected.input_tokens is not None:
        assert fold.usage is not None and fold.usage.input_tokens == expected.input_tokens
    if expected.model is not None:
        assert (fold.usage.model if fold.usage and fold.usage.model else fold.model) == expected.model
    assert fold.malformed_lines == 0


def test_every_recording_has_a_case() -> None:
    """A new recording of codex or gemini needs its line in the table above."""
    from tests.helpers.recorded_streams import scenarios

    missing = {(agent, name) for agent in PROFILES for name in scenarios(agent)} - set(CASES)
    assert not missing


def test_codex_request_user_input_is_a_question_with_options() -> None:
    """A `request_user_input` line (documented; not observed) makes a clarification with its options."""
    sink = RecordingSink()
    fold = ItemFold(CODEX.decoder(), OutputBudget(sink), "Codex")
    for line in ('{"type":"thread.started","thread_id":"t-1"}', '{"type":"turn.started"}',
                 '{"type":"request_user_input","id":"r","call_id":"c","questions":[{"id":"f","header":"F",'
                 '"question":"Which file name?","options":[{"label":"a.txt"},{"label":"b.txt"}]}]}',
                 '{"type":"turn.completed","usage":{"input_tokens":5,"cached_input_tokens":0,"output_tokens":1}}'):
        fold.on_line("stdout", line)
    result = decide(CODEX, fold, SupervisedRun(RunEnd.EXITED, exit_code=0), None, None)
    assert result.is_question and result.final_message == "Which file name?"
    assert result.resume_token == "t-1"
    (asked,) = [c for c in sink.of_type(EventType.EXECUTOR_PROGRESS) if c.get("kind") == "question"]
    assert asked["options"] == ["a.txt", "b.txt"]


def test_fold_masks_text_claims_and_previews() -> None:
    """Secrets in text, tool labels, previews and warnings are masked in events and in the final text."""
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    sink = RecordingSink()
    fold = ItemFold(GEMINI.decoder(), OutputBudget(sink), "Gemini CLI")
    fold.apply(ToolStart("t1", "run_shell_command", f"echo {secret}"))
    assert fold.progress_paused()
    fold.apply(ToolEnd("t1", preview=f"out {secret}"))
    assert not fold.progress_paused()
    fold.apply(TextItem(f"the token is {secret}", delta=True))
    fold.apply(TextItem(" and done", delta=True))
    assert secret not in repr(sink.events) and secret not in fold.final_text
    assert fold.final_text.endswith(" and done") and "[MASKED" in fold.final_text


def test_failed_tool_drops_its_claim_and_a_denial_is_counted() -> None:
    """A write whose tool failed is no claim; a refused one is a denial, which fails a run that wrote nothing."""
    fold = ItemFold(GEMINI.decoder(), OutputBudget(RecordingSink()), "Gemini CLI")
    fold.apply(ToolStart("w1", "write_file", "a.py", (Claim("a.py"),)))
    fold.apply(ToolEnd("w1", is_error=True, denied=True, preview="Tool execution denied by policy."))
    fold.apply(ToolStart("w2", "write_file", "b.py", (Claim("b.py"),)))
    fold.apply(ToolEnd("w2", is_error=True))
    assert fold.claimed_files() == [] and fold.denials == ["write_file a.py"]


@pytest.mark.parametrize(("agent", "scenario", "kind"), [
    ("codex", "fail_529_overloaded", FailureKind.TRANSIENT),
    ("codex", "invalid_model", FailureKind.MODEL_UNAVAILABLE),
    ("codex", "fail_500", None),
    ("gemini", "fail_503_overloaded", FailureKind.TRANSIENT),
    ("gemini", "invalid_model", FailureKind.MODEL_UNAVAILABLE),
    ("gemini", "fail_500", None),
])
def test_recorded_failure_says_whether_a_retry_or_the_fallback_may_help(
        agent: str, scenario: str, kind: FailureKind | None) -> None:
    """A natively parsed agent's recorded failure carries the failure kind the review loop acts on."""
    fold, run, _sink = replay(agent, scenario)
    result = decide(PROFILES[agent], fold, run, None, None)
    assert str(result.status) == "FAILED"
    assert result.failure_kind is kind, result.error_message
