"""Benchmark: snapshot and diff a 20,000-file project tree (run by hand, not as a timed test).

    /work/venv/bin/python bench/bench_tree_snapshot.py [FILES]

Reports the time of a plain `os.walk` + `lstat` pass as the floor, then `snapshot_tree` on a
tree whose files are old (stat only) and on one just written (every small file racy, so hashed),
then `diff_snapshots` after touching 1% of the files.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from runner.tree_snapshot import diff_snapshots, snapshot_tree

FILES_PER_DIR = 100


def build(root: Path, files: int) -> None:
    for index in range(files):
        folder = root / f"pkg{index // FILES_PER_DIR:04d}" / "src"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"module_{index:05d}.py").write_text(f"value = {index}\n" * 8)
    for noise in ("node_modules/dep", ".git/objects", "__pycache__"):
        (root / noise).mkdir(parents=True, exist_ok=True)
        for index in range(500):
            (root / noise / f"n{index}").write_text("x")


def age(root: Path, seconds: int) -> None:
    stamp = time.time_ns() - seconds * 1_000_000_000
    for folder, _dirs, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), ns=(stamp, stamp), follow_symlinks=False)


def best_of(runs: int, action: object) -> float:
    assert callable(action)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def walk_floor(root: Path) -> int:
    count = 0
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__")]
        for name in names:
            os.lstat(os.path.join(folder, name))
            count += 1
    return count


def main() -> None:
    files = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        build(root, files)
        fresh = best_of(3, lambda: snapshot_tree(root))
        hashed = sum(1 for entry in snapshot_tree(root).entries.values() if entry.digest is not None)
        age(root, 3600)
        time.sleep(2.5)  # utime refreshes ctime; let it leave the racy window too
        floor = best_of(3, lambda: walk_floor(root))
        old = best_of(3, lambda: snapshot_tree(root))
        before = snapshot_tree(root)
        for index in range(0, files, 100):
            path = root / f"pkg{index // FILES_PER_DIR:04d}" / "src" / f"module_{index:05d}.py"
            path.write_text("changed\n")
        after = snapshot_tree(root)
        diff_time = best_of(3, lambda: diff_snapshots(before, after))
        diff = diff_snapshots(before, after)
        print(f"files: {len(before.entries)} (noise folders skipped)")
        print(f"os.walk + lstat floor:       {floor * 1000:8.1f} ms")
        print(f"snapshot, old files:         {old * 1000:8.1f} ms  ({old / floor:.2f}x floor)")
        print(f"snapshot, fresh (racy) files: {fresh * 1000:7.1f} ms  ({hashed} hashed)")
        print(f"diff after 1% rewritten:     {diff_time * 1000:8.1f} ms  ({len(diff.modified)} modified)")


if __name__ == "__main__":
    main()
