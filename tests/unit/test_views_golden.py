"""Golden tests of the pure renderers in `runner.views` on the fixed sample session.

Exact strings at width 100 without colour, the way rich tests itself; plus JSON shapes,
visibility rules, the REPL's own blocks and the field formats they share.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from runner.logs.models import (
    CorruptedLog,
    ErrorCode,
    EventType,
    StatusCounts,
    TaskLog,
    TaskStatus,
    Visibility,
)
from runner.views.fields import format_cost, format_duration, format_timestamp
from runner.views.render import render_to_text
from runner.views.repl_views import status_lines, summary_block, tasks_renderable
from runner.views.sessions import sessions_json, sessions_renderable
from runner.views.task_detail import (
    FULL_HINT,
    event_renderable,
    task_detail_json,
    task_detail_renderable,
)
from runner.views.task_list import task_list_json, task_list_renderable
from runner.views.tree import tree_json, tree_renderable
from tests.helpers.sample_logs import (
    SESSION_ID,
    answer_task,
    blocked_task,
    clarification_task,
    make_event,
    make_log,
    session_entries,
    session_logs,
    session_summaries,
)


def golden(text: str) -> str:
    """A golden block written after an opening newline, so it lines up in the source."""
    return text.removeprefix("\n")


LIST_100 = golden("""
Task logs (session sess-20250112-001)
  # Log ID   Task ID            Status     Started             Duration Files Executor/Model
───────────────────────────────────────────────────────────────────────────────────────────────
  1 task-001 task-1736681400000 INCOMPLETE 2025-01-12 11:30:00    10.1s     0 claude-code
                                                                              claude-sonnet-4-5
  2 task-002 task-1736681460000 COMPLETE   2025-01-12 11:31:00    21.1s     1 claude-code
                                                                              claude-sonnet-4-5
  3 task-003 task-1736681700000 COMPLETE   2025-01-12 11:35:00    3m04s     1 claude-code
                                                                              claude-sonnet-4-5
  4 task-004 task-1736682000000 ERROR      2025-01-12 11:40:00     3.4s     0 claude-code
                                                                              sonnet
> 5 task-005 task-1736682300000 RUNNING    2025-01-12 11:45:00        -     0 claude-code
                                                                              sonnet
Some columns are hidden at this width; see --json.
5 tasks: 2 complete, 1 incomplete, 1 error, 1 running
""")

DETAIL_CLARIFY_SUMMARY = golden("""
Task task-001 (task-1736681400000) - INCOMPLETE
Prompt:            "Create a README"
Session:           sess-20250112-001
Thread:            thr-001, run run-001
Started:           2025-01-12 11:30:00 UTC
Ended:             2025-01-12 11:30:10 UTC
Duration:          10.1s
Executor:          claude-code/sonnet
Cost:              $0.0123 (812 input / 64 output tokens)
Decision:          clarify
Verification root: /home/dev/project
Files:             0 changed
Error:             [CLARIFICATION_NEEDED] Clarification needed: What should the README file be
                   called, README.md or README.rst?

Events:
  [11:30:00] USER_INPUT
    "Create a README"

  [11:30:10] CLARIFICATION_REQUEST
    "What should the README file be called, README.md or README.rst?"

  [11:30:10] TASK_INCOMPLETE
    The executor asked a question instead of changing files

Use --full to see executor details.
""")

DETAIL_ANSWER_FULL = golden("""
Task task-002 (task-1736681460000) - COMPLETE
Prompt:            "call it README.md"
Session:           sess-20250112-001
Thread:            thr-001, run run-001, continues task-001
Started:           2025-01-12 11:31:00 UTC
Ended:             2025-01-12 11:31:21 UTC
Duration:          21.1s
Executor:          claude-code/sonnet
Cost:              $0.0456 (2310 input / 655 output tokens)
Decision:          accept
Verification root: /home/dev/project
Files:             1 changed
                   README.md (diff)

