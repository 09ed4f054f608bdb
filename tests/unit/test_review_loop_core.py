"""The review loop in process: a real core, real files and logs, and a scripted agent executor per test.

The scripted executor is a real `Executor`: it writes real files in the project and returns what an
agent would; each call plays the next step of its script. The end-to-end runs with the fake `claude`
are in tests/integration/test_review_loop_claude.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from runner.executors.base import EventSink, ExecutorResult, ExecutorStatus, ExecutorTask
from runner.executors.failure_kind import FailureKind
from runner.logs.models import ErrorCode, EventType, Metrics, TaskLog, TaskStatus
from runner.loop_settings import ReviewMode
from runner.orchestration.budget import BudgetLimits
from tests.helpers.harness import Harness, core_with

Step = Callable[[ExecutorTask], ExecutorResult]


class ScriptedAgent:
    """An agent executor whose N-th run plays step N of its script (the last step repeats)."""

    warning: str | None = None

    def __init__(self, name: str, steps: list[Step]) -> None:
        self.name = name
        self.steps = steps
        self.tasks: list[ExecutorTask] = []

    def check_available(self) -> None:
        return None

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult:
        self.tasks.append(task)
        sink.event(EventType.EXECUTOR_START, {"executor": self.name, "scripted": True})
        return self.steps[min(len(self.tasks), len(self.steps)) - 1](task)


def writes(name: str, text: str, *, cost: float | None = 0.01, model: str = "claude-sonnet-4-6") -> Step:
    def step(task: ExecutorTask) -> ExecutorResult:
        (task.project_root / name).write_text(text)
        return ExecutorResult(ExecutorStatus.SUCCEEDED, exit_code=0, final_message=f"Created {name}.",
                              claimed_files=[name], resume_token="sess-abc",
                              usage=Metrics(model=model, input_tokens=1000, output_tokens=100, cost_usd=cost))
    return step


def overloaded(task: ExecutorTask) -> ExecutorResult:
    return ExecutorResult(ExecutorStatus.FAILED, exit_code=1, error_message="API error 529 (overloaded)",
                          failure_kind=FailureKind.TRANSIENT)


def of_type(log: TaskLog, event_type: EventType) -> list[dict[str, object]]:
    return [event.content for event in log.events if event.event_type is event_type]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def scripted(h: Harness, name: str, steps: list[Step]) -> ScriptedAgent:
    agent = ScriptedAgent(name, steps)
    h.core._executor = agent  # the core hands every task to its one executor
    h.core.executor_name = name
    return agent


def test_an_executor_without_resume_gets_the_request_with_the_findings_appended(project: Path) -> None:
    """The `command` executor cannot resume: pass 2 is the original request plus the findings, no session."""
    with core_with(project, executor="shell", review_mode=ReviewMode.ON, retry_backoff_ms=0) as h:
        agent = scripted(h, "command", [writes("a.py", "x = 1  # TODO later\n"), writes("a.py", "x = 1\n")])
        log = h.line("make a.py")
    assert log.status is TaskStatus.COMPLETE
    first, second = agent.tasks
    assert second.resume_token is None and second.prompt.startswith("make a.py\n\n---\n")
    assert "Q2 no TODO/FIXME/XXX added failed." in second.prompt and "a.py:1: x = 1  # TODO later" in second.prompt
    (prompt,) = of_type(log, EventType.MODIFICATION_PROMPT)
    assert prompt["resume"] is False and prompt["prompt"] == second.prompt


def test_an_agent_that_resumes_gets_only_the_findings_in_its_own_session(project: Path) -> None:
    """claude-code resumes: pass 2 carries the agent's session id and just the findings."""
    with core_with(project, executor="shell", review_mode=ReviewMode.ON) as h:
        agent = scripted(h, "claude-code", [writes("a.py", "def f(:\n"), writes("a.py", "def f(): pass\n")])
        log = h.line("make a.py")
    assert log.status is TaskStatus.COMPLETE
    assert agent.tasks[1].resume_token == "sess-abc"
    assert agent.tasks[1].prompt.startswith("pm-runner reviewed the result of your last pass")
    assert "a.py: does not parse as Python: line 1:" in agent.tasks[1].prompt


def test_cancelling_during_a_retry_backoff_ends_the_task_at_once(project: Path) -> None:
    """Ctrl-C while waiting to retry: the task ends INTERRUPTED without another pass."""
    with core_with(project, executor="shell", retry_backoff_ms=30_000) as h:
        agent = scripted(h, "claude-code", [overloaded])
        timer = h.cancel_after(0.3)
        log = h.line("make a.py")
        timer.cancel()
    assert log.status is TaskStatus.ERROR and log.error_code is ErrorCode.INTERRUPTED
    assert len(agent.tasks) == 1 and of_type(log, EventType.RETRY_DECISION) and not of_type(log, EventType.RETRY_START)


