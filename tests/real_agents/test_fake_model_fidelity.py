"""The real CLIs against our fake model server print what they printed when recorded.

Each recorded scenario of `tests/fixtures/streams/` is replayed with the pinned binary: same
argv, same exit code, the same kinds of lines in the same order with the same keys, the same
model calls and the same files on disk. This is what makes the fake server a stand-in for the
model the recordings were made against, and so what lets the other real-agent tests trust it.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable

import pytest

from tests.helpers.recorded_streams import (
    RECORDED_HOME,
    RECORDED_PORT,
    RECORDED_PROJECT,
    Recording,
    recording,
)
from tests.helpers.stream_shape import shape_differences
from tests.real_agents.clis import CLAUDE, CLAUDE_LATEST, CODEX, GEMINI, AgentCli
from tests.real_agents.harness import AgentSandbox, CliRun

pytestmark = pytest.mark.real_agents

# Scenarios that share a session run in order in one sandbox.
CHAINS: list[tuple[AgentCli, tuple[str, ...]]] = [
    *[(cli, chain) for cli in (CLAUDE, CLAUDE_LATEST) for chain in (
        ("write_and_run",), ("write_default_permissions",), ("question", "resume_answer"),
        ("fail_500",), ("fail_529_overloaded",), ("invalid_model",), ("resume_unknown_session",),
        ("stream_json_without_verbose",))],
    (CLAUDE, ("max_turns_1",)),
    *[(CODEX, chain) for chain in (
        ("write_and_run",), ("write_default_sandbox",),
        ("question", "resume_answer_no_sandbox_flag", "resume_answer"),
        ("question_request_user_input_tool",), ("fail_500",), ("fail_529_overloaded",),
        ("invalid_model",), ("resume_unknown_session",))],
    *[(GEMINI, chain) for chain in (
        ("write_and_run",), ("write_default_approval",), ("question", "resume_answer"),
        ("fail_500",), ("fail_503_overloaded",), ("invalid_model",),
        # Gemini words an unknown id differently when the project has no session at all.
        ("question", "resume_unknown_session"))],
]
# stderr lines that depend on the machine or on timing, not on the model's answers.
_VOLATILE_STDERR = ("[STARTUP] ", "WARNING: proceeding, even though we could not create PATH aliases",
                    "Stack backtrace:")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d[:-]\d\d[:-]\d\d(?:[.-]\d+)?Z")


def meaningful_stderr(text: str, sandbox: AgentSandbox | None = None) -> set[str]:
    """Unindented stderr lines (no stack frames or object dumps), in the recordings' terms."""
    if sandbox is not None:
        for ours, recorded in ((str(sandbox.home / "tmp"), "/tmp"), (str(sandbox.project), RECORDED_PROJECT),
                               (str(sandbox.home), RECORDED_HOME), (str(sandbox.server.port), RECORDED_PORT)):
            text = text.replace(ours, recorded)
    return {_TIMESTAMP.sub("<time>", line) for line in text.splitlines()
            if line[:1].strip() and len(line.strip(" {}[](),")) > 2 and not line.startswith(_VOLATILE_STDERR)}


def fidelity_findings(run: CliRun, recorded: Recording, sandbox: AgentSandbox) -> list[str]:
    """Every way this run differs from the recording, beyond values such as ids and times."""
    findings = shape_differences(run.stdout, recorded.stdout)
    ours, theirs = meaningful_stderr(run.stderr, sandbox), meaningful_stderr(recorded.stderr)
    findings += [f"stderr: only ours has {line!r}" for line in sorted(ours - theirs)]
    findings += [f"stderr: only the recording has {line!r}" for line in sorted(theirs - ours)]
    if run.exit_code != recorded.exit_code:
        findings.append(f"exit code {run.exit_code}, recorded {recorded.exit_code}")
    if run.model_calls != recorded.model_calls:
        findings.append(f"model calls {run.model_calls}, recorded {recorded.model_calls}")
    if run.files_after != recorded.meta["files_in_project_after"]:
        findings.append(f"files {run.files_after}, recorded {recorded.meta['files_in_project_after']}")
    return findings


@pytest.mark.parametrize(("cli", "chain"), CHAINS, ids=[f"{cli.key}-{'+'.join(chain)}" for cli, chain in CHAINS])
def test_replayed_scenario_matches_the_recording(
        agent_sandbox: Callable[[AgentCli], AgentSandbox], cli: AgentCli, chain: tuple[str, ...]) -> None:
    """Replaying a recorded scenario gives the recorded exit code, line shapes, model calls and files."""
    sandbox = agent_sandbox(cli)
    for scenario in chain:
        shutil.rmtree(sandbox.project)
        sandbox.project.mkdir()
        recorded = recording(cli.recordings, scenario)
        run = sandbox.replay(recorded)
        findings = fidelity_findings(run, recorded, sandbox)
        assert not findings, f"{cli.key} {scenario}:\n" + "\n".join(findings) + f"\nstderr:\n{run.stderr[-2000:]}"