Events:
  [11:31:00] USER_RESPONSE
    "call it README.md"

  [11:31:00] EXECUTOR_START
    executor: claude-code
    model: sonnet
    command: claude -p --output-format stream-json --verbose
    resume: true

  [11:31:12] EXECUTOR_PROGRESS
    Writing README.md

  [11:31:20] EXECUTOR_OUTPUT
    Created README.md with a project overview,
    install steps and usage.

  [11:31:21] EVIDENCE_CREATED
    files: README.md
    method: diff

  [11:31:21] MEDIATION_OUTPUT
    README.md created (1 file verified).

  [11:31:21] TASK_COMPLETE
    files_verified: README.md
""")

DETAIL_BLOCKED_SUMMARY = golden("""
Task task-004 (task-1736682000000) - ERROR
Prompt:            "Add tests"
Session:           sess-20250112-001
Thread:            thr-002, run run-003
Started:           2025-01-12 11:40:00 UTC
Ended:             2025-01-12 11:40:03 UTC
Duration:          3.4s
Executor:          claude-code/sonnet
Decision:          accept
Verification root: /home/dev/project
Files:             0 changed
Blocked:           INTERACTIVE_PROMPT, terminated by REPL_FAIL_CLOSED, timeout 60000 ms
Error:             [EXECUTOR_BLOCKED] Executor blocked on interactive prompt: '? Select a test
                   framework'

Events:
  [11:40:00] USER_INPUT
    "Add tests"

  [11:40:03] EXECUTOR_BLOCKED
    INTERACTIVE_PROMPT
    detected_pattern: ? Select a test framework
    action: REPL_FAIL_CLOSED

  [11:40:03] TASK_ERROR
    Executor blocked on interactive prompt
    executor_blocked: true
    blocked_reason: INTERACTIVE_PROMPT

Use --full to see executor details.
""")

TREE_SUMMARY = golden("""
Session: sess-20250112-001
├─ [thr-001] Create a README
│  ├─ [run-001] Clarification
│  │  ├─ task-001 INCOMPLETE USER_INPUT → TASK_INCOMPLETE "Create a README" asked "What should the …
│  │  └─ task-002 COMPLETE USER_RESPONSE → TASK_COMPLETE "call it README.md"
│  └─ [run-002] Retry
│     └─ task-003 COMPLETE USER_INPUT → TASK_COMPLETE "Create a README"
└─ [thr-002] Add tests
   └─ [run-003] Execution
      └─ task-004 ERROR USER_INPUT → TASK_ERROR "Add tests"
""")

TASKS = golden("""
Failed:
  task-1736681400000 [log: task-001] INCOMPLETE  files: 0  Clarification needed: What should the RE…
  task-1736682000000 [log: task-004] ERROR  files: 0  Executor blocked on interactive prompt: '? Se…
Active:
  task-1736682300000 [log: task-005] RUNNING  files: 0
Completed:
  task-1736681460000 [log: task-002] COMPLETE  files: 1
  task-1736681700000 [log: task-003] COMPLETE  files: 1
Total: 5 (complete 2, incomplete 1, error 1, running 1, queued 0)
""")

SESSIONS = golden("""
Sessions (2)
   Session            Started              Updated              Tasks  By status
────────────────────────────────────────────────────────────────────────────────────────────────────
   sess-20250111-001  2025-01-11 09:00:00  2025-01-11 09:42:10      2  2 complete
>  sess-20250112-001  2025-01-12 11:29:58  2025-01-12 11:45:07      5  2 complete, 1 incomplete, 1
                                                                       error, 1 running
