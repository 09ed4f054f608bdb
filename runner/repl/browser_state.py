"""What the full-screen `/logs` browser shows and where its cursor is, without any terminal.

The state holds a session's rows, the screen (list, detail, tree), the cursor,
the status filter, the search and the visibility; every key of the browser is a
method here (`KEYS` maps key names to them), so the behaviour is tested without
a terminal. Text for the detail and tree screens is handed in by the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from runner.logs.models import TaskLogEntry, TaskStatus, Visibility

FAILED = frozenset({TaskStatus.ERROR, TaskStatus.INCOMPLETE})
LIVE = frozenset({TaskStatus.RUNNING, TaskStatus.QUEUED})


class Screen(StrEnum):
    LIST = "list"
    DETAIL = "detail"
    TREE = "tree"
    KEYS = "keys"  # `?`: every key, one per line


class StatusFilter(StrEnum):
    """The `s` key's cycle: all, then each status a person looks for, then all again."""

    ALL = "all"
    ERROR = "error"
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"
    RUNNING = "running"

    def next(self) -> StatusFilter:
        order = list(StatusFilter)
        return order[(order.index(self) + 1) % len(order)]

    def admits(self, status: TaskStatus) -> bool:
        return self is StatusFilter.ALL or status.value == self.value


def _no_extra_text(entry: TaskLogEntry) -> str:
    return ""


