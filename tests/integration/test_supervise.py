"""Hostile children under the supervisor: each one ends as a blocked result, on time, leaving no process behind."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runner.executors.base import ExecutorLimits, ExecutorResult, ExecutorStatus, ExecutorTask
from runner.executors.shell import ShellExecutor
from runner.executors.supervise import PROMPT_QUIET_S, SpawnSpec, supervise
from runner.logs.models import BlockedReason, ErrorCode, EventType, TerminatedBy
from tests.helpers.children import live_children
from tests.helpers.recording_sink import RecordingSink, group_gone

# Generous on a shared 2-core machine; the limits themselves are 1-2 s so a hang would still show.
SLACK_S = 2.5
LIMITS = ExecutorLimits(executor_timeout_ms=4_000, progress_timeout_ms=1_500, kill_grace_ms=1_000,
                        drain_timeout_ms=1_000)


@pytest.fixture(autouse=True)
def no_children_left() -> Iterator[None]:
    """After every test here, this process has no child left (alive or zombie) that the test started."""
    before = set(live_children())
    yield
    assert sorted(set(live_children()) - before) == []


def run_shell(tmp_path: Path, command: str, limits: ExecutorLimits = LIMITS,
              cancel: threading.Event | None = None) -> tuple[ExecutorResult, RecordingSink, float]:
    sink = RecordingSink()
    task = ExecutorTask(prompt=command, project_root=tmp_path, limits=limits, cancel=cancel)
    started = time.monotonic()
    result = ShellExecutor().run(task, sink)
    return result, sink, time.monotonic() - started


def assert_blocked(result: ExecutorResult, reason: BlockedReason, by: TerminatedBy) -> None:
    assert result.status is ExecutorStatus.BLOCKED, result
    assert result.executor_blocked
    assert result.blocked_reason is reason
    assert result.terminated_by is by


@pytest.mark.parametrize("command, shown", [
    ("echo '? Select an option'; echo '  1) small'; sleep 30", "? Select an option"),
    ("printf '\\033[32m?\\033[0m Which template?\\n'; sleep 30", "? Which template?"),
    ("echo 'Press any key to continue' >&2; sleep 30", "Press any key to continue"),
])
def test_prompt_line_blocks_the_child(tmp_path: Path, command: str, shown: str) -> None:
    """A `? `/`Press ` prompt line (coloured or on stderr) followed by silence ends the child as INTERACTIVE_PROMPT
    after the grace period."""
    result, sink, elapsed = run_shell(tmp_path, command)
    assert_blocked(result, BlockedReason.INTERACTIVE_PROMPT, TerminatedBy.REPL_FAIL_CLOSED)
    assert result.detected_pattern == shown
    assert result.error_message == f"Executor blocked on interactive prompt: '{shown}'"
    assert result.error_code is ErrorCode.EXECUTOR_BLOCKED
    assert elapsed <= PROMPT_QUIET_S + LIMITS.kill_grace_ms / 1000 + SLACK_S
    assert group_gone(sink.child_pid())


@pytest.mark.parametrize("command", [
    "echo '?'",
    "echo 'Press CTRL+C to quit'",
    "echo ' * Running (Press CTRL+C to quit)'; sleep 2.5; echo served",
    "echo 'Continue (y/n)'; echo 'assuming yes'",
    "echo 'Overwrite config? [Y/n]'",
    "printf 'Proceed? [y/N] '",
    "echo '? Select an option'; sleep 0.3; echo 'option 1 chosen by the config'",
    "head -c 2000000 /dev/urandom",  # binary (10 MB in the issue; the size only costs time here)
    "head -c 1000000 /dev/urandom | tr '\\000' '?'; printf '\\n? \\377\\n'; sleep 2.5",
])
def test_prompt_words_in_ordinary_output_never_end_the_task(tmp_path: Path, command: str) -> None:
    """`?`, `(y/n)`, `Press CTRL+C`, a prompt-like last line of a child that exits, and binary output complete."""
    limits = ExecutorLimits(executor_timeout_ms=30_000, progress_timeout_ms=10_000, kill_grace_ms=1_000,
                            drain_timeout_ms=1_000)
    result, sink, _elapsed = run_shell(tmp_path, command, limits)
    assert result.status is ExecutorStatus.SUCCEEDED, (result.error_message, sink.events[-3:])
    assert not result.executor_blocked
    assert group_gone(sink.child_pid())


def test_yes_no_prompt_without_newline_blocks(tmp_path: Path) -> None:
    """A trailing `Overwrite? [Y/n] ` with no newline is caught after the grace period of silence."""
    result, sink, elapsed = run_shell(tmp_path, "printf 'Overwrite config? [Y/n] '; sleep 30")
    assert_blocked(result, BlockedReason.INTERACTIVE_PROMPT, TerminatedBy.REPL_FAIL_CLOSED)
    assert result.detected_pattern == "Overwrite config? [Y/n]"
    assert elapsed <= PROMPT_QUIET_S + LIMITS.kill_grace_ms / 1000 + SLACK_S
    assert group_gone(sink.child_pid())


@pytest.mark.parametrize("command", [
    f"{sys.executable} -c \"name = input('Your name: '); print(name)\"",
    "set -e; printf 'Password: '; read secret < /dev/tty; echo \"$secret\"",
])
def test_reading_stdin_ends_as_stdin_required(tmp_path: Path, command: str) -> None:
    """A child that asks for input gets EOF (or no terminal) and is reported as STDIN_REQUIRED, not a crash."""
    result, sink, elapsed = run_shell(tmp_path, command)
    assert_blocked(result, BlockedReason.STDIN_REQUIRED, TerminatedBy.REPL_FAIL_CLOSED)
    assert result.error_message is not None and "stdin" in result.error_message
    assert elapsed <= SLACK_S
    assert group_gone(sink.child_pid())


def test_waiting_after_a_prompt_never_hangs(tmp_path: Path) -> None:
    """A child that prints an unrecognised prompt and then waits forever ends by the progress timeout."""
    script = "import sys, time; sys.stdout.write('Name: '); sys.stdout.flush(); sys.stdin.read(); time.sleep(60)"
    result, sink, elapsed = run_shell(tmp_path, f'{sys.executable} -c "{script}"')
    assert_blocked(result, BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT)
    assert elapsed <= (LIMITS.progress_timeout_ms + LIMITS.kill_grace_ms) / 1000 + SLACK_S
    assert group_gone(sink.child_pid())


def test_silent_child_hits_the_progress_timeout(tmp_path: Path) -> None:
    """No output for progress_timeout_ms ends the child as TIMEOUT with that limit recorded."""
    result, sink, elapsed = run_shell(tmp_path, "sleep 30")
    assert_blocked(result, BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT)
    assert result.timeout_ms == LIMITS.progress_timeout_ms
    assert result.error_code is ErrorCode.TIMEOUT
    assert "progress_timeout_ms" in (result.error_message or "")
    assert LIMITS.progress_timeout_ms / 1000 <= elapsed
    assert elapsed <= (LIMITS.progress_timeout_ms + LIMITS.kill_grace_ms) / 1000 + SLACK_S
    assert group_gone(sink.child_pid())


def test_chatty_child_hits_the_overall_timeout(tmp_path: Path) -> None:
    """Output keeps the progress timer alive but not the overall one."""
    limits = ExecutorLimits(executor_timeout_ms=2_000, progress_timeout_ms=1_000, kill_grace_ms=1_000)
    result, sink, elapsed = run_shell(tmp_path, "while :; do echo tick; sleep 0.1; done", limits)
    assert_blocked(result, BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT)
    assert result.timeout_ms == 2_000
    assert "executor_timeout_ms" in (result.error_message or "")
    assert 2.0 <= elapsed <= 2.0 + 1.0 + SLACK_S
    assert sink.of_type(EventType.EXECUTOR_OUTPUT)[0]["line"] == "tick"
    assert group_gone(sink.child_pid())


def test_child_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    """SIGTERM is ignored, so SIGKILL follows after kill_grace_ms and the run still ends."""
    limits = ExecutorLimits(executor_timeout_ms=1_000, progress_timeout_ms=1_000, kill_grace_ms=1_000)
    command = "trap '' TERM; while :; do echo tick; sleep 0.1; done"
    result, sink, elapsed = run_shell(tmp_path, command, limits)
    assert_blocked(result, BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT)
    assert result.exit_code == -signal.SIGKILL
    assert 2.0 <= elapsed <= 2.0 + SLACK_S
    assert group_gone(sink.child_pid())


def test_grandchild_holding_stdout_does_not_hang_the_supervisor(tmp_path: Path) -> None:
    """The child exits but a background grandchild keeps stdout open: bounded drain, then the group dies."""
    result, sink, elapsed = run_shell(tmp_path, "sleep 30 & echo started")
    assert_blocked(result, BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT)
    assert result.timeout_ms == LIMITS.drain_timeout_ms
    assert result.exit_code == 0
    assert "background process" in (result.error_message or "")
    assert elapsed <= (LIMITS.drain_timeout_ms + LIMITS.kill_grace_ms) / 1000 + SLACK_S
    assert group_gone(sink.child_pid())


def test_leftover_background_process_is_cleaned_after_a_normal_exit(tmp_path: Path) -> None:
    """A background process that released the pipes does not outlive the task, and the task still succeeds."""
    result, sink, _elapsed = run_shell(tmp_path, "sleep 30 >/dev/null 2>&1 & echo ok")
    assert result.status is ExecutorStatus.SUCCEEDED
    assert result.final_message == "ok"
    assert group_gone(sink.child_pid())


class StartWatchingSink(RecordingSink):
    """A RecordingSink that says when EXECUTOR_START was recorded, i.e. when the child exists."""

    def __init__(self) -> None:
        super().__init__()
        self.started = threading.Event()

    def event(self, event_type: EventType, content: dict[str, Any]) -> str | None:
        event_id = super().event(event_type, content)
        if event_type is EventType.EXECUTOR_START:
            self.started.set()
        return event_id


def test_ctrl_c_cancels_the_child(tmp_path: Path) -> None:
    """SIGINT in the supervising thread while the child runs ends its group within the kill grace and
    returns CANCELLED / USER / INTERRUPTED (limits long enough that nothing else can end it)."""
    main = threading.main_thread().ident
    assert main is not None and threading.current_thread().ident == main
    sink = StartWatchingSink()
    sent: list[float] = []
    run_over = threading.Event()

    def interrupt_once_started() -> None:
        while not run_over.is_set():
            if sink.started.wait(0.05):
                sent.append(time.monotonic())
                signal.pthread_kill(main, signal.SIGINT)
                return

    limits = ExecutorLimits(executor_timeout_ms=120_000, progress_timeout_ms=120_000, kill_grace_ms=1_000,
                            drain_timeout_ms=1_000)
    task = ExecutorTask(prompt="echo working; sleep 300", project_root=tmp_path, limits=limits)
    # Ctrl-C at a terminal reaches Python's default handler; pytest started as a background job
    # (`&` in a script, as CI and land scripts do) inherits SIGINT ignored, and the signal would vanish.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    interrupter = threading.Thread(target=interrupt_once_started)
    interrupter.start()
    try:
        result = ShellExecutor().run(task, sink)
    finally:
        run_over.set()  # a run that ended without starting lets the thread go (and fails below)
        interrupter.join()
        signal.signal(signal.SIGINT, previous)
    assert sent, "the child never started"
    assert result.status is ExecutorStatus.CANCELLED, result
    assert result.terminated_by is TerminatedBy.USER
    assert result.error_code is ErrorCode.INTERRUPTED
    assert not result.executor_blocked
    assert time.monotonic() - sent[0] <= limits.kill_grace_ms / 1000 + SLACK_S
    assert group_gone(sink.child_pid())


def test_cancel_event_cancels_the_child(tmp_path: Path) -> None:
    """A front end without signals cancels through the task's threading.Event."""
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    result, sink, _elapsed = run_shell(tmp_path, "sleep 30", cancel=cancel)
    assert result.status is ExecutorStatus.CANCELLED
    assert result.terminated_by is TerminatedBy.USER
    assert group_gone(sink.child_pid())


