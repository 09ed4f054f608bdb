"""Real processes, real SIGKILL: snapshots are never torn, killed tasks are recovered, concurrent runners never collide."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from runner.logs.manager import Durability, TaskLogManager
from runner.logs.models import ErrorCode, EventType, TaskLog, TaskStatus, TerminatedBy
from runner.logs.store import LogReader
from tests.helpers.logs_check import assert_logs_consistent

KILL_ITERATIONS = 30


def _busy_writer(project: str, seed: int, working: Any) -> None:
    """Child body: create, run and finish tasks forever, checkpointing often, until killed.

    `working` is set once the first task is registered, so a kill always lands mid-work
    however slow the machine is.
    """
    from runner.logs.manager import TaskLogManager, TaskOutcome
    from runner.logs.models import EventType, ExecutorInfo, TaskStatus

    rng = random.Random(seed)
    manager = TaskLogManager(Path(project), durability=rng.choice(list(Durability)))
    manager.CHECKPOINT_EVENTS = 7
    manager.open_session()
    while True:
        task = manager.create_task("busy " * rng.randint(1, 50))
        working.set()
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=project)
        for n in range(rng.randint(0, 30)):
            manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"{n} " + "x" * rng.randint(0, 4000)})
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))


def _every_json_file_parses(project: Path) -> int:
    """Every non-temp JSON file under the logs folder is a complete document; returns how many task files."""
    tasks = 0
    for path in (project / ".claude" / "logs").rglob("*.json"):
        data = path.read_bytes()
        document = orjson.loads(data)  # raises on a torn file
        if path.parent.name == "tasks":
            TaskLog.model_validate(document)
            tasks += 1
    return tasks


def test_sigkill_at_random_instants_never_tears_a_snapshot(tmp_path: Path) -> None:
    """30 writers killed with SIGKILL mid-work leave only whole files; recovery then makes every index consistent."""
    context = multiprocessing.get_context("fork")
    rng = random.Random(20250112)
    recovered_total = 0
    for iteration in range(KILL_ITERATIONS):
        working = context.Event()
        child = context.Process(target=_busy_writer, args=(str(tmp_path), iteration, working))
        child.start()
        assert working.wait(timeout=60), "the writer registered no task within 60 s"
        time.sleep(rng.uniform(0.0, 0.2))
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL
        _every_json_file_parses(tmp_path)
        recovered_total += len(TaskLogManager(tmp_path).recover_project())
    logs = assert_logs_consistent(tmp_path)
    assert len(logs) >= KILL_ITERATIONS
    assert all(log.status.is_terminal for log in logs)
    assert recovered_total > 0
    assert sum(log.error_code is ErrorCode.RUNNER_CRASHED for log in logs) == recovered_total


KILLED_RUNNER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from runner.logs.manager import TaskLogManager
    from runner.logs.models import EventType, ExecutorInfo
    manager = TaskLogManager(Path(sys.argv[1]))
    session = manager.open_session().session_id
    task = manager.create_task("a task that will never finish")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=sys.argv[1])
    for n in range(5):
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"progress {n}"})
    print(session, task.task_id, flush=True)
    time.sleep(60)
""")


def test_task_left_running_by_a_killed_process_is_recovered_with_its_events(tmp_path: Path) -> None:
    """A runner SIGKILLed mid-task leaves a running task; the next runner closes it as error with every event."""
    proc = subprocess.Popen([sys.executable, "-c", KILLED_RUNNER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    session_id, task_id = proc.stdout.readline().split()
    before = LogReader(tmp_path).read_task(session_id, task_id)
    assert isinstance(before, TaskLog) and before.status is TaskStatus.RUNNING and len(before.events) == 6
    assert TaskLogManager(tmp_path).recover_project() == []  # still alive: hands off
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    opened = TaskLogManager(tmp_path).open_session()
    assert opened.recovered == [f"{session_id}/{task_id}"]
    log = LogReader(tmp_path).read_task(session_id, task_id)
    assert isinstance(log, TaskLog)
    assert (log.status, log.error_code, log.terminated_by) == (TaskStatus.ERROR, ErrorCode.RUNNER_CRASHED,
                                                               TerminatedBy.REPL_FAIL_CLOSED)
    assert [e.content.get("line") for e in log.events if e.event_type is EventType.EXECUTOR_OUTPUT] == [
        f"progress {n}" for n in range(5)]
    assert log.events[-2].event_type is EventType.RECOVERY_COMPLETE
    assert LogReader(tmp_path).read_session_index(session_id).entries[0].status is TaskStatus.ERROR


CONCURRENT_RUNNER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from runner.logs.manager import TaskLogManager, TaskOutcome
    from runner.logs.models import TaskStatus
    start_at = float(sys.argv[2])
    while time.time() < start_at:
        time.sleep(0.001)
    manager = TaskLogManager(Path(sys.argv[1]), lock_timeout_s=30)
    for _ in range(3):
        manager.open_session()
        for n in range(4):
            task = manager.create_task(f"task {n}")
            manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
            print(manager.session_id, task.task_id, task.external_task_id, flush=True)
    manager.close()
""")


@pytest.mark.parametrize("runners", [3])
def test_concurrent_runners_get_distinct_ids_and_consistent_indexes(tmp_path: Path, runners: int) -> None:
    """Processes starting sessions and tasks at the same moment never share a session id and leave whole indexes."""
    start_at = time.time() + 1.5
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT_RUNNER, str(tmp_path), str(start_at)],
                              stdout=subprocess.PIPE, text=True) for _ in range(runners)]
    outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * runners
    lines = [line.split() for out in outputs for line in out.splitlines()]
    sessions = {session for session, _, _ in lines}
    assert len(sessions) == 3 * runners
    assert len({(session, task) for session, task, _ in lines}) == len(lines) == 12 * runners
    logs = assert_logs_consistent(tmp_path)
    assert len(logs) == 12 * runners
    rows = LogReader(tmp_path).list_sessions()
    assert sorted(r.session_id for r in rows) == sorted(sessions)
    assert all((r.task_count, r.counts.complete) == (4, 4) for r in rows)
