"""One settings model and one table of flags: each setting flag sets its `Settings` field, which the
config file can set too, and the flags win over the file."""

from __future__ import annotations

import io
from pathlib import Path

from runner.cli.env import Environment
from runner.cli.options import SETTING_FLAGS, build_parser, overrides_from
from runner.config import ConfigFile, RunnerConfig, Settings, resolve_config
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
