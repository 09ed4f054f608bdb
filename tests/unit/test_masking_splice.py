"""Masking's fast ways held to the general ones: splice, `then` on marked lines only, covered spans,
one block, entropy in one pass."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.logs.masking import engine, mask_text
from runner.logs.masking.splice import apply_then, line_local
from runner.logs.masking.values import shannon_entropy
from tests.helpers.secret_samples import MAKERS

JSON_RULE = next(rule for rule in engine.rules() if rule.name == "JSON_CREDENTIAL")
MARKER = JSON_RULE.marker
ALL_MAKERS = [maker for makers in MAKERS.values() for maker in makers]
# Lines of pieces around the JSON rule's marker: what its `then` looks for, near misses, other markers.
_PIECE = st.tuples(st.sampled_from(["", "x", '"a": ', "é", "\u2500"]), st.sampled_from(["", "{", "{ ", "{\t", "}"]),
                   st.sampled_from([MARKER, "[MASKED:OTHER]", "[MASKED:JSON_CREDENTIAL", ""]),
                   st.sampled_from(["", "}", " }", "\t}", "{"]), st.sampled_from(["", "x", ","])).map("".join)
_LINE = st.lists(_PIECE, max_size=4).map("".join)
pytestmark = pytest.mark.usefixtures("no_env_secrets")  # tests/conftest.py


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=12), st.sampled_from(["\n", "\r\n"]), st.integers(0, 300))
def test_then_on_the_marked_lines_equals_the_substitution_over_the_whole_text(
        lines: list[str], newline: str, filler: int) -> None:
    """`then` run only on the lines holding the marker gives what it gives over the whole text
    (filler lines make it long enough to take the line-by-line way)."""
    half = len(lines) // 2
    text = newline.join(lines[:half] + ["plain line of output"] * filler + lines[half:])
    assert apply_then(text, [JSON_RULE]) == JSON_RULE.then.sub(MARKER, text)  # type: ignore[union-attr]


@pytest.mark.parametrize(("then", "local"), [
    (r"\{[ \t]*+\[MASKED:JSON_CREDENTIAL\][ \t]*+\}", True),
    (r"\{\s*\[MASKED:JSON_CREDENTIAL\]\s*\}", False),  # \s matches a line break
    (r"\{.\[MASKED:JSON_CREDENTIAL\]\}", False),
    (r"\{[^x]\[MASKED:JSON_CREDENTIAL\]\}", False),
    (r"^\[MASKED:JSON_CREDENTIAL\]", False),  # an anchor sees a line's start as the text's
    (r"\{(?:\[MASKED:JSON_CREDENTIAL\])?\}", False),  # a match may leave the marker out
    (r"\{\}|\[MASKED:JSON_CREDENTIAL\]", False),
    (r"\{\[MASKED:JSON_CREDENTIAL\]?\}", False),
    (r"\{\[MASKED:OTHER\]\}", False),  # not the rule's own marker
])
def test_only_a_pattern_that_stays_on_its_marker_line_is_taken_as_line_local(then: str, local: bool) -> None:
    """A `then` pattern runs on marked lines only when every match holds the marker and no line break."""
    assert line_local(replace(JSON_RULE, then_source=then)) is local


def test_a_then_pattern_that_is_not_line_local_runs_over_the_whole_text() -> None:
    """A pattern that can span lines still gets every match: it is run over the whole text."""
    rule = replace(JSON_RULE, then_source=r"\{\s*\[MASKED:JSON_CREDENTIAL\]\s*\}")
    text = "filler\n" * 1000 + "{\n" + MARKER + "\n}"
    assert apply_then(text, [rule]) == "filler\n" * 1000 + MARKER


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)), max_size=12),
       st.integers(0, 80), st.integers(0, 30))
def test_covered_says_whether_the_last_span_starting_before_reaches_the_end(
        raw: list[tuple[int, int]], start: int, length: int) -> None:
    """`_Covered.covers` answers as its definition does: of the spans starting at or before `start`,
    the last in sorted order reaches `start + length`."""
    spans = [(s, s + n) for s, n in raw]
    half = len(spans) // 2
    covered = engine._Covered(spans[:half])
    covered.add(spans[half:])
    before = [span for span in sorted(spans) if span[0] <= start]
    expected = bool(before) and before[-1][1] >= start + length
    assert covered.covers(start, start + length) is expected


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_MAKERS), st.integers(0, 2**32)), min_size=1, max_size=8),
       st.sampled_from(['{"password": "%s"}', "{ %s }", "%s", "x = {%s}", "token: |\n  %s"]),
       st.integers(0, 400))
def test_a_long_block_spliced_whole_equals_its_lines_rebuilt(made: Any, wrap: str, filler: int) -> None:
    """A block of many lines (the stream's 64 KiB reads) masked in one splice gives what rebuilding
    each touched line gives, and what `mask_text` gives: no secret is skipped by the fast way."""
    lines = []
    for maker, seed in made:
        secret = maker(random.Random(seed))[0]
        lines += ["2026-01-12T10:00:00Z INFO worker finished job"] * filler + [wrap.replace("%s", secret)]
    text = "\n".join(lines)
    block = engine.mask_block(text)
    assert block == "\n".join(engine.mask_lines(text))
    if "[MASKED:PRIVATE_KEY]" not in block:  # mask_text makes a key block one marker; lines keep one each
        assert block == mask_text(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80) | st.text(alphabet="ab", max_size=30))
def test_entropy_counted_in_one_pass_is_the_shannon_entropy(text: str) -> None:
    """The entropy that decides whether a value is random equals its definition, term by term
    over every distinct character (the one-pass count skips only characters seen once, whose
    terms are zero)."""
    total = len(text)
    expected = 0.0 if total < 2 else -sum(text.count(c) / total * math.log2(text.count(c) / total) for c in set(text))
    assert shannon_entropy(text) == pytest.approx(expected, abs=1e-9)
