"""Which agent CLIs are installed, their versions and whether they are logged in (/provider, `doctor`).

Each probe runs the program found on PATH (never one named by a project's config) with stdin
/dev/null, in its own process group, for at most a few seconds; whatever it prints is masked
before it is kept. Versions are cached per process (a session) by the program's path and mtime.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from runner.executors.process_group import end_group, spawn
from runner.executors.registry import EXECUTORS, ExecutorSpec, executor_names
from runner.logs.masking import mask_and_truncate

PROBE_TIMEOUT_S = 5.0
_VERSION_CHARS = 60
_LOGGED_OUT = ("not logged in", "please log in", "login required", "not authenticated")


@dataclass(frozen=True)
class Probe:
    """What one run of a program printed (stdout then stderr, masked) and how it ended."""

    exit_code: int | None  # None: it did not finish in time
    output: str


@dataclass(frozen=True)
class AgentStatus:
    """One executor as `/provider` and `doctor` show it."""

    name: str
    summary: str
    program: str | None  # None: nothing to install (shell, command, fake)
    path: str | None  # where the program was found; None when not on PATH
    version: str | None = None
    logged_out: bool = False
    auth_hint: str | None = None

    @property
    def installed(self) -> bool:
        return self.program is None or self.path is not None


def run_probe(argv: Sequence[str], timeout_s: float = PROBE_TIMEOUT_S) -> Probe:
    """Run `argv` briefly; a program that hangs is ended with its whole process group."""
    try:
        proc = spawn(argv, Path.cwd(), None)
    except OSError as exc:
        return Probe(None, mask_and_truncate(f"could not run {argv[0]}: {exc.strerror or exc}", 200))
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        end_group(proc, proc.pid, 0)
        proc.communicate()
        return Probe(None, "")
    text = (out + b"\n" + err).decode(errors="replace")
    return Probe(proc.returncode, mask_and_truncate(text, 2_000))


@lru_cache(maxsize=64)
def _cached_version(path: str, _mtime_ns: int) -> Probe:
    return run_probe([path, "--version"])


def version_of(path: str) -> Probe:
    """`<program> --version`, once per program file per session."""
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        mtime = 0
    return _cached_version(path, mtime)


def version_text(probe: Probe) -> str:
    """The first line when it reads like a version, else "unknown"."""
    if probe.exit_code is None:
        return "unknown (no answer to --version)"
    first = next((line.strip() for line in probe.output.splitlines() if line.strip()), "")
    if not first or first.startswith(("{", "[")) or not any(ch.isdigit() for ch in first):
        return "unknown"
    return first[:_VERSION_CHARS]


def says_logged_out(probe: Probe) -> bool:
    text = probe.output.lower()
    return any(phrase in text for phrase in _LOGGED_OUT)


def agent_status(spec: ExecutorSpec, *, which: Callable[[str], str | None] = shutil.which,
                 check_login: bool = False) -> AgentStatus:
    """Installed or not, the version, and (when asked) whether the agent says it is logged out."""
    if spec.program is None:
        return AgentStatus(spec.name, spec.summary, None, None)
    path = which(spec.program)
    if path is None:
        return AgentStatus(spec.name, spec.summary, spec.program, None)
    probe = version_of(path)
    logged_out = says_logged_out(probe)
    if check_login and spec.login_check and not logged_out:
        login = run_probe([path, *spec.login_check])
        logged_out = says_logged_out(login) or login.exit_code not in (0, None)
    return AgentStatus(spec.name, spec.summary, spec.program, path, version_text(probe), logged_out,
                       spec.auth_hint if logged_out else None)


def all_statuses(*, which: Callable[[str], str | None] = shutil.which,
                 check_login: bool = False) -> list[AgentStatus]:
    """Every registered executor, agents first in the registry's order of names."""
    return [agent_status(EXECUTORS[name], which=which, check_login=check_login) for name in executor_names()]


def status_lines(statuses: Sequence[AgentStatus], current: str | None, *, hints: bool = False) -> list[str]:
    """One line per executor: `*` marks the current one; installed agents show version and path."""
    width = max(len(status.name) for status in statuses)
    lines = []
    for status in statuses:
        mark = "*" if status.name == current else " "
        if status.program is None:
            state = "built in"
        elif status.path is None:
            state = f"not installed ({status.program} is not on PATH)"
        else:
            state = f"installed, {status.version or 'unknown'} ({status.path})"
            if status.logged_out:
                state += " - not logged in"
        lines.append(f"{mark} {status.name.ljust(width)}  {state}")
        if hints and status.auth_hint:
            lines.append(f"  {' ' * width}  HINT: {status.auth_hint}")
    return lines
