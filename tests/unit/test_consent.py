"""The consent check's parts: which settings count, where answers are kept, and a broken trust file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runner.config import CliOverrides, ProjectMode, RunnerConfig, resolve_config
from runner.config_schema import Settings
from runner.consent import require_consent
from runner.consent.programs import PROGRAM_EXECUTORS, program_settings
from runner.consent.store import store_path
from runner.errors import ConfigError
from runner.executors.registry import EXECUTORS


def _config(root: Path, files: dict[str, object], **flags: Any) -> RunnerConfig:
    """The configuration resolved from `files` written into `root/.claude/` and `flags`."""
    (root / ".claude").mkdir(exist_ok=True)
    for name, data in files.items():
        (root / ".claude" / name).write_text(json.dumps(data))
    overrides = CliOverrides(project_mode=ProjectMode.FIXED, project_root=root, settings=Settings(**flags))
    return resolve_config(overrides, stdin_is_tty=False)


def test_every_executor_is_either_a_known_agent_cli_or_needs_consent() -> None:
    """A new executor must be classified: it runs a named agent CLI, is the test fake, or needs consent."""
    for spec in EXECUTORS.values():
        assert spec.program is not None or spec.name == "fake" or spec.name in PROGRAM_EXECUTORS, spec.name


def test_an_executors_table_command_counts_when_it_takes_effect(tmp_path: Path) -> None:
    """`executors.command.command` is the template the command executor runs: it names that key."""
    config = _config(tmp_path, {"runner.config.json": {"executor": "command",
                                                       "executors": {"command": {"command": "x {prompt}"}}}})
    keys = [s.origin.key for s in program_settings(config)]
    assert keys == ["executor", "executors.command.command"]


def test_flags_and_harmless_settings_count_for_nothing(tmp_path: Path) -> None:
    """Timeouts, a model name, and anything a flag replaced never need consent."""
    config = _config(tmp_path, {"runner.config.json": {"executor": "shell", "model": "m", "kill_grace_ms": 5},
                                "repl.json": {"model": "n"}}, executor="command", executor_cmd="echo {prompt}")
    assert program_settings(config) == []


def test_the_trust_file_location_follows_the_environment(tmp_path: Path) -> None:
    """PM_RUNNER_CONFIG_DIR, else an absolute XDG_CONFIG_HOME, else ~/.config (a relative XDG value is ignored)."""
    assert store_path({"PM_RUNNER_CONFIG_DIR": "/a"}) == Path("/a/trusted-projects.json")
    assert store_path({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}) == Path("/x/pm-runner/trusted-projects.json")
    assert store_path({"XDG_CONFIG_HOME": "rel", "HOME": "/h"}) == Path("/h/.config/pm-runner/trusted-projects.json")


def test_a_broken_trust_file_asks_again_with_a_warning(tmp_path: Path) -> None:
    """An unreadable trust file trusts nothing (the question comes again) and says why."""
    config = _config(tmp_path, {"repl.json": {"provider": "shell"}})
    store = tmp_path / "user"
    store.mkdir()
    (store / "trusted-projects.json").write_text("{not json")
    environ = {"PM_RUNNER_CONFIG_DIR": str(store)}
    asked: list[list[str]] = []
    notices = require_consent(config, environ, ask=lambda lines, question: asked.append(lines) or True)
    assert asked and "not a trust file" in notices[0].message
    assert require_consent(config, environ, ask=None) == []  # the yes was remembered in a fresh file


def test_no_means_an_error_and_nothing_remembered(tmp_path: Path) -> None:
    """Answering no raises a ConfigError naming the file; the trust file is not written."""
    config = _config(tmp_path, {"repl.json": {"provider": "shell"}})
    environ = {"PM_RUNNER_CONFIG_DIR": str(tmp_path / "user")}
    with pytest.raises(ConfigError, match=r"repl\.json sets provider = 'shell'"):
        require_consent(config, environ, ask=lambda lines, question: False)
    assert not (tmp_path / "user").exists()


def test_repository_checks_count_unless_the_review_is_off(tmp_path: Path) -> None:
    """`review.checks` runs shell commands: it needs consent, shown as the commands, unless the review is off."""
    checks = {"runner.config.json": {"review": {"checks": ["pytest -q", "ruff check ."]}}}
    (setting,) = program_settings(_config(tmp_path, checks))
    assert (setting.origin.key, setting.value) == ("review.checks", "pytest -q; ruff check .")
    assert "pytest -q; ruff check ." in setting.effect
    off = _config(tmp_path, {"runner.config.json": {"review": {"checks": ["pytest -q"], "mode": "off"}}})
    assert program_settings(off) == []
