"""The terminal edge's plain output: lines, ERROR/HINT/WARNING notices, views, a yes/no question.

What `pm-runner logs` needs of the terminal, without the task display (`repl.output.Terminal`
adds the live output, the spinner, plans and result blocks on top), so the logs command loads
none of the task machinery. Every line is flushed as soon as it is written, so piped output keeps
input order, and `2>&1` keeps the order of results and notices. Which stream a line goes to is
spec/repl.md's "Streams". Logged text reaching the screen always passes through `views.safe_text` first.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any

from runner.repl.pipe_guard import guarded, reader_gone
from runner.repl.tty import color_enabled, default_width
from runner.views.safe_text import neutralise, safe_str

if TYPE_CHECKING:  # a view that shows no notice (`pm-runner logs list`) loads neither module
    from runner.notices import Notice


class PlainTerminal:
    """Writes results to stdout (a reader that leaves is survived, `pipe_guard`) and, when not
    interactive, WARNING/ERROR notices (with their HINT) to stderr."""

    def __init__(self, stream: IO[str] | None = None, *, interactive: bool = False,
                 width: int | None = None, environ: Mapping[str, str] | None = None,
                 stderr: IO[str] | None = None) -> None:
        self.stream = guarded(stream or sys.stdout)
        self.stderr = stderr
        # A script's stdout carries only results (parsed, spec/repl.md "Streams"); a person at a
        # terminal reads one screen, where the spinner and the prompt also live: notices stay there.
        self._notices = guarded(stderr) if stderr is not None and not interactive else self.stream
        self.interactive = interactive
        self.color = color_enabled(self.stream, environ)
        self.width = width or default_width(self.stream, environ)

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
        from runner.notices import NoticeLevel
        from runner.views.notices import notice_lines

        stream = self.stream if notice.level is NoticeLevel.INFO else self._notices
        for text in notice_lines(notice):
            self._emit(stream, safe_str(text))

    def error(self, message: str, hint: str | None = None) -> None:
        from runner.notices import Notice

        self.notify(Notice.error(message, hint))

    def confirm(self, lines: list[str], question: str, ask: Callable[[str], str] = input) -> bool:
        """Show `lines`, ask `question`; True only for y/yes (end of input or Ctrl-C mean no).

        Ctrl-C interrupts the question even in the REPL, whose handler otherwise turns it into a
        task cancel that a blocking read never sees.
        """
        import signal  # only a question needs it

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

        width = self.width
        if not width:
            import shutil  # asked only at a terminal of unknown width; piped output has one

            width = shutil.get_terminal_size().columns
        self.stream.write(render_to_text(renderable, width=width, color=self.color))
        self.stream.flush()

    def _stop_spinner(self) -> None:
        """Nothing runs here; `Terminal` stops its spinner before a line is written."""
