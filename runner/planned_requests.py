"""RunnerCore's plans (spec/planning.md): a new request planned, run as subtasks, and retried part by part.

A mixin of `RunnerCore` (runner/core.py), kept apart so the core holds the session and single
tasks and this module the chunked requests. Its methods name what they use of the core by the
`_Core` protocol, so this module never imports the core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from runner.errors import RunnerError
from runner.executors.registry import EXECUTORS
from runner.logs.vocabulary import EventType
from runner.notices import Notice

if TYPE_CHECKING:
    from runner.config import RunnerConfig
    from runner.executors.base import Cancellation, Executor
    from runner.logs.manager import TaskLogManager
    from runner.logs.models import TaskLog
    from runner.orchestration.gates import Rejection
    from runner.orchestration.loop import TaskRun
    from runner.orchestration.planning.model import Plan
    from runner.orchestration.request import RequestOutcome


class _PlanUI(Protocol):
    def plan_ready(self, plan: Plan) -> bool: ...


class _Core(Protocol):
    """What the plan methods use of `RunnerCore`."""

    config: RunnerConfig
    cancel: Cancellation
    executor_name: str | None
    _executor: Executor | None
    _prompts: dict[str, str]
    _plans: dict[str, Plan]
    _notices: list[Notice]

    @property
    def manager(self) -> TaskLogManager: ...
    @property
    def ui(self) -> _PlanUI: ...
    def rejection(self) -> Rejection | None: ...
    def plan_for(self, line: str) -> Plan | None: ...
    def planning_active(self) -> bool: ...
    def _run(self, task: TaskLog, prompt: str, *, resume_token: str | None) -> RequestOutcome: ...
    def _run_one(self, task: TaskLog, prompt: str, resume_token: str | None) -> TaskRun: ...
    def _finished(self, log: TaskLog) -> None: ...
    def _retried(self, original: TaskLog, outcome: RequestOutcome) -> RequestOutcome: ...
    def _run_plan(self, parent: TaskLog, plan: Plan, prompt: str, *, retry_of: TaskLog | None = None,
                  carried: dict[int, TaskLog] | None = None, reruns: dict[int, str] | None = None
                  ) -> RequestOutcome: ...


class PlannedRequests:
    """New requests, planned and chunked when planning is on; `/retry` of a chunked task."""

    _notices: list[Notice]  # the core's: what the request being handled says after its tasks

    def _new_request(self: _Core, line: str) -> RequestOutcome:
        """A new request: planned when planning is on for the executor; split when the plan says so."""
        # The planner and the chunked run load with the first request, not at start-up.
        from runner.orchestration.chunking.run import record_plan
        from runner.orchestration.request import RequestOutcome

        plan = self.plan_for(line)
        if plan is not None and plan.chunked:
            if not self.ui.plan_ready(plan):
                return RequestOutcome(notices=[Notice.info("Plan not run: nothing was started or logged "
                                                           "(/plan off runs requests whole)")])
            parent = self.manager.create_task(line)
            return self._run_plan(parent, plan, line)
        task = self.manager.create_task(line)
        if plan is not None:
            record_plan(self.manager, task.task_id, plan, mode=self.config.plan,
                        max_subtasks=self.config.max_subtasks)
        return self._run(task, line, resume_token=None)

    def plan_for(self: _Core, line: str) -> Plan | None:
        """The plan of `line` when planning is on for the current executor and it can run; else None."""
        from runner.orchestration.planner import make_plan

        if self.rejection() is not None or not self.planning_active():
            return None
        return make_plan(line, max_subtasks=self.config.max_subtasks)

    def planning_active(self: _Core) -> bool:
        """Whether new requests are planned now (the mode, and whether the executor plans by default)."""
        from runner.orchestration.planner import planning_on

        spec = EXECUTORS.get(self.executor_name or "")
        return planning_on(self.config.plan, spec.plans_by_default if spec else False)

    def _run_plan(self: _Core, parent: TaskLog, plan: Plan, prompt: str, *, retry_of: TaskLog | None = None,
                  carried: dict[int, TaskLog] | None = None, reruns: dict[int, str] | None = None) -> RequestOutcome:
        """Run a registered parent's plan: each part through the per-task step, then the parent's verdict."""
        from runner.logs.models import ExecutorInfo
        from runner.orchestration.chunking.run import ChunkedRequest, record_plan, run_chunked
        from runner.orchestration.request import RequestOutcome

        self._notices = []
        self._prompts[parent.task_id] = prompt
        self._plans[parent.task_id] = plan
        record_plan(self.manager, parent.task_id, plan, mode=self.config.plan, max_subtasks=self.config.max_subtasks,
                    retry_of=retry_of.task_id if retry_of else None)
        executor = self._executor
        name = executor.name if executor else (self.executor_name or "none")
        spec = EXECUTORS.get(name)
        carried = carried or {}
        last_done = [carried[n] for n in sorted(carried)]
        request = ChunkedRequest(
            parent=parent, plan=plan, executor=ExecutorInfo(name=name, model=self.config.model),
            project_root=str(self.config.project_root), timeout_ms=self.config.limits_for(name)[0],
            reads_prose=spec.reads_prose if spec else True, carried=carried, retry_of=reruns or {},
            resume_token=next((log.resume_token for log in reversed(last_done) if log.resume_token), None))
        run = run_chunked(self.manager, request, self._run_one, self.cancel.is_set, self._finished)
        self._finished(run.parent)
        return RequestOutcome(tasks=[*run.children, run.parent], notices=self._notices,
                              interrupted=run.interrupted or self.cancel.is_set())

    def _retry_plan(self: _Core, original: TaskLog, plan: Plan, prompt: str) -> RequestOutcome:
        """`/retry` of a chunked task: a new parent in a new run re-runs only the parts that did not complete."""
        from runner.orchestration.chunking.retry import parts_so_far, retry_start

        parts = parts_so_far(original, self.manager.entries())
        if not parts.to_rerun(plan):
            raise RunnerError(f"nothing to retry: every subtask of {original.task_id} completed",
                              hint="/retry task-NNN runs one subtask again (see /tasks)")
        parent = self.manager.create_task(prompt, thread_id=original.thread_id,
                                          parent_task_id=original.task_id, new_run=True)
        self.manager.add_event(parent.task_id, EventType.RETRY_START, retry_start(original, plan, parts))
        carried = {n: self.manager.get_task(task_id) for n, task_id in parts.completed.items()}
        reruns = {n: parts.latest[n] for n in parts.to_rerun(plan) if n in parts.latest}
        outcome = self._run_plan(parent, plan, prompt, retry_of=original, carried=carried, reruns=reruns)
        return self._retried(original, outcome)
