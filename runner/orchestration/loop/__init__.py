"""The task loop: one registered task through passes, review iterations, retries, fallback,
escalation and budget checks, to its terminal TaskLog (spec/review-loop.md).

`run_task(manager, spec, listener) -> TaskRun` is the entry point (the core and the planner call it
once per task); `TaskSpec` says how the task runs. Modules: `sequence` (the only one that orders the
steps), `passes` (one executor pass), `review` (criteria and checks of a pass), `events` (what is
written), `metrics` (a pass's and a task's metrics), `spec` (the data), `plans` (settings → spec parts).
"""

from runner.orchestration.loop.sequence import run_task
from runner.orchestration.loop.spec import ModelPlan, ReviewPlan, TaskRun, TaskSpec

__all__ = ["ModelPlan", "ReviewPlan", "TaskRun", "TaskSpec", "run_task"]