def test_executor_start_records_command_cwd_pid_and_limits(tmp_path: Path) -> None:
    """Every spawn records EXECUTOR_START with the command line, cwd, pid, closed stdin and the limits."""
    result, sink, _elapsed = run_shell(tmp_path, "echo hi")
    start = sink.of_type(EventType.EXECUTOR_START)[0]
    assert start["command"] == "/bin/sh -c 'echo hi'"
    assert start["cwd"] == str(tmp_path)
    assert start["stdin"] == "closed"
    assert start["limits"]["progress_timeout_ms"] == LIMITS.progress_timeout_ms
    assert start["pid"] == sink.child_pid()
    assert result.status is ExecutorStatus.SUCCEEDED


def test_program_that_cannot_start_is_a_failed_result(tmp_path: Path) -> None:
    """A missing program is a FAILED result with the reason, not an exception."""
    sink = RecordingSink()
    spec = SpawnSpec(argv=[str(tmp_path / "no-such-program")], cwd=tmp_path, executor="command")
    run = supervise(spec, ExecutorTask(prompt="x", project_root=tmp_path), sink)
    result = run.early_result()
    assert result is not None and result.status is ExecutorStatus.FAILED
    assert "could not start" in (result.error_message or "")
    assert sink.of_type(EventType.EXECUTOR_ERROR)
