"""`plain.printable_ascii`, the C-level test the wrappers use on long output lines, is `isascii() and isprintable()`."""

from __future__ import annotations

import random

from runner.views.plain import printable_ascii


def test_every_character_alone_and_inside_a_line_is_told_as_isprintable_tells_it() -> None:
    """Each of the first 0x3000 code points (controls, DEL, Latin-1, wide characters), alone, at either end of a
    long output line and in its middle, and lone surrogates: the same answer as `isascii() and isprintable()`."""
    line = "ok: compiled 12 files | warning: x" * 40
    texts = [""]
    for point in [*range(0x3000), 0xD800, 0xDFFF, 0x10FFFF]:
        char = chr(point)
        texts += [char, char + line, line + char, line[:600] + char + line[600:]]
    for text in texts:
        assert printable_ascii(text) == (text.isascii() and text.isprintable()), repr(text[:3])


def test_random_strings_are_told_as_isprintable_tells_them() -> None:
    """20,000 random strings of printable ASCII with now and then a control, DEL, tab or non-ASCII character."""
    rng = random.Random(5)
    pool = [chr(c) for c in range(0x20, 0x7F)] * 20 + ["\t", "\n", "\x7f", "\x00", "\x1b", "é", "漢", "\u2028"]
    for _ in range(20_000):
        text = "".join(rng.choices(pool, k=rng.randrange(0, 300)))
        assert printable_ascii(text) == (text.isascii() and text.isprintable())
