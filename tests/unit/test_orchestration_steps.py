"""The pure steps of orchestration, from tables of cases: gates, the next step, and the exit tally."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from runner.errors import ExitStatus, RunnerError
from runner.executors.registry import create_executor
from runner.logs.models import TaskStatus
from runner.orchestration.gates import Rejection, check_gates
from runner.orchestration.tally import RunTally
from tests.helpers.sample_logs import session_logs


@dataclass(frozen=True)
class Key:
    api_key_env: str | None


SHELL = create_executor("shell")


@pytest.mark.parametrize(("executor", "problem", "settings", "environ", "expected"), [
    (SHELL, None, {}, {}, SHELL),
    (SHELL, None, {"shell": Key("MY_KEY")}, {"MY_KEY": "x"}, SHELL),
    (SHELL, None, {"shell": Key("MY_KEY")}, {}, Rejection("MY_KEY is not set",
                                                         "export MY_KEY=... before starting pm-runner")),
    (SHELL, None, {"other": Key("MY_KEY")}, {}, SHELL),
    (None, RunnerError("claude is not on PATH", hint="install it"), {}, {},
     Rejection("claude is not on PATH", "install it")),
    (None, None, {}, {}, Rejection("no executor", "choose one with /provider")),
])
def test_gates(executor: object, problem: RunnerError | None, settings: dict[str, Key],
               environ: dict[str, str], expected: object) -> None:
    """A task may run on its executor unless there is none or a required key is missing."""
    assert check_gates(executor, problem, settings, environ) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("statuses", "command_errors", "fatal", "expected"), [
    ([], 0, False, ExitStatus.SUCCESS),
    ([TaskStatus.COMPLETE], 0, False, ExitStatus.SUCCESS),
    ([TaskStatus.INCOMPLETE], 0, False, ExitStatus.INCOMPLETE),
    ([TaskStatus.INCOMPLETE, TaskStatus.ERROR], 0, False, ExitStatus.ERROR),
    ([TaskStatus.COMPLETE], 1, False, ExitStatus.ERROR),
    ([TaskStatus.COMPLETE], 0, True, ExitStatus.ERROR),
    ([TaskStatus.RUNNING], 0, False, ExitStatus.INCOMPLETE),
])
def test_exit_status(statuses: list[TaskStatus], command_errors: int, fatal: bool, expected: ExitStatus) -> None:
    """0 when every counted task completed, 2 for an incomplete one, 1 for any error, command error or failure."""
    tally = RunTally(last_status_by_thread={f"thr-{n:03d}": s for n, s in enumerate(statuses)},
                     command_errors=command_errors, fatal=fatal)
    assert tally.exit_status() is expected


def test_only_the_last_task_of_a_thread_counts_and_errors_in_a_row_warn_once() -> None:
    """A thread's later task replaces its earlier status; the third error in a row brings one warning."""
    question, answer, retry, blocked = session_logs()
    tally = RunTally()
    assert tally.record(question) is None and tally.exit_status() is ExitStatus.INCOMPLETE
    tally.record(answer)  # same thread, now complete
    assert tally.last_status_by_thread == {question.thread_id: TaskStatus.COMPLETE}
    warnings = [tally.record(blocked) for _ in range(4)]
    assert [w is not None for w in warnings] == [False, False, True, False]
    assert warnings[2] is not None and warnings[2].message.startswith("3 tasks in a row ended in ERROR")
