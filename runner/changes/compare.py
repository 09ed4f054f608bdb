"""Which counted files a task created, modified or deleted, from the states before and after it.

Only what the disk shows counts: git and the watch propose candidates, each is then judged by its
file's fingerprint before and after. A file whose fingerprint did not change but was "racy"
before (changed within the racy window) is settled by the watch's events when they are complete,
else by its content digest when one was taken. Past the scan's entry cap nothing unseen is
reported: a deletion needs the file to be gone on disk, a creation needs its ctime inside the task.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from runner.changes.git import GitUnusable, changed_between
from runner.changes.rules import counts
from runner.changes.scan import (
    Folder,
    Scan,
    collector_paused,
    digest_file,
    fingerprint_fields,
    is_racy,
    unpack_fingerprint,
)
from runner.changes.sensitive import sensitive_changes
from runner.changes.state import ChangeSet, GitLook, Method, ProjectState, look


@dataclass
class _Found:
    created: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)

    def note_size(self, path: str, print_: bytes) -> None:
        size, _mtime, _ctime, _inode, kind = fingerprint_fields(print_)
        if kind == stat.S_IFREG:
            self.sizes[path] = size


class _Racy:
    """Settles a file whose fingerprint is unchanged but was racy in the before state."""

    def __init__(self, root: Path, written: set[str] | None, digests: dict[str, bytes]) -> None:
        self.root = root
        self.written = written  # paths the watch saw written during the task; None when it cannot tell
        self.digests = digests

    def changed(self, path: str) -> bool:
        if self.written is not None:
            return path in self.written
        digest = self.digests.get(path)
        return digest is not None and digest_file(os.path.join(self.root, path)) != digest


def _written_during(print_: bytes, since_ns: int) -> bool:
    _size, _mtime, ctime, _inode, _kind = fingerprint_fields(print_)
    return ctime >= since_ns  # `since_ns` is from scan.file_clock_ns, the clock files are stamped with


def _diff_trees(old: dict[str, Folder], new: dict[str, Folder]) -> tuple[dict[str, bytes], dict[str, bytes], list[str]]:
    """Created and modified files (with their fingerprints now) and deleted files between two scans;
    a folder equal in both is one C-level comparison."""
    created: dict[str, bytes] = {}
    modified: dict[str, bytes] = {}
    deleted: list[str] = []
    if old == new:  # the usual task in a big tree changes nothing
        return created, modified, deleted
    earlier = old.get
    for prefix, here in new.items():
        before = earlier(prefix)
        if before == here:
            continue
        if before is None:
            created.update((prefix + name, print_) for name, print_ in here.items())
            continue
        for name, print_ in here.items():
            seen = before.get(name)
            if seen is None:
                created[prefix + name] = print_
            elif seen != print_:
                modified[prefix + name] = print_
        deleted.extend(prefix + name for name in before.keys() - here.keys())
    for prefix in old.keys() - new.keys():
        deleted.extend(prefix + name for name in old[prefix])
    return created, modified, deleted


def compare_scans(root: Path, before: Scan, after: Scan, racy: _Racy, prefix: str = "") -> _Found:
    """Created, modified and deleted paths between two scans of `root/prefix`."""
    found = _Found()
    with collector_paused():
        created, modified, deleted = _diff_trees(before.tree, after.tree)
    for path in before.racy:
        now = after.get(path)
        if now is not None and now == before.get(path) and racy.changed(prefix + path):
            modified[path] = now
    if before.truncated or after.truncated:
        limit = after.limit if after.truncated else before.limit
        found.incomplete.append(f"{prefix.rstrip('/') or 'the project'} has more than {limit:,} files to check; the "
                                "scan stopped there, so changes past that point are not seen")
        base = root / prefix if prefix else root
        deleted = [p for p in deleted if look(base, p) is None]
        if before.truncated:
            created = {p: now for p, now in created.items() if _written_during(now, before.taken_at_ns)}
    if before.unreadable or after.unreadable:
        folders = sorted({*before.unreadable, *after.unreadable})
        found.incomplete.append(f"unreadable folder(s) not checked: {', '.join(folders[:10])}")
    for path, now in (*created.items(), *modified.items()):
        found.note_size(prefix + path, now)
    found.created = [prefix + p for p in created]
    found.deleted = [prefix + p for p in deleted]
    found.modified = [prefix + p for p in modified]
    return found


def _in_head_before(path: str, committed: dict[str, str], after: GitLook) -> bool:
    letter = committed.get(path)
    if letter is not None:
        return letter != "A"
    return path in after.status.in_head


def _judge_git_path(path: str, before: ProjectState, after: GitLook, committed: dict[str, str],
                    racy: _Racy, found: _Found) -> None:
    git_before = before.git
    assert git_before is not None
    now = after.disk[path] if path in after.disk else look(before.root, path)
    if path in git_before.disk:
        seen = git_before.disk[path]
        if seen == now:
            if seen is not None and is_racy(seen, before.taken_at_ns) and racy.changed(path):
                found.modified.append(path)
                found.note_size(path, seen)
        elif now is None:
            found.deleted.append(path)
        else:
            (found.created if seen is None else found.modified).append(path)
            found.note_size(path, now)
        return
    # Clean before: as HEAD had it, or absent (or ignored) when HEAD did not have it.
    existed = _in_head_before(path, committed, after)
    if now is None:
        if existed:
            found.deleted.append(path)
    elif _written_during(now, before.taken_at_ns):
        (found.modified if existed else found.created).append(path)
        found.note_size(path, now)


def _judge_clean_before(paths: Iterable[str], after: GitLook, since_ns: int, found: _Found) -> None:
    """`_judge_git_path` for the usual entry of a big change, in one loop: a path git lists after the
    task but not before, whose HEAD entry did not move (so HEAD had it exactly when it has it now)."""
    in_head, disk, sizes = after.status.in_head, after.disk, found.sizes
    modified, created, deleted = found.modified, found.created, found.deleted
    for path in paths:
        now = disk[path]
        if now is None:
            if path in in_head:
                deleted.append(path)
            continue
        size, _mtime, ctime, _inode, kind = unpack_fingerprint(now)
        if ctime >= since_ns:  # written during the task (see _written_during)
            (modified if path in in_head else created).append(path)
            if kind == stat.S_IFREG:
                sizes[path] = size


def compare_git(before: ProjectState, after: ProjectState, racy: _Racy) -> _Found:
    """Judge every path git listed before or after, or that moved between the two HEADs."""
    git_before, git_after = before.git, after.git
    assert git_before is not None and git_after is not None
    found = _Found()
    try:
        committed = changed_between(before.root, git_after.repository.prefix, git_before.head, git_after.head)
    except GitUnusable as exc:
        committed = {}
        found.incomplete.append(f"files committed during the task could not be listed: {exc}")
    clean_before = git_after.disk.keys() - git_before.disk.keys() - committed.keys()
    _judge_clean_before(clean_before, git_after, before.taken_at_ns, found)
    others = {*git_before.disk, *git_after.disk, *(p for p in committed if counts(p))} - clean_before
    for path in others:
        _judge_git_path(path, before, git_after, committed, racy, found)
    for prefix in sorted({*git_before.subtrees, *git_after.subtrees}):
        empty = Scan(taken_at_ns=before.taken_at_ns)
        old = git_before.subtrees.get(prefix, empty)
        sub_racy = _Racy(before.root, racy.written, {f"{prefix}/{p}": d for p, d in old.digests.items()})
        sub = compare_scans(before.root, old, git_after.subtrees.get(prefix, empty), sub_racy, prefix + "/")
        for mine, theirs in ((found.created, sub.created), (found.modified, sub.modified),
                             (found.deleted, sub.deleted), (found.incomplete, sub.incomplete)):
            mine.extend(theirs)
        found.sizes.update(sub.sizes)
    return found


def compare_states(before: ProjectState, after: ProjectState, written: set[str] | None,
                   problems: Iterable[str] = ()) -> ChangeSet:
    """The ChangeSet of a task; `written` is what the watch saw written, None when it cannot tell."""
    digests = before.scan.digests if before.scan is not None else (before.git.digests if before.git else {})
    racy = _Racy(before.root, written, digests)
    if before.method is Method.GIT and after.method is Method.GIT:
        found = compare_git(before, after, racy)
    elif before.scan is not None and after.scan is not None:
        found = compare_scans(before.root, before.scan, after.scan, racy)
    else:
        found = _Found(incomplete=["the project could not be looked at the same way before and after the task"])
    found.incomplete.extend(problems)
    method = after.method.value + (f" ({after.note})" if after.note else "")
    return ChangeSet(created=sorted(found.created), modified=sorted(found.modified), deleted=sorted(found.deleted),
                     sizes=found.sizes, sensitive=sensitive_changes(before.sensitive, after.sensitive),
                     incomplete=found.incomplete, method=method)
