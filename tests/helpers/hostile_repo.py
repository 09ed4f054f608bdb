"""Hostile `.claude/` layouts as a cloned repository could carry them (issue 9 item 1).

Each builder makes `<tmp>/project` (with a `.git`, sources and a README that must survive) and
`<tmp>/outside*` (files a runner must never read, truncate or delete), then plants one hostile
thing under `.claude/`. Real sessions are recorded with the real `TaskLogManager` first, so the
only thing wrong with each layout is the planted link, hard link, FIFO or device.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from runner.logs.manager import TaskLogManager, TaskOutcome
from runner.logs.models import EventType, ExecutorInfo, TaskStatus

OLD = "2020-01-01T00:00:00.000Z"


@dataclass
class Hostile:
    """A project with one hostile thing planted, and what a runner must do about it."""

    name: str
    project: Path
    outside: list[Path]  # folders outside the project: nothing in them may change
    session_id: str | None = None  # a session the commands name (`--session`)
    task_id: str | None = None
    refused: str | None = None  # a path commands that reach it must refuse (exit 1, naming it)
    refused_always: bool = False  # every command reaches it (the logs folder itself)
    shows: str | None = None  # what `logs show task_id` must say about the planted file


def fingerprint(root: Path) -> dict[str, tuple[str, str]]:
    """Every entry under `root` (links not followed): kind and content (or target), for before/after checks."""
    seen: dict[str, tuple[str, str]] = {}
    if not os.path.lexists(root):
        return seen
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                seen[str(path)] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                seen[str(path)] = ("file", f"{path.read_bytes()!r}/{oct(st.st_mode)}")
            elif stat.S_ISDIR(st.st_mode):
                seen[str(path)] = ("dir", oct(st.st_mode))
            else:
                seen[str(path)] = ("special", oct(st.st_mode))
    return seen


def project_fingerprint(project: Path) -> dict[str, tuple[str, str]]:
    """The project's own files: everything but `.claude/logs/` (which the runner writes)."""
    logs = str(project / ".claude" / "logs")
    return {p: v for p, v in fingerprint(project).items() if not (p == logs or p.startswith(logs + os.sep))}


def _project(tmp: Path) -> Path:
    project = tmp / "project"
    (project / ".git").mkdir(parents=True)
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "src").mkdir()
    (project / "src" / "app.py").write_text("print('the user's work')\n")
    (project / "README.md").write_text("# a cloned project\n")
    return project


def _outside(tmp: Path, name: str = "outside") -> Path:
    outside = tmp / name
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    return outside


def finished_session(project: Path) -> tuple[str, str]:
    """A real, finished session with one complete task."""
    manager = TaskLogManager(project)
    session_id = manager.open_session(executor="shell").session_id
    task = manager.create_task("echo planted")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(project))
    manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "planted"})
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    return session_id, task.task_id


_DYING_RUNNER = """
import sys, time
from pathlib import Path
from runner.logs.manager import TaskLogManager
from runner.logs.models import EventType, ExecutorInfo
project = Path(sys.argv[1])
manager = TaskLogManager(project)
session_id = manager.open_session(executor="shell").session_id
task = manager.create_task("long job")
manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(project))
manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"line": "step 1"})
print(session_id, task.task_id, flush=True)
time.sleep(60)
"""


