"""`pm-runner logs ...` timed two ways, and the floors both are compared with.

In-process runs the same code path as the command (`execute_view`, then the terminal
renderer at the piped width) minus argument parsing and interpreter start-up; end to end
spawns the installed command with its output piped. The floor of either is the least any
reader of the same file could do: read it, parse it with orjson, and write it back out
indented, in-process or as a bare `python -c` of the same interpreter.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from bench.harness import Figure, Target, figure, paired
from bench.processes import describe_command, pm_runner, python_snippet
from runner.logs.query import LogsRequest
from runner.logs.store import LogReader
from runner.repl.logs_command import execute_view
from runner.repl.output import Terminal
from runner.repl.tty import PIPED_WIDTH

REEMIT_SNIPPET = (
    "import sys, orjson\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "sys.stdout.buffer.write(orjson.dumps(orjson.loads(data), option=orjson.OPT_INDENT_2))\n"
)
FLOOR_IN_PROCESS = "read + orjson.loads + orjson.dumps (indented) of the same file"
FLOOR_END_TO_END = "`python -c` of the same interpreter doing the in-process floor"


def render_view(reader: LogReader, request: LogsRequest) -> str:
    """What `pm-runner logs` would print for `request`, produced in this process."""
    out = io.StringIO()
    terminal = Terminal(out, width=PIPED_WIDTH)
    for item in execute_view(reader, request, current=None):
        terminal.render(item)
    return out.getvalue()


def reemit_json(path: Path) -> str:
    """The in-process floor: read, parse and re-serialise the file the view is built from."""
    return orjson.dumps(orjson.loads(path.read_bytes()), option=orjson.OPT_INDENT_2).decode()


def touch(path: Path) -> None:
    """Give the file a new mtime so an in-process parse cache keyed on file identity misses."""
    stamp = time.time_ns()
    os.utime(path, ns=(stamp, stamp))


def in_process_figure(benchmark: str, name: str, action: Callable[[], object], source: Path, runs: int,
                      *, target: Target | None, note: str = "") -> Figure:
    samples, floors = paired(action, lambda: reemit_json(source), runs)
    return figure(benchmark, name, "ms", [s * 1000 for s in samples], [f * 1000 for f in floors],
                  FLOOR_IN_PROCESS, target=target, note=note)


def end_to_end_figure(benchmark: str, name: str, args: list[str], project: Path, source: Path, runs: int,
                      *, target: Target | None) -> Figure:
    samples, floors = paired(lambda: pm_runner(args, cwd=project),
                             lambda: python_snippet(REEMIT_SNIPPET, str(source), cwd=project), runs)
    return figure(benchmark, name, "ms", [s * 1000 for s in samples], [f * 1000 for f in floors],
                  FLOOR_END_TO_END, target=target,
                  note=f"`{describe_command()} {' '.join(args)}` spawned with stdout piped")
