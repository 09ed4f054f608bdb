"""The child supervisor used by every executor that spawns: limits, prompt detection, kill sequence.

`supervise` runs in the caller's thread. It reads stdout and stderr together with a selector,
masks and logs every line, ends the child's whole process group when it blocks, times out or
is cancelled (Ctrl-C included), and always returns a `SupervisedRun`, never leaving a process behind.
"""

from __future__ import annotations

import os
import selectors
import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runner.executors import process_tree
from runner.executors.base import EventSink, ExecutorTask, cancel_reason
from runner.executors.process_group import ChildFamily, new_tag, spawn
from runner.executors.prompts import looks_like_question
from runner.executors.streams import OutputBudget, OutputChannel
from runner.executors.supervised_run import RunEnd, SupervisedRun
from runner.logs.masking import mask_and_truncate, mask_text
from runner.logs.models import BlockedReason, EventType, TerminatedBy

# A line without its newline is checked for a prompt once the child has been quiet this long.
# A line that looks like a prompt stops the child only when it is the child's last output and the
# child, still running, then stays silent this long: a prompt is a program waiting, not a pattern.
PROMPT_QUIET_S = 1.0
_MAX_WAIT_S = 0.1
_READ_SIZE = 65_536
_FINAL_READ_LIMIT = 4 * 1024 * 1024
BOTH_STREAMS = frozenset({"stdout", "stderr"})


class LineObserver(Protocol):
    """An executor's parser: sees every unmasked line and may pause the progress timeout."""

    def on_line(self, stream: str, line: str) -> None: ...

    def progress_paused(self) -> bool: ...


@dataclass(frozen=True)
class SpawnSpec:
    """What to start and how its output is treated."""

    argv: Sequence[str]
    cwd: Path
    executor: str
    env: Mapping[str, str] | None = None
    event_streams: frozenset[str] = BOTH_STREAMS  # lines become EXECUTOR_OUTPUT events
    prompt_streams: frozenset[str] = BOTH_STREAMS  # lines are scanned for interactive prompts


@dataclass(frozen=True)
class _Stop:
    end: RunEnd
    reason: BlockedReason | None
    terminated_by: TerminatedBy
    message: str
    timeout_ms: int | None = None
    pattern: str | None = None


def command_line(argv: Sequence[str]) -> str:
    """The masked, shell-quoted command line recorded in EXECUTOR_START."""
    return mask_and_truncate(shlex.join(argv), 4_000)


def supervise(spec: SpawnSpec, task: ExecutorTask, sink: EventSink,
              observer: LineObserver | None = None) -> SupervisedRun:
    """Run `spec` to the end under `task.limits`; the result says how it ended."""
    started = time.monotonic()
    tag = new_tag()
    # Masked before the child exists: the first mask in a process builds the masker (seconds under
    # load), and a Ctrl-C during that build must not leave a running child without its start record.
    start = _start_fields(spec, task)
    try:
        proc = spawn(spec.argv, spec.cwd, spec.env, tag)
    except OSError as exc:
        _record_start(start, sink, None)
        message = mask_text(f"could not start {spec.argv[0]} in {spec.cwd}: {exc.strerror or exc}")
        sink.event(EventType.EXECUTOR_ERROR, {"error": message})
        return SupervisedRun(RunEnd.SPAWN_FAILED, message=message)
    family = ChildFamily(proc, proc.pid, process_tree.start_ticks(proc.pid), tag)
    watch: _Watch | None = None
    try:
        watch = _Watch(family, spec, task, OutputBudget(sink), observer)
        run = watch.run(lambda: _record_start(start, sink, family))
    finally:
        if watch is not None:
            watch.cleanup()
        else:
            family.end(0)
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.pid = proc.pid
    sink.event(EventType.EXECUTOR_PROGRESS, {
        "kind": "exit", "exit_code": run.exit_code, "end": str(run.end), "duration_ms": run.duration_ms,
    })
    return run


def _start_fields(spec: SpawnSpec, task: ExecutorTask) -> dict[str, Any]:
    """EXECUTOR_START without the process: the masked command line and cwd, stdin, the limits."""
    limits = task.limits
    return {
        "executor": spec.executor,
        "command": command_line(spec.argv),
        "cwd": mask_text(str(spec.cwd)),
        "stdin": "closed",
        "interactive": task.interactive,
        "limits": {
            "executor_timeout_ms": limits.executor_timeout_ms,
            "progress_timeout_ms": limits.progress_timeout_ms,
            "kill_grace_ms": limits.kill_grace_ms,
            "drain_timeout_ms": limits.drain_timeout_ms,
        },
    }


