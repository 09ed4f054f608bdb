"""One live task as its writer holds it: the TaskLog in memory, its snapshot path and open journal.

Snapshots are rewritten at lifecycle transitions and checkpoints; between
them each event costs one journal append. Every event also stays in memory, so
an event whose append failed still reaches the next snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.errors import LogWriteFatalError
from runner.logs.models import LogEvent, TaskLog
from runner.logs.store import codec, safe_files
from runner.logs.store.journal import Journal
from runner.logs.store.paths import LogPaths
from runner.timestamps import now_iso, now_ms

APPEND_TRIES = 3
StateChange = tuple[TaskLog, dict[str, Any]]  # (the log a state line was made of, JSON data of fields changed since)
TERMINAL_SAVE_TRIES = 2


@dataclass
class TaskState:
    log: TaskLog
    snapshot_path: Path
    journal: Journal
    next_event: int
    since_checkpoint: int = 0
    last_checkpoint_ms: int = 0
    # A terminal log whose save failed: kept so `close()` can try once more rather than lose the outcome.
    pending_terminal: TaskLog | None = None
    log_bytes: int = 0  # about what the task's snapshot and journal take on disk (for the space reserve)
    dropped_for_space: int = 0  # optional events not written because the disk was nearly full
    told_nearly_full: bool = False  # the user was told once that this task's output stops being recorded
    # The journal line of each event appended here, reused by the snapshots (event_id -> (event, line)).
    _lines: dict[str, tuple[LogEvent, bytes]] = field(default_factory=dict, init=False, repr=False)
    # The last state line's log and its fields but events, as written (`codec.fields_of`): the
    # running line is made from the queued one's fields and the few `start_task` changed.
    _line_log: TaskLog | None = field(default=None, init=False, repr=False)
    _line_fields: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def task_id(self) -> str:
        return self.log.task_id

    @property
    def is_terminal(self) -> bool:
        return self.log.status.is_terminal

    def save(self, *, durable_write: bool, sync_folder: bool | None = None) -> bytes:
        """Atomically replace the snapshot with the in-memory log (all events included); returns its bytes."""
        data = codec.dumps_task_log(self.log, self.line_of)
        safe_files.write_atomic(self.snapshot_path, data, durable=durable_write, sync_folder=sync_folder)
        self.log_bytes = len(data)
        return data

    def save_line(self, changed: StateChange | None = None) -> bytes:
        """Append the in-memory log (all events included) to the journal as one state line, not
        fsynced; returns its bytes. Normal mode's queued and running states: no snapshot file is
        created or replaced for them (spec/durability.md), readers take the line.

        With `changed` (the log the last state line was made of, and the JSON data of every field
        the current log has changed since), that line's fields are reused instead of dumping the
        whole log again: the same bytes (`test_lifecycle_fast_paths`)."""
        if changed is not None and changed[0] is self._line_log:
            fields = {**self._line_fields, **changed[1]}
        else:
            fields = codec.fields_of(self.log)
        data = codec.dumps_with_events(fields, self.log.events, self.line_of)
        self._line_log, self._line_fields = self.log, fields
        self.journal.append(data, sync=False)
        self.log_bytes += len(data)
        return data

    def save_running(self, *, strict: bool, changed: StateChange | None = None) -> None:
        """The `running` state, every event included; the journal keeps its lines (spec/durability.md).

        Strict writes the snapshot and fsyncs the file but not its folder: should a power cut lose
        the rename, the durable queued snapshot and the journal (whose lines are fsynced and not
        emptied here) still hold every event, and recovery treats `queued` and `running` alike.
        Normal appends a state line to the journal instead.
        """
        if strict:
            self.save(durable_write=True, sync_folder=False)
        else:
            self.save_line(changed)
        self.last_checkpoint_ms = now_ms()

    def checkpoint(self, *, durable_write: bool) -> None:
        """Snapshot everything, then empty the journal (its events are now in the snapshot)."""
        self.log.updated_at = now_iso()
        self._line_log = None  # changed in place: the next state line is dumped whole
        self.save(durable_write=durable_write)
        self.since_checkpoint = 0
        self.last_checkpoint_ms = now_ms()
        try:
            self.journal.reset()
        except OSError:
            pass  # a journal left full is harmless: readers drop events the snapshot already has

    def checkpoint_due(self, *, every_events: int, every_ms: int) -> bool:
        if self.since_checkpoint == 0:
            return False
        return self.since_checkpoint >= every_events or now_ms() - self.last_checkpoint_ms >= every_ms

    def line_of(self, event: LogEvent) -> bytes:
        """The event's journal line: the one this task appended for it, else made now."""
        known = self._lines.get(event.event_id)
        return known[1] if known is not None and known[0] is event else codec.event_line(event)

    def append(self, event: LogEvent, *, sync: bool, line: bytes | None = None) -> OSError | None:
        """Keep the event and append it (its `line`) to the journal, up to 3 tries; returns the last error if all failed."""
        self.log.events.append(event)
        line = codec.event_line(event) if line is None else line
        # Kept with the event itself: a line is reused only for that very (never changed) object.
        self._lines[event.event_id] = (event, line)
        self.log_bytes += 2 * len(line)  # in the journal now, in the snapshot at the next checkpoint
        error: OSError | None = None
        for _ in range(APPEND_TRIES):
            try:
                self.journal.append(line, sync=sync)
            except OSError as exc:
                error = exc
                continue
            error = None
            break
        self.since_checkpoint += 1
        return error

    @classmethod
    def register(cls, paths: LogPaths, log: TaskLog, *, durable_write: bool) -> tuple[TaskState, bytes]:
        """Open the journal, then write the queued state; returns the state and its bytes.

        Durable (strict): the queued snapshot, whose folder fsync covers both new entries. Otherwise
        the journal's first line (`save_line`): one file created per task instead of two.
        """
        state = cls(log=log, snapshot_path=paths.task_snapshot(log.session_id, log.task_id),
                    journal=Journal(paths.task_journal(log.session_id, log.task_id)),
                    next_event=len(log.events) + 1, last_checkpoint_ms=now_ms())
        try:
            state.journal.open()
            data = state.save(durable_write=True) if durable_write else state.save_line()
        except OSError as exc:
            state.journal.close(quiet=True)
            raise LogWriteFatalError(
                f"could not register {log.task_id} in {state.snapshot_path.parent}: {exc.strerror or exc}",
                hint="check free space and permissions of the logs folder") from exc
        return state, data

    def save_terminal(self, log: TaskLog) -> None:
        """Write the terminal snapshot durably; a failed write or fsync is redone from memory once, never re-fsynced.

        Raises LogWriteFatalError when it cannot be saved; the log is kept as
        `pending_terminal` so a last attempt can be made at close.
        """
        self.pending_terminal = log
        error: OSError | None = None
        for _ in range(TERMINAL_SAVE_TRIES):
            try:
                safe_files.write_atomic(self.snapshot_path, codec.dumps_task_log(log, self.line_of), durable=True)
            except OSError as exc:
                error = exc
                continue
            self.log, self.pending_terminal = log, None
            self._lines.clear()  # the task is done: no snapshot of it is written again here
            try:
                self.journal.reset()
            except OSError:
                pass  # the snapshot holds every event: duplicates left in the journal are dropped on read
            self.journal.close(quiet=True)
            return
        assert error is not None
        raise LogWriteFatalError(
            f"could not save the final log of {self.task_id} to {self.snapshot_path}: {error.strerror or error}",
            hint="check free space and permissions of the logs folder; the runner stops so no task goes unlogged")
