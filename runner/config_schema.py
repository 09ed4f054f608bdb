"""The schema of `.claude/runner.config.json` and `.claude/repl.json` (pydantic), and the flags' `Settings`.

Loaded only to validate: when a settings file exists or a setting is given as a flag. A REPL
started without either resolves its defaults in `config.py` without importing pydantic. A file
that does not fit is a `ConfigError` naming the file, the keys and the problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runner.errors import ConfigError
from runner.logs.limits import LoggingLimits as PlainLoggingLimits
from runner.logs.vocabulary import Durability, PlanMode, RequireEvidence
from runner.loop_settings import LoopSettings
from runner.setting_choices import PermissionMode

_DEFAULT_LIMITS = PlainLoggingLimits()


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoggingLimits(_FileModel):
    """The `logging` table as the file gives it, validated; `resolve_config` makes it the plain
    `runner.logs.limits.LoggingLimits` (the same fields, its defaults: test_config_schema holds them equal)."""

    retention_days: float = Field(default=_DEFAULT_LIMITS.retention_days, ge=0)
    max_task_log_size_mb: float = Field(default=_DEFAULT_LIMITS.max_task_log_size_mb, gt=0)
    max_session_log_size_mb: float = Field(default=_DEFAULT_LIMITS.max_session_log_size_mb, gt=0)
    max_total_log_size_mb: float = Field(default=_DEFAULT_LIMITS.max_total_log_size_mb, gt=0)
    max_event_size_mb: float = Field(default=_DEFAULT_LIMITS.max_event_size_mb, gt=0)


class ExecutorSettings(_FileModel):
    """Per-executor overrides in the config file's `executors` table."""

    executor_timeout_ms: int | None = Field(default=None, gt=0)
    progress_timeout_ms: int | None = Field(default=None, gt=0)
    command: str | None = None
    api_key_env: str | None = None
    # claude-code: what the agent may do without asking (it cannot ask in print mode).
    permission_mode: PermissionMode | None = None
    allowed_tools: list[str] | None = None


class Settings(_FileModel):
    """The settings a person can give in `.claude/runner.config.json` and as flags; unset means "not given".

    One model for both: the config file extends it, the flags are generated from the table in
    `runner/cli/options.py`, and `resolve_config` merges the layers field by field. A new setting
    is a field here, its resolved default in `RunnerConfig`, and (for a flag) a row in that table.
    """

    executor: str | None = None
    executor_cmd: str | None = None
    executor_format: Literal["text", "claude-stream", "codex-jsonl", "gemini-stream"] | None = None
    model: str | None = None
    executor_timeout_ms: int | None = Field(default=None, gt=0)
    progress_timeout_ms: int | None = Field(default=None, gt=0)
    kill_grace_ms: int | None = Field(default=None, ge=0)
    durability: Durability | None = None
    require_evidence: RequireEvidence | None = None
    plan: PlanMode | None = None
    max_subtasks: int | None = Field(default=None, ge=2, le=100)


class ConfigFile(Settings, LoopSettings):
    """The schema of `.claude/runner.config.json` (every key optional)."""

    executors: dict[str, ExecutorSettings] = Field(default_factory=dict)
    logging: LoggingLimits = Field(default_factory=LoggingLimits)


class ReplState(_FileModel):
    """`.claude/repl.json`: what `/provider` and `/model` persist between runs."""

    provider: str | None = None
    model: str | None = None


_M = TypeVar("_M", bound=_FileModel)


def validated(model: type[_M], path: Path, data: dict[str, Any] | None, hint: str) -> _M:
    """`data` read from `path` as `model` (None: no file, all defaults); a ConfigError naming what does not fit."""
    if data is None:
        return model()
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}", hint=hint) from exc


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors()[:3]:
        where = ".".join(str(part) for part in err["loc"]) or "(top level)"
        problems.append(f"{where}: {err['msg']}")
    return "; ".join(problems)
