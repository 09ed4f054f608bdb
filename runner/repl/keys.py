"""One key press at a terminal, for "press Enter to run this plan, any other key to cancel".

The terminal is put in raw mode for the one read (so Ctrl-C is a key like any other, not a
signal) and restored after; what else a key sent (the rest of an arrow key's escape sequence) is
discarded, so it never reaches the next prompt.
"""

from __future__ import annotations

import os
import sys
import termios
import tty

ENTER = ("\r", "\n")


def read_key(fd: int | None = None) -> str:
    """The first character typed; a line's first character (or "\\n") when `fd` is not a terminal."""
    fd = sys.stdin.fileno() if fd is None else fd
    if not os.isatty(fd):
        line = sys.stdin.readline()
        return line[:1] if line else ""
    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        data = os.read(fd, 4)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        termios.tcflush(fd, termios.TCIFLUSH)
    return data[:1].decode("ascii", errors="replace")
