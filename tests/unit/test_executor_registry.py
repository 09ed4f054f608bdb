"""The executor registry: exact names, a clear error listing the known ones, and the Executor protocol."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runner.errors import RunnerError
from runner.executors.base import ExecutorLimits
from runner.executors.registry import EXECUTORS, create_executor, default_executor, executor_names


def test_known_names_are_listed_sorted() -> None:
    """The registry names the built-in executors."""
    assert executor_names() == ["aider", "amp", "claude-code", "codex", "command", "cursor", "fake", "gemini",
                                "opencode", "qwen", "shell"]


@pytest.mark.parametrize("name", ["aider", "amp", "claude-code", "codex", "command", "cursor", "fake", "gemini",
                                  "opencode", "qwen", "shell"])
def test_each_name_builds_its_executor(name: str) -> None:
    """Every registered name builds an executor that reports that name and exposes the protocol."""
    executor = create_executor(name, command_template="echo {prompt}")
    assert executor.name == name
    assert callable(executor.run) and callable(executor.check_available)
    assert executor.warning is None or executor.name == "fake"


def test_unknown_name_lists_the_known_ones() -> None:
    """An unknown executor is a RunnerError whose hint lists every known name."""
    with pytest.raises(RunnerError) as caught:
        create_executor("gpt-engineer")
    assert "unknown executor 'gpt-engineer'" in caught.value.message
    assert caught.value.hint is not None
    for name in executor_names():
        assert name in caught.value.hint


def test_near_miss_gets_a_did_you_mean() -> None:
    """A typo is not silently matched, but the hint suggests the closest name."""
    with pytest.raises(RunnerError) as caught:
        create_executor("shel")
    assert caught.value.hint is not None and caught.value.hint.startswith("did you mean shell?")


def test_default_limits_follow_the_seed() -> None:
    """Defaults: 300 s overall (seed 003 §11.6), 60 s without output, 3 s grace before SIGKILL."""
    limits = ExecutorLimits()
    assert (limits.executor_timeout_ms, limits.progress_timeout_ms, limits.kill_grace_ms) == (300_000, 60_000, 3_000)


def test_every_row_of_the_table_builds_its_executor() -> None:
    """Each ExecutorSpec names an importable class whose executors carry the row's name."""
    for spec in EXECUTORS.values():
        assert create_executor(spec.name, command_template="echo {prompt}").name == spec.name
        assert spec.summary.strip(), spec.name


def test_the_default_is_the_first_agent_found_on_path() -> None:
    """The documented order decides (claude, codex, gemini); with none on PATH nothing is chosen (never a guess)."""
    def only(*programs: str):  # type: ignore[no-untyped-def]
        return lambda program: f"/usr/bin/{program}" if program in programs else None

    assert default_executor(only("claude", "codex", "gemini")) == "claude-code"
    assert default_executor(only("gemini", "codex")) == "codex"
    assert default_executor(only("gemini")) == "gemini"
    assert default_executor(lambda program: None) is None


def test_every_executor_has_a_section_in_the_spec() -> None:
    """spec/executors.md has one `## `name`` section per registered executor, and none for others."""
    page = (Path(__file__).resolve().parents[2] / "spec" / "executors.md").read_text()
    assert set(re.findall(r"^## `([\w-]+)`", page, re.M)) == set(EXECUTORS)
