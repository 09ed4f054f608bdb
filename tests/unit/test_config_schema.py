"""The settings files' schema (`config_schema`) and the plain values the REPL runs with agree."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from runner.config import CliOverrides, ProjectMode, RunnerConfig, resolve_config
from runner.config_schema import LoggingLimits as LoggingSchema
from runner.errors import ConfigError
from runner.logs.limits import LoggingLimits


def test_logging_schema_has_the_limits_fields_and_defaults() -> None:
    """`config_schema.LoggingLimits` validates exactly the fields of `logs.limits.LoggingLimits`, with its defaults."""
    schema = {name: info.default for name, info in LoggingSchema.model_fields.items()}
    plain = {field.name: field.default for field in dataclasses.fields(LoggingLimits)}
    assert schema == plain
    assert list(schema) == list(plain)


def _resolve(root: Path) -> RunnerConfig:
    return resolve_config(CliOverrides(project_mode=ProjectMode.FIXED, project_root=root), stdin_is_tty=False)


def test_defaults_without_files_are_the_schema_defaults(tmp_path: Path) -> None:
    """No settings file resolves to the same settings as an empty one (the first without the schema)."""
    (tmp_path / "bare").mkdir()
    (tmp_path / "empty" / ".claude").mkdir(parents=True)
    (tmp_path / "empty" / ".claude" / "runner.config.json").write_text("{}")
    bare, empty = _resolve(tmp_path / "bare"), _resolve(tmp_path / "empty")
    assert dataclasses.replace(bare, project_root=empty.project_root) == empty


def test_the_file_limits_become_plain_limits(tmp_path: Path) -> None:
    """The file's `logging` table is validated, then kept as the plain `LoggingLimits` retention reads."""
    (tmp_path / ".claude").mkdir()
    (tmp_path / ".claude" / "runner.config.json").write_text('{"logging": {"retention_days": 2}}')
    config = _resolve(tmp_path)
    assert config.logging == LoggingLimits(retention_days=2)


@pytest.mark.parametrize(("content", "message"), [
    ('{"logging": 5}', "logging: Input should be a valid dictionary or instance of LoggingLimits"),
    ('{"logging": {"max_event_size_mb": 0}}', "logging.max_event_size_mb: Input should be greater than 0"),
    ('{"review": {"criteria": [1]}}', "review.criteria: Input should be a valid dictionary or instance of Criteria"),
])
def test_a_bad_file_is_named_as_before(tmp_path: Path, content: str, message: str) -> None:
    """A file that does not fit the schema is refused with the schema's own words (the class names included)."""
    (tmp_path / ".claude").mkdir()
    path = tmp_path / ".claude" / "runner.config.json"
    path.write_text(content)
    with pytest.raises(ConfigError) as raised:
        _resolve(tmp_path)
    assert raised.value.message == f"{path}: {message}"
