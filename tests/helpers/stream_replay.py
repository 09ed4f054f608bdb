"""Replaying a recorded agent stream (tests/fixtures/streams/) through a parser, without a process.

A recording is `<scenario>.jsonl` (the CLI's stdout), `<scenario>.stderr.txt` and `<scenario>.meta.json`
(exit code, argv, version). `replay_claude` feeds the stdout lines to the Claude stream-json parser
the way the supervisor does, and returns the `ExecutorResult` plus every event the parse recorded,
as one JSON-ready document that `<scenario>.expected.json` pins.

Regenerate the expected documents (after a deliberate change, reviewed line by line) with
`python -m tests.helpers.stream_replay`.
"""

from __future__ import annotations

import dataclasses
import json
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from runner.executors.claude_code import result_from_stream
from runner.executors.claude_stream import StreamJsonParser
from runner.executors.streams import MAX_EVENT_CHARS, TAIL_LINES, OutputBudget
from runner.executors.supervised_run import RunEnd, SupervisedRun
from runner.logs.masking import mask_text
from tests.helpers.recording_sink import RecordingSink

STREAMS = Path(__file__).resolve().parents[1] / "fixtures" / "streams"


def recordings(agent: str) -> list[Path]:
    """Every recorded stdout of `agent` (all versions), as `<scenario>.jsonl` paths."""
    return sorted((STREAMS / agent).rglob("*.jsonl"), key=lambda p: str(p))


def stdout_lines(recording: Path) -> list[str]:
    """The lines a reader of the child's stdout sees: split on newlines, `\\r` dropped, no final empty piece."""
    text = recording.read_bytes().decode("utf-8", errors="replace")
    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()
    return [piece.removesuffix("\r") for piece in pieces]


def meta_of(recording: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(recording.with_suffix(".meta.json").read_text())
    return meta


def exited_run(recording: Path) -> SupervisedRun:
    """How the recorded child ended: its exit code and the masked tail of its stderr."""
    stderr = recording.with_suffix(".stderr.txt")
    lines = stderr.read_text(errors="replace").splitlines() if stderr.exists() else []
    tail = [mask_text(line)[:MAX_EVENT_CHARS] for line in lines][-TAIL_LINES:]
    return SupervisedRun(RunEnd.EXITED, exit_code=meta_of(recording)["exit_code"], stderr_tail=tail)


def plain(value: Any) -> Any:
    """A dataclass, enum, list or dict as plain JSON values."""
    if isinstance(value, BaseModel):
        return plain(value.model_dump())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def replay_claude(recording: Path) -> dict[str, Any]:
    """The result and the recorded events of a Claude stream-json recording."""
    sink = RecordingSink()
    budget = OutputBudget(sink)
    parser = StreamJsonParser(budget)
    paused = []
    for line in stdout_lines(recording):
        parser.on_line("stdout", line)
        paused.append(parser.progress_paused())
    stderr = recording.with_suffix(".stderr.txt")
    for line in stderr.read_text(errors="replace").splitlines() if stderr.exists() else []:
        parser.on_line("stderr", line)  # the parser reads stderr for notices only
    budget.close()
    result = result_from_stream(parser, exited_run(recording))
    return {
        "result": plain(result),
        "events": [[event_type.value, content] for event_type, content in sink.events],
        "progress_paused_after_each_line": paused,
    }


def expected_path(recording: Path) -> Path:
    return recording.with_suffix(".expected.json")


def write_expected(agent: str = "claude") -> list[Path]:
    written = []
    for recording in recordings(agent):
        target = expected_path(recording)
        target.write_text(json.dumps(replay_claude(recording), indent=2, ensure_ascii=False) + "\n")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_expected():
        print(path.relative_to(STREAMS))
