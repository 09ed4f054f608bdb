"""Raw executor output files (`raw/<sid>/<tid>_<evt>.log`): masked line by line, fsynced at close.

Output is masked on whole lines through a `StreamMasker`, so a secret split
across two writes is still caught. Raw logs are best effort: a write failure is
reported once as a WARNING and later writes are dropped; the task goes on. So is
output the space reserve refuses (`runner.logs.space`): once refused, the rest is only
counted (`dropped_bytes`) and a last line says so.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from runner.logs.masking import StreamMasker, mask_text
from runner.logs.store import safe_files
from runner.notices import Notice

# Under the stream masker's line limit (64 KiB), so a block of short lines is masked in one pass.
BLOCK_CHARS = 60_000


def _blocks(text: str) -> list[str]:
    """`text` cut after newlines into pieces of at most about BLOCK_CHARS (a longer line stays whole)."""
    if len(text) <= BLOCK_CHARS:
        return [text]
    blocks, start = [], 0
    while len(text) - start > BLOCK_CHARS:
        cut = text.rfind("\n", start, start + BLOCK_CHARS)
        if cut == -1:
            cut = text.find("\n", start + BLOCK_CHARS)
            if cut == -1:
                break
        blocks.append(text[start:cut + 1])
        start = cut + 1
    if start < len(text):
        blocks.append(text[start:])
    return blocks


class RawLog:
    """One raw log file, open for appending until `close()`."""

    def __init__(self, path: Path, *, warn: Callable[[Notice], None], task_id: str = "",
                 allows: Callable[[int], bool] | None = None) -> None:
        self.path = path
        self.task_id = task_id
        self._warn = warn
        self._allows = allows  # the space reserve: False when these bytes would eat into it
        self.dropped_bytes = 0
        self._masker = StreamMasker()
        self._fd: int | None = safe_files.open_append(path)
        self._failed = False
        self._lock = threading.Lock()  # stdout and stderr may be read by two threads

    @property
    def closed(self) -> bool:
        return self._fd is None

    def write(self, text: str) -> None:
        """Mask and append `text`; complete lines are written at once, a partial line waits for its end.

        Many lines at once are masked in blocks of whole lines under the masker's one-pass size."""
        with self._lock:
            if self._fd is None or self._failed:
                return
            for block in _blocks(text):
                self._write_lines(self._masker.feed(block), optional=True)

    def write_masked(self, text: str) -> None:
        """Append whole lines that were already masked by the stream's own masker (which saw the
        whole stream, so masking them again finds nothing more), `text` ending with a newline; a
        partial line of an earlier `write` is ended first."""
        with self._lock:
            if self._fd is None or self._failed:
                return
            self._write_lines(self._masker.flush(), optional=True)
            if text:
                self._write_data(text.encode("utf-8", "replace"), optional=True)

    def close(self) -> None:
        """Write what is left, fsync the file and its folder, close. Idempotent."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        fd = self._fd
        if fd is None:
            return
        if not self._failed:
            self._write_lines(self._masker.flush(), optional=True)
            if self.dropped_bytes:
                self._write_lines([f"[{self.dropped_bytes} more bytes of output were not kept: the disk holding "
                                   "the logs was nearly full]"], optional=False)
        self._fd = None
        try:
            if not self._failed:
                os.fsync(fd)
                safe_files.fsync_folder(self.path.parent)
        except OSError as exc:
            self._report(exc)
        finally:
            os.close(fd)

    def _write_lines(self, lines: list[str], *, optional: bool) -> None:
        if not lines or self._fd is None:
            return
        self._write_data(("\n".join(lines) + "\n").encode("utf-8", "replace"), optional=optional)

    def _write_data(self, data: bytes, *, optional: bool) -> None:
        if self._fd is None:
            return
        if optional and (self.dropped_bytes or (self._allows is not None and not self._allows(len(data)))):
            self.dropped_bytes += len(data)
            return
        try:
            safe_files.write_all(self._fd, data)
        except OSError as exc:
            self._failed = True
            self._report(exc)

    def _report(self, exc: OSError) -> None:
        self._warn(Notice.warning(mask_text(f"could not write raw log {self.path}: {exc.strerror or exc}; "
                                            "later output of this task is not kept in it")))
