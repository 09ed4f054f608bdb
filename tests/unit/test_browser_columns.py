"""The browser's list at 120 columns keeps the Cost column and says which columns it left out."""

from __future__ import annotations

from prompt_toolkit.formatted_text.utils import fragment_list_to_text

from runner.logs.models import TaskLogEntry, TaskStatus
from runner.repl.browser_render import list_lines
from runner.repl.browser_state import BrowserState


def claude_rows(count: int) -> list[TaskLogEntry]:
    """Rows as a Claude Code session writes them: a dated model name, costs, minutes-long tasks."""
    return [TaskLogEntry(task_id=f"task-{n:03d}", external_task_id=f"task-1795831963{n:03d}", thread_id="thr-001",
                         run_id="run-001", status=TaskStatus.INCOMPLETE if n % 7 == 0 else TaskStatus.COMPLETE,
                         started_at="2026-11-28T02:12:43.363Z", ended_at="2026-11-28T02:25:01.000Z",
                         duration_ms=738_000, prompt_summary=f"refactor module number {n} and add its tests",
                         executor="claude-code", model="claude-sonnet-4-5-20250929", files_modified_count=12,
                         cost_usd=1.2345)
            for n in range(1, count + 1)]


def screen(width: int, count: int = 120) -> list[str]:
    heading, rows, footer = list_lines(BrowserState("sess-20261128-001", claude_rows(count)), width=width, color=False)
    return [fragment_list_to_text(line) for line in [*heading, *rows, *footer]]


def test_cost_stays_at_120_columns_and_the_hidden_columns_are_named() -> None:
    """At 120 columns with three-digit rows and a dated model name, Cost and the prompt are shown."""
    lines = screen(120)
    header = lines[1]
    assert "Cost" in header and "Prompt" in header and "Log ID" in header
    assert all(len(line) <= 120 for line in lines)
    assert "$1.2345" in lines[3]
    assert lines[-1].startswith("Hidden at this width: Task ID") and "Cost" not in lines[-1]


def test_a_wide_terminal_hides_nothing_and_says_nothing() -> None:
    """At 200 columns every column is there and no hidden-columns note is drawn."""
    lines = screen(200)
    assert "Task ID" in lines[1] and "Started" in lines[1]
    assert not any(line.startswith("Hidden at this width") for line in lines)
