"""The read path at scale: stored rows shown without a model per row, plain-string views, lazy imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskLogEntry, TaskStatus, Visibility
from runner.logs.query import LogsRequest
from runner.logs.store import LogReader, index_journal, indexes
from runner.repl.logs_command import execute_view, session_entries
from runner.views.plain import cell_len, cut_to, wrap
from runner.views.render import render_to_text
from runner.views.repl_views import tasks_renderable
from runner.views.rows import IndexRow, rows_or_none
from runner.views.task_list import task_list_json, task_list_renderable
from runner.views.tree import tree_json, tree_renderable
from tests.helpers.cli import runner_env

SESSION = "sess-20260112-001"
ROWS = 10_000
_ENDS = (TaskStatus.COMPLETE, TaskStatus.ERROR, TaskStatus.INCOMPLETE, TaskStatus.RUNNING, TaskStatus.QUEUED)


def _entry(number: int) -> TaskLogEntry:
    """A varied row: statuses, costs, models, continued threads, error reasons, tokens."""
    status = _ENDS[number % len(_ENDS)]
    terminal = status.is_terminal
    return TaskLogEntry(
        task_id=f"task-{number:03d}", external_task_id=f"task-{1_800_000_000_000 + number}",
        thread_id=f"thr-{(number + 2) // 3:03d}", run_id=f"run-{(number + 1) // 2:03d}",
        parent_task_id=f"task-{number - 1:03d}" if number % 3 == 0 else None, status=status,
        started_at=f"2026-01-12T10:{number % 60:02d}:00.000Z", updated_at="2026-01-12T11:00:01.000Z",
        ended_at="2026-01-12T11:00:02.000Z" if terminal else None,
        prompt_summary=f"fix módulo {number} \u6f22\u5b57 " + "x" * (number % 120),
        executor="claude-code" if number % 4 else None, model="sonnet" if number % 5 else None,
        files_modified_count=number % 4, duration_ms=number * 37 if terminal else None,
        cost_usd=round(number * 0.0007, 4) if number % 2 else None, input_tokens=number if number % 2 else None,
        error_reason=f"failed at step {number}" if status is TaskStatus.ERROR else None, event_count=1 + number % 3,
        first_event_type=EventType.USER_INPUT,
        last_event_type=EventType.TASK_COMPLETE if terminal else EventType.EXECUTOR_PROGRESS)


@pytest.fixture(scope="module")
def entries() -> list[TaskLogEntry]:
    return [_entry(number) for number in range(1, ROWS + 1)]


@pytest.fixture(scope="module")
def rows(entries: list[TaskLogEntry]) -> list[IndexRow]:
    stored = [orjson.loads(indexes.entry_bytes(entry)) for entry in entries]  # as the store writes them
    wrapped = rows_or_none(stored)
    assert wrapped is not None
    return wrapped


@pytest.mark.parametrize(("width", "color"), [(120, False), pytest.param(100, False, marks=pytest.mark.slow),
                                              (70, False), pytest.param(140, True, marks=pytest.mark.slow)])
def test_stored_rows_render_exactly_as_validated_models(entries: list[TaskLogEntry], rows: list[IndexRow],
                                                      width: int, color: bool) -> None:
    """At 10,000 rows the list, the tree and /tasks from stored rows equal those from validated models."""
    running = entries[3].task_id
    for lazy, models in [
        (task_list_renderable(SESSION, rows, running_task_id=running),
         task_list_renderable(SESSION, entries, running_task_id=running)),
        (tree_renderable(SESSION, rows, visibility=Visibility.SUMMARY),
         tree_renderable(SESSION, entries, visibility=Visibility.SUMMARY)),
        (tasks_renderable(rows), tasks_renderable(entries)),
    ]:
        shown = render_to_text(lazy, width=width, color=color)
        assert shown == render_to_text(models, width=width, color=color)
    assert shown.count("[log: task-") == ROWS


def test_stored_rows_give_the_json_of_validated_models(entries: list[TaskLogEntry], rows: list[IndexRow]) -> None:
    """List and tree JSON from stored rows (defaults left out on disk) equal the models' JSON, every row present."""
    lazy = task_list_json(SESSION, rows)
    assert lazy == task_list_json(SESSION, entries)
    assert [row["task_id"] for row in lazy["tasks"]] == [entry.task_id for entry in entries]
    assert tree_json(SESSION, rows, visibility=Visibility.FULL) == tree_json(SESSION, entries, visibility=Visibility.FULL)


