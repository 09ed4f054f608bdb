"""RunnerConfig: defaults < `.claude/runner.config.json` < `.claude/repl.json` < command-line flags.

Also resolves the project root from the project mode (cwd, temp, fixed). A broken
config file is an error naming the file and the problem, never a guess. The files' schema
(`config_schema.py`, pydantic) loads only when a file exists or a setting is given as a flag:
a REPL started with neither resolves the defaults here without it (start-up time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from runner.errors import ConfigError
from runner.logs.limits import LoggingLimits
from runner.logs.store import safe_files
from runner.logs.store.access import READ, explain, fix_hint
from runner.logs.store.logs_root import LogsDirChoice
from runner.logs.store.paths import project_of
from runner.logs.store.safe_files import Limit, UnsafeFileError, write_atomic
from runner.logs.vocabulary import Durability, PlanMode, RequireEvidence
from runner.setting_choices import PermissionMode, ReviewMode

if TYPE_CHECKING:
    from runner.config_schema import ConfigFile, ExecutorSettings, ReplState, Settings
    from runner.loop_settings import Criteria, LoopSettings
    from runner.pricing import Price

__all__ = ["CliOverrides", "PermissionMode", "ProjectMode", "RunnerConfig", "SettingOrigin", "file_digest",
           "load_config_file", "load_repl_state", "resolve_config", "resolve_project_root", "save_repl_state"]

RUNNER_CONFIG_FILE = "runner.config.json"
REPL_STATE_FILE = "repl.json"


class ProjectMode(StrEnum):
    CWD = "cwd"
    TEMP = "temp"
    FIXED = "fixed"


@dataclass(frozen=True)
class SettingOrigin:
    """Where a resolved setting came from when a repository file set it (the consent check reads this)."""

    file: Path  # .claude/runner.config.json or .claude/repl.json
    key: str  # the key in that file: "executor_cmd", "provider", "executors.command.command"
    digest: str  # of the file's bytes as read: consent is remembered per exact content


def file_digest(data: bytes) -> str:
    """The digest a settings file's content is known by (`sha256:<hex>`)."""
    import hashlib  # here, not at import: every command line loads this module, few read a settings file

    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class RunnerConfig:
    """Every setting the runner uses, resolved from all sources."""

    project_root: Path
    project_mode: ProjectMode = ProjectMode.CWD
    non_interactive: bool = False
    executor: str | None = None
    executor_cmd: str | None = None
    executor_format: str | None = None
    model: str | None = None
    executor_timeout_ms: int = 300_000
    progress_timeout_ms: int = 60_000
    kill_grace_ms: int = 3_000
    durability: Durability = Durability.NORMAL
    require_evidence: RequireEvidence = RequireEvidence.AUTO
    plan: PlanMode = PlanMode.AUTO  # spec/planning.md
    max_subtasks: int = 10
    print_project_path: bool = False
    trust_project: bool = False  # --trust-project: the repository's program-running settings are consented to
    logging: LoggingLimits = field(default_factory=LoggingLimits)
    # --logs-dir or PM_RUNNER_LOGS_DIR (never a repository's file); None: <project>/.claude/logs.
    logs_choice: LogsDirChoice | None = None
    executors: dict[str, ExecutorSettings] = field(default_factory=dict)
    # claude-code: acceptEdits lets it write files; shell commands only when allowed by a rule.
    permission_mode: PermissionMode = PermissionMode.ACCEPT_EDITS
    allowed_tools: tuple[str, ...] = ()
    # The settings a repository file set (field → where), for the consent check; flags are not here.
    origins: dict[str, SettingOrigin] = field(default_factory=dict)
    # Where `model` came from, for MODEL_SELECTED: "--model flag", "config file", "/model", "executor default".
    model_source: str = "executor default"
    # The review loop, retries, escalation and budgets (spec/review-loop.md).
    review_mode: ReviewMode = ReviewMode.AUTO
    checks: list[str] = field(default_factory=list)  # --check flags and /check add: the user's own
    repo_checks: list[str] = field(default_factory=list)  # review.checks of the repository's config file
    repo_checks_trusted: bool = False  # set once the consent check covered them (consent.with_trusted_checks)
    max_iterations: int = 3
    max_retries: int = 2
    retry_backoff_ms: int = 2_000
    check_timeout_ms: int = 300_000
    criteria: Criteria | None = None  # the config file's review.criteria; None: every criterion on
    escalate_model: str | None = None
    fallback_model: str | None = None
    max_cost_usd: float | None = None
    max_task_cost_usd: float | None = None
    max_tokens: int | None = None
    budget_warn_ratio: float = 0.8
    prices: dict[str, Price] = field(default_factory=dict)

    @property
    def active_checks(self) -> list[str]:
        """The checks that run: the user's, plus the repository's once the project is trusted."""
        return [*self.checks, *(self.repo_checks if self.repo_checks_trusted else [])]

    @property
    def claude_dir(self) -> Path:
        return self.project_root / ".claude"

    @property
    def logs_dir(self) -> Path | None:
        """The logs folder the user chose; None for the default `<project>/.claude/logs`."""
        return self.logs_choice.path if self.logs_choice else None

    def limits_for(self, executor: str) -> tuple[int, int]:
        """(executor_timeout_ms, progress_timeout_ms) after the executor's own overrides."""
        own = self.executors.get(executor)
        overall = own.executor_timeout_ms if own and own.executor_timeout_ms else None
        progress = own.progress_timeout_ms if own and own.progress_timeout_ms else None
        return overall or self.executor_timeout_ms, progress or self.progress_timeout_ms


