"""Reading Claude Code's `--output-format stream-json` lines as they arrive.

One JSON object per line: `system/init` (session id, model), `assistant` messages (text and
`tool_use` blocks), `user` messages carrying `tool_result`s, and one final `result`. The parser
records progress events (masked), the files that write tools claim, and what the result says.
A line that is not a JSON object is logged and skipped.
"""

from __future__ import annotations

from typing import Any

import orjson

from runner.executors.claude_facts import (
    denial_message,
    denials_in_result,
    merge_denials,
    normalise_model,
    permission_denied_line,
    result_model,
    retry_text,
    tool_target,
    untrusted_settings,
)
from runner.executors.denied_tool import DeniedTool
from runner.executors.streams import OutputBudget
from runner.logs.masking import mask_and_truncate, mask_obj, mask_text
from runner.logs.models import EventType, Metrics
from runner.notices import Notice

# Tools whose input names a file they write; NotebookEdit calls it `notebook_path`.
WRITE_TOOLS = frozenset({"Write", "Edit", "MultiEdit", "NotebookEdit"})
_PATH_KEYS = ("file_path", "notebook_path")
_PREVIEW_CHARS = 500
_TEXT_CHARS = 2_000


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _content_blocks(message: object) -> list[dict[str, Any]]:
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        return []
    return [block for block in content if isinstance(block, dict)]


def _preview(content: object) -> str:
    """A short masked preview of a tool result, whether it is a string or a list of blocks."""
    if isinstance(content, list):
        content = " ".join(str(block.get("text", "")) for block in content if isinstance(block, dict))
    return mask_and_truncate(str(content or ""), _PREVIEW_CHARS)


def _session_total(by_model: object, input_parts: list[int], output: int | None) -> bool:
    """True when `modelUsage` counts more tokens than this run's `usage`: its cost is the session's total."""
    if not isinstance(by_model, dict) or not by_model:
        return False
    counted = 0
    for entry in by_model.values():
        if isinstance(entry, dict):
            counted += sum(_int(entry.get(key)) or 0 for key in (
                "inputTokens", "cacheReadInputTokens", "cacheCreationInputTokens", "outputTokens"))
    return counted > sum(input_parts) + (output or 0)


