"""Folders a writer keeps open while it owns them, so each file operation in them skips the walk.

`safe_files` reaches a folder by walking from its anchor one component at a time with
`O_NOFOLLOW | O_DIRECTORY` (spec/security.md): six `open` calls for a file of a session's tasks
folder, and a task's lifecycle makes about a dozen such operations. A session's owner pins its
session and tasks folders once (`safe_files.FolderPin`, reached by that same walk); while a pin
is held, an operation on a file of the folder acts relative to a duplicate of the pinned
descriptor. The checks stay as strong: the pinned folder is the one the walk checked, and every
name below it is still opened without following a link, relative to it.

A pinned folder that has since been removed (its link count is 0) is unpinned and walked again,
so a folder deleted and made anew is never written through the old descriptor. Lookups and
releases take one lock and hand out duplicates: a release in one thread never closes a
descriptor another thread is using.
"""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()
_pinned: dict[str, int] = {}  # absolute folder path -> descriptor of the folder (the latest pin wins)


def duplicate(folder: str) -> int | None:
    """A new descriptor of the pinned folder `folder` (an absolute, normalised path), or None."""
    if not _pinned:
        return None
    with _lock:
        fd = _pinned.get(folder)
        if fd is None:
            return None
        if os.fstat(fd).st_nlink == 0:  # removed since it was pinned: walk the path again
            del _pinned[folder]
            return None
        return os.dup(fd)


def pinned() -> list[str]:
    """The folders pinned now."""
    with _lock:
        return list(_pinned)


def add(folder: str, fd: int) -> None:
    """Pin `fd` as the descriptor of `folder` (the caller keeps it open until `remove`)."""
    with _lock:
        _pinned[folder] = fd


def remove(folder: str, fd: int) -> None:
    """Unpin `folder` if `fd` is still its pin (a later pin of the same folder stays)."""
    with _lock:
        if _pinned.get(folder) == fd:
            del _pinned[folder]