> current session
""")

EVENT_HEADING = re.compile(r"^  \[\d\d:\d\d:\d\d\] ([A-Z_]+)$", re.MULTILINE)


def shown_event_types(text: str) -> list[str]:
    """Event types in a rendered detail, in order."""
    return EVENT_HEADING.findall(text)


# -- list --------------------------------------------------------------------------------


def test_task_list_golden_at_width_100() -> None:
    """At width 100 the list moves columns closer and puts the model under the executor."""
    entries = session_entries(with_running=True)
    rendered = render_to_text(task_list_renderable(SESSION_ID, entries, running_task_id="task-005"))
    assert rendered == LIST_100


def test_task_list_roomy_layout_on_a_wide_console() -> None:
    """With room, every column is on one line with two-cell gaps and `executor/model` joined."""
    entries = session_entries(with_running=True)
    rendered = render_to_text(
        task_list_renderable(SESSION_ID, entries, running_task_id="task-005"), width=140
    )
    lines = rendered.splitlines()
    assert lines[1].split() == [
        "#",
        "Log",
        "ID",
        "Task",
        "ID",
        "Status",
        "Started",
        "Duration",
        "Files",
        "Executor/Model",
        "Cost",
    ]
    assert (
        "   1  task-001  task-1736681400000  INCOMPLETE  2025-01-12 11:30:00     10.1s      0  "
        "claude-code/claude-sonnet-4-5  $0.0123"
    ) in lines
    assert (
        ">  5  task-005  task-1736682300000  RUNNING     2025-01-12 11:45:00         -      0  "
        "claude-code/sonnet                   -"
    ) in lines
    assert len(lines) == 9


def test_task_list_narrow_console_hides_columns_and_says_so() -> None:
    """A narrow console loses cost, duration and executor columns, never the ids, and says so."""
    entries = session_entries(with_running=True)
    rendered = render_to_text(task_list_renderable(SESSION_ID, entries), width=70)
    header = rendered.splitlines()[1]
    assert "Cost" not in header and "Executor/Model" not in header and "Duration" not in header
    assert "task-1736682300000" in rendered and "task-005" in rendered
    assert "Some columns are hidden at this width; see --json." in rendered
    assert max(len(line) for line in rendered.splitlines()) <= 70


def test_task_list_empty_session_with_corruption_note() -> None:
    """An empty (rebuilt) index shows the one-line explanation and the empty-session line."""
    rendered = render_to_text(
        task_list_renderable(
            SESSION_ID, [], note="The session index was corrupted and has been rebuilt."
        )
    )
    assert rendered == golden("""
Task logs (session sess-20250112-001)
The session index was corrupted and has been rebuilt.
No tasks in this session yet.
""")


def test_task_list_json_shape() -> None:
    """List JSON holds the session id, one index row per task, counts including the total and the tasks omitted."""
    entries = session_entries(with_running=True)
    document = json.loads(json.dumps(task_list_json(SESSION_ID, entries)))
    assert set(document) == {"schema_version", "session_id", "tasks", "counts", "omitted"}
    assert document["omitted"] == 0
    assert document["session_id"] == SESSION_ID
    assert [row["task_id"] for row in document["tasks"]] == [e.task_id for e in entries]
    assert document["tasks"][0]["status"] == "incomplete"
    assert document["tasks"][0]["cost_usd"] == 0.0123
    assert document["tasks"][0]["first_event_type"] == "USER_INPUT"
    assert document["counts"] == {
        "queued": 0,
        "running": 1,
        "complete": 2,
        "incomplete": 1,
        "error": 1,
        "total": 5,
    }


# -- detail ------------------------------------------------------------------------------


def test_detail_golden_clarification_summary() -> None:
    """Summary detail of the clarification task: header, summary events only, the --full hint."""
    rendered = render_to_text(
        task_detail_renderable(clarification_task(), visibility=Visibility.SUMMARY)
    )
    assert rendered == DETAIL_CLARIFY_SUMMARY


def test_detail_golden_answer_full() -> None:
    """Full detail of the answer task shows every event, executor ones included, and no hint."""
    rendered = render_to_text(task_detail_renderable(answer_task(), visibility=Visibility.FULL))
    assert rendered == DETAIL_ANSWER_FULL


def test_detail_golden_blocked_summary() -> None:
    """A blocked executor's task shows the blocked line, the error code and reason."""
    rendered = render_to_text(task_detail_renderable(blocked_task(), visibility=Visibility.SUMMARY))
    assert rendered == DETAIL_BLOCKED_SUMMARY


