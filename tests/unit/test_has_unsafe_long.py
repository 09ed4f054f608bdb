"""`safe_text.has_unsafe` of long ASCII texts (searched for each unsafe character) is `neutralise(text) != text`."""

from __future__ import annotations

import random

from runner.views.safe_text import has_unsafe, neutralise


def test_each_ascii_character_anywhere_in_a_long_text_is_told_as_neutralise_tells_it() -> None:
    """Every ASCII character at the start, middle and end of texts around the 4,096-character switch (4,095
    to 4,098) and of a 300 KB text of output lines: unsafe exactly when neutralising changes the text."""
    rng = random.Random(3)
    line = "".join(rng.choice("abcdefghij 0123456789|:-_/.") for _ in range(300))
    bases = [("x" * size) for size in (4095, 4096, 4097, 4098)] + [("\n".join([line] * 1000))]
    for base in bases:
        assert has_unsafe(base) is False
        for code in range(0x80):
            char = chr(code)
            for text in (char + base[1:], base[:2000] + char + base[2001:], base[:-1] + char):
                assert has_unsafe(text) is (neutralise(text) != text), (code, len(text))


def test_random_long_texts_are_told_as_neutralise_tells_them() -> None:
    """300 random ASCII texts of 4,000 to 9,000 characters, now and then holding a control character or DEL."""
    rng = random.Random(8)
    pool = ["a", " ", "\n", "z", "9"] * 400 + ["\t", "\x1b", "\x7f", "\x00", "\x0b", "\x1f"]
    for _ in range(300):
        text = "".join(rng.choices(pool, k=rng.randint(4000, 9000)))
        assert has_unsafe(text) is (neutralise(text) != text)
