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

from runner.logs.masking import engine, mask_text, values
from runner.logs.masking.splice import ONE_MARKER, apply_then, line_local, splice_by_lines
from runner.logs.masking.values import shannon_entropy
from tests.helpers.secret_samples import MAKERS, fill_fields

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


def _replaced_whole(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Each span replaced by its marker once per line it runs over (a key block: once), over the whole text."""
    out, done = [], 0
    for start, end, marker in spans:
        lines = 1 if marker == ONE_MARKER else text.count("\n", start, end) + 1
        out += [text[done:start], "\n".join([marker] * lines)]
        done = end
    return "".join(out) + text[done:]


_SLOT = st.tuples(st.sampled_from(["", "{", "{ ", "x{\t", '"a": {']), st.text(alphabet="ab:\n", min_size=1, max_size=6),
                 st.sampled_from(["", "}", " }", "\t},", "\n}"]), st.sampled_from([MARKER, "[MASKED:OTHER]", ONE_MARKER]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.text(alphabet="{} \nx", max_size=8), _SLOT), max_size=8), st.integers(0, 300))
def test_then_on_the_rebuilt_lines_equals_then_over_the_whole_spliced_text(
        pieces: list[tuple[str, tuple[str, str, str, str]]], filler: int) -> None:
    """Splicing a long text line by line, `then` given only to the lines the spans run over, gives
    what replacing every span and then running `then` over the whole result gives (values inside
    `{ … }` or not, spans running over line breaks, sharing a line, a key block's one marker)."""
    text, spans = "", []
    for between, (opening, value, closing, marker) in pieces:
        text += between + opening
        spans.append((len(text), len(text) + len(value), marker))
        text += value + closing
    text += "\nplain line of output" * filler
    whole = JSON_RULE.then.sub(MARKER, _replaced_whole(text, spans))  # type: ignore[union-attr]
    assert splice_by_lines(text, spans, [JSON_RULE]) == whole


def _case_flipped(text: str, rng: random.Random) -> str:
    return "".join(char.upper() if rng.random() < 0.5 else char.lower() for char in text)


@pytest.mark.parametrize("index", [i for i, rule in enumerate(engine.rules()) if rule.lowered])
def test_a_lowered_rule_folding_case_on_the_text_matches_as_on_the_lowercased_copy(index: int) -> None:
    """A lowered rule's case-folding regex finds on the text exactly the matches (and groups) its
    regex finds on the lowercased copy, in its example, counter-example and mixed-case versions."""
    rule = engine.rules()[index]
    rng = random.Random(index)
    example = fill_fields(rule.example, rng)[0]
    for text in (example, rule.counter, _case_flipped(example, rng), _case_flipped(example, rng).upper(),
                 "x\u0130y " + _case_flipped(example, rng)):
        lowered = engine.lowercase(text)
        expected = [m.regs for m in rule.pattern.finditer(lowered)]
        assert [m.regs for m in rule.folded.finditer(text)] == expected, text


def _mixed_case(rule: Any, seed: int, rng: random.Random) -> str:
    """The rule's example with its case mixed: all of it for a lowered rule, only the words it
    wants near (`mysql`, `curl`: looked for in lower case) for any other."""
    example = fill_fields(rule.example, random.Random(seed))[0]
    if rule.lowered:
        return _case_flipped(example, rng)
    for word in rule.near:
        example = example.replace(word, _case_flipped(word, rng))
    return example


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from([r for r in engine.rules() if r.lowered or r.near]), st.integers(0, 2**32)),
                min_size=1, max_size=6),
       st.sampled_from(["%s", "export %s", '{"a": "%s"}', "x \u0130 %s", "%s \u212a"]))
def test_masking_without_the_lowercased_copy_equals_masking_with_it(made: Any, wrap: str) -> None:
    """`mask_text` with `lowered` rules folding case on the text and judging lowering only what it
    reads (no lowercased copy: the usual way with Hyperscan) gives what it gives with the copy
    made, on mixed-case examples and command words."""
    rng = random.Random(len(made))
    text = "\n".join(wrap.replace("%s", _mixed_case(rule, seed, rng)) for rule, seed in made)
    default, block = mask_text(text), engine.mask_block(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "lowered_copy", engine.lowercase)
        assert mask_text(text) == default
        assert engine.mask_block(text) == block


