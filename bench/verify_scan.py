"""`verify_scan`: the scan and compare of a 20,000-file project tree outside git, as verification does.

Three figures: a scan of settled files (stat only) against a bare `os.walk` + `lstat`;
a "before" scan right after every file was touched (each small file is racy, so it is also
hashed) against the walk plus reading every file; and the compare after 1% of the files were
rewritten against a plain comparison of the two scans' entries.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from bench.harness import Figure, Target, figure, paired, scratch, timed
from runner.changes.compare import _Racy, compare_scans
from runner.changes.scan import RACY_WINDOW_NS, Scan, hash_racy, scan_tree

NAME = "verify_scan"
MAX_MS = 200
FILES_PER_DIR = 100
SKIPPED = ("node_modules", "__pycache__")


def source_file(root: Path, index: int) -> Path:
    return root / f"pkg{index // FILES_PER_DIR:04d}" / "src" / f"module_{index:05d}.py"


def build_tree(root: Path, files: int) -> None:
    """`files` small source files in folders of 100, plus noise folders the scan must skip."""
    for index in range(files):
        path = source_file(root, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"value = {index}\n" * 8)
    for noise in ("node_modules/dep", ".git/objects", "__pycache__"):
        (root / noise).mkdir(parents=True, exist_ok=True)
        for index in range(500):
            (root / noise / f"n{index}").write_text("x")


def walk_floor(root: Path, *, read: bool = False) -> int:
    """The least a scan can do: walk the same folders and lstat (and read) every file."""
    count = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED]
        for name in names:
            path = os.path.join(folder, name)
            os.lstat(path)
            if read:
                with open(path, "rb") as handle:
                    handle.read()
            count += 1
    return count


def snapshot_tree(root: Path) -> Scan:
    return scan_tree(str(root))


def before_scan(root: Path) -> Scan:
    """A "before" scan: racy files are hashed too."""
    scan = scan_tree(str(root))
    hash_racy(str(root), scan)
    return scan


def diff_snapshots(before: Scan, after: Scan) -> list[str]:
    return compare_scans(Path(), before, after, _Racy(Path(), set(), {})).modified


def compare_floor(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> int:
    """The least a diff can do: compare every entry of two snapshots as plain tuples."""
    changed = [path for path, entry in new.items() if old.get(path) != entry]
    return len(changed) + sum(1 for path in old if path not in new)


def _touch_all(root: Path) -> None:
    stamp = time.time_ns()
    for folder, _dirs, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), ns=(stamp, stamp))


def _ms(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


def _diff_figure(root: Path, files: int, runs: int) -> Figure:
    before = snapshot_tree(root)
    for index in range(0, files, 100):
        source_file(root, index).write_text("changed\n")
    after = snapshot_tree(root)
    modified = diff_snapshots(before, after)
    if len(modified) != len(range(0, files, 100)):
        raise RuntimeError(f"expected {len(range(0, files, 100))} modified files, diff found {len(modified)}")
    old, new = before.by_path(), after.by_path()
    samples, floors = paired(lambda: diff_snapshots(before, after), lambda: compare_floor(old, new), runs)
    return figure(NAME, "diff, 1% of files rewritten", "ms", _ms(samples), _ms(floors),
                  "comparing every entry of the two snapshots as tuples",
                  note=f"{len(modified)} modified of {after.count:,}")


def _fresh_figure(root: Path, runs: int) -> Figure:
    _touch_all(root)
    hashed = len(before_scan(root).digests)
    samples, floors = [], []
    for _ in range(runs + 1):  # the first pair is a warm-up
        _touch_all(root)
        samples.append(timed(lambda: before_scan(root)))
        floors.append(timed(lambda: walk_floor(root, read=True)))
    return figure(NAME, "before scan, every file just touched", "ms", _ms(samples[1:]), _ms(floors[1:]),
                  "os.walk + lstat + reading every file", note=f"{hashed:,} files hashed (racy window)")


def run(quick: bool) -> list[Figure]:
    files, runs = (1_000, 2) if quick else (20_000, 5)
    with scratch(NAME) as root:
        build_tree(root, files)
        time.sleep(RACY_WINDOW_NS / 1e9 + 0.2)  # let every file leave the racy window
        settled = before_scan(root)
        if settled.digests or settled.count != files:
            raise RuntimeError("the settled tree was not scanned as expected")
        samples, floors = paired(lambda: snapshot_tree(root), lambda: walk_floor(root), runs)
        return [
            figure(NAME, "scan, settled files", "ms", _ms(samples), _ms(floors), "os.walk + lstat of every file",
                   target=Target(MAX_MS), note=f"{files:,} files, 1,500 more in skipped folders"),
            _diff_figure(root, files, runs),
            _fresh_figure(root, runs),
        ]
