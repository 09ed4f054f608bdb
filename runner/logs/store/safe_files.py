"""Safe file primitives for everything pm-runner reads or writes under `<project>/.claude/`.

The repository is untrusted input (spec/security.md): anything below the project root may be a
symbolic link, a hard link, a FIFO, a device or a huge file that came with a clone. So here:

- a path is walked from its trusted anchor (the project root: the folder holding the path's last
  `.claude` component; for a path without one, its parent folder; for a path in a logs folder the
  user chose with `--logs-dir`, the folder holding that one, see `trust_logs_root`) one folder at a
  time with `O_NOFOLLOW | O_DIRECTORY`: a link at any component below the anchor is refused, never
  followed;
- every operation acts relative to the last folder's descriptor (`openat`, `renameat`,
  `unlinkat`, `mkdirat`), so the folder that was checked is the folder that is used;
- a file is `lstat`-ed before it is opened and opened `O_NOFOLLOW | O_NONBLOCK`, then `fstat`-ed
  again: a FIFO, device or socket is never read, written or waited on;
- a file with more than one hard link is never appended to, truncated or locked;
- every read is capped (`Limit`): a bigger file is refused, not read into memory;
- a recursive delete happens only on a real folder, with `shutil.rmtree`'s descriptor-based walk
  (each entry re-checked, links removed as links, never followed).

A refusal is `UnsafeFileError`, an `OSError`, so code that copes with an unreadable file copes with
a hostile one; its `problem` ("a symbolic link", "not a regular file (a FIFO)") reads like the
reason of a corrupted log. A missing file or folder is `FileNotFoundError`, as usual.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path

from runner.logs.store import folder_pins

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
CLAUDE_DIR = ".claude"
_MIB = 1024 * 1024

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _CLOEXEC
_FILE_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC


class Limit(IntEnum):
    """The largest file of each kind pm-runner reads (spec/security.md, "Read limits")."""

    TASK_FILE = 128 * _MIB  # a task snapshot or journal (task logs are trimmed to 10 MB by default)
    INDEX = 64 * _MIB  # a session index (10,000 tasks take about 5 MB) or the global index
    HISTORY = 8 * _MIB  # .claude/repl_history
    SMALL = 1 * _MIB  # session.json, usage.json, runner.config.json, repl.json


class UnsafeFileError(OSError):
    """A path pm-runner refuses to use: a link, not a regular file or folder, hard-linked, or too large."""

    def __init__(self, path: Path, problem: str, code: int = errno.EPERM) -> None:
        super().__init__(code, f"{path} is {problem}")
        self.path = path
        self.problem = problem


# Logs folders the user chose (`--logs-dir`, resolved once at start): their parent is an anchor.
_LOGS_ROOTS: set[tuple[str, ...]] = set()


def trust_logs_root(root: Path) -> None:
    """Walk every path inside `root` (an absolute folder without links, as the user chose it) from
    `root`'s parent: `root` itself and everything below it are then opened without following links."""
    parts = Path(os.path.abspath(root)).parts
    if len(parts) < 2:
        raise ValueError(f"{root} cannot be a logs folder")
    _LOGS_ROOTS.add(parts)


def _logs_root_cut(parts: tuple[str, ...]) -> int | None:
    """Where the deepest trusted logs root in `parts` ends (its parent's length), or None."""
    cuts = [len(root) - 1 for root in _LOGS_ROOTS if parts[: len(root)] == root]
    return max(cuts, default=None)


def in_chosen_logs_root(path: Path) -> bool:
    """Whether `path` is a logs folder the user chose (`trust_logs_root`) or inside one."""
    return _logs_root_cut(Path(os.path.abspath(path)).parts) is not None


def anchor_of(path: Path) -> tuple[Path, tuple[str, ...]]:
    """(trusted anchor, the components below it) of an absolute or relative path."""
    anchor, parts = _split(path)
    return Path(anchor), parts


