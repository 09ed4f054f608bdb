"""The executor protocol: what an executor is given and what it returns (the table of executors is `registry.py`).

Executors stream progress to an `EventSink` while they run and hand back an
`ExecutorResult`; blocked, timed-out and failed runs are results, never exceptions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from runner.logs.vocabulary import BlockedReason, ErrorCode, EventType, TerminatedBy
from runner.notices import Notice

if TYPE_CHECKING:
    from runner.executors.denied_tool import DeniedTool
    from runner.executors.failure_kind import FailureKind
    from runner.logs.models import Metrics
    from runner.logs.parts import RunFacts


@dataclass(frozen=True)
class ExecutorLimits:
    """Time limits of one run (seed 003 §11.6); settable per run and per executor in the config."""

    executor_timeout_ms: int = 300_000
    progress_timeout_ms: int = 60_000
    kill_grace_ms: int = 3_000
    # How long the output pipes may stay open after the child itself exited (a background
    # grandchild holding them) before the rest of the process group is killed.
    drain_timeout_ms: int = 2_000


CANCELLED_BY_USER = "Task cancelled by the user"


class Cancellation(threading.Event):
    """A request to cancel the running task that says why; `ends_runner` when the runner must stop
    after saving the task (a termination signal, not a Ctrl-C)."""

    def __init__(self) -> None:
        super().__init__()
        self.reason = CANCELLED_BY_USER
        self.ends_runner = False

    def request(self, reason: str, *, ends_runner: bool = False) -> None:
        self.reason = reason
        self.ends_runner = self.ends_runner or ends_runner
        self.set()

    def clear(self) -> None:
        super().clear()
        self.reason = CANCELLED_BY_USER
        self.ends_runner = False


def cancel_reason(cancel: threading.Event | None) -> str:
    """Why the task was cancelled, as the log says it."""
    return cancel.reason if isinstance(cancel, Cancellation) else CANCELLED_BY_USER


@dataclass(frozen=True)
class AgentPermissions:
    """What an agent may do without asking (it cannot ask: stdin is closed): a mode and allow rules."""

    mode: str = "acceptEdits"
    allowed_tools: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExecutorTask:
    """One task as an executor sees it."""

    prompt: str
    project_root: Path
    interactive: bool = False
    limits: ExecutorLimits = ExecutorLimits()
    resume_token: str | None = None
    model: str | None = None
    cancel: threading.Event | None = None


def raw_log_line(stream: str, line: str) -> str:
    """How one output line is stored in the raw log; the raw-log byte cap counts exactly this."""
    return f"[{stream}] {line}\n"


def raw_log_block(stream: str, lines: str) -> str:
    """`raw_log_line` of each line of `lines` (joined by newlines), joined: what `EventSink.raw_block`
    appends in one write. One `replace`, no object per line."""
    prefix = f"[{stream}] "
    return prefix + lines.replace("\n", "\n" + prefix) + "\n"


class EventSink(Protocol):
    """Where an executor reports as it goes: TaskLog events and raw-log lines (both already masked)."""

    def event(self, event_type: EventType, content: dict[str, Any]) -> str | None: ...

    def raw_line(self, stream: str, line: str) -> None: ...

    def raw_block(self, stream: str, block: str) -> None:
        """Several lines of one stream, in order, in one write (what one read of the child's pipe held),
        already in the raw log's form (`raw_log_block`)."""

    def event_batch(self, event_type: EventType, contents: list[dict[str, Any]]) -> None:
        """Several events of one type, in order, durable together (the output events of one read)."""


class ExecutorStatus(StrEnum):
    """How the executor itself ended, before the runner checks the disk."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    BLOCKED = "BLOCKED"
    CANCELLED = "CANCELLED"


@dataclass
class ExecutorResult:
    """The outcome of one run. Every string in it is already masked."""

    status: ExecutorStatus
    exit_code: int | None = None
    final_message: str = ""
    claimed_files: list[str] = field(default_factory=list)
    usage: Metrics | None = None  # what the agent reported about its own run, as the log stores it
    blocked_reason: BlockedReason | None = None
    terminated_by: TerminatedBy | None = None
    timeout_ms: int | None = None
    resume_token: str | None = None
    is_question: bool = False
    error_message: str | None = None
    error_code: ErrorCode | None = None
    test_mode: bool = False
    detected_pattern: str | None = None  # the prompt line that blocked the run, masked
    denied_tools: list[DeniedTool] = field(default_factory=list)  # refused by the agent's permissions
    notices: list[Notice] = field(default_factory=list)  # what the agent said the user must act on (masked)
    # Set by the executor when it recognises a failure as worth a retry, or as a missing model
    # (executors/failure_kind.py); the review loop decides what to do with it.
    failure_kind: FailureKind | None = None

    @property
    def executor_blocked(self) -> bool:
        return self.blocked_reason is not None

    @property
    def facts(self) -> RunFacts:
        """The part of the task's outcome this run owns."""
        from runner.logs.models import DeniedToolEntry
        from runner.logs.parts import RunFacts

        return RunFacts(executor_blocked=self.executor_blocked, blocked_reason=self.blocked_reason,
                        terminated_by=self.terminated_by, timeout_ms=self.timeout_ms, metrics=self.usage,
                        resume_token=self.resume_token, test_mode=self.test_mode,
                        denied_tools=[DeniedToolEntry(tool=d.tool, target=d.target, message=d.message)
                                      for d in self.denied_tools])


class Executor(Protocol):
    """An agent or command the runner can hand a task to."""

    name: str
    warning: str | None  # a line the REPL prints once when this executor is chosen

    def check_available(self) -> None: ...

    def run(self, task: ExecutorTask, sink: EventSink) -> ExecutorResult: ...
