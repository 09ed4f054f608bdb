"""One fold for every agent stream: decode each line into items, mask them, record events, keep state.

The fold is the supervisor's `LineObserver`: it sees every unmasked line, hands stdout lines
(decoded JSON objects, or raw text for text formats) and stderr lines to the format's decoder,
and applies the items. It masks every string before an event or its state holds it; claimed
paths are kept as given (verification needs them) and masked where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson

from runner.executors.formats.items import (
    Claim,
    ClaimKind,
    Item,
    QuestionItem,
    ResultItem,
    SessionItem,
    TextItem,
    ToolEnd,
    ToolStart,
    UsageItem,
    WarningItem,
)
from runner.executors.streams import OutputBudget
from runner.logs.masking import mask_and_truncate, mask_text
from runner.logs.models import EventType

_PREVIEW_CHARS = 500
_N = TypeVar("_N", int, float)
_TEXT_CHARS = 2_000


class Decoder(Protocol):
    """One agent's wire format: `json_lines` formats get decoded objects, text formats the raw line."""

    json_lines: bool

    def stdout(self, record: Any) -> list[Item]: ...

    def stderr(self, line: str) -> list[Item]: ...


@dataclass
class _OpenTool:
    name: str
    claims: tuple[Claim, ...]


class ItemFold:
    """Applies a decoder's items to one run's state and records them as masked progress events."""

    def __init__(self, decoder: Decoder, budget: OutputBudget, agent: str) -> None:
        self._decoder = decoder
        self._budget = budget
        self._agent = agent
        self.session_id: str | None = None
        self.model: str | None = None
        self.result: ResultItem | None = None
        self.usage: UsageItem | None = None
        self.question: QuestionItem | None = None
        self.warnings: list[str] = []  # masked
        self.denials: list[str] = []  # masked
        self.malformed_lines = 0
        self._turn_text: list[str] = []  # masked pieces of the latest assistant turn
        self._text_open = False
        self._open: dict[str, _OpenTool] = {}
        self._claims: dict[str, ClaimKind] = {}

    # -- LineObserver -------------------------------------------------------------------

    def progress_paused(self) -> bool:
        """While a tool runs the stream is silent by design; only the overall timeout applies."""
        return bool(self._open)

    def on_line(self, stream: str, line: str) -> None:
        if not line.strip():
            return
        if stream == "stderr":
            items = self._decoder.stderr(line)
        elif not self._decoder.json_lines:
            items = self._decoder.stdout(line)
        else:
            record = _json_object(line)
            if record is None:
                self._malformed(line)
                return
            items = self._decoder.stdout(record)
        for item in items:
            self.apply(item)

    # -- what the run produced ----------------------------------------------------------

    @property
    def final_text(self) -> str:
        """The last assistant turn's text (deltas joined), masked."""
        return "".join(self._turn_text).strip()

    def claimed_files(self) -> list[str]:
        """Paths written by tools that did not fail, first use first."""
        return [path for path, kind in self._claims.items() if kind is ClaimKind.WRITE]

    def claimed_deletes(self) -> list[str]:
        return [path for path, kind in self._claims.items() if kind is ClaimKind.DELETE]

    # -- applying items -----------------------------------------------------------------

    def apply(self, item: Item) -> None:
        """Fold one item into the state and record it."""
        if isinstance(item, SessionItem):
            self._session(item)
        elif isinstance(item, TextItem):
            self._text(item)
        elif isinstance(item, ToolStart):
            self._tool_start(item)
        elif isinstance(item, ToolEnd):
            self._tool_end(item)
        elif isinstance(item, UsageItem):
            self._usage(item)
        elif isinstance(item, ResultItem):
            self._result(item)
        elif isinstance(item, WarningItem):
            self._warning(item)
        elif isinstance(item, QuestionItem):
            self._question(item)
        else:
            self._progress({"kind": "note", "text": mask_and_truncate(item.text, _TEXT_CHARS)})

    def _progress(self, content: dict[str, Any]) -> None:
        self._budget.event(EventType.EXECUTOR_PROGRESS, content)

    def _malformed(self, line: str) -> None:
        self.malformed_lines += 1
        self._budget.event(EventType.EXECUTOR_OUTPUT, {
            "stream": "stdout", "line": mask_and_truncate(line, _PREVIEW_CHARS),
            "note": "not a JSON object; ignored",
        })

    def _session(self, item: SessionItem) -> None:
        self.session_id = item.session_id or self.session_id
        self.model = item.model or self.model
        self._progress({"kind": "init", "session_id": self.session_id, "model": self.model,
                        "text": f"{self._agent} session started (model {self.model or 'not named'})"})

    def _text(self, item: TextItem) -> None:
        text = mask_text(item.text)
        if item.delta and self._text_open:
            self._turn_text.append(text)
        else:
            self._turn_text = [text]
        self._text_open = True
        if text.strip():
            self._progress({"kind": "text", "text": text.strip()[:_TEXT_CHARS]})

    def _tool_start(self, item: ToolStart) -> None:
        self._text_open = False
        self._open[item.tool_id] = _OpenTool(item.name, item.claims)
        label = mask_and_truncate(item.label, _PREVIEW_CHARS)
        content: dict[str, Any] = {"kind": "tool_use", "tool": item.name, "tool_use_id": item.tool_id,
                                   "text": f"{item.name} {label}".strip()}
        if item.claims:
            content["claims"] = [{"path": mask_text(c.path), "kind": str(c.kind)} for c in item.claims]
        self._progress(content)

    def _tool_end(self, item: ToolEnd) -> None:
        opened = self._open.pop(item.tool_id, None)
        name = opened.name if opened is not None else (item.name or "tool")
        claims = (opened.claims if opened is not None else ()) + item.claims
        if not item.is_error:
            for claim in claims:
                self._claims.setdefault(claim.path, claim.kind)
        elif item.denied:
            self.denials.append(mask_text(f"{name} {', '.join(c.path for c in claims)}".strip()))
        self._progress({"kind": "tool_result", "tool": name, "tool_use_id": item.tool_id,
                        "is_error": item.is_error, "denied": item.denied,
                        "preview": mask_and_truncate(item.preview, _PREVIEW_CHARS)})

    def _usage(self, item: UsageItem) -> None:
        known = self.usage
        if item.running_total or known is None:
            self.usage = item
            return
        self.usage = UsageItem(
            input_tokens=_add(known.input_tokens, item.input_tokens),
            cached_input_tokens=_add(known.cached_input_tokens, item.cached_input_tokens),
            output_tokens=_add(known.output_tokens, item.output_tokens),
            cost_usd=_add(known.cost_usd, item.cost_usd),
            model=item.model or known.model, duration_ms=item.duration_ms or known.duration_ms,
            num_turns=_add(known.num_turns, item.num_turns))

    def _result(self, item: ResultItem) -> None:
        repeated = self.result is not None and self.result.outcome is item.outcome
        self.result = ResultItem(item.outcome, item.error_type, mask_text(item.message))
        if repeated:
            return  # a text format restates its verdict (aider after each model call)
        self._open.clear()
        usage = self.usage
        self._progress({"kind": "result", "outcome": str(item.outcome), "error_type": item.error_type,
                        "input_tokens": usage.input_tokens if usage else None,
                        "output_tokens": usage.output_tokens if usage else None,
                        "text": f"{self._agent} result: {item.outcome}"})

    def _warning(self, item: WarningItem) -> None:
        message = mask_and_truncate(item.message, _PREVIEW_CHARS)
        (self.denials if item.denial else self.warnings).append(message)
        self._progress({"kind": "warning", "transient": item.transient, "denial": item.denial,
                        "text": f"{self._agent} warning: {message}"})

    def _question(self, item: QuestionItem) -> None:
        self.question = QuestionItem(mask_text(item.text), tuple(mask_text(o) for o in item.options))
        self._progress({"kind": "question", "text": self.question.text,
                        "options": list(self.question.options)})


def _json_object(line: str) -> dict[str, Any] | None:
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def _add(left: _N | None, right: _N | None) -> _N | None:
    if left is None:
        return right
    return left if right is None else left + right
