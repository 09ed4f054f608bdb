"""The scan of a project tree that git does not manage: every counted file with its stat fingerprint.

One `os.scandir` pass, iterative, never following symlinks, honouring `.gitignore` files, with the
cyclic garbage collector paused (hundreds of thousands of new objects would otherwise trigger
repeated full collections). Each entry is a packed fingerprint (size, mtime, ctime, inode, type:
about 190 bytes per file with its path), so two snapshots of a big tree fit in little memory.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import os
import stat
import struct
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from runner.changes.ignore import IgnoreFile, IgnoreMatcher, read_ignore_file
from runner.changes.rules import EXCLUDED_DIR_NAMES, GITIGNORE, VENV_MARKER, counts, is_env_file

# Coarse file systems stamp whole seconds; anything changed this close to a snapshot is "racy".
RACY_WINDOW_NS = 2_000_000_000
HASH_MAX_FILE_BYTES = 1024 * 1024
HASH_MAX_TOTAL_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 500_000

_CLOCK_REALTIME_COARSE = 5  # Linux's clock id; Python's time module does not name it
_COARSE_LAG_NS = 50_000_000  # elsewhere: how far a file's stamp may lag the wall clock

_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_PACK = struct.Struct("<qqqQH").pack
_UNPACK = struct.Struct("<qqqQH").unpack
unpack_fingerprint = _UNPACK  # fingerprint_fields without its per-field int(), for per-file loops
_TYPE_BITS = 0o170000  # stat.S_IFMT's mask


def fingerprint(info: os.stat_result) -> bytes:
    """What decides "changed" between two looks at a file: size, mtime, ctime, inode and type."""
    return _PACK(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, stat.S_IFMT(info.st_mode))


def fingerprint_fields(print_: bytes) -> tuple[int, int, int, int, int]:
    """(size, mtime_ns, ctime_ns, inode, file type bits) of a fingerprint."""
    size, mtime, ctime, inode, kind = _UNPACK(print_)
    return int(size), int(mtime), int(ctime), int(inode), int(kind)


def fingerprints_of(root: str, paths: Iterable[str]) -> dict[str, bytes | None]:
    """The fingerprint now of each counted path among `paths` (None: not a regular file or a symlink,
    or gone), stat'ed folder by folder relative to one descriptor per folder: git lists a big
    change as one path per file, and a folder that is a symlink is not followed (the file is gone)."""
    by_folder: dict[str, list[str]] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        names = by_folder.get(folder)
        if names is None:
            by_folder[folder] = [name]
        else:
            names.append(name)
    found: dict[str, bytes | None] = {}
    with collector_paused():
        for folder, names in by_folder.items():
            if folder and not counts(folder + "/x"):
                continue
            prefix = folder + "/" if folder else ""
            try:
                fd = os.open(f"{root}/{folder}" if folder else root, _FOLDER_FLAGS)
            except OSError:
                found.update((prefix + name, None) for name in names if name and name[0] != ".")
                continue
            try:
                _fingerprint_names(fd, prefix, names, found)
            finally:
                os.close(fd)
    return found


def _fingerprint_names(fd: int, prefix: str, names: list[str], found: dict[str, bytes | None]) -> None:
    lstat = os.lstat
    for name in names:
        if not name or name[0] == ".":
            continue
        try:
            info = lstat(name, dir_fd=fd)
        except OSError:
            found[prefix + name] = None
            continue
        kind = info.st_mode & _TYPE_BITS
        found[prefix + name] = (_PACK(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, kind)
                                if kind == stat.S_IFREG or kind == stat.S_IFLNK else None)


def file_clock_ns() -> int:
    """Now, as the kernel stamps a file changed at this moment: a file whose ctime is at least this
    was changed after the call. Linux stamps files from the coarse real-time clock (a tick behind the
    wall clock), so a stamp compared with `time.time_ns()` could fall before a moment it followed;
    elsewhere the wall clock less the coarse clock's worst lag."""
    if sys.platform.startswith("linux"):
        try:
            return time.clock_gettime_ns(_CLOCK_REALTIME_COARSE)
        except OSError:
            pass
    return time.time_ns() - _COARSE_LAG_NS


