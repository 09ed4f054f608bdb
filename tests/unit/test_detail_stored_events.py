"""The detail view of events as stored (`read_task_for_view`, `EventLines`) is byte for byte the view of the
validated task (`read_task`, the per-event Line/Para path), and damaged files read exactly as before."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson
import pytest

from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.models import CorruptedLog, ExecutorInfo, TaskLog, TaskStatus, Visibility
from runner.logs.store import LogReader
from runner.logs.store.stored_read import stored_form
from runner.logs.stored_task import StoredTask
from runner.views.plain import wrap
from runner.views.simple_events import BREAK, wrapped_lines
from runner.views.task_detail import task_detail_renderable
from tests.helpers.secret_samples import MAKERS, pieces

STAMP = "2026-11-28T10:00:{:02d}.{:03d}Z"


def _event(number: int, kind: str, content: dict[str, Any], *, visibility: str = "full",
           masked: dict[str, int] | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"event_id": f"evt-{number:04d}", "event_type": kind,
                             "timestamp": STAMP.format(number % 60, number % 1000), "visibility": visibility,
                             "content": content}
    if masked is not None:
        event["masked"] = masked
    return event


def _rich_contents() -> list[tuple[str, dict[str, Any], str]]:
    """(event type, content, visibility) of every kind of content a detail view meets."""
    rng = random.Random(7)
    secrets = [makers[0](rng)[0] for makers in list(MAKERS.values())[:12]]
    out = "EXECUTOR_OUTPUT"
    rows: list[tuple[str, dict[str, Any], str]] = [
        ("USER_INPUT", {"prompt": "fix the ünïcode 漢字 module"}, "summary"),
        ("EXECUTOR_START", {"executor": "claude", "model": "opus", "pid": 4242}, "full"),
        ("CLARIFICATION_REQUEST", {"question": "which file?"}, "summary"),
        ("USER_RESPONSE", {"response": ""}, "summary"),
        ("EXECUTOR_PROGRESS", {"message": ""}, "full"),
        ("EXECUTOR_PROGRESS", {"message": "step 3", "percent": 60, "ratio": 0.5, "done": False, "x": None}, "full"),
        ("EVIDENCE_CREATED", {"files": ["a.py", "b.py"], "count": 2}, "summary"),
        ("QUALITY_JUDGMENT", {"verdict": {"score": 3, "notes": ["short"]}}, "summary"),
        ("EXECUTOR_ERROR", {"api_key": "abc123", "message": "denied"}, "summary"),
        ("MODEL_CHANGE", {"{from}": "a{0}", "to}": "b}"}, "summary"),
        ("MODEL_CHANGE", {"\x1b[2Jkey": "value", "token": "t"}, "summary"),
        ("SUBTASK_CREATED", {"subtask_id": "task-002", "number": 1, "text": "part one"}, "summary"),
        ("SUBTASK_COMPLETE", {"subtask_id": "task-002", "number": 1, "text": "part one", "status": "complete",
                              "files": ["a.py"]}, "summary"),
        ("EXECUTOR_OUTPUT", {}, "full"),
        ("MODEL_CHANGE", {"ключ": "значение", "漢字": "値"}, "summary"),
        ("MODEL_CHANGE", {"漢字": "x" * 111}, "summary"),
        ("MODEL_CHANGE", {"a\tb": "tab in a key", "a\nb": "break in a key"}, "summary"),
        ("EXECUTOR_PROGRESS", {"message": "x", "note": "n" * 300, "empty": "", "trail": "end  "}, "full"),
        ("EXECUTOR_PROGRESS", {"message": "y", "note": "word " * 60 + "z" * 200}, "full"),
        ("TASK_COMPLETE", {}, "summary"),
    ]
    lines = [
        "plain line", "", "trailing spaces   ", "   leading spaces", "tab\tseparated\tvalues", "x" * 5000,
        " ".join(f"word{n}" for n in range(80)), "a" * 300, "      " + "b" * 130 + " tail", " " * 200,
        "漢字" * 80, "café " * 40, "\x1b[31mred\x1b[0m and \u202e bidi \x07 bell", "\x85 next line \u2028 sep",
        "ends with tab\t", "mixed 漢字 " + "w " * 100, "braces {0} {line} }{", "quote \" and backslash \\",
        "nbsp at the end\xa0", "ideographic space at the end\u3000", "soft\xadhyphen " * 20, "x" * 116, "x" * 117,
        "y" * 108 + " stdout", "é" * 117, "ends in a space " + "w" * 120 + " ",
        *(f"export KEY={secret}" for secret in secrets), "line with\nan inner break",
    ]
    for number, line in enumerate(lines):
        stream = "stderr" if number % 5 == 4 else "stdout"
        rows.append((out, {"stream": stream, "line": line}, "full"))
        rows.append((out, {"line": line}, "full"))
    rows.append((out, {"text": "as text", "stream": "stdout"}, "full"))
    rows.append((out, {"line": "with a note", "stream": "stdout", "dropped_lines": 3}, "full"))
    rows += [(out, {"stream": "stdout", "line": f"run line {n}"}, "full") for n in range(30)]
    return rows


def _rich_events() -> list[dict[str, Any]]:
    events = []
    for number, (kind, content, visibility) in enumerate(_rich_contents(), start=1):
        masked = {"OPENAI_KEY": 1, "GITHUB_TOKEN": 2} if number % 9 == 0 else None
        if number % 13 == 0:  # a note wider than the narrower screens
            masked = {f"RULE_{n}": n for n in range(12)}
        events.append(_event(number, kind, content, visibility=visibility, masked=masked))
    return events


@pytest.fixture
def store(tmp_path: Path) -> tuple[LogReader, str, str]:
    """A real session holding one finished task, written by the manager; tests rewrite its files."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    task = manager.create_task("a task with every kind of event")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell", model="m1"), verification_root=str(tmp_path))
    manager.add_event(task.task_id, _kind("EXECUTOR_OUTPUT"), {"stream": "stdout", "line": "hello"})
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    manager.close()
    assert session_id is not None
    return LogReader(tmp_path), session_id, task.task_id


