"""A full disk never wedges the project (issue 9 item 5), on a real 2 MB tmpfs.

A task that prints far more than the filesystem holds must still save its final log (its output
stops at the free-space reserve and an EVENTS_DROPPED event says so), and the next start,
`logs list` and `logs clear` must work, also when something else filled the disk to the last byte.
Mounting needs root: without it the tests are skipped, saying so.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.helpers.cli import run_pm
from tests.reliability.support import assert_no_traceback, figure

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("mount") is None,
                                reason="mounting a 2 MB tmpfs needs root and mount(8)")

FLOOD = "yes 'pm-runner fills the disk with this line of output, again and again' | head -c 6000000"


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A fresh 2 MB tmpfs, unmounted afterwards."""
    mount_point = tmp_path / "fs"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(folder: Path) -> Path:
    """Write a file until the filesystem refuses another byte; returns it."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 1 << 12, 1 << 9, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(fd)
    return filler


def _tasks(project: Path) -> list[dict[str, object]]:
    return [orjson.loads(p.read_bytes()) for p in sorted(project.glob(".claude/logs/sessions/*/tasks/task-*.json"))]


def test_a_flood_of_output_never_starves_the_final_save(small_fs: Path) -> None:
    """6 MB of output on a 2 MB filesystem: the user is told once, the task is saved complete with a marker,
    and later starts work."""
    project = small_fs / "project"
    project.mkdir()
    # The timeout only guards against a hang: under a loaded test run 6 MB can take a while.
    run = run_pm(["repl", "--executor", "shell"], stdin=f"{FLOOD}\necho after-the-flood\n", cwd=project, expect=None,
                 timeout=240)
    assert_no_traceback(run)
    assert run.code == 0, run.transcript()
    assert run.stdout.count("RESULT: COMPLETE") == 2, run.transcript()
    assert run.stderr.count("the disk holding the logs is nearly full: further output of task-001") == 1, \
        run.transcript()
    flood = _tasks(project)[0]
    assert flood["status"] == "complete"
    markers = [e for e in flood["events"] if e["event_type"] == "EVENTS_DROPPED"]  # type: ignore[union-attr, index]
    assert len(markers) == 1 and markers[0]["content"]["reason"] == "disk nearly full", markers
    raw = b"".join(p.read_bytes() for p in project.glob(".claude/logs/raw/*/task-001_*.log"))
    assert raw.rstrip().endswith(b"the disk holding the logs was nearly full]"), raw[-200:]

    again = run_pm(["repl", "--executor", "shell"], stdin="echo next-start\n", cwd=project, expect=None)
    assert again.code == 0 and "RESULT: COMPLETE" in again.stdout, again.transcript()
    listing = run_pm(["logs", "list"], cwd=project, expect=None)
    assert listing.code == 0, listing.transcript()
    cleared = run_pm(["logs", "clear", "--force"], cwd=project, expect=None)
    assert cleared.code == 0 and cleared.lines[-1].startswith("Removed 2 sessions"), cleared.transcript()
    figure(f"full disk: 6 MB of output on a 2 MB tmpfs; task saved complete, "
           f"{markers[0]['content']['dropped']} output events and {markers[0]['content']['raw_bytes_dropped']} raw "
           "bytes kept out, next start, logs list and logs clear worked")


def test_logs_list_and_clear_work_on_a_disk_full_to_the_last_byte(small_fs: Path) -> None:
    """With the filesystem filled by another file, `logs list` and `logs clear` still work; the start works after."""
    project = small_fs / "project"
    project.mkdir()
    for n in range(2):
        run_pm(["repl", "--executor", "shell"], stdin=f"echo session-{n}\n", cwd=project)
    filler = _fill(small_fs)
    for args in (["logs", "list"], ["logs", "sessions"], ["logs", "clear", "--dry-run"]):
        run = run_pm(args, cwd=project, expect=None)
        assert_no_traceback(run)
        assert run.code == 0, run.transcript()
    cleared = run_pm(["logs", "clear", "--force"], cwd=project, expect=None)
    assert cleared.code == 0 and cleared.lines[-1].startswith("Removed 2 sessions"), cleared.transcript()
    assert not list(project.glob(".claude/logs/sessions/*"))
    filler.unlink()
    after = run_pm(["repl", "--executor", "shell"], stdin="echo after\n", cwd=project, expect=None)
    assert after.code == 0, after.transcript()
