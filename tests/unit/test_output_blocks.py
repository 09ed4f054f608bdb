"""The browser's detail gathers a run of plain output lines into one block; anything else breaks the run."""

from __future__ import annotations

from runner.logs.models import EventType, LogEvent, Visibility
from runner.views.render import render_to_text
from runner.views.task_detail import output_blocks, task_detail_renderable
from tests.helpers.sample_logs import make_event, make_log

OUT = EventType.EXECUTOR_OUTPUT


def sample_events() -> list[LogEvent]:
    """Input, three output lines (one on stderr), a capped-output note, two more lines, the end."""
    return [
        make_event(1, EventType.USER_INPUT, "11:30:00.000", prompt="build it"),
        make_event(2, OUT, "11:30:01.000", stream="stdout", line="one"),
        make_event(3, OUT, "11:30:01.500", stream="stderr", line="two \x1b[31mred\x1b[0m"),
        make_event(4, OUT, "11:30:02.000", stream="stdout", line="three"),
        make_event(5, OUT, "11:30:03.000", stream="runner", line="[9 more output lines]", dropped_lines=9),
        make_event(6, OUT, "11:30:04.000", stream="stdout", line="four"),
        make_event(7, OUT, "11:30:05.000", stream="stdout", line="five"),
        make_event(8, EventType.TASK_COMPLETE, "11:30:06.000", summary="done"),
    ]


def test_runs_of_plain_output_lines_are_gathered_and_a_note_breaks_them() -> None:
    """Lines 2-4 form one block, the note stands alone, lines 6-7 form another; other events stay single."""
    shape = [[e.event_id for e in item] for item in output_blocks(sample_events())]
    assert shape == [["evt-0001"], ["evt-0002", "evt-0003", "evt-0004"], ["evt-0005"],
                     ["evt-0006", "evt-0007"], ["evt-0008"]]


def test_a_block_has_one_heading_its_time_span_and_marks_stderr_made_safe() -> None:
    """One EXECUTOR_OUTPUT heading with the span and count; a stderr line is marked and its escapes neutralised."""
    log = make_log(1, sample_events())
    text = render_to_text(task_detail_renderable(log, visibility=Visibility.FULL, grouped=True))
    assert "  [11:30:01–11:30:02] EXECUTOR_OUTPUT (3 lines)\n    one\n    [stderr] two " in text
    assert "\x1b" not in text
    assert text.count("EXECUTOR_OUTPUT") == 3  # two blocks and the note
    plain = render_to_text(task_detail_renderable(log, visibility=Visibility.FULL))
    assert plain.count("EXECUTOR_OUTPUT") == 6  # `logs show` keeps one heading per event
