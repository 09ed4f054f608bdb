"""Keys typed while a task runs: never echoed into its output, never run unseen.

While a task runs the terminal's echo is off (the keys would otherwise land in the middle of the
live output); afterwards whatever was typed is read without waiting and handed back, so the REPL
can put it at the next prompt for the person to see and confirm with Enter (or clear with Ctrl-C).
"""

from __future__ import annotations

import os
import select
import termios
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from runner.views.safe_text import safe_str

MAX_TYPEAHEAD_BYTES = 4096


@dataclass
class Typeahead:
    """What was typed during the task: the text (neutralised), empty when nothing."""

    text: str = ""

    @property
    def first_line(self) -> str:
        return next((line for line in self.text.splitlines() if line.strip()), "")

    @property
    def extra_lines(self) -> int:
        return max(0, len([line for line in self.text.splitlines() if line.strip()]) - 1)


@contextmanager
def held_keys(fd: int | None) -> Iterator[Typeahead]:
    """Echo off for the body; the keys typed meanwhile are in the yielded Typeahead afterwards."""
    typed = Typeahead()
    if fd is None or not os.isatty(fd):
        yield typed
        return
    saved = termios.tcgetattr(fd)
    quiet = list(saved)
    quiet[3] &= ~(termios.ECHO | termios.ICANON)  # lflags: no echo; bytes readable before Enter
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield typed
    finally:
        try:
            typed.text = _drain(fd)
        finally:
            termios.tcsetattr(fd, termios.TCSANOW, saved)


def _drain(fd: int) -> str:
    chunks: list[bytes] = []
    size = 0
    while size < MAX_TYPEAHEAD_BYTES and select.select([fd], [], [], 0)[0]:
        chunk = os.read(fd, MAX_TYPEAHEAD_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    termios.tcflush(fd, termios.TCIFLUSH)  # anything past the cap is dropped, never run later
    text = b"".join(chunks).decode("utf-8", errors="replace").replace("\r", "\n")
    return "\n".join(safe_str(line) for line in text.split("\n"))
