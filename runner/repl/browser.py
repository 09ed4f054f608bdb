"""The full-screen `/logs` browser (DESIGN §9): a prompt-toolkit `Application` over `BrowserState`.

Built like ptpython's history browser: the state (`browser_state`), a layout,
a key-binding factory, and the app wiring; the app ends through
`app.exit(result=...)`. Logs are read through `LogReader`; a running task is
re-read every half second while it is on screen.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from prompt_toolkit.application import Application, get_app
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.filters import Condition, has_focus
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.styles import Style

from runner.errors import RunnerError
from runner.logs.models import CorruptedLog, TaskLog, TaskLogEntry, Visibility
from runner.logs.query import pick_session
from runner.logs.store import LogReader
from runner.repl.browser_render import (
    Line,
    detail_lines,
    highlight,
    list_lines,
    mark_cursor,
    plain,
    status_line,
    tree_lines,
)
from runner.repl.browser_state import KEY_SCREEN, KEYS, LEGENDS, BrowserState, Screen
from runner.views.event_content import event_body

REFRESH_S = 0.5
STYLE = Style.from_dict({
    "cursor-row": "reverse",
    "match": "bg:ansiyellow fg:ansiblack bold underline",
    "status": "reverse",
    "help": "fg:ansibrightblack",
})
_KEY_NAMES = {"up": "up", "down": "down", "enter": "enter", "space": " "}


class BrowserData:
    """Reads for the browser: the session's rows, one task, a task's searchable text (cached)."""

    def __init__(self, reader: LogReader, session_id: str) -> None:
        self.reader = reader
        self.session_id = session_id
        self._texts: dict[tuple[str, int, str], str] = {}

    def entries(self) -> list[TaskLogEntry]:
        return list(self.reader.read_session_index(self.session_id).entries)

    def task(self, task_id: str) -> TaskLog | CorruptedLog:
        return self.reader.read_task(self.session_id, task_id)

    def text_of(self, entry: TaskLogEntry) -> str:
        """Every event's displayed text (masked, neutralised), read once per version of the task."""
        key = (entry.task_id, entry.event_count, entry.status.value)
        if key not in self._texts:
            try:
                log = self.task(entry.task_id)
            except RunnerError:
                log = None
            events = log.events if isinstance(log, TaskLog) else []
            self._texts[key] = "\n".join(event_body(event.content) for event in events)
        return self._texts[key]


class BrowserView:
    """Turns the state into what each window shows; keeps the list's scroll position and the open task."""

    def __init__(self, state: BrowserState, data: BrowserData, *, color: bool) -> None:
        self.state = state
        self.data = data
        self.color = color
        self.list_top = 0
        self._log: TaskLog | CorruptedLog | None = None
        self._log_id: str | None = None
        self.searching = False

    def reload(self) -> None:
        """Re-read the rows and the open task (live refresh)."""
        self.state.set_entries(self.data.entries())
        self._log_id = None

    def _open_log(self) -> TaskLog | CorruptedLog | None:
        task_id = self.state.open_task_id
        if task_id is not None and task_id != self._log_id:
            try:
                self._log, self._log_id = self.data.task(task_id), task_id
            except RunnerError as exc:
                self._log, self.state.message = None, exc.message
        return self._log if task_id == self._log_id else None

    def _size(self) -> tuple[int, int]:
        size = get_app().output.get_size()
        return size.columns, max(1, size.rows - 2 - (1 if self.searching else 0))

    def main(self) -> StyleAndTextTuples:
        width, height = self._size()
        if self.state.screen is Screen.LIST:
            lines = self._list(width, height)
        else:
            lines = self._document(width, height)
        out: StyleAndTextTuples = []
        for number, line in enumerate(lines):
            if number:
                out.append(("", "\n"))
            out.extend(line)
        return out

    def _list(self, width: int, height: int) -> list[Line]:
        heading, rows, footer = list_lines(self.state, width=width, color=self.color)
        room = max(1, height - len(heading) - len(footer))
        cursor = self.state.cursor
        self.list_top = min(max(self.list_top, cursor - room + 1), cursor, max(0, len(rows) - room))
        self.list_top = max(0, self.list_top)
        shown = rows[self.list_top : self.list_top + room]
        shown = [mark_cursor(line) if self.list_top + i == cursor else line for i, line in enumerate(shown)]
        return heading + shown + footer

    def _document(self, width: int, height: int) -> list[Line]:
        state = self.state
        if state.screen is Screen.DETAIL:
            log = self._open_log()
            lines = detail_lines(log, state, width=width, color=self.color) if log is not None else []
        elif state.screen is Screen.KEYS:
            lines = [[("", text)] for text in KEY_SCREEN]
        else:
            lines = tree_lines(state, width=width, color=self.color)
        state.set_lines([plain(line) for line in lines], page=height)
        shown = [highlight(line, state.query) for line in lines[state.line : state.line + height]]
        return [mark_cursor(line) if state.line + i == state.match_line else line for i, line in enumerate(shown)]

    def status(self) -> StyleAndTextTuples:
        return [("class:status", f" {status_line(self.state)} ")]


