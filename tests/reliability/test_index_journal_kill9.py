"""kill -9 of a real runner just before each step on an index file: appends, compactions, removals.

A probe run of `index_kill_child.py` lists every step the workload takes on the global and session
indexes (journal opens, appends and fsyncs; snapshot temp files, fsyncs, renames and folder fsyncs;
removal of the previous journal). Then one fresh project per chosen step: the child dies just
before that step, and the files must hold whole JSON documents, every row the child had reported
stored must be there with the status reported (or a later one), and recovery must leave the
indexes and the task files one to one, every task terminal.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

from runner.logs.manager import TaskLogManager
from runner.logs.models import TaskStatus
from tests.helpers.logs_check import assert_logs_consistent, stored_session_index
from tests.reliability.support import PYTHON, figure, parse_every_json

CHILD = Path(__file__).with_name("index_kill_child.py")
_ORDER = {TaskStatus.QUEUED: 0, TaskStatus.RUNNING: 1}  # terminal statuses rank 2
_ROLES = ((re.compile(r"/logs/\.index\.json\..*\.tmp$"), "global snapshot temp"),
          (re.compile(r"/logs/index\.json$"), "global snapshot"),
          (re.compile(r"/logs/index\.\d+\.jsonl$"), "global journal"),
          (re.compile(r"/sessions/[^/]+/\.index\.json\..*\.tmp$"), "session snapshot temp"),
          (re.compile(r"/sessions/[^/]+/index\.json$"), "session snapshot"),
          (re.compile(r"/sessions/[^/]+/index\.\d+\.jsonl$"), "session journal"),
          (re.compile(r"/sessions/[^/]+$"), "session folder"),
          (re.compile(r"/logs$"), "logs folder"))


def run_child(project: Path, kill_at: int, steps: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PMR_KILL_AT": str(kill_at), "PMR_STEP_LOG": str(steps)}
    return subprocess.run([PYTHON, str(CHILD), str(project)], capture_output=True, text=True, env=env,
                          timeout=120, check=False)


def kind_of(step: str) -> tuple[str, str]:
    op, path = step.split(" ", 1)
    return op, next((role for pattern, role in _ROLES if pattern.search(path)), path)


def chosen_steps(steps: list[str], every: bool) -> list[int]:
    """1-based step numbers to kill at: all of them, or the first of each kind of step."""
    if every:
        return list(range(1, len(steps) + 1))
    first: dict[tuple[str, str], int] = {}
    for number, step in enumerate(steps, start=1):
        first.setdefault(kind_of(step), number)
    return sorted(first.values())


def reported(lines: Iterable[str]) -> dict[tuple[str, str], TaskStatus]:
    """The latest status the child printed for each task: its row was stored before the print."""
    found: dict[tuple[str, str], TaskStatus] = {}
    for line in lines:
        if line.startswith("ok "):
            _, session, task, status = line.split()
            found[(session, task)] = TaskStatus(status)
    return found


def check_after_kill(project: Path, told: dict[tuple[str, str], TaskStatus], where: str) -> None:
    parse_every_json(project)
    for (session, task), status in told.items():
        index = stored_session_index(project, session)
        assert index is not None, f"{where}: the index of {session} is unreadable"
        row = next((entry for entry in index.entries if entry.task_id == task), None)
        assert row is not None, f"{where}: {session}/{task} was reported {status} but has no row"
        if status.is_terminal:
            assert row.status is status, f"{where}: {session}/{task} reported {status}, stored {row.status}"
        else:
            assert _ORDER.get(row.status, 2) >= _ORDER[status], f"{where}: {session}/{task} went back to {row.status}"


def sweep(tmp_path: Path, every: bool) -> str:
    probe = tmp_path / "probe"
    probe.mkdir()
    log = tmp_path / "probe.steps"
    finished = run_child(probe, 0, log)
    assert finished.returncode == 0, finished.stderr
    steps = log.read_text().splitlines()
    kinds = {kind_of(step) for step in steps}
    assert {op for op, _ in kinds} == {"open", "write", "fsync", "replace", "unlink"}, sorted(kinds)
    assert {role for _, role in kinds} >= {role for _, role in _ROLES}, sorted(kinds)
    chosen = chosen_steps(steps, every)
    for number in chosen:
        project = tmp_path / f"kill-{number}"
        project.mkdir()
        run = run_child(project, number, tmp_path / f"kill-{number}.steps")
        where = f"killed before step {number} ({steps[number - 1]})"
        assert run.returncode == -signal.SIGKILL, f"{where}: exit {run.returncode}\n{run.stderr}"
        told = reported(run.stdout.splitlines())
        check_after_kill(project, told, where)
        TaskLogManager(project).recover_project()
        logs = assert_logs_consistent(project)
        assert all(log.status.is_terminal for log in logs), where
        kept = {(log.session_id, log.task_id): log.status for log in logs}
        assert all(kept[key] is status for key, status in told.items() if status.is_terminal), where
    return figure(f"index journal kill -9: {len(chosen)} of {len(steps)} steps ({len(kinds)} kinds), "
                  "0 torn files, 0 reported rows lost, every index consistent after recovery")


def test_index_journal_survives_kill9_at_each_kind_of_step(tmp_path: Path) -> None:
    """SIGKILL before the first step of each kind (op × file): whole files, no reported row lost."""
    sweep(tmp_path, every=False)


@pytest.mark.slow
def test_index_journal_survives_kill9_at_every_step(tmp_path: Path) -> None:
    """SIGKILL before every single step the workload takes on an index file (about a hundred kills)."""
    sweep(tmp_path, every=True)