def _split(path: Path) -> tuple[str, tuple[str, ...]]:
    """`anchor_of` with the anchor as a string, by string operations (every file operation pays
    for it, and building Path objects cost more than the walk's system calls)."""
    full = _absolute(path)  # normalised: no empty, `.` or `..` component below the root
    parts = (os.sep, *full[1:].split(os.sep)) if full != os.sep else (os.sep,)  # as Path(full).parts
    cut = _logs_root_cut(parts)
    if cut is None:
        cut = len(parts) - 1
        for index in range(len(parts) - 1, 0, -1):
            if parts[index] == CLAUDE_DIR:
                cut = index
                break
    if cut == 0:
        raise ValueError(f"{path} has no folder to anchor it")
    return os.sep + os.sep.join(parts[1:cut]), parts[cut:]


def describe(st: os.stat_result) -> str:
    """What kind of thing a file is, as a refusal names it."""
    mode = st.st_mode
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a regular file"
    kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "of an unknown kind")
    return f"not a regular file ({kind})"


def _refuse_kind(path: Path, st: os.stat_result) -> UnsafeFileError:
    code = errno.ELOOP if stat.S_ISLNK(st.st_mode) else errno.EINVAL
    return UnsafeFileError(path, describe(st), code)


def _not_a_folder(path: Path, st: os.stat_result) -> NotADirectoryError:
    kind = "a file" if stat.S_ISREG(st.st_mode) else describe(st)
    return NotADirectoryError(errno.ENOTDIR, f"{path} is {kind}, not a folder")


# -- walking -------------------------------------------------------------------------------------


def _step(parent: int, name: str, shown: Callable[[], Path]) -> int:
    """Open the folder `name` in `parent` without following a link; explain any refusal (at `shown()`)."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        st = os.stat(name, dir_fd=parent, follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            raise UnsafeFileError(shown(), "a symbolic link", errno.ELOOP) from None
        raise _not_a_folder(shown(), st) from None


def _shown(anchor: str, parts: tuple[str, ...]) -> Path:
    """The path a refusal names (built only then: the walk itself never needs a Path)."""
    return Path(anchor).joinpath(*parts)


def _walk(anchor: str, parts: tuple[str, ...]) -> int:
    """A descriptor of the folder `anchor/parts...`, every component a real folder."""
    fd = os.open(anchor, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        for depth, name in enumerate(parts):
            child = _step(fd, name, functools.partial(_shown, anchor, parts[: depth + 1]))
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def folder_fd(path: Path) -> Iterator[int]:
    """A descriptor of the folder `path`, reached without following any link below its anchor."""
    fd = folder_pins.duplicate(_absolute(path))
    if fd is None:
        anchor, parts = _split(path)
        fd = _walk(anchor, parts)
    try:
        yield fd
    finally:
        os.close(fd)


def parent_fd(path: Path) -> HeldFolder:
    """`with parent_fd(path) as (fd, name)`: a descriptor of the folder holding `path` (closed when
    the block ends) and the last component's name."""
    folder, _, name = _absolute(path).rpartition(os.sep)
    fd = folder_pins.duplicate(folder) if name else None
    if fd is None:
        anchor, parts = _split(path)
        fd = _walk(anchor, parts[:-1])
        name = parts[-1]
    return HeldFolder(fd, name)


class HeldFolder:
    """An open folder descriptor and a name in it, closed on leaving the `with` block. A plain class:
    every file operation of a task goes through one, and a generator-based context manager cost
    several times the `dup` it wraps."""

    __slots__ = ("fd", "name")

    def __init__(self, fd: int, name: str) -> None:
        self.fd, self.name = fd, name

    def __enter__(self) -> tuple[int, str]:
        return self.fd, self.name

    def __exit__(self, *_: object) -> None:
        os.close(self.fd)


_ABSOLUTE_MAX = 4096
_absolute_paths: dict[str, str] = {}


