"""Checking on disk what a task really did (DESIGN §8): the facts the judge decides from.

`verify_task` turns the task's `ChangeSet` (runner/changes) and the executor's claims into
`verified_files`, artifacts and an evidence summary. A claimed path outside the root is never
followed. Every list is cut at `MAX_LISTED_FILES` entries with exact counts of what was left
out, so a task that touches 100,000 files still leaves a small TaskLog. What those facts mean
for the task's status is `orchestration/judge.py`.
"""

from __future__ import annotations

import base64
import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path

from runner.changes import ChangeSet
from runner.logs.models import (
    Artifacts,
    DetectionMethod,
    EvidenceSummary,
    VerifiedFile,
)
from runner.logs.parts import Evidence
from runner.timestamps import now_iso

__all__ = [
    "MAX_LISTED_FILES", "Verification", "display_path", "normalise_claim", "raw_name",
    "verification_warnings", "verify_task",
]

MAX_LISTED_FILES = 1_000


@dataclass(frozen=True)
class Verification:
    """What the disk shows after a task: the evidence it records, and the rest the judge needs."""

    verified_files: list[VerifiedFile]
    artifacts: Artifacts
    evidence_summary: EvidenceSummary
    files_modified_count: int
    missing: list[str]
    outside_root: list[str] = field(default_factory=list)
    diff: ChangeSet = field(default_factory=ChangeSet)
    verified_files_omitted: int = 0
    sensitive_files_modified: list[str] = field(default_factory=list)

    @property
    def evidence(self) -> Evidence:
        """The part of the task's outcome verification owns."""
        return Evidence(evidence_summary=self.evidence_summary, artifacts=self.artifacts,
                        verified_files=self.verified_files, verified_files_omitted=self.verified_files_omitted,
                        files_modified_count=self.files_modified_count,
                        sensitive_files_modified=self.sensitive_files_modified)


def display_path(path: str) -> str:
    """A path as stored: itself when it is valid UTF-8, else each undecodable byte as `\\xNN`."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")
    return path


def raw_name(path: str) -> str | None:
    """The base64 of a non-UTF-8 path's bytes (None for a UTF-8 path, which is stored as it is)."""
    return None if display_path(path) == path else base64.b64encode(os.fsencode(path)).decode("ascii")


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


def _regular_size(path: str) -> int | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


@dataclass
class _Claims:
    files: list[VerifiedFile] = field(default_factory=list)
    wanted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)


def _check_claims(root: Path, items: list[str], now: str) -> _Claims:
    claims = _Claims()
    seen: set[str] = set()
    for item in items:
        if not item.strip():
            continue
        relative = normalise_claim(root, item)
        real = _real_inside(root, relative) if relative is not None else None
        if relative is None or real is None:
            claims.outside.append(item.strip())
            continue
        if relative in seen:
            continue
        seen.add(relative)
        claims.wanted.append(relative)
        size = _regular_size(real)
        if size is None:
            claims.missing.append(relative)
        else:
            claims.existing.add(relative)
        if len(claims.files) < MAX_LISTED_FILES:
            claims.files.append(_verified(relative, now, DetectionMethod.EXECUTOR_CLAIM, size))
    claims.outside = sorted(set(claims.outside))
    return claims


def _verified(path: str, now: str, method: DetectionMethod, size: int | None) -> VerifiedFile:
    return VerifiedFile(path=display_path(path), exists=size is not None, detected_at=now, detection_method=method,
                        size=size, path_b64=raw_name(path))


def verify_task(root: Path, changes: ChangeSet, claimed: list[str], expected: list[str] | None = None) -> Verification:
    """Check each changed, claimed and expected file on disk, and summarise the evidence (lists capped)."""
    now = now_iso()
    claims = _check_claims(root, [*claimed, *(expected or [])], now)
    diffed = sorted(path for path in (*changes.created, *changes.modified) if path in changes.sizes)
    room = max(MAX_LISTED_FILES - len(claims.files), 0)
    verified = [_verified(path, now, DetectionMethod.DIFF, changes.sizes[path]) for path in diffed[:room]]
    verified.extend(claims.files)
    verified.sort(key=lambda item: (item.path, item.detection_method))
    existing_count = len(claims.existing.union(diffed))
    total_entries = len(diffed) + len(claims.wanted)
    return _assemble(verified, total_entries - len(verified), existing_count, changes, claims)


