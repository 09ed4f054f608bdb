"""Hostile children under the shell executor: prompts, stdin readers, silence, TERM traps, pipe holders, floods.

Each case runs one real runner on `<hostile line>` then `echo after-hostile`, with short limits
(progress 1500 ms, overall 4000 ms, kill grace 1000 ms). Every task must end in a terminal state
with the recorded reason, leave no process behind, keep its logs within the caps of
`spec/supervision-and-verification.md`, and the next line must still run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from runner.logs.models import (
    BlockedReason,
    ErrorCode,
    EventType,
    TaskLog,
    TaskStatus,
    TerminatedBy,
)
from tests.helpers.cli import run_pm
from tests.reliability.support import assert_no_traceback, figure, parse_every_json, pid_alive

LIMITS = ("--progress-timeout", "1500", "--executor-timeout", "4000")
MAX_TASK_LOG = 10 * 1024 * 1024  # logging.max_task_log_size_mb default
MAX_RAW_LOG = 20 * 1024 * 1024  # raw log per run
RAW_NOTE_SLACK = 200  # the one "[raw log cap ... reached]" line
MAX_OUTPUT_EVENTS = 500
MAX_EVENT_LINE = 4000 + len("[TRUNCATED]")


@dataclass(frozen=True)
class Case:
    line: str
    status: TaskStatus
    blocked: BlockedReason | None = None
    terminated_by: TerminatedBy | None = None
    timeout_ms: int | None = None
    pid_file: str | None = None  # a process the task started, which must be gone afterwards
    limits: tuple[str, ...] = LIMITS
    wall_s: int = 120  # how long the whole REPL run may take


CASES = {
    "prompt-partial-line": Case("printf 'Continue? [Y/n] '; sleep 30", TaskStatus.ERROR,
                                BlockedReason.INTERACTIVE_PROMPT, TerminatedBy.REPL_FAIL_CLOSED),
    "prompt-question-line": Case("echo '? Select a framework'; sleep 30", TaskStatus.ERROR,
                                 BlockedReason.INTERACTIVE_PROMPT, TerminatedBy.REPL_FAIL_CLOSED),
    "stdin-reader-sh": Case("printf 'Your name: '; read name", TaskStatus.ERROR,
                            BlockedReason.STDIN_REQUIRED, TerminatedBy.REPL_FAIL_CLOSED),
    "stdin-reader-python": Case(f"exec {sys.executable} -c \"input('Name? ')\"", TaskStatus.ERROR,
                                BlockedReason.STDIN_REQUIRED, TerminatedBy.REPL_FAIL_CLOSED),
    "silence": Case("sleep 30", TaskStatus.ERROR, BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT, 1500),
    "chatter-past-overall-limit": Case("while true; do echo tick; sleep 0.2; done", TaskStatus.ERROR,
                                       BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT, 4000),
    "term-trapping": Case("trap '' TERM; echo $$ > held.pid; while true; do sleep 0.1; done", TaskStatus.ERROR,
                          BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT, 1500, pid_file="held.pid"),
    "pipe-holding-grandchild": Case("sh -c 'echo $$ > held.pid; exec sleep 30' & echo started", TaskStatus.ERROR,
                                    BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT, 2000, pid_file="held.pid"),
    # 50 MB take several seconds to mask and log: only the flood case gets a longer overall limit.
    # About the caps and their notes, not speed (bench/output_pipeline.py measures that): limits a
    # loaded 2-core CI machine cannot reach (90 s was reached there with two pytest workers).
    "50MB-output": Case("head -c 52428800 /dev/zero | tr '\\0' a | fold -w 100", TaskStatus.COMPLETE,
                        limits=("--progress-timeout", "60000", "--executor-timeout", "600000"), wall_s=660),
    "binary-output": Case("cat ../binary.bin", TaskStatus.COMPLETE),
    "2MB-single-line": Case("head -c 2097152 /dev/zero | tr '\\0' x", TaskStatus.COMPLETE),
}


def hostile_bytes() -> bytes:
    """Every byte value, escape sequences, invalid UTF-8, lone surrogate encodings, NULs, a long mix."""
    pieces = [bytes(range(256)), b"\x1b[2J\x1b]0;pwned\x07\x9b31m", b"\xff\xfe\xfd", b"\xed\xa0\x80",
              b"\xc3\x28\xe2\x28\xa1\x00\x00", "caf\u00e9 \u202e txt.exe".encode()]
    return b"\n".join(pieces * 400) + b"\n"


def run_case(tmp_path: Path, case: Case) -> tuple[TaskLog, TaskLog, str, Path]:
    """Run the hostile line and a harmless one after it; return both logs, stdout and the session folder."""
    project = tmp_path / "proj"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "runner.config.json").write_text('{"kill_grace_ms": 1000}')
    (tmp_path / "binary.bin").write_bytes(hostile_bytes())
    expect = 0 if case.status is TaskStatus.COMPLETE else 1
    run = run_pm(["repl", "--executor", "shell", *case.limits], stdin=f"{case.line}\necho after-hostile\n",
                 cwd=project, expect=expect, timeout=case.wall_s)
    assert_no_traceback(run)
    assert "  | after-hostile" in run.stdout and run.stdout.count("RESULT:") == 2, run.transcript()
    parse_every_json(project)
    (session,) = (project / ".claude" / "logs" / "sessions").iterdir()
    logs = [TaskLog.model_validate_json((session / "tasks" / f"task-00{n}.json").read_bytes()) for n in (1, 2)]
    assert logs[1].status is TaskStatus.COMPLETE
    return logs[0], logs[1], run.stdout, session


def assert_caps(log: TaskLog, session: Path) -> tuple[int, int]:
    """Task log, raw log, event count and event line within their caps; returns (task log, raw log) bytes."""
    task_bytes = (session / "tasks" / f"{log.task_id}.json").stat().st_size
    assert task_bytes <= MAX_TASK_LOG, f"task log is {task_bytes} bytes"
    raw_files = list((session.parents[1] / "raw" / session.name).glob(f"{log.task_id}_*.log"))
    raw_bytes = sum(p.stat().st_size for p in raw_files)
    assert raw_bytes <= MAX_RAW_LOG + RAW_NOTE_SLACK, f"raw log is {raw_bytes} bytes, cap {MAX_RAW_LOG}"
    output = [e for e in log.events if e.event_type is EventType.EXECUTOR_OUTPUT]
    assert len(output) <= MAX_OUTPUT_EVENTS + 1, f"{len(output)} output events"
    longest = max((len(str(e.content.get("line", ""))) for e in output), default=0)
    assert longest <= MAX_EVENT_LINE, f"an output event holds a {longest}-character line"
    return task_bytes, raw_bytes


def check_case(name: str, log: TaskLog, session: Path) -> None:
    """Status, reason, terminated_by and timeout as the case says; no process left; logs within caps."""
    case = CASES[name]
    assert log.status is case.status, (log.status, log.error_reason)
    assert log.blocked_reason is case.blocked and log.terminated_by is case.terminated_by, log.error_reason
    if case.blocked is not None:
        assert log.executor_blocked and log.error_reason and log.error_code in (ErrorCode.EXECUTOR_BLOCKED,
                                                                               ErrorCode.TIMEOUT)
    if case.timeout_ms is not None:
        assert log.timeout_ms == case.timeout_ms, log.timeout_ms
    if case.pid_file is not None:
        pid = int((session.parents[3] / case.pid_file).read_text())
        assert not pid_alive(pid), f"process {pid} started by the task is still alive"
    task_bytes, raw_bytes = assert_caps(log, session)
    figure(f"hostile executor {name}: {log.status.value}"
           f"{'/' + log.blocked_reason.value if log.blocked_reason else ''}"
           f"{'/' + log.terminated_by.value if log.terminated_by else ''}, next line ran, "
           f"task log {task_bytes // 1024} KiB, raw log {raw_bytes // 1024} KiB")


@pytest.mark.parametrize("name", [name for name, case in CASES.items() if case.status is TaskStatus.ERROR])
def test_hostile_child_ends_in_a_terminal_state_within_its_limits(tmp_path: Path, name: str) -> None:
    """The hostile task ends as recorded (status, reason, terminated_by), leaves no process, and the next line runs."""
    log, _, _, session = run_case(tmp_path, CASES[name])
    check_case(name, log, session)


def test_flood_is_capped_with_a_note(tmp_path: Path) -> None:
    """50 MB of output: 500 output events plus one note counting the rest, and a raw-log note of dropped bytes."""
    log, _, stdout, session = run_case(tmp_path, CASES["50MB-output"])
    check_case("50MB-output", log, session)
    output = [e for e in log.events if e.event_type is EventType.EXECUTOR_OUTPUT]
    assert len(output) == MAX_OUTPUT_EVENTS + 1 and output[-1].content.get("dropped_lines"), output[-1]
    (raw,) = (session.parents[1] / "raw" / session.name).glob("task-001_*.log")
    with raw.open("rb") as handle:
        handle.seek(-300, 2)
        assert b"raw log cap" in handle.read(), "no note saying the raw log was capped"
    assert "... (more output in the task's log" in stdout


def test_binary_output_is_stored_and_shown_safely(tmp_path: Path) -> None:
    """Invalid UTF-8 becomes U+FFFD; no ESC, C1 or NUL character reaches the screen or a `logs show` view."""
    log, _, stdout, session = run_case(tmp_path, CASES["binary-output"])
    check_case("binary-output", log, session)
    lines = [str(e.content.get("line")) for e in log.events if e.event_type is EventType.EXECUTOR_OUTPUT]
    assert any("\ufffd" in line for line in lines)
    project = session.parents[3]
    shown = run_pm(["logs", "show", "task-001", "--full"], cwd=project).stdout
    for text, where in ((stdout, "REPL output"), (shown, "logs show --full")):
        bad = sorted({hex(ord(c)) for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f})
        assert not bad, f"control characters {bad} reached the {where}"
    assert "\\x1b[2J" in shown, "escape sequences should be shown escaped"


def test_two_megabyte_line_is_cut_in_events_and_kept_whole_in_the_raw_log(tmp_path: Path) -> None:
    """A 2 MB line without newline: events hold 4000-character cuts with [TRUNCATED]; the raw log keeps every byte."""
    log, _, _, session = run_case(tmp_path, CASES["2MB-single-line"])
    check_case("2MB-single-line", log, session)
    lines = [str(e.content["line"]) for e in log.events if e.event_type is EventType.EXECUTOR_OUTPUT]
    # The stream masker hands an over-long line on in pieces; each piece becomes one cut event.
    assert lines and all(line.endswith("[TRUNCATED]") and len(line) == MAX_EVENT_LINE for line in lines)
    (raw,) = (session.parents[1] / "raw" / session.name).glob("task-001_*.log")
    assert raw.read_bytes().count(b"x") == 2 * 1024 * 1024
