"""Warnings are data until the terminal edge: a `Notice` becomes WARNING/ERROR/HINT lines only there."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.models import EventType, TaskStatus
from runner.logs.query import LogsRequest
from runner.logs.retention import RetentionReport
from runner.notices import Notice, NoticeLevel
from runner.repl.clear_command import run_clear
from runner.repl.output import Terminal
from runner.views.notices import notice_lines


def test_each_level_has_its_prefix_and_the_hint_its_own_line() -> None:
    """WARNING:/ERROR: prefixes, no prefix for info, and `HINT:` on a second line only when there is one."""
    assert notice_lines(Notice.warning("disk full", "free some space")) == ["WARNING: disk full",
                                                                           "HINT: free some space"]
    assert notice_lines(Notice.error("no such task")) == ["ERROR: no such task"]
    assert notice_lines(Notice.info("Session started", session_id="sess-1")) == ["Session started"]


def test_the_terminal_writes_notices_neutralised() -> None:
    """Terminal.notify writes the lines, with control characters of the message shown escaped."""
    out = io.StringIO()
    Terminal(out).notify(Notice.warning("bad \x1b[31mred\x1b[0m name", hint="rename it"))
    assert out.getvalue() == "WARNING: bad \\x1b[31mred\\x1b[0m name\nHINT: rename it\n"


def test_a_script_terminal_sends_warnings_and_errors_to_stderr_and_a_person_sees_them_on_stdout() -> None:
    """Not interactive: WARNING/ERROR with their HINT go to stderr, INFO to stdout; interactive: all on stdout."""
    out, err = io.StringIO(), io.StringIO()
    script = Terminal(out, stderr=err)
    script.notify(Notice.warning("disk nearly full", "free some space"))
    script.notify(Notice.info("No session was active: started sess-1"))
    script.error("unknown command /x")
    assert err.getvalue() == "WARNING: disk nearly full\nHINT: free some space\nERROR: unknown command /x\n"
    assert out.getvalue() == "No session was active: started sess-1\n"
    screen, unused = io.StringIO(), io.StringIO()
    person = Terminal(screen, interactive=True, stderr=unused, environ={"TERM": "dumb", "NO_COLOR": "1"})
    person.notify(Notice.warning("disk nearly full", "free some space"))
    assert screen.getvalue() == "WARNING: disk nearly full\nHINT: free some space\n" and unused.getvalue() == ""


def test_the_manager_reports_warnings_as_masked_notices(tmp_path: Path) -> None:
    """A store warning reaches `on_warning` as a warning Notice whose message is masked and unprefixed."""
    seen: list[Notice] = []
    manager = TaskLogManager(tmp_path, on_warning=seen.append)
    manager.open_session()
    manager.add_event("task-009", EventType.EXECUTOR_OUTPUT, {"line": "x"})
    manager.close()
    assert [n.level for n in seen] == [NoticeLevel.WARNING]
    assert seen[0].message == "event EXECUTOR_OUTPUT for task-009 dropped: the task is not running here"
    assert manager.warnings == [seen[0].message]


def test_terminal_confirm_shows_the_lines_then_asks(tmp_path: Path) -> None:
    """confirm() prints the preview, asks once, and takes only y/yes as a yes; end of input is a no."""
    out = io.StringIO()
    asked: list[str] = []

    def answer(reply: str | None) -> Callable[[str], str]:
        def ask(question: str) -> str:
            asked.append(question)
            if reply is None:
                raise EOFError
            return reply
        return ask

    terminal = Terminal(out)
    assert terminal.confirm(["Would remove a"], "Delete? [y/N] ", ask=answer(" Yes ")) is True
    assert terminal.confirm(["Would remove b"], "Delete? [y/N] ", ask=answer("n")) is False
    assert terminal.confirm(["Would remove c"], "Delete? [y/N] ", ask=answer(None)) is False
    assert out.getvalue() == "Would remove a\nWould remove b\nWould remove c\n"
    assert asked == ["Delete? [y/N] "] * 3



def _finished_session(project: Path) -> str:
    manager = TaskLogManager(project)
    session = manager.open_session().session_id
    task = manager.create_task("echo hi")
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    return session


def test_clear_asks_through_the_callback_and_deletes_only_on_yes(tmp_path: Path) -> None:
    """Without --force, run_clear shows the preview to `confirm`; no keeps every log, yes removes them."""
    session = _finished_session(tmp_path)
    previews: list[RetentionReport] = []

    def refuse(preview: RetentionReport) -> bool:
        previews.append(preview)
        return False

    request = LogsRequest(action="clear")
    lines = run_clear(tmp_path, request, interactive=True, active_session=None, confirm=refuse)
    assert lines == ["Nothing was deleted."]
    assert [r.session_id for r in previews[0].removals] == [session]
    assert (tmp_path / ".claude" / "logs" / "sessions" / session).is_dir()
    lines = run_clear(tmp_path, request, interactive=True, active_session=None, confirm=lambda p: True)
    assert lines[0].startswith(f"Removing {session} (1 task, ") and lines[-1].startswith("Removed 1 session, 1 task, ")
    assert not (tmp_path / ".claude" / "logs" / "sessions" / session).exists()