def _kind(name: str) -> Any:
    from runner.logs.models import EventType

    return EventType(name)


def _write(reader: LogReader, session_id: str, task_id: str, events: list[dict[str, Any]],
           journal: list[bytes] = (), **header: Any) -> None:
    """The task's snapshot with `events` (and header fields changed), and its journal's lines."""
    snapshot = reader.paths.task_snapshot(session_id, task_id)
    document = orjson.loads(snapshot.read_bytes())
    document.update(header, events=events)
    snapshot.write_bytes(orjson.dumps(document))
    reader.paths.task_journal(session_id, task_id).write_bytes(b"".join(line + b"\n" for line in journal))


def _views(log: TaskLog | StoredTask | CorruptedLog) -> list[str]:
    return [task_detail_renderable(log, visibility=visibility, grouped=grouped).to_text(width, color=color)
            for visibility in (Visibility.FULL, Visibility.SUMMARY) for grouped in (False, True)
            for width in (120, 61, 23, 5) for color in (False, True)]


def test_stored_events_render_the_same_bytes_as_validated_events(store: tuple[LogReader, str, str]) -> None:
    """A task with every kind of content — nested, credential keys, braces, escapes, wide characters, tabs,
    secrets the file holds unmasked, long and folded lines, masking notes, subtasks — some events still in the
    journal: the stored-events view equals the validated view at four widths, in colour and not, grouped and not."""
    reader, session_id, task_id = store
    events = _rich_events()
    journal = [orjson.dumps(event) for event in events[-12:]] + [orjson.dumps(events[3]), b'{"event_id": "evt-9']
    _write(reader, session_id, task_id, events[:-12], journal)
    fast = reader.read_task_for_view(session_id, task_id)
    general = reader.read_task(session_id, task_id)
    assert isinstance(fast, StoredTask) and isinstance(general, TaskLog)
    assert fast.events == [event.model_dump(mode="json") for event in general.events]
    views = _views(fast)
    assert views == _views(general)
    shown = views[0]
    assert "SUBTASK" in shown and "1. task-002 COMPLETE" in shown and "masked: OPENAI_KEY ×1" in shown
    assert "\x1b" not in shown and "\\x1b[31mred" in shown and "export KEY=[MASKED:" in shown


def test_a_secret_the_file_holds_is_masked_by_both_paths(store: tuple[LogReader, str, str]) -> None:
    """Every secret maker's text, stored unmasked (a log older than its rule): neither path shows its secret part."""
    reader, session_id, task_id = store
    rng = random.Random(11)
    samples = [maker(rng) for makers in MAKERS.values() for maker in makers]
    events = [_event(n, "EXECUTOR_OUTPUT", {"stream": "stdout", "line": text})
              for n, (text, _) in enumerate(samples, start=1)]
    _write(reader, session_id, task_id, events)
    fast = reader.read_task_for_view(session_id, task_id)
    assert isinstance(fast, StoredTask)
    text = task_detail_renderable(fast, visibility=Visibility.FULL).to_text(120, color=False)
    assert text == task_detail_renderable(reader.read_task(session_id, task_id),
                                          visibility=Visibility.FULL).to_text(120, color=False)
    for _, secret in samples:
        assert all(piece not in text for piece in pieces(secret))