def is_racy(print_: bytes, taken_at_ns: int) -> bool:
    """Changed so close to `taken_at_ns` that a later rewrite in the same tick could keep its stat."""
    _size, mtime, ctime, _inode, _kind = fingerprint_fields(print_)
    return max(mtime, ctime) >= taken_at_ns - RACY_WINDOW_NS


def digest_file(path: str) -> bytes | None:
    """A content digest of a regular file (links are not followed), or None when it cannot be read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        hasher = hashlib.blake2b(digest_size=16)
        while chunk := os.read(fd, 1024 * 1024):
            hasher.update(chunk)
        return hasher.digest()
    except OSError:
        return None
    finally:
        os.close(fd)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Keep the cyclic GC out of a hot loop that only makes acyclic objects."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


Folder = dict[str, bytes]  # one folder's counted files: name → fingerprint


@dataclass
class Scan:
    """Counted files under a root, by folder: `tree[prefix][name]` is the fingerprint of the file
    `prefix + name` (prefix `""` or `"src/"`; undecodable bytes as surrogates). Kept per folder
    because a big tree has a folder per few files: a name needs no joining, and an unchanged
    folder compares with its earlier look as one C-level dict equality."""

    taken_at_ns: int
    tree: dict[str, Folder] = field(default_factory=dict)
    count: int = 0  # files in `tree`
    digests: dict[str, bytes] = field(default_factory=dict)  # racy small files, when hashed
    racy: list[str] = field(default_factory=list)  # changed within RACY_WINDOW_NS of `taken_at_ns`
    env_files: dict[str, bytes] = field(default_factory=dict)  # `.env*` passed on the way (sensitive)
    truncated: bool = False
    limit: int = MAX_ENTRIES
    unreadable: list[str] = field(default_factory=list)
    folders: int = 0

    def get(self, path: str) -> bytes | None:
        """The fingerprint of one relative path, or None when the scan did not count it."""
        folder, _, name = path.rpartition("/")
        here = self.tree.get(folder + "/" if folder else "")
        return here.get(name) if here is not None else None

    def by_path(self) -> dict[str, bytes]:
        """Every counted file's fingerprint by its relative path (a new dict on each call)."""
        return {prefix + name: print_ for prefix, here in self.tree.items() for name, print_ in here.items()}


FolderHook = Callable[[str, str], None]


