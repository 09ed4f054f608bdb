"""`/budget`: show what the session spent against its limits, or set a limit.

`/budget` shows; `/budget 5` (or `$5`) sets the session budget in US dollars, `/budget off` removes
it; `/budget task 0.50` and `/budget tokens 200000` set the per-task and token budgets the same way.
A raised limit lets a session that was refusing tasks run again.
"""

from __future__ import annotations

import math
from dataclasses import replace

from runner.core import RunnerCore
from runner.errors import RunnerError
from runner.orchestration.budget import BudgetLimits
from runner.views.repl_views import session_spend

_HINT = "/budget 5, /budget off, /budget task 0.50, /budget tokens 200000"


def change_budget(core: RunnerCore, args: list[str]) -> list[str]:
    """The lines to show after handling `/budget ARGS` (raises RunnerError on a bad form)."""
    limits = core.budget.limits
    if not args:
        return [f"Budget: {session_spend(limits, core.budget.spent)}", *_limits_lines(limits)]
    which, value = ("session", args[0]) if len(args) == 1 else (args[0], args[1]) if len(args) == 2 else ("", "")
    if which == "session":
        limits = replace(limits, max_cost_usd=_usd(value))
    elif which == "task":
        limits = replace(limits, max_task_cost_usd=_usd(value))
    elif which == "tokens":
        limits = replace(limits, max_tokens=_tokens(value))
    else:
        raise RunnerError(f"unknown /budget form {' '.join(args)!r}", hint=_HINT)
    core.budget.limits = limits
    lines = [f"Budget: {session_spend(limits, core.budget.spent)}"]
    refused = core.budget.refusal()
    if refused is not None:
        lines.append("The session budget is still spent: new tasks stay refused until it is raised above the spend.")
    return lines


def _limits_lines(limits: BudgetLimits) -> list[str]:
    if limits.any:
        return []
    return ["No budget is set: /budget 5 sets a session budget of $5 (or start with --max-cost-usd)"]


def _usd(text: str) -> float | None:
    if text.lower() == "off":
        return None
    try:
        value = float(text.removeprefix("$"))
    except ValueError:
        raise RunnerError(f"not an amount in US dollars: {text!r}", hint=_HINT) from None
    if not value > 0 or math.isinf(value):
        raise RunnerError(f"a budget must be a positive amount, not {text}", hint=_HINT)
    return value


def _tokens(text: str) -> int | None:
    if text.lower() == "off":
        return None
    if not text.isdigit() or int(text) <= 0:
        raise RunnerError(f"not a positive whole number of tokens: {text!r}", hint=_HINT)
    return int(text)
