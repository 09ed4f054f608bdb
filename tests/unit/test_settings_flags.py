"""One settings model and one table of flags: each setting flag sets its `Settings` field, which the
config file can set too, and the flags win over the file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from runner.cli.env import Environment
from runner.cli.options import SETTING_FLAGS, build_parser, overrides_from
from runner.config import PermissionMode, RunnerConfig, resolve_config
from runner.config_schema import ConfigFile, Settings
from runner.errors import ConfigError
from runner.logs.models import Durability, RequireEvidence


def test_every_flag_sets_a_setting_the_file_and_the_config_know() -> None:
    """Each row names a Settings field that the config file accepts and RunnerConfig resolves."""
    fields = [flag.field for flag in SETTING_FLAGS]
    assert len(set(fields)) == len(fields)
    assert set(fields) <= set(Settings.model_fields) <= set(ConfigFile.model_fields)
    assert set(Settings.model_fields) <= set(RunnerConfig.__dataclass_fields__)


def test_every_flag_is_in_the_help() -> None:
    """`pm-runner repl --help` lists every setting flag with its help text."""
    out = io.StringIO()
    env = Environment(stdout=out, stderr=io.StringIO())
    repl = build_parser(env)._subparsers._group_actions[0].choices["repl"]  # type: ignore[union-attr]
    text = repl.format_help()
    for flag in SETTING_FLAGS:
        assert flag.flag in text, flag.flag
    assert "--permission-mode" in text and "--allowed-tools RULE" in text


def test_flags_win_over_the_config_file(tmp_path: Path) -> None:
    """A value in runner.config.json is the default; the same setting given as a flag replaces it."""
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "runner.config.json").write_text(
        '{"durability": "strict", "require_evidence": "always", "model": "from-file", "progress_timeout_ms": 9}')
    env = Environment(stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO(), environ={}, cwd=tmp_path)
    args = build_parser(env).parse_args(["repl", "--durability", "normal", "--progress-timeout", "1500"])
    config = resolve_config(overrides_from(args, env), stdin_is_tty=False)
    assert (config.durability, config.progress_timeout_ms) == (Durability.NORMAL, 1500)
    assert (config.require_evidence, config.model) == (RequireEvidence.ALWAYS, "from-file")
    assert config.project_root == tmp_path.resolve()


def permissions_of(tmp_path: Path, claude_code: str, *flags: str) -> RunnerConfig:
    """The config resolved from `executors.claude-code` (JSON text) in the file and FLAGS after `repl`."""
    (tmp_path / ".claude").mkdir(exist_ok=True)
    (tmp_path / ".claude" / "runner.config.json").write_text(f'{{"executors": {{"claude-code": {claude_code}}}}}')
    env = Environment(stdin=io.StringIO(), stdout=io.StringIO(), stderr=io.StringIO(), environ={}, cwd=tmp_path)
    return resolve_config(overrides_from(build_parser(env).parse_args(["repl", *flags]), env), stdin_is_tty=False)


def test_permission_flags_add_rules_and_replace_the_mode(tmp_path: Path) -> None:
    """The file's rules come first, the flags' rules are added (once each); the flag's mode replaces the file's."""
    config = permissions_of(tmp_path, '{"permission_mode": "plan", "allowed_tools": ["Read", "Edit(docs/**)"]}',
                            "--permission-mode", "default", "--allowed-tools", "Read", "--allowed-tools", "Glob")
    assert config.permission_mode is PermissionMode.DEFAULT
    assert config.allowed_tools == ("Read", "Edit(docs/**)", "Glob")
    assert permissions_of(tmp_path, "{}").permission_mode is PermissionMode.ACCEPT_EDITS


def test_a_widening_file_setting_needs_the_same_flag(tmp_path: Path) -> None:
    """bypassPermissions/auto or a Bash rule from the repository's file is refused unless the flag repeats it."""
    for setting, flags in (('{"permission_mode": "bypassPermissions"}', ["--permission-mode", "bypassPermissions"]),
                           ('{"permission_mode": "auto"}', ["--permission-mode", "auto"]),
                           ('{"allowed_tools": ["Bash(npm test)"]}', ["--allowed-tools", "Bash(npm test)"]),
                           ('{"allowed_tools": [" Bash "]}', ["--allowed-tools", " Bash "])):
        with pytest.raises(ConfigError) as refused:
            permissions_of(tmp_path, setting)
        assert "runner.config.json: executors.claude-code." in refused.value.message
        assert refused.value.hint is not None and " ".join(flags[:1]) in refused.value.hint
        permissions_of(tmp_path, setting, *flags)  # the user's own flag is the consent
