"""Hostile logged content through every view: escapes neutralised, markup literal, secrets masked.

The TaskLog here is written by hand, bypassing the save-time masker, the way a tampered or
pre-masking log file would arrive; display-time masking and neutralisation must still hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import RenderableType

import runner.views.safe_text as safe_text_module
from runner.logs.masking import MASKING_ERROR
from runner.logs.models import (
    DeniedToolEntry,
    ErrorCode,
    EventType,
    ExecutorInfo,
    TaskLog,
    TaskLogEntry,
    TaskStatus,
    Visibility,
)
from runner.views.render import render_to_text
from runner.views.repl_views import summary_block, tasks_renderable
from runner.views.safe_text import neutralise, safe_json, safe_str, safe_text
from runner.views.task_detail import task_detail_json, task_detail_renderable
from runner.views.task_list import task_list_json, task_list_renderable
from runner.views.tree import tree_json, tree_renderable
from tests.helpers.cpu_time import best_cpu_time
from tests.helpers.sample_logs import SESSION_ID, entry_from_log, make_event, make_log

OSC_TITLE = "\x1b]0;pwned\x07"
OSC_LINK = "\x1b]8;;https://evil.example/x\x1b\\click\x1b]8;;\x1b\\"
OSC_CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
CLEAR = "\x1b[2J"
BEL = "\x07"
C1_CSI = "\x9b31m"
MARKUP = "[bold]x[/]"
LINK_MARKUP = "[link=https://evil]x[/link]"
HOSTILE = " ".join(
    [
        OSC_TITLE,
        OSC_LINK,
        OSC_CLIPBOARD,
        CLEAR,
        BEL,
        C1_CSI,
        MARKUP,
        LINK_MARKUP,
        "\x1bP1$r0m\x1b\\",
        "\u202egnp.exe",
        "back\x08\rspace",
    ]
)

OPENAI_KEY = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_Q7r-S0tUv3wXy6zAb9cDe2fGh5iJk8l"
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
SECRETS = (OPENAI_KEY, GITHUB_TOKEN)

# Escaped forms that must be visible instead of the sequences themselves.
VISIBLE = (
    "\\x1b]0;pwned\\x07",
    "\\x1b]52;c;ZXZpbA==\\x07",
    "\\x1b[2J",
    "\\x9b31m",
    "\\x1b]8;;https://evil.example/x\\x1b\\click",
    "\\u202egnp.exe",
    "back\\x08\\x0dspace",
)
SGR = re.compile(r"\x1b\[[0-9;]*m")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
WIDE = 600  # wide enough that nothing wraps, so a substring check sees whole values


def hostile_log() -> TaskLog:
    """A failed task whose every kind of string field carries hostile text and secrets."""
    events = [
        make_event(
            1, EventType.USER_INPUT, "11:30:00.000", prompt=f"deploy {HOSTILE} with {GITHUB_TOKEN}"
        ),
        make_event(
            2, EventType.EXECUTOR_START, "11:30:01.000", command=f"agent --key {OPENAI_KEY} {CLEAR}"
        ),
        make_event(
            3,
            EventType.EXECUTOR_OUTPUT,
            "11:30:02.000",
            text=f"{HOSTILE}\nkey={OPENAI_KEY}",
            **{f"field{OSC_TITLE}": [HOSTILE, GITHUB_TOKEN], "nested": {"k": HOSTILE}},
        ),
        make_event(4, EventType.MEDIATION_OUTPUT, "11:30:03.000", text=f"{MARKUP} {LINK_MARKUP}"),
        make_event(5, EventType.TASK_ERROR, "11:30:04.000", reason=f"{HOSTILE} {OPENAI_KEY}"),
    ]
    return make_log(
        1,
        events,
        status=TaskStatus.ERROR,
        error_code=ErrorCode.EXECUTOR_FAILED,
        prompt_summary=f"{OSC_TITLE}{CLEAR}{MARKUP} {GITHUB_TOKEN}",
        error_reason=f"failed: {HOSTILE} {GITHUB_TOKEN}",
        executor=ExecutorInfo(name=f"agent{OSC_CLIPBOARD}", model=f"m{C1_CSI}"),
        denied_tools=[DeniedToolEntry(tool=f"Bash{BEL}", target=f"{HOSTILE} {MARKUP}")],
    )


def hostile_entries() -> list[TaskLogEntry]:
    """The hostile task's index row plus a hand-edited row whose ids themselves are hostile."""
    entry = entry_from_log(hostile_log())
    forged = entry.model_copy(
        update={
            "task_id": f"task-002{OSC_TITLE}",
            "external_task_id": f"task-1{CLEAR}",
            "thread_id": f"thr-002{BEL}",
            "run_id": f"run-002{C1_CSI}",
            "prompt_summary": HOSTILE,
            "status": TaskStatus.COMPLETE,
            "error_reason": None,
            "executor": MARKUP,
        }
    )
    return [entry, forged]


