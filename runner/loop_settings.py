"""The `review`, `budget` and `models` sections of `.claude/runner.config.json` (spec/configuration.md).

Every key is optional; flags override them (`--review`, `--check`, `--max-iterations`,
`--max-retries`, `--max-cost-usd`, `--max-task-cost-usd`, `--max-tokens`, `--escalate-model`,
`--fallback-model`). `review.checks` runs programs, so checks from a repository's file follow the
repository-trust rule (spec/review-loop.md): they are kept apart (`RunnerConfig.repo_checks`) and
run only once the project is trusted.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from runner.pricing import Price
from runner.setting_choices import ReviewMode

__all__ = ["BudgetSection", "Criteria", "LoopSettings", "ModelsSection", "ReviewMode", "ReviewSection"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Criteria(_Section):
    """Q1–Q5, each on unless switched off."""

    files_verified: bool = True
    no_todo: bool = True
    no_omissions: bool = True
    parses: bool = True
    evidence: bool = True


class ReviewSection(_Section):
    mode: ReviewMode | None = None
    max_iterations: int | None = Field(default=None, ge=1, le=20)
    max_retries: int | None = Field(default=None, ge=0, le=10)
    retry_backoff_ms: int | None = Field(default=None, ge=0, le=600_000)
    checks: list[str] = Field(default_factory=list)
    check_timeout_ms: int | None = Field(default=None, gt=0)
    criteria: Criteria = Field(default_factory=Criteria)


class BudgetSection(_Section):
    max_cost_usd: float | None = Field(default=None, gt=0)
    max_task_cost_usd: float | None = Field(default=None, gt=0)
    max_tokens: int | None = Field(default=None, gt=0)
    warn_ratio: float | None = Field(default=None, gt=0, lt=1)


class ModelsSection(_Section):
    escalate: str | None = None
    fallback: str | None = None
    prices: dict[str, Price] = Field(default_factory=dict)


class LoopSettings(_Section):
    """The three sections as the config file holds them and as the loop's flags give them."""

    review: ReviewSection = Field(default_factory=ReviewSection)
    budget: BudgetSection = Field(default_factory=BudgetSection)
    models: ModelsSection = Field(default_factory=ModelsSection)