@dataclass(frozen=True)
class CliOverrides:
    """What the command line gave: where the project is and how to run, and the settings given as flags."""

    project: Path | None = None
    project_mode: ProjectMode | None = None
    project_root: Path | None = None
    non_interactive: bool = False
    print_project_path: bool = False
    trust_project: bool = False
    logs_choice: LogsDirChoice | None = None  # --logs-dir, else PM_RUNNER_LOGS_DIR
    settings: Settings | None = None  # None: no setting flag was given
    permission_mode: PermissionMode | None = None
    allowed_tools: tuple[str, ...] = ()
    loop: LoopSettings | None = None  # --review, --check, budgets, models (cli/loop_options.py); None: none given


def _read_json_file(path: Path) -> tuple[dict[str, Any], bytes] | None:
    try:
        raw = safe_files.read_bytes(path, limit=Limit.SMALL)
    except FileNotFoundError:
        return None
    except UnsafeFileError as exc:
        raise ConfigError(f"refusing to read {exc.strerror}",
                          hint=f"remove or replace {exc.path} (it may have come with a cloned repository)") from None
    except PermissionError as exc:
        refusal = explain(path, READ)
        if refusal is None:
            raise ConfigError(f"cannot read {path}: {exc.strerror}", hint="check its permissions") from exc
        raise ConfigError(f"cannot read {path}: {refusal.reason}", hint=fix_hint(refusal, project_of(path))) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", hint="check its permissions") from exc
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid JSON: {exc}", hint=f"fix or remove {path}"
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a JSON object, not {type(data).__name__}",
                          hint=f"fix or remove {path}")
    return data, raw


@dataclass(frozen=True)
class _Loaded:
    """One settings file as parsed and validated, with where it is and the digest of its bytes (None: no file)."""

    path: Path
    model: Any
    digest: str | None

    def origin(self, key: str) -> SettingOrigin | None:
        return None if self.digest is None else SettingOrigin(self.path, key, self.digest)


def _read_settings(path: Path) -> tuple[dict[str, Any], str] | None:
    """One JSON settings file as read (with its digest), before validation; None when there is none."""
    read = _read_json_file(path)
    if read is None:
        return None
    data, raw = read
    _refuse_logs_dir_key(path, data)
    return data, file_digest(raw)


