"""Unwrapped views searched only around their wrappings: the same masking as views of the
whole text, at the cost of the wrapped lines only, and a key block whose header is escaped
hidden as far as it goes."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.logs.masking import engine, mask_text
from runner.logs.masking.views import REGION_GAP, regions, views
from tests.helpers.secret_samples import MAKERS

ALL_MAKERS = [maker for makers in MAKERS.values() for maker in makers]
PLAIN = ["tests/unit/test_api.py::test_case PASSED [ 40%]", "npm WARN deprecated left-pad@1.3.0",
         "+    result = tokenizer.encode(batch)", "", '{"type":"text","text":"done \\u2014 ok"}',
         "echo 'it'\\''s fine'", "path \\/usr\\/lib"]


pytestmark = pytest.mark.usefixtures("no_env_secrets")


def _escaped(text: str, rng: random.Random) -> str:
    """`text` with some characters written as JSON `\\uXXXX` escapes or its quotes shell-quoted."""
    if rng.random() < 0.3:
        return "echo '" + text.replace("'", "'\"'\"'") + "'\"'\"'x'"
    return "".join(f"\\u{ord(c):04x}" if rng.random() < 0.3 else c for c in text)


def _key_lines(rng: random.Random) -> list[str]:
    alphabet = string.ascii_letters + string.digits + "+/"
    return ["".join(rng.choice(alphabet) for _ in range(64)) for _ in range(5)]


def _escape_all(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


@pytest.mark.parametrize("footer", ["-----END RSA PRIVATE KEY-----", _escape_all("-----END RSA PRIVATE KEY-----"), None])
def test_a_key_block_whose_header_is_escaped_is_hidden_whole(footer: str | None) -> None:
    """A `\\u`-escaped key header followed by raw body lines hides the body, whether a footer
    (raw or escaped) ends it or none does (then everything after the header)."""
    body = _key_lines(random.Random(5))
    lines = ["before", _escape_all("-----BEGIN RSA PRIVATE KEY-----"), *body]
    lines += [footer, "after"] if footer is not None else ["after"]
    masked = mask_text("\n".join(lines))
    assert "[MASKED:PRIVATE_KEY]" in masked and masked.startswith("before\n")
    assert not any(line in masked for line in body), masked


def test_regions_are_the_lines_around_each_wrapping_joined_when_close() -> None:
    """Each region runs from the line before a wrapped line to the line after; near ones join,
    far ones stay apart, and the first and last lines of the text are edges of their own."""
    text = "a\nb \\u0041\nc\nd\n" + "x" * (REGION_GAP + 10) + "\ne\nf \\/\ng"
    first = text.index("\\u0041")
    second = text.index("\\/")
    assert regions(text, [first]) == [(0, text.index("\nd"))]
    found = regions(text, [first, second])
    assert len(found) == 2 and found[1] == (text.index("e\nf"), len(text))
    assert regions(text, [first, text.index("c")]) == [(0, text.index("\nd") + 2)]
    assert regions("only \\u0041 line", [5]) == [(0, 16)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_MAKERS), st.integers(0, 2**32)), min_size=1, max_size=5),
       st.lists(st.integers(0, 60), min_size=5, max_size=5), st.integers(0, 2**32))
def test_views_of_regions_mask_what_views_of_the_whole_text_mask(made: Any, gaps: list[int], seed: int) -> None:
    """Escaped and shell-quoted secrets among plain lines, near and far apart, come out the
    same whether only the lines around each wrapping are unwrapped or the whole text is."""
    rng = random.Random(seed)
    lines: list[str] = []
    for (maker, maker_seed), gap in zip(made, gaps, strict=False):
        lines += [rng.choice(PLAIN) for _ in range(gap)]
        lines.append(f"step {gap}: " + _escaped(maker(random.Random(maker_seed))[0], rng))
    text = "\n".join(lines + [rng.choice(PLAIN)])
    by_regions = mask_text(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "_views", lambda text, triggers: views(text))
        assert by_regions == mask_text(text)