def _absolute(path: Path) -> str:
    """`os.path.abspath(path)`, remembered for absolute paths (they do not depend on the working
    folder; the store's paths are made absolute once and used again for every operation)."""
    text = os.fspath(path)
    known = _absolute_paths.get(text)
    if known is None:
        known = os.path.abspath(text)
        if text.startswith(os.sep):
            if len(_absolute_paths) >= _ABSOLUTE_MAX:
                _absolute_paths.clear()
            _absolute_paths[text] = known
    return known


class FolderPin:
    """A folder its owner keeps open, reached by the walk once (`runner.logs.store.folder_pins`):
    until `release`, operations on its files act relative to it instead of walking again."""

    def __init__(self, path: Path) -> None:
        self.folder = os.path.abspath(path)
        anchor, parts = _split(path)
        self._fd: int | None = _walk(anchor, parts)
        folder_pins.add(self.folder, self._fd)

    def release(self) -> None:
        """Unpin and close (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            folder_pins.remove(self.folder, fd)
            os.close(fd)


# -- looking -------------------------------------------------------------------------------------


def lstat(path: Path) -> os.stat_result | None:
    """The entry itself (a link is not followed); None when it or a folder above it is missing."""
    try:
        with parent_fd(path) as (fd, name):
            return os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def exists(path: Path) -> bool:
    """Whether anything (even a link) is there; a link above it raises UnsafeFileError."""
    return lstat(path) is not None


def is_folder(path: Path) -> bool:
    """True only for a real folder reached without any link; False when missing, a link or a file."""
    try:
        with folder_fd(path):
            return True
    except (OSError, ValueError):
        return False


def check_folder(path: Path) -> None:
    """Raise FileNotFoundError, NotADirectoryError or UnsafeFileError unless `path` is a real folder."""
    with folder_fd(path):
        return


def list_names(folder: Path) -> list[str]:
    """The names in a real folder (FileNotFoundError, NotADirectoryError or UnsafeFileError otherwise)."""
    with folder_fd(folder) as fd:
        return os.listdir(fd)


def list_entries(folder: Path) -> list[tuple[str, os.stat_result]]:
    """(name, lstat) of each entry of a real folder; an entry removed meanwhile is left out."""
    found: list[tuple[str, os.stat_result]] = []
    with folder_fd(folder) as fd:
        for name in os.listdir(fd):
            try:
                found.append((name, os.stat(name, dir_fd=fd, follow_symlinks=False)))
            except FileNotFoundError:
                continue
    return found


# -- reading -------------------------------------------------------------------------------------


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _open_regular(fd: int, name: str, path: Path, flags: int) -> tuple[int, os.stat_result]:
    """Open an existing regular file of folder `fd`: looked at first, so nothing else is ever opened."""
    before = os.stat(name, dir_fd=fd, follow_symlinks=False)
    if not stat.S_ISREG(before.st_mode):
        raise _refuse_kind(path, before)
    handle = os.open(name, flags | _FILE_FLAGS, dir_fd=fd)
    try:
        after = os.fstat(handle)
        if not stat.S_ISREG(after.st_mode) or not _same(before, after):
            raise UnsafeFileError(path, "replaced while it was opened", errno.EAGAIN)
    except BaseException:
        os.close(handle)
        raise
    return handle, after


def read_bytes(path: Path, *, limit: int, single_link: bool = False) -> bytes:
    """The whole content of a regular file of at most `limit` bytes (with `single_link`, not hard-linked)."""
    with parent_fd(path) as (fd, name):
        handle, st = _open_regular(fd, name, path, os.O_RDONLY)
    try:
        if single_link:
            _check_writable(path, st)
        if st.st_size > limit:
            raise _too_large(path, limit)
        data = _read_to_end(handle, first=st.st_size + 1, limit=limit)
    finally:
        os.close(handle)
    if len(data) > limit:
        raise _too_large(path, limit)
    return data


@contextmanager
def opened_for_reading(path: Path) -> Iterator[tuple[int, os.stat_result]]:
    """A read-only descriptor on an existing regular file (never a link or a FIFO), with its `fstat`."""
    with parent_fd(path) as (fd, name):
        handle, st = _open_regular(fd, name, path, os.O_RDONLY)
    try:
        yield handle, st
    finally:
        os.close(handle)


def _read_to_end(handle: int, *, first: int, limit: int) -> bytes:
    """Read until end of file, or until one byte past `limit` (a file may grow while it is read)."""
    chunks: list[bytes] = []
    total, want = 0, first
    while total <= limit:
        chunk = os.read(handle, min(want, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = max(64 * 1024, total)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _too_large(path: Path, limit: int) -> UnsafeFileError:
    return UnsafeFileError(path, f"larger than its {limit // _MIB} MiB limit", errno.EFBIG)


# -- writing -------------------------------------------------------------------------------------


def _check_writable(path: Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise _refuse_kind(path, st)
    if st.st_nlink > 1:
        raise UnsafeFileError(path, f"hard-linked ({st.st_nlink} links); pm-runner never writes into such a file",
                              errno.EMLINK)


def _open_writable(fd: int, name: str, path: Path, flags: int, *, expect_existing: bool = False) -> int:
    """Create `name` 0600, or open it if it is a regular file with one link; never a link or a FIFO.

    `expect_existing` (lock files) looks for the file first instead of trying to create it first.
    """
    handle, st = -1, None
    if expect_existing:
        try:
            handle, st = _open_regular(fd, name, path, flags)
        except FileNotFoundError:
            pass
    if st is None:
        try:
            handle = os.open(name, flags | os.O_CREAT | os.O_EXCL | _FILE_FLAGS, PRIVATE_FILE_MODE, dir_fd=fd)
        except FileExistsError:
            handle, st = _open_regular(fd, name, path, flags)
    try:
        if st is not None:
            _check_writable(path, st)
        if st is None or stat.S_IMODE(st.st_mode) != PRIVATE_FILE_MODE:
            os.fchmod(handle, PRIVATE_FILE_MODE)  # whatever the umask or an older version left
    except BaseException:
        os.close(handle)
        raise
    return handle


def open_append(path: Path, *, readable: bool = False) -> int:
    """An append-only descriptor on a 0600 file (journals, raw logs, retention.jsonl), created if missing."""
    with parent_fd(path) as (fd, name):
        return _open_writable(fd, name, path, (os.O_RDWR if readable else os.O_WRONLY) | os.O_APPEND)


def open_lock(path: Path, *, create: bool = True) -> int:
    """A descriptor to `flock`: lock files are created 0600 and never truncated or written.

    Without `create` an existing lock file is only opened for reading (enough for `flock`),
    so probing another runner's lock works in a folder this user may not write.
    """
    with parent_fd(path) as (fd, name):
        if create:
            return _open_writable(fd, name, path, os.O_RDWR, expect_existing=True)
        handle, _ = _open_regular(fd, name, path, os.O_RDONLY)
        return handle


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of `data`; `os.write` may write fewer bytes than asked."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def temp_name(name: str) -> str:
    """A hidden sibling name no other writer uses: `.name.<pid>.<random>.tmp`."""
    # os.urandom is what secrets.token_hex reads; the secrets module (hmac, random, base64) is not loaded for it.
    return f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and name.endswith(".tmp")


def write_atomic(path: Path, data: bytes, *, durable: bool, sync_folder: bool | None = None) -> None:
    """Replace `path` with `data` so a reader sees the old or the new file, never a mix.

    Temp file in the same folder (O_EXCL, 0600), write, (fsync), rename over the target,
    (fsync the folder). A rename replaces the entry itself, so a link or a hard-linked file in
    the target's place is replaced, never written through. On any error the temp file is
    removed and the error propagates; the caller rewrites from memory or reports it.
    `sync_folder=False` with `durable` fsyncs the file but not the rename: after a power cut the
    target is the old file or the whole new one (the caller keeps what the old one lacks elsewhere).
    """
    if sync_folder is None:
        sync_folder = durable
    with parent_fd(path) as (fd, name):
        tmp = temp_name(name)
        handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FILE_FLAGS, PRIVATE_FILE_MODE, dir_fd=fd)
        try:
            try:
                os.fchmod(handle, PRIVATE_FILE_MODE)
                write_all(handle, data)
                if durable:
                    os.fsync(handle)
            finally:
                os.close(handle)
            os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            _quiet_unlink(fd, tmp)
            raise
        if sync_folder:
            os.fsync(fd)


def truncate(path: Path) -> bool:
    """Empty a regular, singly-linked file; False when it is missing."""
    try:
        with parent_fd(path) as (fd, name):
            handle, st = _open_regular(fd, name, path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        _check_writable(path, st)
        os.ftruncate(handle, 0)
    finally:
        os.close(handle)
    return True


def fsync_folder(path: Path) -> None:
    """Make renames and new entries in the folder `path` durable."""
    with folder_fd(path) as fd:
        os.fsync(fd)


# -- folders and removal -------------------------------------------------------------------------


def make_private_folders(path: Path) -> None:
    """Create `path` and every missing folder below its anchor, each 0700; existing ones are kept as they are.

    The anchor itself is never created (FileNotFoundError). A link on the way is UnsafeFileError,
    a file on the way NotADirectoryError.
    """
    anchor, parts = anchor_of(path)
    fd = os.open(anchor, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
    try:
        for depth, name in enumerate(parts):
            shown = anchor.joinpath(*parts[: depth + 1])
            try:
                child = _step(fd, name, functools.partial(Path, shown))
            except FileNotFoundError:
                child = _make_one(fd, name, shown)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)


def _make_one(parent: int, name: str, shown: Path) -> int:
    try:
        os.mkdir(name, PRIVATE_DIR_MODE, dir_fd=parent)
    except FileExistsError:
        return _step(parent, name, lambda: shown)  # another process made it first
    child = _step(parent, name, lambda: shown)
    try:
        os.fchmod(child, PRIVATE_DIR_MODE)  # the umask applies to mkdir
    except OSError:
        os.close(child)
        raise
    return child


def make_private_folder(path: Path) -> None:
    """Create one new folder 0700 in an existing real folder; FileExistsError when anything is there."""
    with parent_fd(path) as (fd, name):
        os.mkdir(name, PRIVATE_DIR_MODE, dir_fd=fd)
        child = _step(fd, name, lambda: path)
        try:
            os.fchmod(child, PRIVATE_DIR_MODE)
        finally:
            os.close(child)


def unlink(path: Path) -> bool:
    """Remove one entry (a link is removed as a link); False when it is missing."""
    try:
        with parent_fd(path) as (fd, name):
            os.unlink(name, dir_fd=fd)
    except FileNotFoundError:
        return False
    return True


def remove_folder(path: Path) -> bool:
    """Remove an empty folder; False when it is missing or not empty."""
    try:
        with parent_fd(path) as (fd, name):
            os.rmdir(name, dir_fd=fd)
    except (FileNotFoundError, OSError):
        return False
    return True


def remove_entry(path: Path) -> bool:
    """Delete whatever is at `path` inside the logs: a real folder with `rmtree`, anything else (a link,
    a file, a FIFO) as one entry; a link's target is never touched. False when nothing was there."""
    try:
        with parent_fd(path) as (fd, name):
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                import shutil  # only a deletion needs it: the read path does not load it

                shutil.rmtree(name, dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)
    except FileNotFoundError:
        return False
    return True


def remove_temps(folder: Path) -> int:
    """Delete temp files a killed writer left in a real folder; returns how many went."""
    removed = 0
    try:
        with folder_fd(folder) as fd:
            for name in os.listdir(fd):
                if is_temp_name(name):
                    removed += _quiet_unlink(fd, name)
    except OSError:
        return removed
    return removed


def _quiet_unlink(fd: int, name: str) -> int:
    try:
        os.unlink(name, dir_fd=fd)
    except OSError:
        return 0
    return 1