@pytest.mark.parametrize("log", session_logs(with_running=True), ids=lambda log: log.task_id)
def test_summary_detail_shows_exactly_the_summary_events(log: TaskLog) -> None:
    """Summary mode lists exactly the events of summary visibility (seed §5.3), hint iff any hidden."""
    rendered = render_to_text(task_detail_renderable(log, visibility=Visibility.SUMMARY))
    expected = [e.event_type.value for e in log.events if e.visibility is Visibility.SUMMARY]
    assert shown_event_types(rendered) == expected
    assert all(EventType(t).default_visibility is Visibility.SUMMARY for t in expected)
    hidden = len(expected) < len(log.events)
    assert (FULL_HINT in rendered) is hidden


@pytest.mark.parametrize("log", session_logs(with_running=True), ids=lambda log: log.task_id)
def test_full_detail_shows_every_event_in_order(log: TaskLog) -> None:
    """Full mode lists every stored event in order and never shows the --full hint."""
    rendered = render_to_text(task_detail_renderable(log, visibility=Visibility.FULL))
    assert shown_event_types(rendered) == [e.event_type.value for e in log.events]
    assert FULL_HINT not in rendered


def test_unknown_visibility_level_renders_as_summary() -> None:
    """A level nobody knows parses to summary and renders exactly as summary does."""
    log = answer_task()
    asked = render_to_text(task_detail_renderable(log, visibility=Visibility.parse("verbose")))
    assert asked == render_to_text(task_detail_renderable(log, visibility=Visibility.SUMMARY))


def test_very_long_event_content_is_cut_with_a_note() -> None:
    """Content past 2,000 characters is cut, saying how much is left and how to see it."""
    events = [
        make_event(1, EventType.USER_INPUT, "11:30:00.000", prompt="Dump the log"),
        make_event(2, EventType.MEDIATION_OUTPUT, "11:30:01.000", text="x" * 4999 + "END"),
        make_event(3, EventType.TASK_COMPLETE, "11:30:02.000"),
    ]
    rendered = render_to_text(
        task_detail_renderable(make_log(1, events), visibility=Visibility.SUMMARY)
    )
    assert "... (3002 more characters; see pm-runner logs show task-001 --json --full)" in rendered
    assert "END" not in rendered
    kept = [line.strip() for line in rendered.splitlines() if set(line.strip()) == {"x"}]
    assert sum(len(line) for line in kept) == 2000


def test_long_content_wraps_under_its_event_indent() -> None:
    """A long line of words wraps at the width, every continuation indented like the event body."""
    words = " ".join(f"word{n}" for n in range(60))
    events = [
        make_event(1, EventType.USER_INPUT, "11:30:00.000", prompt="Explain"),
        make_event(2, EventType.MEDIATION_OUTPUT, "11:30:01.000", text=words),
        make_event(3, EventType.TASK_COMPLETE, "11:30:02.000"),
    ]
    rendered = render_to_text(
        task_detail_renderable(make_log(1, events), visibility=Visibility.SUMMARY), width=60
    )
    body = [line for line in rendered.splitlines() if "word" in line]
    assert len(body) > 3
    assert all(line.startswith("    word") and len(line) <= 60 for line in body)
    assert " ".join(" ".join(body).split()) == words


def test_corrupted_task_file_renders_one_line_and_an_error_object() -> None:
    """A corrupted task file is one line in the detail view and an error object in JSON."""
    broken = CorruptedLog(
        session_id=SESSION_ID, task_id="task-007", reason="invalid JSON at line 1, column 17"
    )
    rendered = render_to_text(task_detail_renderable(broken, visibility=Visibility.FULL))
    assert rendered == "task-007: Log file corrupted (invalid JSON at line 1, column 17)\n"
    document = json.loads(json.dumps(task_detail_json(broken, visibility=Visibility.SUMMARY)))
    assert document == {
        "schema_version": 1,
        "session_id": SESSION_ID,
        "task_id": "task-007",
        "error": "Log file corrupted",
        "reason": "invalid JSON at line 1, column 17",
    }


