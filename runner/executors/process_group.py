"""Starting a child in its own process group and ending the whole group: SIGTERM, grace, SIGKILL, reap.

On Linux the runner makes itself a child subreaper, so a grandchild orphaned by the task is
re-parented to the runner rather than to an init that may never reap it; the supervisor then
reaps every member of the task's group and can prove that the group is gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

_PR_SET_CHILD_SUBREAPER = 36
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


def spawn(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None) -> subprocess.Popen[bytes]:
    """Start `argv` in a new session (its own process group, no controlling terminal), stdin empty."""
    become_subreaper()
    return subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=None if env is None else dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        close_fds=True,
    )


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
    if not group_alive(proc, pgid):
        return False
    signal_group(pgid, signal.SIGTERM)
    try:
        gone = _wait_gone(proc, pgid, grace_ms / 1000)
    except KeyboardInterrupt:
        gone = False  # a second Ctrl-C skips the grace period, never the kill
    if gone:
        return False
    signal_group(pgid, signal.SIGKILL)
    try:
        proc.wait(timeout=_AFTER_KILL_S)
    except subprocess.TimeoutExpired:
        pass
    _wait_gone(proc, pgid, _AFTER_KILL_S)
    return True