def _capped(paths: list[str]) -> tuple[list[str], int]:
    return [display_path(path) for path in paths[:MAX_LISTED_FILES]], max(len(paths) - MAX_LISTED_FILES, 0)


def _artifacts(changes: ChangeSet, expected_all: list[str]) -> Artifacts:
    lists = {
        "files_touched": sorted({*changes.created, *changes.modified, *changes.deleted}),
        "files_expected": expected_all,
        "files_created": changes.created,
        "files_modified": changes.modified,
        "files_deleted": changes.deleted,
    }
    kept: dict[str, list[str]] = {}
    omitted: dict[str, int] = {}
    raw: dict[str, str] = {}
    for name, paths in lists.items():
        kept[name], left_out = _capped(paths)
        if left_out:
            omitted[name] = left_out
        for path in paths[:MAX_LISTED_FILES]:
            if (encoded := raw_name(path)) is not None:
                raw[display_path(path)] = encoded
    return Artifacts(**kept, omitted=omitted, raw_names=raw)


def _assemble(verified: list[VerifiedFile], omitted: int, existing_count: int, changes: ChangeSet,
              claims: _Claims) -> Verification:
    all_missing = [*claims.missing, *claims.outside]
    expected_all = sorted({*claims.wanted, *claims.outside})
    reason = _evidence_reason(existing_count, claims.missing, claims.outside, changes)
    if changes.incomplete:
        reason += "; verification incomplete: " + "; ".join(changes.incomplete)
    if omitted or len(changes.created) + len(changes.modified) + len(changes.deleted) > MAX_LISTED_FILES:
        reason += f" (file lists show at most {MAX_LISTED_FILES:,} entries each; the counts are exact)"
    listed_missing, missing_omitted = _capped(all_missing)
    listed_expected, expected_omitted = _capped(expected_all)
    files_verified = sorted({v.path for v in verified if v.exists})
    summary = EvidenceSummary(
        files_expected=listed_expected, files_verified=files_verified,
        files_missing=listed_missing, verification_passed=not all_missing, verification_reason=reason,
        verification_complete=not changes.incomplete, change_detection=changes.method,
        omitted={k: v for k, v in (("files_missing", missing_omitted), ("files_expected", expected_omitted),
                                   ("files_verified", existing_count - len(files_verified))) if v})
    return Verification(verified_files=verified, artifacts=_artifacts(changes, expected_all), evidence_summary=summary,
                        files_modified_count=existing_count, missing=all_missing, outside_root=claims.outside,
                        diff=changes, verified_files_omitted=omitted,
                        sensitive_files_modified=[display_path(p) for p in changes.sensitive[:MAX_LISTED_FILES]])


def verification_warnings(verification: Verification) -> list[dict[str, object]]:
    """WARNING event contents for what the user must see in the summary: sensitive hidden files the
    task changed, and a verification that could not see everything."""
    warnings: list[dict[str, object]] = []
    sensitive = verification.sensitive_files_modified
    if sensitive:
        shown = ", ".join(sensitive[:10]) + (f" and {len(sensitive) - 10} more" if len(sensitive) > 10 else "")
        warnings.append({"warning": "sensitive_files_modified", "files": sensitive,
                         "text": f"the task changed sensitive hidden file(s): {shown}",
                         "hint": "review them before the next commit, CI run or agent session picks them up"})
    if verification.diff.incomplete:
        warnings.append({"warning": "verification_incomplete", "text": "verification incomplete: "
                         + "; ".join(verification.diff.incomplete)})
    return warnings


def _evidence_reason(existing: int, missing: list[str], outside: list[str], changes: ChangeSet) -> str:
    parts = []
    if missing:
        shown = ", ".join(display_path(p) for p in missing[:10])
        parts.append(f"{len(missing)} file(s) not found on disk: {shown}")
    if outside:
        parts.append(f"{len(outside)} claimed path(s) outside the project root: {', '.join(outside[:10])}")
    if parts:
        return "; ".join(parts)
    if existing:
        return (f"{existing} file(s) verified on disk ({len(changes.created)} created, "
                f"{len(changes.modified)} modified, {len(changes.deleted)} deleted)")
    if changes.deleted:
        return f"{len(changes.deleted)} file(s) deleted, none created or modified"
    return "no file changes detected"
