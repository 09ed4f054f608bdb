"""The browser's screens as prompt-toolkit lines: the task table, a task's detail, the tree.

Content comes from `runner.views` (masked and neutralised), rendered by rich to
ANSI text at the window's width and read back as prompt-toolkit fragments, so
only our own styling reaches the terminal. The cursor row and search matches
are styled afterwards, at the fragment level, so they show even without colour.
"""

from __future__ import annotations

from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples, to_formatted_text
from prompt_toolkit.formatted_text.utils import fragment_list_to_text, split_lines
from rich import box
from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from runner.logs.models import CorruptedLog, TaskLog, TaskLogEntry, TaskStatus
from runner.repl.browser_state import BrowserState
from runner.views.fields import (
    count_statuses,
    entry_duration,
    executor_model,
    format_cost,
    format_duration,
    format_timestamp,
    one_line,
    status_text,
    tasks_footer,
)
from runner.views.plain import PlainView
from runner.views.plan import log_id_label
from runner.views.render import render_to_text
from runner.views.safe_text import safe_str, safe_text
from runner.views.task_detail import task_detail_renderable
from runner.views.tree import tree_renderable

Line = StyleAndTextTuples
MATCH_STYLE = "class:match"
CURSOR_STYLE = "class:cursor-row"
PROMPT_CHARS = 200
EMPTY = "No tasks in this session yet."


def ansi_lines(renderable: RenderableType | PlainView, *, width: int, color: bool) -> list[Line]:
    """A view (rich or plain) as prompt-toolkit lines (our renderers have already made logged text safe)."""
    text = render_to_text(renderable, width=max(width, 20), color=color)
    lines = list(split_lines(to_formatted_text(ANSI(text))))
    while lines and not fragment_list_to_text(lines[-1]).strip():
        lines.pop()
    return lines


def plain(line: Line) -> str:
    return fragment_list_to_text(line)


def highlight(line: Line, query: str) -> Line:
    """The line with every case-insensitive occurrence of `query` styled as a match."""
    text = plain(line)
    needle = query.lower()
    if not needle or needle not in text.lower():
        return line
    marked = [False] * len(text)
    start = text.lower().find(needle)
    while start >= 0:
        for i in range(start, start + len(needle)):
            marked[i] = True
        start = text.lower().find(needle, start + len(needle))
    out: Line = []
    at = 0
    for style, piece, *_ in line:
        for char in piece:
            extra = f" {MATCH_STYLE}" if at < len(marked) and marked[at] else ""
            out.append((style + extra, char))
            at += 1
    return out


def mark_cursor(line: Line) -> Line:
    return [(f"{style} {CURSOR_STYLE}", text) for style, text, *_ in line]


# -- the list ------------------------------------------------------------------------------

_COLUMNS = ("", "#", "Log ID", "Task ID", "Status", "Started", "Duration", "Files", "Executor/Model", "Cost",
            "Prompt")
_RIGHT = {"#", "Duration", "Files", "Cost"}
# Tried in order until the table fits beside a usable prompt column. The cost stays longest (what a
# task cost is what people look for); the external task id and the start time go first (the log id
# names the task, the detail has the times).
_HIDDEN_BY_WIDTH: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"Task ID"}),
    frozenset({"Task ID", "Started"}),
    frozenset({"Task ID", "Started", "Duration", "Executor/Model"}),
    frozenset({"Task ID", "Started", "Duration", "Executor/Model", "Cost"}),
)
_MIN_PROMPT = 32  # room for a prompt a person can recognise (and a search match in it)
HIDDEN_NOTE = "Hidden at this width: {}; the detail (Enter) has them."


