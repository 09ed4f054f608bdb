"""Index journals: last row wins, torn lines are skipped, only the journal a snapshot names is applied, reads are incremental."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from runner.logs.store import index_journal
from runner.logs.store.index_journal import SESSION_INDEX, journal_path, read_index, write_snapshot
from runner.logs.store.journal import Journal


def _row(task: str, status: str) -> dict[str, Any]:
    return {"task_id": task, "status": status}


def _snapshot(tmp_path: Path, rows: list[dict[str, Any]], generation: int) -> Path:
    folder = tmp_path / ".claude" / "logs" / "sessions" / "sess-20250101-001"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.json"
    write_snapshot(path, {"session_id": "sess-20250101-001", "updated_at": "2025-01-01T00:00:00.000Z"},
                   [orjson.dumps(row) for row in rows], SESSION_INDEX, generation, durable=False)
    return path


def _append(path: Path, generation: int, row: dict[str, Any]) -> None:
    index_journal.append_row(path, generation, orjson.dumps(row), sync=False)


def _statuses(path: Path) -> list[tuple[str, str]]:
    loaded = read_index(path, SESSION_INDEX)
    assert loaded is not None
    return [(row["task_id"], row["status"]) for row in loaded.rows]


def test_last_row_wins_and_new_rows_follow_in_order(tmp_path: Path) -> None:
    """A journal row replaces the snapshot's row with its key; a new key joins the end in order of appearance."""
    path = _snapshot(tmp_path, [_row("task-001", "complete"), _row("task-002", "queued")], 1)
    for row in (_row("task-002", "running"), _row("task-003", "queued"), _row("task-002", "error"),
                _row("task-003", "running")):
        _append(path, 1, row)
    assert _statuses(path) == [("task-001", "complete"), ("task-002", "error"), ("task-003", "running")]
    loaded = read_index(path, SESSION_INDEX)
    assert loaded is not None and loaded.journal_lines == 4 and loaded.generation == 1


def test_a_torn_last_line_is_skipped_and_the_next_append_is_fenced(tmp_path: Path) -> None:
    """A half-written last line is not a row; the next append starts on a new line and is read."""
    path = _snapshot(tmp_path, [_row("task-001", "queued")], 1)
    _append(path, 1, _row("task-001", "running"))
    with open(journal_path(path, 1), "ab") as journal:
        journal.write(b'{"task_id":"task-001","status":"compl')
    assert _statuses(path) == [("task-001", "running")]
    _append(path, 1, _row("task-002", "queued"))
    assert _statuses(path) == [("task-001", "running"), ("task-002", "queued")]
    assert journal_path(path, 1).read_bytes().count(b"\n") == 3  # the torn line was fenced off


def test_only_the_journal_the_snapshot_names_is_applied(tmp_path: Path) -> None:
    """After a compaction, the previous journal (left by a crash) and any stale higher one are never applied."""
    path = _snapshot(tmp_path, [_row("task-001", "queued")], 1)
    _append(path, 1, _row("task-001", "complete"))
    stale = journal_path(path, 1).read_bytes()
    _snapshot(tmp_path, [_row("task-001", "complete"), _row("task-002", "queued")], 2)
    journal_path(path, 1).write_bytes(stale + orjson.dumps(_row("task-002", "error")) + b"\n")  # crash left it
    journal_path(path, 3).write_bytes(orjson.dumps(_row("task-001", "queued")) + b"\n")  # a stray of an old run
    assert _statuses(path) == [("task-001", "complete"), ("task-002", "queued")]
    _snapshot(tmp_path, [_row("task-001", "complete"), _row("task-002", "queued")], 3)  # the next compaction
    assert _statuses(path) == [("task-001", "complete"), ("task-002", "queued")]
    assert sorted(p.name for p in path.parent.glob("index.*.jsonl")) == ["index.3.jsonl"]
    assert journal_path(path, 3).read_bytes() == b""


def test_a_snapshot_written_before_journals_is_generation_zero(tmp_path: Path) -> None:
    """An index file without a `journal` field reads as it is, with no journal."""
    folder = tmp_path / ".claude" / "logs"
    folder.mkdir(parents=True)
    path = folder / "index.json"
    path.write_bytes(orjson.dumps({"updated_at": "2025-01-01T00:00:00.000Z",
                                   "sessions": [{"session_id": "sess-20250101-001"}]}))
    (folder / "index.0.jsonl").write_bytes(orjson.dumps({"session_id": "sess-20250101-002"}) + b"\n")
    loaded = read_index(path, index_journal.GLOBAL_INDEX)
    assert loaded is not None and loaded.generation == 0
    assert [row["session_id"] for row in loaded.rows] == ["sess-20250101-001"]


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'{"entries": {}}', b'{"journal": -1}'])
def test_a_snapshot_that_is_not_an_index_reads_as_none(tmp_path: Path, content: bytes) -> None:
    """Garbage, a list, rows that are not a list or a negative generation: None (the caller rebuilds)."""
    path = _snapshot(tmp_path, [], 1)
    path.write_bytes(content)
    assert read_index(path, SESSION_INDEX) is None


def test_a_repeated_read_parses_only_the_lines_appended_since(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the snapshot is unchanged, a read parses the journal's new bytes only (and nothing when none)."""
    path = _snapshot(tmp_path, [_row(f"task-{n:03d}", "complete") for n in range(1, 200)], 1)
    _append(path, 1, _row("task-200", "queued"))
    assert len(_statuses(path)) == 200
    parsed: list[int] = []
    real = index_journal.parse_lines

    def counting(data: bytes, key: str) -> list[dict[str, Any]]:
        parsed.append(len(data))
        return real(data, key)

    monkeypatch.setattr(index_journal, "parse_lines", counting)
    assert len(_statuses(path)) == 200 and parsed == []
    _append(path, 1, _row("task-200", "running"))
    assert _statuses(path)[-1] == ("task-200", "running")
    assert parsed == [len(orjson.dumps(_row("task-200", "running"))) + 1]


def test_a_compaction_during_a_read_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The snapshot replaced between reading it and its journal: the reader starts over and sees the new state."""
    path = _snapshot(tmp_path, [_row("task-001", "queued")], 1)
    _append(path, 1, _row("task-001", "running"))
    real = index_journal._read  # noqa: SLF001 - the module's one read function
    compacted: list[bool] = []

    def read_bytes(target: Path) -> bytes:
        data = real(target)
        if target == journal_path(path, 1) and not compacted:
            compacted.append(True)  # another process compacts right after we read the old journal
            _snapshot(tmp_path, [_row("task-001", "running"), _row("task-002", "queued")], 2)
            _append(path, 2, _row("task-002", "running"))
        return data

    monkeypatch.setattr(index_journal, "_read", read_bytes)
    assert _statuses(path) == [("task-001", "running"), ("task-002", "running")]


def test_the_journal_writer_appends_whole_lines_only(tmp_path: Path) -> None:
    """Each appended row is one newline-terminated line that parses on its own."""
    path = _snapshot(tmp_path, [], 1)
    journal = Journal(journal_path(path, 1))
    for number in range(5):
        journal.append(orjson.dumps(_row(f"task-{number:03d}", "queued")), sync=False)
    journal.close()
    lines = journal_path(path, 1).read_bytes().split(b"\n")
    assert lines[-1] == b"" and all(orjson.loads(line)["status"] == "queued" for line in lines[:-1])