def _config_file(path: Path, read: tuple[dict[str, Any], str] | None) -> _Loaded:
    from runner.config_schema import ConfigFile, validated

    data, digest = read or (None, None)
    return _Loaded(path, validated(ConfigFile, path, data, f"fix or remove {path}; see spec/configuration.md"), digest)


def _repl_state(claude_dir: Path) -> _Loaded:
    from runner.config_schema import ReplState, validated

    path = claude_dir / REPL_STATE_FILE
    data, digest = _read_settings(path) or (None, None)
    return _Loaded(path, validated(ReplState, path, data, f"fix or remove {path}"), digest)


# Spellings of "where the logs go" a repository's file might use; none of them is ever obeyed.
_LOGS_DIR_KEYS = frozenset({"logsdir", "logdir", "logsfolder", "logspath", "logsroot"})
_LOGGING_DIR_KEYS = _LOGS_DIR_KEYS | {"dir", "folder", "path", "root"}


def _refuse_logs_dir_key(path: Path, data: dict[str, Any]) -> None:
    """A repository's file may not choose where the logs are written (spec/security.md): a clear error.

    A cloned repository that could name the logs folder could make pm-runner write outside the project.
    """
    logging = data.get("logging")
    keys = [key for key in data if _bare(key) in _LOGS_DIR_KEYS]
    keys += [f"logging.{key}" for key in (logging if isinstance(logging, dict) else {}) if _bare(key) in _LOGGING_DIR_KEYS]
    if keys:
        raise ConfigError(f"{path}: {keys[0][:80]} is not allowed: a project's files never choose where pm-runner "
                          "writes its logs", hint="remove it from the file; choose the logs folder yourself with "
                          "--logs-dir DIR or PM_RUNNER_LOGS_DIR")


def _bare(key: object) -> str:
    return str(key).lower().replace("_", "").replace("-", "")


def load_config_file(claude_dir: Path) -> ConfigFile:
    """Parse `.claude/runner.config.json`."""
    path = claude_dir / RUNNER_CONFIG_FILE
    loaded: ConfigFile = _config_file(path, _read_settings(path)).model
    return loaded


def load_repl_state(claude_dir: Path) -> ReplState:
    """Parse `.claude/repl.json` (what /provider and /model saved)."""
    loaded: ReplState = _repl_state(claude_dir).model
    return loaded


def resolve_project_root(overrides: CliOverrides) -> tuple[ProjectMode, Path]:
    """Apply the project mode: cwd (default), temp (a fresh folder), fixed (must already exist)."""
    mode = overrides.project_mode or (ProjectMode.FIXED if overrides.project_root else ProjectMode.CWD)
    if mode is ProjectMode.FIXED:
        root = overrides.project_root
        if root is None:
            raise ConfigError("--project-mode fixed needs --project-root DIR",
                              hint="pass an existing folder: --project-root /path/to/project")
        if not root.is_dir():
            raise ConfigError(f"project root {root} does not exist or is not a folder",
                              hint="fixed mode never creates the folder; create it first or fix the path")
        return mode, root.resolve()
    if overrides.project_root is not None:
        raise ConfigError(f"--project-root is only used with --project-mode fixed (mode is {mode})",
                          hint="add --project-mode fixed, or use --project DIR")
    if mode is ProjectMode.TEMP:
        import tempfile

        return mode, Path(tempfile.mkdtemp(prefix="pm-runner-")).resolve()
    root = overrides.project or Path.cwd()
    if not root.is_dir():
        raise ConfigError(f"project folder {root} does not exist", hint="pass an existing folder to --project")
    return mode, root.resolve()