class StreamJsonParser:
    """A `LineObserver` for the supervisor: parses stdout, pauses the progress timeout during tools."""

    def __init__(self, budget: OutputBudget) -> None:
        self._budget = budget
        self.session_id: str | None = None
        self.model: str | None = None
        self.last_text = ""
        self.result: dict[str, Any] | None = None
        self.malformed_lines = 0
        self._pending: dict[str, str] = {}
        self._writes: list[tuple[str, str]] = []  # (tool_use id, path) in the order used
        self._failed_tools: set[str] = set()
        self._targets: dict[str, str] = {}  # tool_use id -> what it acts on (path or command)
        self._denied: list[DeniedTool] = []  # from denied tool results and permission_denied lines
        self.notices: list[Notice] = []  # what Claude said on stderr that the user must act on

    def progress_paused(self) -> bool:
        """While a tool runs the stream is silent by design; only the overall timeout applies."""
        return bool(self._pending)

    def claimed_files(self) -> list[str]:
        """Paths of write tools that did not report an error, in first-use order, without repeats."""
        seen: dict[str, None] = {}
        for tool_id, path in self._writes:
            if tool_id not in self._failed_tools:
                seen.setdefault(path, None)
        return list(seen)

    def on_line(self, stream: str, line: str) -> None:
        if stream == "stderr":
            self._stderr(line)
        if stream != "stdout" or not line.strip():
            return
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            self._malformed(line)
            return
        kind = record.get("type")
        if kind == "system":
            self._system(record)
        elif kind == "assistant":
            self._assistant(record)
        elif kind == "user":
            self._user(record)
        elif kind == "result":
            self._result(record)

    def _stderr(self, line: str) -> None:
        found = untrusted_settings(line)
        if found is None:
            return
        notice = Notice(found.level, mask_text(found.message), found.hint,
                        {key: mask_obj(value) for key, value in found.fields.items()})
        if notice not in self.notices:
            self.notices.append(notice)

    def _progress(self, content: dict[str, Any]) -> None:
        self._budget.event(EventType.EXECUTOR_PROGRESS, content)

    def _malformed(self, line: str) -> None:
        self.malformed_lines += 1
        self._budget.event(EventType.EXECUTOR_OUTPUT, {
            "stream": "stdout",
            "line": mask_and_truncate(line, _PREVIEW_CHARS),
            "note": "not a stream-json object; ignored",
        })

    def denied_tools(self) -> list[DeniedTool]:
        """Every refused tool call once, with the target its tool_use named, in the order refused."""
        from_result = denials_in_result(self.result) if self.result is not None else []
        merged = merge_denials(self._denied, from_result)
        return [DeniedTool(d.tool, mask_text(d.target or self._targets.get(d.tool_use_id, "")),
                           d.tool_use_id, mask_and_truncate(d.message, _PREVIEW_CHARS)) for d in merged]

    def _system(self, record: dict[str, Any]) -> None:
        retry = retry_text(record)
        if retry is not None:
            self._progress({"kind": "retry", "text": retry})
            return
        denied = permission_denied_line(record)
        if denied is not None:
            self._denied.append(denied)
            return
        if record.get("subtype") != "init":
            return
        self.session_id = _str(record.get("session_id")) or self.session_id
        self.model = _str(record.get("model")) or self.model
        self._progress({"kind": "init", "session_id": self.session_id, "model": self.model,
                        "text": f"Claude Code session started (model {self.model or 'unknown'})"})

    def _assistant(self, record: dict[str, Any]) -> None:
        for block in _content_blocks(record.get("message")):
            if block.get("type") == "text" and isinstance(block.get("text"), str):
                self.last_text = mask_text(block["text"])
                self._progress({"kind": "text", "text": self.last_text[:_TEXT_CHARS]})
            elif block.get("type") == "tool_use":
                self._tool_use(block)

    def _tool_use(self, block: dict[str, Any]) -> None:
        name = _str(block.get("name")) or "unknown"
        tool_id = _str(block.get("id")) or f"anonymous-{len(self._writes)}"
        raw_input = block.get("input")
        tool_input: dict[str, Any] = raw_input if isinstance(raw_input, dict) else {}
        self._pending[tool_id] = name
        self._targets[tool_id] = tool_target(tool_input)
        content: dict[str, Any] = {"kind": "tool_use", "tool": name, "tool_use_id": tool_id}
        path = next((p for p in (_str(tool_input.get(key)) for key in _PATH_KEYS) if p), None)
        if name in WRITE_TOOLS and path:
            self._writes.append((tool_id, path))
            content.update(file_path=mask_text(path), text=mask_text(f"{name} {path}"))
        elif name == "Bash" and isinstance(tool_input.get("command"), str):
            command = mask_and_truncate(tool_input["command"], _PREVIEW_CHARS)
            content.update(command=command, text=f"Bash: {command}")
        else:
            content["text"] = f"{name}"
        self._progress(content)

    def _user(self, record: dict[str, Any]) -> None:
        for block in _content_blocks(record.get("message")):
            if block.get("type") != "tool_result":
                continue
            tool_id = _str(block.get("tool_use_id")) or ""
            name = self._pending.pop(tool_id, "unknown")
            failed = block.get("is_error") is True
            if failed:
                self._failed_tools.add(tool_id)
            refusal = denial_message(block)
            if refusal is not None:
                self._denied.append(DeniedTool(name, "", tool_id, refusal))
            self._progress({"kind": "tool_result", "tool": name, "tool_use_id": tool_id,
                            "is_error": failed, "preview": _preview(block.get("content"))})

    def _result(self, record: dict[str, Any]) -> None:
        self.result = record
        self._pending.clear()
        self.session_id = _str(record.get("session_id")) or self.session_id
        usage = self.usage()
        denials = record.get("permission_denials")
        self._progress({
            "kind": "result",
            "subtype": _str(record.get("subtype")),
            "is_error": record.get("is_error") is True,
            "terminal_reason": _str(record.get("terminal_reason")),
            "num_turns": usage.num_turns if usage else None,
            "cost_usd": usage.cost_usd if usage else None,
            "permission_denials": len(denials) if isinstance(denials, list) else 0,
        })

    def usage(self) -> Metrics | None:
        """Model, tokens (input counts cached prompt tokens too), cost, duration and turns from `result`."""
        record = self.result
        if record is None:
            model = normalise_model(self.model)
            return Metrics(model=model) if model else None
        raw_usage = record.get("usage")
        raw: dict[str, Any] = raw_usage if isinstance(raw_usage, dict) else {}
        parts = [_int(raw.get(key)) for key in
                 ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")]
        known = [part for part in parts if part is not None]
        cost = record.get("total_cost_usd", record.get("cost_usd"))
        model = result_model(record, self.model)
        return Metrics(
            model=model,
            cost_covers_session=_session_total(record.get("modelUsage"), known, _int(raw.get("output_tokens"))) or None,
            input_tokens=sum(known) if known else None,
            cache_creation_input_tokens=parts[1],
            cache_read_input_tokens=parts[2],
            output_tokens=_int(raw.get("output_tokens")),
            cost_usd=float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None,
            duration_ms=_int(record.get("duration_ms")),
            num_turns=_int(record.get("num_turns")),
        )
