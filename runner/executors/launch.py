"""The command line that starts a task's direct child so that it dies with the runner.

`PR_SET_PDEATHSIG` must be set in the child between fork and exec. Setting it from Python
(`preexec_fn`) would force a full fork of the runner instead of vfork (half a second for a large
heap) and run the interpreter's at-fork hooks in the runner, where a Ctrl-C arriving during the
fork is swallowed as "Exception ignored" and the task runs on. util-linux `setpriv --pdeathsig`
sets the signal and then execs the program in the same process, so the child keeps the pid the
runner records. Where `setpriv` is missing (or not Linux) the child starts without it; the next
start of the runner still ends what a killed runner left behind (`leftovers.py`).

The program is resolved here, as exec would (PATH from the child's environment, relative names
from its working directory), so a program that cannot start is still an OSError at spawn time
rather than a `setpriv` message and exit 127.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# Fixed places only: the runner's own PATH may name a project's bin folder.
_SYSTEM_BIN = "/usr/bin:/bin:/usr/sbin:/sbin"


@functools.cache
def death_signal_wrapper() -> tuple[str, ...]:
    """`setpriv --pdeathsig KILL --` when this system's setpriv supports it, else nothing."""
    if not sys.platform.startswith("linux"):
        return ()
    setpriv = shutil.which("setpriv", path=_SYSTEM_BIN)
    if setpriv is None:
        return ()
    wrapper = (setpriv, "--pdeathsig", "KILL", "--")
    try:
        probe = subprocess.run([*wrapper, "/bin/sh", "-c", ":"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return wrapper if probe.returncode == 0 else ()


def resolve_program(program: str, cwd: Path, env: Mapping[str, str]) -> str:
    """The file exec would run for `program`; FileNotFoundError / PermissionError as exec would raise."""
    if "/" in program:
        candidates = [os.path.join(cwd, program)]
    else:
        candidates = [os.path.join(cwd, folder or ".", program) for folder in os.get_exec_path(dict(env))]
    denied = False
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
        denied = denied or os.path.exists(candidate)
    code = errno.EACCES if denied else errno.ENOENT
    raise OSError(code, os.strerror(code), program)


def launch_argv(argv: Sequence[str], cwd: Path, env: Mapping[str, str]) -> list[str]:
    """`argv` behind the death-signal wrapper (with its program resolved), or `argv` itself without one."""
    wrapper = death_signal_wrapper()
    if not wrapper:
        return list(argv)
    return [*wrapper, resolve_program(argv[0], cwd, env), *argv[1:]]
