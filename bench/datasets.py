"""Data sets the read benchmarks share: sessions of 1,000 and 10,000 workload tasks, built once.

Data sets live in `DIR/<name>/` with a stamp. `DIR` is `--data DIR` (or `$PM_BENCH_DATA`):
kept, and reused by later runs while the stamp still matches (the same workload and the same
store code: a fingerprint of `runner/logs/store/`, the manager and the models). Without it, `DIR`
is a scratch folder that lives for one `python -m bench` run (`scope()`). `write_scale` stores
the strict session it writes, so its 10,000 tasks are written once and read by `read_scale`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import runner
from runner.logs.manager import Durability

DATA_ENV = "PM_BENCH_DATA"
WORKLOAD_VERSION = 1  # bump when bench/workload.py writes different tasks
_STAMP = "stamp.json"


@dataclass(frozen=True)
class Dataset:
    project: Path
    session_id: str
    tasks: int


_run_scratch: list[Path] = []  # the scratch data folder of this run, while `scope()` is open


def data_root() -> Path | None:
    chosen = os.environ.get(DATA_ENV)
    if chosen:
        return Path(chosen).resolve()
    return _run_scratch[-1] if _run_scratch else None


@contextmanager
def scope() -> Iterator[None]:
    """Keep data sets for the length of one run (in a scratch folder removed afterwards) unless `$PM_BENCH_DATA` is set."""
    from bench.harness import temp_base

    if os.environ.get(DATA_ENV):
        yield
        return
    base = temp_base()
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="pm-bench-data-", dir=base))
    _run_scratch.append(folder)
    try:
        yield
    finally:
        _run_scratch.remove(folder)
        shutil.rmtree(folder, ignore_errors=True)


def fingerprint() -> str:
    """What a stored data set depends on: the workload version and the code that wrote the files."""
    package = Path(runner.__file__).resolve().parent
    sources = sorted((package / "logs" / "store").glob("*.py")) + [package / "logs" / "manager.py",
                                                                    package / "logs" / "models.py"]
    digest = hashlib.sha256(f"workload {WORKLOAD_VERSION}".encode())
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:16]


def session_name(tasks: int) -> str:
    return f"session-{tasks}"


def load(name: str) -> Dataset | None:
    """The stored data set `name`, if there is one built by the same code."""
    root = data_root()
    if root is None:
        return None
    try:
        stamp = json.loads((root / name / _STAMP).read_text())
    except (OSError, ValueError):
        return None
    if stamp.get("fingerprint") != fingerprint():
        return None
    return Dataset(root / name / "project", stamp["session_id"], stamp["tasks"])


def fresh_project(name: str) -> Path | None:
    """An empty project folder for data set `name` in the data folder (None without one)."""
    root = data_root()
    if root is None:
        return None
    folder = root / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "project").mkdir(parents=True, mode=0o700)
    return folder / "project"


def save(name: str, session_id: str, tasks: int) -> None:
    """Stamp the data set `name` (its project was filled through `fresh_project`)."""
    root = data_root()
    assert root is not None
    stamp = {"fingerprint": fingerprint(), "session_id": session_id, "tasks": tasks}
    (root / name / _STAMP).write_text(json.dumps(stamp))


def session(tasks: int, scratch_root: Path) -> Dataset:
    """A finished session of `tasks` workload tasks: stored, else built (and stored when there is a data folder)."""
    from bench.workload import write_session

    name = session_name(tasks)
    found = load(name)
    if found is not None:
        return found
    project = fresh_project(name)
    if project is None:  # outside `scope()` (a benchmark module run on its own)
        project = scratch_root / name
        project.mkdir(mode=0o700)
    session_id, _ = write_session(project, tasks, Durability.NORMAL)
    if data_root() is not None:
        save(name, session_id, tasks)
    return Dataset(project, session_id, tasks)
