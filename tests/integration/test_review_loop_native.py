"""The review loop with natively read agents (fake CLIs on PATH, real subprocesses): a REJECT resumes the
agent's own session where it has one (Codex: `exec resume ID`), and re-runs the request with the
findings appended where it has none (aider)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runner.logs.models import EventType
from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent

REQUEST = "write notes.md"


# Fails the first time it runs and passes after. Its marker lives outside the project, named by the environment
# so that the findings sent to the agent name no file of their own (the fakes write the first file a prompt names).
CHECK = 'test -e "$CHECKED_ONCE" || { touch "$CHECKED_ONCE"; exit 1; }'


def run_reviewed(tmp_path: Path, executor: str, env_name: str) -> tuple[Path, list[list[str]], str]:
    """`write notes.md` through the review loop with one check that fails once; the project and each call's argv."""
    project = tmp_path / "p"
    project.mkdir()
    env = runner_env({f"FAKE_{env_name}_CALLS": str(tmp_path / "calls.jsonl"), "CHECKED_ONCE": str(tmp_path / "once"),
                      "FAKE_AGENTS_STATE": str(tmp_path / "state")}, fake_claude=True)
    run = run_pm(["repl", "--executor", executor, "--check", CHECK], stdin=REQUEST + "\n", cwd=project, env=env)
    assert "RESULT: COMPLETE" in run.stdout, run.transcript()
    argvs = [json.loads(line)["argv"] for line in (tmp_path / "calls.jsonl").read_text().splitlines()]
    return project, argvs, CHECK


@pytest.mark.parametrize(("executor", "env_name"), [("codex", "CODEX"), ("aider", "AIDER")])
def test_a_rejected_pass_is_sent_back_and_the_second_passes(tmp_path: Path, executor: str, env_name: str) -> None:
    """Pass 1 leaves the check failing (REJECT, MODIFICATION_PROMPT naming it); pass 2 passes: COMPLETE, 2 iterations."""
    project, argvs, check = run_reviewed(tmp_path, executor, env_name)
    (log,) = assert_logs_consistent(project)
    assert [(i.iteration, i.verdict) for i in log.review_iterations] == [(1, "REJECT"), (2, "PASS")]
    (prompt,) = [e.content for e in log.events if e.event_type is EventType.MODIFICATION_PROMPT]
    assert f"check `{check}` failed" in prompt["prompt"]
    assert len(argvs) == 2 and argvs[1][-1 if executor == "codex" else 1] == prompt["prompt"]
    assert log.metrics is not None and log.metrics.passes == 2


def test_codex_is_resumed_in_its_own_session(tmp_path: Path) -> None:
    """Codex resumes: the second call is `codex exec resume <thread id>` with only the findings as its prompt."""
    project, argvs, _ = run_reviewed(tmp_path, "codex", "CODEX")
    (log,) = assert_logs_consistent(project)
    assert argvs[0][:2] == ["exec", "--json"] and argvs[1][:3] == ["exec", "resume", log.resume_token]
    assert not argvs[1][-1].startswith(REQUEST)


def test_aider_cannot_resume_so_it_gets_the_request_again_with_the_findings(tmp_path: Path) -> None:
    """aider has no session to resume: the second call is a fresh run whose message is the request, then the findings."""
    _, argvs, check = run_reviewed(tmp_path, "aider", "AIDER")
    first, second = (argv[argv.index("--message") + 1] for argv in argvs)
    assert first == REQUEST
    assert second.startswith(REQUEST + "\n\n---\n") and f"check `{check}` failed" in second