@pytest.mark.parametrize("visibility", [Visibility.SUMMARY, Visibility.FULL])
def test_detail_json_is_the_task_log_filtered_by_visibility(visibility: Visibility) -> None:
    """Detail JSON is a valid TaskLog whose events are those visible, plus the level and hidden count."""
    log = answer_task()
    document = json.loads(json.dumps(task_detail_json(log, visibility=visibility)))
    expected = [
        e for e in log.events if visibility is Visibility.FULL or e.visibility is Visibility.SUMMARY
    ]
    assert [e["event_id"] for e in document["events"]] == [e.event_id for e in expected]
    assert document["visibility"] == visibility.value
    assert document["hidden_events"] == len(log.events) - len(expected)
    assert set(document) == set(TaskLog.model_fields) | {"hidden_events", "schema_version"}
    reparsed = TaskLog.model_validate(document)
    assert reparsed.verified_files == log.verified_files
    assert reparsed.metrics == log.metrics


# -- tree --------------------------------------------------------------------------------


def test_tree_golden_two_threads_with_clarification_and_retry() -> None:
    """The tree has the documented shape: session, threads with first prompt, runs, task lines."""
    rendered = render_to_text(
        tree_renderable(SESSION_ID, session_entries(), visibility=Visibility.SUMMARY)
    )
    assert rendered == TREE_SUMMARY


def test_tree_hides_full_only_event_types_at_summary() -> None:
    """A running task's last event (EXECUTOR_PROGRESS) is omitted at summary and shown with --full."""
    entries = session_entries(with_running=True)
    summary = render_to_text(tree_renderable(SESSION_ID, entries, visibility=Visibility.SUMMARY))
    full = render_to_text(tree_renderable(SESSION_ID, entries, visibility=Visibility.FULL))
    assert '      └─ task-005 RUNNING USER_INPUT "Fix the flaky login test"\n' in summary
    assert (
        '      └─ task-005 RUNNING USER_INPUT → EXECUTOR_PROGRESS "Fix the flaky login test"\n'
    ) in full
    assert "└─ [thr-003] Fix the flaky login test" in summary


def test_tree_empty_session() -> None:
    """A session without tasks shows its name and the empty-session line."""
    rendered = render_to_text(tree_renderable(SESSION_ID, [], visibility=Visibility.SUMMARY))
    assert rendered == "Session: sess-20250112-001\nNo tasks in this session yet.\n"


def test_tree_json_nests_threads_runs_and_tasks() -> None:
    """Tree JSON nests threads → runs → tasks in creation order; hidden event types are null."""
    entries = session_entries(with_running=True)
    document = json.loads(json.dumps(tree_json(SESSION_ID, entries, visibility=Visibility.SUMMARY)))
    assert document["session_id"] == SESSION_ID and document["visibility"] == "summary"
    shape = [
        (
            t["thread_id"],
            t["prompt"],
            [(r["run_id"], [k["task_id"] for k in r["tasks"]]) for r in t["runs"]],
        )
        for t in document["threads"]
    ]
    assert shape == [
        (
            "thr-001",
            "Create a README",
            [("run-001", ["task-001", "task-002"]), ("run-002", ["task-003"])],
        ),
        ("thr-002", "Add tests", [("run-003", ["task-004"])]),
        ("thr-003", "Fix the flaky login test", [("run-004", ["task-005"])]),
    ]
    running = document["threads"][2]["runs"][0]["tasks"][0]
    assert running == {
        "task_id": "task-005",
        "external_task_id": "task-1736682300000",
        "parent_task_id": None,
        "status": "running",
        "first_event_type": "USER_INPUT",
        "last_event_type": None,
        "prompt_summary": "Fix the flaky login test",
    }
    answer = document["threads"][0]["runs"][0]["tasks"][1]
    assert answer["parent_task_id"] == "task-001" and answer["last_event_type"] == "TASK_COMPLETE"


# -- sessions ----------------------------------------------------------------------------


