"""What the reliability scenarios share: figure lines, whole-folder JSON sweeps, and traceback checks.

Every check here reads the files a runner left, never the runner's memory: the battery is
black-box through the CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import orjson
from pydantic import BaseModel

from runner.logs.models import GlobalIndex, SessionIndex, SessionMeta, TaskLog
from runner.logs.store.journal import load_task
from runner.logs.store.paths import LogPaths
from tests.helpers.cli import Run

PYTHON = sys.executable


def figure(text: str) -> str:
    """Print a scenario's figure line (shown with `pytest -s`) and return it for assertion messages."""
    print(f"\n[reliability] {text}")
    return text


def assert_no_traceback(run: Run) -> None:
    """A user never sees a Python traceback of the runner (a task's own, echoed as `  | ...`, is its output)."""
    for name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
        assert not any(line.startswith("Traceback (most recent call last)") for line in text.splitlines()), \
            f"traceback on {name}\n{run.transcript()}"


def _model_for(path: Path, logs_dir: Path) -> type[BaseModel] | None:
    relative = path.relative_to(logs_dir).parts
    if relative == ("index.json",):
        return GlobalIndex
    if len(relative) == 3 and relative[0] == "sessions":
        return {"index.json": SessionIndex, "session.json": SessionMeta}.get(relative[2])
    if len(relative) == 4 and relative[2] == "tasks" and relative[3].startswith("task-"):
        return TaskLog
    return None


def parse_every_json(project: Path) -> int:
    """Every `*.json` file under `.claude/logs` parses and validates as its model; returns how many."""
    logs_dir = project / ".claude" / "logs"
    count = 0
    for path in sorted(logs_dir.rglob("*.json")):
        data = path.read_bytes()
        try:
            document = orjson.loads(data)
            model = _model_for(path, logs_dir)
            if model is not None:
                model.model_validate(document)
        except ValueError as exc:
            raise AssertionError(f"{path} does not parse ({len(data)} bytes): {exc}") from None
        count += 1
    return count


def leftover_temp_files(project: Path) -> list[Path]:
    """Hidden `.name.<pid>.<random>.tmp` files of atomic writes still lying under `.claude/logs`."""
    logs_dir = project / ".claude" / "logs"
    return sorted(p for p in logs_dir.rglob(".*.tmp") if p.is_file())


def read_task(project: Path, session_id: str, task_id: str) -> TaskLog:
    """The task as the store reads it (snapshot, or normal mode's journal state line, plus journal events)."""
    paths = LogPaths(project)
    log = load_task(paths.task_snapshot(session_id, task_id), paths.task_journal(session_id, task_id),
                    session_id=session_id, task_id=task_id)
    assert isinstance(log, TaskLog), log
    return log


def only_session(project: Path) -> str:
    """The id of the one session folder of a project (fails if there are several or none)."""
    (folder,) = [p for p in (project / ".claude" / "logs" / "sessions").iterdir() if p.is_dir()]
    return folder.name


def run_script(argv: list[str], *, stdin: bytes, cwd: Path, env: Mapping[str, str],
               timeout: float = 120) -> Run:
    """Run `python ARGV` (a script, not `-m runner`) and capture it as a `Run`."""
    proc = subprocess.run([PYTHON, *argv], input=stdin, cwd=cwd, capture_output=True, timeout=timeout,
                          env=dict(env))
    return Run(argv, proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"))


def pid_alive(pid: int) -> bool:
    """True while a process with this pid exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] != "Z"
