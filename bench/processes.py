"""Running `pm-runner` and bare Python as child processes and timing them end to end.

The command is the installed console script next to the running interpreter (what a user
types after the README install), falling back to `python -m runner` in a source tree.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
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
    """The caller's environment without colour, so output is the plain text a pipe gets, and with
    Python's bytecode cache on (in a private scratch folder, `bytecode_cache`).

    A user's installed package runs from bytecode; with `PYTHONDONTWRITEBYTECODE` set (as in some
    shells and CI images) and no `__pycache__`, every spawned command would compile each of its
    modules from source on every start, and the end-to-end figures would time the compiler.
    """
    env = dict(os.environ)
    env["NO_COLOR"] = "1"
    env.pop("PM_RUNNER_TEST_MODE", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache())
    return env


_bytecode_cache: list[Path] = []


def bytecode_cache() -> Path:
    """A private folder for the compiled modules of this run's children (the floor's included), removed at exit.

    Warm-up runs (`harness.paired`) fill it; the timed runs read bytecode, as an installed package does.
    """
    if not _bytecode_cache:
        folder = Path(tempfile.mkdtemp(prefix="pm-bench-pycache-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _bytecode_cache.append(folder)
    return _bytecode_cache[0]


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
