"""A pass's metrics from what the executor reported, priced when it gave no cost; a task's as their sum.

Cost: the executor's own figure when it reports one (`reported`); else the price table's estimate
for a known model (`estimated`); else none — an unknown model's cost is never guessed. A task's
metrics add up every pass (review iterations, retries, the fallback): durations, tokens, turns and
known costs; `cost_source` says `partial` when some pass had no known cost. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from runner.logs.models import Metrics
from runner.pricing import PriceTable, TokenCounts, estimate_cost

REPORTED, ESTIMATED, PARTIAL = "reported", "estimated", "partial"


def pass_metrics(usage: Metrics | None, prices: PriceTable, model: str | None = None,
                 session_cost_before: float | None = None) -> Metrics | None:
    """One pass's metrics; `model` (the one asked for) names it when the executor did not say.

    A cost that is the agent session's running total (`usage.cost_covers_session`) becomes this pass's
    by subtracting the total the previous pass of that session reported; when that is not known, the
    pass's own tokens are priced from the table; failing both, the running total stands (an over-count,
    never an under-count).
    """
    if usage is None:
        return None
    named = usage.model or model
    tokens = TokenCounts(usage.input_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens,
                         usage.output_tokens)
    cost, source = usage.cost_usd, REPORTED if usage.cost_usd is not None else None
    if cost is not None and usage.cost_covers_session:
        if session_cost_before is not None:
            cost = round(max(cost - session_cost_before, 0.0), 8)
        elif (own := estimate_cost(named, tokens, prices)) is not None:
            cost, source = own, ESTIMATED
    if cost is None:
        cost = estimate_cost(named, tokens, prices)
        source = ESTIMATED if cost is not None else None
    return Metrics(
        duration_ms=usage.duration_ms, input_tokens=usage.input_tokens,
        cache_read_input_tokens=usage.cache_read_input_tokens,
        cache_creation_input_tokens=usage.cache_creation_input_tokens,
        output_tokens=usage.output_tokens, cost_usd=cost, model=named, num_turns=usage.num_turns,
        cost_source=source, passes=1,
    )


def tokens_of(metrics: Metrics | None) -> int | None:
    """Input (cached included) plus output tokens, or None when the pass reported neither."""
    if metrics is None or (metrics.input_tokens is None and metrics.output_tokens is None):
        return None
    return (metrics.input_tokens or 0) + (metrics.output_tokens or 0)


def _sum(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def total_metrics(passes: Sequence[Metrics | None]) -> Metrics | None:
    """The task's metrics: every pass summed; the model is the last one that answered."""
    known = [m for m in passes if m is not None]
    if not known:
        return None
    costs = [m.cost_usd for m in known]
    priced = [c for c in costs if c is not None]
    sources = {m.cost_source for m in known}
    if len(priced) < len(passes):
        source = PARTIAL if priced else None
    else:
        source = ESTIMATED if ESTIMATED in sources else REPORTED
    return Metrics(
        duration_ms=_sum([m.duration_ms for m in known]),
        input_tokens=_sum([m.input_tokens for m in known]),
        cache_read_input_tokens=_sum([m.cache_read_input_tokens for m in known]),
        cache_creation_input_tokens=_sum([m.cache_creation_input_tokens for m in known]),
        output_tokens=_sum([m.output_tokens for m in known]),
        cost_usd=round(sum(priced), 8) if priced else None,
        model=next((m.model for m in reversed(known) if m.model), None),
        num_turns=_sum([m.num_turns for m in known]),
        cost_source=source, passes=len(passes),
    )
