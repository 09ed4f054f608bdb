"""Timing, statistics and the physical floors every benchmark is compared against.

A `Figure` is one measured quantity with its min/median/max over repeated runs, the
floor measured in the same run on the same filesystem, the ratio between the two
(always "times the floor's cost", so 1.0 is as fast as the floor), and its target.
"""

from __future__ import annotations

import gc
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

TEMP_ENV = "PM_BENCH_TMP"
# A slow figure gets fewer runs (at least MIN_RUNS) so a regression cannot make the suite take hours.
RUN_BUDGET_S = 40.0
MIN_RUNS = 3


@dataclass(frozen=True)
class Stats:
    min: float
    median: float
    max: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        if not values:
            raise ValueError("no samples")
        return cls(min(values), statistics.median(values), max(values), len(values))


@dataclass(frozen=True)
class Target:
    """A limit on the median value (`of="value"`) or on the ratio to the floor (`of="ratio"`)."""

    limit: float
    of: Literal["value", "ratio"] = "value"
    at_most: bool = True

    def describe(self, unit: str) -> str:
        sign = "≤" if self.at_most else "≥"
        if self.of == "ratio":
            return f"{sign} {self.limit:g}× floor"
        return f"{sign} {self.limit:,g} {unit}"

    def met(self, value: float, ratio: float) -> bool:
        measured = ratio if self.of == "ratio" else value
        return measured <= self.limit if self.at_most else measured >= self.limit


@dataclass(frozen=True)
class Figure:
    """One line of the results table; `ratio` > 1 means costlier than the floor."""

    benchmark: str
    name: str
    unit: str
    stats: Stats
    floor: float
    floor_label: str
    ratio: float
    target: Target | None
    met: bool | None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark, "name": self.name, "unit": self.unit,
            "min": self.stats.min, "median": self.stats.median, "max": self.stats.max, "runs": self.stats.runs,
            "floor": self.floor, "floor_label": self.floor_label, "ratio": self.ratio,
            "target": self.target.describe(self.unit) if self.target else None,
            "met": self.met, "note": self.note,
        }


def figure(benchmark: str, name: str, unit: str, samples: Sequence[float], floor_samples: Sequence[float],
           floor_label: str, *, target: Target | None = None, higher_is_better: bool = False,
           note: str = "") -> Figure:
    """Summarise samples against the floor's samples (both in `unit`), medians against medians."""
    stats, floor = Stats.of(samples), statistics.median(floor_samples)
    if higher_is_better:
        ratio = floor / stats.median if stats.median else float("inf")
    else:
        ratio = stats.median / floor if floor else float("inf")
    met = target.met(stats.median, ratio) if target is not None else None
    return Figure(benchmark, name, unit, stats, floor, floor_label, ratio, target, met, note)


def timed(action: Callable[[], object]) -> float:
    """Seconds taken by one call, after a collection so an earlier run's garbage is not billed here."""
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _affordable(runs: int, one_run_s: float, budget_s: float) -> int:
    """Fewer runs (never under 3) when `runs` of them would blow the time budget."""
    if one_run_s * runs <= budget_s:
        return runs
    return max(min(runs, MIN_RUNS), int(budget_s / max(one_run_s, 1e-9)))


def repeat(action: Callable[[], object], runs: int, *, warmup: int = 1,
           budget_s: float = RUN_BUDGET_S) -> list[float]:
    """Seconds per call over `runs` calls (fewer if they would exceed `budget_s`), after `warmup` calls."""
    warm = [timed(action) for _ in range(warmup)]
    if warm:
        runs = _affordable(runs, max(warm), budget_s)
    return [timed(action) for _ in range(runs)]


def paired(action: Callable[[], object], floor: Callable[[], object], runs: int,
           *, warmup: int = 1, budget_s: float = RUN_BUDGET_S) -> tuple[list[float], list[float]]:
    """Seconds per call of `action` and of its `floor`, alternated run by run so both share the noise."""
    warm = []
    for _ in range(warmup):
        warm.append(timed(action) + timed(floor))
    if warm:
        runs = _affordable(runs, max(warm), budget_s)
    samples, floors = [], []
    for _ in range(runs):
        samples.append(timed(action))
        floors.append(timed(floor))
    return samples, floors


# -- floors -------------------------------------------------------------------------------------


def floor_append(folder: Path, lines: Sequence[bytes], *, fsync: bool) -> float:
    """Seconds per line to append `lines` to a fresh file with bare `os.write` (and `os.fsync`)."""
    path = folder / f"floor-append-{time.perf_counter_ns()}.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
    try:
        gc.collect()
        started = time.perf_counter()
        for line in lines:
            os.write(fd, line)
            if fsync:
                os.fsync(fd)
        elapsed = time.perf_counter() - started
    finally:
        os.close(fd)
        os.unlink(path)
    return elapsed / max(len(lines), 1)


def atomic_durable_write(path: Path, data: bytes) -> None:
    """The floor of one durable replace: temp file, write, fsync, rename over, fsync the folder."""
    tmp = path.with_name(f".{path.name}.floor.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def floor_atomic_durable(folder: Path, data: bytes, writes: int) -> float:
    """Seconds per atomic durable write of `data` in `folder` (the store's unit of durable work)."""
    path = folder / f"floor-atomic-{time.perf_counter_ns()}.json"

    def write_all() -> None:
        for _ in range(writes):
            atomic_durable_write(path, data)

    try:
        elapsed = timed(write_all)
    finally:
        path.unlink(missing_ok=True)
    return elapsed / writes


# -- scratch folders ----------------------------------------------------------------------------


def temp_base() -> Path:
    """Where scratch folders go: $PM_BENCH_TMP, else the system temp dir when it shares the working
    directory's filesystem, else `.bench-tmp` in the working directory."""
    chosen = os.environ.get(TEMP_ENV)
    if chosen:
        return Path(chosen).resolve()
    system = Path(tempfile.gettempdir()).resolve()
    if os.stat(system).st_dev == os.stat(Path.cwd()).st_dev:
        return system
    return Path.cwd() / ".bench-tmp"


@contextmanager
def scratch(name: str) -> Iterator[Path]:
    """A private (0700) temp folder for one benchmark, removed afterwards whatever happens."""
    base = temp_base()
    base.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"pm-bench-{name}-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)

