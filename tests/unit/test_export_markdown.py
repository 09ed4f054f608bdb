"""The Markdown reports: 12 sections always in order, golden files, the 100 kB cap, hostile text inert."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from runner.export.markdown.session import render_session_markdown
from runner.export.markdown.task import (
    MAX_REPORT_BYTES,
    SECTION_TITLES,
    checkpoint_of,
    render_task_markdown,
)
from runner.export.masked import MaskedSession, mask_session
from runner.logs.models import EventType, TaskStatus
from tests.helpers.export_logs import SCRIPT, SECRETS, SESSION_STARTED, export_logs, tool_task
from tests.helpers.golden_files import check_golden
from tests.helpers.sample_logs import SESSION_ID, make_event, make_log

TASKS = ["task-001", "task-002", "task-003", "task-004", "task-005", "task-006", "task-007"]


def session() -> MaskedSession:
    return mask_session(SESSION_ID, export_logs(with_running=True), started_at=SESSION_STARTED)


def to_html(markdown: str) -> str:
    """What a CommonMark + GFM-tables reader (GitHub, editors) makes of the Markdown."""
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)


@pytest.mark.parametrize("task_id", TASKS)
def test_twelve_sections_always_in_order(task_id: str) -> None:
    """Every task report has the 12 seed-000 headings, in order, whatever the task holds."""
    text = render_task_markdown(session(), task_id)
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == list(SECTION_TITLES)
    rendered = to_html(text)
    assert rendered.count("<h2>") == 12 and rendered.count("<h1>") == 1


def test_empty_sections_say_so() -> None:
    """Sections with no data hold the empty mark "—" rather than disappearing."""
    text = render_task_markdown(session(), "task-002")
    assert "## 3. Plan\n\n—\n" in text and "## 10. Failure Analysis\n\n—\n" in text


def test_task_report_golden() -> None:
    """The report of the task with tool calls, byte for byte."""
    check_golden("export/task-006.md", render_task_markdown(session(), "task-006"))


def test_clarification_report_golden() -> None:
    """The report of the clarification task (its answer is another task), byte for byte."""
    check_golden("export/task-001.md", render_task_markdown(session(), "task-001"))


def test_session_summary_golden() -> None:
    """The session summary: header, a task table with totals, one block per task."""
    check_golden("export/session.md", render_session_markdown(session()))


def test_checkpoint_block_is_the_json_the_report_shows() -> None:
    """Section 8 holds the seed's {section: value} JSON, which parses back to `checkpoint_of`."""
    import json

    text = render_task_markdown(session(), "task-006")
    block = text.split("```json\n", 1)[1].split("\n```", 1)[0]
    snapshot = json.loads(block)
    assert snapshot == checkpoint_of(session(), "task-006")
    assert snapshot["execute"] == {"tool_calls": 2, "failed_tool_calls": 1}
    assert snapshot["test"]["test_commands"] == 1 and snapshot["final_status"] == "resolved"


def huge_task() -> MaskedSession:
    """A task with 3,000 tool calls and 2,000 long output lines: far past 100 kB."""
    events = [make_event(1, EventType.USER_INPUT, "12:00:00.000", prompt="refactor everything " * 400)]
    number = 2
    for i in range(3_000):
        events.append(make_event(number, EventType.EXECUTOR_PROGRESS, "12:00:01.000", kind="tool_use",
                                 tool="Edit", tool_use_id=f"t{i}", file_path=f"src/module_{i}.py"))
        number += 1
    for i in range(2_000):
        events.append(make_event(number, EventType.EXECUTOR_OUTPUT, "12:00:02.000", text=f"line {i} " + "x" * 120))
        number += 1
    events.append(make_event(number, EventType.TASK_COMPLETE, "12:00:03.000"))
    log = make_log(9, events, status=TaskStatus.COMPLETE, thread_id="thr-009", run_id="run-009")
    return mask_session(SESSION_ID, [log], started_at=SESSION_STARTED)


def test_the_report_is_capped_at_100_kb_with_an_explicit_marker() -> None:
    """A huge task still gives 12 sections, at most 100 kB, saying how many events were elided."""
    text = render_task_markdown(huge_task(), "task-009")
    assert len(text.encode()) <= MAX_REPORT_BYTES
    assert re.findall(r"^## (.+)$", text, flags=re.MULTILINE) == list(SECTION_TITLES)
    elided = [int(n) for n in re.findall(r"\[… (\d+) events elided …\]", text)]
    assert elided and all(n > 0 for n in elided)
    assert "more characters elided" in text  # the 8,000-character prompt was cut too
    assert "src/module_0.py" in text and "src/module_2999.py" in text  # head and tail both kept


def test_a_small_report_is_not_cut() -> None:
    """Below the cap nothing is elided."""
    text = render_task_markdown(mask_session(SESSION_ID, [tool_task()], started_at=SESSION_STARTED), "task-006")
    assert "elided" not in text


@pytest.mark.parametrize("render", [lambda s: render_task_markdown(s, "task-007"), render_session_markdown])
def test_hostile_text_is_masked_and_inert(render: object) -> None:
    """Secrets are masked; logged HTML, images, links and headings stay text for a Markdown reader."""
    text = render(session())  # type: ignore[operator]
    for secret in SECRETS:
        assert secret not in text
    assert "[MASKED:" in text
    html = to_html(text)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;" in html or SCRIPT not in text
    assert "\x1b" not in text and "\u202e" not in text
