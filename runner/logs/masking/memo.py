"""Remembered masking results of short strings (event keys, stream names, tool names, statuses).

Masking one string has a fixed cost of a few microseconds whatever its length (lowercasing,
the env-value search, the prefilter's scan), and most strings of an event are short words
that come back on every event: `"stream"`, `"line"`, `"stdout"`. Their results are kept here.

Why this is exactly as safe as masking again: masking is a pure function of the string,
the env-value table (`env_secrets()`), the rule table (`table()`) and the prefilter engine in
use (`prefilter()`); nothing else it reads changes (no clock, no randomness). The results
are kept per *generation*, the identities of those three objects; the first use after any
of them changed (`reset_env_secrets`, a rebuilt table, another `PM_RUNNER_MASKING_ENGINE`)
starts from an empty memo. A failed masking (`MASKING_ERROR`) is never remembered. So a
remembered answer is the answer masking would give now, character for character.

Only strings of at most `SHORT_CHARS` characters are kept, at most `MAX_ENTRIES` of them
(the memo is emptied when full), so it holds a few hundred kilobytes at most.
"""

from __future__ import annotations

from collections import Counter

from runner.logs.masking import engine, env

SHORT_CHARS = 64
MAX_ENTRIES = 4096

Result = tuple[str, dict[str, int]]  # the masked text, and how many values each rule masked (never changed)
ShortResults = dict[str, Result]

_generation: tuple[object, object, object] | None = None
_results: ShortResults = {}


def short_results() -> ShortResults:
    """The memo of the current generation (emptied if the env table, rules or engine changed)."""
    global _generation, _results
    values, rules, scanner = env.env_secrets(), engine.table(), engine.prefilter()
    known = _generation
    if known is None or known[0] is not values or known[1] is not rules or known[2] is not scanner:
        # Rebinding globals is atomic: a concurrent caller at worst fills a memo that is dropped.
        _generation, _results = (values, rules, scanner), {}
    return _results


def remember(memo: ShortResults, text: str, masked: str, counts: Counter[str]) -> Result:
    """Keep `text`'s result in `memo` (emptied first when full); returns the kept result."""
    if len(memo) >= MAX_ENTRIES:
        memo.clear()
    result = (masked, dict(counts))
    memo[text] = result
    return result