def test_sessions_golden_marks_the_current_session() -> None:
    """`/sessions` lists every session with times, task count and counts, the current one marked."""
    rendered = render_to_text(sessions_renderable(session_summaries(), current=SESSION_ID))
    assert rendered == SESSIONS


def test_sessions_empty_and_json() -> None:
    """No sessions says so; JSON carries the current id and each row with a total count."""
    assert render_to_text(sessions_renderable([])) == "Sessions (0)\nNo sessions yet.\n"
    document = json.loads(json.dumps(sessions_json(session_summaries(), current=SESSION_ID)))
    assert document["current"] == SESSION_ID
    assert [s["session_id"] for s in document["sessions"]] == ["sess-20250111-001", SESSION_ID]
    assert document["sessions"][1]["counts"]["total"] == 5
    assert document["sessions"][1]["task_count"] == 5


# -- REPL blocks -------------------------------------------------------------------------


def test_summary_block_for_a_complete_task() -> None:
    """A complete task prints RESULT/TASK/NEXT/HINT exactly as DESIGN §9 shows."""
    assert summary_block(answer_task()) == [
        "RESULT: COMPLETE",
        "TASK: task-002",
        "NEXT: (none)",
        "HINT: /logs task-002",
    ]


def test_summary_block_for_an_error() -> None:
    """A failed task prints RESULT: ERROR with NEXT, a one-line WHY and HINT."""
    assert summary_block(blocked_task()) == [
        "RESULT: ERROR",
        "TASK: task-004",
        "NEXT: /logs task-004",
        "WHY: Executor blocked on interactive prompt: '? Select a test framework'",
        "HINT: /logs task-004 --full shows the executor's own events",
    ]


def test_summary_block_for_a_clarification_invites_an_answer() -> None:
    """A clarification's NEXT line tells the user to type an answer or read the log."""
    block = summary_block(clarification_task())
    assert block[:3] == [
        "RESULT: INCOMPLETE",
        "TASK: task-001",
        "NEXT: type your answer, or /logs task-001",
    ]
    assert block[3].startswith("WHY: Clarification needed: What should the README")
    assert block[4] == "HINT: /skip drops the question"


def test_summary_block_why_is_one_short_line() -> None:
    """A multi-line, very long reason becomes one line of at most 200 characters after `WHY: `."""
    reason = "first line\nsecond\tline " + "y" * 500
    log = make_log(
        1,
        [
            make_event(1, EventType.USER_INPUT, "11:30:00.000", prompt="go"),
            make_event(2, EventType.TASK_ERROR, "11:30:01.000", reason="boom"),
        ],
        status=TaskStatus.ERROR,
        error_code=ErrorCode.EXECUTOR_FAILED,
        error_reason=reason,
        prompt_summary="go",
    )
    why = next(line for line in summary_block(log) if line.startswith("WHY: "))
    text = why.removeprefix("WHY: ")
    assert text.startswith("first line second line yyy") and text.endswith("...")
    assert len(text) == 200 and "\n" not in text and "\t" not in text


def test_tasks_golden_groups_failed_active_completed() -> None:
    """`/tasks` shows failed, active, pending and completed sections in that order, then totals."""
    assert render_to_text(tasks_renderable(session_entries(with_running=True))) == TASKS


def test_tasks_empty() -> None:
    """`/tasks` on an empty session says so and still prints the totals line."""
    assert render_to_text(tasks_renderable([])) == golden("""
No tasks in this session yet.
Total: 0 (complete 0, incomplete 0, error 0, running 0, queued 0)
""")


def test_status_lines() -> None:
    """`/status` names the session, project, executor, model, durability and task counts."""
    lines = status_lines(
        session_id=SESSION_ID,
        project_root="/home/dev/project",
        executor="claude-code",
        model=None,
        durability="strict",
        counts=StatusCounts(complete=2, error=1),
        project_mode="cwd",
        interactive=False,
    )
    assert lines == [
        "Session: sess-20250112-001",
        "Project: /home/dev/project (cwd)",
        "Executor: claude-code",
        "Model: (executor default)",
        "Durability: strict",
        "Mode: non-interactive",
        "Tasks: 3 (2 complete, 1 error)",
    ]


