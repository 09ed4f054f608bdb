"""The stream-shape helper finds every difference of kind, key or type, and nothing else."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from tests.helpers.recorded_streams import STREAMS, all_stdout, recording, scenarios
from tests.helpers.stream_shape import (
    key_paths,
    line_kind,
    shape_differences,
    unknown_to,
    vocabulary_of,
)

RESULT = {"type": "result", "subtype": "success", "is_error": False, "api_error_status": None,
          "usage": {"input_tokens": 3}, "modelUsage": {"claude-opus-4-8[1m]": {"inputTokens": 3}},
          "permission_denials": [{"tool_name": "Write"}]}


def dumps(*records: Mapping[str, object]) -> list[str]:
    return [json.dumps(record) for record in records]


def test_key_paths_carry_types_and_list_elements() -> None:
    """Leaves carry their JSON type, list elements use `[]`, and null differs from int."""
    paths = key_paths(RESULT)
    assert {"is_error:bool", "api_error_status:null", "usage.input_tokens:int",
            "permission_denials:list", "permission_denials[].tool_name:str"} <= paths


def test_model_keyed_maps_are_read_with_a_wildcard() -> None:
    """`modelUsage` keys are model names, so two models give the same shape."""
    other = {**RESULT, "modelUsage": {"claude-sonnet-4-5": {"inputTokens": 9}}}
    assert key_paths(other) == key_paths(RESULT)
    assert "modelUsage.*.inputTokens:int" in key_paths(RESULT)


def test_kinds_distinguish_subtypes_items_and_roles() -> None:
    """Claude subtypes, Codex item types and Gemini roles each make their own kind."""
    assert line_kind({"type": "system", "subtype": "api_retry"}) == "system/api_retry"
    assert line_kind({"type": "item.completed", "item": {"type": "file_change"}}) == "item.completed:file_change"
    assert line_kind({"type": "message", "role": "assistant"}) == "message:assistant"
    assert line_kind({"type": "turn.started"}) == "turn.started"


def test_same_shape_with_other_values_has_no_difference() -> None:
    """Ids, texts and numbers may differ freely."""
    changed = {**RESULT, "usage": {"input_tokens": 99}}
    assert shape_differences(dumps(changed), dumps(RESULT)) == []


@pytest.mark.parametrize(("changed", "expected"), [
    ({**RESULT, "extra": 1}, "only ours has extra:int"),
    ({key: value for key, value in RESULT.items() if key != "is_error"}, "only the recording has is_error:bool"),
    ({**RESULT, "api_error_status": "500"}, "only ours has api_error_status:str"),
])
def test_an_added_missing_or_retyped_key_is_a_difference(changed: dict[str, object], expected: str) -> None:
    """A key only one side has, or the same key with another type, is reported by path."""
    findings = shape_differences(dumps(changed), dumps(RESULT))
    assert any(expected in finding for finding in findings), findings


def test_kinds_in_another_order_are_a_difference() -> None:
    """The sequence of line kinds must match, not just the set."""
    init = {"type": "system", "subtype": "init"}
    assert shape_differences(dumps(RESULT, init), dumps(init, RESULT))


def test_unknown_to_names_kinds_and_keys_missing_from_the_reference() -> None:
    """A kind or key the reference never printed is a finding; a known one is not."""
    reference = vocabulary_of([dumps(RESULT)])
    assert unknown_to(dumps(RESULT), reference) == []
    findings = unknown_to(dumps({"type": "progress"}, {**RESULT, "cost_usd": 0.1}), reference)
    assert findings == ["line 1: kind 'progress' never occurs in the recordings",
                        "line 2 (result/success): cost_usd:float never occurs in the recordings"]


def test_every_recorded_stream_parses_and_has_its_meta() -> None:
    """The recordings are JSON-lines objects, each with argv, exit code, files and model calls."""
    folders = ["claude", "claude/2.1.332", "codex", "gemini"]
    assert all(scenarios(folder) for folder in folders)
    for folder in folders:
        for name in scenarios(folder):
            recorded = recording(folder, name)
            assert recorded.argv and isinstance(recorded.exit_code, int), (folder, name)
            assert isinstance(recorded.meta["files_in_project_after"], list)
            recorded.records()
    assert len(all_stdout("claude")) == len(list(STREAMS.joinpath("claude").rglob("*.jsonl")))
