"""Fault injection on log writes: EIO/ENOSPC from `os.write`, `os.fsync` and `os.replace` in a real runner.

The runner runs in a subprocess through `fault_runner.py`, which makes the chosen calls fail on
chosen files under `.claude/logs` (a failing write leaves half its bytes behind, as a full disk
does). Journal failures must become WARNINGs while the task goes on; a terminal-save failure must
stop the runner with exit 1 and a clear ERROR; no snapshot is ever left half-written.
"""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from runner.logs.models import ErrorCode, EventType, TaskStatus
from tests.helpers.cli import Run, run_pm, runner_env
from tests.helpers.logs_check import assert_logs_consistent
from tests.reliability.support import (
    assert_no_traceback,
    figure,
    leftover_temp_files,
    only_session,
    parse_every_json,
    read_task,
    run_script,
)

FAULT_RUNNER = str(Path(__file__).with_name("fault_runner.py"))
SHELL = ["repl", "--executor", "shell"]
JOURNAL = r"\.events\.jsonl$"
SNAPSHOT_TEMP = r"/tasks/\.task-\d+\.json\.\d+\.[0-9a-f]+\.tmp$"
SNAPSHOT = r"/tasks/task-\d+\.json$"
TERMINAL_DATA = r'"ended_at":"'  # only a terminal snapshot has an end time
INDEX_JOURNAL = re.compile(r"/sessions/sess-[0-9-]+/index\.\d+\.jsonl$")  # a session index's journal


def run_with_faults(project: Path, faults: list[dict[str, Any]], stdin: str) -> tuple[Run, list[dict[str, Any]]]:
    """Run the REPL under the fault wrapper; returns the run and the wrapper's record of calls."""
    record = project.parent / f"{project.name}.faults.jsonl"
    env = runner_env({"PMR_FAULTS": json.dumps(faults), "PMR_FAULT_LOG": str(record)})
    run = run_script([FAULT_RUNNER, *SHELL], stdin=stdin.encode(), cwd=project, env=env)
    assert_no_traceback(run)
    lines = record.read_text().splitlines() if record.exists() else []
    return run, [json.loads(line) for line in lines]


def injected(record: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in record if "fault" in r]


@pytest.mark.parametrize(("op", "code"), [("write", "EIO"), ("fsync", "ENOSPC")])
def test_failed_journal_appends_become_warnings_and_the_task_goes_on(tmp_path: Path, op: str, code: str) -> None:
    """Every journal append failing: one WARNING per event, tasks complete, every event in the snapshot."""
    project = tmp_path / "proj"
    project.mkdir()
    faults = [{"op": op, "path": JOURNAL, "errno": code}]
    run, record = run_with_faults(project, faults, "printf 'one\\ntwo\\n'\necho after\n")
    assert run.code == 0, run.transcript()
    warnings = [line for line in run.stderr.splitlines() if line.startswith("WARNING: could not append event")]
    assert warnings and all("it is kept for the task's next snapshot" in w for w in warnings), run.transcript()
    assert run.stdout.count("RESULT: COMPLETE") == 2, run.transcript()
    logs = assert_logs_consistent(project)
    first = next(log for log in logs if log.task_id == "task-001")
    numbers = [int(e.event_id.split("-")[1]) for e in first.events]
    assert numbers == list(range(1, len(numbers) + 1)), f"event ids with gaps: {numbers}"
    output = [e.content.get("line") for e in first.events if e.event_type is EventType.EXECUTOR_OUTPUT]
    assert output == ["one", "two"], output
    assert not leftover_temp_files(project)
    events = sum(len(log.events) for log in logs)
    line = figure(f"fault injection: {len(injected(record))} journal {op} failures ({code}) -> "
                  f"{len(warnings)} WARNINGs, 2/2 tasks complete, {events} events saved, 0 lost")
    assert len(warnings) == len(injected(record)) // 3, line  # 3 tries per event, then one WARNING


@pytest.mark.parametrize(("op", "code", "path"), [("write", "ENOSPC", SNAPSHOT_TEMP),
                                                  ("fsync", "EIO", SNAPSHOT_TEMP),
                                                  ("replace", "EIO", SNAPSHOT)],
                         ids=["write-ENOSPC", "fsync-EIO", "replace-EIO"])
def test_failed_terminal_save_stops_the_runner(tmp_path: Path, op: str, code: str, path: str) -> None:
    """The terminal snapshot never saved: ERROR + exit 1, later lines not run, old snapshot intact, recovered next."""
    project = tmp_path / "proj"
    project.mkdir()
    faults = [{"op": op, "path": path, "errno": code, "data": TERMINAL_DATA}]
    run, record = run_with_faults(project, faults, "echo one\necho never\n")
    assert run.code == 1, run.transcript()
    said = run.stderr.splitlines()  # notices are on stderr in a script (spec/repl.md, "Streams")
    error = next((i for i, text in enumerate(said) if text.startswith("ERROR: could not save the final log")), None)
    assert error is not None and os.strerror(getattr(errno, code)) in said[error], run.transcript()
    assert said[error + 1].startswith("HINT: "), run.transcript()
    assert "RESULT:" not in run.stdout and "> echo never" not in run.stdout, run.transcript()
    assert any("will be recovered at the next start" in text for text in said), run.transcript()
    files = parse_every_json(project)
    session = only_session(project)
    assert read_task(project, session, "task-001").status is TaskStatus.RUNNING
    assert not leftover_temp_files(project), leftover_temp_files(project)
    attempts = len(injected(record))
    assert attempts >= 3, record  # the save, its rewrite from memory, then close()'s last try
    after = run_pm(SHELL, stdin="", cwd=project, env=runner_env())
    assert "WARNING: recovered 1 task(s)" in after.stderr and f"{session}/task-001" in after.stderr
    (log,) = assert_logs_consistent(project)
    assert log.status is TaskStatus.ERROR and log.error_code is ErrorCode.RUNNER_CRASHED
    figure(f"fault injection: terminal save {op} failed {attempts}x ({code}) -> exit 1 with ERROR+HINT, "
           f"{files} JSON files parse, snapshot intact (running), 0 temp files, recovered as error next start")


