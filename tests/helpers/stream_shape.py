"""The shape of a JSON-lines agent stream, to compare a stream with recorded real ones.

A line's shape is its kind (`type`, plus `subtype`, a Codex item's type or a Gemini message's
role) and the set of its key paths with the JSON type at each leaf
(`message.usage.output_tokens:int`, `permission_denials[].tool_name:str`). Values never matter.
Maps whose keys are data rather than schema (`modelUsage` is keyed by model name) are read with
`*` for the key.

Two uses:
- fidelity: `shape_differences(ours, recorded)` — a real CLI against our fake model server must
  print the same kinds in the same order with the same keys as when it was recorded;
- honesty of fakes: `unknown_to(candidate, vocabulary_of(recorded streams))` — every kind and
  key path a fake agent prints must occur somewhere in the real streams.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

# Key paths (with `[]` for list elements) whose dict keys are names, not field names.
DATA_KEYED = frozenset({"modelUsage", "model_usage_since_last_result", "stats.models"})


@dataclass(frozen=True)
class LineShape:
    """The kind of one stream line and its typed key paths."""

    kind: str
    paths: frozenset[str]


Vocabulary = dict[str, set[str]]  # kind -> every typed key path seen on lines of that kind


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    names: dict[type, str] = {str: "str", list: "list", dict: "dict"}
    return names.get(type(value), type(value).__name__)


def line_kind(record: dict[str, object]) -> str:
    """`type`, refined by `subtype` (Claude), the item's type (Codex) or the role (Gemini)."""
    kind = str(record.get("type"))
    item = record.get("item")
    if isinstance(record.get("subtype"), str):
        kind += f"/{record['subtype']}"
    elif isinstance(item, dict) and isinstance(item.get("type"), str):
        kind += f":{item['type']}"
    elif isinstance(record.get("role"), str):
        kind += f":{record['role']}"
    return kind


def key_paths(value: object, prefix: str = "") -> set[str]:
    """Every `path:type` in a JSON value; containers contribute their own entry too."""
    paths = {f"{prefix}:{json_type(value)}"} if prefix else set()
    if isinstance(value, dict):
        wildcard = prefix in DATA_KEYED
        for key, child in value.items():
            name = "*" if wildcard else str(key)
            paths |= key_paths(child, f"{prefix}.{name}" if prefix else name)
    elif isinstance(value, list):
        for child in value:
            paths |= key_paths(child, f"{prefix}[]")
    return paths


def parse_lines(lines: Iterable[str]) -> list[dict[str, object]]:
    """The JSON objects of a stream; blank lines are skipped, anything else must be an object."""
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        record = json.loads(line)
        if not isinstance(record, dict):
            raise ValueError(f"line {number} is not a JSON object: {line[:80]!r}")
        records.append(record)
    return records


def line_shapes(lines: Iterable[str]) -> list[LineShape]:
    return [LineShape(line_kind(record), frozenset(key_paths(record))) for record in parse_lines(lines)]


def vocabulary_of(streams: Iterable[Iterable[str]]) -> Vocabulary:
    """The union of kinds and key paths over several streams."""
    vocabulary: Vocabulary = {}
    for lines in streams:
        for shape in line_shapes(lines):
            vocabulary.setdefault(shape.kind, set()).update(shape.paths)
    return vocabulary


def unknown_to(candidate: Iterable[str], reference: Vocabulary) -> list[str]:
    """What the candidate stream prints that never occurs in the reference, one line per finding."""
    findings: list[str] = []
    for number, shape in enumerate(line_shapes(candidate), 1):
        known = reference.get(shape.kind)
        if known is None:
            findings.append(f"line {number}: kind {shape.kind!r} never occurs in the recordings")
            continue
        findings += [f"line {number} ({shape.kind}): {path} never occurs in the recordings"
                     for path in sorted(shape.paths - known)]
    return findings


def shape_differences(ours: Iterable[str], recorded: Iterable[str]) -> list[str]:
    """Line-by-line differences of kinds and key paths; empty when the shapes are the same."""
    mine, theirs = line_shapes(ours), line_shapes(recorded)
    findings: list[str] = []
    if [s.kind for s in mine] != [s.kind for s in theirs]:
        findings.append(f"kinds differ: ours {[s.kind for s in mine]} recorded {[s.kind for s in theirs]}")
        return findings
    for number, (a, b) in enumerate(zip(mine, theirs, strict=True), 1):
        findings += [f"line {number} ({a.kind}): only ours has {path}" for path in sorted(a.paths - b.paths)]
        findings += [f"line {number} ({a.kind}): only the recording has {path}"
                     for path in sorted(b.paths - a.paths)]
    return findings