def resolve_config(overrides: CliOverrides, *, stdin_is_tty: bool) -> RunnerConfig:
    """Merge defaults < runner.config.json < repl.json < flags into one RunnerConfig."""
    mode, root = resolve_project_root(overrides)
    claude_dir = root / ".claude"
    non_interactive = overrides.non_interactive or not stdin_is_tty
    config = RunnerConfig(
        project_root=root,
        project_mode=mode,
        non_interactive=non_interactive,
        # Strict is the default when nobody watches: a CI log must survive a crash.
        durability=Durability.STRICT if non_interactive else Durability.NORMAL,
        print_project_path=overrides.print_project_path,
        trust_project=overrides.trust_project,
        logs_choice=overrides.logs_choice,
    )
    # Files are read (and refused) in the order they always were; the schema validates only what is there.
    file_read = _read_settings(claude_dir / RUNNER_CONFIG_FILE)
    if (file_read is None and overrides.settings is None and overrides.loop is None
            and _read_settings(claude_dir / REPL_STATE_FILE) is None):
        return _with_permissions(config, overrides)  # the defaults: nothing to validate, pydantic not loaded
    return _with_permissions(_layered(config, claude_dir, file_read, overrides), overrides)


def _layered(config: RunnerConfig, claude_dir: Path, file_read: tuple[dict[str, Any], str] | None,
             overrides: CliOverrides) -> RunnerConfig:
    """`config` with the files' settings and the flags laid over it, each setting's origin noted."""
    from runner.config_schema import Settings

    file_loaded = _config_file(claude_dir / RUNNER_CONFIG_FILE, file_read)
    state_loaded = _repl_state(claude_dir)
    file_cfg: ConfigFile = file_loaded.model
    state: ReplState = state_loaded.model
    config = replace(config, logging=LoggingLimits(**file_cfg.logging.model_dump()), executors=file_cfg.executors)
    flags = overrides.settings.model_dump() if overrides.settings is not None else {}
    # Each layer: (its values, where a value came from — None for the command line, and what
    # MODEL_SELECTED names as the reason when the layer sets the model; repl.json is what /model saved).
    layers: list[tuple[dict[str, Any], Callable[[str], SettingOrigin | None], str]] = [
        (file_cfg.model_dump(include=set(Settings.model_fields)), file_loaded.origin, "config file"),
        (_loop_layer(file_cfg, from_repository=True), lambda key: file_loaded.origin(_LOOP_FILE_KEYS[key]),
         "config file"),
        ({"executor": state.provider, "model": state.model},
         lambda key: state_loaded.origin("provider" if key == "executor" else key), "/model"),
        ({**flags, **(_loop_layer(overrides.loop, from_repository=False) if overrides.loop is not None else {})},
         lambda key: None, "--model flag"),
    ]
    origins: dict[str, SettingOrigin] = {}
    for values, origin_of, model_source in layers:
        given = {k: v for k, v in values.items() if v is not None}
        config = replace(config, **given)
        if "model" in given:
            config = replace(config, model_source=model_source)
        for key in given:
            origin = origin_of(key)
            if origin is None:
                origins.pop(key, None)
            else:
                origins[key] = origin
    if config.executor_cmd is None and config.executor:
        own = config.executors.get(config.executor)
        if own and own.command:
            config = replace(config, executor_cmd=own.command)
            if origin := file_loaded.origin(f"executors.{config.executor}.command"):
                origins["executor_cmd"] = origin
    return replace(config, origins=origins)


# Modes in which Claude Code runs tools nobody allowed one by one.
_WIDE_MODES = frozenset({PermissionMode.BYPASS_PERMISSIONS, PermissionMode.AUTO})


def _with_permissions(config: RunnerConfig, overrides: CliOverrides) -> RunnerConfig:
    """claude-code's permission mode and allowed tools: the file's, then the flags' (added, not replaced)."""
    own = config.executors.get("claude-code")
    if own is not None:
        _refuse_unconsented_widening(config.claude_dir / RUNNER_CONFIG_FILE, own, overrides)
    mode = overrides.permission_mode or (own.permission_mode if own else None) or config.permission_mode
    tools = [*((own.allowed_tools or []) if own else []), *overrides.allowed_tools]
    return replace(config, permission_mode=mode, allowed_tools=tuple(dict.fromkeys(tools)))


