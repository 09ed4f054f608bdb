"""`startup`: wall time of `pm-runner repl --non-interactive </dev/null` and `pm-runner logs list` on an empty project.

The floor is the same interpreter starting and exiting (`python -c pass`), measured
alternately with the command; what is left is the cost of the runner's own imports and set-up.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.harness import Figure, Target, figure, paired, scratch
from bench.processes import describe_command, pm_runner, python_snippet

NAME = "startup"
MAX_FLOORS = 5.0
# `logs list` on a project without logs reports "no logs" and exits 1: that is the empty-project path.
COMMANDS: dict[str, tuple[list[str], tuple[int, ...]]] = {
    "repl --non-interactive </dev/null": (["repl", "--non-interactive"], (0,)),
    "logs list": (["logs", "list"], (0, 1)),
}


def _startup(name: str, root: Path, runs: int) -> Figure:
    args, codes = COMMANDS[name]

    def command() -> None:
        project = Path(tempfile.mkdtemp(prefix="empty-", dir=root))  # a fresh empty project each time
        pm_runner(args, cwd=project, stdin=b"", expect=codes)

    samples, floors = paired(command, lambda: python_snippet("pass", cwd=root), runs)
    return figure(NAME, name, "ms", [s * 1000 for s in samples], [f * 1000 for f in floors],
                  "`python -c pass` (the same interpreter starting and exiting)",
                  target=Target(MAX_FLOORS, of="ratio"), note=f"`{describe_command()} {' '.join(args)}` in an empty folder")


def run(quick: bool) -> list[Figure]:
    runs = 2 if quick else 10
    with scratch(NAME) as root:
        return [_startup(name, root, runs) for name in COMMANDS]
