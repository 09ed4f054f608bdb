"""Choosing an agent: auto-detection in the documented order, and `/provider` listing what is installed
(fake agent CLIs on a PATH made for each test)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from runner.executors.registry import DEFAULT_ORDER, EXECUTORS
from tests.helpers.cli import FAKE_BIN, run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent

PROGRAMS = [EXECUTORS[name].program or name for name in DEFAULT_ORDER]


def path_with(tmp_path: Path, *programs: str) -> str:
    """A PATH holding only the named fake agents, plus system folders that hold no agent CLI."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for program in programs:
        (bin_dir / program).symlink_to(FAKE_BIN / program)
    system = [folder for folder in os.environ.get("PATH", "").split(os.pathsep)
              if folder and not any((Path(folder) / program).exists() for program in PROGRAMS)]
    return os.pathsep.join([str(bin_dir), *system])


def env_with(tmp_path: Path, *programs: str) -> dict[str, str]:
    env = runner_env({"FAKE_AGENTS_STATE": str(tmp_path / "state"),
                      **{f"FAKE_{name.upper()}_CALLS": str(tmp_path / f"{name}.jsonl")
                         for name in ("codex", "gemini", "amp", "qwen", "cursor", "opencode", "aider")}})
    env["PATH"] = path_with(tmp_path, *programs)
    return env


def project(tmp_path: Path) -> Path:
    folder = tmp_path / "p"
    folder.mkdir(exist_ok=True)
    return folder


def calls(tmp_path: Path, agent: str) -> list[list[str]]:
    file = tmp_path / f"{agent}.jsonl"
    return [json.loads(line)["argv"] for line in file.read_text().splitlines()] if file.exists() else []


def test_the_first_agent_in_the_documented_order_is_chosen_and_named(tmp_path: Path) -> None:
    """With gemini and aider on PATH (no claude, no codex) gemini runs the task, and the REPL says why."""
    root = project(tmp_path)
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=root, env=env_with(tmp_path, "aider", "gemini"))
    assert "executor: gemini, the first agent CLI found on PATH (claude, codex, gemini, amp" in run.stdout
    assert "RESULT: COMPLETE" in run.stdout
    (log,) = assert_logs_consistent(root)
    assert log.executor is not None and log.executor.name == "gemini"
    assert calls(tmp_path, "gemini") and not calls(tmp_path, "aider")


def test_codex_wins_over_gemini(tmp_path: Path) -> None:
    """codex comes before gemini in the order."""
    root = project(tmp_path)
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=root, env=env_with(tmp_path, "gemini", "codex"))
    assert "executor: codex," in run.stdout
    assert calls(tmp_path, "codex") and not calls(tmp_path, "gemini")


def test_an_explicit_executor_is_not_announced(tmp_path: Path) -> None:
    """--executor is the user's choice: no detection line."""
    root = project(tmp_path)
    run = run_pm(["repl", "--executor", "gemini"], stdin="write notes.md\n", cwd=root,
                 env=env_with(tmp_path, "codex", "gemini"))
    assert "first agent CLI found" not in run.stdout
    assert calls(tmp_path, "gemini") and not calls(tmp_path, "codex")


def test_no_agent_on_path_names_the_order_and_rejects_tasks(tmp_path: Path) -> None:
    """Without any agent CLI the REPL says which it looked for, and a task is rejected, not guessed."""
    root = project(tmp_path)
    run = run_pm(["repl"], stdin="write notes.md\n", cwd=root, env=env_with(tmp_path), expect=1)
    assert "none of the agent CLIs (claude, codex, gemini, amp, qwen, cursor-agent, opencode, aider)" in run.stdout
    assert "RESULT: ERROR" in run.stdout


def test_provider_lists_every_executor_with_install_state_and_version(tmp_path: Path) -> None:
    """/provider marks the current executor and shows each agent as installed (version, path) or not."""
    root = project(tmp_path)
    run = run_pm(["repl"], stdin="/provider\n", cwd=root, env=env_with(tmp_path, "codex", "opencode"))
    lines = run.stdout.splitlines()
    assert any(line.startswith("Provider: codex (the first agent CLI found on PATH)") for line in lines)
    bin_dir = tmp_path / "bin"

    def row(name: str) -> str:
        found = [line for line in lines if line[2:].split(" ")[0] == name]
        assert len(found) == 1, (name, run.stdout)
        return found[0]

    assert row("codex").startswith("* ") and f"installed, codex-cli 0.171.0 ({bin_dir / 'codex'})" in row("codex")
    assert f"installed, 1.18.33 ({bin_dir / 'opencode'})" in row("opencode")
    assert "not installed (claude is not on PATH)" in row("claude-code")
    assert "not installed (cursor-agent is not on PATH)" in row("cursor")
    assert row("shell").endswith("built in") and row("command").endswith("built in")
    assert {name for name in EXECUTORS} <= {line[2:].split(" ")[0] for line in lines}


def test_versions_are_asked_once_per_session(tmp_path: Path) -> None:
    """/provider twice runs `codex --version` once: the answer is cached for the session."""
    root = project(tmp_path)
    run_pm(["repl"], stdin="/provider\n/provider\n", cwd=root, env=env_with(tmp_path, "codex"))
    assert calls(tmp_path, "codex").count(["--version"]) == 1


def test_doctor_lists_agents_versions_and_the_default(tmp_path: Path) -> None:
    """`pm-runner doctor` shows each agent installed or not, with versions, and the default; exit 0."""
    run = run_pm(["doctor"], cwd=project(tmp_path), env=env_with(tmp_path, "gemini", "codex"))
    assert "* codex        installed, codex-cli 0.171.0" in run.stdout
    assert "  gemini       installed, 0.61.0" in run.stdout
    assert "  claude-code  not installed (claude is not on PATH)" in run.stdout
    assert "Default executor: codex (the first agent CLI found on PATH" in run.stdout
    assert "not logged in" not in run.stdout + run.stderr and "HINT" not in run.stdout + run.stderr


def test_doctor_gives_the_login_hint_when_the_agent_is_logged_out(tmp_path: Path) -> None:
    """When `codex login status` says it is not logged in, doctor says so and what to run."""
    env = env_with(tmp_path, "codex")
    env["FAKE_CODEX_LOGGED_OUT"] = "1"
    run = run_pm(["doctor"], cwd=project(tmp_path), env=env)
    assert "codex-cli 0.171.0" in run.stdout and "- not logged in" in run.stdout
    assert "HINT: run `codex login`" in run.stdout
    assert ["login", "status"] in calls(tmp_path, "codex")


def test_doctor_without_any_agent_exits_one_and_shows_keys_without_values(tmp_path: Path) -> None:
    """No agent CLI: exit 1 with what to do; a set key shows as SET, its value never."""
    env = env_with(tmp_path)
    env["OPENAI_API_KEY"] = "sk-proj-" + "Q7w" * 16
    run = run_pm(["doctor"], cwd=project(tmp_path), env=env, expect=1)
    assert "No agent CLI found on PATH (looked for: claude, codex, gemini" in run.stdout
    assert "HINT: install one of them" in run.stdout
    assert "OPENAI_API_KEY     SET" in run.stdout and "Q7wQ7w" not in run.stdout + run.stderr
