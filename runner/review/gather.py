"""Gathering `ReviewFacts` after a pass: the claims against the disk, and the changed files' contents.

Reads only files that changed since the task started (at most `MAX_FILES_READ`, each through
`text_files.read_text`), compares their marker lines with the start `Baseline`, and parses the
types Q4 knows. Every line and path that goes into the facts is masked and bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from runner.logs.masking import mask_and_truncate, mask_text
from runner.logs.models import DetectionMethod
from runner.review.baseline import Baseline, added_marker_lines
from runner.review.facts import CheckOutcome, FileIssue, ReviewFacts
from runner.review.markers import change_claim, omission_marker, todo_marker
from runner.review.parsers import check_parses, parser_kind
from runner.review.text_files import read_text
from runner.verify import Verification

MAX_FILES_READ = 200
_LINE_CHARS = 200


def gather_facts(root: Path, baseline: Baseline, verification: Verification, *, final_message: str,
                 checks: Sequence[CheckOutcome] = ()) -> ReviewFacts:
    """The facts of the task so far: `verification` spans the whole task (its start to now, every claim)."""
    diff = verification.diff
    changed = sorted({*diff.created, *diff.modified})
    claimed = [f.path for f in verification.verified_files if f.detection_method is DetectionMethod.EXECUTOR_CLAIM]
    inside_missing = [path for path in verification.missing if path not in verification.outside_root]
    unchanged = [f.path for f in verification.verified_files
                 if f.detection_method is DetectionMethod.EXECUTOR_CLAIM and f.exists and f.path not in changed]
    contents = _ContentFacts(root, baseline, created=set(diff.created))
    for path in changed[:MAX_FILES_READ]:
        contents.read(path)
    if len(changed) > MAX_FILES_READ:
        contents.not_checked.append(f"{len(changed) - MAX_FILES_READ} more changed file(s) past the first "
                                    f"{MAX_FILES_READ} were not read")
    claim_words = change_claim(final_message)
    return ReviewFacts(
        claimed=tuple(_masked(claimed + list(verification.outside_root))),
        missing=tuple(_masked(inside_missing)),
        outside_root=tuple(_masked(verification.outside_root)),
        unchanged_claims=tuple(_masked(unchanged)),
        changed=tuple(_masked(changed)),
        deleted=tuple(_masked(diff.deleted)),
        says_changed=mask_text(claim_words) if claim_words else None,
        todos=tuple(contents.todos),
        omissions=tuple(contents.omissions),
        parse_errors=tuple(contents.parse_errors),
        not_checked=tuple(contents.not_checked),
        checks=tuple(checks),
    )


def _masked(paths: Sequence[str]) -> list[str]:
    return [mask_text(path) for path in paths]


class _ContentFacts:
    """What reading the changed files found, file by file."""

    def __init__(self, root: Path, baseline: Baseline, *, created: set[str]) -> None:
        self.root = root
        self.baseline = baseline
        self.created = created
        self.todos: list[FileIssue] = []
        self.omissions: list[FileIssue] = []
        self.parse_errors: list[FileIssue] = []
        self.not_checked: list[str] = []

    def read(self, path: str) -> None:
        read = read_text(self.root, path)
        shown = mask_text(path)
        if read.text is None:
            if read.skip != "binary" or parser_kind(path) is not None:
                self.not_checked.append(f"{shown}: {read.skip}")
            return
        self._markers(path, shown, read.text)
        if parser_kind(path) is not None:
            parsed = check_parses(path, read.text)
            if parsed.error is not None:
                self.parse_errors.append(FileIssue(shown, None, mask_and_truncate(
                    f"does not parse as {parsed.kind}: {parsed.error}", _LINE_CHARS)))
            elif parsed.skipped is not None:
                self.not_checked.append(f"{shown}: {parsed.skipped}")

    def _markers(self, path: str, shown: str, text: str) -> None:
        if path not in self.created and not self.baseline.knows(path):
            self.not_checked.append(f"{shown}: no copy from the task's start ({self.baseline.why_unknown(path)})")
            return
        for number, line in added_marker_lines(text, self.baseline.markers.get(path)):
            issue = FileIssue(shown, number, mask_and_truncate(line.strip(), _LINE_CHARS))
            if todo_marker(line) is not None:
                self.todos.append(issue)
            if omission_marker(line) is not None:
                self.omissions.append(issue)