def _refuse_unconsented_widening(path: Path, own: ExecutorSettings, overrides: CliOverrides) -> None:
    """A repository's file alone may not let the agent run programs: the user repeats it as a flag.

    As powerful as a repository's `executor_cmd` (spec/configuration.md); until the project-trust
    consent of issue 9 covers these keys, the flag is the consent.
    """
    mode = own.permission_mode
    if overrides.permission_mode is None and mode in _WIDE_MODES:
        raise ConfigError(
            f"{path}: executors.claude-code.permission_mode is {mode}, which lets Claude Code run any "
            "tool without asking; a repository's config cannot allow that on its own",
            hint=f"if you mean it, say so yourself: --permission-mode {mode} (or remove the key from the file)")
    shell = [rule for rule in own.allowed_tools or [] if _runs_commands(rule) and rule not in overrides.allowed_tools]
    if shell:
        import shlex

        flags = " ".join(f"--allowed-tools {shlex.quote(rule)}" for rule in shell[:3])
        raise ConfigError(
            f"{path}: executors.claude-code.allowed_tools lets Claude Code run shell commands "
            f"({', '.join(shell[:3])}); a repository's config cannot allow that on its own",
            hint=f"if you mean it, say so yourself: {flags} (or remove the rules from the file)")


def _runs_commands(rule: str) -> bool:
    """`Bash`, `Bash(npm test)`, `Bash(git:*)`: a rule that lets the agent run shell commands."""
    return rule.strip().split("(", 1)[0].strip() == "Bash"


# The config file's key of each RunnerConfig field the loop layer sets (for SettingOrigin).
_LOOP_FILE_KEYS = {
    "review_mode": "review.mode", "max_iterations": "review.max_iterations", "max_retries": "review.max_retries",
    "retry_backoff_ms": "review.retry_backoff_ms", "check_timeout_ms": "review.check_timeout_ms",
    "criteria": "review.criteria", "repo_checks": "review.checks", "checks": "review.checks",
    "max_cost_usd": "budget.max_cost_usd", "max_task_cost_usd": "budget.max_task_cost_usd",
    "max_tokens": "budget.max_tokens", "budget_warn_ratio": "budget.warn_ratio",
    "escalate_model": "models.escalate", "fallback_model": "models.fallback", "prices": "models.prices",
}


def _loop_layer(loop: LoopSettings, *, from_repository: bool) -> dict[str, Any]:
    """The review, budget and models sections as RunnerConfig fields (None where they are silent).

    Checks from the repository's config file are kept apart from the user's own (`--check`): they run
    programs, so they wait for the project to be trusted.
    """
    review, budget, models = loop.review, loop.budget, loop.models
    checks = list(review.checks) or None
    return {
        "review_mode": review.mode, "max_iterations": review.max_iterations, "max_retries": review.max_retries,
        "retry_backoff_ms": review.retry_backoff_ms, "check_timeout_ms": review.check_timeout_ms,
        "criteria": review.criteria if "criteria" in review.model_fields_set else None,
        "repo_checks" if from_repository else "checks": checks,
        "max_cost_usd": budget.max_cost_usd, "max_task_cost_usd": budget.max_task_cost_usd,
        "max_tokens": budget.max_tokens, "budget_warn_ratio": budget.warn_ratio,
        "escalate_model": models.escalate, "fallback_model": models.fallback, "prices": dict(models.prices) or None,
    }


def save_repl_state(claude_dir: Path, *, provider: str | None, model: str | None) -> Path:
    """Persist `/provider` and `/model` choices to `.claude/repl.json` (0600, atomically)."""
    from runner.config_schema import ReplState

    path = claude_dir / REPL_STATE_FILE
    payload = orjson.dumps(ReplState(provider=provider, model=model).model_dump(), option=orjson.OPT_INDENT_2)
    try:
        safe_files.make_private_folders(claude_dir)
        write_atomic(path, payload, durable=True)
    except OSError as exc:
        raise ConfigError(f"cannot save {path}: {exc.strerror or exc}",
                          hint=f"check {claude_dir}: it must be a real, writable folder") from None
    return path