@dataclass
class BrowserState:
    """The browser's model. `text_of` gives a row's searchable event text (read lazily by the app)."""

    session_id: str
    entries: list[TaskLogEntry]
    text_of: Callable[[TaskLogEntry], str] = _no_extra_text
    screen: Screen = Screen.LIST
    cursor: int = 0  # index into `rows`
    visibility: Visibility = Visibility.SUMMARY
    status_filter: StatusFilter = StatusFilter.ALL
    query: str = ""
    open_task_id: str | None = None  # the task the detail screen shows
    lines: list[str] = field(default_factory=list)  # plain text of the detail or tree screen
    line: int = 0  # first line shown on the detail or tree screen
    page: int = 1  # how many lines of it fit on the screen (set by the app)
    match_line: int = -1  # the search match `n`/`N` last went to on the detail or tree screen
    message: str = ""

    # -- what is shown -------------------------------------------------------------------

    @property
    def rows(self) -> list[TaskLogEntry]:
        """The rows the filter lets through, in session order (search highlights, never hides)."""
        return [e for e in self.entries if self.status_filter.admits(e.status)]

    @property
    def selected(self) -> TaskLogEntry | None:
        rows = self.rows
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    def shown_count(self) -> str | None:
        """`N of M shown` whenever a filter is on."""
        if self.status_filter is StatusFilter.ALL:
            return None
        return f"{len(self.rows)} of {len(self.entries)} shown"

    def row_matches(self, entry: TaskLogEntry) -> bool:
        """Whether the search text is in the row's prompt, reason, ids or event text (any case)."""
        if not self.query:
            return False
        needle = self.query.lower()
        fields = (entry.prompt_summary, entry.error_reason or "", entry.task_id, entry.external_task_id)
        return any(needle in text.lower() for text in fields) or needle in self.text_of(entry).lower()

    def matches(self) -> list[int]:
        """Indices of the matching rows (list) or lines (detail, tree)."""
        if not self.query:
            return []
        if self.screen is Screen.LIST:
            return [i for i, entry in enumerate(self.rows) if self.row_matches(entry)]
        needle = self.query.lower()
        return [i for i, text in enumerate(self.lines) if needle in text.lower()]

    def is_live(self) -> bool:
        """True while something on screen may still change (a running or queued task)."""
        if self.screen is Screen.DETAIL:
            entry = next((e for e in self.entries if e.task_id == self.open_task_id), None)
            return entry is not None and entry.status in LIVE
        return any(e.status in LIVE for e in self.rows)

    # -- data from the app ---------------------------------------------------------------

    def set_entries(self, entries: list[TaskLogEntry]) -> None:
        """New rows (a refresh); the cursor stays on the same task when it is still shown."""
        keep = self.selected.task_id if self.selected else None
        self.entries = entries
        self._select(keep)

    def set_lines(self, lines: list[str], page: int | None = None) -> None:
        """The detail or tree text as shown, and the screen's height; scrolling stops at the last page."""
        self.lines = lines
        if page is not None:
            self.page = max(1, page)
        self.line = min(self.line, self._last_line())

    def _last_line(self) -> int:
        return max(0, len(self.lines) - self.page)

    def _select(self, task_id: str | None) -> None:
        ids = [e.task_id for e in self.rows]
        self.cursor = ids.index(task_id) if task_id in ids else min(self.cursor, max(0, len(ids) - 1))

    # -- keys ----------------------------------------------------------------------------

    def move(self, delta: int) -> None:
        """↑/↓, j/k: the cursor on the list, one line of text elsewhere."""
        self.message = ""
        if self.screen is Screen.LIST:
            self.cursor = max(0, min(self.cursor + delta, len(self.rows) - 1))
        else:
            self.line = max(0, min(self.line + delta, self._last_line()))

    def top(self) -> None:
        self.message = ""
        self.cursor = 0 if self.screen is Screen.LIST else self.cursor
        self.line = 0

    def bottom(self) -> None:
        self.message = ""
        if self.screen is Screen.LIST:
            self.cursor = max(0, len(self.rows) - 1)
        else:
            self.line = self._last_line()

    def jump(self, number: int) -> None:
        """1–9: the cursor to the N-th row shown."""
        if self.screen is not Screen.LIST:
            return
        if 1 <= number <= len(self.rows):
            self.cursor, self.message = number - 1, ""
        else:
            self.message = f"no row {number} ({len(self.rows)} shown)"

    def open(self) -> None:
        """Enter: the selected task's detail."""
        if self.screen is not Screen.LIST:
            return
        entry = self.selected
        if entry is None:
            self.message = "no task to open"
            return
        self.screen, self.open_task_id, self.line, self.lines, self.message = (
            Screen.DETAIL, entry.task_id, 0, [], "")
        self.match_line = -1

    def page_move(self, pages: float) -> None:
        """PgDn/Space, PgUp (one screen), Ctrl-D/Ctrl-U (half a screen), like less."""
        rows = self.page if self.screen is not Screen.LIST else max(self.page, LIST_PAGE)
        self.move(int(pages * rows) or (1 if pages > 0 else -1))

    def show_keys(self) -> None:
        """?: the key screen (b or Escape goes back to the list)."""
        self.screen, self.line, self.lines, self.message, self.match_line = Screen.KEYS, 0, [], "", -1

    def back(self) -> None:
        """b, Escape: back to the list."""
        self.screen, self.line, self.lines, self.message, self.match_line = Screen.LIST, 0, [], "", -1

    def show_tree(self) -> None:
        """t: session → thread → run → task."""
        self.screen, self.line, self.lines, self.message, self.match_line = Screen.TREE, 0, [], "", -1

    def toggle_full(self) -> None:
        """f: summary ↔ full events (detail and tree)."""
        self.visibility = Visibility.SUMMARY if self.visibility is Visibility.FULL else Visibility.FULL
        self.message = f"{self.visibility.value} view"

    def cycle_filter(self) -> None:
        """s: all → error → incomplete → complete → running → all."""
        keep = self.selected.task_id if self.selected else None
        self.status_filter = self.status_filter.next()
        self._select(keep)
        self.message = f"filter: {self.status_filter.value}"

    def search(self, query: str) -> None:
        """/: highlight `query`; the cursor goes to the first match from where it is."""
        self.query, self.match_line = query.strip(), -1
        if not self.query:
            self.message = "search cleared"
            return
        found = self.matches()
        if not found:
            self.message = f"no match for {self.query!r}"
            return
        here = self._position()
        self._go(next((i for i in found if i >= here), found[0]))
        self.message = f"{len(found)} match{'es' if len(found) != 1 else ''}"

    def next_match(self, step: int = 1) -> None:
        """n / N: the next (or previous) match, wrapping around."""
        found = self.matches()
        if not found:
            self.message = "no search" if not self.query else f"no match for {self.query!r}"
            return
        here = self._position()
        ahead = [i for i in found if (i > here if step > 0 else i < here)]
        wrapped = not ahead
        target = (ahead[0] if step > 0 else ahead[-1]) if ahead else (found[0] if step > 0 else found[-1])
        self._go(target)
        self.message = f"match {found.index(target) + 1} of {len(found)}" + (" (wrapped)" if wrapped else "")

    def next_failed(self, step: int = 1) -> None:
        """e / E: the next (or previous) error or incomplete task; its detail when a detail is open."""
        rows = self.rows
        failed = [i for i, e in enumerate(rows) if e.status in FAILED]
        if not failed:
            self.message = "no failed task shown"
            return
        ahead = [i for i in failed if (i > self.cursor if step > 0 else i < self.cursor)]
        target = (ahead[0] if step > 0 else ahead[-1]) if ahead else (failed[0] if step > 0 else failed[-1])
        self.cursor, self.message = target, f"failed task {failed.index(target) + 1} of {len(failed)}"
        if self.screen is Screen.DETAIL:
            self.open_task_id, self.line, self.lines, self.match_line = rows[target].task_id, 0, [], -1

    def subtask(self, step: int) -> None:
        """] / [: from a chunked task to its first (last) part, then from part to part; [ from the first
        part goes back up to the task. The detail follows when it is open."""
        current = self._current()
        if current is None:
            self.message = "no task selected"
            return
        if current.subtask_index is None:
            parts = self._parts(current.task_id)
            if not parts:
                self.message = f"{current.task_id} was not split into subtasks"
                return
            self._show(parts[0] if step > 0 else parts[-1])
            return
        siblings = self._parts(current.parent_task_id or "")
        index = next((i for i, e in enumerate(siblings) if e.task_id == current.task_id), 0) + step
        if index < 0:
            self.up()
        elif index >= len(siblings):
            self.message = f"last subtask of {current.parent_task_id}"
        else:
            self._show(siblings[index])

    def up(self) -> None:
        """u: from a part to the chunked task it belongs to."""
        current = self._current()
        parent = next((e for e in self.entries if current is not None and current.subtask_index is not None
                       and e.task_id == current.parent_task_id), None)
        if parent is None:
            self.message = "not a subtask"
            return
        self._show(parent)

    def _current(self) -> TaskLogEntry | None:
        if self.screen is Screen.DETAIL:
            return next((e for e in self.entries if e.task_id == self.open_task_id), None)
        return self.selected

    def _parts(self, parent_id: str) -> list[TaskLogEntry]:
        return [e for e in self.entries if e.parent_task_id == parent_id and e.subtask_index is not None]

    def _show(self, entry: TaskLogEntry) -> None:
        """Put the cursor on `entry` (and open it when a detail is open), saying where it is."""
        self._select(entry.task_id)
        if self.screen is Screen.DETAIL:
            self.open_task_id, self.line, self.lines, self.match_line = entry.task_id, 0, [], -1
        if entry.subtask_index is None:
            self.message = f"{entry.task_id}: the chunked task"
        else:
            count = len(self._parts(entry.parent_task_id or ""))
            self.message = f"{entry.task_id}: part {entry.subtask_index} of {count} of {entry.parent_task_id}"
        if self.selected is None or self.selected.task_id != entry.task_id:
            self.message += " (hidden by the filter)"

    def _position(self) -> int:
        if self.screen is Screen.LIST:
            return self.cursor
        return self.match_line if self.match_line >= 0 else self.line

    def _go(self, index: int) -> None:
        if self.screen is Screen.LIST:
            self.cursor = index
            return
        self.match_line = index
        if not self.line <= index < self.line + self.page:  # scroll only when the match is off screen
            self.line = min(index, self._last_line())


