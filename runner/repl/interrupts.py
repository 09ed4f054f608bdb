"""Signal handling: a cancel request while a line is being handled, an interrupt otherwise.

Raising KeyboardInterrupt at an arbitrary point could land inside a durable write;
while a line is handled a signal only sets the core's cancel request, which the
supervisor polls (it ends the child and everything it started, and the task is logged
`terminated_by: USER` with the signal in its reason). SIGINT (Ctrl-C) cancels the task;
SIGTERM, SIGHUP (the terminal or session closed) and SIGQUIT cancel it and then end the
runner. While the REPL waits for input, SIGINT raises KeyboardInterrupt and the others
raise `Terminated`.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from runner.executors.base import CANCELLED_BY_USER, Cancellation

# signal → (the task's error reason, whether the runner stops after the task is saved)
SIGNAL_REASONS: dict[signal.Signals, tuple[str, bool]] = {
    signal.SIGINT: (f"{CANCELLED_BY_USER} (Ctrl-C)", False),
    signal.SIGTERM: ("Task cancelled: the runner received SIGTERM", True),
    signal.SIGHUP: ("Task cancelled: the runner received SIGHUP (its terminal or session closed)", True),
    signal.SIGQUIT: ("Task cancelled: the runner received SIGQUIT", True),
}


class Terminated(KeyboardInterrupt):
    """A termination signal arrived while no line was being handled: the runner must stop."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class InterruptGate:
    """Routes SIGINT, SIGTERM, SIGHUP and SIGQUIT to the cancel request while busy, to exceptions while idle."""

    def __init__(self, cancel: Cancellation) -> None:
        self.cancel = cancel
        self._busy = False

    def install(self) -> None:
        for signum in SIGNAL_REASONS:
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        reason, ends_runner = SIGNAL_REASONS[signal.Signals(signum)]
        if self._busy:
            self.cancel.request(reason, ends_runner=ends_runner)
            return
        if not ends_runner:
            raise KeyboardInterrupt
        if not _exit_running_prompt(Terminated(signum)):
            raise Terminated(signum)

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Handle one line: signals arriving now cancel instead of raising."""
        self.cancel.clear()
        self._busy = True
        try:
            yield
        finally:
            self._busy = False


def _exit_running_prompt(exc: Terminated) -> bool:
    """Ask a running prompt-toolkit prompt to leave with `exc` (raising inside its event loop could
    land in one of its callbacks instead); False when no prompt is running."""
    if "prompt_toolkit" not in sys.modules:
        return False
    from prompt_toolkit.application.current import get_app_or_none

    app = get_app_or_none()
    if app is None or not app.is_running or app.loop is None:
        return False

    def leave() -> None:
        if app.future is not None and not app.future.done():
            app.exit(exception=exc)
    app.loop.call_soon_threadsafe(leave)
    return True
