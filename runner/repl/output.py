"""The terminal edge's output: plain lines, ERROR/HINT/WARNING lines, rich renderables, task progress.

Every line is flushed as soon as it is written, so piped output keeps input order, and `2>&1`
keeps the order of results and notices. Which stream a line goes to is spec/repl.md's "Streams".
Logged text reaching the screen always passes through `views.safe_text` first.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import IO, Any

from runner.logs.models import TaskLog
from runner.notices import Notice, NoticeLevel
from runner.orchestration.budget import SpendReport
from runner.orchestration.planning.model import Plan
from runner.repl.keys import ENTER, read_key
from runner.repl.live_output import Fold, display_lines
from runner.repl.pipe_guard import guarded, reader_gone
from runner.repl.tty import color_enabled, default_width
from runner.views.notices import notice_lines
from runner.views.plan import plan_block
from runner.views.repl_views import result_preface, summary_block
from runner.views.safe_text import neutralise, safe_str

# At a terminal a plan of more parts than this waits for Enter before it runs (spec/planning.md).
CONFIRM_PLANS_OVER = 3
# In a script, the first lines of each task's output are echoed; the rest stays in the log.
ECHOED_OUTPUT_LINES = 200
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_STATUS_COLOUR = {"complete": "32", "incomplete": "33", "error": "31"}  # ANSI green, yellow, red


class Terminal:
    """Writes results to stdout (a reader that leaves is survived, `pipe_guard`) and, when not
    interactive, WARNING/ERROR notices (with their HINT) to stderr; implements the core's `CoreUI`."""

    def __init__(self, stream: IO[str] | None = None, *, interactive: bool = False,
                 width: int | None = None, environ: Mapping[str, str] | None = None,
                 quiet: bool = False, stderr: IO[str] | None = None) -> None:
        self.stream = guarded(stream or sys.stdout)
        self.stderr = stderr
        # A script's stdout carries only results (parsed, spec/repl.md "Streams"); a person at a
        # terminal reads one screen, where the spinner and the prompt also live: notices stay there.
        self._notices = guarded(stderr) if stderr is not None and not interactive else self.stream
        self.interactive = interactive
        self.quiet = quiet  # interactive: no live output, only the spinner and the result
        self.color = color_enabled(self.stream, environ)
        self.width = width or default_width(self.stream, environ)
        env = os.environ if environ is None else environ
        # TERM=dumb (editors' shells, some CI consoles) cannot erase a line: no spinner there.
        self.animate = env.get("TERM") != "dumb"
        self._echoed = 0
        self._fold: Fold | None = None
        self._spinner: _Spinner | None = None
        self._write_lock = threading.Lock()

    @property
    def reader_gone(self) -> bool:
        """The reader of stdout closed it (`| head -1`): what is written now is dropped."""
        return reader_gone(self.stream)

    def note_reader_gone(self, after: str) -> None:
        """One line on stderr saying the run stopped because nobody reads its results any more."""
        if self.stderr is not None:
            self.stderr.write(f"WARNING: standard output was closed by its reader; stopped after {after}; "
                              "the remaining lines were not run (the logs hold what ran)\n")
            self.stderr.flush()

    # -- lines ----------------------------------------------------------------------------

    def line(self, text: str = "", *, sgr: str = "") -> None:
        """Write one line; control characters and escape sequences are shown, never sent (a string from a
        repository's config file, a folder name or a typed argument may hold them). `sgr` is the one
        style the runner itself may give a line (e.g. `1;32`), wrapped around the neutralised text."""
        self._emit(self.stream, text, sgr)

    def _emit(self, stream: IO[str], text: str, sgr: str = "") -> None:
        self._stop_spinner()
        body = neutralise(text)
        stream.write((f"\x1b[{sgr}m{body}\x1b[0m" if sgr else body) + "\n")
        stream.flush()

    def info(self, text: str) -> None:
        self.line(safe_str(text))

    def notify(self, notice: Notice) -> None:
        """The one place a notice becomes `WARNING:` / `ERROR:` / `HINT:` lines (neutralised); a
        warning or an error goes to the notice stream with its hint, an INFO line with the results."""
        stream = self.stream if notice.level is NoticeLevel.INFO else self._notices
        for text in notice_lines(notice):
            self._emit(stream, safe_str(text))

    def error(self, message: str, hint: str | None = None) -> None:
        self.notify(Notice.error(message, hint))

    def confirm(self, lines: list[str], question: str, ask: Callable[[str], str] = input) -> bool:
        """Show `lines`, ask `question`; True only for y/yes (end of input or Ctrl-C mean no).

        Ctrl-C interrupts the question even in the REPL, whose handler otherwise turns it into a
        task cancel that a blocking read never sees.
        """
        for text in lines:
            self.line(text)
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            answer = ask(question)
        except (EOFError, KeyboardInterrupt):
            return False
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        return answer.strip().lower() in ("y", "yes")

    def render(self, renderable: Any) -> None:
        """Print a rich renderable built by `runner.views` (already safe), or a plain string."""
        self._stop_spinner()
        if isinstance(renderable, str):
            self.line(renderable)
            return
        from runner.views.render import render_to_text  # rich is only needed once a view is shown

        width = self.width or shutil.get_terminal_size().columns
        self.stream.write(render_to_text(renderable, width=width, color=self.color))
        self.stream.flush()

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

    def plan_ready(self, plan: Plan, read: Callable[[], str] = read_key) -> bool:
        """Show the plan; at a terminal one of more than CONFIRM_PLANS_OVER parts runs only after Enter."""
        for text in plan_block(plan):
            self.line(text)
        if not self.interactive or len(plan.items) <= CONFIRM_PLANS_OVER:
            return True
        self.stream.write("Press Enter to run this plan, any other key to cancel: ")
        self.stream.flush()
        try:
            key = read()
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
