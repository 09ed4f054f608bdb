"""Consent for the repository's program-running settings (issue 9 item 2, spec/security.md).

`require_consent` runs at start, before any session or task, and again when `/provider` makes a
repository setting take effect: when a file under `.claude/` sets something that makes pm-runner
run a program (`programs.PROGRAM_RULES`) and the user has not trusted that exact file for that
project (`store.TrustStore`), it asks one question at a terminal showing exactly what would run,
or — without a terminal — refuses with a ConfigError naming the file and `--trust-project`. A yes
(or `--trust-project`) is remembered per project path and file digest. What the user chooses inside
the REPL (`/provider shell`) is remembered as trusted by `remember_saved`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from runner.config import RunnerConfig, file_digest
from runner.consent.programs import (
    PROGRAM_EXECUTORS,
    ProgramSetting,
    program_settings,
    with_trusted_checks,
)
from runner.consent.store import TrustStore, store_path
from runner.errors import ConfigError
from runner.logs.store import safe_files
from runner.logs.store.safe_files import Limit
from runner.notices import Notice
from runner.views.safe_text import safe_str

__all__ = ["QUESTION", "TRUST_FLAG", "Ask", "program_settings", "remember_saved", "require_consent",
           "with_executor", "with_trusted_checks"]

TRUST_FLAG = "--trust-project"
QUESTION = "Trust these settings of this project and run them? [y/N] "

# Shows the lines, asks the question; True only for yes.
Ask = Callable[[list[str], str], bool]


def require_consent(config: RunnerConfig, environ: Mapping[str, str], *, ask: Ask | None) -> list[Notice]:
    """Return (with notices to show) when every program-running repository setting is trusted; else raise.

    `ask` is None when nobody can answer (non-interactive): an untrusted setting is then an error,
    unless the run was started with `--trust-project` (`config.trust_project`).
    """
    settings = program_settings(config)
    if not settings:
        return []
    store = TrustStore.load(store_path(environ))
    notices = [Notice.warning(store.problem)] if store.problem else []
    untrusted = [s for s in settings
                 if not store.trusted(config.project_root, s.origin.file.name, s.origin.digest)]
    if not untrusted:
        return notices
    if not config.trust_project:
        if ask is None:
            raise _refusal(untrusted, "this project is not trusted")
        if not ask(describe(untrusted), QUESTION):
            raise _refusal(untrusted, "not trusted, so nothing was run")
    return notices + _remember(store, config.project_root, {s.origin.file.name: s.origin.digest for s in untrusted})


def with_executor(config: RunnerConfig, name: str) -> RunnerConfig:
    """The configuration once the user picked executor `name` themselves (`/provider`): not a file's choice."""
    return replace(config, executor=name, origins={k: v for k, v in config.origins.items() if k != "executor"})


def describe(settings: list[ProgramSetting]) -> list[str]:
    """The question's preamble: each file, each setting, and what it would run (display-safe)."""
    lines = ["This project's own settings make pm-runner run a program:"]
    for setting in settings:
        lines.append(f"  {safe_str(setting.origin.file)} sets {safe_str(setting.origin.key)} = "
                     f"{safe_str(repr(setting.value))}")
        lines.append(f"    -> {safe_str(setting.effect)}")
    lines.append("They came with the project (a cloned repository may hold anything); "
                 "the answer is remembered until the file changes.")
    return lines


def _refusal(settings: list[ProgramSetting], why: str) -> ConfigError:
    first = settings[0]
    others = f" (and {len(settings) - 1} more)" if len(settings) > 1 else ""
    return ConfigError(
        f"{first.origin.file} sets {first.origin.key} = {first.value!r}{others}, which makes pm-runner run "
        f"a program; {why}",
        hint=f"check the file, then pass {TRUST_FLAG} to trust this project's settings (remembered), "
             "or choose the executor yourself, e.g. --executor claude-code")


def _remember(store: TrustStore, project: Path, files: dict[str, str]) -> list[Notice]:
    try:
        store.remember(project, files)
    except OSError as exc:
        return [Notice.warning(f"cannot remember the answer in {store.path}: {exc.strerror or exc}; "
                               "it will be asked again next time")]
    return []


def remember_saved(project: Path, file: Path, provider: str | None, environ: Mapping[str, str]) -> list[Notice]:
    """Trust `.claude/repl.json` as pm-runner just wrote it with the user's own choice (`/provider shell`).

    Without this the next start would ask about what the user typed. Only a program-running
    provider is worth remembering.
    """
    if provider not in PROGRAM_EXECUTORS:
        return []
    try:
        data = safe_files.read_bytes(file, limit=Limit.SMALL)
    except OSError:
        return []  # the save itself reported any problem
    return _remember(TrustStore.load(store_path(environ)), project, {file.name: file_digest(data)})
