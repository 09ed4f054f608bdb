"""Cursor's CLI `cursor-agent -p --output-format stream-json`: `system/init`, `user`, `assistant`,
`tool_call` (`started` / `completed`), `result`.

From cursor.com's output-format page (research §1.4; not recorded here): each `assistant` line
is a complete message; a tool call is `tool_call: {<kind>ToolCall: {args, result?}}` where a
write is `writeToolCall` with `args.path` (result `success.path`), a shell command
`shellToolCall` with `args.command`, and a refused one completes with `result.rejected`
(inferred). No tokens and no cost. On failure the stream may end without a `result`.
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
    WarningItem,
)
from runner.executors.formats.values import as_dict, as_str

_WRITE_KINDS = frozenset({"writeToolCall", "editToolCall"})
_RETRY_WORDS = ("reconnecting", "retrying")


class CursorDecoder:
    """Decodes `cursor-agent` stream-json lines; stateless."""

    json_lines = True

    def stdout(self, record: Any) -> list[Item]:
        kind = as_str(record.get("type"))
        if kind == "system" and record.get("subtype") == "init":
            return [SessionItem(as_str(record.get("session_id")) or None, as_str(record.get("model")) or None)]
        if kind == "assistant":
            content = as_dict(record.get("message")).get("content")
            blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
            text = "".join(as_str(b.get("text")) for b in blocks if isinstance(b, dict) and b.get("type") == "text")
            return [TextItem(text)] if text.strip() else []
        if kind == "tool_call":
            return _tool_call(record)
        if kind == "result":
            text = as_str(record.get("result"))
            items: list[Item] = [TextItem(text)] if text.strip() else []
            failed = record.get("is_error") is True or as_str(record.get("subtype")) not in ("", "success")
            subtype = as_str(record.get("subtype")) or None
            return [*items, ResultItem(Outcome.FAILED, subtype, text or "no details") if failed
                    else ResultItem(Outcome.SUCCESS)]
        return []

    def stderr(self, line: str) -> list[Item]:
        lowered = line.lower()
        return [WarningItem(line.strip(), transient=True)] if any(w in lowered for w in _RETRY_WORDS) else []


def _tool_call(record: dict[str, Any]) -> list[Item]:
    call = as_dict(record.get("tool_call"))
    kind, body = next(iter(call.items()), ("tool", {}))
    body = as_dict(body)
    args = as_dict(body.get("args"))
    name = kind.removesuffix("ToolCall") or "tool"
    call_id = as_str(record.get("call_id"))
    path = as_str(args.get("path")) if kind in _WRITE_KINDS else ""
    if record.get("subtype") == "started":
        label = path or as_str(args.get("command")) or as_str(args.get("path"))
        return [ToolStart(call_id, name, label, (Claim(path),) if path else ())]
    result = as_dict(body.get("result"))
    rejected = "rejected" in result
    failed = rejected or "error" in result or "failure" in result
    outcome = as_dict(result.get("rejected") or result.get("error") or result.get("failure") or result.get("success"))
    preview = as_str(outcome.get("reason")) or as_str(outcome.get("message")) or as_str(outcome.get("stdout"))
    written = as_str(as_dict(result.get("success")).get("path")) if kind in _WRITE_KINDS else ""
    claims = (Claim(written),) if written and written != path else ()
    return [ToolEnd(call_id, name, is_error=failed, denied=rejected, preview=preview, claims=claims)]
