"""Reading a project file as text for the review, safely and within bounds.

Never follows a symbolic link, never opens anything but a regular file, reads at most `limit`
bytes, and calls a file with a NUL byte in its first 8 KiB binary (not text, so not reviewed).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

MAX_TEXT_BYTES = 2 * 1024 * 1024
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class TextRead:
    """The file's text, or why it has none (`skip`: "binary", "larger than 2 MiB", "unreadable: …")."""

    text: str | None
    skip: str | None = None


def read_text(root: Path, relative: str, limit: int = MAX_TEXT_BYTES) -> TextRead:
    """`root/relative` as UTF-8 text (invalid bytes replaced), or the reason it is not read."""
    path = os.path.join(root, relative)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return TextRead(None, f"unreadable: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return TextRead(None, "not a regular file")
        if info.st_size > limit:
            return TextRead(None, f"larger than {limit // (1024 * 1024)} MiB")
        data = _read_all(fd, limit + 1)
    except OSError as exc:
        return TextRead(None, f"unreadable: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if len(data) > limit:
        return TextRead(None, f"larger than {limit // (1024 * 1024)} MiB")
    if b"\0" in data[:_SNIFF_BYTES]:
        return TextRead(None, "binary")
    return TextRead(data.decode("utf-8", errors="replace"))


def _read_all(fd: int, most: int) -> bytes:
    chunks: list[bytes] = []
    left = most
    while left > 0:
        chunk = os.read(fd, min(left, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
