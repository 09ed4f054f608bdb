"""Interactive prompt patterns, closed-stdin messages and the question rule, on plain strings."""

from __future__ import annotations

import pytest

from runner.executors.outcome import is_question
from runner.executors.prompts import looks_like_question, match_prompt, match_stdin_message


@pytest.mark.parametrize("line", [
    "? Select an option",
    "\x1b[32m?\x1b[39m \x1b[1mProject name\x1b[22m",
    "Enter your password:",
    "Press any key to continue",
    "Overwrite existing files? [Y/n] ",
    "Delete branch? [y/N]",
    "Are you sure (yes/no)?",
    "Continue (y/n)",
    "spinner\rProceed? [Y/n]",
])
def test_prompt_lines_match(line: str) -> None:
    """Every pattern of seed 003 §2.2.1 (coloured, after a carriage return, or bare) is recognised."""
    assert match_prompt(line) is not None


@pytest.mark.parametrize("line", [
    "?? untracked.txt",
    "What is this?",
    "Entering directory /src",
    "Pressure is 3 bar",
    "Compiled 12 files",
    "",
    "x" * 100_000,
    "Press CTRL+C to quit",
    " * Running on http://127.0.0.1:5000 (Press CTRL+C to quit)",
    "Press Ctrl-C to stop (y/n)",
    "? \x00\x01binary",
    "Enter \ufffd\ufffd",
])
def test_ordinary_lines_do_not_match(line: str) -> None:
    """Look-alikes (git status `??`, words starting with Enter/Press, long lines, how-to-stop hints,
    binary) are not prompts."""
    assert match_prompt(line) is None


def test_stdin_messages_are_recognised() -> None:
    """Runtime complaints about a closed stdin or a missing terminal are picked up."""
    assert match_stdin_message("EOFError: EOF when reading a line") is not None
    assert match_stdin_message("sh: 1: cannot open /dev/tty: No such device or address") is not None
    assert match_stdin_message("all good") is None


@pytest.mark.parametrize("partial, expected", [
    ("Name: ", True), ("Proceed? ", True), ("> ", True), ("50% done", False), ("", False),
])
def test_unterminated_question(partial: str, expected: bool) -> None:
    """A last line without newline that ends like a request for input is a question."""
    assert looks_like_question(partial) is expected


@pytest.mark.parametrize("message, expected", [
    ("Should I use pytest?", True),
    ("I looked around.\n**Which database should I use?**\nThen I can start.", True),
    ("Done. Created README.md.", False),
    ("x = a ? b : c", False),
    ("", False),
])
def test_question_rule(message: str, expected: bool) -> None:
    """A final message is a question when it ends with one or contains a question line."""
    assert is_question(message) is expected
