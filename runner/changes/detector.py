"""Looking at a project before and after each task, at what git costs: `ChangeDetector`.

In a git work tree the state is git's list of paths that are not clean (plus their files on disk);
elsewhere it is a scan of every counted file. The "after" of one task is the "before" of the next
when the folder watch proves nothing wrote in between, so a task normally pays one look, not two.
One detector per project lives for the whole process (`detector_for`).
"""

from __future__ import annotations

import os
from pathlib import Path

from runner.changes.compare import compare_states
from runner.changes.git import (
    GitUnusable,
    NotARepository,
    Repository,
    find_repository,
    read_status,
    refuse_repository_programs,
    submodule_paths,
)
from runner.changes.ignore import IgnoreFile, read_ignore_file
from runner.changes.rules import counts, is_sensitive
from runner.changes.scan import (
    MAX_ENTRIES,
    digest_file,
    file_clock_ns,
    fingerprints_of,
    hash_racy,
    is_racy,
    scan_tree,
)
from runner.changes.sensitive import git_dir_of, read_sensitive
from runner.changes.state import ChangeSet, GitLook, Method, ProjectState
from runner.changes.watch import Activity, FolderWatch

MAX_DETECTORS = 2


class ChangeDetector:
    """`before()` and `after(before)` of the tasks run in one project root."""

    def __init__(self, root: Path, *, max_entries: int = MAX_ENTRIES, use_git: bool = True) -> None:
        self.root = root
        self.max_entries = max_entries
        self.use_git = use_git
        self.watch: FolderWatch | None = FolderWatch.open()
        self._last: ProjectState | None = None
        self._rebuild = True  # the watch must (re)cover every folder on the next look
        self._repository: Repository | None = None  # found once; asked again after any git failure

    # -- the two looks ----------------------------------------------------------------------

    def before(self) -> ProjectState:
        """The project now: the previous "after" when nothing wrote since, else a fresh look."""
        if self._last is not None and self._quiet_since_last():
            state = self._last
            state.reused = True
            state.sensitive = read_sensitive(self.root, self._git_dir(state), set(state.sensitive))
            return state
        known = set(self._last.sensitive) if self._last is not None else set()
        self._last = None
        state = self._look(None, Activity(), known)
        if state.scan is not None:
            hash_racy(str(self.root), state.scan)
        elif state.git is not None:
            self._hash_listed(state)
        return state

    def after(self, before: ProjectState) -> ChangeSet:
        """What the task changed since `before`; the state taken now becomes the next "before"."""
        activity = self.watch.drain() if self.watch is not None else Activity(overflow=True)
        problems: list[str] = []
        try:
            after = self._look(before.method, activity, set(before.sensitive), before.note, in_after=True)
        except GitUnusable as exc:
            self._last = None
            problems.append(f"git could not be asked after the task: {exc}")
            return compare_states(before, before, set(), problems)
        self._last = after
        written = None if activity.overflow or self.watch is None or self.watch.full else activity.paths
        return compare_states(before, after, written, problems)

    # -- reuse --------------------------------------------------------------------------------

    def _quiet_since_last(self) -> bool:
        if self.watch is None or self.watch.full or self._rebuild:
            return False  # a watch left to rebuild may miss folders the last task made
        activity = self.watch.drain()
        if activity.overflow or activity.folders_moved:
            self._rebuild = True
        return activity.quiet

    # -- one look -----------------------------------------------------------------------------

    def _look(self, method: Method | None, activity: Activity, known: set[str],
              note: str | None = None, *, in_after: bool = False) -> ProjectState:
        """A fresh state by `method` (None: git when the project is in a usable work tree).

        A watch that must be rebuilt (overflow, moved folders) is rebuilt by a scan as it goes (one
        call per folder it lists anyway), but a git look after a task leaves it to the next
        "before": the folder walk would sit between the child's exit and the result, and that
        "before" cannot reuse this look without a complete watch (`_quiet_since_last`)."""
        if activity.overflow or activity.folders_moved:
            self._rebuild = True
        if method is not Method.SCAN and self.use_git:
            try:
                repository = self._repository or find_repository(self.root)
                refuse_repository_programs(self.root)
                if not in_after:
                    self._renew_watch()
                state = self._git_look(repository, activity, known)
                self._repository = repository
                return state
            except GitUnusable as exc:
                self._repository = None
                if method is Method.GIT:
                    raise
                note = None if isinstance(exc, NotARepository) else f"git not used: {exc}"
        self._renew_watch()
        return self._scan_look(note, known)

    def _renew_watch(self) -> None:
        """A new, empty watch when the old one no longer covers the tree (filled again by the look)."""
        if self._rebuild and self.watch is not None:
            self.watch.close()
            self.watch = FolderWatch.open()
            self._rebuild = False

    def _scan_look(self, note: str | None, known: set[str]) -> ProjectState:
        taken_at = file_clock_ns()
        scan = scan_tree(str(self.root), extra_ignore=self._info_exclude(),
                         on_folder=self.watch.watch if self.watch is not None else None,
                         max_entries=self.max_entries)
        extra = {*scan.env_files, *known}
        sensitive = read_sensitive(self.root, git_dir_of(self.root), extra)
        return ProjectState(self.root, taken_at, Method.SCAN, sensitive, scan=scan, note=note)

    def _git_look(self, repository: Repository, activity: Activity, known: set[str]) -> ProjectState:
        taken_at = file_clock_ns()
        self._arm_for_git(activity)
        status = read_status(self.root, repository.prefix)
        disk = fingerprints_of(str(self.root), status.listed)
        subtrees = {prefix: scan_tree(str(self.root / prefix), max_entries=self.max_entries)
                    for prefix in sorted({*status.nested, *submodule_paths(repository)}) if counts(prefix + "/x")}
        extra = {*(p for p in status.listed if is_sensitive(p)), *known}
        sensitive = read_sensitive(self.root, repository.common_dir, extra)
        git = GitLook(repository, status.head, status, disk, subtrees=subtrees)
        return ProjectState(self.root, taken_at, Method.GIT, sensitive, git=git)

    def _arm_for_git(self, activity: Activity) -> None:
        """Watch every folder git could report on (a folder walk; files are not looked at)."""
        if self.watch is None or self._rebuild:
            return  # the rebuild is left to the next "before"
        hook = self.watch.watch
        if not self.watch.folders:
            scan_tree(str(self.root), extra_ignore=self._info_exclude(), on_folder=hook, files=False)
            return
        for folder in sorted(activity.new_folders):
            def under(relative: str, absolute: str, top: str = folder) -> None:
                hook(f"{top}/{relative}" if relative else top, absolute)
            scan_tree(str(self.root / folder), on_folder=under, files=False)

    def _hash_listed(self, state: ProjectState) -> None:
        git = state.git
        assert git is not None
        for path, print_ in git.disk.items():
            if print_ is not None and is_racy(print_, state.taken_at_ns):
                digest = digest_file(os.path.join(self.root, path))
                if digest is not None:
                    git.digests[path] = digest
        for prefix, sub in git.subtrees.items():
            hash_racy(str(self.root / prefix), sub)

    def _git_dir(self, state: ProjectState) -> Path | None:
        return state.git.repository.common_dir if state.git is not None else git_dir_of(self.root)

    def _info_exclude(self) -> IgnoreFile | None:
        return read_ignore_file(str(self.root / ".git" / "info" / "exclude"), "")

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None
        self._last = None


_DETECTORS: dict[Path, ChangeDetector] = {}


def detector_for(root: Path) -> ChangeDetector:
    """The process's detector for a project root (the two most recently used are kept)."""
    key = Path(os.path.abspath(root))
    detector = _DETECTORS.pop(key, None) or ChangeDetector(key)
    _DETECTORS[key] = detector
    while len(_DETECTORS) > MAX_DETECTORS:
        _DETECTORS.pop(next(iter(_DETECTORS))).close()
    return detector


def close_detectors() -> None:
    """Release every watch (at exit, and between tests)."""
    while _DETECTORS:
        _DETECTORS.popitem()[1].close()