def test_terminal_save_failing_twice_is_saved_at_close(tmp_path: Path) -> None:
    """Both terminal-save tries fail: exit 1 with an ERROR, and close() saves the decided log after all."""
    project = tmp_path / "proj"
    project.mkdir()
    faults = [{"op": "write", "path": SNAPSHOT_TEMP, "errno": "ENOSPC", "data": TERMINAL_DATA, "count": 2}]
    run, record = run_with_faults(project, faults, "echo one\necho never\n")
    assert run.code == 1, run.transcript()
    assert any(text.startswith("ERROR: could not save the final log of task-001") for text in run.stderr.splitlines())
    assert "> echo never" not in run.stdout, run.transcript()
    (log,) = assert_logs_consistent(project)
    assert log.status is TaskStatus.COMPLETE and log.events[-1].event_type is EventType.TASK_COMPLETE
    assert not leftover_temp_files(project)
    figure(f"fault injection: terminal save failed {len(injected(record))}x -> exit 1, "
           "decided log saved by close() (complete), 0 temp files")


def test_failed_fsync_is_rewritten_from_memory_never_refsynced(tmp_path: Path) -> None:
    """One fsync EIO on the terminal snapshot: written again to a fresh temp file; the failed one is never re-fsynced."""
    project = tmp_path / "proj"
    project.mkdir()
    faults = [{"op": "fsync", "path": SNAPSHOT_TEMP, "errno": "EIO", "data": TERMINAL_DATA, "count": 1}]
    run, record = run_with_faults(project, faults, "echo one\n")
    assert run.code == 0 and "RESULT: COMPLETE" in run.stdout, run.transcript()
    (fault,) = injected(record)
    later = record[record.index(fault) + 1:]
    assert not [r for r in later if r["op"] == "fsync" and r["path"] == fault["path"]], "failed file fsynced again"
    rewrite = [r for r in later if r["op"] == "replace" and r.get("data") and re.search(SNAPSHOT, r["path"])]
    assert len(rewrite) == 1 and rewrite[0]["src"] != fault["path"], record
    assert any(r["op"] == "fsync" and r["path"] == rewrite[0]["src"] for r in later)
    (log,) = assert_logs_consistent(project)
    assert log.status is TaskStatus.COMPLETE
    figure("fault injection: 1 fsync EIO on the terminal snapshot -> rewritten from memory to a fresh temp "
           "file, failed file never fsynced again, task complete, exit 0")


def watched_snapshot_replaces(tmp_path: Path, data: str, stdin: str) -> tuple[Path, Run, list[dict[str, Any]], list[int]]:
    """Run under the fault wrapper, watching (never failing) the snapshot replaces whose bytes match `data`;
    returns the project, the run, the wrapper's record and the positions of those replaces in it."""
    project = tmp_path / "proj"
    project.mkdir()
    watch = [{"op": "replace", "path": SNAPSHOT, "errno": "EIO", "data": data, "count": 0}]
    run, record = run_with_faults(project, watch, stdin)
    positions = [i for i, r in enumerate(record)
                 if r["op"] == "replace" and r.get("data") and re.search(SNAPSHOT, r["path"])]
    return project, run, record, positions


def test_terminal_snapshot_is_durable_before_its_index_row(tmp_path: Path) -> None:
    """Strict mode: temp fsync, replace, folder fsync, and only then the session index row (its fsynced journal line)."""
    _, run, record, terminal = watched_snapshot_replaces(tmp_path, TERMINAL_DATA, "echo one\ntouch two.txt\nfalse\n")
    assert run.code == 1 and run.stdout.count("RESULT:") == 3, run.transcript()
    assert len(terminal) == 3, record
    for position in terminal:
        replace = record[position]
        before, after = record[:position], record[position + 1:]
        assert {"op": "fsync", "path": replace["src"]} in before, f"temp file not fsynced: {replace}"
        index_at = next(i for i, r in enumerate(after) if r["op"] == "fsync" and INDEX_JOURNAL.search(r["path"]))
        folder = {"op": "fsync", "path": os.path.dirname(replace["path"])}
        assert folder in after[:index_at], f"tasks folder not fsynced before the index row: {replace['path']}"
    figure(f"fault injection (trace): {len(terminal)}/3 terminal snapshots fsynced (file, then folder) "
           "before their index row")


def test_running_snapshot_is_fsynced_before_its_replace(tmp_path: Path) -> None:
    """Strict mode: the running snapshot's temp file is fsynced before its replace (its folder is not: a lost
    rename leaves the durable queued snapshot, and the journal keeps the events, see test_manager_durability)."""
    project, run, record, running = watched_snapshot_replaces(tmp_path, r'"status":"running"', "echo one\necho two\n")
    assert run.code == 0 and run.stdout.count("RESULT:") == 2, run.transcript()
    assert len(running) == 2, record
    for position in running:
        replace = record[position]
        assert {"op": "fsync", "path": replace["src"]} in record[:position], f"temp file not fsynced: {replace}"
    session_id = only_session(project)
    for task_id in ("task-001", "task-002"):
        assert read_task(project, session_id, task_id).status is TaskStatus.COMPLETE
    figure("fault injection (trace): 2/2 running snapshots fsynced (file) before their replace")
