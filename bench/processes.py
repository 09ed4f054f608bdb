"""Running `pm-runner` and bare Python as child processes and timing them end to end.

The command is the installed console script next to the running interpreter (what a user
types after the README install), falling back to `python -m runner` in a source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROCESS_TIMEOUT_S = 300


@dataclass(frozen=True)
class ProcessRun:
    seconds: float
    code: int
    stdout: bytes
    stderr: bytes


def pm_runner_command() -> list[str]:
    script = Path(sys.executable).parent / "pm-runner"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "runner"]


def describe_command() -> str:
    command = pm_runner_command()
    return "pm-runner" if len(command) == 1 else "python -m runner"


def bench_env() -> dict[str, str]:
    """The caller's environment without colour, so output is the plain text a pipe gets."""
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("PM_RUNNER_TEST_MODE", None)
    return env


def run_timed(argv: Sequence[str], *, cwd: Path, stdin: bytes | None = None,
              expect: Sequence[int] = (0,)) -> ProcessRun:
    """Wall time from spawn to exit with stdout read to the end; raises when the exit code is unexpected."""
    started = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, input=stdin if stdin is not None else b"",
                          capture_output=True, env=bench_env(), timeout=PROCESS_TIMEOUT_S, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode not in expect:
        tail = proc.stderr.decode(errors="replace")[-2000:] or proc.stdout.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode} (expected {list(expect)}):\n{tail}")
    return ProcessRun(elapsed, proc.returncode, proc.stdout, proc.stderr)


def pm_runner(args: Sequence[str], *, cwd: Path, stdin: bytes | None = None,
              expect: Sequence[int] = (0,)) -> ProcessRun:
    return run_timed([*pm_runner_command(), *args], cwd=cwd, stdin=stdin, expect=expect)


def python_snippet(code: str, *args: str, cwd: Path) -> ProcessRun:
    """The same interpreter running `code`: the end-to-end floor for a command doing that much work."""
    return run_timed([sys.executable, "-c", code, *args], cwd=cwd)
