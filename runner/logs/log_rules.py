"""The TaskLog's own rules as plain functions, without pydantic.

The models (`runner.logs.models`) raise with these messages; the detail view's plain check of a
stored header (`runner.logs.store.stored_header`) refuses what they refuse, so both hold one rule.
"""

from __future__ import annotations

import posixpath

from runner.logs.vocabulary import BlockedReason, ErrorCode, TaskStatus, TerminatedBy


def climbs_out(path: str) -> bool:
    """Whether a verified file's path is absolute or climbs out of the verification root."""
    normalised = posixpath.normpath(path)
    return path.startswith("/") or normalised == ".." or normalised.startswith("../")


def fail_closed_problem(status: TaskStatus, *, error_reason: str | None, error_code: ErrorCode | None,
                        executor_blocked: bool, blocked_reason: BlockedReason | None,
                        terminated_by: TerminatedBy | None, ended_at: str | None) -> str | None:
    """What breaks the fail-closed rules of a task's fields, or None."""
    if status in (TaskStatus.INCOMPLETE, TaskStatus.ERROR):
        if not error_reason:
            return f"a task with status {status} must carry error_reason"
        if error_code is None:
            return f"a task with status {status} must carry error_code"
    if executor_blocked and (blocked_reason is None or terminated_by is None):
        return "executor_blocked requires blocked_reason and terminated_by"
    if status.is_terminal and ended_at is None:
        return f"a {status} task must carry ended_at"
    if not status.is_terminal and ended_at is not None:
        return f"a {status} task cannot have ended_at"
    return None