def list_table(state: BrowserState, *, width: int) -> tuple[Table, list[str]]:
    """The list view's columns (plus the prompt, where search matches show), one line per row, and
    the names of the columns left out.

    Columns the width cannot hold are left out in `_HIDDEN_BY_WIDTH` order; ids and status stay.
    """
    rows = [_cells(n, entry, matched=state.row_matches(entry)) for n, entry in enumerate(state.rows, start=1)]
    for hidden in _HIDDEN_BY_WIDTH:
        shown = [i for i, name in enumerate(_COLUMNS) if name not in hidden]
        needed = sum(_natural(i, rows) + 1 for i in shown[:-1]) + _MIN_PROMPT
        if needed <= width:
            break
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, padding=(0, 0, 0, 0), expand=True)
    for i in shown:
        name = _COLUMNS[i]
        prompt = name == "Prompt"
        table.add_column(Text(name), justify="right" if name in _RIGHT else "left", no_wrap=True,
                         overflow="ellipsis", ratio=1 if prompt else None, min_width=None if prompt else _natural(i, rows))
    for cells in rows:
        table.add_row(*(cells[i] for i in shown))
    return table, [name for name in _COLUMNS if name in hidden]


def _natural(column: int, rows: list[list[Text]]) -> int:
    return max([len(_COLUMNS[column])] + [cell_len(row[column].plain) for row in rows])


def _cells(number: int, entry: TaskLogEntry, *, matched: bool) -> list[Text]:
    marker = ">" if entry.status is TaskStatus.RUNNING else ("*" if matched else "")
    return [
        Text(marker, style="bold cyan"), Text(str(number)), safe_text(log_id_label(entry)),
        safe_text(entry.external_task_id), status_text(entry.status), Text(format_timestamp(entry.started_at)),
        Text(format_duration(entry_duration(entry))), Text(str(entry.files_modified_count)),
        executor_model(entry.executor, entry.model), Text(format_cost(entry.cost_usd)),
        Text(one_line(entry.prompt_summary, PROMPT_CHARS)),
    ]


def list_lines(state: BrowserState, *, width: int, color: bool) -> tuple[list[Line], list[Line], list[Line]]:
    """(heading lines, one line per row, footer lines) of the list screen."""
    title = Text("Task logs (session ", style="bold")
    title.append_text(safe_text(state.session_id, style="bold"))
    title.append(")", style="bold")
    heading = ansi_lines(title, width=width, color=color)
    if not state.rows:
        note = EMPTY if not state.entries else f"No {state.status_filter.value} task ({state.shown_count()})"
        return heading + ansi_lines(Text(note), width=width, color=color), [], []
    table, hidden = list_table(state, width=width)
    drawn = ansi_lines(table, width=width, color=color)
    rows = [highlight(line, state.query) for line in drawn[2:]]
    counts = count_statuses(e.status for e in state.entries)
    footer = ansi_lines(Text(tasks_footer(counts), style="dim"), width=width, color=color)
    if hidden:
        footer += ansi_lines(Text(HIDDEN_NOTE.format(", ".join(hidden)), style="dim"), width=width, color=color)
    return heading + drawn[:2], rows, footer


# -- detail and tree -----------------------------------------------------------------------

def detail_lines(log: TaskLog | CorruptedLog, state: BrowserState, *, width: int, color: bool) -> list[Line]:
    return ansi_lines(task_detail_renderable(log, visibility=state.visibility, grouped=True), width=width, color=color)


def tree_lines(state: BrowserState, *, width: int, color: bool) -> list[Line]:
    return ansi_lines(tree_renderable(state.session_id, state.rows, visibility=state.visibility),
                      width=width, color=color)


def status_line(state: BrowserState) -> str:
    """`list | sess-... | row 2/5 | summary | 3 of 9 shown | /word | message` (all made safe)."""
    parts = [state.screen.value, state.session_id]
    if state.screen.value == "list":
        parts.append(f"row {state.cursor + 1}/{len(state.rows)}" if state.rows else "no rows")
    elif state.lines:
        parts.append(f"line {state.line + 1}/{len(state.lines)}")
    if state.screen.value == "detail" and state.open_task_id:
        parts.append(state.open_task_id)
    parts.append(state.visibility.value)
    shown = state.shown_count()
    if shown:
        parts.append(shown)
    if state.query:
        parts.append(f"/{state.query}")
    if state.message:
        parts.append(state.message)
    return safe_str(" | ".join(parts))
