"""Standard output whose reader may leave: `pm-runner repl < tasks.txt | head -1`.

When the reader closes the pipe, writing raises BrokenPipeError. Raised from inside a task's
progress callback that would end the task as an executor failure, and raised between tasks it
would stop the runner mid-session without a word. The guard drops every later write instead and
remembers that the reader is gone, so the running task ends (and is logged) as it really ends,
and the script loop can stop reading further lines.
"""

from __future__ import annotations

import os
from typing import IO, Any, cast


class PipeGuard:
    """A text stream wrapper: writes after the reader went away are dropped, not raised."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.reader_gone = False

    def write(self, text: str) -> int:
        if not self.reader_gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _gone(self) -> None:
        self.reader_gone = True
        # Python flushes stdout once more at exit; point the descriptor at /dev/null so that
        # flush cannot fail on the closed pipe either.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass  # not a real descriptor (a test's StringIO): dropping the writes is enough


def guarded(stream: IO[str]) -> IO[str]:
    """`stream` behind a PipeGuard (once), typed as the stream it stands for."""
    return stream if isinstance(stream, PipeGuard) else cast(IO[str], PipeGuard(stream))


def reader_gone(stream: IO[str]) -> bool:
    """True once a write found the reader of `stream` gone."""
    return isinstance(stream, PipeGuard) and stream.reader_gone
