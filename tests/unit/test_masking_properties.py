"""Property tests (random secrets in random text and JSON) and the linear-time guarantee."""

from __future__ import annotations

import random
import re
import re._constants as sre
import re._parser as sre_parse
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.logs.masking import MASK_RULES, mask_text, reset_env_secrets
from runner.logs.masking.engine import exhaustive_spans, find_spans, lowercase, secret_intervals
from tests.helpers.cpu_time import best_cpu_time
from tests.helpers.secret_samples import MAKERS, leaked

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEPARATORS = [" ", "\n", "\t", " (", ": ", ", ", "\r\n", " = "]
ALL_MAKERS = [(name, maker) for name, makers in MAKERS.items() for maker in makers]

surrounding = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
maker_and_seed = st.tuples(st.sampled_from(ALL_MAKERS), st.integers(0, 2**32))


pytestmark = pytest.mark.usefixtures("no_env_secrets")


def test_every_rule_has_a_generator() -> None:
    """Each rule of the table is exercised by the property tests below."""
    assert set(MAKERS) == {rule.name for rule in MASK_RULES}
    assert all(MAKERS[name] for name in MAKERS)


@SETTINGS
@given(maker_and_seed, surrounding, surrounding, st.sampled_from(SEPARATORS), st.sampled_from(SEPARATORS))
def test_a_secret_in_random_text_never_survives(made: Any, before: str, after: str,
                                                sep1: str, sep2: str) -> None:
    """Any rule's secret between random text survives neither whole nor as a 12-character piece."""
    (_, maker), seed = made
    text, secret = maker(random.Random(seed))
    assert not leaked(secret, mask_text(before + sep1 + text + sep2 + after))


@SETTINGS
@given(maker_and_seed, surrounding, surrounding, st.sampled_from(SEPARATORS + ["\u00e9", "\x01"]),
       st.sampled_from(SEPARATORS))
def test_a_secret_inside_a_json_string_never_survives(made: Any, before: str, after: str,
                                                      sep1: str, sep2: str) -> None:
    """A secret serialised inside a JSON string value (escaped as JSON escapes it) is still masked."""
    (_, maker), seed = made
    text, secret = maker(random.Random(seed))
    encoded = orjson.dumps({"k": before + sep1 + text + sep2 + after}).decode()
    escaped_secret = orjson.dumps(secret).decode()[1:-1]
    assert not leaked(escaped_secret, mask_text(encoded))


@SETTINGS
@given(maker_and_seed, surrounding, surrounding)
def test_masking_twice_equals_masking_once(made: Any, before: str, after: str) -> None:
    """Save-time and display-time masking compose: the second pass changes nothing."""
    (_, maker), seed = made
    text, _ = maker(random.Random(seed))
    once = mask_text(before + " " + text + " " + after)
    assert mask_text(once) == once


@SETTINGS
@given(st.integers(0, 2**32), surrounding, surrounding)
def test_an_env_secret_never_survives_raw_json_or_url_encoded(seed: int, before: str, after: str) -> None:
    """A sensitive variable's value is masked raw, inside JSON and URL-encoded."""
    rng = random.Random(seed)
    value = "".join(rng.choice("abcdefghijXYZ0123456789!@#$%^&*()+= ?/\"'\\é") for _ in range(20))
    reset_env_secrets({"SOME_SERVICE_API_KEY": value})
    from urllib.parse import quote_plus
    for form in (value, orjson.dumps(value).decode()[1:-1], quote_plus(value, safe="")):
        out = mask_text(before + form + after)
        assert form not in out
        assert "[MASKED:ENV_SOME_SERVICE_API_KEY]" in out


def test_rules_other_than_private_key_never_match_across_a_newline() -> None:
    """The engine may run a rule line by line only because its regex never spans more lines
    than the rule says (one, two for MULTILINE_CREDENTIAL), at any split of its example."""
    rng = random.Random(7)
    for name, maker in ALL_MAKERS:
        rule = next(r for r in MASK_RULES if r.name == name)
        if rule.lines is None:
            continue
        text, _ = maker(rng)
        for cut in range(1, len(text)):
            split = text[:cut] + "\n" + text[cut:]
            target = lowercase(split) if rule.lowered else split
            for match in rule.pattern.finditer(target):
                assert split.count("\n", match.start(), match.end()) < rule.lines, (name, split)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(ALL_MAKERS), st.integers(0, 2**32)), max_size=4),
       st.lists(surrounding, min_size=5, max_size=5), st.sampled_from(SEPARATORS))
def test_the_engine_finds_what_a_whole_text_search_finds(made: Any, noise: list[str], sep: str) -> None:
    """Trying a rule only at its prefilter's candidates finds exactly what searching every line finds."""
    parts = [noise[0]]
    for i, ((_, maker), seed) in enumerate(made):
        parts += [sep, maker(random.Random(seed))[0], sep, noise[i + 1]]
    text = "".join(parts)
    for rule in MASK_RULES:
        assert find_spans(rule, text) == exhaustive_spans(rule, text), rule.name



