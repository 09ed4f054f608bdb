"""What one task needs to run through the loop (`TaskSpec`), and what it gives back (`TaskRun`).

The core builds a `TaskSpec` per task (`RunnerCore.task_spec`); the planner builds one per subtask
the same way. Data only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from runner.orchestration.budget import SessionBudget
from runner.orchestration.rules import LoopRules

if TYPE_CHECKING:
    from runner.executors.base import Executor, ExecutorResult, ExecutorTask
    from runner.logs.models import ExecutorInfo, TaskLog
    from runner.logs.vocabulary import RequireEvidence
    from runner.pricing import PriceTable


def _builtin_prices() -> PriceTable:
    """The bundled price table; read when a spec is made without one (the pricing module loads then)."""
    from runner.pricing import builtin_table

    return builtin_table()


@dataclass(frozen=True)
class ReviewPlan:
    """Whether the review runs for this task, which criteria are on, and the user's checks."""

    enabled: bool = False
    criteria: Mapping[str, bool] = field(default_factory=dict)  # a criterion not named is on
    checks: tuple[str, ...] = ()
    check_timeout_ms: int = 300_000


@dataclass(frozen=True)
class ModelPlan:
    """The model the task starts with and why (`--model flag`, `config file`, `/model`, ...)."""

    model: str | None = None
    reason: str = "executor default"
    takes_model: bool = False  # the executor passes a model to its agent (MODEL_SELECTED is recorded)
    resumes: bool = False  # the executor can continue the agent's own session


@dataclass(frozen=True)
class TaskSpec:
    """Everything needed to run one already-registered task."""

    task_id: str
    executor: Executor
    executor_info: ExecutorInfo
    executor_task: ExecutorTask  # prompt, project root, limits, resume token, model, cancel
    require_evidence: RequireEvidence
    review: ReviewPlan = ReviewPlan()
    rules: LoopRules = LoopRules()
    models: ModelPlan = ModelPlan()
    budget: SessionBudget = field(default_factory=SessionBudget)
    prices: PriceTable = field(default_factory=_builtin_prices)


@dataclass(frozen=True)
class TaskRun:
    """The terminal TaskLog, and the executor's last result when it got that far."""

    log: TaskLog
    result: ExecutorResult | None
