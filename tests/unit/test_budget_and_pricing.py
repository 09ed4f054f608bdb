"""Budgets (crossings, refusal, a continued session's spend) and the price table's estimates, from tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runner.logs.models import Metrics
from runner.logs.store.indexes import entry_from_log
from runner.orchestration.budget import (
    BudgetEvent,
    BudgetKind,
    BudgetLevel,
    BudgetLimits,
    SessionBudget,
    Spend,
    crossings,
    describe,
    spend_of,
)
from runner.orchestration.loop.metrics import pass_metrics, total_metrics
from runner.pricing import (
    Price,
    TokenCounts,
    builtin_table,
    candidate_names,
    estimate_cost,
    with_overrides,
)
from tests.helpers.recorded_streams import STREAMS
from tests.helpers.sample_logs import session_logs

W, X = BudgetLevel.WARNING, BudgetLevel.EXCEEDED
USD = BudgetLimits(max_cost_usd=1.0)


@pytest.mark.parametrize(("limits", "before", "after", "expected"), [
    (USD, 0.0, 0.5, []),
    (USD, 0.5, 0.8, [(BudgetKind.SESSION_USD, W)]),
    (USD, 0.8, 0.9, []),  # a warning is given once, when 80% is crossed
    (USD, 0.9, 1.0, [(BudgetKind.SESSION_USD, X)]),
    (USD, 0.5, 1.5, [(BudgetKind.SESSION_USD, W), (BudgetKind.SESSION_USD, X)]),  # both at once, in order
    (USD, 1.2, 1.5, []),  # already over: nothing new
    (BudgetLimits(), 0.0, 99.0, []),
    (BudgetLimits(max_cost_usd=1.0, warn_ratio=0.5), 0.4, 0.6, [(BudgetKind.SESSION_USD, W)]),
])
def test_crossings(limits: BudgetLimits, before: float, after: float,
                   expected: list[tuple[BudgetKind, BudgetLevel]]) -> None:
    """A pass that takes spend across 80% warns, across 100% exceeds; each once."""
    events = crossings(limits, (Spend(before), Spend()), (Spend(after), Spend()))
    assert [(e.kind, e.level) for e in events] == expected


def test_float_rounding_does_not_skip_the_warning() -> None:
    """$0.01 + $0.01 is 80% of $0.025 even though 0.8 * 0.025 is 0.020000000000000004."""
    limits = BudgetLimits(max_cost_usd=0.025)
    after = Spend().plus(0.01, 1).plus(0.01, 1)
    assert [e.level for e in crossings(limits, (Spend(0.01), Spend()), (after, Spend()))] == [W]


def test_task_and_token_budgets_cross_independently() -> None:
    """The task's USD and the session's tokens are limits of their own."""
    budget = SessionBudget(BudgetLimits(max_task_cost_usd=0.1, max_tokens=1000))
    task, events = budget.charge(Spend(), 0.09, 500)
    assert [(e.kind, e.level) for e in events] == [(BudgetKind.TASK_USD, W)]
    task, events = budget.charge(task, 0.02, 600)
    assert [(e.kind, e.level) for e in events] == [(BudgetKind.TASK_USD, X), (BudgetKind.SESSION_TOKENS, W),
                                                   (BudgetKind.SESSION_TOKENS, X)]
    assert budget.refusal() is not None and budget.refusal().kind is BudgetKind.SESSION_TOKENS  # type: ignore[union-attr]


def test_a_spent_session_refuses_until_raised_and_a_task_limit_never_refuses() -> None:
    """Only a session limit refuses new tasks; raising it lets them run again."""
    budget = SessionBudget(BudgetLimits(max_cost_usd=0.02, max_task_cost_usd=0.001), Spend(0.03, 10))
    assert budget.refusal() == BudgetEvent(BudgetKind.SESSION_USD, X, 0.03, 0.02)
    budget.limits = BudgetLimits(max_cost_usd=1.0, max_task_cost_usd=0.001)
    assert budget.refusal() is None


def test_unknown_cost_counts_tokens_and_unpriced_passes() -> None:
    """A pass without a cost adds its tokens, no dollars, and one unpriced pass."""
    assert Spend().plus(None, 120).plus(0.5, 10) == Spend(0.5, 130, 1)


@pytest.mark.parametrize(("event", "text"), [
    (BudgetEvent(BudgetKind.SESSION_USD, W, 0.02, 0.025), "session budget 80% used ($0.0200 of $0.0250)"),
    (BudgetEvent(BudgetKind.TASK_USD, X, 0.3, 0.25), "task budget of $0.2500 reached ($0.3000 spent)"),
    (BudgetEvent(BudgetKind.SESSION_TOKENS, X, 1200, 1000), "session token budget of 1000 tokens reached "
                                                            "(1200 tokens spent)"),
])
def test_describe(event: BudgetEvent, text: str) -> None:
    """Budget events read as one sentence with the numbers."""
    assert describe(event) == text


def test_a_continued_session_counts_what_its_tasks_spent() -> None:
    """The spend of a continued session is the sum of its index rows' costs and tokens."""
    entries = [entry_from_log(log) for log in session_logs()]
    spent = spend_of(entries)
    known = [e.cost_usd for e in entries if e.cost_usd is not None]
    assert spent.cost_usd == pytest.approx(sum(known))


def _final_result(recording: Path) -> dict[str, Any] | None:
    """The recording's last `result` line that priced a model call, if any."""
    lines = [json.loads(line) for line in recording.read_text().splitlines() if line.startswith("{")]
    results = [r for r in lines if r.get("type") == "result" and r.get("modelUsage")]
    return results[-1] if results else None