@pytest.mark.parametrize("index", [i for i, rule in enumerate(engine.rules()) if rule.near])
def test_a_command_word_is_seen_near_in_any_case(index: int) -> None:
    """A rule that wants a command word near (`mysql`, `curl`) masks its example as well when the
    word is written in capitals: judging lowers the window it reads, as the whole copy was."""
    rule = engine.rules()[index]
    example = fill_fields(rule.example, random.Random(index))[0]
    shouted = example
    for word in rule.near:
        shouted = shouted.replace(word, word.upper())
    assert shouted != example
    assert mask_text(shouted) == mask_text(example).replace(rule.near[0], rule.near[0].upper()) != shouted


@pytest.mark.parametrize("case", ["[MASKED:", "[masked:"])
def test_a_marker_already_in_a_long_text_still_gets_its_then(case: str) -> None:
    """A long text that already holds a rule's marker inside its `then` shape (`{ [MASKED:…] }`)
    is masked the general way, `then` over the whole text, whether or not a secret elsewhere is
    spliced: the scan's `[masked:` trigger, not a search of the text, says the marker may be there."""
    held = "{ " + MARKER.replace("[MASKED:", case) + " }"
    secret = fill_fields("ghp_{an:36}", random.Random(2))[0]
    text = "plain line of output\n" * 300 + "before " + held + " after\n" + f"token {secret}\n"
    masked = mask_text(text)
    assert secret not in masked and "[MASKED:GITHUB_TOKEN]" in masked
    expected = "before " + (MARKER if case == "[MASKED:" else held) + " after"
    assert expected in masked.split("\n")
    assert engine.mask_block(text).split("\n") == masked.split("\n")


SHIFTED = [index for index, shift in enumerate(engine._shifts()) if shift]
_URL_BIT = st.sampled_from(["://", ":", "@", "/", " ", "\n", "x", "%40"])
_USER = st.sampled_from(["ci", "deploy-bot", "a1B2c3D4e5F6g7H8i9", "x-access-token", "ghp_a1B2c3D4e5F6g7H8i9J0", ""])
_URL = st.tuples(st.sampled_from(["https://", "git+ssh://", "://", "s3://"]), _USER,
                 st.sampled_from(["", ":"]), _USER, st.sampled_from(["@", "", "@@"]),
                 st.sampled_from(["git.example.com/x", "", "://h"])).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(SHIFTED), st.lists(_URL | _URL_BIT, max_size=12).map("".join),
       st.lists(st.tuples(st.integers(0, 200), st.integers(0, 40)), max_size=3))
def test_a_rule_tried_right_after_its_lookbehind_literal_finds_what_searching_its_line_finds(
        index: int, text: str, earlier: list[tuple[int, int]]) -> None:
    """A rule opening with a lookbehind of its one literal (`(?<=://)`) tried only where each
    candidate's literal ends finds the spans that searching each candidate's line finds, with
    or without spans accepted earlier."""
    rule = engine.rules()[index]
    positions = engine.scan(text, engine.lowercase(text))[0].get(index, [])
    covered = [(start, start + length) for start, length in earlier]
    shifted = engine._anchored_spans(rule, text, "", positions, engine._Covered(covered), engine._shifts()[index])
    assert shifted == engine._searched_spans(rule, text, "", positions, engine._Covered(covered))


def test_the_url_rules_are_the_ones_tried_after_their_lookbehind() -> None:
    """URL_CREDENTIALS and URL_TOKEN_USER (`(?<=://)…`) are tried 3 characters after each `://`."""
    assert {engine.rules()[index].name: engine._shifts()[index] for index in SHIFTED} == {
        "URL_CREDENTIALS": 3, "URL_TOKEN_USER": 3}


_CHARACTERS = (st.text(alphabet=st.sampled_from("xX*.•…-_ a1$%{}<>[]()#@é\u0660\u00b2\u2160") | st.characters(), max_size=12)
               | st.text(alphabet="xX*.•…-_ ", max_size=6) | st.text(alphabet="ab", min_size=1, max_size=4))


@settings(max_examples=400, deadline=None)
@given(_CHARACTERS)
def test_the_set_free_character_questions_answer_as_the_character_sets_do(text: str) -> None:
    """`is_placeholder`'s and `is_reference`'s one-pass questions give what their definitions over
    `set(text)` give: one character repeated, filler only, an alphanumeric character, a
    reference character."""
    distinct = set(text)
    if text:
        assert values._one_character(text) is (len(distinct) == 1)
    assert values._all_filler(text) is (distinct <= set("xX*.•…-_ "))
    assert (values._ALNUM.search(text) is not None) is any(char.isalnum() for char in text)
    assert (values._REFERENCE_CHAR.search(text) is not None) is bool(distinct & set("$%{}<>[]()#@"))
