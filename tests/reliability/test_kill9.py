"""kill -9 of a real runner at random instants across a heredoc of fast tasks.

After every kill: every JSON file parses and every terminal TaskLog seen so far is still there,
unchanged, including each one the runner had already reported with `RESULT:`. After the last
start: every task in an index has its task file and vice versa, and exactly the tasks found
unfinished after a kill were closed as `error` / RUNNER_CRASHED by recovery.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import pytest

from runner.logs.models import ErrorCode, EventType, GlobalIndex, TaskLog, TaskStatus
from tests.helpers.cli import run_pm, runner_env
from tests.helpers.logs_check import stored_global_index, stored_session_index
from tests.reliability.support import PYTHON, figure, parse_every_json

SHELL = ["repl", "--executor", "shell"]
TASKS_PER_RUN = 40
Key = tuple[str, str]  # (session id, task id)


def heredoc(run_number: int) -> bytes:
    """Fast tasks of four kinds: a file write, a no-op, one output line, two output lines."""
    kinds = [f"touch k{run_number}_{{i}}.txt", "true", f"echo run {run_number} line {{i}}", "printf 'a\\nb\\n'"]
    return "".join(kinds[i % 4].format(i=i) + "\n" for i in range(TASKS_PER_RUN)).encode()


@dataclass
class Observed:
    """What the test has seen on disk and on screen so far."""

    terminal: dict[Key, tuple[TaskStatus, str | None, int]] = field(default_factory=dict)
    unfinished: set[Key] = field(default_factory=set)
    reported: dict[Key, TaskStatus] = field(default_factory=dict)
    settled: set[str] = field(default_factory=set)


def read_reported(text: str, seen: Observed) -> None:
    """`RESULT:` blocks the runner printed: each task was durable on disk before it was printed."""
    lines = text.splitlines()
    session = None
    for line, following in zip(lines, [*lines[1:], ""], strict=False):
        started = re.match(r"No session was active: started (sess-\d{8}-\d+)", line)
        session = started.group(1) if started else session
        result, task = re.match(r"RESULT: (\w+)$", line), re.match(r"TASK: (task-\d+)$", following)
        if result and task and session is not None:
            seen.reported[(session, task.group(1))] = TaskStatus(result.group(1).lower())


def sweep_session(folder: Path, seen: Observed) -> None:
    """Parse every file of one session; record terminal logs and check those recorded before."""
    meta_path = folder / "session.json"
    meta = orjson.loads(meta_path.read_bytes()) if meta_path.exists() else None
    rows = stored_session_index(folder.parents[3], folder.name)
    statuses: dict[str, TaskStatus] = {}
    for path in sorted((folder / "tasks").glob("task-*.json")):
        log = TaskLog.model_validate_json(path.read_bytes())
        key = (folder.name, log.task_id)
        statuses[log.task_id] = log.status
        if not log.status.is_terminal:
            seen.unfinished.add(key)
            continue
        now = (log.status, log.ended_at, len(log.events))
        assert seen.terminal.setdefault(key, now) == now, f"terminal log of {key} changed: {now}"
    in_step = rows is not None and {e.task_id: e.status for e in rows.entries} == statuses
    if meta is not None and meta.get("ended_at") and in_step and all(s.is_terminal for s in statuses.values()):
        seen.settled.add(folder.name)  # no runner touches an ended session again


def sweep(project: Path, seen: Observed) -> None:
    logs = project / ".claude" / "logs"
    if (logs / "index.json").exists():
        GlobalIndex.model_validate_json((logs / "index.json").read_bytes())
    for folder in sorted((logs / "sessions").iterdir()) if (logs / "sessions").exists() else []:
        if folder.name not in seen.settled:
            sweep_session(folder, seen)
    for key, status in seen.reported.items():
        assert seen.terminal.get(key, (None,))[0] == status, f"{key} reported {status} but not on disk as such"


def kill_at_random(project: Path, run_number: int, delay: float, out: Path) -> bool:
    """Start a runner on a heredoc and SIGKILL it after `delay` s; False if it finished first."""
    with open(out, "wb") as sink:
        proc = subprocess.Popen([PYTHON, "-m", "runner", *SHELL], stdin=subprocess.PIPE, stdout=sink,
                                stderr=subprocess.STDOUT, cwd=project, env=runner_env())
        assert proc.stdin is not None
        proc.stdin.write(heredoc(run_number))
        proc.stdin.close()
        try:
            proc.wait(timeout=delay)
            return False
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return True


def check_final_state(project: Path, seen: Observed) -> tuple[int, int]:
    """Indexes and files agree, everything is terminal, nothing lost; returns (task logs, empty folders)."""
    logs = project / ".claude" / "logs"
    parse_every_json(project)
    stored = stored_global_index(project)
    assert stored is not None, "the global index is missing or does not validate"
    global_rows = {row.session_id for row in stored.sessions}
    total, empty, crashed = 0, 0, set()
    for folder in sorted((logs / "sessions").iterdir()):
        files = {p.name[:-5]: p for p in (folder / "tasks").glob("task-*.json")}
        if not (folder / "session.json").exists():
            assert not files, f"{folder.name}: task files without a session.json"
            empty += 1  # killed while allocating the session: nothing was ever registered in it
            continue
        assert folder.name in global_rows, f"{folder.name} missing from the global index"
        index = stored_session_index(project, folder.name)
        assert index is not None, f"{folder.name}: the session index is missing or does not validate"
        rows = index.entries
        assert {e.task_id for e in rows} == set(files), f"{folder.name}: index rows and task files differ"
        for entry in rows:
            log = TaskLog.model_validate_json(files[entry.task_id].read_bytes())
            key = (folder.name, entry.task_id)
            assert log.status.is_terminal and log.status == entry.status, (key, log.status, entry.status)
            if key in seen.terminal:
                assert seen.terminal[key] == (log.status, log.ended_at, len(log.events)), f"{key} changed"
            if log.error_code is ErrorCode.RUNNER_CRASHED:
                assert any(e.event_type is EventType.RECOVERY_COMPLETE for e in log.events), key
                crashed.add(key)
            total += 1
    assert global_rows <= {p.name for p in (logs / "sessions").iterdir()}
    lost = set(seen.terminal) - {k for k in seen.terminal if (logs / "sessions" / k[0] / "tasks" / f"{k[1]}.json").exists()}
    assert not lost, f"terminal logs lost: {sorted(lost)}"
    assert crashed == seen.unfinished, (f"recovered {sorted(crashed)}\nbut unfinished after kills were "
                                        f"{sorted(seen.unfinished)}")
    return total, empty


def timed_run(project: Path) -> float:
    started = time.monotonic()
    run_pm(SHELL, stdin=heredoc(0), cwd=project)
    return time.monotonic() - started


@pytest.mark.parametrize("kills", [pytest.param(20, id="20-kills"),
                                   pytest.param(100, id="100-kills", marks=pytest.mark.slow)])
def test_kill9_loses_no_terminal_log_and_recovers_the_rest(tmp_path: Path, kills: int) -> None:
    """SIGKILL at random instants: 0 terminal logs lost, every unfinished task recovered as error."""
    project = tmp_path / "proj"
    project.mkdir()
    seed = int(os.environ.get("PMR_RELIABILITY_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    full_run = min(timed_run(project) for _ in range(2))  # unkilled runs set the scale of the random instants
    seen, finished_first = Observed(), 0
    sweep(project, seen)
    for number in range(1, kills + 1):
        out = tmp_path / f"run-{number}.out"
        if not kill_at_random(project, number, rng.uniform(0.0, full_run), out):
            finished_first += 1
        text = out.read_text(errors="replace")
        assert "Traceback" not in text, f"run {number} (seed {seed}):\n{text}"
        read_reported(text, seen)
        sweep(project, seen)
    last = run_pm(SHELL, stdin="", cwd=project)
    total, empty = check_final_state(project, seen)
    line = figure(f"kill -9: {kills} kills (seed {seed}), {total} TaskLogs, 0 lost terminal logs "
                  f"({len(seen.reported)} reported by RESULT), {len(seen.unfinished)} recovered as error, "
                  f"{finished_first} runs finished before their kill (full run {full_run:.2f} s), "
                  f"{empty} empty session folders")
    assert seen.unfinished, f"no kill landed inside a task: the scenario checked nothing\n{line}"
    assert "Traceback" not in last.stdout + last.stderr, line