def test_a_two_line_rule_is_searched_from_a_line_an_earlier_window_ended_on() -> None:
    """A `token: |` opener after a private key's END marker, its value on the next line: the engine and
    the reference both find it (the reference once skipped a window starting on a line the previous
    window had reached, found by Hypothesis)."""
    key = "-----BEGIN RSA PRIVATE KEY-----\n" + "A1b2C3d4" * 8 + "\n" + "e5F6g7H8" * 8 + "\n-----END RSA PRIVATE KEY-----"
    text = f" {key}  deploy_token: |\n  8yW4AWq9GFz6Y1t9EwL5EnGisjWgNZ16 "
    rule = next(r for r in MASK_RULES if r.name == "MULTILINE_CREDENTIAL")
    spans = find_spans(rule, text)
    assert spans and text[spans[0][0]:].startswith("deploy_token")
    assert exhaustive_spans(rule, text) == spans
    assert "8yW4AWq9GFz6Y1t9EwL5EnGisjWgNZ16" not in mask_text(text)

# -- linear time: structure -------------------------------------------------------------


REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}


def _walk(items: Any) -> Iterator[tuple[Any, Any]]:
    for op, arg in items:
        yield op, arg
        if op in REPEATS:
            yield from _walk(arg[2])
        elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP):
            yield from _walk(arg[-1] if op == sre.SUBPATTERN else arg)
        elif op == sre.BRANCH:
            for branch in arg[1]:
                yield from _walk(branch)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            yield from _walk(arg[1])
        elif op == sre.GROUPREF_EXISTS:
            yield from _walk(arg[1])
            if arg[2] is not None:
                yield from _walk(arg[2])


def _guarded(items: Any) -> bool:
    """A start the engine cannot try at every position of a run: the pattern opens with a
    literal (or alternatives that each do), or a lookbehind comes before any repeat."""
    if items and items[0][0] == sre.LITERAL:
        return True
    for op, arg in items:
        if op in (sre.ASSERT, sre.ASSERT_NOT) and arg[0] == -1:
            return True
        if op in (sre.SUBPATTERN, sre.BRANCH):
            return all(_guarded(branch) for branch in ([arg[-1]] if op == sre.SUBPATTERN else arg[1]))
        if op not in (sre.IN, sre.LITERAL):
            return False
    return False


def _problems(pattern: str, flags: int = 0) -> list[str]:
    """What keeps a pattern from being linear by construction (empty when nothing does)."""
    tree = sre_parse.parse(pattern, flags)
    problems = [] if _guarded(tree) else ["no start guard"]
    for op, (_, high, inner) in ((op, arg) for op, arg in _walk(tree) if op in REPEATS):
        if high == sre.MAXREPEAT and op != sre.POSSESSIVE_REPEAT:
            problems.append("unbounded repeat that backtracks")
        # An optional character (`[_-]?`) inside a repeat is no ambiguity; a run would be.
        if high > 1 and any(o in REPEATS and a[1] > 1 for o, a in _walk(inner)):
            problems.append("repeat nested in a repeat")
    return problems


@pytest.mark.parametrize("rule", MASK_RULES, ids=[r.name for r in MASK_RULES])
def test_every_pattern_is_built_for_linear_time(rule: Any) -> None:
    """A guard or literal before any repeat; unbounded repeats possessive; no run nested in a repeat."""
    assert _problems(rule.pattern.pattern, rule.pattern.flags) == []


def test_the_structure_check_can_fail() -> None:
    """The seed's JWT pattern backtracks, a bare run has no guard, `(a+)+` nests."""
    assert "unbounded repeat that backtracks" in _problems(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
    assert _problems(r"[A-Za-z0-9]{20,}+") == ["no start guard"]
    assert "repeat nested in a repeat" in _problems(r"x(?:a{1,5}b){1,9}")


# -- linear time: measured ---------------------------------------------------------------


ADVERSARIAL = ["sk-", "eyJ", "eyJ.eyJ.", "token=", "-----BEGIN", "Authorization: Bearer ", "a=", "A",
               "-----BEGIN RSA PRIVATE KEY-----\n", '"password": "\\', "--token ", "://a:b",
               "PASSWORD_", "a_secret_", "Cookie: ", "{\"api_key\":"]


def _ratio(func: Callable[[str], object], unit: str) -> float:
    small = (unit * (100_000 // len(unit) + 1))[:100_000]
    large = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    return best_cpu_time(lambda: func(large)) / best_cpu_time(lambda: func(small))


@pytest.mark.parametrize("unit", ADVERSARIAL)
def test_masking_time_grows_linearly(unit: str) -> None:
    """Masking 1 MB of an adversarial run takes under 30x the time of 100 KB (quadratic would be ~100x)."""
    assert _ratio(mask_text, unit) < 30


@pytest.mark.parametrize("unit", ["sk-", "eyJ", "token=", '"password": "\\', "-----BEGIN RSA PRIVATE KEY-----\n"])
def test_secret_span_search_time_grows_linearly(unit: str) -> None:
    """The span search the stream masker uses for cuts is linear on adversarial runs too."""
    assert _ratio(secret_intervals, unit) < 30


def test_the_ratio_measure_can_fail() -> None:
    """The seed's JWT regex shows a superlinear ratio where ours is linear (the measure can fail)."""
    seed_jwt = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
    small, large = "eyJ" * 1_000, "eyJ" * 4_000
    ratio = best_cpu_time(lambda: seed_jwt.findall(large), 1) / best_cpu_time(lambda: seed_jwt.findall(small), 1)
    assert ratio > 8  # quadratic: 4x the input, ~16x the time