_FRAGMENTS = ["word", " ", "  ", "x" * 40, "\t", "é", "\xa0", "\u3000", "漢", "\xad", "{0}", '"', "", "-" * 9,
              "\x1b[1m", "[MASKED:AWS_KEY]", "long words " * 90]  # (the last: bodies over MAX_EVENT_CHARS, cut)


def _random_content(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """An event type and a flat content made of fragments that each take some path of the view."""
    def text() -> str:
        return "".join(rng.choice(_FRAGMENTS) for _ in range(rng.choice([0, 1, 2, 5, 20])))
    shapes = [("EXECUTOR_OUTPUT", ["stream", "line"]), ("EXECUTOR_OUTPUT", ["line"]), ("USER_INPUT", ["prompt"]),
              ("EXECUTOR_PROGRESS", ["message", "step"]), ("MODEL_CHANGE", ["from", "to", "why"])]
    kind, keys = rng.choice(shapes)
    return kind, {key: text() for key in keys}


def test_random_tasks_render_the_same_bytes_as_validated_events(store: tuple[LogReader, str, str]) -> None:
    """300 random tasks of flat events (runs of one shape, values long and short, with tabs, wide characters,
    whitespace a line may end in, masking notes, bodies cut) at random widths: the stored-events view equals the
    validated view in colour and not, grouped and not, full and summary."""
    reader, session_id, task_id = store
    rng = random.Random(21)
    for _ in range(300):
        events = []
        for number in range(1, rng.randint(2, 25)):
            kind, content = _random_content(rng)
            masked = {"OPENAI_KEY": rng.randint(1, 3)} if rng.random() < 0.1 else None
            events.append(_event(number, kind, content, visibility=rng.choice(["full", "summary"]), masked=masked))
        _write(reader, session_id, task_id, events)
        fast, general = reader.read_task_for_view(session_id, task_id), reader.read_task(session_id, task_id)
        assert isinstance(fast, StoredTask)
        width = rng.randint(14, 130)
        for visibility in (Visibility.FULL, Visibility.SUMMARY):
            for grouped in (False, True):
                for color in (False, True):
                    made = [task_detail_renderable(log, visibility=visibility, grouped=grouped).to_text(width, color=color)
                            for log in (fast, general)]
                    assert made[0] == made[1], (width, color, events)


def _damaged() -> list[tuple[str, dict[str, Any], list[bytes]]]:
    """(what, changes to the snapshot, journal lines) of files the store did not write as they are."""
    good = _event(1, "EXECUTOR_OUTPUT", {"stream": "stdout", "line": "x"})
    second = {**good, "event_id": "evt-0002"}  # (the header is validated with the first event only)
    return [
        ("an event without a timestamp", {"events": [{k: v for k, v in good.items() if k != "timestamp"}]}, []),
        ("a timestamp of another form", {"events": [{**good, "timestamp": "2026-11-28 10:00:00"}]}, []),
        ("a timestamp with a line break", {"events": [{**good, "timestamp": STAMP.format(1, 1) + "\n"}]}, []),
        ("a later timestamp of the same length", {"events": [good, {**second, "timestamp": "2026-11-28 10:00:00.000Z"}]},
         []),
        ("a later timestamp of other digits", {"events": [good, {**second, "timestamp": "2026-11-28T10:00:0\u0661.000Z"}]},
         []),
        ("an unknown event type", {"events": [{**good, "event_type": "NOT_A_TYPE"}]}, []),
        # (event types and visibilities are checked where a run of equal ones starts: every change is one)
        ("a later unknown event type", {"events": [good, good, {**second, "event_type": "NOT_A_TYPE"}]}, []),
        ("a later unknown visibility", {"events": [good, {**second, "visibility": "secret"}]}, []),
        ("a later unhashable visibility", {"events": [good, {**second, "visibility": ["full"]}]}, []),
        ("a later run of an unknown event type", {"events": [good, *[{**second, "event_id": f"evt-{n:04}",
                                                                      "event_type": "NOT_A_TYPE"} for n in (2, 3, 4)]]},
         []),
        ("an unknown visibility", {"events": [{**good, "visibility": "secret"}]}, []),
        ("content that is a list", {"events": [{**good, "content": ["x"]}]}, []),
        ("an id that is a number", {"events": [{**good, "event_id": 7}]}, []),
        ("a count as text", {"events": [{**good, "masked": {"OPENAI_KEY": "1"}}]}, []),
        ("a count as a float", {"events": [{**good, "masked": {"OPENAI_KEY": 1.0}}]}, []),
        ("an extra field", {"events": [{**good, "extra": 1}]}, []),
        ("an event that is a list", {"events": [[1, 2]]}, []),
        ("no events", {"events": []}, []),
        ("an unhashable event type", {"events": [{**good, "event_type": ["X"]}]}, []),
        ("an unknown status", {"status": "finished", "events": [good]}, []),
        ("another task's id", {"task_id": "task-099", "events": [good]}, []),
        ("a journal line the models refuse", {"events": [good]}, [b'{"event_id": "evt-0002"}']),
        ("a journal line of another form", {"events": [good]}, [orjson.dumps({**good, "event_id": "evt-0002",
                                                                               "timestamp": "2026-11-28T10:00:00Z"})]),
        ("a journal line that is not an object", {"events": [good]}, [b"[1]"]),
        ("a journal line only the models read", {"events": [good]},
         [orjson.dumps({**good, "event_id": "evt-0002", "content": {"n": 0}}).replace(b"0}", b"NaN}")]),
    ]


@pytest.mark.parametrize(("what", "changes", "journal"), _damaged(), ids=[row[0] for row in _damaged()])
def test_a_file_not_in_stored_form_reads_exactly_as_the_general_read_does(
        store: tuple[LogReader, str, str], what: str, changes: dict[str, Any], journal: list[bytes]) -> None:
    """Damage of every kind: the view's read gives what `read_task` gives (the same CorruptedLog reason, or the
    same validated task), never a StoredTask."""
    reader, session_id, task_id = store
    snapshot = reader.paths.task_snapshot(session_id, task_id)
    document = {**orjson.loads(snapshot.read_bytes()), **changes}
    snapshot.write_bytes(orjson.dumps(document))
    reader.paths.task_journal(session_id, task_id).write_bytes(b"".join(line + b"\n" for line in journal))
    fast = reader.read_task_for_view(session_id, task_id)
    assert not isinstance(fast, StoredTask), what
    assert fast.model_dump_json() == reader.read_task(session_id, task_id).model_dump_json()  # (NaN != NaN)


def test_a_snapshot_that_is_not_json_is_reported_as_before(store: tuple[LogReader, str, str]) -> None:
    """Bytes that are not JSON: the same CorruptedLog as the general read, and the same one-line view."""
    reader, session_id, task_id = store
    reader.paths.task_snapshot(session_id, task_id).write_bytes(b'{"session_id": "sess-')
    fast = reader.read_task_for_view(session_id, task_id)
    assert isinstance(fast, CorruptedLog) and fast == reader.read_task(session_id, task_id)
    assert _views(fast)[0] == f"{task_id}: Log file corrupted ({fast.reason})\n"


def test_a_live_task_of_normal_mode_reads_as_the_general_read_does(tmp_path: Path) -> None:
    """A running task whose state is a journal line (before and after a checkpoint wrote its snapshot): the
    view's read gives what `read_task` gives, and the same view."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    session_id = manager.open_session(executor="shell").session_id
    task = manager.create_task("a live task")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    reader = LogReader(tmp_path)
    assert session_id is not None
    try:
        for count in (3, 300):
            for number in range(count):
                manager.add_event(task.task_id, _kind("EXECUTOR_OUTPUT"), {"stream": "stdout", "line": f"l{number}"})
            general = reader.read_task(session_id, task.task_id)
            fast = reader.read_task_for_view(session_id, task.task_id)
            assert isinstance(general, TaskLog) and general.status is TaskStatus.RUNNING
            assert _views(fast) == _views(general)
    finally:
        manager.close()


def test_stored_form_is_what_the_store_writes(store: tuple[LogReader, str, str]) -> None:
    """The manager's own files are in stored form, so a real task takes the fast read."""
    reader, session_id, task_id = store
    document = orjson.loads(reader.paths.task_snapshot(session_id, task_id).read_bytes())
    assert stored_form(document["events"])
    assert isinstance(reader.read_task_for_view(session_id, task_id), StoredTask)


def test_long_body_lines_wrapped_together_break_where_each_wrapped_alone_does() -> None:
    """3,000 random sets of long body lines (folded words, runs of spaces, non-ASCII): wrapping them all in one
    search gives what wrapping each line by itself gives, its pieces stripped at their ends without colour."""
    rng = random.Random(9)
    alphabets = ["ab ", "abc  ", "a ", "abcdefgh ", "x    ", "abcdefghijklmnopqrstu ", " ", "é ab"]
    for _ in range(3_000):
        room = rng.randint(1, 60)
        lines = ["".join(rng.choice(alphabet) for _ in range(rng.randint(room + 1, room + 200)))
                 for alphabet in (rng.choice(alphabets) for _ in range(rng.randint(1, 8)))]
        for color in (True, False):
            alone = [BREAK.join(piece if color else piece.rstrip() for piece in wrap(line, room)) for line in lines]
            assert wrapped_lines(lines, room, color) == alone, (room, lines, color)
