"""No process outlives its task: children that leave the process group (setsid, setpgid, double fork)
are ended at task end and on timeout, with real processes."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runner.executors import process_tree
from runner.executors.base import ExecutorLimits, ExecutorStatus, ExecutorTask
from runner.executors.shell import ShellExecutor
from runner.logs.models import BlockedReason, EventType
from tests.helpers.children import live_children
from tests.helpers.recording_sink import RecordingSink

LIMITS = ExecutorLimits(executor_timeout_ms=6_000, progress_timeout_ms=2_000, kill_grace_ms=1_000,
                        drain_timeout_ms=1_000)
# A grandchild that leaves the group and writes its pid before it sleeps.
SETSID = "setsid sh -c 'echo $$ > {pidfile}; exec sleep 300' </dev/null >/dev/null 2>&1 &"


@pytest.fixture(autouse=True)
def no_children_left() -> Iterator[None]:
    yield
    assert live_children() == []


def wait_for_pid(pidfile: Path, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = pidfile.read_text().strip() if pidfile.exists() else ""
        if text:
            return int(text)
        time.sleep(0.02)
    raise AssertionError(f"{pidfile} was never written")


def gone(pid: int) -> bool:
    process = process_tree.read_process(pid)
    return process is None or process.zombie


def run(tmp_path: Path, command: str) -> tuple[ExecutorStatus, RecordingSink]:
    sink = RecordingSink()
    result = ShellExecutor().run(ExecutorTask(prompt=command, project_root=tmp_path, limits=LIMITS), sink)
    return result.status, sink


@pytest.mark.parametrize("escape", [
    SETSID,
    "(" + SETSID + ");",  # a double fork: the middle process exits at once
    "python3 -c \"import os, time; os.setpgid(0, 0); open('{pidfile}', 'w').write(str(os.getpid())); "
    "time.sleep(300)\" </dev/null >/dev/null 2>&1 &",
])
def test_a_process_that_left_the_group_is_ended_when_the_task_exits(tmp_path: Path, escape: str) -> None:
    """setsid, a double fork and setpgid all leave the task's group; none of them outlives the task."""
    pidfile = tmp_path / "escaped.pid"
    command = escape.format(pidfile=pidfile) + f" while [ ! -s {pidfile} ]; do sleep 0.02; done; echo done"
    status, sink = run(tmp_path, command)
    assert status is ExecutorStatus.SUCCEEDED, sink.events
    pid = wait_for_pid(pidfile)
    assert gone(pid), f"process {pid} outlived its task"


def test_an_escaped_process_is_ended_on_timeout(tmp_path: Path) -> None:
    """A task that times out takes its setsid grandchild with it."""
    pidfile = tmp_path / "escaped.pid"
    status, sink = run(tmp_path, SETSID.format(pidfile=pidfile) + " sleep 300")
    assert status is ExecutorStatus.BLOCKED
    assert sink.of_type(EventType.EXECUTOR_PROGRESS)[-1]["end"] == "blocked"
    assert gone(wait_for_pid(pidfile))


def test_an_escaped_process_holding_the_output_is_ended_after_the_drain(tmp_path: Path) -> None:
    """A setsid grandchild that keeps stdout open does not hang the task: bounded drain, then it is ended."""
    pidfile = tmp_path / "escaped.pid"
    sink = RecordingSink()
    command = f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 300' & echo started"
    result = ShellExecutor().run(ExecutorTask(prompt=command, project_root=tmp_path, limits=LIMITS), sink)
    assert result.blocked_reason is BlockedReason.TIMEOUT
    assert gone(wait_for_pid(pidfile))


def test_executor_start_records_what_identifies_the_group(tmp_path: Path) -> None:
    """EXECUTOR_START keeps pid, pgid, the start time, the boot id and the task tag for a later start."""
    _status, sink = run(tmp_path, "echo hi")
    (start,) = sink.of_type(EventType.EXECUTOR_START)
    process = start["process"]
    assert process["pgid"] == start["pid"]
    assert isinstance(process["start_ticks"], int) and process["start_ticks"] > 0
    assert process["boot_id"] == process_tree.boot_id()
    assert process["tag"].startswith(f"{os.getpid()}-")


def test_processes_the_runner_started_before_the_task_are_left_alone(tmp_path: Path) -> None:
    """Only what the task started is ended: an older child of the runner survives the task's end."""
    import subprocess

    older = subprocess.Popen(["sleep", "300"], start_new_session=True)
    try:
        status, _sink = run(tmp_path, "sleep 0.1; echo ok")
        assert status is ExecutorStatus.SUCCEEDED
        assert older.poll() is None
    finally:
        older.kill()
        older.wait()
