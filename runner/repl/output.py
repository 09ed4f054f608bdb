"""The terminal edge's output for the REPL: `repl.plain_output`'s lines, notices and views, plus task progress.

Every line is flushed as soon as it is written, so piped output keeps input order, and `2>&1`
keeps the order of results and notices. Which stream a line goes to is spec/repl.md's "Streams".
Logged text reaching the screen always passes through `views.safe_text` first.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING

from runner.repl.live_output import Fold, display_lines
from runner.repl.plain_output import PlainTerminal
from runner.views.safe_text import safe_str

if TYPE_CHECKING:
    from runner.logs.models import TaskLog
    from runner.orchestration.budget import SpendReport
    from runner.orchestration.planning.model import Plan

# At a terminal a plan of more parts than this waits for Enter before it runs (spec/planning.md).
CONFIRM_PLANS_OVER = 3
# In a script, the first lines of each task's output are echoed; the rest stays in the log.
ECHOED_OUTPUT_LINES = 200
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_STATUS_COLOUR = {"complete": "32", "incomplete": "33", "error": "31"}  # ANSI green, yellow, red


class Terminal(PlainTerminal):
    """`PlainTerminal` plus the task display: live output, the spinner, plans and result blocks;
    implements the core's `CoreUI`."""

    def __init__(self, stream: IO[str] | None = None, *, interactive: bool = False,
                 width: int | None = None, environ: Mapping[str, str] | None = None,
                 quiet: bool = False, stderr: IO[str] | None = None) -> None:
        super().__init__(stream, interactive=interactive, width=width, environ=environ, stderr=stderr)
        self.quiet = quiet  # interactive: no live output, only the spinner and the result
        env = os.environ if environ is None else environ
        # TERM=dumb (editors' shells, some CI consoles) cannot erase a line: no spinner there.
        self.animate = env.get("TERM") != "dumb"
        self._echoed = 0
        self._fold: Fold | None = None
        self._spinner: _Spinner | None = None
        self._write_lock = threading.Lock()

    # -- CoreUI ---------------------------------------------------------------------------

    def task_started(self, task: TaskLog) -> None:
        self._echoed = 0
        self._fold = Fold(task.task_id)
        if self.interactive and self.animate:
            width = self.width or shutil.get_terminal_size().columns
            self._spinner = _Spinner(self.stream, task.task_id, width, self._write_lock)
            self._spinner.start()

    def progress(self, line: str, kind: str | None = None) -> None:
        if self.interactive:
            shown = display_lines(line, kind)
            if self._spinner is not None and shown:
                self._spinner.last_line = line  # protocol records (shown as nothing) never reach the spinner
            if not self.quiet:
                self._live(shown)
            return
        self._echoed += 1
        if self._echoed <= ECHOED_OUTPUT_LINES:
            self.line(f"  | {safe_str(line)}")
        elif self._echoed == ECHOED_OUTPUT_LINES + 1:
            self.line("  | ... (more output in the task's log: /logs <task> --full)")

    def plan_ready(self, plan: Plan, read: Callable[[], str] | None = None) -> bool:
        """Show the plan; at a terminal one of more than CONFIRM_PLANS_OVER parts runs only after Enter
        (`read` reads one key: the terminal's by default)."""
        from runner.repl.keys import ENTER, read_key
        from runner.views.plan import plan_block

        for text in plan_block(plan):
            self.line(text)
        if not self.interactive or len(plan.items) <= CONFIRM_PLANS_OVER:
            return True
        self.stream.write("Press Enter to run this plan, any other key to cancel: ")
        self.stream.flush()
        try:
            key = (read or read_key)()
        except (OSError, EOFError):
            key = ""
        self.line()
        return key in ENTER

    def _live(self, lines: list[str]) -> None:
        """Print a running task's lines above the spinner, up to the fold."""
        fold = self._fold
        for text in lines:
            if fold is not None and not fold.take(text):
                continue
            with self._write_lock:
                erase = "\r\x1b[2K" if self._spinner is not None else ""
                self.stream.write(f"{erase}{text}\n")
                self.stream.flush()

    def task_finished(self, log: TaskLog, spend: SpendReport | None = None) -> None:
        from runner.views.repl_views import result_preface, summary_block


        self._stop_spinner()
        if self._fold is not None and self.interactive and not self.quiet:
            for text in self._fold.closing_lines():
                self.line(text)
        self._fold = None
        block = summary_block(log, spend)
        if self.interactive:
            preface = result_preface(log)
            if any(text.startswith("QUESTION: ") for text in preface):
                block = [text for text in block if not text.startswith("WHY: ")]  # the question, once
            block = [*preface, *block]
        for text in block:
            # The block's own WARNING lines (verification) are notices: spec/repl.md does not parse them.
            stream = self._notices if text.startswith("WARNING: ") else self.stream
            self._emit(stream, text, self._result_style(text, log))

    def _result_style(self, text: str, log: TaskLog) -> str:
        """The RESULT line's status colour at a colour terminal; scripts get it plain."""
        if not (self.interactive and self.color and text.startswith("RESULT: ")):
            return ""
        colour = _STATUS_COLOUR.get(log.status.value, "")
        return f"1;{colour}" if colour else ""

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            spinner, self._spinner = self._spinner, None
            spinner.stop()


class _Spinner:
    """A one-line progress display (elapsed time and the last output line) while a task runs."""

    def __init__(self, stream: IO[str], task_id: str, width: int, lock: threading.Lock) -> None:
        self.stream = stream
        self.task_id = task_id
        self.width = max(width, 20)
        self.lock = lock
        self.last_line = ""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.monotonic()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=1)
        with self.lock:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

    def _run(self) -> None:
        frame = 0
        while not self._done.wait(0.1):
            elapsed = time.monotonic() - self._started
            last = safe_str(self.last_line.strip().replace("\n", " "))
            text = f"{SPINNER[frame % len(SPINNER)]} {self.task_id} {elapsed:5.1f}s  {last}"
            with self.lock:  # never interleaved with a live output line
                self.stream.write("\r\x1b[2K" + text[:self.width - 1])  # one row: fits the width
                self.stream.flush()
            frame += 1