def rendered_views(color: bool) -> dict[str, str]:
    """Every text view of the hostile session, rendered wide."""
    log, entries = hostile_log(), hostile_entries()
    renderables: dict[str, RenderableType] = {
        "list": task_list_renderable(
            SESSION_ID, entries, running_task_id=entries[1].task_id, note=f"note {HOSTILE}"
        ),
        "detail-summary": task_detail_renderable(log, visibility=Visibility.SUMMARY),
        "detail-full": task_detail_renderable(log, visibility=Visibility.FULL),
        "tree-summary": tree_renderable(SESSION_ID, entries, visibility=Visibility.SUMMARY),
        "tree-full": tree_renderable(SESSION_ID, entries, visibility=Visibility.FULL),
        "tasks": tasks_renderable(entries),
    }
    views = {name: render_to_text(r, width=WIDE, color=color) for name, r in renderables.items()}
    views["summary-block"] = "\n".join(summary_block(log))
    return views


def json_views() -> dict[str, dict[str, Any]]:
    """Every JSON document of the hostile session."""
    log, entries = hostile_log(), hostile_entries()
    return {
        "list": task_list_json(SESSION_ID, entries),
        "detail-summary": task_detail_json(log, visibility=Visibility.SUMMARY),
        "detail-full": task_detail_json(log, visibility=Visibility.FULL),
        "tree": tree_json(SESSION_ID, entries, visibility=Visibility.FULL),
    }


def assert_terminal_safe(text: str, *, color: bool) -> None:
    """Only our own SGR colour codes may carry an ESC; no other control character gets through."""
    if not color:
        assert "\x1b" not in text
    stripped = SGR.sub("", text)
    assert "\x1b" not in stripped, repr(stripped[:200])
    assert UNSAFE.search(stripped) is None, repr(UNSAFE.search(stripped))


# -- safe_str and friends ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (CLEAR, "\\x1b[2J"),
        (OSC_TITLE, "\\x1b]0;pwned\\x07"),
        (OSC_CLIPBOARD, "\\x1b]52;c;ZXZpbA==\\x07"),
        (OSC_LINK, "\\x1b]8;;https://evil.example/x\\x1b\\click\\x1b]8;;\\x1b\\"),
        ("\x1bP1$r0m\x1b\\", "\\x1bP1$r0m\\x1b\\"),
        ("\x1b_apc\x1b\\", "\\x1b_apc\\x1b\\"),
        ("\x1bc", "\\x1bc"),
        (C1_CSI, "\\x9b31m"),
        ("\x9d0;t\x9c", "\\x9d0;t\\x9c"),
        ("a\x00b\x7fc", "a\\x00b\\x7fc"),
        ("cr\rbs\x08", "cr\\x0dbs\\x08"),
        ("\u202eevil\u202c \u2066x\u2069", "\\u202eevil\\u202c \\u2066x\\u2069"),
        ("line\u2028sep", "line\\u2028sep"),
        ("lone \udcff", "lone \\udcff"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("plain [bold]text[/] ünïcödé 漢字", "plain [bold]text[/] ünïcödé 漢字"),
    ],
)
def test_safe_str_shows_controls_escaped(raw: str, shown: str) -> None:
    """Every control character and escape sequence is shown as visible text; tab, newline and text stay."""
    assert safe_str(raw) == shown


def test_safe_str_accepts_any_value() -> None:
    """Non-strings are shown through `str`, made safe the same way."""
    assert safe_str(42) == "42"
    assert safe_str(ValueError("bad\x1b[2J")) == "bad\\x1b[2J"


def test_safe_text_is_never_markup() -> None:
    """`safe_text` keeps rich markup as literal characters with only the style we pass."""
    text = safe_text(f"{MARKUP} {LINK_MARKUP}", style="red")
    assert text.plain == f"{MARKUP} {LINK_MARKUP}"
    assert text.spans == [] and str(text.style) == "red"


@given(st.text())
def test_neutralised_text_never_holds_an_unsafe_character(text: str) -> None:
    """Whatever the input, the output has no control, bidi or surrogate character and encodes as UTF-8."""
    shown = neutralise(text)
    assert UNSAFE.search(shown) is None
    shown.encode("utf-8")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))))
