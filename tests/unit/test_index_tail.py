"""The newest rows of a session index read from its end equal the whole read's last rows, or are not answered."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import orjson
import pytest

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import EventType, TaskLogEntry, TaskStatus
from runner.logs.query import LogsAction, LogsRequest
from runner.logs.store import LogReader, index_journal, index_tail, session_rows
from runner.logs.store.index_journal import SESSION_INDEX
from runner.repl.logs_command import shown_rows

STATUSES = [status.value for status in TaskStatus]


def _row(number: int, status: TaskStatus) -> TaskLogEntry:
    return TaskLogEntry(
        task_id=f"task-{number:03d}", external_task_id=f"task-{1_800_000_000_000 + number}",
        thread_id=f"thr-{number:03d}", run_id=f"run-{number:03d}", status=status,
        started_at="2026-01-12T10:00:00.000Z", updated_at=f"2026-01-12T10:{number % 60:02d}:01.000Z",
        prompt_summary=f'task {number}: "quoted", a comma, {{"task_id":"task-1"}}\nand a line break',
        executor="shell", event_count=3, first_event_type=EventType.USER_INPUT)


def _whole(snapshot: Path) -> list[dict[str, object]]:
    index_journal.forget(snapshot)
    loaded = index_journal.read_index(snapshot, SESSION_INDEX)
    assert loaded is not None
    return loaded.rows


def _check(snapshot: Path, rows: list[dict[str, object]], count: int) -> bool:
    """The tail of `count` rows is the whole read's last rows and counts, or None; True when it answered."""
    tail = index_tail.read_tail(snapshot, count)
    if tail is None:
        return False
    assert tail.rows == rows[-count:]
    assert tail.total == len(rows)
    found = Counter(row["status"] for row in rows)
    assert tail.counts == {status: found[status] for status in STATUSES}
    return True


def test_the_tail_equals_the_whole_reads_last_rows_through_journals_and_compactions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """600 random row changes (new tasks, and status changes of any task) through the writer, compacting every
    16 lines: every tail asked for is the whole read's end, or not answered (then the caller reads the whole)."""
    monkeypatch.setattr(session_rows, "COMPACT_MIN_LINES", 16)
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    rows = manager._rows  # noqa: SLF001 - the store's own writer, without task files
    assert rows is not None
    snapshot = manager.paths.session_index(session_id)
    chooser = random.Random(7)
    answered: Counter[bool] = Counter()  # small tails answered from the end
    tasks = 0
    with manager._ctx.locks.session(session_id):  # noqa: SLF001
        for step in range(600):
            if tasks == 0 or chooser.random() < 0.4:
                tasks += 1
                number = tasks
            else:  # mostly a recent task, sometimes one long since folded into the snapshot
                number = max(1, tasks - int(chooser.expovariate(0.3)))
            rows.record_locked(_row(number, chooser.choice(list(TaskStatus))), sync=False)
            if step % 7 == 0:
                whole = _whole(snapshot)
                answered.update(_check(snapshot, whole, count) for count in (1, 3, 10))
                assert _check(snapshot, whole, tasks) and _check(snapshot, whole, tasks + 5)  # every row read
    # A small tail is left to the whole read while the journal holds a change to an older row (these random
    # changes often do; a runner changes its newest tasks, test_index_rows_at_scale): both paths were taken.
    assert answered[True] > 0 and answered[False] > 0
    manager.close()  # settles: one snapshot, empty journal
    whole = _whole(snapshot)
    assert all(_check(snapshot, whole, count) for count in (1, 2, tasks))


def test_a_change_to_a_row_older_than_those_read_is_left_to_the_whole_read(tmp_path: Path) -> None:
    """A journal line changing task-001 after the snapshot: the tail of 5 cannot know its old status, so it
    does not answer, and the list built from the whole read still counts it right."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    rows = manager._rows  # noqa: SLF001
    assert rows is not None
    with manager._ctx.locks.session(session_id):  # noqa: SLF001
        for number in range(1, 21):
            rows.record_locked(_row(number, TaskStatus.COMPLETE), sync=False)
        rows.compact_locked(durable_write=False)
        rows.record_locked(_row(1, TaskStatus.ERROR), sync=False)
    snapshot = manager.paths.session_index(session_id)
    assert index_tail.read_tail(snapshot, 5) is None
    assert _check(snapshot, _whole(snapshot), 20)  # reading every row, it does know
    shown = shown_rows(LogReader(tmp_path), session_id, LogsRequest(action=LogsAction.LIST, limit=5))
    assert [entry.task_id for entry in shown.entries] == [f"task-{n:03d}" for n in range(16, 21)]
    assert (shown.counts.complete, shown.counts.error, shown.omitted) == (19, 1, 15)
    manager.close()


def _old_layout(snapshot: Path) -> None:
    """Rewrite the snapshot as the writer did before the row-per-line layout: one line, no row count or counts."""
    document = orjson.loads(snapshot.read_bytes())
    del document["row_count"], document["counts"]
    snapshot.write_bytes(orjson.dumps(document))
    index_journal.forget(snapshot)


def test_an_index_in_the_layout_before_tails_is_read_whole_and_rewritten_by_the_next_writer(tmp_path: Path) -> None:
    """Today's files (a one-line snapshot with a journal) list exactly as before; the writer that continues the
    session rewrites the snapshot in the new layout once, and from then on the tail answers."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    for number in range(6):
        task = manager.create_task(f"task {number}")
        manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.ERROR if number == 2 else TaskStatus.COMPLETE))
    manager.close()
    snapshot = manager.paths.session_index(session_id)
    _old_layout(snapshot)
    before = _whole(snapshot)
    reader = LogReader(tmp_path)
    assert index_tail.read_tail(snapshot, 2) is None
    shown = shown_rows(reader, session_id, LogsRequest(action=LogsAction.LIST, limit=2))
    assert [entry.raw for entry in shown.entries] == before[-2:]  # type: ignore[union-attr]
    assert (shown.counts.complete, shown.counts.error, shown.omitted) == (5, 1, 4)
    manager.continue_session(session_id)
    task = manager.create_task("one more")
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    after = _whole(snapshot)
    assert after[:-1] == before and b'"entries":[\n' in snapshot.read_bytes()
    assert _check(snapshot, after, 2)


@pytest.mark.parametrize("damage", ["torn end", "counts do not add up", "rows out of order", "a row is not JSON"])
def test_a_snapshot_whose_end_or_header_does_not_add_up_is_never_answered_from_its_end(
        tmp_path: Path, damage: str) -> None:
    """A damaged snapshot gets no answer from the tail (the whole read decides: it rebuilds a broken index)."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    for number in range(4):
        manager.finish_task(manager.create_task(f"task {number}").task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    snapshot = manager.paths.session_index(session_id)
    data = snapshot.read_bytes()
    assert _check(snapshot, _whole(snapshot), 2)
    head, _, rest = data.partition(b"\n")
    lines = rest.split(b"\n")
    if damage == "torn end":
        data = data[:-5]
    elif damage == "counts do not add up":
        data = head.replace(b'"complete":4', b'"complete":3') + b"\n" + rest
    elif damage == "rows out of order":
        lines[-3], lines[-2] = lines[-2] + b",", lines[-3].removesuffix(b",")
        data = head + b"\n" + b"\n".join(lines)
    else:
        lines[-2] = b'{"task_id":"task-004",'
        data = head + b"\n" + b"\n".join(lines)
    snapshot.write_bytes(data)
    assert index_tail.read_tail(snapshot, 2) is None
