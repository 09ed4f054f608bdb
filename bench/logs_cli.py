"""`pm-runner logs ...` timed two ways, and the floors both are compared with.

In-process runs the same code path as the command (`execute_view`, then the terminal
renderer at the piped width) minus argument parsing and interpreter start-up; its floor is
reading and parsing the same files with orjson (the least any reader of them could do). End to
end spawns the installed command with its output piped; its floor is the same interpreter
starting and exiting (`python -c pass`).
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson

from bench.harness import Figure, Target, figure, paired
from bench.processes import describe_command, pm_runner, python_snippet
from runner.logs.query import LogsRequest
from runner.logs.store import LogReader
from runner.repl.collector_pause import show_paused
from runner.repl.logs_command import execute_view
from runner.repl.output import Terminal
from runner.repl.tty import PIPED_WIDTH

FLOOR_IN_PROCESS = "read + orjson parse of the same files"
FLOOR_END_TO_END = "`python -c pass` (the same interpreter starting and exiting)"


def render_view(reader: LogReader, request: LogsRequest) -> str:
    """What `pm-runner logs` would print for `request`, produced in this process as it does (the read and the
    render in one pause of the cyclic collector)."""
    out = io.StringIO()
    terminal = Terminal(out, width=PIPED_WIDTH)
    show_paused(lambda: execute_view(reader, request, current=None), terminal.render)
    return out.getvalue()


def _files_named(folder: Path, prefix: str) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(prefix) and p.is_file())


def index_files(project: Path, session_id: str) -> list[Path]:
    """The index files a session view reads: the global index and the session's (snapshots and journals)."""
    paths = LogReader(project).paths
    return _files_named(paths.logs_dir, "index") + _files_named(paths.session_dir(session_id), "index")


def task_files(project: Path, session_id: str, task_id: str) -> list[Path]:
    """A task's snapshot and event journal."""
    return _files_named(LogReader(project).paths.tasks_dir(session_id), f"{task_id}.")


def read_and_parse(paths: Sequence[Path]) -> int:
    """The in-process floor: read each file and parse it (JSON Lines line by line); returns the values parsed."""
    parsed = 0
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".jsonl":
            parsed += len([orjson.loads(line) for line in data.splitlines() if line.strip()])
        else:
            orjson.loads(data)
            parsed += 1
    return parsed


def touch(*paths: Path) -> None:
    """Give the files a new mtime so an in-process parse cache keyed on file identity misses."""
    stamp = time.time_ns()
    for path in paths:
        os.utime(path, ns=(stamp, stamp))


def in_process_figure(benchmark: str, name: str, action: Callable[[], object], sources: Sequence[Path], runs: int,
                      *, target: Target | None, note: str = "") -> Figure:
    samples, floors = paired(action, lambda: read_and_parse(sources), runs)
    return figure(benchmark, name, "ms", [s * 1000 for s in samples], [f * 1000 for f in floors],
                  FLOOR_IN_PROCESS, target=target, note=note)


def end_to_end_figure(benchmark: str, name: str, args: list[str], project: Path, runs: int,
                      *, target: Target | None) -> Figure:
    samples, floors = paired(lambda: pm_runner(args, cwd=project), lambda: python_snippet("pass", cwd=project), runs)
    return figure(benchmark, name, "ms", [s * 1000 for s in samples], [f * 1000 for f in floors],
                  FLOOR_END_TO_END, target=target,
                  note=f"`{describe_command()} {' '.join(args)}` spawned with stdout piped")


def detail_figures(benchmark: str, project: Path, session_id: str, task_id: str, runs: tuple[int, int], *,
                   check: Callable[[str], str | None], in_target: Target | None,
                   e2e_target: Target | None) -> list[Figure]:
    """`logs show TASK --full` in-process and end to end; `check(shown)` says what is wrong with the view, if anything."""
    reader = LogReader(project)
    request = LogsRequest(action="show", task_ref=task_id, full=True)
    shown = render_view(reader, request)
    problem = check(shown)
    if problem:
        raise RuntimeError(f"the detail view of {task_id}: {problem}")
    files = task_files(project, session_id, task_id)
    note = f"snapshot {sum(p.stat().st_size for p in files) / 1e6:.2f} MB, view {len(shown) / 1e6:.2f} MB of text"
    return [
        in_process_figure(benchmark, "in-process", lambda: render_view(reader, request), files, runs[0],
                          target=in_target, note=note),
        end_to_end_figure(benchmark, "end to end", ["logs", "show", task_id, "--full"], project, runs[1],
                          target=e2e_target),
    ]