def test_neutralise_leaves_ordinary_text_alone(text: str) -> None:
    """Text without control or format characters is shown exactly as written."""
    assert neutralise(text) == text


def test_safe_json_changes_only_string_leaves() -> None:
    """`safe_json` keeps the structure (keys, list lengths, numbers, booleans, null)."""
    document = {"a\x1b": [1, 2.5, True, None, "x\x07"], "b": {"c": ("y\x9b", 3)}}
    assert safe_json(document) == {
        "a\\x1b": [1, 2.5, True, None, "x\\x07"],
        "b": {"c": ["y\\x9b", 3]},
    }


# -- every view, hostile content -----------------------------------------------------------


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_views_let_no_escape_sequence_through(color: bool) -> None:
    """List, detail, tree, /tasks and the result block hold no ESC, BEL, C1 or bidi control of the log's."""
    for name, text in rendered_views(color).items():
        try:
            assert_terminal_safe(text, color=color)
        except AssertionError as error:
            raise AssertionError(f"view {name}: {error}") from error
        assert "\x1b]" not in text and CLEAR not in text and BEL not in text


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_views_show_escapes_and_markup_literally(color: bool) -> None:
    """The neutralised sequences and rich markup are visible as plain characters in detail and tree."""
    views = rendered_views(color)
    detail = SGR.sub("", views["detail-full"])
    for visible in VISIBLE:
        assert visible in detail, visible
    # The tree cuts prompts to 100 characters; the start of the forged row's prompt is there.
    assert '"\\x1b]0;pwned\\x07 \\x1b]8;;https://evil.example/x' in SGR.sub("", views["tree-full"])
    assert MARKUP in detail and LINK_MARKUP in detail
    assert MARKUP in SGR.sub("", views["list"])  # the forged row's executor column


def test_colour_codes_are_only_our_styles() -> None:
    """With colour on, every SGR code present is one of the styles the views define."""
    ours = {
        "\x1b[0m",
        "\x1b[1m",
        "\x1b[2m",
        "\x1b[31m",
        "\x1b[32m",
        "\x1b[33m",
        "\x1b[36m",
        "\x1b[1;31m",
        "\x1b[1;32m",
        "\x1b[1;33m",
        "\x1b[1;36m",
        "\x1b[2;33m",
    }
    for name, text in rendered_views(color=True).items():
        unexpected = set(SGR.findall(text)) - ours
        assert not unexpected, (name, unexpected)


def test_json_documents_keep_structure_and_hold_no_control_character() -> None:
    """JSON views parse, keep their keys and types, and hold no raw or JSON-escaped control character."""
    for name, document in json_views().items():
        encoded = json.dumps(document, ensure_ascii=False)
        assert "\\u001b" not in encoded and "\\u0007" not in encoded, name
        assert UNSAFE.search(encoded) is None, name
        assert json.loads(encoded) == document
    detail = json_views()["detail-full"]
    assert set(detail) == set(TaskLog.model_fields) | {"hidden_events", "schema_version"}
    output = detail["events"][2]["content"]
    assert isinstance(output["nested"], dict) and isinstance(output["nested"]["k"], str)
    assert isinstance(output["field\\x1b]0;pwned\\x07"], list)
    assert len(output["field\\x1b]0;pwned\\x07"]) == 2
    assert TaskLog.model_validate(detail).status is TaskStatus.ERROR
    listed = json_views()["list"]
    assert [type(row["files_modified_count"]) for row in listed["tasks"]] == [int, int]
    assert listed["tasks"][1]["task_id"] == "task-002\\x1b]0;pwned\\x07"


# -- secrets (need the real masker in runner.logs.masking) ---------------------------------


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_secrets_written_by_hand_are_masked_in_every_view(color: bool) -> None:
    """A secret that bypassed save-time masking is masked on display in every text view."""
    for name, text in rendered_views(color).items():
        for secret in SECRETS:
            assert secret[:12] not in text and secret[-12:] not in text, (name, secret[:8])
    assert "[MASKED" in rendered_views(color)["detail-full"]


def test_secrets_written_by_hand_are_masked_in_json() -> None:
    """A secret that bypassed save-time masking is masked in every JSON document."""
    for name, document in json_views().items():
        encoded = json.dumps(document)
        for secret in SECRETS:
            assert secret[:12] not in encoded and secret[-12:] not in encoded, (name, secret[:8])


# -- the masking gate itself, with a stand-in masker ---------------------------------------

CANARY = "CANARY-7f3a9c"