class _Walker:
    """One scan in progress; `on_folder(relative, absolute)` runs before a folder is listed.

    Folders are opened once and their entries stat'ed relative to that descriptor (`fstatat`), so
    the kernel does not walk every file's full path again. A big tree has a folder per few files,
    so the per-folder work is kept to a few calls and the per-file work to the stat and its record.
    """

    def __init__(self, root: str, scan: Scan, on_folder: FolderHook | None, max_entries: int,
                 files: bool = True) -> None:
        self.root = root
        self.files = files
        self.scan = scan
        self.on_folder = on_folder
        self.max_entries = max_entries
        self.racy_after = scan.taken_at_ns - RACY_WINDOW_NS

    def run(self, matcher: IgnoreMatcher | None) -> None:
        stack: list[tuple[str, str, IgnoreMatcher | None]] = [("", self.root, matcher)]
        on_folder = self.on_folder
        while stack and not self.scan.truncated:
            prefix, folder, inherited = stack.pop()
            if on_folder is not None:
                on_folder(prefix[:-1], folder)
            try:
                fd = os.open(folder, _FOLDER_FLAGS)
            except OSError:
                self.scan.unreadable.append(prefix[:-1] or ".")
                continue
            try:
                self._folder(fd, prefix, folder, inherited, stack)
            finally:
                os.close(fd)

    def _folder(self, fd: int, prefix: str, folder: str, matcher: IgnoreMatcher | None,
                stack: list[tuple[str, str, IgnoreMatcher | None]]) -> None:
        try:
            with os.scandir(fd) as listing:
                listed = list(listing)
        except OSError:
            self.scan.unreadable.append(prefix[:-1] or ".")
            return
        files: dict[str, os.DirEntry[str]] = {}
        folders: list[str] = []
        hidden: list[os.DirEntry[str]] = []
        for entry in listed:
            name = entry.name
            if name[0] == ".":
                hidden.append(entry)
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(name)
                    continue
            except OSError:
                continue
            if name == VENV_MARKER and prefix:
                return  # a virtualenv under any name
            files[name] = entry
        self.scan.folders += 1
        if hidden:
            matcher = self._hidden(prefix, folder, hidden, matcher)
        if matcher is not None:
            folders = matcher.drop_ignored(prefix, files, folders)
        for name in folders:
            if name not in EXCLUDED_DIR_NAMES:
                stack.append((f"{prefix}{name}/", f"{folder}/{name}", matcher))
        if self.files and not self.scan.truncated:
            self._files(prefix, files)

    def _files(self, prefix: str, files: dict[str, os.DirEntry[str]]) -> None:
        here: Folder = {}
        racy: list[str] = []
        racy_after = self.racy_after
        for name, entry in files.items():
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            kind = info.st_mode & _TYPE_BITS
            if kind != stat.S_IFREG and kind != stat.S_IFLNK:
                continue
            mtime, ctime = info.st_mtime_ns, info.st_ctime_ns
            here[name] = _PACK(info.st_size, mtime, ctime, info.st_ino, kind)
            if mtime >= racy_after or ctime >= racy_after:
                racy.append(name)
        if not here:
            return
        room = self.max_entries - self.scan.count
        if len(here) >= room:  # the cap: keep `room` files and stop
            here = dict(itertools.islice(here.items(), room))
            self.scan.truncated = True
        self.scan.tree[prefix] = here
        self.scan.count += len(here)
        self.scan.racy.extend(prefix + name for name in racy if name in here)

    def _hidden(self, prefix: str, folder: str, hidden: list[os.DirEntry[str]],
                matcher: IgnoreMatcher | None) -> IgnoreMatcher | None:
        """Record the folder's `.env*` files; the matcher with its `.gitignore`, when it has one."""
        for entry in hidden:
            name = entry.name
            try:
                if not is_env_file(name) or entry.is_dir(follow_symlinks=False):
                    continue
                self.scan.env_files[prefix + name] = fingerprint(entry.stat(follow_symlinks=False))
            except OSError:
                continue
        if not any(entry.name == GITIGNORE for entry in hidden):
            return matcher
        rules = read_ignore_file(os.path.join(folder, GITIGNORE), prefix)
        if rules is None:
            return matcher
        return matcher.with_file(rules) if matcher is not None else IgnoreMatcher((rules,))


def scan_tree(root: str, *, extra_ignore: IgnoreFile | None = None, on_folder: FolderHook | None = None,
              max_entries: int = MAX_ENTRIES, files: bool = True) -> Scan:
    """Scan `root` once (see the module doc); nothing is hashed here (see `hash_racy`).

    With `files=False` only the folders are walked (each passed to `on_folder`): no file is looked at.
    """
    scan = Scan(taken_at_ns=file_clock_ns(), limit=max_entries)
    with collector_paused():
        walker = _Walker(root.rstrip("/") or "/", scan, on_folder, max_entries, files)
        walker.run(IgnoreMatcher((extra_ignore,)) if extra_ignore is not None else None)
    return scan


def hash_racy(root: str, scan: Scan, now_ns: int | None = None) -> None:
    """Digest the small files still racy at `now_ns`, so a same-size rewrite in one tick is seen later."""
    now = time.time_ns() if now_ns is None else now_ns
    budget = HASH_MAX_TOTAL_BYTES
    for relative in scan.racy:
        print_ = scan.get(relative)
        if print_ is None:
            continue
        size, mtime, ctime, _inode, kind = _UNPACK(print_)
        if kind != stat.S_IFREG or max(mtime, ctime) < now - RACY_WINDOW_NS or relative in scan.digests:
            continue
        if size > min(HASH_MAX_FILE_BYTES, budget):
            continue
        digest = digest_file(os.path.join(root, relative))
        if digest is not None:
            scan.digests[relative] = digest
            budget -= size
