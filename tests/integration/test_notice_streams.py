"""Which stream each line of a script run goes to (spec/repl.md, "Streams"): stdout carries the results,
stderr the WARNING/ERROR notices with their HINT, and `2>&1` reads in the order things happened."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import project_with_config, run_pm

# A start-up WARNING (repository checks that cannot run), an unknown command, a task whose result has
# its own verification WARNING (.env changed), three ERROR tasks in a row, then a task that completes.
SCRIPT = "/bogus\necho KEY=1 > .env\nfalse\nfalse\nfalse\necho fine\n"
ARGS = ["repl", "--executor", "shell", "--review", "off"]
NOTICE_PREFIXES = ("WARNING: ", "ERROR: ")


def _project(tmp_path: Path) -> Path:
    return project_with_config(tmp_path, {"review": {"checks": ["true"]}})


def _interleaves(merged: list[str], first: list[str], second: list[str]) -> bool:
    """True when `merged` is `first` and `second` shuffled together, each keeping its own order."""
    if len(merged) != len(first) + len(second):
        return False
    reachable = {(0, 0)}
    for line in merged:
        reachable = ({(i + 1, j) for i, j in reachable if i < len(first) and first[i] == line}
                     | {(i, j + 1) for i, j in reachable if j < len(second) and second[j] == line})
    return (len(first), len(second)) in reachable


def test_a_scripts_stdout_has_the_results_and_stderr_the_notices(tmp_path: Path) -> None:
    """Captured alone, stdout has every result block and no WARNING/ERROR line; stderr has each notice, in order."""
    run = run_pm(ARGS, stdin=SCRIPT, cwd=_project(tmp_path), expect=1)
    out, err = run.stdout.splitlines(), run.stderr.splitlines()
    assert not [line for line in out if line.startswith(NOTICE_PREFIXES)], run.transcript()
    assert [line for line in out if line.startswith("RESULT: ")] == ["RESULT: COMPLETE"] + ["RESULT: ERROR"] * 3 \
        + ["RESULT: COMPLETE"], run.transcript()
    for number in range(1, 6):
        assert f"TASK: task-00{number}" in out and any(line.startswith(f"HINT: /logs task-00{number}") for line in out)
    assert all(line.startswith((*NOTICE_PREFIXES, "HINT: ")) for line in err), run.transcript()
    notices = [line for line in err if line.startswith(NOTICE_PREFIXES)]
    expected = ["WARNING: 1 check(s) in .claude/runner.config.json (review.checks) will not run",
                "ERROR: unknown command /bogus", "WARNING: sensitive hidden file(s) changed: .env",
                "WARNING: 3 tasks in a row ended in ERROR"]
    assert len(notices) == len(expected), run.transcript()
    assert all(line.startswith(start) for line, start in zip(notices, expected, strict=True)), run.transcript()
    assert err[err.index("ERROR: unknown command /bogus") + 1].startswith("HINT: "), run.transcript()


def test_two_to_one_is_the_same_lines_in_the_order_they_happened(tmp_path: Path) -> None:
    """With 2>&1 the transcript is stdout and stderr interleaved, each notice next to what caused it."""
    apart = run_pm(ARGS, stdin=SCRIPT, cwd=_project(tmp_path / "apart"), expect=1)
    together = run_pm(ARGS, stdin=SCRIPT, cwd=_project(tmp_path / "together"), expect=1, merged=True)
    merged = together.stdout.splitlines()
    assert together.stderr == ""
    assert _interleaves(merged, apart.stdout.splitlines(), apart.stderr.splitlines()), \
        f"{together.transcript()}\n=== apart\n{apart.transcript()}"
    assert merged[0].startswith("WARNING: 1 check(s)"), together.transcript()
    assert merged[merged.index("> /bogus") + 1] == "ERROR: unknown command /bogus", together.transcript()
    block = merged[merged.index("TASK: task-001"):]
    assert block[1:4] == ["NEXT: (none)", "WARNING: sensitive hidden file(s) changed: .env", "HINT: /logs task-001"]
    after_third = merged.index("HINT: /logs task-004 --full shows the executor's own events") + 1
    assert merged[after_third].startswith("WARNING: 3 tasks in a row ended in ERROR"), together.transcript()
    assert merged[after_third + 1] == "> echo fine", together.transcript()


def test_a_command_error_in_a_clean_script_leaves_stdout_parseable(tmp_path: Path) -> None:
    """`2>/dev/null` keeps the echo and the result block: the refused line's ERROR and HINT are only on stderr."""
    run = run_pm(["repl", "--executor", "shell"], stdin="/logs ../x\necho ok\n", cwd=tmp_path, expect=1)
    assert run.stdout.splitlines()[:2] == ["> /logs ../x", "> echo ok"], run.transcript()
    assert "RESULT: COMPLETE" in run.stdout and "ERROR" not in run.stdout, run.transcript()
    assert run.stderr.startswith("ERROR: no logs in ") and "\nHINT: " in run.stderr, run.transcript()
