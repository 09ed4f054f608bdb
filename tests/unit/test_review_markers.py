"""What Q2, Q3 and Q5 recognise in text: TODO markers, omission placeholders, and claims of a change."""

from __future__ import annotations

import pytest

from runner.review.markers import change_claim, omission_marker, todo_marker


@pytest.mark.parametrize(("line", "marker"), [
    ("# TODO: handle errors", "TODO"),
    ("// FIXME later", "FIXME"),
    ("x = 1  # XXX hack", "XXX"),
    ("TODO", "TODO"),
    ("todo list for the week", None),  # lower-case prose is not a marker
    ("TODOS.md", None),
    ("my_TODO_var = 1", None),
    ("print('done')", None),
])
def test_todo_markers(line: str, marker: str | None) -> None:
    """TODO/FIXME/XXX count only as whole upper-case words."""
    assert todo_marker(line) == marker


@pytest.mark.parametrize("line", [
    "// ... rest unchanged",
    "# ... existing code ...",
    "/* 省略 */",
    "(rest of file unchanged)",
    "    // ... rest of the code remains the same",
    "<!-- ... existing content ... -->",
    "# existing code here",
    "// rest of the function remains unchanged",
    "# code omitted for brevity",
    "    # ...",
    "  /* ... */",
    "// 以下略",
    "# (略)",
    "# Remaining tests ...",
    "[rest of the file is unchanged]",
    "x = 1  # ... previous logic",
])
def test_omission_placeholders_are_found(line: str) -> None:
    """Each placeholder form of spec/review-loop.md is recognised."""
    assert omission_marker(line) is not None, line


@pytest.mark.parametrize("line", [
    "    ...",  # a Python body
    "def f(): ...",
    "x = a[...]",
    "foo(...)",
    "print('...')",
    "The rest of the API is documented below.",
    "# existing tests remain green",
    "# See the rest of the docs",
    "# other options ... exist",
    "# TODO later",
])
def test_code_and_prose_are_not_placeholders(line: str) -> None:
    """Python's ellipsis and prose about "the rest" are not omission markers."""
    assert omission_marker(line) is None, line


@pytest.mark.parametrize(("message", "claim"), [
    ("Created hello.py with a greeting.", "Created"),
    ("I've updated app.py to handle errors", "I've updated"),
    ("I have written the file", "I have written"),
    ("- Fixed the parser", "Fixed"),
    ("1. Added tests", "Added"),
    ("Done.\n**Updated** README", "Updated"),
    ("I will create it next", None),
    ("To update it, run make", None),
    ("Which file should I use?", None),
    ("The build finished.", None),
])
def test_change_claims(message: str, claim: str | None) -> None:
    """Q5 reads a past-tense first-person or sentence-start verb of change as a claim; plans and questions are not."""
    assert change_claim(message) == claim


def test_a_huge_line_is_matched_in_bounded_time() -> None:
    """An adversarial 1 MB line is cut before matching (no regex blow-up)."""
    line = "# " + "... " * 250_000
    assert omission_marker(line) in (None, "bare ellipsis comment", "ellipsis placeholder")
    assert todo_marker("a" * 1_000_000) is None
