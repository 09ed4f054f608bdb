"""opencode `opencode run --format json`: `step_start`, `text`, `tool_use`, `step_finish`, `error`, `done`.

From opencode's run.ts and community parsers (research §1.4; not recorded here): every line has
`sessionID`; a `tool_use` line comes only once the tool finished (no start line), with
`part.tool`, `part.state.status` (`completed` / `error`) and `part.state.input` (`filePath` for
`write` / `edit`); `step_finish` carries `tokens` {input, output, reasoning, cache {read, write}}
and `cost` per step (summed); an `error` line is the failure; `done` ends the run. No model.
"""

from __future__ import annotations

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
from runner.executors.formats.values import as_dict, as_int, as_str

WRITE_TOOLS = frozenset({"write", "edit", "patch", "multiedit"})
_REJECTED = "rejected permission"
_RETRY_WORDS = ("retrying", "Retrying")


class OpencodeDecoder:
    """Decodes `opencode run --format json` lines; one per run (it remembers the session and an error)."""

    json_lines = True

    def __init__(self) -> None:
        self._session: str | None = None
        self._error: str | None = None

    def stdout(self, record: Any) -> list[Item]:
        items: list[Item] = []
        session = as_str(record.get("sessionID"))
        if session and session != self._session:
            self._session = session
            items.append(SessionItem(session))
        kind, part = as_str(record.get("type")), as_dict(record.get("part"))
        if kind == "text":
            items.append(TextItem(as_str(part.get("text"))))
        elif kind == "tool_use":
            items += _tool(part)
        elif kind == "step_finish":
            items.append(_usage(part))
        elif kind == "error":
            error = as_dict(record.get("error"))
            data = as_dict(error.get("data"))
            self._error = as_str(data.get("message")) or as_str(error.get("name")) or "error"
            status = as_int(data.get("statusCode"))
            self._error += f" (status {status})" if status is not None else ""
            items.append(WarningItem(self._error))
        elif kind == "done":
            items.append(ResultItem(Outcome.FAILED, "error", self._error) if self._error
                         else ResultItem(Outcome.SUCCESS))
        return items

    def stderr(self, line: str) -> list[Item]:
        return [WarningItem(line.strip(), transient=True)] if any(w in line for w in _RETRY_WORDS) else []


def _tool(part: dict[str, Any]) -> list[Item]:
    name = as_str(part.get("tool")) or "tool"
    state = as_dict(part.get("state"))
    tool_input = as_dict(state.get("input"))
    path = as_str(tool_input.get("filePath")) if name in WRITE_TOOLS else ""
    call_id = as_str(part.get("callID")) or as_str(part.get("id"))
    error = as_str(state.get("error"))
    failed = state.get("status") == "error"
    label = path or as_str(tool_input.get("command")) or as_str(state.get("title"))
    return [ToolStart(call_id, name, label, (Claim(path),) if path else ()),
            ToolEnd(call_id, name, is_error=failed, denied=failed and _REJECTED in error,
                    preview=error if failed else as_str(state.get("output")))]


def _usage(part: dict[str, Any]) -> UsageItem:
    tokens = as_dict(part.get("tokens"))
    cache = as_dict(tokens.get("cache"))
    fresh, read, written = as_int(tokens.get("input")), as_int(cache.get("read")), as_int(cache.get("write"))
    known = [n for n in (fresh, read, written) if n is not None]
    cost = part.get("cost")
    return UsageItem(input_tokens=sum(known) if known else None, cached_input_tokens=read,
                     output_tokens=as_int(tokens.get("output")),
                     cost_usd=float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None,
                     num_turns=1)
