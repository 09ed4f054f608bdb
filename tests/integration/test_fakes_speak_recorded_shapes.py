"""Fake agent binaries cannot lie about shape: every line kind and key they print occurs in real streams.

The fake `claude`, `codex` and `gemini` in tests/fixtures/bin are run through each of their
scenarios; whatever they print is checked against the vocabulary of the recorded real runs of
the same CLI (tests/fixtures/streams/) with `tests/helpers/stream_shape.py`. A fake that invents
a field, a type or a kind of line no real binary printed fails here. Scenarios the real binaries
could not be made to print (`DOCUMENTED_ONLY` in the fake's module, built from source and docs)
are left out by name.
"""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers.recorded_streams import all_stdout
from tests.helpers.recording_sink import FIXTURE_BIN
from tests.helpers.stream_shape import Vocabulary, unknown_to, vocabulary_of


def played_scenarios(module: str) -> tuple[str, ...]:
    """SCENARIOS minus DOCUMENTED_ONLY of a fake's module, read from its source (it is not a package)."""
    tree = ast.parse((Path(FIXTURE_BIN).parent / "fake_agents" / f"{module}.py").read_text())
    sets = {node.targets[0].id: ast.literal_eval(node.value.args[0]) for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in ("SCENARIOS", "DOCUMENTED_ONLY")}
    return tuple(sorted(set(sets["SCENARIOS"]) - set(sets["DOCUMENTED_ONLY"])))


CLAUDE_SCENARIOS = ("write", "write_and_run", "missing", "question", "question_then_write", "error",
                    "overloaded", "max_turns", "no_result", "slow_tool", "exit1_success", "revise_on_resume",
                    "signed")
# (binary, argv before the prompt, the scenarios it plays)
FAKES: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "claude": (["-p", "--output-format", "stream-json", "--verbose", "--permission-mode", "acceptEdits"],
               CLAUDE_SCENARIOS),
    # Without a permission mode the write and the command are refused, as the real binary does.
    "claude-denied": (["-p", "--output-format", "stream-json", "--verbose"], ("write_and_run",)),
    "codex": (["exec", "--json", "--sandbox", "workspace-write", "--skip-git-repo-check"],
              played_scenarios("codex_cli")),
    "gemini": (["--output-format", "stream-json", "--skip-trust", "--approval-mode", "yolo", "-p"],
               played_scenarios("gemini_cli")),
}
CASES = [(agent, scenario) for agent, (_, scenarios) in FAKES.items() for scenario in scenarios]
_VOCABULARY: dict[str, Vocabulary] = {}


def recorded_vocabulary(agent: str) -> Vocabulary:
    if agent not in _VOCABULARY:
        _VOCABULARY[agent] = vocabulary_of(all_stdout(agent))
    return _VOCABULARY[agent]


def run_fake(agent: str, scenario: str, tmp_path: Path) -> list[str]:
    project, state = tmp_path / "project", tmp_path / "state"
    project.mkdir()
    state.mkdir()
    prefix, _ = FAKES[agent]
    agent = agent.split("-")[0]  # "claude-denied" is the fake claude with other flags
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(state), "FAKE_AGENTS_STATE": str(state), "FAKE_CLAUDE_STATE": str(state),
           f"FAKE_{agent.upper()}_SCENARIO": scenario, f"FAKE_{agent.upper()}_TOOL_SECONDS": "0"}
    done = subprocess.run([str(Path(FIXTURE_BIN) / agent), *prefix, "write notes.md"], cwd=project, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    return done.stdout.splitlines()


@pytest.mark.parametrize(("agent", "scenario"), CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_fake_prints_only_kinds_and_keys_of_the_real_cli(agent: str, scenario: str, tmp_path: Path) -> None:
    """Every line kind and typed key path the fake prints occurs in the recorded real streams."""
    lines = run_fake(agent, scenario, tmp_path)
    assert lines or scenario in ("fail", "overloaded"), f"{agent} {scenario} printed nothing"
    findings = unknown_to(lines, recorded_vocabulary(agent.split("-")[0]))
    assert not findings, f"fake {agent}, scenario {scenario}:\n" + "\n".join(findings)


def test_an_invented_key_is_caught(tmp_path: Path) -> None:
    """The check is not vacuous: a real line with one made-up key is reported."""
    line = all_stdout("claude")[0][-1].replace('"is_error":', '"made_up":1,"is_error":', 1)
    assert unknown_to([line], recorded_vocabulary("claude")) == [
        "line 1 (result/success): made_up:int never occurs in the recordings"]