def test_status_lines_count_entries_and_name_an_executor_problem() -> None:
    """Without counts, `/status` counts the entries it is given and says why the executor cannot run."""
    lines = status_lines(
        session_id=None,
        project_root="/srv/app",
        executor="claude-code",
        model="sonnet",
        durability="normal",
        entries=session_entries(with_running=True),
        executor_problem="claude not found on PATH",
    )
    assert lines == [
        "Session: (none yet)",
        "Project: /srv/app",
        "Executor: claude-code (not usable: claude not found on PATH)",
        "Model: sonnet",
        "Durability: normal",
        "Tasks: 5 (2 complete, 1 incomplete, 1 error, 1 running)",
    ]


def test_event_renderable_matches_the_detail_block() -> None:
    """One event rendered alone (as `--follow` prints it) reads as it does inside the detail."""
    event = blocked_task().events[3]
    assert render_to_text(event_renderable(event, "task-004")) == golden("""
  [11:40:03] EXECUTOR_BLOCKED
    INTERACTIVE_PROMPT
    detected_pattern: ? Select a test framework
    action: REPL_FAIL_CLOSED
""")


# -- colour and fields -------------------------------------------------------------------


def test_colour_only_when_asked() -> None:
    """Statuses are coloured (green, yellow, red, cyan) with colour on; no escape at all with it off."""
    renderable = task_list_renderable(
        SESSION_ID, session_entries(with_running=True), running_task_id="task-005"
    )
    coloured = render_to_text(renderable, width=140, color=True)
    for sgr, word in (("32", "COMPLETE"), ("33", "INCOMPLETE"), ("31", "ERROR"), ("36", "RUNNING")):
        assert f"\x1b[{sgr}m{word}" in coloured
    assert "\x1b" not in render_to_text(renderable, width=140, color=False)


@pytest.mark.parametrize(
    ("duration_ms", "shown"),
    [
        (None, "-"),
        (400, "0.4s"),
        (1200, "1.2s"),
        (59_900, "59.9s"),
        (184_000, "3m04s"),
        (3_599_000, "59m59s"),
        (7_500_000, "2h05m"),
    ],
)
def test_format_duration(duration_ms: int | None, shown: str) -> None:
    """Durations read as seconds with one decimal, then minutes and seconds, then hours and minutes."""
    assert format_duration(duration_ms) == shown


def test_format_cost_and_timestamp() -> None:
    """Costs show four decimals or `-`; timestamps show as `YYYY-MM-DD HH:MM:SS` in UTC."""
    assert format_cost(0.0123) == "$0.0123" and format_cost(None) == "-"
    assert format_timestamp("2025-01-12T11:30:05.250Z") == "2025-01-12 11:30:05"
    assert format_timestamp(None) == "-"


# -- the spec page stays true ------------------------------------------------------------

SPEC_PAGE = Path(__file__).resolve().parents[2] / "spec" / "logs-views.md"


def test_spec_page_examples_are_current_output() -> None:
    """Every example on spec/logs-views.md is exactly what the renderers print today."""
    entries = session_entries(with_running=True)
    blocks = [summary_block(log) for log in (answer_task(), clarification_task(), blocked_task())]
    examples = [
        render_to_text(
            task_list_renderable(SESSION_ID, entries, running_task_id="task-005"), width=120
        ),
        LIST_100,
        render_to_text(task_detail_renderable(answer_task(), visibility=Visibility.SUMMARY)),
        DETAIL_ANSWER_FULL,
        TREE_SUMMARY,
        SESSIONS,
        TASKS,
        "\n\n".join("\n".join(block) for block in blocks) + "\n",
    ]
    page = SPEC_PAGE.read_text(encoding="utf-8")
    for example in examples:
        assert f"```\n{example}```" in page, example.splitlines()[0]
