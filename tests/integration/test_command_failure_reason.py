"""The `command` executor says why an agent CLI failed: its JSON-lines error, else its last meaningful stderr line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.cli import run_pm, runner_env
from tests.helpers.recording_sink import FIXTURE_BIN


def why_of(tmp_path: Path, template: str, line: str) -> str:
    project = tmp_path / "p"
    project.mkdir()
    env = runner_env({"FAKE_AGENTS_STATE": str(tmp_path / "state"),
                      "PATH": f"{FIXTURE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    run = run_pm(["repl", "--executor", "command", "--executor-cmd", template], stdin=f"{line}\n",
                 cwd=project, env=env, expect=1)
    return next(text for text in run.lines if text.startswith("WHY: "))


@pytest.mark.parametrize(("template", "why"), [
    ("codex exec --json --sandbox workspace-write --skip-git-repo-check {prompt}",
     "WHY: Executor exited with code 1: We’re currently experiencing high demand, which may cause temporary errors."),
    ("gemini --skip-trust --output-format stream-json --approval-mode auto_edit -p {prompt}",
     'WHY: Executor exited with code 244: [API Error: {"error":{"code":500,"message":"Internal error encountered."'),
])
def test_the_agents_own_error_is_the_reason(tmp_path: Path, template: str, why: str) -> None:
    """A 500 from the model: Codex's turn.failed and Gemini's error result, not a stdin notice or a lone brace."""
    assert why_of(tmp_path, template, "fail-500: Create hello.py").startswith(why)


def test_a_notice_is_skipped_for_the_error_before_it(tmp_path: Path) -> None:
    """Codex outside a git repository: the reason is its refusal, not "Reading additional input from stdin..."."""
    why = why_of(tmp_path, "codex exec --json --sandbox workspace-write {prompt}", "Create hello.py")
    assert why == ("WHY: Executor exited with code 1: Not inside a trusted directory and "
                   "--skip-git-repo-check was not specified.")
