"""A logs view is read and rendered with the cyclic collector paused, and only for as long as the view lasts.

Collections are counted by a `gc.callbacks` hook that looks at the stack of the collection it sees:
one started inside `show_paused` (the read and the render of a view) is one the pause failed to stop.
"""

from __future__ import annotations

import gc
import inspect
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType
from typing import Any

import pytest

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskStatus
from runner.logs.query import LogsRequest
from runner.logs.store import LogReader
from runner.repl.collector_pause import collector_paused, show_paused
from runner.repl.logs_command import execute_view
from runner.repl.output import Terminal
from tests.helpers.cli import run_cli

EVENTS = 2_000


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A project with one session holding one finished task of EVENTS output events; (project, session id)."""
    root = tmp_path_factory.mktemp("pause") / "p"
    root.mkdir()
    manager = TaskLogManager(root, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    try:
        task = manager.create_task("a task with many events")
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(root))
        for number in range(EVENTS):
            line = f"[{number:04}] compiling module_{number}.py: {'ok' if number % 7 else 'warning: unused import'}"
            manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": line})
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    finally:
        manager.close()
    assert session_id is not None
    return root, session_id


def body_lines(function: Callable[..., Any], after: str) -> range:
    """The lines of `function` after its first line holding `after`: the body of its `with` block."""
    lines, first = inspect.getsourcelines(function)
    opening = next(number for number, text in enumerate(lines, start=first) if after in text)
    return range(opening + 1, first + len(lines))


@contextmanager
def collections_inside(code: CodeType, lines: range | None = None) -> Iterator[list[int]]:
    """Yields a list that gets the generation of every collection started while a call of `code` is on the
    stack (at one of `lines`, when given), until the block ends."""
    seen: list[int] = []

    def hook(phase: str, info: dict[str, int]) -> None:
        if phase != "start":
            return
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code is code:
                if lines is None or frame.f_lineno in lines:
                    seen.append(info["generation"])
                return
            frame = frame.f_back  # type: ignore[assignment]

    gc.callbacks.append(hook)
    try:
        yield seen
    finally:
        gc.callbacks.remove(hook)


# Inside the pause: a collection may start as `show_paused` is called (its allocations before the pause
# begins), never once the read has begun.
PAUSED = body_lines(show_paused, "with collector_paused()")


def shown_unpaused(build: Callable[[], Iterable[Any]], render: Callable[[Any], None]) -> None:
    """`show_paused` without the pause: the control that shows the hook sees a view's collections."""
    for item in build():
        render(item)


def test_the_detail_view_of_many_events_runs_no_collection_and_leaves_the_collector_on(
        project: tuple[Path, str]) -> None:
    """`pm-runner logs show TASK --full` of 2,000 events: no collection starts while it reads and renders."""
    root, _ = project
    with collections_inside(show_paused.__code__, PAUSED) as seen:
        run = run_cli(["logs", "show", "task-001", "--full"], cwd=root)
    assert run.stdout.count("EXECUTOR_OUTPUT") == EVENTS
    assert seen == []
    assert gc.isenabled()


def test_the_same_view_with_the_collector_running_is_collected_many_times(project: tuple[Path, str]) -> None:
    """The control: without the pause the very same read and render start collections the hook sees."""
    root, _ = project
    reader = LogReader(root)
    request = LogsRequest(action="show", task_ref="task-001", full=True)
    terminal = Terminal(open("/dev/null", "w"), width=120)  # noqa: SIM115 - closed below
    try:
        with collections_inside(shown_unpaused.__code__) as seen:
            shown_unpaused(lambda: execute_view(reader, request, current=None), terminal.render)
    finally:
        terminal.stream.close()
    assert len(seen) >= 5, seen


def test_the_repl_views_run_no_collection_and_a_failing_view_turns_the_collector_back_on(
        project: tuple[Path, str]) -> None:
    """The REPL's /logs detail, /tasks and /sessions pause the collector; a /logs of an unknown task ends its
    pause too (it is the last line: the collector is on after it)."""
    root, session_id = project
    script = f"/continue {session_id}\n/logs task-001 --full\n/tasks\n/sessions\n/logs --tree\n/logs task-999\n"
    with collections_inside(show_paused.__code__, PAUSED) as seen:
        run = run_cli(["repl", "--executor", "shell"], stdin=script, cwd=root, expect=None)
    assert run.stdout.count("EXECUTOR_OUTPUT") == EVENTS, run.transcript()
    assert "task-999" in run.stdout + run.stderr, run.transcript()
    assert "sessions" in run.stdout.lower() and session_id in run.stdout, run.transcript()
    assert seen == []
    assert gc.isenabled()


def test_a_pause_ends_with_its_block_even_when_the_block_raises() -> None:
    """The collector is enabled again after a view that raises."""
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError("the view failed")
    assert gc.isenabled()


def test_a_nested_pause_leaves_the_collector_to_the_outer_one() -> None:
    """Only the pause that disabled the collector enables it again; one disabled by someone else stays off."""
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_pause_forces_no_collection() -> None:
    """Entering and leaving a pause starts no collection of its own: the next allocations do, as usual."""
    gc.collect()  # the young generation starts empty: the few objects made below start none either
    with collections_inside(test_a_pause_forces_no_collection.__code__) as seen:
        with collector_paused():
            pass
    assert seen == []
