"""AnyOf: the one-pass search for a few ASCII literals answers exactly what `in` searches answer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runner.executors import literals
from runner.executors.literals import SHORT_TEXT, AnyOf
from runner.executors.prompts import _STDIN_MESSAGES, mentions_stdin_message

FAST = AnyOf(_STDIN_MESSAGES)
PLAIN = AnyOf(_STDIN_MESSAGES, use_hyperscan=False)
PIECES = [*_STDIN_MESSAGES, "EOF when", "stdin is", "tty", "TTY", " ", "\n", "é", "日本", "\ufffd", "\udcff", "x" * 700]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=30), max_size=12))
def test_the_one_pass_search_agrees_with_in_searches(parts: list[str]) -> None:
    """Short or long, wide characters and lone surrogates included, both ways give the same answer."""
    text = "".join(parts)
    expected = any(message in text for message in _STDIN_MESSAGES)
    assert FAST.found_in(text) is expected
    assert PLAIN.found_in(text) is expected
    assert mentions_stdin_message(text) is expected


@pytest.mark.skipif(literals.hyperscan is None, reason="Hyperscan is not installed here")
def test_a_long_text_is_searched_by_hyperscan() -> None:
    """A read-sized text goes through the Hyperscan database, which finds a message at its very end."""
    search = AnyOf(_STDIN_MESSAGES)
    text = "ordinary output line\n" * (SHORT_TEXT // 10) + "Error: Input is not a terminal"
    assert search.found_in(text) and not search.found_in(text[:-1])
    assert search._database is not None  # the database answered, not the `in` searches


def test_only_non_empty_ascii_literals_are_taken() -> None:
    """A literal that is empty or not ASCII would break the bytes-equal-characters argument: refused."""
    for bad in ((), ("",), ("é",)):
        with pytest.raises(ValueError):
            AnyOf(bad)
