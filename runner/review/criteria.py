"""The review's criteria Q1–Q5 and the user's checks, as pure functions from `ReviewFacts` to results.

Each criterion can be switched off in config (`review.criteria.<key>: false`); each result names
its criterion, says whether it passed, and carries bounded details for the rejection and the
modification prompt. Nothing here reads a file or runs a command: `gather.py` and `checks.py` do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from runner.review.facts import FileIssue, ReviewFacts

MAX_DETAILS = 10


@dataclass(frozen=True)
class Criterion:
    key: str  # the config key under review.criteria
    code: str  # "Q1" … "Q5"
    title: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"


@dataclass(frozen=True)
class CriterionResult:
    """One criterion (or one check) judged: its label, pass/fail, why, and what it could not look at."""

    key: str
    label: str
    passed: bool
    details: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()


FILES_VERIFIED = Criterion("files_verified", "Q1", "files verified")
NO_TODO = Criterion("no_todo", "Q2", "no TODO/FIXME/XXX added")
NO_OMISSIONS = Criterion("no_omissions", "Q3", "no omission markers added")
PARSES = Criterion("parses", "Q4", "changed files parse")
EVIDENCE = Criterion("evidence", "Q5", "evidence present")
CRITERIA: tuple[Criterion, ...] = (FILES_VERIFIED, NO_TODO, NO_OMISSIONS, PARSES, EVIDENCE)
CRITERION_KEYS = tuple(c.key for c in CRITERIA)
CHECK_KEY = "check"


def _bounded(lines: Iterable[str]) -> tuple[str, ...]:
    items = list(lines)
    if len(items) > MAX_DETAILS:
        return (*items[:MAX_DETAILS], f"… and {len(items) - MAX_DETAILS} more")
    return tuple(items)


def _files_verified(facts: ReviewFacts) -> tuple[str, ...]:
    return _bounded([
        *(f"{path}: claimed, but not on disk" for path in facts.missing),
        *(f"{path}: claimed, but outside the project root (not checked)" for path in facts.outside_root),
        *(f"{path}: claimed, but unchanged since the task started" for path in facts.unchanged_claims),
    ])


def _issues(found: Sequence[FileIssue]) -> tuple[str, ...]:
    return _bounded(str(issue) for issue in found)


def _evidence(facts: ReviewFacts) -> tuple[str, ...]:
    if facts.changed or facts.deleted:
        return ()
    if facts.claimed:
        return (f"the agent claims {len(facts.claimed)} file(s) but no file changed on disk",)
    if facts.says_changed:
        return (f"the agent says {facts.says_changed!r} but no file changed on disk",)
    return ()


_RULES: dict[str, Callable[[ReviewFacts], tuple[str, ...]]] = {
    FILES_VERIFIED.key: _files_verified,
    NO_TODO.key: lambda facts: _issues(facts.todos),
    NO_OMISSIONS.key: lambda facts: _issues(facts.omissions),
    PARSES.key: lambda facts: _issues(facts.parse_errors),
    EVIDENCE.key: _evidence,
}

# Which criteria read file contents, so a file they could not read is reported under them.
_READS_FILES = frozenset({NO_TODO.key, NO_OMISSIONS.key, PARSES.key})


def judge_criteria(facts: ReviewFacts, enabled: Mapping[str, bool]) -> list[CriterionResult]:
    """Every enabled criterion, then every check, in a fixed order; a criterion absent from `enabled` is on."""
    results: list[CriterionResult] = []
    for criterion in CRITERIA:
        if not enabled.get(criterion.key, True):
            continue
        details = _RULES[criterion.key](facts)
        skipped = _bounded(facts.not_checked) if criterion.key in _READS_FILES else ()
        results.append(CriterionResult(criterion.key, criterion.label, not details, details, skipped))
    for check in facts.checks:
        details = () if check.passed else (check.summary,)
        results.append(CriterionResult(CHECK_KEY, f"check `{check.command}`", check.passed, details))
    return results


def failed(results: Iterable[CriterionResult]) -> list[CriterionResult]:
    return [result for result in results if not result.passed]
