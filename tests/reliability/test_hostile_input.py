"""Hostile user input: traversal ids, huge lines, NUL bytes, invalid UTF-8, escape sequences in arguments.

Each must give a clear ERROR (with a HINT), the exit code of `spec/repl.md`, no traceback, and
nothing created outside the project; valid lines around the bad ones still run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from runner.logs.models import EventType, TaskStatus
from tests.helpers.cli import run_pm
from tests.helpers.logs_check import assert_logs_consistent
from tests.reliability.support import assert_no_traceback, figure

SHELL = ["repl", "--executor", "shell"]
TRAVERSALS = ["/logs ../../etc/passwd", "/logs task-001/../../x", "/continue ../x", "/logs --session ../../x",
              "/logs task-001 --session sess-20200101-001/..", "/retry ../x", "/logs /etc/passwd",
              "/continue sess-20200101-001/../../../x"]


def tree_outside(tmp_path: Path, project: Path) -> set[Path]:
    return {p for p in tmp_path.rglob("*") if project not in (p, *p.parents)}


def errors_in(stderr: str) -> list[tuple[str, str]]:
    """(ERROR line, the line after it) pairs (a script's notices are on stderr)."""
    lines = stderr.splitlines()
    return [(line, lines[i + 1] if i + 1 < len(lines) else "") for i, line in enumerate(lines)
            if line.startswith("ERROR: ")]


def test_traversal_ids_in_the_repl_are_refused(tmp_path: Path) -> None:
    """Every id that tries to leave the logs folder is an ERROR with a HINT; the session goes on; exit 1."""
    project = tmp_path / "proj"
    project.mkdir()
    before = tree_outside(tmp_path, project)
    script = "\n".join(["echo first", *TRAVERSALS, "echo last"]) + "\n"
    run = run_pm(SHELL, stdin=script, cwd=project, expect=1)
    assert_no_traceback(run)
    errors = errors_in(run.stderr)
    assert len(errors) == len(TRAVERSALS) and "ERROR" not in run.stdout, run.transcript()
    assert all(hint.startswith("HINT: ") and "invalid" in error for error, hint in errors), run.transcript()
    assert run.stdout.count("RESULT: COMPLETE") == 2, run.transcript()
    assert tree_outside(tmp_path, project) == before
    assert len(assert_logs_consistent(project)) == 2
    figure(f"hostile input: {len(TRAVERSALS)} traversal ids in the REPL -> {len(errors)} ERROR+HINT, exit 1, "
           "0 files outside the project, 2/2 valid tasks ran")


@pytest.mark.parametrize("args", [["logs", "show", "../x"], ["logs", "show", "task-001/../../x"],
                                  ["logs", "list", "--session", "../../x"],
                                  ["logs", "show", "task-001", "--session", "../../x"],
                                  ["logs", "tree", "--session", "sess-20200101-001/.."],
                                  ["logs", "show", "task-001\x1b[2J\x1b]0;pwned\x07"]])
def test_traversal_ids_from_the_shell_are_refused(tmp_path: Path, args: list[str]) -> None:
    """`pm-runner logs` with a hostile id: ERROR + HINT on stderr, exit 1, no traceback, no raw escape shown."""
    project = tmp_path / "proj"
    project.mkdir()
    run_pm(SHELL, stdin="echo hi\n", cwd=project)
    run = run_pm(args, cwd=project, expect=1)
    assert_no_traceback(run)
    assert run.stderr.startswith("ERROR: ") and "\nHINT: " in run.stderr, run.transcript()
    assert "\x1b" not in run.stdout + run.stderr and "\x07" not in run.stdout + run.stderr
    figure(f"hostile input: pm-runner {' '.join(map(repr, args[1:]))} -> ERROR+HINT, exit 1")


def test_huge_lines_nul_bytes_and_invalid_utf8_on_stdin(tmp_path: Path) -> None:
    """NUL and over-long lines are refused with an ERROR and never run; invalid UTF-8 runs with U+FFFD."""
    project = tmp_path / "proj"
    project.mkdir()
    limit_line = b"echo " + b"y" * (100_000 - 5)
    stdin = b"".join([
        b"touch nul\x00.txt\n",  # refused: would otherwise create a file
        b"touch " + b"z" * 1_000_000 + b"\n",  # a 1 MB line: refused
        b"touch " + b"w" * 100_000 + b"\n",  # one character over the limit: refused
        limit_line + b"\n",  # exactly at the limit: runs
        b"echo caf\xe9 \xff\xfe bytes\n",  # invalid UTF-8: runs, with replacement characters
        b"/logs \xff\xfe\n",  # invalid id: refused
        b"echo last",  # no final newline
    ])
    run = run_pm(SHELL, stdin=stdin, cwd=project, expect=1, timeout=120)
    assert_no_traceback(run)
    errors = errors_in(run.stderr)
    assert len(errors) == 4 and all(hint.startswith("HINT: ") for _, hint in errors), run.transcript()[:3000]
    assert "NUL" in errors[0][0] and "limit is 100000" in errors[1][0] and "limit is 100000" in errors[2][0]
    assert not (project / "nul.txt").exists() and not list(project.glob("z*")) and not list(project.glob("w*"))
    logs = assert_logs_consistent(project)
    assert [log.status for log in logs] == [TaskStatus.COMPLETE] * 3, [log.prompt_summary for log in logs]
    prompts = [str(log.events[0].content["prompt"]) for log in logs if log.events[0].event_type is EventType.USER_INPUT]
    assert "\ufffd" in prompts[1] and "  | last" in run.stdout
    figure("hostile input: NUL line, 1 MB line, 100,001-char line and an invalid id refused (4 ERROR+HINT); "
           "100,000-char line, invalid UTF-8 and an unterminated last line ran; exit 1, no traceback")


def test_only_bad_input_still_exits_one_and_creates_no_task(tmp_path: Path) -> None:
    """A script made only of refused lines registers no task at all and exits 1."""
    project = tmp_path / "proj"
    project.mkdir()
    run = run_pm(SHELL, stdin=b"\x00\n/logs ../x\n" + b"q" * 200_000 + b"\n", cwd=project, expect=1)
    assert_no_traceback(run)
    assert "RESULT:" not in run.stdout
    assert not list(project.rglob("task-*.json"))
