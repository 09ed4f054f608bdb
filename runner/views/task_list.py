"""The `/logs` task list of one session, as a plain-text table and as JSON (seed 003 §2.7.5, §4.1).

Rows come from the session index; every string in them is masked and neutralised again
here, whatever the index file holds. The table is built with string operations
(`views.plain`): a session of 10,000 tasks renders in milliseconds, not seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

from runner.views.fields import (
    STATUS_STYLES,
    StatusTally,
    count_statuses,
    entry_duration,
    format_cost,
    format_duration,
    format_timestamp,
    omitted_note,
    tasks_footer,
)
from runner.views.json_contract import SCHEMA_VERSION
from runner.views.plain import Block, Column, Justify, Line, Table
from runner.views.plan import log_id_label
from runner.views.rows import DEFAULT_ROW, Entry, IndexRow
from runner.views.safe_text import SafeStrings, safe_json, safe_str

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

EMPTY_SESSION = "No tasks in this session yet."
NO_MATCH = "No tasks match the filter (--status, --since)."
HIDDEN_COLUMNS_NOTE = "Some columns are hidden at this width; see --json."
RUNNING_MARKER = ">"
EXECUTOR_MODEL = "Executor/Model"
NONE_SHOWN = "-"

_COLUMNS: tuple[tuple[str, Justify], ...] = (
    ("#", "right"),
    ("Log ID", "left"),
    ("Task ID", "left"),
    ("Status", "left"),
    ("Started", "left"),
    ("Duration", "right"),
    ("Files", "right"),
    (EXECUTOR_MODEL, "left"),
    ("Cost", "right"),
)


@dataclass(frozen=True)
class _Layout:
    compact: bool  # one-cell gaps, and the model on a line of its own under the executor
    hidden: frozenset[str] = frozenset()


# Tried in order; the first whose natural width fits is used, else the last. Nine columns
# need about 95 cells before the executor and model, so a narrow console first loses the
# roomy gaps, then the least needed columns, rather than folding ids character by character.
_LAYOUTS = (
    _Layout(compact=False),
    _Layout(compact=True),
    _Layout(compact=True, hidden=frozenset({"Cost"})),
    _Layout(compact=True, hidden=frozenset({"Cost", "Duration", EXECUTOR_MODEL})),
    _Layout(compact=True, hidden=frozenset({"Cost", "Duration", EXECUTOR_MODEL, "Started"})),
)


def task_list_renderable(
    session_id: str,
    entries: Sequence[Entry],
    *,
    running_task_id: str | None = None,
    note: str | None = None,
    filtered: bool = False,
    counts: StatusTally | None = None,
    omitted: int = 0,
) -> FittedList:
    """Title, optional one-line note, then the table, a footer of counts by status and, when older tasks
    are not shown, how many and how to see them.

    `filtered`: the session has tasks but a filter kept none of them (said so, not "yet").
    `counts`: of every task listed or left out (default: of `entries`); `omitted`: the older tasks left
    out, before `entries` (numbered from `omitted + 1`).
    """
    return FittedList(session_id, entries, running_task_id, note, filtered=filtered, counts=counts,
                      omitted=omitted)


class FittedList:
    """The list in the roomiest layout that fits the width it is rendered at (plain strings, no rich)."""

    def __init__(self, session_id: str, entries: Sequence[Entry], running_task_id: str | None,
                 note: str | None, *, filtered: bool = False, counts: StatusTally | None = None,
                 omitted: int = 0) -> None:
        self.session_id = session_id
        self.filtered = filtered
        self.entries = entries
        self.running_task_id = running_task_id
        self.note = note
        self.counts = counts if counts is not None else count_statuses(entry.status for entry in entries)
        self.omitted = omitted

    def block(self, width: int) -> Block:
        block = Block()
        block.add(Line([("Task logs (session ", "bold"), (safe_str(self.session_id), "bold"), (")", "bold")]))
        if self.note:
            block.add(Line.of(safe_str(self.note), "yellow", cut=False))
        if not self.entries:
            block.add(NO_MATCH if self.filtered else EMPTY_SESSION)
            return block
        cells = _Cells(self.entries, self.running_task_id, first_number=self.omitted + 1)
        for layout in _LAYOUTS:
            table = _table(cells, layout)
            if table.natural_width() <= width:
                break
        block.add(table)
        if layout.hidden:
            block.add(HIDDEN_COLUMNS_NOTE, "dim")
        block.add(tasks_footer(self.counts))
        if self.omitted:
            block.add(omitted_note(self.omitted), "dim")
        return block

    def to_text(self, width: int, *, color: bool) -> str:
        return self.block(width).to_text(width, color=color)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.block(options.max_width)


class _Cells:
    """The list's cells column by column (masked once per distinct value)."""

    def __init__(self, entries: Sequence[Entry], running_task_id: str | None, *, first_number: int = 1) -> None:
        shown = SafeStrings()
        self.marker = [RUNNING_MARKER if running_task_id is not None and e.task_id == running_task_id else ""
                       for e in entries]
        statuses = [entry.status for entry in entries]
        self.by_name: dict[str, list[str]] = {
            "#": [str(n) for n in range(first_number, first_number + len(entries))],
            "Log ID": [shown(log_id_label(e)) for e in entries],
            "Task ID": [shown(e.external_task_id) for e in entries],
            "Status": [status.value.upper() for status in statuses],
            "Started": [format_timestamp(e.started_at) for e in entries],
            "Duration": [format_duration(entry_duration(e)) for e in entries],
            "Files": [str(e.files_modified_count) for e in entries],
            "Cost": [format_cost(e.cost_usd) for e in entries],
        }
        self.status_styles = [STATUS_STYLES.get(status, "") for status in statuses]
        self.executor_model = [(shown(e.executor) if e.executor else "", shown(e.model) if e.model else "")
                               for e in entries]

    def column(self, name: str, justify: Justify, compact: bool) -> Column:
        if name == EXECUTOR_MODEL:
            return Column(name, justify, cells=[_executor_model(ex, model, compact) for ex, model in self.executor_model])
        styles = self.status_styles if name == "Status" else None
        return Column(name, justify, cells=self.by_name[name], styles=styles)


