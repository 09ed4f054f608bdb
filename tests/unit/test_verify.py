"""Change detection by scan, on-disk verification of claims, capped lists, and the status decision table (DESIGN §8)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.changes import ChangeDetector, ChangeSet
from runner.changes.scan import scan_tree
from runner.executors.base import ExecutorResult, ExecutorStatus
from runner.logs.models import (
    BlockedReason,
    DetectionMethod,
    ErrorCode,
    RequireEvidence,
    RunnerDecision,
    TaskStatus,
    TerminatedBy,
)
from runner.orchestration.judge import decide_status
from runner.verify import (
    MAX_LISTED_FILES,
    normalise_claim,
    verify_task,
)

OK = ExecutorResult(status=ExecutorStatus.SUCCEEDED, exit_code=0)


class Snapshots:
    """Before/after looks at a folder by scan (git is not asked), as a task sees them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.detector = ChangeDetector(root, use_git=False)
        self.before = self.detector.before()

    def changes(self) -> ChangeSet:
        changes = self.detector.after(self.before)
        self.detector.close()
        return changes


def write(root: Path, relative: str, text: str = "content\n") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_created_nested_file_is_detected(tmp_path: Path) -> None:
    """A file created in new nested folders shows up as created with its relative POSIX path."""
    looks = Snapshots(tmp_path)
    write(tmp_path, "src/pkg/deep/module.py")
    diff = looks.changes()
    assert diff.created == ["src/pkg/deep/module.py"]
    assert diff.modified == [] and diff.deleted == []


def test_deleted_file_is_detected(tmp_path: Path) -> None:
    """A file removed during the task shows up as deleted."""
    write(tmp_path, "old/notes.txt")
    looks = Snapshots(tmp_path)
    (tmp_path / "old" / "notes.txt").unlink()
    assert looks.changes().deleted == ["old/notes.txt"]


def test_untouched_tree_has_no_changes(tmp_path: Path) -> None:
    """Two looks at an unchanged tree differ in nothing."""
    for index in range(20):
        write(tmp_path, f"dir{index % 3}/file{index}.txt")
    assert Snapshots(tmp_path).changes().changed == 0