KEYS: dict[str, Callable[[BrowserState], None]] = {
    "up": lambda s: s.move(-1),
    "k": lambda s: s.move(-1),
    "down": lambda s: s.move(1),
    "j": lambda s: s.move(1),
    "enter": BrowserState.open,
    "t": BrowserState.show_tree,
    "f": BrowserState.toggle_full,
    "b": BrowserState.back,
    "g": BrowserState.top,
    "G": BrowserState.bottom,
    "e": lambda s: s.next_failed(1),
    "E": lambda s: s.next_failed(-1),
    "n": lambda s: s.next_match(1),
    "N": lambda s: s.next_match(-1),
    "s": BrowserState.cycle_filter,
    "]": lambda s: s.subtask(1),
    "[": lambda s: s.subtask(-1),
    "u": BrowserState.up,
    "pagedown": lambda s: s.page_move(1),
    "space": lambda s: s.page_move(1),
    "pageup": lambda s: s.page_move(-1),
    "c-d": lambda s: s.page_move(0.5),
    "c-u": lambda s: s.page_move(-0.5),
    "home": BrowserState.top,
    "end": BrowserState.bottom,
    "escape": BrowserState.back,
    "?": BrowserState.show_keys,
}


def _jump_to(number: int) -> Callable[[BrowserState], None]:
    return lambda state: state.jump(number)


KEYS.update({str(number): _jump_to(number) for number in range(1, 10)})

# One line per screen that fits 120 columns; `?` shows every key (KEY_SCREEN).
HELP = "↑↓/jk move  ⏎ open  t tree  f full  b back  / search  n/N match  e/E failed  ]/[/u parts  s filter  g/G ends  q quit"
LEGENDS = {
    Screen.LIST: "↑↓ move  ⏎ open  PgDn/PgUp page  s filter  e/E failed  t tree  / search  ? keys  q quit",
    Screen.DETAIL: "↑↓ scroll  Space/PgDn PgUp page  ^D/^U half  f full  ]/[/u parts  / search  Esc/b back  ? keys  q quit",
    Screen.TREE: "↑↓ scroll  Space/PgDn PgUp page  f full  / search  Esc/b back  ? keys  q quit",
    Screen.KEYS: "Esc/b back  q quit",
}
KEY_SCREEN = [
    "Keys of the logs browser",
    "",
    "  ↑ ↓  j k          move the cursor (list) or scroll one line",
    "  PgDn Space  PgUp  one screen down / up",
    "  Ctrl-D  Ctrl-U    half a screen down / up",
    "  Home g  End G     first / last",
    "  1-9               the N-th row of the list",
    "  Enter             open the selected task",
    "  t                 the tree: session → thread → run → task",
    "  f                 summary ↔ full events",
    "  ] [ u             next / previous part of a chunked task, up to its parent",
    "  e E               next / previous failed task",
    "  s                 filter the list by status",
    "  / n N             search, next / previous match",
    "  Esc b             back to the list",
    "  ?                 this screen",
    "  q Ctrl-C          leave",
]
LIST_PAGE = 10  # rows a page key moves on the list when the screen size is not known yet


def press(state: BrowserState, key: str) -> None:
    """Apply one key (as named in `KEYS`) to the state; unknown keys do nothing."""
    action = KEYS.get(key)
    if action is not None:
        action(state)
