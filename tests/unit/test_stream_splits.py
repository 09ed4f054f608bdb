"""StreamMasker fed a text in two reads, cut at every offset, gives what mask_text gives the whole text."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from runner.logs.masking import StreamMasker, mask_text, reset_env_secrets
from runner.logs.masking.engine import opens_value, rules
from tests.helpers.secret_samples import MAKERS, body, leaked

pytestmark = pytest.mark.usefixtures("no_env_secrets")

RULE_NAMES = [rule.name for rule in rules()]
ALL_MAKERS = [maker for makers in MAKERS.values() for maker in makers]


def through_feed(text: str, cuts: list[int]) -> str:
    """`text` fed in reads cut at `cuts` through `feed` (lists of lines), the lines joined again."""
    masker = StreamMasker()
    lines: list[str] = []
    for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
        lines += masker.feed(text[start:end])
    rest = masker.flush()
    return "".join(line + "\n" for line in lines) + "\n".join(rest)


def through_feed_text(text: str, cuts: list[int]) -> str:
    """The same through `feed_text` (what executors call): a block of lines or pieces per read."""
    masker = StreamMasker()
    out: list[str] = []
    for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True):
        masked = masker.feed_text(text[start:end])
        if isinstance(masked, str):
            out.append(masked + "\n")
        else:
            out += [piece.text + ("\n" if piece.ends_line else "") for piece in masked if piece.shown]
    out += [piece.text + ("\n" if piece.ends_line else "") for piece in masker.flush_pieces() if piece.shown]
    return "".join(out)


def sample(name: str, seed: int) -> tuple[str, str]:
    """A few lines around two secrets of the rule (the second on a line of its own): the text and a secret."""
    rng = random.Random(seed)
    makers = MAKERS[name]
    first, secret = makers[0](rng)
    second, _ = makers[-1](rng)
    return f"build ok\nsaid {first} then\n{second}\ndone.\n", secret


def same_result(streamed: str, whole: str, text: str) -> bool:
    """Whether the stream gave mask_text's result, but for one known difference: a line that opens
    a value on the next one (`deploy_token: |`), emitted before its value arrived, stays as it was
    (it holds the name, not the value) where masking the whole text covers it with the value's marker."""
    if streamed == whole:
        return True
    lines, masked, original = streamed.split("\n"), whole.split("\n"), text.split("\n")
    return len(lines) == len(masked) == len(original) and all(
        line == wanted or (line == source and opens_value(source) and "[MASKED:" in wanted)
        for line, wanted, source in zip(lines, masked, original, strict=True))


def first_difference(text: str) -> tuple[str, int] | None:
    """The first (way, offset) at which a cut into two reads changes the result, if any."""
    whole = mask_text(text)
    for cut in range(len(text) + 1):
        for way, stream in (("feed", through_feed), ("feed_text", through_feed_text)):
            if not same_result(stream(text, [cut]), whole, text):
                return way, cut
    return None


@pytest.mark.parametrize("name", RULE_NAMES)
def test_a_rule_s_secrets_cut_anywhere_into_two_reads_are_masked_as_in_the_whole_text(name: str) -> None:
    """Every offset of a cut, through feed and feed_text, gives mask_text's result of the whole text."""
    text, secret = sample(name, RULE_NAMES.index(name))
    assert leaked(secret, text) and not leaked(secret, mask_text(text))  # the sample does hold a secret
    assert first_difference(text) is None, (name, text)


def test_an_env_value_cut_anywhere_into_two_reads_is_masked_as_in_the_whole_text() -> None:
    """An exact env value (and its quoted forms) split at any offset is replaced as in the whole text."""
    reset_env_secrets({"DEPLOY_TOKEN": "env-value Zq8xW2vR5t/+"})
    text = "a\nuse env-value Zq8xW2vR5t/+ now\nq=env-value%20Zq8xW2vR5t%2F%2B\n"
    assert "ENV_DEPLOY_TOKEN" in mask_text(text)
    assert first_difference(text) is None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_MAKERS), st.integers(0, 2**32)), min_size=1, max_size=5),
       st.lists(st.sampled_from(["", "plain words", "token: |", "password:", "'\"'\"'", "{\\u0022a\\u0022: 1}",
                                 "-----BEGIN", "xoxb-", "\r", "{[MASKED:JSON_CREDENTIAL]}", "key=[MASKED:OPENAI_KEY]x"]),
                min_size=5, max_size=5),
       st.lists(st.integers(0, 4000), max_size=6), st.booleans())
def test_many_reads_give_what_mask_text_gives_the_whole_text(made: list[tuple[object, int]], noise: list[str],
                                                             cuts: list[int], ends_with_newline: bool) -> None:
    """Secrets of random rules between noise lines (markers of an earlier masking among them), cut into up to
    seven reads: both ways equal mask_text."""
    parts = []
    for (maker, seed), line in zip(made, noise, strict=False):
        parts += [line, maker(random.Random(seed))[0]]  # type: ignore[operator]
    text = "\n".join(parts) + ("\n" if ends_with_newline else "")
    edges = sorted({cut % (len(text) + 1) for cut in cuts})
    whole = mask_text(text)
    assert same_result(through_feed(text, edges), whole, text)
    assert same_result(through_feed_text(text, edges), whole, text)


def _marked(text: str) -> str:
    return re.sub(r"\[MASKED:[A-Z0-9_]+\]", "[MASKED]", text)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32), st.lists(st.integers(0, 6000), max_size=4))
@example(seed=1073741824, cuts=[])  # a last piece whose marker outgrows its token: 513 characters shown
@example(seed=1009, cuts=[])  # a 176-character token: longer than a 160 window, it was cut (the window is now 384)
@example(seed=753, cuts=[])  # the same, another draw
def test_an_over_long_line_s_pieces_join_to_what_mask_text_gives_the_line(seed: int, cuts: list[int]) -> None:
    """A line past the limit holding secrets of random rules comes back in pieces that join to mask_text's
    result of the whole line (marker names aside: secrets within a rule's reach of each other may be
    named by another of them when the line is masked whole)."""
    rng = random.Random(seed)
    parts: list[str] = []
    for _ in range(rng.randint(1, 8)):
        text, _ = rng.choice(ALL_MAKERS)(rng)
        if "\n" not in text:
            parts += [body(rng, rng.randint(50, 400)), text]
    line = " ".join([*parts, body(rng, 300)])
    # The stream's promise holds for secrets shorter than its carry-over window (4 KiB in use, longer
    # than any rule's match): a token cut at the buffer's end is whole in the next buffer. A small
    # limit and window here make many pieces; the window still outlasts the longest secret made.
    limit, window = 768, 384
    assert max((len(text) for text in parts[1::2]), default=0) + 32 < window, "a secret longer than the window"
    masker = StreamMasker(line_limit=limit, window=window)
    pieces = []
    edges = sorted({cut % (len(line) + 1) for cut in cuts})
    for start, end in zip([0, *edges], [*edges, len(line)], strict=True):
        pieces += [piece for piece in masker.feed_pieces(line[start:end]) if piece.shown]
    pieces += [piece for piece in masker.flush_pieces() if piece.shown]
    # A piece is cut at most `limit` characters into the line; masking may make it longer (a marker can
    # outgrow the value it hides), so the bound is on what it shows of the line itself.
    assert all(len(re.sub(r"\[MASKED:[A-Z0-9_]+\]", "", piece.text)) <= limit for piece in pieces)
    assert _marked("".join(piece.text for piece in pieces)) == _marked(mask_text(line))