PRICED = [path for path in sorted((STREAMS / "claude").rglob("*.jsonl")) if _final_result(path) is not None]


def test_the_recordings_hold_priced_runs_of_both_versions() -> None:
    """Five recorded runs of 2.1.197 and four of 2.1.332 called the model and reported a cost."""
    assert [len([p for p in PRICED if p.parent.name == v]) for v in ("claude", "2.1.332")] == [5, 4]


@pytest.mark.parametrize("recording", PRICED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_table_prices_recorded_claude_runs_as_claude_code_did(recording: Path) -> None:
    """For every recorded real Claude Code run, the table's price of its tokens is the cost the CLI reported
    (for 2.1.332's resumed session, whose cost is the session's total: that total minus the first run's)."""
    result = _final_result(recording)
    assert result is not None
    usage = result["usage"]
    (model,) = result["modelUsage"]
    tokens = TokenCounts(usage["input_tokens"] + usage["cache_creation_input_tokens"] + usage["cache_read_input_tokens"],
                         usage["cache_read_input_tokens"], usage["cache_creation_input_tokens"], usage["output_tokens"])
    expected = result["total_cost_usd"]
    if recording.parent.name == "2.1.332" and recording.stem == "resume_answer":
        first = _final_result(recording.parent / "question.jsonl")
        assert first is not None
        expected -= first["total_cost_usd"]
    assert estimate_cost(model, tokens, builtin_table()) == pytest.approx(expected, abs=1e-9)


def test_a_session_total_cost_becomes_the_pass_cost() -> None:
    """A resumed pass whose cost is the session's total counts only its own part: by difference, else by price."""
    table = builtin_table()
    usage = Metrics(model="claude-opus-5-5", input_tokens=7000, cache_read_input_tokens=4000,
                  cache_creation_input_tokens=600, output_tokens=84, cost_usd=0.02262, cost_covers_session=True)
    by_difference = pass_metrics(usage, table, session_cost_before=0.00754)
    by_price = pass_metrics(usage, table)
    assert by_difference is not None and by_difference.cost_usd == 0.01508 and by_difference.cost_source == "reported"
    assert by_price is not None and by_price.cost_usd == 0.01508 and by_price.cost_source == "estimated"


@pytest.mark.parametrize(("model", "found"), [
    ("claude-opus-4-8", "claude-opus-4-8"),
    ("claude-opus-4-8[1m]", "claude-opus-4-8"),
    ("anthropic/claude-sonnet-4-6", "claude-sonnet-4-6"),
    ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ("claude-sonnet-4-5@20250929", "claude-sonnet-4-5"),
    ("gpt-5.5-2026-04-23", "gpt-5.5"),
    ("models/gemini-2.5-flash", "gemini-2.5-flash"),
    ("claude-opus-4", "claude-opus-4-0"),  # an alias
    ("gemini-3.5-flash-lite", None),  # not in the table: never guessed
    ("gpt-5.5.1", None),
    (None, None),
])
def test_lookup(model: str | None, found: str | None) -> None:
    """A model is found under its plain name, without suffixes or prefixes, or by alias; else not at all."""
    table = builtin_table()
    price = table.lookup(model)
    assert price == (table.prices[found] if found else None), candidate_names(model)


def test_a_long_prompt_is_priced_at_the_long_context_rate() -> None:
    """Past the threshold the whole pass is priced at the higher rates: an upper bound, never under."""
    table = builtin_table()
    short = estimate_cost("gpt-5.5", TokenCounts(272_000, 0, None, 0), table)
    long = estimate_cost("gpt-5.5", TokenCounts(272_001, 0, None, 0), table)
    assert short == pytest.approx(1.36) and long == pytest.approx(2.72001)


def test_missing_cache_rates_are_priced_as_input_and_overrides_win() -> None:
    """A row without a cache-read rate prices cached tokens at the input rate; config rows add or replace."""
    table = with_overrides(builtin_table(), {"My-Model": Price(input=1.0, output=2.0)})
    assert estimate_cost("my-model", TokenCounts(1_000_000, 400_000, None, 1_000_000), table) == 3.0
    assert table.overridden == ("My-Model",)
    assert table.as_of == builtin_table().as_of == "2026-11-27"


def test_metrics_are_reported_estimated_or_unknown_and_sum_over_passes() -> None:
    """Reported cost wins; tokens of a known model are estimated; an unknown model has no cost; a task sums."""
    table = builtin_table()
    reported = pass_metrics(Metrics(model="x", input_tokens=10, output_tokens=5, cost_usd=0.5), table)
    estimated = pass_metrics(Metrics(model="gpt-5.5", input_tokens=5000, cache_read_input_tokens=3000,
                                   output_tokens=60), table)
    unknown = pass_metrics(Metrics(model="gemini-3.5-flash-lite", input_tokens=4000, output_tokens=50), table)
    assert reported is not None and reported.cost_source == "reported"
    assert estimated is not None and estimated.cost_source == "estimated" and estimated.cost_usd == 0.0133
    assert unknown is not None and unknown.cost_usd is None and unknown.cost_source is None
    total = total_metrics([reported, estimated, unknown])
    assert total is not None and total.cost_usd == 0.5133 and total.cost_source == "partial"
    assert total.passes == 3 and total.input_tokens == 9010 and total.model == "gemini-3.5-flash-lite"
    both = total_metrics([reported, estimated])
    assert both is not None and both.cost_source == "estimated"
