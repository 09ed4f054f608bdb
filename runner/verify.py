"""Checking on disk what a task really did (DESIGN §8): the facts the judge decides from.

`verify_task` turns two tree snapshots and the executor's claims into `verified_files`,
artifacts and an evidence summary. A claimed path outside the root is never followed.
What those facts mean for the task's status is `orchestration/judge.py`.
"""

from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path

from runner.logs.models import (
    Artifacts,
    DetectionMethod,
    EvidenceSummary,
    VerifiedFile,
)
from runner.logs.parts import Evidence
from runner.timestamps import now_iso
from runner.tree_snapshot import TreeDiff, TreeSnapshot, diff_snapshots, snapshot_tree

__all__ = [
    "TreeDiff", "TreeSnapshot", "Verification", "diff_snapshots", "normalise_claim", "snapshot_tree", "verify_task",
]


@dataclass(frozen=True)
class Verification:
    """What the disk shows after a task: the evidence it records, and the rest the judge needs."""

    verified_files: list[VerifiedFile]
    artifacts: Artifacts
    evidence_summary: EvidenceSummary
    files_modified_count: int
    missing: list[str]
    outside_root: list[str] = field(default_factory=list)
    diff: TreeDiff = field(default_factory=TreeDiff)

    @property
    def evidence(self) -> Evidence:
        """The part of the task's outcome verification owns."""
        return Evidence(evidence_summary=self.evidence_summary, artifacts=self.artifacts,
                        verified_files=self.verified_files, files_modified_count=self.files_modified_count)


def normalise_claim(root: Path, claim: str) -> str | None:
    """The claim as a relative POSIX path inside `root`, or None when it points outside (or nowhere)."""
    text = claim.strip()
    if not text:
        return None
    if os.path.isabs(text):
        # Agents report paths under the resolved cwd; accept the root as given or resolved.
        for base in dict.fromkeys((os.path.abspath(root), os.path.realpath(root))):
            relative = os.path.relpath(os.path.normpath(text), base)
            if relative != "." and relative != ".." and not relative.startswith("../"):
                return relative.replace(os.sep, "/")
        return None
    relative = posixpath.normpath(text)
    if relative in (".", "..") or relative.startswith("../"):
        return None
    return relative


def _real_inside(root: Path, relative: str) -> str | None:
    """The real location of `root/relative` when its symlinks keep it inside the root, else None."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, relative))
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return None
    return real


def _regular_size(root: Path, relative: str) -> int | None:
    try:
        info = os.lstat(os.path.join(root, relative))
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def verify_task(root: Path, before: TreeSnapshot, after: TreeSnapshot, claimed: list[str],
                expected: list[str] | None = None) -> Verification:
    """Diff the snapshots, check each claimed and expected file on disk, and summarise the evidence."""
    diff = diff_snapshots(before, after)
    now = now_iso()
    verified: list[VerifiedFile] = []
    for path in sorted(set(diff.created) | set(diff.modified)):
        size = _regular_size(root, path)
        if size is not None:
            verified.append(VerifiedFile(path=path, exists=True, detected_at=now,
                                         detection_method=DetectionMethod.DIFF, size=size))
    wanted: dict[str, None] = {}
    missing: list[str] = []
    outside: list[str] = []
    for item in [*claimed, *(expected or [])]:
        if not item.strip():
            continue
        relative = normalise_claim(root, item)
        real = _real_inside(root, relative) if relative is not None else None
        if relative is None or real is None:
            outside.append(item.strip())
            continue
        if relative in wanted:
            continue
        wanted[relative] = None
        size = os.path.getsize(real) if os.path.isfile(real) else None
        exists = size is not None
        verified.append(VerifiedFile(path=relative, exists=exists, detected_at=now,
                                     detection_method=DetectionMethod.EXECUTOR_CLAIM, size=size))
        if not exists:
            missing.append(relative)
    return _assemble(verified, diff, list(wanted), missing, sorted(set(outside)), after.truncated)


def _assemble(verified: list[VerifiedFile], diff: TreeDiff, wanted: list[str], missing: list[str],
              outside: list[str], truncated: bool) -> Verification:
    existing = sorted({item.path for item in verified if item.exists})
    all_missing = [*missing, *outside]
    expected_all = sorted({*wanted, *outside})
    reason = _evidence_reason(existing, missing, outside, diff)
    if truncated:
        reason += " (the tree scan stopped at its entry cap; some changes may be unseen)"
    summary = EvidenceSummary(files_expected=expected_all, files_verified=existing,
                              files_missing=all_missing, verification_passed=not all_missing,
                              verification_reason=reason)
    artifacts = Artifacts(
        files_touched=sorted({*diff.created, *diff.modified, *diff.deleted}),
        files_expected=expected_all,
        files_created=list(diff.created),
        files_modified=list(diff.modified),
        files_deleted=list(diff.deleted),
    )
    verified.sort(key=lambda item: (item.path, item.detection_method))
    return Verification(verified_files=verified, artifacts=artifacts, evidence_summary=summary,
                        files_modified_count=len(existing), missing=all_missing, outside_root=outside,
                        diff=diff)


def _evidence_reason(existing: list[str], missing: list[str], outside: list[str], diff: TreeDiff) -> str:
    parts = []
    if missing:
        parts.append(f"{len(missing)} file(s) not found on disk: {', '.join(missing[:10])}")
    if outside:
        parts.append(f"{len(outside)} claimed path(s) outside the project root: {', '.join(outside[:10])}")
    if parts:
        return "; ".join(parts)
    if existing:
        return (f"{len(existing)} file(s) verified on disk ({len(diff.created)} created, "
                f"{len(diff.modified)} modified, {len(diff.deleted)} deleted)")
    if diff.deleted:
        return f"{len(diff.deleted)} file(s) deleted, none created or modified"
    return "no file changes detected"