def _record_start(fields: dict[str, Any], sink: EventSink, family: ChildFamily | None) -> None:
    """EXECUTOR_START; its `process` (pgid, start time, boot, tag) lets the next start end a group
    that outlived a runner killed with SIGKILL, and never a process that merely reuses the pid."""
    process = None if family is None else {
        "pgid": family.pgid, "start_ticks": family.start_ticks, "boot_id": process_tree.boot_id(),
        "tag": family.tag,
    }
    pid = None if family is None else family.proc.pid
    sink.event(EventType.EXECUTOR_START, {**fields, "pid": pid, "process": process})


class _Watch:
    """The wait loop of one child: read, check limits and prompts, stop."""

    def __init__(self, family: ChildFamily, spec: SpawnSpec, task: ExecutorTask,
                 budget: OutputBudget, observer: LineObserver | None) -> None:
        self.family = family
        proc = family.proc
        self.proc = proc
        self.task = task
        self.limits = task.limits
        self.budget = budget
        self.observer = observer
        self.selector = selectors.DefaultSelector()
        self.channels: dict[int, OutputChannel] = {}
        on_line = observer.on_line if observer is not None else None
        for stream, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            assert pipe is not None  # spawn always asks for both pipes
            os.set_blocking(pipe.fileno(), False)
            self.channels[pipe.fileno()] = OutputChannel(
                stream, budget, emit_events=stream in spec.event_streams,
                scan_prompts=stream in spec.prompt_streams, on_line=on_line)
            self.selector.register(pipe.fileno(), selectors.EVENT_READ)
        self.started = time.monotonic()
        self.last_output = self.started
        self.last_fd: int | None = None  # the stream that wrote last
        self.prompt_checked_at = -1.0  # the last_output a quiet prompt check already looked at
        self.exited_at: float | None = None

    def run(self, record_start: Callable[[], None]) -> SupervisedRun:
        try:
            record_start()
            stop = self._loop()
        except KeyboardInterrupt:
            stop = _Stop(RunEnd.CANCELLED, None, TerminatedBy.USER, "Task cancelled by the user (Ctrl-C)")
        if stop is not None:
            return self._stop(stop)
        killed = self.family.end(self.limits.kill_grace_ms)
        self._finish_channels()
        run = self._classify_exit()
        run.killed_leftovers = killed
        return run

    def _loop(self) -> _Stop | None:
        while self.selector.get_map() or self.exited_at is None:
            stop = self._check(time.monotonic())
            if stop is not None:
                return stop
            for key, _events in self.selector.select(self._wait_s()):
                self._read(key.fd)
            if self.exited_at is None and self.proc.poll() is not None:
                self.exited_at = time.monotonic()
        return None  # a child that exited was not waiting for anyone

    def _wait_s(self) -> float:
        return _MAX_WAIT_S if self.selector.get_map() else 0.02

    def _read(self, fd: int) -> None:
        try:
            data = os.read(fd, _READ_SIZE)
        except BlockingIOError:
            return
        channel = self.channels[fd]
        if not data:
            self.selector.unregister(fd)
            channel.finish()
            return
        channel.feed(data)
        # Stamped after the runner's own work on the data: only the child's silence counts.
        self.last_output = time.monotonic()
        self.last_fd = fd

    def _check(self, now: float) -> _Stop | None:
        if self.task.cancel is not None and self.task.cancel.is_set():
            return _Stop(RunEnd.CANCELLED, None, TerminatedBy.USER, cancel_reason(self.task.cancel))
        if now - self.last_output >= PROMPT_QUIET_S and self.prompt_checked_at < self.last_output:
            self.prompt_checked_at = self.last_output
            if (prompt := self._waiting_prompt()) is not None:
                return _prompt_stop(prompt)
        return self._check_timers(now)

    def _waiting_prompt(self) -> str | None:
        """The prompt the running child's last output ends with, if any (None once it exited)."""
        if self.exited_at is not None or self.last_fd is None or self.proc.poll() is not None:
            return None
        return self.channels[self.last_fd].waiting_prompt()

    def _check_timers(self, now: float) -> _Stop | None:
        limits = self.limits
        if now - self.started >= limits.executor_timeout_ms / 1000:
            return _timeout(f"ran past executor_timeout_ms ({limits.executor_timeout_ms} ms)",
                            limits.executor_timeout_ms)
        if self.exited_at is not None:
            if now - self.exited_at >= limits.drain_timeout_ms / 1000:
                return _timeout("exited, but a background process kept its output open for more than "
                                f"{limits.drain_timeout_ms} ms", limits.drain_timeout_ms)
            return None
        paused = self.observer is not None and self.observer.progress_paused()
        if not paused and now - self.last_output >= limits.progress_timeout_ms / 1000:
            if (prompt := self._waiting_prompt()) is not None:  # a progress timeout shorter than the grace
                return _prompt_stop(prompt)
            return _timeout(f"no output for progress_timeout_ms ({limits.progress_timeout_ms} ms)",
                            limits.progress_timeout_ms)
        return None

    def _stop(self, stop: _Stop) -> SupervisedRun:
        self.family.end(self.limits.kill_grace_ms)
        self._read_leftovers()
        self._finish_channels()
        pattern = mask_and_truncate(stop.pattern, 500) if stop.pattern is not None else None
        return self._run(stop.end, reason=stop.reason, terminated_by=stop.terminated_by,
                         timeout_ms=stop.timeout_ms, pattern=pattern, message=mask_text(stop.message))

    def _classify_exit(self) -> SupervisedRun:
        """A child that exited non-zero after asking for input on the closed stdin was blocked, not broken."""
        code = self.proc.returncode
        for channel in self.channels.values():
            hint = channel.stdin_message
            if hint is None and looks_like_question(channel.trailing_partial):
                hint = channel.trailing_partial
            if code != 0 and hint is not None:
                pattern = mask_and_truncate(hint.strip(), 500)
                return self._run(RunEnd.BLOCKED, reason=BlockedReason.STDIN_REQUIRED,
                                 terminated_by=TerminatedBy.REPL_FAIL_CLOSED, pattern=pattern,
                                 message=f"Executor needed input on stdin, which is closed: '{pattern}'")
        return self._run(RunEnd.EXITED)

    def _run(self, end: RunEnd, *, reason: BlockedReason | None = None,
             terminated_by: TerminatedBy | None = None, timeout_ms: int | None = None,
             pattern: str | None = None, message: str | None = None) -> SupervisedRun:
        tails = {channel.stream: list(channel.tail) for channel in self.channels.values()}
        return SupervisedRun(
            end, exit_code=self.proc.returncode, blocked_reason=reason, terminated_by=terminated_by,
            timeout_ms=timeout_ms, detected_pattern=pattern, message=message,
            stdout_tail=tails.get("stdout", []), stderr_tail=tails.get("stderr", []),
        )

    def _read_leftovers(self) -> None:
        """Keep what the child wrote before it died, without waiting on a pipe someone still holds."""
        budget = _FINAL_READ_LIMIT
        for fd in list(self.channels):
            if fd not in self.selector.get_map():
                continue
            while budget > 0:
                try:
                    data = os.read(fd, _READ_SIZE)
                except BlockingIOError:
                    break
                if not data:
                    break
                budget -= len(data)
                self.channels[fd].feed(data)

    def _finish_channels(self) -> None:
        for fd in list(self.channels):
            if fd in self.selector.get_map():
                self.selector.unregister(fd)
                self.channels[fd].finish()
        self.budget.close()

    def cleanup(self) -> None:
        """Whatever happened above (a sink that raised included), no process and no fd outlives the run."""
        if self.family.alive():
            self.family.end(0)
        self.selector.close()
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        if self.proc.returncode is None:
            self.proc.wait()


def _prompt_stop(line: str) -> _Stop:
    shown = mask_and_truncate(line.strip(), 200)
    return _Stop(RunEnd.BLOCKED, BlockedReason.INTERACTIVE_PROMPT, TerminatedBy.REPL_FAIL_CLOSED,
                 f"Executor blocked on interactive prompt: '{shown}'", pattern=line.strip())


def _timeout(what: str, timeout_ms: int) -> _Stop:
    return _Stop(RunEnd.BLOCKED, BlockedReason.TIMEOUT, TerminatedBy.TIMEOUT,
                 f"Executor timed out: {what}", timeout_ms=timeout_ms)
