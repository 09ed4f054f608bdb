"""The one masking pass every export goes through: a session's TaskLogs as masked copies.

Renderers take a `MaskedSession`, which only `mask_session` makes, so no document can be built
from logs that did not pass the gate. The gate is the views' own (`safe_json`): every string
masked (second layer, after the save-time one) and made display-safe (control characters, bidi
overrides and escape sequences shown as visible escapes). Each format then only escapes for its
own syntax (HTML, Markdown, JSON).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from pydantic import ValidationError

from runner.errors import RunnerError
from runner.logs.models import PROMPT_SUMMARY_MAX, CorruptedLog, SessionMeta, TaskLog, TaskStatus
from runner.views.safe_text import restore_mask_counts, safe_json, safe_str

DEFAULT_LOGS_DIR = ".claude/logs"


@dataclass(frozen=True)
class LeftOut:
    """A task an export did not include, and why (still running, or its file does not parse)."""

    task_id: str
    status: str
    reason: str


@dataclass(frozen=True)
class SessionFacts:
    """What the session file says about where and how the session ran (all masked)."""

    project_name: str | None = None  # the project folder's basename only, never the full path
    executor: str | None = None
    model: str | None = None
    durability: str | None = None
    runner_version: str | None = None
    ended_at: str | None = None


@dataclass(frozen=True)
class MaskedSession:
    """A session ready to render: masked copies of its TaskLogs in creation order."""

    session_id: str
    started_at: str | None  # the session's start; part of every export id's seed
    logs: tuple[TaskLog, ...]
    facts: SessionFacts = field(default_factory=SessionFacts)
    left_out: tuple[LeftOut, ...] = ()
    logs_dir: str = DEFAULT_LOGS_DIR  # how a report names the logs folder (LogPaths.shown_logs_dir)

    @cached_property
    def by_task_id(self) -> dict[str, TaskLog]:
        return {log.task_id: log for log in self.logs}

    @cached_property
    def continued_by(self) -> dict[str, tuple[TaskLog, ...]]:
        """For each task, the later tasks that continue it (an answer, a retry), in order."""
        found: dict[str, list[TaskLog]] = {}
        for log in self.logs:
            if log.parent_task_id:
                found.setdefault(log.parent_task_id, []).append(log)
        return {task_id: tuple(logs) for task_id, logs in found.items()}

    @property
    def id_seed(self) -> str:
        """What makes this session's export ids unique: the same session id recurs across projects."""
        return f"{self.session_id}@{self.started_at or ''}"


def mask_log(log: TaskLog) -> TaskLog:
    """A masked, display-safe copy of `log`; a log that cannot be masked safely is an error, never shown."""
    data = safe_json(log)
    restore_mask_counts(data.get("events") if isinstance(data, dict) else None, log.events)
    # A mask marker can be longer than the secret it hides: cut again, after masking (DESIGN §6).
    data["prompt_summary"] = str(data.get("prompt_summary", ""))[:PROMPT_SUMMARY_MAX]
    # The agent's own session id is not a credential (people resume it, issue 11); its key name
    # would have `mask_obj` hide it whole, so it gets the text masking every other string gets.
    data["resume_token"] = safe_str(log.resume_token) if log.resume_token is not None else None
    try:
        return TaskLog.model_validate(data)
    except ValidationError as exc:
        raise RunnerError(f"task {safe_str(log.task_id)} cannot be exported safely "
                          f"({exc.error_count()} field(s) no longer valid after masking)",
                          hint="report this; the other tasks can be exported with --since") from None


def _facts(meta: SessionMeta | None) -> SessionFacts:
    if meta is None:
        return SessionFacts()
    root = meta.project_root.rstrip("/")
    return SessionFacts(
        project_name=safe_str(posixpath.basename(root) or root),
        executor=safe_str(meta.executor) if meta.executor else None,
        model=safe_str(meta.model) if meta.model else None,
        durability=safe_str(meta.durability),
        runner_version=safe_str(meta.runner_version),
        ended_at=meta.ended_at,
    )


def mask_session(
    session_id: str,
    logs: Iterable[TaskLog | CorruptedLog],
    *,
    started_at: str | None = None,
    meta: SessionMeta | None = None,
    terminal_only: bool = False,
    logs_dir: str = DEFAULT_LOGS_DIR,
) -> MaskedSession:
    """Mask every log of a session; with `terminal_only`, running and queued tasks are left out (and named).

    Corrupted task files are always left out, with their reason.
    """
    kept: list[TaskLog] = []
    left_out: list[LeftOut] = []
    for log in logs:
        if isinstance(log, CorruptedLog):
            left_out.append(LeftOut(safe_str(log.task_id), "corrupted", safe_str(log.reason)))
        elif terminal_only and not log.status.is_terminal:
            left_out.append(LeftOut(log.task_id, log.status.value, _still_going(log.status)))
        else:
            kept.append(mask_log(log))
    start = started_at or (meta.started_at if meta else None)
    return MaskedSession(session_id=safe_str(session_id), started_at=start, logs=tuple(kept),
                         facts=_facts(meta), left_out=tuple(left_out), logs_dir=safe_str(logs_dir))


def _still_going(status: TaskStatus) -> str:
    return "still running" if status is TaskStatus.RUNNING else "queued, not started"