def _redraw_all(event: KeyPressEvent) -> None:
    """A new screen is drawn in full (not as a diff of the old one), which also keeps a terminal log readable."""
    event.app.renderer.erase(leave_alternate_screen=False)


def create_key_bindings(view: BrowserView, search: Buffer, main: Window) -> KeyBindings:
    """Browser keys (from `KEYS`), `/` to search, `q` to leave; Enter/Escape end a search."""
    bindings = KeyBindings()
    browsing = ~has_focus(search)
    state = view.state

    def bind(key: str) -> None:
        action = KEYS[key]

        @bindings.add(_KEY_NAMES.get(key, key), filter=browsing)
        def _(event: KeyPressEvent) -> None:
            before = (state.screen, state.open_task_id, state.visibility)
            action(state)
            if (state.screen, state.open_task_id, state.visibility) != before:
                _redraw_all(event)

    for key in KEYS:
        bind(key)

    @bindings.add("q", filter=browsing)
    @bindings.add("c-c")
    def _(event: KeyPressEvent) -> None:
        event.app.exit(result=None)

    @bindings.add("/", filter=browsing)
    def _(event: KeyPressEvent) -> None:
        view.searching = True
        search.reset()
        event.app.layout.focus(search)

    @bindings.add("enter", filter=has_focus(search))
    @bindings.add("escape", filter=has_focus(search))
    def _(event: KeyPressEvent) -> None:
        if event.key_sequence[0].key != "escape":
            state.search(search.text)
        view.searching = False
        event.app.layout.focus(main)

    return bindings


def create_layout(view: BrowserView, search: Buffer, main: Window) -> Layout:
    searching = Condition(lambda: view.searching)
    return Layout(HSplit([
        main,
        Window(FormattedTextControl(view.status), height=1, style="class:status"),
        ConditionalContainer(Window(BufferControl(search), height=1, get_line_prefix=lambda *_: "/"),
                             filter=searching),
        ConditionalContainer(Window(FormattedTextControl(lambda: LEGENDS[view.state.screen]), height=1,
                                    style="class:help"),
                             filter=~searching),
    ]), focused_element=main)


def create_app(view: BrowserView) -> Application[None]:
    search = Buffer(multiline=False)
    main = Window(FormattedTextControl(view.main, focusable=True, show_cursor=False))
    return Application(layout=create_layout(view, search, main), key_bindings=create_key_bindings(view, search, main),
                       style=STYLE, full_screen=True, mouse_support=False)


async def _live_refresh(app: Application[None], view: BrowserView) -> None:
    """Re-read every `REFRESH_S` while a running or queued task is on screen."""
    while True:
        await asyncio.sleep(REFRESH_S)
        if view.state.is_live():
            try:
                view.reload()
            except (RunnerError, OSError) as exc:
                view.state.message = exc.message if isinstance(exc, RunnerError) else str(exc)
            app.invalidate()


def open_browser(project_root: Path, current_session: str | None, *, full: bool = False,
                 logs_dir: Path | None = None) -> None:
    """Browse the current (else the latest) session's logs until `q`; `full` starts in full view."""
    reader = LogReader(project_root, logs_dir=logs_dir)
    session_id = pick_session(reader, None, current_session)
    data = BrowserData(reader, session_id)
    state = BrowserState(session_id, data.entries(), text_of=data.text_of)
    if full:
        state.visibility = Visibility.FULL
    color = "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"
    view = BrowserView(state, data, color=color)
    app = create_app(view)

    def start_refresh() -> None:
        app.create_background_task(_live_refresh(app, view))

    app.run(pre_run=start_refresh)
