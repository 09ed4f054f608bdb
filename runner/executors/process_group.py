"""Starting a child in its own process group and ending everything it started: SIGTERM, grace, SIGKILL, reap.

On Linux the runner makes itself a child subreaper, so a grandchild orphaned by the task is
re-parented to the runner rather than to an init that may never reap it. A `ChildFamily` is the
task's process group plus every descendant that left it (`setsid`, `setpgid`, a double fork):
they are found in /proc (`process_tree.py`) and ended with the group. The direct child gets
`PR_SET_PDEATHSIG` (SIGKILL, set by `setpriv`: see `launch.py`), so it dies with the runner even
when the runner is SIGKILLed; the rest of its group is ended at the next start from the pid, pgid and start time the task recorded.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runner.executors import process_tree
from runner.executors.launch import launch_argv
from runner.executors.process_tree import TAG_VARIABLE, Process

_PR_SET_CHILD_SUBREAPER = 36
_END_ROUNDS = 5
_POLL_S = 0.02
_AFTER_KILL_S = 2.0
_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Ask Linux to re-parent orphaned descendants to this process (once; False where unsupported)."""
    global _subreaper
    if _subreaper is None:
        _subreaper = False
        if sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                _subreaper = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                _subreaper = False
    return _subreaper


def spawn(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None,
          tag: str | None = None) -> subprocess.Popen[bytes]:
    """Start `argv` in a new session (its own process group, no controlling terminal), stdin empty;
    `tag` goes into its environment (`PM_RUNNER_TASK_TAG`), which its descendants inherit."""
    become_subreaper()
    environment = dict(os.environ if env is None else env)
    if tag is not None:
        environment[TAG_VARIABLE] = tag
    return subprocess.Popen(
        launch_argv(argv, cwd, environment),
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        close_fds=True,
    )


def new_tag() -> str:
    """A tag no other task shares: this runner's pid plus random bytes."""
    return f"{os.getpid()}-{secrets.token_hex(8)}"


def reap_group(proc: subprocess.Popen[bytes], pgid: int) -> None:
    """Collect exit statuses of group members re-parented to us (never the direct child's: Popen owns it)."""
    if proc.poll() is None:
        return
    while True:
        try:
            pid, _status = os.waitpid(-pgid, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def group_alive(proc: subprocess.Popen[bytes], pgid: int) -> bool:
    """True while any process (a zombie included) is still in the group."""
    reap_group(proc, pgid)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(pgid: int, sig: signal.Signals) -> None:
    """Send `sig` to every process of the group; a group already gone is fine."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _wait_gone(proc: subprocess.Popen[bytes], pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while group_alive(proc, pgid):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_S)
    return True


def end_group(proc: subprocess.Popen[bytes], pgid: int, grace_ms: int) -> bool:
    """SIGTERM the group, SIGKILL whatever is left after `grace_ms`; True if SIGKILL was needed."""
    return ChildFamily(proc, pgid).end(grace_ms)


@dataclass
class ChildFamily:
    """The task's process group and every process it started that left the group.

    `start_ticks` is the direct child's start time: a descendant of the runner started later is the
    task's (the runner starts nothing else while a task runs). Without a subreaper, processes
    carrying the task's `tag` are looked for too.
    """

    proc: subprocess.Popen[bytes]
    pgid: int
    start_ticks: int | None = None
    tag: str | None = None
    escaped: list[Process] = field(default_factory=list)

    def find_escaped(self) -> list[Process]:
        """Descendants (or tagged processes) of the task outside its group, still alive."""
        if self.start_ticks is None:
            return []
        processes = process_tree.all_processes()
        found = {p.pid: p for p in process_tree.descendants(os.getpid(), processes)
                 if p.pgid != self.pgid and not p.zombie and self._started_by_task(p)}
        if self.tag is not None and not become_subreaper():
            found.update((p.pid, p) for p in process_tree.tagged(self.tag, processes) if p.pgid != self.pgid)
        return list(found.values())

    def _started_by_task(self, process: Process) -> bool:
        """Started after the child, or in the same clock tick (10 ms) and carrying the task's tag: a
        process the runner started just before the task can share the child's tick."""
        assert self.start_ticks is not None
        if process.start_ticks != self.start_ticks:
            return process.start_ticks > self.start_ticks
        return self.tag is not None and process_tree.carries_tag(process.pid, self.tag)

    def alive(self) -> bool:
        """True while the group or an escaped member is alive (escaped ones are looked for again)."""
        self.escaped = self.find_escaped()
        return group_alive(self.proc, self.pgid) or bool(self.escaped)

    def _signal(self, sig: signal.Signals) -> None:
        signal_group(self.pgid, sig)
        for process in self.escaped:
            process_tree.signal_process(process, sig)

    def _reap_escaped(self) -> None:
        for process in self.escaped:
            if process.pid != self.proc.pid:
                process_tree.reap(process)

    def _wait_gone(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            self._reap_escaped()
            if not (group_alive(self.proc, self.pgid) or any(process_tree.alive(p) for p in self.escaped)):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)

    def end(self, grace_ms: int) -> bool:
        """SIGTERM everything, SIGKILL what is left after `grace_ms` (and what forked meanwhile);
        True if SIGKILL was needed."""
        if not self.alive():
            return False
        self._signal(signal.SIGTERM)
        try:
            gone = self._wait_gone(grace_ms / 1000)
        except KeyboardInterrupt:
            gone = False  # a second Ctrl-C skips the grace period, never the kill
        if gone and not self.alive():
            return False
        for _ in range(_END_ROUNDS):
            self._signal(signal.SIGKILL)
            if self.proc.poll() is None:
                try:
                    self.proc.wait(timeout=_AFTER_KILL_S)
                except subprocess.TimeoutExpired:
                    pass
            self._wait_gone(_AFTER_KILL_S)
            if not self.alive():
                break
        return True
