"""Which API key each executor (provider) uses, and how to tell whether it is set without reading it.

`/keys` and the start-up warning use this; nothing here ever returns a key's value.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass

from runner.config import RunnerConfig

# The key each built-in agent CLI reads. claude can also use its own login, so a
# missing ANTHROPIC_API_KEY is a warning for claude-code, never a refusal.
KNOWN_KEYS: dict[str, str] = {
    "claude-code": "ANTHROPIC_API_KEY",
    "openai": "OPENAI_API_KEY",
    "gemini": "GEMINI_API_KEY",
}


@dataclass(frozen=True)
class KeyStatus:
    provider: str
    env_var: str
    is_set: bool
    required: bool


def key_statuses(config: RunnerConfig, environ: Mapping[str, str] | None = None) -> list[KeyStatus]:
    """SET / NOT SET for every known provider key and every key named in the config."""
    env = os.environ if environ is None else environ
    rows = [KeyStatus(name, var, bool(env.get(var)), False) for name, var in KNOWN_KEYS.items()]
    for name, settings in sorted(config.executors.items()):
        if settings.api_key_env:
            rows.append(KeyStatus(name, settings.api_key_env, bool(env.get(settings.api_key_env)), True))
    return rows


def required_key_missing(config: RunnerConfig, executor: str,
                         environ: Mapping[str, str] | None = None) -> str | None:
    """The env variable a task needs but lacks (only keys the config marks as required)."""
    env = os.environ if environ is None else environ
    settings = config.executors.get(executor)
    if settings and settings.api_key_env and not env.get(settings.api_key_env):
        return settings.api_key_env
    return None


def advisory_key_missing(executor: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The usual key of a built-in provider when it is not set (worth a start-up warning)."""
    env = os.environ if environ is None else environ
    var = KNOWN_KEYS.get(executor)
    return var if var and not env.get(var) else None


def default_executor() -> str | None:
    """`claude-code` when the `claude` CLI is on PATH; otherwise none is chosen for the user."""
    return "claude-code" if shutil.which("claude") else None
