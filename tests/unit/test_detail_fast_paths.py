"""The detail view's fast paths give exactly what the general paths give: the byte-table check for unsafe
characters, the id pass over short values only, and plain paragraphs written without spans."""

from __future__ import annotations

import random

from runner.views.plain import Para, _line_text
from runner.views.safe_text import _DIGIT_TOKEN, _DIGIT_TOKEN_MAX, _UNSAFE, has_unsafe, neutralise


def test_has_unsafe_says_whether_neutralise_changes_the_text() -> None:
    """Every character on either side of each ASCII and Unicode boundary of the unsafe class, alone and inside
    ASCII and non-ASCII text, and 5,000 random texts: `has_unsafe` is `neutralise(text) != text`."""
    chars = [chr(c) for c in (*range(0x00, 0x100), 0x061C, 0x200D, 0x200E, 0x200F, 0x2027, 0x2028, 0x2029, 0x202A,
                              0x202E, 0x202F, 0x2065, 0x2066, 0x2069, 0x206A, 0xD7FF, 0xD800, 0xDFFF, 0xE000)]
    for char in chars:
        for text in (char, f"plain {char} text", f"wide \u6f22 {char}"):
            assert has_unsafe(text) is (neutralise(text) != text), repr(text)
    rng = random.Random(5)
    for _ in range(5_000):
        text = "".join(rng.choice(["a", " ", "\t", "\n", "\x1b", "\x7f", "é", "\u202e", "z", "\x85"])
                       for _ in range(rng.randint(0, 12)))
        assert has_unsafe(text) is (_UNSAFE.search(text) is not None), repr(text)


def test_no_string_longer_than_the_bound_is_an_id_or_a_timestamp() -> None:
    """The longest ids and timestamps the pattern takes fit `_DIGIT_TOKEN_MAX`; one character more does not match."""
    longest = ["sess-" + "1" * 24, "task-" + "9" * 24, "evt-" + "1" * 24, "2026-11-28T04:02:58.301Z"]
    assert all(_DIGIT_TOKEN.fullmatch(token) and len(token) <= _DIGIT_TOKEN_MAX for token in longest)
    assert max(map(len, longest)) == _DIGIT_TOKEN_MAX
    assert not any(_DIGIT_TOKEN.fullmatch(token + "1") for token in longest)


def test_plain_paragraph_lines_are_the_spans_joined() -> None:
    """`Para.plain_lines` equals `_line_text` of each line of spans, for leads, widths and texts of every kind."""
    rng = random.Random(3)
    pieces = ["word", " ", "  ", "\t", "\n", "\u6f22\u5b57", "é", "averyveryverylongword", "", "-", "trailing   "]
    for _ in range(5_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        lead = [(rng.choice(["", "    ", "Label: ", "\u6f22 "]), "bold"), (rng.choice(["", " "]), "")]
        para = Para(text, rng.choice(["", "dim"]), lead=lead)
        width = rng.randint(1, 50)
        assert para.plain_lines(width) == [_line_text(spans, False) for spans in para.lines(width)], (text, width)
