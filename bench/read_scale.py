"""`read_scale`: what a person waits for when reading a big session — list, JSON list, tree and detail.

The list and the tree show the newest DEFAULT_LIMIT tasks unless given `--all` (timed too, in-process,
without a target: it reads and formats every row).

Sessions of 1,000 and 10,000 workload tasks (bench/datasets.py; the 10,000 one is the strict
session `write_scale` wrote). Each command is timed in-process (the command's own code path,
`execute_view` then the piped renderer, with the index files' mtimes bumped before each run so
no parse cache hides the read) against reading and parsing the same files with orjson, and end
to end (the installed command spawned with stdout piped, until it exits) against the same
interpreter running `pass`.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from bench import datasets
from bench.harness import Figure, Target, scratch
from bench.logs_cli import (
    end_to_end_figure,
    in_process_figure,
    index_files,
    render_view,
    task_files,
    touch,
)
from runner.logs.query import LogsRequest
from runner.logs.store import LogReader
from runner.logs.view_limit import DEFAULT_LIMIT

NAME = "read_scale"
BIG = 10_000
IN_PROCESS_MAX_MS = {"logs list": 30.0, "logs list --json": 30.0, "logs tree": 50.0}
END_TO_END_MAX_FLOORS = {"logs list --json": 4.0, "logs list": 5.0, "logs tree": 5.0}


def _requests(task_id: str) -> dict[str, tuple[LogsRequest, list[str]]]:
    """What a user types: the default views (the newest DEFAULT_LIMIT tasks), and every task with `--all`."""
    return {
        "logs list": (LogsRequest(action="list"), ["logs", "list"]),
        "logs list --json": (LogsRequest(action="list", json=True), ["logs", "list", "--json"]),
        "logs tree": (LogsRequest(action="tree"), ["logs", "tree"]),
        "logs list --all": (LogsRequest(action="list", limit=None), ["logs", "list", "--all"]),
        "logs list --all --json": (LogsRequest(action="list", json=True, limit=None),
                                   ["logs", "list", "--all", "--json"]),
        "logs tree --all": (LogsRequest(action="tree", limit=None), ["logs", "tree", "--all"]),
        "logs show --full": (LogsRequest(action="show", task_ref=task_id, full=True),
                             ["logs", "show", task_id, "--full"]),
    }


def _check(data: datasets.Dataset, reader: LogReader, middle: str) -> None:
    """The views show the session's newest tasks and count all of them, `--all` every task (a fast wrong
    answer is no answer)."""
    every = orjson.loads(render_view(reader, LogsRequest(action="list", json=True, limit=None)))
    newest = orjson.loads(render_view(reader, LogsRequest(action="list", json=True)))
    text = render_view(reader, LogsRequest(action="list"))
    shown = render_view(reader, LogsRequest(action="show", task_ref=middle, full=True))
    if (len(every["tasks"]) != data.tasks or newest["tasks"] != every["tasks"][-DEFAULT_LIMIT:]
            or newest["counts"] != every["counts"] or f"{data.tasks} tasks" not in text or f"Task {middle}" not in shown):
        raise RuntimeError(f"the views of {data.session_id} do not show its {data.tasks} tasks")


def _size(tasks: int, quick: bool, scratch_root: Path) -> list[Figure]:
    data = datasets.session(tasks, scratch_root)
    reader = LogReader(data.project)
    middle = f"task-{tasks // 2:03d}"
    _check(data, reader, middle)
    indexes = index_files(data.project, data.session_id)
    runs, process_runs = (2, 2) if quick else (15, 7)
    figures: list[Figure] = []
    big = tasks >= BIG
    for label, (request, argv) in _requests(middle).items():
        sources = task_files(data.project, data.session_id, middle) if request.action == "show" else indexes

        def cold(request: LogsRequest = request) -> str:
            touch(*indexes)
            return render_view(reader, request)

        in_target = IN_PROCESS_MAX_MS.get(label) if big else None
        e2e_target = END_TO_END_MAX_FLOORS.get(label) if big else None
        figures.append(in_process_figure(
            NAME, f"{tasks:,} tasks: {label}, in-process", cold, sources, runs,
            target=Target(in_target) if in_target else None,
            note=f"{tasks:,} tasks; index files {sum(p.stat().st_size for p in indexes) / 1e6:.1f} MB"))
        if (quick and label != "logs list --json") or "--all" in label:
            continue  # a smoke run spawns one command per size; --all is timed in-process only
        figures.append(end_to_end_figure(
            NAME, f"{tasks:,} tasks: {label}, end to end", argv, data.project, process_runs,
            target=Target(e2e_target, of="ratio") if e2e_target else None))
    return figures


def run(quick: bool) -> list[Figure]:
    sizes = (40,) if quick else (1_000, BIG)
    with scratch(NAME) as root:
        return [figure for tasks in sizes for figure in _size(tasks, quick, root)]