def abandoned_session(project: Path) -> tuple[str, str]:
    """A real session whose runner was killed (SIGKILL) with task-001 running."""
    proc = subprocess.Popen([sys.executable, "-c", _DYING_RUNNER, str(project)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        session_id, task_id = proc.stdout.readline().split()
    finally:
        proc.kill()
        proc.wait()
    return session_id, task_id


def _age_global_row(project: Path, session_id: str) -> None:
    path = project / ".claude" / "logs" / "index.json"
    index = orjson.loads(path.read_bytes())
    for row in index["sessions"]:
        if row["session_id"] == session_id:
            row["updated_at"] = row["started_at"] = OLD
    path.write_bytes(orjson.dumps(index))


def linked_session_folder(tmp: Path) -> Hostile:
    """`sessions/sess-20200101-001 -> ../../..` (the project itself) with a `session.json`: old enough for retention."""
    project, outside = _project(tmp), _outside(tmp)
    real_id, _ = finished_session(project)
    sessions_dir = project / ".claude" / "logs" / "sessions"
    planted = "sess-20200101-001"
    meta = orjson.loads((sessions_dir / real_id / "session.json").read_bytes())
    meta.update(session_id=planted, started_at=OLD, updated_at=OLD, ended_at=OLD)
    (project / "session.json").write_bytes(orjson.dumps(meta))
    index = orjson.loads((sessions_dir / real_id / "index.json").read_bytes())
    index.update(session_id=planted, updated_at=OLD)
    (project / "index.json").write_bytes(orjson.dumps(index))
    (sessions_dir / planted).symlink_to("../../..")
    index_path = project / ".claude" / "logs" / "index.json"
    rows = orjson.loads(index_path.read_bytes())
    rows["sessions"].insert(0, {**rows["sessions"][0], "session_id": planted, "started_at": OLD, "updated_at": OLD})
    index_path.write_bytes(orjson.dumps(rows))
    return Hostile("linked session folder", project, [outside], session_id=planted,
                   refused=str(sessions_dir / planted))


def _replace_journal(tmp: Path, plant: Callable[[Path, Path], None], name: str) -> Hostile:
    project, outside = _project(tmp), _outside(tmp)
    session_id, task_id = abandoned_session(project)
    journal = project / ".claude" / "logs" / "sessions" / session_id / "tasks" / f"{task_id}.events.jsonl"
    journal.unlink()
    plant(outside / "precious.txt", journal)
    return Hostile(name, project, [outside], session_id=session_id, task_id=task_id)


def journal_symlink(tmp: Path) -> Hostile:
    """An abandoned running task whose `.events.jsonl` is a link to a user's file (recovery used to truncate it)."""
    hostile = _replace_journal(tmp, lambda target, journal: journal.symlink_to(target), "journal symlink")
    hostile.shows = "its journal is a symbolic link"
    return hostile


def hard_linked_journal(tmp: Path) -> Hostile:
    """An abandoned running task whose journal is a hard link of a user's file."""
    hostile = _replace_journal(tmp, lambda target, journal: os.link(target, journal), "hard-linked journal")
    hostile.shows = "its journal is hard-linked (2 links)"
    return hostile


def fifo_task_file(tmp: Path) -> Hostile:
    """A FIFO as `tasks/task-005.json` in a session without an index (so listing rebuilds it) and no `ended_at`."""
    project, outside = _project(tmp), _outside(tmp)
    session_id, _ = finished_session(project)
    folder = project / ".claude" / "logs" / "sessions" / session_id
    os.mkfifo(folder / "tasks" / "task-005.json")
    os.mkfifo(folder / "tasks" / "task-006.events.jsonl")
    (folder / "index.json").unlink()
    meta = orjson.loads((folder / "session.json").read_bytes())
    meta.pop("ended_at", None)
    (folder / "session.json").write_bytes(orjson.dumps(meta))
    return Hostile("FIFO task file", project, [outside], session_id=session_id, task_id="task-005",
                   shows="not a regular file (a FIFO)")


def dev_zero_link(tmp: Path) -> Hostile:
    """Links to /dev/zero as a task snapshot, a session index and the global index (reading would never end)."""
    project, outside = _project(tmp), _outside(tmp)
    session_id, _ = finished_session(project)
    logs = project / ".claude" / "logs"
    (logs / "sessions" / session_id / "tasks" / "task-002.json").symlink_to("/dev/zero")
    (logs / "sessions" / session_id / "index.json").unlink()
    (logs / "sessions" / session_id / "index.json").symlink_to("/dev/zero")
    (logs / "index.json").unlink()
    (logs / "index.json").symlink_to("/dev/zero")
    return Hostile("/dev/zero link", project, [outside], session_id=session_id, task_id="task-002",
                   shows="a symbolic link")


def linked_history(tmp: Path) -> Hostile:
    """`.claude/repl_history -> <outside>/history` (every typed line used to be appended there)."""
    project, outside = _project(tmp), _outside(tmp)
    finished_session(project)
    (outside / "history").write_text("\n# someone else's\n+old line\n")
    (project / ".claude" / "repl_history").symlink_to(outside / "history")
    return Hostile("linked history", project, [outside])


def linked_logs_folder(tmp: Path) -> Hostile:
    """`.claude/logs` itself is a link to a logs folder outside the project (with an old session to delete)."""
    project, outside = _project(tmp), _outside(tmp)
    elsewhere = _project(tmp / "elsewhere")
    session_id, _ = finished_session(elsewhere)
    _age_global_row(elsewhere, session_id)
    (project / ".claude").mkdir()
    (project / ".claude" / "logs").symlink_to(elsewhere / ".claude" / "logs")
    return Hostile("linked .claude/logs", project, [outside, tmp / "elsewhere"], session_id=session_id,
                   refused=str(project / ".claude" / "logs"), refused_always=True)


def linked_claude_folder(tmp: Path) -> Hostile:
    """`.claude` itself is a link to another project's `.claude`."""
    project, outside = _project(tmp), _outside(tmp)
    elsewhere = _project(tmp / "elsewhere")
    session_id, _ = finished_session(elsewhere)
    _age_global_row(elsewhere, session_id)
    (project / ".claude").symlink_to(elsewhere / ".claude")
    return Hostile("linked .claude", project, [outside, tmp / "elsewhere"], session_id=session_id,
                   refused=str(project / ".claude"), refused_always=True)


LAYOUTS: dict[str, Callable[[Path], Hostile]] = {
    "linked-session-folder": linked_session_folder,
    "journal-symlink": journal_symlink,
    "hard-linked-journal": hard_linked_journal,
    "fifo-task-file": fifo_task_file,
    "dev-zero-link": dev_zero_link,
    "linked-history": linked_history,
    "linked-logs-folder": linked_logs_folder,
    "linked-claude-folder": linked_claude_folder,
}