def test_excluded_folders_and_dot_entries_are_not_scanned(tmp_path: Path) -> None:
    """.git, .claude, node_modules, __pycache__, virtualenvs and dotfiles never appear in a snapshot."""
    for relative in (".git/HEAD", ".claude/settings.json", "node_modules/x/index.js",
                     "src/__pycache__/m.cpython-311.pyc", "venv/bin/python", "myenv/lib/site.py",
                     ".gitignore", "src/.env"):
        write(tmp_path, relative)
    write(tmp_path, "myenv/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, "src/main.py")
    assert set(scan_tree(str(tmp_path)).by_path()) == {"src/main.py"}


def test_symlink_outside_the_root_is_not_followed(tmp_path: Path) -> None:
    """A symlinked folder pointing outside is recorded as a link; its contents are neither scanned nor verified."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    write(outside, "secret.txt")
    root.mkdir()
    looks = Snapshots(root)
    (root / "escape").symlink_to(outside, target_is_directory=True)
    changes = looks.changes()
    assert changes.created == ["escape"] and "escape" not in changes.sizes  # a link, not a verified file
    verification = verify_task(root, changes, ["escape/secret.txt", str(outside / "secret.txt")])
    assert verification.outside_root == sorted(["escape/secret.txt", str(outside / "secret.txt")])
    assert not any(item.exists for item in verification.verified_files)
    decision = decide_status(OK, verification, RequireEvidence.AUTO)
    assert decision.status is TaskStatus.INCOMPLETE
    assert "outside the project root" in (decision.error_reason or "")


@pytest.mark.parametrize("claim, expected", [
    ("README.md", "README.md"),
    ("./src/../src/app.py", "src/app.py"),
    ("../sibling.txt", None),
    ("..", None),
    ("/etc/passwd", None),
    ("", None),
])
def test_normalise_claim(tmp_path: Path, claim: str, expected: str | None) -> None:
    """Claims become relative paths inside the root; anything that leaves the root is refused."""
    assert normalise_claim(tmp_path, claim) == expected


def test_absolute_claim_under_the_root_is_relative(tmp_path: Path) -> None:
    """An absolute path under the root (as agents report them) is made relative."""
    assert normalise_claim(tmp_path, str(tmp_path / "a" / "b.txt")) == "a/b.txt"


def test_claimed_and_diffed_file_is_verified_both_ways(tmp_path: Path) -> None:
    """A claimed file that the diff also saw carries both detection methods and counts once."""
    looks = Snapshots(tmp_path)
    write(tmp_path, "README.md")
    write(tmp_path, "other.txt")
    verification = verify_task(tmp_path, looks.changes(), [str(tmp_path / "README.md")])
    pairs = [(item.path, item.detection_method, item.exists) for item in verification.verified_files]
    assert pairs == [("README.md", DetectionMethod.DIFF, True),
                     ("README.md", DetectionMethod.EXECUTOR_CLAIM, True),
                     ("other.txt", DetectionMethod.DIFF, True)]
    assert verification.files_modified_count == 2
    assert verification.artifacts.files_created == ["README.md", "other.txt"]
    assert verification.evidence_summary.verification_passed
    assert decide_status(OK, verification, RequireEvidence.AUTO).status is TaskStatus.COMPLETE


def test_missing_claim_and_expected_file_make_the_task_incomplete(tmp_path: Path) -> None:
    """Claimed or expected files that are not on disk are named in an `incomplete` EVIDENCE_MISSING decision."""
    verification = verify_task(tmp_path, Snapshots(tmp_path).changes(), ["docs/guide.md"], ["CHANGELOG.md"])
    assert verification.missing == ["docs/guide.md", "CHANGELOG.md"]
    assert verification.evidence_summary.files_missing == ["docs/guide.md", "CHANGELOG.md"]
    assert not verification.evidence_summary.verification_passed
    decision = decide_status(OK, verification, RequireEvidence.AUTO)
    assert decision.status is TaskStatus.INCOMPLETE
    assert decision.error_code is ErrorCode.EVIDENCE_MISSING
    assert "docs/guide.md" in (decision.error_reason or "") and "CHANGELOG.md" in (decision.error_reason or "")
    assert decide_status(OK, verification, RequireEvidence.NEVER).status is TaskStatus.COMPLETE


def test_require_evidence_always_needs_a_verified_file(tmp_path: Path) -> None:
    """With `always`, a run that changed nothing is `incomplete`; with `auto` it is `complete`."""
    verification = verify_task(tmp_path, Snapshots(tmp_path).changes(), [])
    assert verification.evidence_summary.verification_reason == "no file changes detected"
    assert decide_status(OK, verification, RequireEvidence.AUTO).status is TaskStatus.COMPLETE
    decision = decide_status(OK, verification, RequireEvidence.ALWAYS)
    assert decision.status is TaskStatus.INCOMPLETE
    assert decision.error_code is ErrorCode.EVIDENCE_MISSING


def test_question_without_changes_is_a_clarification(tmp_path: Path) -> None:
    """A question with no file changes is `incomplete`/`clarify`; the same question after writing a file is not."""
    asked = ExecutorResult(status=ExecutorStatus.SUCCEEDED, final_message="Which port should I use?",
                           is_question=True)
    looks = Snapshots(tmp_path)
    decision = decide_status(asked, verify_task(tmp_path, looks.changes(), []))
    assert (decision.status, decision.runner_decision) == (TaskStatus.INCOMPLETE, RunnerDecision.CLARIFY)
    assert decision.error_code is ErrorCode.CLARIFICATION_NEEDED
    assert decision.error_reason == "Executor asked a question: Which port should I use?"
    looks = Snapshots(tmp_path)
    write(tmp_path, "server.py")
    after = verify_task(tmp_path, looks.changes(), [])
    assert decide_status(asked, after).status is TaskStatus.COMPLETE


@pytest.mark.parametrize("result, code, reason", [
    (ExecutorResult(status=ExecutorStatus.BLOCKED, blocked_reason=BlockedReason.INTERACTIVE_PROMPT,
                    terminated_by=TerminatedBy.REPL_FAIL_CLOSED,
                    error_message="Executor blocked on interactive prompt: '? Select a configuration option'"),
     ErrorCode.EXECUTOR_BLOCKED, "Executor blocked on interactive prompt: '? Select a configuration option'"),
    (ExecutorResult(status=ExecutorStatus.BLOCKED, blocked_reason=BlockedReason.TIMEOUT,
                    terminated_by=TerminatedBy.TIMEOUT), ErrorCode.TIMEOUT, "Executor blocked: timed out"),
    (ExecutorResult(status=ExecutorStatus.CANCELLED, terminated_by=TerminatedBy.USER),
     ErrorCode.INTERRUPTED, "Task cancelled by the user"),
    (ExecutorResult(status=ExecutorStatus.FAILED, exit_code=2), ErrorCode.EXECUTOR_FAILED,
     "Executor failed (exit code 2)"),
    (ExecutorResult(status=ExecutorStatus.FAILED, error_code=ErrorCode.MAX_TURNS, error_message="turn limit"),
     ErrorCode.MAX_TURNS, "turn limit"),
])
def test_failed_blocked_or_cancelled_executor_is_an_error(tmp_path: Path, result: ExecutorResult,
                                                          code: ErrorCode, reason: str) -> None:
    """Whatever is on disk, an executor that did not succeed makes the task `error` with code and reason."""
    looks = Snapshots(tmp_path)
    write(tmp_path, "partial.txt")
    decision = decide_status(result, verify_task(tmp_path, looks.changes(), []))
    assert (decision.status, decision.error_code, decision.error_reason) == (TaskStatus.ERROR, code, reason)


_NAMES = st.sampled_from([f"d{i}/f{j}.txt" for i in range(3) for j in range(4)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial=st.sets(_NAMES), created=st.sets(_NAMES), rewritten=st.sets(_NAMES), removed=st.sets(_NAMES))
def test_diff_matches_what_was_done(tmp_path: Path, initial: set[str], created: set[str],
                                    rewritten: set[str], removed: set[str]) -> None:
    """For any mix of creations, content changes and deletions, the diff reports exactly those."""
    root = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
    root.mkdir()
    for name in initial:
        write(root, name, "old\n")
    looks = Snapshots(root)
    new = created - initial
    changed = (rewritten & initial) - removed
    gone = removed & initial
    for name in new:
        write(root, name, "fresh\n")
    for name in changed:
        write(root, name, "new!\n")
    for name in gone:
        (root / name).unlink()
    diff = looks.changes()
    assert (diff.created, diff.modified, diff.deleted) == (sorted(new), sorted(changed), sorted(gone))


def test_big_changes_are_listed_up_to_the_cap_with_exact_counts(tmp_path: Path) -> None:
    """Past MAX_LISTED_FILES entries each list is cut, `omitted` says exactly how many were left out."""
    total = MAX_LISTED_FILES + 234
    changes = ChangeSet(created=sorted(f"gen/f{i:05d}.txt" for i in range(total)),
                        sizes={f"gen/f{i:05d}.txt": 3 for i in range(total)})
    claims = ["gen/f00000.txt", "missing.txt"]
    verification = verify_task(tmp_path, changes, claims)
    assert verification.files_modified_count == total  # the real count, from the disk facts
    assert len(verification.verified_files) == MAX_LISTED_FILES
    assert verification.verified_files_omitted == total + len(claims) - MAX_LISTED_FILES
    artifacts = verification.artifacts
    assert len(artifacts.files_created) == len(artifacts.files_touched) == MAX_LISTED_FILES
    assert artifacts.omitted == {"files_created": 234, "files_touched": 234}
    assert verification.evidence_summary.omitted["files_verified"] == total - len(verification.evidence_summary.files_verified)
    assert "at most 1,000 entries" in verification.evidence_summary.verification_reason
    assert [f.path for f in verification.verified_files if f.detection_method is DetectionMethod.EXECUTOR_CLAIM] == \
        ["gen/f00000.txt", "missing.txt"]  # claims are always listed


def test_non_utf8_names_are_stored_escaped_with_their_bytes(tmp_path: Path) -> None:
    """A name that is not valid UTF-8 is shown with \\xNN escapes and kept losslessly as base64 bytes."""
    raw = b"bad\xffname.txt"
    (tmp_path / os.fsdecode(raw)).write_bytes(b"x")
    changes = ChangeSet(created=[os.fsdecode(raw)], sizes={os.fsdecode(raw): 1})
    verification = verify_task(tmp_path, changes, [])
    (verified,) = verification.verified_files
    assert verified.path == "bad\\xffname.txt" and verified.path_b64 == "YmFk/25hbWUudHh0"
    assert verification.artifacts.files_created == ["bad\\xffname.txt"]
    assert verification.artifacts.raw_names == {"bad\\xffname.txt": "YmFk/25hbWUudHh0"}


def test_incomplete_verification_is_said_and_warned(tmp_path: Path) -> None:
    """A change set that may miss changes makes the evidence say so and gives a WARNING for the summary."""
    from runner.verify import verification_warnings

    changes = ChangeSet(incomplete=["the project has more than 500,000 files to check"], sensitive=[".env"])
    verification = verify_task(tmp_path, changes, [])
    assert not verification.evidence_summary.verification_complete
    assert "verification incomplete: the project has more than 500,000 files" in \
        verification.evidence_summary.verification_reason
    kinds = [warning["warning"] for warning in verification_warnings(verification)]
    assert kinds == ["sensitive_files_modified", "verification_incomplete"]
