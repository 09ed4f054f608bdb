"""Display masking in batches: a view's values masked in a few passes give exactly what masking each
value alone gives, and widths measured on the fast path are the widths measured character by character."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import orjson
import pytest

from runner.logs.masking import MASKING_ERROR, mask_text, reset_env_secrets
from runner.logs.models import TaskLogEntry, TaskStatus
from runner.logs.store import indexes
from runner.views import safe_text
from runner.views.plain import (
    _NOT_ONE_CELL,
    _ONE_CELL,
    _char_cells,
    _wrap_line,
    ascii_wrap,
    cell_len,
)
from runner.views.rows import IndexRow, rows_or_none
from runner.views.safe_text import SafeStrings, safe_str
from runner.views.task_list import task_list_json
from tests.helpers.secret_samples import MAKERS

SESSION = "sess-20260112-001"
PLAIN = ["add type hints to src/app/module_001.py", "claude-code", "sonnet", "complete", "", " ", "task-001",
         "task-1795838578301", "2026-11-28T04:02:58.301Z", "thr-001", "run-001", "task-001x", "sess-20261128-001",
         "colour \x1b[31mred\x1b[0m and a bell \x07", "bidi \u202e reversed", "a\rcarriage", "two\nlines",
         "password:", "hunter2-but-longer", "token = ", "ghp_" + "a" * 36, "wide \u6f22\u5b57 text",
         "-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA" * 4, "-----END RSA PRIVATE KEY-----"]


@pytest.fixture(autouse=True)
def env_secret() -> Iterator[None]:
    """One sensitive environment value, so the exact-value layer takes part too."""
    reset_env_secrets({"DEPLOY_TOKEN": "s3cr3t-deploy-value-123"})
    yield
    reset_env_secrets()


def _values(seed: int) -> list[str]:
    """Plain values, planted secrets of every rule, escapes and line breaks, shuffled."""
    rng = random.Random(seed)
    secrets = [maker(rng)[0] for makers in MAKERS.values() for maker in makers]
    mixed = [f"use {text} now" for text in secrets[:40]] + ["deploy with s3cr3t-deploy-value-123"]
    values = PLAIN + secrets + mixed + [f"fix module {n}" for n in range(300)]
    rng.shuffle(values)
    return values


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prepared_values_are_shown_exactly_as_each_masked_alone(seed: int) -> None:
    """Every value a prepared `SafeStrings` shows equals `safe_str` of it, secrets and escapes included."""
    values = _values(seed)
    shown = SafeStrings()
    shown.prepare(values)
    assert [shown(value) for value in values] == [safe_str(value) for value in values]
    assert shown.changed == {value for value in values if safe_str(value) != value}


def test_small_batches_agree_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cut into many small passes (values of neighbouring passes never meet), the result is the same."""
    monkeypatch.setattr(safe_text, "MASK_BATCH_CHARS", 64)
    values = _values(4)
    shown = SafeStrings()
    shown.prepare(values)
    assert [shown(value) for value in values] == [safe_str(value) for value in values]


def test_a_value_after_its_name_on_the_previous_line_is_masked_alone() -> None:
    """A name and its value in two neighbouring values: a batch pass may join them, but each is shown as alone."""
    values = ["token: |", "  abcdefghijklmnopqrstuvwx12345", "password: |", "  correcthorsebatterystaple9"]
    assert mask_text("\n".join(values[:2])) != "\n".join(map(mask_text, values[:2]))  # joined, they mask each other
    shown = SafeStrings()
    shown.prepare(values)
    assert [shown(value) for value in values] == [safe_str(value) for value in values]


def test_a_failing_masker_hides_every_prepared_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """When masking raises, no prepared value is shown as it is: each gets the masking-error marker."""
    def broken(_: str) -> str:
        raise RuntimeError("masker broke")

    monkeypatch.setattr(safe_text, "mask_text", broken)
    shown = SafeStrings()
    shown.prepare(["free text", "more free text", "a third one"])
    assert [shown(value) for value in ["free text", "more free text", "a third one"]] == [MASKING_ERROR] * 3