def _executor_model(executor: str, model: str, compact: bool) -> str:
    """`executor/model` (compact: the model on a second line), `executor` alone, or `-`."""
    if not model:
        return executor or NONE_SHOWN
    return f"{executor or NONE_SHOWN}{chr(10) if compact else '/'}{model}"


def _table(cells: _Cells, layout: _Layout) -> Table:
    marker = Column("", width=1, cells=cells.marker, styles=["bold cyan"] * len(cells.marker))
    shown = [cells.column(name, justify, layout.compact) for name, justify in _COLUMNS if name not in layout.hidden]
    return Table([marker, *shown], gap=1 if layout.compact else 2)


def task_list_json(session_id: str, entries: Sequence[Entry], *, counts: StatusTally | None = None,
                   omitted: int = 0) -> dict[str, Any]:
    """`{"schema_version", "session_id", "tasks": [index rows], "counts": {status: n, ..., "total": n},
    "omitted": n}`, masked. `counts` are of every task listed or left out; `omitted` the older ones left out."""
    if counts is None:
        counts = count_statuses(entry.status for entry in entries)
    return {
        "schema_version": SCHEMA_VERSION,
        "session_id": safe_str(session_id),
        "tasks": _rows_json(entries),
        "counts": {**asdict(counts), "total": counts.total},
        "omitted": omitted,
    }


_KNOWN_FIELDS = DEFAULT_ROW.keys()


def _rows_json(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """Each row as JSON. A stored row of known fields holding only strings that need no masking nor
    neutralising, and numbers, is itself the answer (its defaults filled in): thousands of rows then
    cost a dict merge each, and only the others go field by field."""
    shown = SafeStrings()
    stored: list[dict[str, Any] | None] = [entry.raw if type(entry) is IndexRow else None for entry in entries]
    try:
        values = set(chain.from_iterable(raw.values() for raw in stored if raw is not None))
    except TypeError:  # a list or an object among the values (review iterations): those rows field by field
        values = set()
        for k, raw in enumerate(stored):
            try:
                values.update(raw.values() if raw is not None else ())
            except TypeError:
                stored[k] = None
    shown.prepare(values)
    changed = shown.changed
    whole = [raw for raw in stored if raw is not None]
    if not changed and len(whole) == len(stored) and _KNOWN_FIELDS >= set(chain.from_iterable(map(dict.keys, whole))):
        return [{**DEFAULT_ROW, **raw} for raw in whole]
    return [
        {**DEFAULT_ROW, **raw}
        if raw is not None and raw.keys() <= _KNOWN_FIELDS and changed.isdisjoint(raw.values())
        else _entry_json(entry, shown)
        for entry, raw in zip(entries, stored, strict=True)
    ]


def _entry_json(entry: Entry, shown: SafeStrings) -> dict[str, Any]:
    if isinstance(entry, IndexRow):  # only the stored fields can hold text: the defaults are known
        row, values = entry.json_row(), entry.raw
    else:
        row = values = entry.model_dump(mode="json")
    for field, value in values.items():
        if type(value) is str:
            row[field] = shown(value)
        elif field == "review_iterations":  # a list by design: each iteration as JSON, validated and made safe
            row[field] = safe_json([iteration.model_dump(mode="json") for iteration in entry.review_iterations])
        elif value is not None and type(value) not in (int, float, bool):
            row[field] = safe_str(value)  # a stored row holding a list or an object: shown as safe text
    if len(row) > len(DEFAULT_ROW):  # a stored field this version does not know is left out, as the model does
        row = {name: row[name] for name in DEFAULT_ROW}
    return row
