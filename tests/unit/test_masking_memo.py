"""The memo of short strings' masking results answers exactly what masking again would."""

from __future__ import annotations

import os

import pytest

from runner.logs import masking
from runner.logs.masking import (
    MASKING_ERROR,
    mask_obj,
    mask_text,
    mask_text_counted,
    memo,
    reset_env_secrets,
)
from runner.logs.masking import engine as mask_engine
from runner.logs.masking.engine import mask_text_counted as mask_without_memo

SECRET_VALUE = "memo-value-Zq8xW2vR5t"
SHORT_TEXTS = ["stdout", "line", "stream", "", "x", "ok", f"v={SECRET_VALUE}", "password=hunter2hunter2",
               "sk-ant-api03-Zq8xW2vR5tY7uI9oP1aS3dF6", "[MASKED:OPENAI_KEY]", "é" * 64]


pytestmark = pytest.mark.usefixtures("no_env_secrets")


def test_remembered_results_equal_masking_again() -> None:
    """Asked twice (the second answer from the memo), every short text masks as the engine masks it alone."""
    for text in SHORT_TEXTS:
        for _ in range(2):
            assert mask_text_counted(text) == mask_without_memo(text)
    assert memo.short_results()["stdout"][0] == "stdout"  # it was remembered


def test_a_new_env_value_is_masked_in_a_string_remembered_before() -> None:
    """After reset_env_secrets adds a value, a short string remembered in clear is masked at once."""
    text = f"v={SECRET_VALUE}"
    assert mask_text(text) == text
    assert mask_obj({"k": text}) == {"k": text}
    reset_env_secrets({"MEMO_API_TOKEN": SECRET_VALUE})
    assert mask_text(text) == "v=[MASKED:ENV_MEMO_API_TOKEN]"
    assert mask_obj({"k": text}) == {"k": "v=[MASKED:ENV_MEMO_API_TOKEN]"}
    reset_env_secrets({})
    assert mask_text(text) == text  # and the value removed again is no longer masked


def test_a_failure_is_never_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A masking that failed (MASKING_ERROR) is tried again on the next call, not answered from the memo."""
    class Broken:
        def scan(self, *_: object) -> None:
            raise RuntimeError("boom")
    with monkeypatch.context() as patch:
        patch.setattr(mask_engine, "prefilter", Broken)
        assert mask_text("plain words") == MASKING_ERROR
    assert mask_text("plain words") == "plain words"


def test_a_string_remembered_in_clear_fails_closed_when_masking_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken prefilter starts a new generation: a remembered answer is not served past it."""
    assert mask_text("stdout") == "stdout"
    class Broken:
        def scan(self, *_: object) -> None:
            raise RuntimeError("boom")
    monkeypatch.setattr(mask_engine, "prefilter", Broken)
    assert mask_text("stdout") == MASKING_ERROR


def test_the_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_ENTRIES different strings the memo starts over instead of growing."""
    monkeypatch.setattr(memo, "MAX_ENTRIES", 50)
    for number in range(200):
        mask_text(f"word {number}")
    assert 0 < len(memo.short_results()) <= 50


def test_longer_strings_and_str_subclasses_are_not_remembered() -> None:
    """Only exact `str` values of at most SHORT_CHARS characters are kept."""
    class Odd(str):
        pass
    long_text = "a" * (memo.SHORT_CHARS + 1)
    mask_text(long_text)
    mask_text(Odd("odd text"))
    kept = memo.short_results()
    assert long_text not in kept and "odd text" not in kept


def test_returned_counts_are_copies() -> None:
    """Changing the counts a call returned does not change what the next call answers."""
    text = "password=hunter2hunter2"
    first = mask_text_counted(text)[1]
    first["CHANGED"] = 5
    assert "CHANGED" not in mask_text_counted(text)[1]


def test_credential_keys_are_still_found_after_being_remembered() -> None:
    """is_credential_key keeps answering per key once its answers are cached."""
    for _ in range(2):
        assert masking.is_credential_key("api_key") and not masking.is_credential_key("stream")
        assert mask_obj({"api_key": "abc", "stream": "stdout"}) == {
            "api_key": "[MASKED:JSON_CREDENTIAL]", "stream": "stdout"}


def test_the_engine_setting_is_followed_at_every_change_of_os_environ() -> None:
    """Setting, changing and removing PM_RUNNER_MASKING_ENGINE through os.environ changes the prefilter in use at
    the very next masking (the setting is read on every call, through os.environ's own dict), and the memo is
    emptied for each new engine."""
    before = os.environ.pop(mask_engine.ENGINE_ENV, None)
    try:
        best = mask_engine.prefilter().name
        assert mask_text("stdout") == "stdout"
        for name in ["python", best, "python", "no-such-engine"]:
            os.environ[mask_engine.ENGINE_ENV] = name
            assert mask_engine.prefilter().name == (name if name != "no-such-engine" else best)
            assert memo.short_results() == {}  # a new generation: nothing remembered under the other engine
            assert mask_text("stdout") == "stdout"
        del os.environ[mask_engine.ENGINE_ENV]
        assert mask_engine.prefilter().name == best
    finally:
        os.environ.pop(mask_engine.ENGINE_ENV, None)
        if before is not None:
            os.environ[mask_engine.ENGINE_ENV] = before