def test_masking_a_batch_costs_one_call_per_pass_not_per_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of plain values take one masking call, and ids and timestamps none."""
    calls: list[str] = []
    real = safe_text.mask_text

    def counting(text: str) -> str:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(safe_text, "mask_text", counting)
    values = [f"refactor module {n}" for n in range(5000)] + [f"task-{n:03d}" for n in range(1, 5000)]
    SafeStrings().prepare(values)
    assert len(calls) == 1 and "task-001" not in calls[0]


def test_the_one_cell_class_holds_only_characters_one_cell_wide() -> None:
    """Every character the fast width path counts as one cell is one cell by the character-wise rule."""
    inside = re.compile(f"[{_ONE_CELL}]")
    wrong = [hex(code) for code in range(0x3000) if inside.fullmatch(chr(code)) and _char_cells(chr(code)) != 1]
    assert wrong == []


@pytest.mark.parametrize("text", ["├─ task-001 COMPLETE → done", "└─ módulo ñ …", "\u6f22\u5b57 guide │",
                                  "soft\u00adhyphen", "e\u0301 combining", "zero\u200bwidth", "plain ascii"])
def test_fast_widths_match_the_character_wise_count(text: str) -> None:
    """`cell_len` gives the character-by-character count whichever path it takes."""
    assert cell_len(text) == sum(_char_cells(char) for char in text)
    assert (_NOT_ONE_CELL.search(text) is None) == all(_char_cells(char) == 1 for char in text if not char.isascii())


def _stored_and_models(prompts: list[str]) -> tuple[list[IndexRow], list[TaskLogEntry]]:
    entries = [TaskLogEntry(task_id=f"task-{n:03d}", external_task_id=f"task-{1_800_000_000_000 + n}",
                            thread_id="thr-001", run_id="run-001", status=TaskStatus.COMPLETE,
                            started_at="2026-01-12T10:00:00.000Z", updated_at="2026-01-12T10:00:01.000Z",
                            prompt_summary=prompt, executor="claude-code", model="sonnet")
               for n, prompt in enumerate(prompts, start=1)]
    rows = rows_or_none([orjson.loads(indexes.entry_bytes(entry)) for entry in entries])
    assert rows is not None
    return rows, entries


def test_stored_rows_with_secrets_and_escapes_give_the_json_of_the_models() -> None:
    """Rows needing masking or neutralising skip the as-stored shortcut: their JSON is the models' JSON, made safe."""
    secret = "ghp_" + "Ab3" * 12
    rows, entries = _stored_and_models(["plain prompt", f"push with {secret}", "red \x1b[31m text", "plain prompt"])
    listed = task_list_json(SESSION, rows)
    assert listed == task_list_json(SESSION, entries)
    text = orjson.dumps(listed).decode()
    assert secret not in text and "\x1b" not in text and "[MASKED:" in text


def test_an_unknown_stored_field_is_left_out_of_the_json() -> None:
    """A field this version does not know is dropped from the JSON rows, as the models drop it."""
    rows, entries = _stored_and_models(["one", "two"])
    rows[0].raw["from_the_future"] = "x"
    assert task_list_json(SESSION, rows) == task_list_json(SESSION, entries)


def test_wrapping_plain_ascii_a_line_at_a_time_matches_wrapping_word_by_word() -> None:
    """The printable-ASCII wrap (a line at a time) breaks exactly where the word-by-word wrap does."""
    rng = random.Random(11)
    for _ in range(20_000):
        alphabet = rng.choice(["ab ", "abc  ", "a ", "abcdefgh ", "x    "])
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 200)))
        width = rng.randint(1, 60)
        if len(line) > width:
            assert ascii_wrap(line, width) == _wrap_line(line, width), (line, width)
