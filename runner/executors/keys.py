"""Which API key each executor (provider) uses, and whether it is set, without ever reading its value.

`/keys` and the start-up warning use this; nothing here returns a key's value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from runner.executors.registry import EXECUTORS

# Agent CLIs can also use their own login (claude, codex login, gemini), so a missing key is a
# warning, never a refusal.
KNOWN_KEYS: dict[str, str] = {spec.name: spec.api_key_env for spec in EXECUTORS.values() if spec.api_key_env}


class KeySetting(Protocol):
    """An executor's settings as far as keys go: the variable the config says it requires."""

    @property
    def api_key_env(self) -> str | None: ...


@dataclass(frozen=True)
class KeyStatus:
    provider: str
    env_var: str
    is_set: bool
    required: bool


def key_statuses(settings: Mapping[str, KeySetting], environ: Mapping[str, str] | None = None) -> list[KeyStatus]:
    """SET / NOT SET for every known provider key and every key the executors' settings require."""
    env = os.environ if environ is None else environ
    rows = [KeyStatus(name, var, bool(env.get(var)), False) for name, var in KNOWN_KEYS.items()]
    for name, own in sorted(settings.items()):
        if own.api_key_env:
            rows.append(KeyStatus(name, own.api_key_env, bool(env.get(own.api_key_env)), True))
    return rows


def required_key_missing(settings: Mapping[str, KeySetting], executor: str,
                         environ: Mapping[str, str] | None = None) -> str | None:
    """The env variable a task needs but lacks (only keys the config marks as required)."""
    env = os.environ if environ is None else environ
    own = settings.get(executor)
    if own and own.api_key_env and not env.get(own.api_key_env):
        return own.api_key_env
    return None
