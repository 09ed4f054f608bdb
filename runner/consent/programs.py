"""Which settings from the repository's own files would make pm-runner run a program.

A cloned repository's `.claude/runner.config.json` or `.claude/repl.json` is untrusted input
(spec/security.md). Most of its settings only tune the runner (timeouts, log limits, a model name
passed as one argument); the ones in `PROGRAM_RULES` decide which program runs for every task,
and those need the user's consent. A rule applies only when the setting takes effect: a
repository's `executor_cmd` is harmless while the executor is claude-code, and a flag that
overrides a setting leaves nothing from the file to consent to.

Another engineer's setting that widens what an agent may do (a Claude permission mode such as
`bypassPermissions`, a `Bash` rule in the allowed tools) is one more row here. The review loop's
`review.checks` are one: they run only once this check passed (`with_trusted_checks`).
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from runner.config import RunnerConfig, SettingOrigin
from runner.setting_choices import ReviewMode

# Executors that run something other than a known agent CLI: the command template, or each typed
# line as a shell command. (claude-code runs `claude`; fake only exists in test mode.)
PROGRAM_EXECUTORS = frozenset({"command", "shell"})


@dataclass(frozen=True)
class ProgramRule:
    """One setting that can make pm-runner run a program, and when it does."""

    field: str  # the RunnerConfig field
    applies: Callable[[RunnerConfig], bool]
    effect: Callable[[RunnerConfig], str]  # what would run, in words, for the question


def _runs_template(config: RunnerConfig) -> bool:
    return config.executor == "command"


def _executor_effect(config: RunnerConfig) -> str:
    if config.executor == "shell":
        return "every line you type runs as a shell command in the project folder"
    return "every task runs the command template of executor_cmd"


def _template_effect(config: RunnerConfig) -> str:
    return f"every task runs: {config.executor_cmd}{_program_of(config.executor_cmd, config.project_root)}"


def _program_of(template: str | None, root: Path) -> str:
    """` (program: /usr/bin/x)` for the template's first word when it can be found, else ``."""
    try:
        words = shlex.split(template or "")
    except ValueError:
        return ""
    if not words:
        return ""
    found = shutil.which(words[0], path=None) if "/" not in words[0] else str((root / words[0]).resolve())
    return f" (program: {found})" if found else f" (program: {words[0]}, not found on PATH)"


def _runs_checks(config: RunnerConfig) -> bool:
    return bool(config.repo_checks) and config.review_mode is not ReviewMode.OFF


def _checks_effect(config: RunnerConfig) -> str:
    return f"after each pass of a reviewed task, runs in the project folder: {'; '.join(config.repo_checks)}"


PROGRAM_RULES: tuple[ProgramRule, ...] = (
    ProgramRule("executor", lambda c: c.executor in PROGRAM_EXECUTORS, _executor_effect),
    ProgramRule("executor_cmd", _runs_template, _template_effect),
    # The review loop's `review.checks` (spec/review-loop.md): each is a shell command.
    ProgramRule("repo_checks", _runs_checks, _checks_effect),
)


@dataclass(frozen=True)
class ProgramSetting:
    """A repository file's setting that takes effect and runs a program."""

    origin: SettingOrigin
    value: str
    effect: str


def program_settings(config: RunnerConfig) -> list[ProgramSetting]:
    """The settings from repository files that would make this configuration run a program."""
    found = []
    for rule in PROGRAM_RULES:
        origin = config.origins.get(rule.field)
        if origin is not None and rule.applies(config):
            found.append(ProgramSetting(origin, _shown(getattr(config, rule.field)), rule.effect(config)))
    return found


def _shown(value: object) -> str:
    return "; ".join(map(str, value)) if isinstance(value, list) else str(value)


def with_trusted_checks(config: RunnerConfig) -> RunnerConfig:
    """`config` once the consent check passed: the repository's checks it covered may run."""
    return replace(config, repo_checks_trusted=True) if _runs_checks(config) else config
