"""Real processes, real SIGKILL: snapshots are never torn, killed tasks are recovered, concurrent runners never collide."""

from __future__ import annotations

import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest

from runner.logs.manager import TaskLogManager
from runner.logs.models import ErrorCode, EventType, TaskLog, TaskStatus, TerminatedBy
from runner.logs.store import LogReader
from tests.helpers.logs_check import assert_logs_consistent

KILL_ITERATIONS = 30


# A writer in its own interpreter: a fork of pytest would copy whatever lock another thread
# (xdist's channel, a timer left by an earlier test) held at that instant, and hang on it.
BUSY_WRITER = textwrap.dedent("""
    import random, sys
    from pathlib import Path
    from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
    from runner.logs.models import EventType, ExecutorInfo, TaskStatus
    project, rng = sys.argv[1], random.Random(int(sys.argv[2]))
    manager = TaskLogManager(Path(project), durability=rng.choice(list(Durability)))
    manager.CHECKPOINT_EVENTS = 7
    manager.open_session()
    said = False
    while True:
        task = manager.create_task("busy " * rng.randint(1, 50))
        if not said:  # a kill from now on always lands mid-work, however slow the machine is
            print("working", flush=True)
            said = True
        manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=project)
        for n in range(rng.randint(0, 30)):
            manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": f"{n} " + "x" * rng.randint(0, 4000)})
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
""")


def _start_busy_writer(project: Path, seed: int) -> subprocess.Popen[str]:
    """A writer creating, running and finishing tasks forever; returns once its first task is registered."""
    writer = subprocess.Popen([sys.executable, "-c", BUSY_WRITER, str(project), str(seed)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    ready, _, _ = select.select([writer.stdout], [], [], 60)
    if not ready or writer.stdout.readline() != "working\n":
        writer.kill()
        writer.wait()
        pytest.fail("the writer registered no task within 60 s")
    return writer


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
    rng = random.Random(20250112)
    recovered_total, warnings = 0, []
    for iteration in range(KILL_ITERATIONS):
        writer = _start_busy_writer(tmp_path, iteration)
        time.sleep(rng.uniform(0.0, 0.2))
        writer.kill()
        assert writer.wait() == -signal.SIGKILL
        assert writer.stdout is not None
        writer.stdout.close()
        _every_json_file_parses(tmp_path)
        recoverer = TaskLogManager(tmp_path)
        recovered_total += len(recoverer.recover_project())
        warnings += recoverer.warnings
    logs = assert_logs_consistent(tmp_path)
    assert len(logs) >= KILL_ITERATIONS
    assert all(log.status.is_terminal for log in logs)
    assert recovered_total > 0
    crashed = [f"{log.session_id}/{log.task_id}" for log in logs if log.error_code is ErrorCode.RUNNER_CRASHED]
    assert len(crashed) == recovered_total, (crashed, warnings)


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
