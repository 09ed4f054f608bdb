"""Preconditions checked before a task reaches its executor: is there one, and does it have its key.

A task that fails a gate is still logged, as `error` with `runner_decision: reject` and the fix.
A session whose budget is spent refuses every new task (`BUDGET_EXCEEDED`) until `/budget` raises it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from runner.errors import RunnerError
from runner.executors.base import Executor
from runner.executors.keys import KeySetting, required_key_missing
from runner.logs.models import ErrorCode
from runner.orchestration.budget import BudgetEvent, describe


@dataclass(frozen=True)
class Rejection:
    """Why a task is refused before it runs, and what fixes it."""

    reason: str
    hint: str
    error_code: ErrorCode = ErrorCode.REJECTED


def check_gates(executor: Executor | None, problem: RunnerError | None,
                settings: Mapping[str, KeySetting], environ: Mapping[str, str] | None = None) -> Executor | Rejection:
    """The executor the task may run on, or the first gate it fails."""
    if executor is None:
        problem = problem or RunnerError("no executor", hint="choose one with /provider")
        return Rejection(problem.message, problem.hint or "/provider")
    missing = required_key_missing(settings, executor.name, environ)
    if missing:
        return Rejection(f"{missing} is not set", f"export {missing}=... before starting pm-runner")
    return executor


def budget_rejection(reached: BudgetEvent) -> Rejection:
    """A new task refused because the session's budget is spent."""
    return Rejection(f"{describe(reached)}: no new task runs until the budget is raised",
                     "raise it with /budget <USD> (or /budget tokens <N>), or start a new pm-runner with a "
                     "higher --max-cost-usd / --max-tokens", ErrorCode.BUDGET_EXCEEDED)
