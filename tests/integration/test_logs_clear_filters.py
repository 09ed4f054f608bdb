"""`logs clear` does exactly what was asked (issue 9 item 6): every filter applied or refused.

Three real sessions (two last updated 10 days ago, one recent) are cleared with every combination
of `--session` and `--older-than`, once with `--dry-run` and once with `--force`: the dry run
names exactly the set the forced clear then removes, which is exactly the set the filters select,
and `--force` names each session before it goes. A filter clear cannot apply is an error.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pexpect
import pytest

from tests.helpers.aging import age_session
from tests.helpers.cli import run_pm, runner_env

_TEMPLATE: dict[str, Path] = {}


def sessions_on_disk(project: Path) -> set[str]:
    folder = project / ".claude" / "logs" / "sessions"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


@pytest.fixture
def project(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A copy of three recorded sessions [old A, old B, recent C] (recorded once per test run)."""
    if "project" not in _TEMPLATE:
        template = tmp_path_factory.mktemp("clear-template")
        for n in range(3):
            run_pm(["repl", "--executor", "shell"], stdin=f"echo session-{n}\n", cwd=template)
        first, second, _ = sorted(sessions_on_disk(template))
        age_session(template, first, 10)
        age_session(template, second, 10)
        _TEMPLATE["project"] = template
    copy = tmp_path / "project"
    shutil.copytree(_TEMPLATE["project"], copy, symlinks=True)
    return copy, sorted(sessions_on_disk(copy))


# (filters, indexes of the sessions they select among [A old, B old, C recent])
FILTERS = [
    ([], {0, 1, 2}),
    (["--session", "{B}"], {1}),
    (["--session", "{C}"], {2}),
    (["--older-than", "7d"], {0, 1}),
    (["--session", "{A}", "--older-than", "7d"], {0}),
    (["--session", "{C}", "--older-than", "7d"], set()),
    (["--session", "latest"], {2}),
]


def _fill(args: list[str], ids: list[str]) -> list[str]:
    return [arg.format(A=ids[0], B=ids[1], C=ids[2]) for arg in args]


def _named(lines: list[str], verb: str) -> set[str]:
    return {m.group(1) for line in lines if (m := re.match(rf"{verb} (sess-\d{{8}}-\d+) ", line))}


@pytest.mark.parametrize(("filters", "selected"), FILTERS, ids=[" ".join(f) or "no filter" for f, _ in FILTERS])
def test_dry_run_and_force_act_on_exactly_the_filtered_set(project: tuple[Path, list[str]], filters: list[str],
                                                           selected: set[int]) -> None:
    """The dry run lists exactly the selected sessions; --force names and removes exactly those, nothing else."""
    root, ids = project
    args = _fill(filters, ids)
    expected = {ids[i] for i in selected}
    preview = run_pm(["logs", "clear", "--dry-run", *args], cwd=root)
    assert _named(preview.lines, "Would remove") == expected, preview.transcript()
    assert sessions_on_disk(root) == set(ids)
    forced = run_pm(["logs", "clear", "--force", *args], cwd=root)
    assert _named(forced.lines, "Removing") == expected, forced.transcript()
    assert sessions_on_disk(root) == set(ids) - expected, forced.transcript()
    summary = forced.lines[-1]
    assert summary == "Nothing to remove." if not expected else summary.startswith(f"Removed {len(expected)} session")


@pytest.mark.parametrize("extra", [["--status", "error"], ["--since", "1h"], ["--json"], ["--full"], ["--tree"],
                                   ["task-001"], ["--follow"]])
def test_a_filter_clear_cannot_apply_is_refused(project: tuple[Path, list[str]], extra: list[str]) -> None:
    """`logs clear` with a filter it cannot honour is a usage error (exit 64) naming it, and deletes nothing."""
    root, ids = project
    run = run_pm(["logs", "clear", *extra, "--force"], cwd=root, expect=64)
    assert run.stderr.startswith("ERROR: pm-runner logs clear: ") and extra[0] in run.stderr, run.transcript()
    assert sessions_on_disk(root) == set(ids)


@pytest.mark.parametrize("args", [["logs", "list", "--older-than", "7d"], ["logs", "tree", "--force"],
                                  ["logs", "list", "--dry-run"], ["logs", "show", "task-001", "--clear"]])
def test_clear_flags_elsewhere_are_refused(project: tuple[Path, list[str]], args: list[str]) -> None:
    """--older-than, --force and --dry-run without clear (or --clear with show) are usage errors, never ignored."""
    root, ids = project
    run = run_pm(args, cwd=root, expect=64)
    assert run.stderr.startswith("ERROR: "), run.transcript()
    assert sessions_on_disk(root) == set(ids)


def test_an_unknown_or_invalid_session_is_an_error(project: tuple[Path, list[str]]) -> None:
    """Naming a session that does not exist (or is no session id) fails and deletes nothing."""
    root, ids = project
    missing = run_pm(["logs", "clear", "--force", "--session", "sess-20000101-001"], cwd=root, expect=1)
    assert "no session sess-20000101-001" in missing.stderr, missing.transcript()
    invalid = run_pm(["logs", "clear", "--force", "--session", "../x"], cwd=root, expect=1)
    assert "invalid session id" in invalid.stderr, invalid.transcript()
    assert sessions_on_disk(root) == set(ids)


def _spawn(root: Path, *args: str) -> pexpect.spawn:
    env = runner_env({"TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    return pexpect.spawn(sys.executable, ["-m", "runner", *args], cwd=str(root), env=env, dimensions=(30, 120),
                         encoding="utf-8", codec_errors="replace", timeout=20)


def test_at_a_terminal_yes_removes_the_previewed_set_and_ctrl_c_aborts(project: tuple[Path, list[str]]) -> None:
    """At a terminal: Ctrl-C at `Delete? [y/N]` deletes nothing; `y` removes exactly the previewed session."""
    root, ids = project
    child = _spawn(root, "logs", "clear", "--session", ids[1])
    child.expect(r"Delete\? \[y/N\]")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert "Nothing was deleted." in (child.before or ""), child.before
    assert sessions_on_disk(root) == set(ids)
    child = _spawn(root, "logs", "clear", "--session", ids[1])
    child.expect(rf"Would remove {ids[1]} ")
    child.expect(r"Delete\? \[y/N\]")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert sessions_on_disk(root) == {ids[0], ids[2]}


def test_ctrl_c_at_the_question_in_the_repl_aborts_the_clear(project: tuple[Path, list[str]]) -> None:
    """In the interactive REPL, Ctrl-C at `Delete? [y/N]` deletes nothing and the REPL goes on."""
    root, ids = project
    child = _spawn(root, "repl", "--executor", "shell")
    try:
        child.expect("pm-runner>")
        child.sendline(f"/logs --clear --session {ids[0]}")
        child.expect(r"Delete\? \[y/N\]")
        child.sendintr()
        child.expect("Nothing was deleted.")
        child.expect("pm-runner>")
        assert sessions_on_disk(root) == set(ids)
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        if child.isalive():
            child.terminate(force=True)
