"""Each review criterion (Q1–Q5) judged on real files in a real project folder, start to end of a task."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from runner.changes import ChangeDetector
from runner.review.baseline import MAX_FILE_BYTES, take_baseline
from runner.review.criteria import CriterionResult, judge_criteria
from runner.review.facts import CheckOutcome, ReviewFacts
from runner.review.gather import gather_facts
from runner.verify import verify_task


def review(root: Path, change: Callable[[], None], *, claims: list[str] | None = None, message: str = "",
           checks: tuple[CheckOutcome, ...] = ()) -> tuple[ReviewFacts, dict[str, CriterionResult]]:
    """Snapshot and baseline the project, apply `change` (the agent's pass), gather and judge."""
    detector = ChangeDetector(root)
    start = detector.before()
    baseline = take_baseline(root)
    change()
    try:
        verification = verify_task(root, detector.after(start), claims or [])
    finally:
        detector.close()
    facts = gather_facts(root, baseline, verification, final_message=message, checks=checks)
    return facts, {r.label.split(" ", 1)[0]: r for r in judge_criteria(facts, {})}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    return project


def test_an_added_todo_fails_q2_and_a_pre_existing_one_does_not(root: Path) -> None:
    """A TODO that was in the file before the task is not counted; the one the agent added is, with its line."""
    (root / "app.py").write_text("def f():\n    # TODO: old debt\n    return 1\n")

    def agent() -> None:
        (root / "app.py").write_text("def f():\n    # TODO: old debt\n    return 2\n\n\ndef g():\n"
                                     "    # FIXME handle None\n    return 3\n")

    facts, results = review(root, agent)
    assert not results["Q2"].passed
    assert [str(issue) for issue in facts.todos] == ["app.py:7: # FIXME handle None"]


def test_only_pre_existing_todos_pass_q2_even_when_moved(root: Path) -> None:
    """Moving a pre-existing TODO line elsewhere in the file is not adding one."""
    (root / "app.py").write_text("# TODO: one\nx = 1\n")
    _, results = review(root, lambda: (root / "app.py").write_text("x = 2\n# TODO: one\n"))
    assert results["Q2"].passed


def test_a_todo_in_a_new_file_fails_q2(root: Path) -> None:
    """Every line of a created file is added."""
    _, results = review(root, lambda: (root / "new.md").write_text("# Plan\n\nTODO: write this\n"))
    assert not results["Q2"].passed and results["Q2"].details == ("new.md:3: TODO: write this",)


def test_omission_markers_added_fail_q3_but_old_ones_pass(root: Path) -> None:
    """`// ... rest unchanged` written by the agent fails Q3; the same marker already in another file does not."""
    (root / "old.js").write_text("function a() {}\n// ... existing code ...\n")
    (root / "main.js").write_text("function main() {\n  return 1;\n}\n")

    def agent() -> None:
        (root / "old.js").write_text("function a() { return 2; }\n// ... existing code ...\n")
        (root / "main.js").write_text("function main() {\n  return 2;\n  // ... rest unchanged\n}\n")

    facts, results = review(root, agent)
    assert not results["Q3"].passed
    assert [str(issue) for issue in facts.omissions] == ["main.js:3: // ... rest unchanged"]


def test_a_python_file_that_does_not_compile_fails_q4(root: Path) -> None:
    """A changed .py file is compiled (never run); a syntax error names the file and line."""
    marker = root / "ran.txt"
    _, results = review(root, lambda: (root / "broken.py").write_text(
        f"open({str(marker)!r}, 'w')\ndef f(:\n    pass\n"))
    assert not results["Q4"].passed
    assert results["Q4"].details[0].startswith("broken.py: does not parse as Python: line 2:")
    assert not marker.exists()


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("data.json", '{"a": 1,}', "JSON"),
    ("pyproject.toml", "[project\nname = 1\n", "TOML"),
])
def test_broken_json_and_toml_fail_q4(root: Path, name: str, content: str, kind: str) -> None:
    """JSON and TOML files that do not load fail Q4, naming the type."""
    _, results = review(root, lambda: (root / name).write_text(content))
    assert not results["Q4"].passed and f"does not parse as {kind}" in results["Q4"].details[0]


def test_types_without_a_parser_are_skipped_and_said_to_be(root: Path) -> None:
    """YAML (no parser installed here), JSON with comments and unknown types are never guessed."""
    def agent() -> None:
        (root / "ci.yml").write_text("a: [\n")
        (root / "tsconfig.json").write_text('{\n  // comments are allowed here\n  "strict": true\n}\n')
        (root / "main.rs").write_text("fn main( {\n")

    facts, results = review(root, agent)
    assert results["Q4"].passed
    assert "tsconfig.json: JSON with comments (not checked)" in facts.not_checked
    yaml_note = next(n for n in facts.not_checked if n.startswith("ci.yml"))
    assert "no YAML parser" in yaml_note or "does not parse" in yaml_note
    assert not any(n.startswith("main.rs") for n in facts.not_checked)


def test_q1_fails_for_a_missing_an_unchanged_and_an_outside_claim(root: Path, tmp_path: Path) -> None:
    """Claims are checked on disk: not there, there but untouched since the start, or outside the root."""
    (root / "same.md").write_text("unchanged\n")
    _, results = review(root, lambda: (root / "real.md").write_text("x\n"),
                        claims=["real.md", "ghost.md", str(root / "same.md"), str(tmp_path / "outside.md")])
    assert results["Q1"].details == (
        "ghost.md: claimed, but not on disk",
        f"{tmp_path / 'outside.md'}: claimed, but outside the project root (not checked)",
        "same.md: claimed, but unchanged since the task started",
    )


def test_q5_fails_when_the_agent_says_it_changed_something_and_nothing_changed(root: Path) -> None:
    """"Created hello.py" with no change on disk fails Q5; a pure answer with no change passes."""
    _, said = review(root, lambda: None, message="Created hello.py that prints hello.")
    assert not said["Q5"].passed and "Created" in said["Q5"].details[0]
    _, answered = review(root, lambda: None, message="The tests pass on main; nothing to change.")
    assert answered["Q5"].passed


def test_a_file_too_big_for_the_baseline_is_reported_not_checked(root: Path) -> None:
    """A modified file with no copy from the start is not judged for Q2/Q3, and the review says so."""
    (root / "big.txt").write_text("x" * (MAX_FILE_BYTES + 10) + "\n")
    facts, results = review(root, lambda: (root / "big.txt").write_text("TODO\n"))
    assert results["Q2"].passed
    assert any(n.startswith("big.txt: no copy from the task's start") for n in facts.not_checked)
    assert results["Q2"].not_checked == facts.not_checked


def test_binary_files_are_ignored(root: Path) -> None:
    """A binary file (NUL in its head) holds no text markers and is not reported."""
    facts, results = review(root, lambda: (root / "img.bin").write_bytes(b"\x00TODO\x01\x02"))
    assert results["Q2"].passed and facts.not_checked == ()


def test_switched_off_criteria_are_not_judged_and_checks_follow(root: Path) -> None:
    """Config can switch a criterion off; each check is one more result after the criteria."""
    facts, _ = review(root, lambda: (root / "a.py").write_text("# TODO\n"),
                      checks=(CheckOutcome("pytest -q", False, 1, "exit 1", "1 failed"),))
    results = judge_criteria(facts, {"no_todo": False, "parses": False})
    assert [r.label for r in results] == ["Q1 files verified", "Q3 no omission markers added",
                                          "Q5 evidence present", "check `pytest -q`"]
    assert [r.passed for r in results] == [True, True, True, False]
