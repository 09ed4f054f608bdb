"""Claude Code's stream-json shape as other agents print it (Amp `--stream-json`, Qwen Code
`--output-format stream-json`): `system` (init / session_start), `assistant` messages with text and
`tool_use` blocks, `user` messages with `tool_result` blocks, and a final `result`.

What differs per agent is a `Dialect`: its write tools and the input key naming the file, its shell
tool and command key, where usage is reported (per assistant message for Amp, on `result` for
Qwen) and the words of a refused tool call. Facts from the agents' documentation (research §1.4);
neither was recorded here, so the fakes follow the docs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.executors.formats.items import (
    Claim,
    Item,
    Outcome,
    ResultItem,
    SessionItem,
    TextItem,
    ToolEnd,
    ToolStart,
    UsageItem,
    WarningItem,
)
from runner.executors.formats.values import as_int, as_str

_RETRY_WORDS = ("Retrying", "retrying")


@dataclass(frozen=True)
class Dialect:
    """One Claude-shaped agent's tool names and habits."""

    write_tools: dict[str, tuple[str, ...]]  # tool name -> input keys that may name the file
    shell_tools: dict[str, str]  # tool name -> input key of the command
    usage_on_result: bool  # True: `result.usage` covers the run; False: sum `assistant.message.usage`
    denial_phrases: tuple[str, ...]


CLAUDE = Dialect(write_tools={"Write": ("file_path",), "Edit": ("file_path",), "MultiEdit": ("file_path",),
                             "NotebookEdit": ("notebook_path",)},
                 shell_tools={"Bash": "command"}, usage_on_result=True,
                 denial_phrases=("requested permissions", "requires approval", "haven't granted"))
AMP = Dialect(write_tools={"create_file": ("path",), "edit_file": ("path",)}, shell_tools={"Bash": "cmd"},
              usage_on_result=False, denial_phrases=("rejected", "not allowed"))
QWEN = Dialect(write_tools={"write_file": ("file_path",), "edit": ("file_path",), "replace": ("file_path",)},
               shell_tools={"run_shell_command": "command"}, usage_on_result=True,
               denial_phrases=("requires user approval", "denied", "not available in non-interactive"))


def _blocks(record: dict[str, Any]) -> list[dict[str, Any]]:
    message = record.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [block for block in content if isinstance(block, dict)] if isinstance(content, list) else []


def usage_of(raw: object, model: str | None = None) -> UsageItem | None:
    """Anthropic-style usage: input is every prompt token (fresh, cache writes and cache reads)."""
    if not isinstance(raw, dict):
        return None
    parts = [as_int(raw.get(key)) for key in ("input_tokens", "cache_creation_input_tokens")]
    cached = as_int(raw.get("cache_read_input_tokens"))
    total = as_int(raw.get("total_tokens"))
    output = as_int(raw.get("output_tokens"))
    if total is not None and output is not None and parts[0] is not None and parts[0] + output == total:
        inputs: int | None = parts[0]  # Qwen: input_tokens already counts the cache
    else:
        known = [part for part in (*parts, cached) if part is not None]
        inputs = sum(known) if known else None
    return UsageItem(input_tokens=inputs, cached_input_tokens=cached, output_tokens=output, model=model)


class ClaudeShapedDecoder:
    """Decodes Claude-shaped stream-json lines for one dialect; stateless."""

    json_lines = True

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def stdout(self, record: Any) -> list[Item]:
        kind = as_str(record.get("type"))
        if kind == "system" and as_str(record.get("subtype")) in ("init", "session_start"):
            return [SessionItem(as_str(record.get("session_id")) or None, as_str(record.get("model")) or None)]
        if kind == "assistant":
            return self._assistant(record)
        if kind == "user":
            return [self._tool_result(block) for block in _blocks(record) if block.get("type") == "tool_result"]
        if kind == "result":
            return self._result(record)
        return []

    def stderr(self, line: str) -> list[Item]:
        return [WarningItem(line.strip(), transient=True)] if any(w in line for w in _RETRY_WORDS) else []

    def _assistant(self, record: dict[str, Any]) -> list[Item]:
        items: list[Item] = []
        for block in _blocks(record):
            if block.get("type") == "text" and as_str(block.get("text")):
                items.append(TextItem(as_str(block.get("text"))))
            elif block.get("type") == "tool_use":
                items.append(self._tool_use(block))
        message = record.get("message")
        if not self.dialect.usage_on_result and isinstance(message, dict):
            usage = usage_of(message.get("usage"), as_str(message.get("model")) or None)
            items += [usage] if usage is not None else []
        return items

    def _tool_use(self, block: dict[str, Any]) -> ToolStart:
        name = as_str(block.get("name")) or "tool"
        raw = block.get("input")
        tool_input: dict[str, Any] = raw if isinstance(raw, dict) else {}
        keys = self.dialect.write_tools.get(name, ())
        path = next((p for p in (as_str(tool_input.get(key)) for key in keys) if p), "")
        command = as_str(tool_input.get(self.dialect.shell_tools.get(name, "")))
        label = path or command or as_str(tool_input.get("file_path")) or as_str(tool_input.get("path"))
        return ToolStart(as_str(block.get("id")), name, label, (Claim(path),) if path else ())

    def _tool_result(self, block: dict[str, Any]) -> ToolEnd:
        content = block.get("content")
        if isinstance(content, list):
            content = " ".join(as_str(part.get("text")) for part in content if isinstance(part, dict))
        text = as_str(content)
        failed = block.get("is_error") is True
        denied = failed and any(phrase in text for phrase in self.dialect.denial_phrases)
        return ToolEnd(as_str(block.get("tool_use_id")), is_error=failed, denied=denied, preview=text)

    def _result(self, record: dict[str, Any]) -> list[Item]:
        items: list[Item] = []
        text = as_str(record.get("result"))
        if text.strip():
            items.append(TextItem(text))
        if self.dialect.usage_on_result:
            usage = usage_of(record.get("usage"))
            items += [usage] if usage is not None else []
        subtype = as_str(record.get("subtype"))
        if subtype == "error_max_turns":
            items.append(ResultItem(Outcome.MAX_TURNS, subtype, text or f"max turns reached after {record.get('num_turns')} turn(s)"))
        elif record.get("is_error") is True or subtype not in ("", "success"):
            items.append(ResultItem(Outcome.FAILED, subtype or None, text or "no details"))
        else:
            items.append(ResultItem(Outcome.SUCCESS))
        return items
