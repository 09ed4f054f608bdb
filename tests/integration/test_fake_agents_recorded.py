"""The fake `codex` and `gemini` replay the recorded real runs: same lines, keys, numbers and exit codes.

Each recorded scenario's argv (tests/fixtures/streams/<agent>/<scenario>.meta.json) is run
against the fake in a fresh project with stdin /dev/null; stdout is compared line by line with
the recording after ids, timestamps, durations and the project path are normalised.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.recording_sink import FIXTURE_BIN

STREAMS = Path(FIXTURE_BIN).parent / "streams"
RECORDED_CWD = "/home/dev/project"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TOOL_ID = re.compile(r"^(\w+?)__\1_\d+_(\d+)$")


def recording(agent: str, scenario: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    meta = json.loads((STREAMS / agent / f"{scenario}.meta.json").read_text())
    lines = (STREAMS / agent / f"{scenario}.jsonl").read_text().splitlines()
    return meta, [json.loads(line) for line in lines if line.strip()]


def normalise(value: Any, cwd: str) -> Any:
    """Ids, timestamps and durations become placeholders; the project path becomes <cwd>."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "timestamp":
                item = "<time>"
            elif key == "duration_ms" and item:
                item = "<ms>"
            elif key == "tool_id" and isinstance(item, str):
                item = _TOOL_ID.sub(r"\1#\2", item)
            out[key] = normalise(item, cwd)
        return out
    if isinstance(value, list):
        return [normalise(item, cwd) for item in value]
    if isinstance(value, str):
        return _UUID.sub("<id>", value.replace(cwd, "<cwd>"))
    return value


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


def run_fake(agent: str, argv: list[str], cwd: Path, state: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(state), "FAKE_AGENTS_STATE": str(state)}
    return subprocess.run([str(Path(FIXTURE_BIN) / agent), *argv[1:]], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)


def replay(agent: str, scenario: str, project: Path, state: Path,
           ids: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the recorded argv (recorded session ids swapped for the fake's) and compare with the recording."""
    meta, expected = recording(agent, scenario)
    argv = [ids.get(word, word) for word in meta["argv"]]
    done = run_fake(agent, argv, project, state)
    actual = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    transcript = f"argv {argv}\nexit {done.returncode}\nstdout\n{done.stdout}\nstderr\n{done.stderr}"
    assert done.returncode == meta["exit_code"], transcript
    assert normalise(actual, str(project)) == normalise(expected, RECORDED_CWD), transcript
    assert sorted(p.name for p in project.iterdir()) == meta["files_in_project_after"], transcript
    for got, want in zip(actual, expected, strict=True):
        for key in ("thread_id", "session_id"):
            if key in want:
                ids[want[key]] = got[key]
    return done


@pytest.mark.parametrize("scenario", ["write_and_run", "write_default_sandbox", "question", "fail_500",
                                      "fail_529_overloaded", "invalid_model", "question_request_user_input_tool"])
def test_codex_fake_replays_recorded_run(scenario: str, project: Path, tmp_path: Path) -> None:
    """The fake codex prints what Codex 0.171.0 printed for the same argv, and exits the same way."""
    replay("codex", scenario, project, tmp_path / "state", {})


def test_codex_fake_resume_keeps_a_running_token_total(project: Path, tmp_path: Path) -> None:
    """Resuming a thread reports the thread's running total, as the recorded question → answers did."""
    ids: dict[str, str] = {}
    state = tmp_path / "state"
    replay("codex", "question", project, state, ids)
    replay("codex", "resume_answer_no_sandbox_flag", project, state, ids)
    done = replay("codex", "resume_answer", project, state, ids)
    assert '"input_tokens":25000' in done.stdout


def test_codex_fake_unknown_resume_id_prints_nothing(project: Path, tmp_path: Path) -> None:
    """An unknown thread id: no stdout at all, the rollout error on stderr, exit 1."""
    done = replay("codex", "resume_unknown_session", project, tmp_path / "state", {})
    assert done.stdout == "" and "no rollout found for thread id" in done.stderr


def test_codex_fake_rejects_sandbox_flag_on_resume(project: Path, tmp_path: Path) -> None:
    """`exec resume` takes `-c sandbox_mode=…`; `--sandbox` after `resume` is a usage error."""
    ids: dict[str, str] = {}
    replay("codex", "question", project, tmp_path / "state", ids)
    (thread,) = ids.values()
    done = run_fake("codex", ["codex", "exec", "resume", thread, "--json", "--sandbox", "workspace-write",
                              "--skip-git-repo-check", "Use greeting.txt"], project, tmp_path / "state")
    assert done.returncode == 2 and done.stdout == ""
    assert "unexpected argument '--sandbox'" in done.stderr


def test_codex_fake_needs_git_or_skip_flag(project: Path, tmp_path: Path) -> None:
    """Outside a git repository without --skip-git-repo-check codex refuses to start (exit 1)."""
    done = run_fake("codex", ["codex", "exec", "--json", "hi"], project, tmp_path / "state")
    assert done.returncode == 1 and done.stdout == ""
    assert "--skip-git-repo-check was not specified" in done.stderr


@pytest.mark.parametrize("scenario", ["write_and_run", "write_default_approval", "question", "fail_500",
                                      "fail_503_overloaded", "invalid_model", "resume_unknown_session"])
def test_gemini_fake_replays_recorded_run(scenario: str, project: Path, tmp_path: Path) -> None:
    """The fake gemini prints what Gemini CLI 0.61.0 printed for the same argv, and exits the same way."""
    done = replay("gemini", scenario, project, tmp_path / "state", {})
    if scenario.startswith("fail"):
        assert done.stderr.rstrip("\n").endswith("\n}"), "the real stderr ends with a lone brace"


def test_gemini_fake_resume_answers_in_the_same_session(project: Path, tmp_path: Path) -> None:
    """`--resume ID` continues the session: same id in `init`, stats of this call only."""
    ids: dict[str, str] = {}
    replay("gemini", "question", project, tmp_path / "state", ids)
    replay("gemini", "resume_answer", project, tmp_path / "state", ids)


def test_gemini_fake_untrusted_folder_exits_55(project: Path, tmp_path: Path) -> None:
    """Without --skip-trust (or GEMINI_CLI_TRUST_WORKSPACE=true) headless gemini stops with exit 55."""
    done = run_fake("gemini", ["gemini", "-p", "hi", "--output-format", "stream-json"], project, tmp_path)
    assert done.returncode == 55 and done.stdout == "" and "--skip-trust" in done.stderr
