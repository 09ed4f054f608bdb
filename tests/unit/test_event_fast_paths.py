"""An output event's shortcuts store exactly what the general path stores: content, masks, the event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.sample_data import output_lines
from runner.logs import outcome
from runner.logs.manager import Durability, TaskLogManager, TaskOutcome
from runner.logs.masking import mask_text, mask_texts, reset_env_secrets
from runner.logs.models import EventType, ExecutorInfo, LogEvent, TaskStatus, Visibility
from runner.logs.outcome import clean_content, masked_counts

ENV_VALUE = "stdout-but-secret-7f3a9c"
KEY_SECRET = "sk-ant-api03-Zq8xW2vR5tY7uI9oP1aS3dF6"


@pytest.fixture
def env_secret() -> Iterator[None]:
    """One exact env value in the masking table (and none of the machine's own)."""
    reset_env_secrets({"MY_SERVICE_TOKEN": ENV_VALUE})
    yield
    reset_env_secrets()


def _contents() -> list[object]:
    lines = output_lines(300, seed=11)
    plain: list[object] = [{"stream": "stdout", "line": line} for line in lines]
    odd: list[object] = [
        {}, {"stream": "stderr", "line": ""},
        {"stream": "stdout", "line": "x" * 5000},  # cut at max_bytes below
        {"stream": "stdout", "line": "é" * 400},  # cut inside multi-byte characters
        {"stream": "stdout", "line": f"token={ENV_VALUE} and {KEY_SECRET}"},
        {"line": ENV_VALUE},  # a short value that is a secret
        {ENV_VALUE: "a key that is a secret"},  # masked key: the general path
        {KEY_SECRET: "x", "[MASKED:ANTHROPIC_KEY]": "y"},  # keys colliding once masked
        {"password": "hunter22"}, {"apiKey": "abc"},  # credential keys: the value is hidden whole
        {"stream": "stdout", "line": "bad \udcff byte"},  # lone surrogate: replaced by the round trip
        {"line": 3}, {"line": None}, {"line": ["a", KEY_SECRET]}, {"nested": {"line": KEY_SECRET}},
        {f"k{number}": "v" for number in range(outcome.FLAT_FIELDS + 1)},
        {"text": "[MASKED:OPENAI_KEY] already masked upstream"},
        "not a dict", ["a list"],
    ]
    return plain + odd


def test_clean_content_equals_the_general_walk(env_secret: None) -> None:
    """For every content shape, the stored content and its mask counts are the general path's."""
    fast_taken = 0
    for content in _contents():
        fast = outcome._clean_flat(content, 1000)
        general = outcome._clean_any(content, 1000)
        assert clean_content(content, 1000) == general  # type: ignore[arg-type]
        assert masked_counts(clean_content(content, 1000)) == masked_counts(general)  # type: ignore[arg-type]
        if fast is not None:
            fast_taken += 1
            assert fast == general
            assert list(fast) == list(general)  # the same key order, so the same JSON line
    assert fast_taken >= 300  # every plain output line took the shortcut


@pytest.mark.parametrize("content", [
    {ENV_VALUE: "v"}, {"password": "v"}, {"line": "bad \udcff"}, {"line": 1},
    {f"k{n}": "v" for n in range(outcome.FLAT_FIELDS + 1)},
])
def test_the_shortcut_declines_what_it_cannot_answer_exactly(env_secret: None, content: dict[str, object]) -> None:
    """Masked or credential keys, lone surrogates, other types and large dicts go the general way."""
    assert outcome._clean_flat(content, 1000) is None


def test_mask_texts_equals_mask_text_one_by_one(env_secret: None) -> None:
    """mask_texts is mask_text applied to each string, short and long, secrets included."""
    texts = [*output_lines(200, seed=5), "", "stdout", ENV_VALUE, KEY_SECRET, "y" * 70 + ENV_VALUE]
    assert mask_texts(texts) == [mask_text(text) for text in texts]
    assert ENV_VALUE not in "".join(mask_texts(texts))


def test_an_event_made_here_equals_a_validated_one() -> None:
    """LogEvent.made_here gives the same model (fields, fields set, dump, copy) as LogEvent(...)."""
    for masked in ({}, {"OPENAI_KEY": 2}):
        fields = {"event_id": "evt-0042", "event_type": EventType.EXECUTOR_OUTPUT,
                  "timestamp": "2026-11-28T11:30:00.123Z", "visibility": Visibility.FULL,
                  "content": {"stream": "stdout", "line": "hello"}, "masked": masked}
        made = LogEvent.made_here(**fields)  # type: ignore[arg-type]
        validated = LogEvent(**fields)  # type: ignore[arg-type]
        assert made == validated
        assert made.model_fields_set == validated.model_fields_set
        assert made.model_dump(mode="json") == validated.model_dump(mode="json")
        assert made.model_copy(deep=True) == validated
        assert made.model_fields_set is not LogEvent.made_here(**fields).model_fields_set  # type: ignore[arg-type]


def test_add_event_records_what_it_was_given_masked(tmp_path: Path, env_secret: None) -> None:
    """Events added through the shortcuts read back from disk masked, typed and in order."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL)
    manager.open_session(executor="shell")
    task = manager.create_task("stream output")
    manager.start_task(task.task_id, executor=ExecutorInfo(name="shell"), verification_root=str(tmp_path))
    lines = [f"line {number}" for number in range(3)] + [f"the key is {KEY_SECRET}", f"env {ENV_VALUE}"]
    for line in lines:
        manager.add_event(task.task_id, EventType.EXECUTOR_OUTPUT, {"stream": "stdout", "line": line})
    manager.add_event(task.task_id, "EXECUTOR_OUTPUT", {"line": "by name"},  # type: ignore[arg-type]
                      visibility="summary")  # type: ignore[arg-type]
    manager.finish_task(task.task_id, TaskOutcome(status=TaskStatus.COMPLETE))
    session_id = manager.session_id
    manager.close()
    assert session_id is not None
    reader = TaskLogManager(tmp_path)
    reader.continue_session(session_id)
    events = [e for e in reader.get_task(task.task_id).events if e.event_type is EventType.EXECUTOR_OUTPUT]
    reader.close()
    assert [e.content["line"] for e in events[:3]] == lines[:3]
    assert KEY_SECRET not in events[3].content["line"] and events[3].masked == {"ANTHROPIC_KEY": 1}
    assert ENV_VALUE not in events[4].content["line"] and events[4].masked == {"ENV_MY_SERVICE_TOKEN": 1}
    assert events[5].visibility is Visibility.SUMMARY and events[5].event_type is EventType.EXECUTOR_OUTPUT


@pytest.mark.parametrize("prompt", [
    "fix the failing test", f"deploy with {KEY_SECRET} please", f"use {ENV_VALUE}", "é" * 300 + KEY_SECRET,
    "x" * 3000,
])
def test_the_input_event_holds_what_clean_content_gives(tmp_path: Path, env_secret: None, prompt: str) -> None:
    """The queued task's input event stores clean_content of the masked prompt (masked once, cut, scrubbed)."""
    manager = TaskLogManager(tmp_path, durability=Durability.NORMAL, max_event_bytes=1000)
    manager.open_session(executor="shell")
    task = manager.create_task(prompt)
    manager.close()
    assert task.events[0].content == clean_content({"prompt": mask_text(prompt)}, 1000)
    assert task.events[0].masked == masked_counts(task.events[0].content)
