"""The parts a task's outcome is made of, each built once by the code that owns its facts.

`Evidence` is what verification found on disk (`verify.Verification.evidence`); `RunFacts` is what
the executor's run reported (`ExecutorResult.facts`). A `TaskOutcome` holds them as they are, and
`terminal_log` copies their fields into the TaskLog by name: a new fact is one field here (and
its setter in the owner) plus one in `TaskLog`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runner.logs.models import (
        Artifacts,
        BlockedReason,
        DeniedToolEntry,
        EvidenceSummary,
        Metrics,
        TerminatedBy,
        VerifiedFile,
    )


@dataclass(frozen=True)
class Evidence:
    """The files the task touched and what was checked on disk."""

    evidence_summary: EvidenceSummary | None = None
    artifacts: Artifacts | None = None
    verified_files: list[VerifiedFile] = field(default_factory=list)
    verified_files_omitted: int = 0  # verified files past the list cap (verify.MAX_LISTED_FILES)
    files_modified_count: int = 0
    sensitive_files_modified: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RunFacts:
    """How the executor's run ended, what it cost, and how to resume it."""

    executor_blocked: bool = False
    blocked_reason: BlockedReason | None = None
    terminated_by: TerminatedBy | None = None
    timeout_ms: int | None = None
    metrics: Metrics | None = None
    resume_token: str | None = None
    denied_tools: list[DeniedToolEntry] = field(default_factory=list)  # refused by the agent's own permissions
    test_mode: bool = False
