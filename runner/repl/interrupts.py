"""SIGINT/SIGTERM handling: a cancel request while a line is being handled, an interrupt otherwise.

Raising KeyboardInterrupt at an arbitrary point could land inside a durable write;
while a line is handled the signal only sets the core's cancel event, which the
supervisor polls (it ends the child, and the task is logged `terminated_by: USER`).
While the REPL waits for input, the signal raises as usual.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class InterruptGate:
    """Routes SIGINT and SIGTERM to `cancel` while busy, to KeyboardInterrupt while idle."""

    def __init__(self, cancel: threading.Event) -> None:
        self.cancel = cancel
        self._busy = False

    def install(self) -> None:
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._busy:
            self.cancel.set()
            return
        raise KeyboardInterrupt

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Handle one line: signals arriving now cancel instead of raising."""
        self.cancel.clear()
        self._busy = True
        try:
            yield
        finally:
            self._busy = False