def test_retries_without_review_still_happen_and_run_out(project: Path) -> None:
    """With the review off a transient failure is still retried, max_retries times, then the task errors."""
    with core_with(project, executor="shell", review_mode=ReviewMode.OFF, retry_backoff_ms=1, max_retries=2) as h:
        agent = scripted(h, "claude-code", [overloaded])
        log = h.line("make a.py")
    assert len(agent.tasks) == 3 and log.status is TaskStatus.ERROR
    assert log.error_reason == "API error 529 (overloaded) (still failing after 2 retries)"
    assert not of_type(log, EventType.QUALITY_JUDGMENT) and not of_type(log, EventType.REVIEW_LOOP_START)
    assert [c["attempt"] for c in of_type(log, EventType.RETRY_START)] == [1, 2]


def test_a_task_budget_stops_that_task_but_not_the_next(project: Path) -> None:
    """--max-task-cost-usd stops the task's loop when reached; the next task still runs."""
    with core_with(project, executor="shell", review_mode=ReviewMode.ON, max_iterations=5) as h:
        h.core.budget.limits = BudgetLimits(max_task_cost_usd=0.025)
        scripted(h, "claude-code", [writes("a.py", "# TODO\n")])
        first = h.line("make a.py")
        agent = scripted(h, "claude-code", [writes("b.py", "# FIXME\n")])
        second = h.line("make b.py")
    assert first.error_code is ErrorCode.BUDGET_EXCEEDED and "task budget of $0.0250 reached" in (first.error_reason or "")
    assert len(of_type(first, EventType.QUALITY_JUDGMENT)) == 3
    assert second.error_code is ErrorCode.BUDGET_EXCEEDED and len(agent.tasks) == 3  # ran, and stopped again


def test_an_unknown_cost_is_said_once_and_a_token_budget_still_counts(project: Path) -> None:
    """No reported cost and a model not in the table: a warning naming it, no dollars, tokens counted."""
    with core_with(project, executor="shell", review_mode=ReviewMode.ON, max_iterations=5) as h:
        h.core.budget.limits = BudgetLimits(max_cost_usd=1.0, max_tokens=2500)
        scripted(h, "claude-code", [writes("a.py", "# TODO\n", cost=None, model="gemini-3.5-flash-lite")])
        log = h.line("make a.py")
    warnings = [n.message for n in h.ui.notices if "is not known" in n.message]
    assert len(warnings) == 1 and "gemini-3.5-flash-lite" in warnings[0] and "only the --max-tokens" in warnings[0]
    assert log.error_code is ErrorCode.BUDGET_EXCEEDED and "session token budget" in (log.error_reason or "")
    assert log.metrics is not None and log.metrics.cost_usd is None and log.metrics.input_tokens == 3000
    assert h.core.budget.spent.unpriced_passes == 3


def test_an_estimated_cost_counts_against_the_budget(project: Path) -> None:
    """Tokens of a priced model with no reported cost are estimated and counted in dollars."""
    with core_with(project, executor="shell", review_mode=ReviewMode.ON) as h:
        h.core.budget.limits = BudgetLimits(max_cost_usd=1.0)
        scripted(h, "claude-code", [writes("a.py", "x = 1\n", cost=None, model="claude-sonnet-4-6")])
        log = h.line("make a.py")
    assert log.metrics is not None and log.metrics.cost_source == "estimated"
    assert log.metrics.cost_usd == pytest.approx(1000 * 3 / 1e6 + 100 * 15 / 1e6)
    assert h.core.budget.spent.cost_usd == log.metrics.cost_usd


def test_model_change_is_recorded_in_the_next_task(project: Path) -> None:
    """/model NAME is a MODEL_CHANGE event (full) in the task that runs next, and MODEL_SELECTED says why."""
    with core_with(project, executor="shell", review_mode=ReviewMode.ON) as h:
        scripted(h, "claude-code", [writes("a.py", "x = 1\n")])
        h.core.change_model("claude-opus-4-8")
        log = h.line("make a.py")
        again = h.line("make b.py")
    (change,) = of_type(log, EventType.MODEL_CHANGE)
    assert (change["from_model"], change["to_model"], change["source"]) == ("(executor default)", "claude-opus-4-8",
                                                                            "/model")
    assert [e.visibility.value for e in log.events if e.event_type is EventType.MODEL_CHANGE] == ["full"]
    assert [c["why"] for c in of_type(log, EventType.MODEL_SELECTED)] == ["/model"]
    assert not of_type(again, EventType.MODEL_CHANGE)


def test_a_bug_in_the_review_still_leaves_an_error_log(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail-closed: an exception inside the loop ends the task ERROR with the reason, never a running log."""
    import runner.orchestration.loop.review as review

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("criteria exploded")

    monkeypatch.setattr(review, "gather_facts", broken)
    with core_with(project, executor="shell", review_mode=ReviewMode.ON) as h:
        scripted(h, "claude-code", [writes("a.py", "x = 1\n")])
        log = h.line("make a.py")
        saved = h.task(log.task_id)
    assert log.status is TaskStatus.ERROR and "RuntimeError: criteria exploded" in (log.error_reason or "")
    assert saved.status is TaskStatus.ERROR