def fake_mask_text(text: str) -> str:
    """A stand-in masker that knows one secret."""
    return text.replace(CANARY, "[MASKED:CANARY]")


def fake_mask_obj(obj: Any) -> Any:
    """The stand-in masker over structures."""
    if isinstance(obj, str):
        return fake_mask_text(obj)
    if isinstance(obj, dict):
        return {fake_mask_text(k): fake_mask_obj(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [fake_mask_obj(item) for item in obj]
    return obj


def canary_log() -> TaskLog:
    """A task carrying the canary in its prompt, content, key, error reason and executor."""
    events = [
        make_event(1, EventType.USER_INPUT, "11:30:00.000", prompt=f"use {CANARY}"),
        make_event(2, EventType.EXECUTOR_OUTPUT, "11:30:01.000", **{f"k{CANARY}": CANARY}),
        make_event(3, EventType.TASK_ERROR, "11:30:02.000", reason=CANARY),
    ]
    return make_log(
        1,
        events,
        status=TaskStatus.ERROR,
        error_code=ErrorCode.EXECUTOR_FAILED,
        error_reason=f"because {CANARY}",
        prompt_summary=f"use {CANARY}",
        executor=ExecutorInfo(name="agent", model=CANARY),
    )


def all_outputs(log: TaskLog) -> list[str]:
    """Every text and JSON output the views produce for one task."""
    entries = [entry_from_log(log)]
    texts = [
        render_to_text(r, width=WIDE)
        for r in (
            task_list_renderable(SESSION_ID, entries),
            task_detail_renderable(log, visibility=Visibility.FULL),
            tree_renderable(SESSION_ID, entries, visibility=Visibility.FULL),
            tasks_renderable(entries),
        )
    ]
    documents = [
        task_list_json(SESSION_ID, entries),
        task_detail_json(log, visibility=Visibility.FULL),
        tree_json(SESSION_ID, entries, visibility=Visibility.FULL),
    ]
    return texts + ["\n".join(summary_block(log))] + [json.dumps(d) for d in documents]


def test_every_string_goes_through_the_display_masker(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a masker that knows one secret, no view or JSON output shows it."""
    monkeypatch.setattr(safe_text_module, "mask_text", fake_mask_text)
    monkeypatch.setattr(safe_text_module, "mask_obj", fake_mask_obj)
    for output in all_outputs(canary_log()):
        assert CANARY not in output
        assert "[MASKED:CANARY]" in output


def raise_always(_: object) -> str:
    """A masker that fails."""
    raise RuntimeError("masker broke")


@pytest.mark.parametrize("broken", ["mask_text", "both"])
def test_a_failing_masker_hides_content(monkeypatch: pytest.MonkeyPatch, broken: str) -> None:
    """When masking fails the marker is shown instead of the text, and JSON keeps its structure."""
    fallback: Callable[[Any], Any] = raise_always if broken == "both" else fake_mask_obj
    monkeypatch.setattr(safe_text_module, "mask_text", raise_always)
    monkeypatch.setattr(safe_text_module, "mask_obj", fallback)
    log = canary_log()
    for output in all_outputs(log):
        assert CANARY not in output
        assert MASKING_ERROR in output or "[MASKED:CANARY]" in output
    document = task_detail_json(log, visibility=Visibility.FULL)
    assert document.pop("schema_version") == 1  # the contract's constant, not logged text
    if broken == "both":
        # Nothing could be masked: every string, keys included, is the marker; numbers survive.
        assert all(
            not isinstance(leaf, str) or leaf.startswith(MASKING_ERROR) for leaf in leaves(document)
        )
        assert 3 in leaves(document) or 0 in leaves(document)
    else:
        assert isinstance(document["events"], list) and len(document["events"]) == 3
        assert document["events"][0]["content"]["prompt"] == "use [MASKED:CANARY]"


def leaves(obj: Any) -> list[Any]:
    """Every key and leaf value of a JSON-like structure."""
    if isinstance(obj, dict):
        return [item for key, value in obj.items() for item in [key, *leaves(value)]]
    if isinstance(obj, list):
        return [item for value in obj for item in leaves(value)]
    return [obj]


def test_neutralise_is_linear_on_adversarial_input() -> None:
    """Four times as many unterminated escape introducers take about four times as long, not sixteen."""
    small, large = "\x1b]\x9b" * 60_000, "\x1b]\x9b" * 240_000
    ratio = best_cpu_time(lambda: neutralise(large)) / best_cpu_time(lambda: neutralise(small))
    assert ratio < 8, ratio
