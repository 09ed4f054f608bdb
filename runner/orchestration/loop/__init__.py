"""The task loop: one registered task through passes, review iterations, retries, fallback,
escalation and budget checks, to its terminal TaskLog (spec/review-loop.md).

`sequence.run_task(manager, spec, listener) -> TaskRun` is the entry point (the core and the planner
call it once per task); `TaskSpec` says how the task runs. Modules: `sequence` (the only one that orders
the steps), `passes` (one executor pass), `review` (criteria and checks of a pass), `events` (what is
written), `metrics` (a pass's and a task's metrics), `spec` (the data), `plans` (settings → spec parts).
This package re-exports the data only: the steps (`sequence` and what it imports: the executors'
supervisor, change detection, the review) load with the first task, not when the REPL starts.
"""

from runner.orchestration.loop.spec import ModelPlan, ReviewPlan, TaskRun, TaskSpec

__all__ = ["ModelPlan", "ReviewPlan", "TaskRun", "TaskSpec"]
