"""A cloned repository's hostile `.claude/` never makes pm-runner act outside its logs (issue 9 item 1).

Each layout of `tests/helpers/hostile_repo.py` goes through start-up (crash recovery, retention, one
task), `logs list/sessions/tree/show/clear` and a second start. After every command: nothing
outside the project changed, nothing of the project outside `.claude/logs` changed, no traceback,
and the command ended within its timeout (a FIFO or /dev/zero that were opened would hang it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pexpect
import pytest

from tests.helpers.cli import Run, run_pm, runner_env
from tests.helpers.hostile_repo import (
    LAYOUTS,
    Hostile,
    fingerprint,
    linked_history,
    project_fingerprint,
)
from tests.reliability.support import assert_no_traceback, figure

TIMEOUT_S = 30  # a hang fails the test instead of blocking CI


def commands(hostile: Hostile) -> list[tuple[list[str], str]]:
    """(args, stdin) of every command the layout goes through, in order."""
    session = ["--session", hostile.session_id] if hostile.session_id else []
    listed: list[tuple[list[str], str]] = [
        (["repl", "--executor", "shell"], "echo first start\n"),
        (["logs", "list"], ""), (["logs", "sessions"], ""), (["logs", "tree"], ""),
        (["logs", "list", *session], ""), (["logs", "tree", *session], ""),
    ]
    if hostile.task_id:
        listed.append((["logs", "show", hostile.task_id, *session], ""))
        listed.append((["logs", "show", hostile.task_id, "--json", *session], ""))
    listed += [(["logs", "clear", "--dry-run"], ""), (["logs", "clear", "--force"], ""),
               (["repl", "--executor", "shell"], "echo second start\n"), (["logs", "list"], "")]
    return listed


def reaches_refused(hostile: Hostile, args: list[str]) -> bool:
    return hostile.refused is not None and (hostile.refused_always or (hostile.session_id or "") in args)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_hostile_layout_never_touches_anything_outside_the_logs(tmp_path: Path, layout: str) -> None:
    """Every command on the layout ends in time, without traceback, and changes nothing outside `.claude/logs`."""
    hostile = LAYOUTS[layout](tmp_path)
    outside_before = {str(folder): fingerprint(folder) for folder in hostile.outside}
    project_before = project_fingerprint(hostile.project)
    shown: list[Run] = []
    for args, stdin in commands(hostile):
        run = run_pm(args, stdin=stdin, cwd=hostile.project, expect=None, timeout=TIMEOUT_S)
        assert_no_traceback(run)
        assert {str(folder): fingerprint(folder) for folder in hostile.outside} == outside_before, run.transcript()
        assert project_fingerprint(hostile.project) == project_before, run.transcript()
        if reaches_refused(hostile, args):
            assert run.code == 1, run.transcript()
            assert f"{hostile.refused} is a symbolic link" in run.stdout + run.stderr, run.transcript()
        elif args[:2] == ["logs", "show"]:
            shown.append(run)
        elif args[0] == "repl":
            assert run.code == 0, run.transcript()
    if hostile.shows:
        assert shown and all("Log file corrupted" in run.stdout or '"corrupted"' in run.stdout for run in shown)
        assert all(hostile.shows in run.stdout for run in shown), shown[0].transcript()
    figure(f"hostile repository, {hostile.name}: {len(commands(hostile))} commands, nothing outside the logs "
           "read, truncated or deleted, no hang")


def test_a_linked_history_file_is_never_appended_to(tmp_path: Path) -> None:
    """At a terminal, a `.claude/repl_history` link is not followed: one WARNING, and typed lines stay in memory."""
    hostile = linked_history(tmp_path)
    outside_before = fingerprint(hostile.outside[0])
    env = runner_env({"TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    child = pexpect.spawn(sys.executable, ["-m", "runner", "repl", "--executor", "shell"], cwd=str(hostile.project),
                          env=env, dimensions=(30, 120), encoding="utf-8", codec_errors="replace", timeout=20)
    try:
        child.expect("pm-runner>")
        warned = "history is not saved this session" in (child.before or "")
        child.sendline("echo typed-secret-line")
        child.expect("RESULT: COMPLETE")
        child.expect("pm-runner>")
        child.sendline("/exit")
        child.expect(pexpect.EOF)
    finally:
        if child.isalive():
            child.terminate(force=True)
    assert fingerprint(hostile.outside[0]) == outside_before, (hostile.outside[0] / "history").read_text()
    assert (hostile.project / ".claude" / "repl_history").is_symlink()
    assert warned