def test_a_field_of_the_wrong_type_is_shown_safely_not_trusted() -> None:
    """A hand-edited row's cost, count and prompt of the wrong type read as unknown or as safe text."""
    row = orjson.loads(indexes.entry_bytes(_entry(7)))
    row.update(cost_usd="1e9", files_modified_count=[1], duration_ms="\x1b[2J", prompt_summary={"a": "\x1b]0;x\x07"})
    (wrapped,) = rows_or_none([row]) or []
    assert (wrapped.cost_usd, wrapped.files_modified_count, wrapped.duration_ms) == (None, 0, None)
    text = render_to_text(tree_renderable(SESSION, [wrapped], visibility=Visibility.FULL), width=200)
    assert "\x1b" not in text and "\\x1b]0;x\\x07" in text
    document = task_list_json(SESSION, [wrapped])["tasks"][0]
    assert document["duration_ms"] == "\\x1b[2J" and document["prompt_summary"] == "{'a': '\\x1b]0;x\\x07'}"


@pytest.mark.parametrize("change", [{"status": "exploded"}, {"task_id": 7}, {"thread_id": None}, "not a row"])
def test_rows_the_views_cannot_read_send_the_index_through_the_models(change: object) -> None:
    """An unknown status, an id that is not a string or a row that is not an object makes the lazy check refuse."""
    row = orjson.loads(indexes.entry_bytes(_entry(1)))
    broken = {**row, **change} if isinstance(change, dict) else change
    assert rows_or_none([row, broken]) is None  # type: ignore[list-item]


def test_a_corrupted_row_makes_the_list_rebuild_the_index_from_the_task_files(tmp_path: Path) -> None:
    """A stored row with an unknown status: the list reads the task files instead and says the index was rebuilt."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    assert session_id is not None
    for _ in range(3):
        task = manager.create_task("echo hi")
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    reader = LogReader(tmp_path)
    path = reader.paths.session_index(session_id)
    document = orjson.loads(path.read_bytes())
    document["entries"][1]["status"] = "exploded"
    path.write_bytes(orjson.dumps(document))
    index_journal.forget(path)
    entries = session_entries(reader, session_id)
    assert [e.status for e in entries] == [TaskStatus.COMPLETE] * 3 and reader.last_rebuilt
    shown = render_to_text(execute_view(LogReader(tmp_path), LogsRequest(action="list"), current=None)[0], width=120)
    assert "3 tasks: 3 complete" in shown


def test_cells_cuts_and_wraps_count_terminal_cells() -> None:
    """Wide characters take two cells, combining marks none; cuts end in an ellipsis; wraps keep words whole."""
    assert (cell_len("abc"), cell_len("\u6f22\u5b57"), cell_len("e\u0301")) == (3, 4, 1)
    assert cut_to("\u6f22\u5b57\u6f22\u5b57", 5) == "\u6f22\u5b57…" and cut_to("short", 9) == "short"
    assert wrap("alpha beta gamma", 11) == ["alpha beta ", "gamma"]
    assert wrap("x" * 12, 5) == ["xxxxx", "xxxxx", "xx"]


@pytest.mark.parametrize("args", [["logs", "list"], ["logs", "list", "--json"], ["logs", "tree"]])
def test_the_list_and_tree_commands_import_neither_rich_nor_prompt_toolkit(tmp_path: Path, args: list[str]) -> None:
    """`pm-runner logs list|tree` load only what they show: no rich, no prompt-toolkit (python -X importtime)."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    manager.open_session(executor="shell")
    task = manager.create_task("echo hi")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "runner", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, env=runner_env())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "task-001" in proc.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "runner.logs.store" in imported
    assert not {name for name in imported if name.split(".")[0] in ("rich", "prompt_toolkit")}
