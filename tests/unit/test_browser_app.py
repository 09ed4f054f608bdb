"""The `/logs` browser app wired to real logs, driven by pipe input with a dummy output (no terminal)."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit.application import create_app_session
from prompt_toolkit.formatted_text.utils import fragment_list_to_text
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.models import ErrorCode, EventType, ExecutorInfo, TaskStatus, Visibility
from runner.logs.store import LogReader
from runner.repl.browser import BrowserData, BrowserView, create_app
from runner.repl.browser_state import BrowserState, Screen


def project_with_tasks(root: Path) -> tuple[TaskLogManager, str]:
    """An open session with a complete task, a failed one and one whose prompt holds escape sequences."""
    manager = TaskLogManager(root)
    session = manager.open_session(executor="shell").session_id
    for prompt, status, output in [
        ("echo hello", TaskStatus.COMPLETE, "hello"),
        ("make build", TaskStatus.ERROR, "compiler says: needle in the output"),
        ("echo \x1b]52;c;ZXZpbA==\x07 \x1b[2J done", TaskStatus.COMPLETE, "done"),
    ]:
        log = manager.create_task(prompt)
        manager.start_task(log.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(root))
        manager.add_event(log.task_id, EventType.EXECUTOR_OUTPUT, {"text": output})
        failed = status is TaskStatus.ERROR
        manager.finish_task(log.task_id, TaskOutcome(status=status, error_reason="exit 2" if failed else None,
                                                     error_code=ErrorCode.EXECUTOR_FAILED if failed else None))
    return manager, session


def make_view(root: Path, session: str) -> BrowserView:
    data = BrowserData(LogReader(root), session)
    return BrowserView(BrowserState(session, data.entries(), text_of=data.text_of), data, color=False)


def screen_text(view: BrowserView) -> str:
    with create_app_session(output=DummyOutput()):
        return fragment_list_to_text(view.main())


def test_keys_typed_into_the_app_drive_the_state_until_q(tmp_path: Path) -> None:
    """j, Enter, f, b, t, a search and q go through the real key bindings; q ends the app."""
    manager, session = project_with_tasks(tmp_path)
    view = make_view(tmp_path, session)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        app = create_app(view)
        pipe.send_text("j\rf")
        pipe.send_text("bt/needle\rq")
        assert app.run() is None
    state = view.state
    assert state.screen is Screen.TREE and state.visibility is Visibility.FULL
    assert state.query == "needle" and state.selected is not None and state.selected.task_id == "task-002"
    manager.close()


def test_escape_leaves_a_search_without_applying_it(tmp_path: Path) -> None:
    """Escape in the search line returns to browsing and keeps the previous search."""
    manager, session = project_with_tasks(tmp_path)
    view = make_view(tmp_path, session)
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        app = create_app(view)
        pipe.send_text("/hello\r/make\x1b")
        pipe.send_text("q")
        app.run()
    assert view.state.query == "hello" and not view.searching
    manager.close()


def test_the_list_shows_logged_escape_sequences_as_text(tmp_path: Path) -> None:
    """A prompt holding OSC 52 and a clear-screen sequence is displayed escaped, never sent raw."""
    manager, session = project_with_tasks(tmp_path)
    text = screen_text(make_view(tmp_path, session))
    assert "\x1b" not in text and "\x07" not in text
    assert "echo \\x1b]52;c;ZXZpbA==\\x07 \\x1b" in text
    assert "task-003" in text and "3 tasks: 2 complete, 1 error" in text
    manager.close()


def test_the_detail_follows_a_running_task_on_reload(tmp_path: Path) -> None:
    """While a task runs, a reload shows the events it logged since the detail was drawn."""
    manager, session = project_with_tasks(tmp_path)
    log = manager.create_task("long job")
    manager.start_task(log.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    view = make_view(tmp_path, session)
    view.state.toggle_full()
    view.state.jump(4)
    view.state.open()
    assert view.state.is_live()
    assert "first-progress-line" not in screen_text(view)
    manager.add_event(log.task_id, EventType.EXECUTOR_PROGRESS, {"line": "first-progress-line"})
    view.reload()
    assert "first-progress-line" in screen_text(view)
    manager.finish_task(log.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    view.reload()
    assert not view.state.is_live() and "TASK_COMPLETE" in screen_text(view)
    manager.close()
