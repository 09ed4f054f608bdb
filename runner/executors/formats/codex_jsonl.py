"""Codex CLI `codex exec --json`: JSON lines of `thread.*`, `turn.*`, `item.*`, `error`, `request_user_input`.

Facts from the recordings of Codex CLI 0.171.0 (tests/fixtures/streams/codex/) and exec_events.rs:
- `turn.completed.usage` is the thread's running total (it grows across `exec resume`);
  `cached_input_tokens` is part of `input_tokens`; no cost and no model name in the stream;
- `file_change` items have `item.started` too; claims count only once `status` is `completed`;
- an `error` line is not the result (retries print one too): only `turn.failed` is;
- a write refused by the read-only sandbox leaves no item, only an ERROR line on stderr.
"""

from __future__ import annotations

from typing import Any

from runner.executors.formats.items import (
    Claim,
    ClaimKind,
    Item,
    NoteItem,
    Outcome,
    QuestionItem,
    ResultItem,
    SessionItem,
    TextItem,
    ToolEnd,
    ToolStart,
    UsageItem,
    WarningItem,
)
from runner.executors.formats.values import as_int, as_str

_TRANSIENT_WORDS = ("Reconnecting", "retrying", "stream disconnected")
_SANDBOX_REFUSAL = "patch rejected"
_FAILED_STATUSES = ("failed", "declined")


class CodexDecoder:
    """Decodes `codex exec --json` lines; stateless."""

    json_lines = True

    def stdout(self, record: Any) -> list[Item]:
        kind = as_str(record.get("type"))
        if kind == "thread.started":
            return [SessionItem(as_str(record.get("thread_id")) or None)]
        if kind in ("item.started", "item.completed"):
            item = record.get("item")
            return _item(item, started=kind == "item.started") if isinstance(item, dict) else []
        if kind == "turn.completed":
            return [_usage(record.get("usage")), ResultItem(Outcome.SUCCESS)]
        if kind == "turn.failed":
            error = record.get("error")
            message = as_str(error.get("message")) if isinstance(error, dict) else ""
            return [ResultItem(Outcome.FAILED, "turn.failed", message or "the turn failed")]
        if kind == "error":
            message = as_str(record.get("message"))
            return [WarningItem(message, transient=any(word in message for word in _TRANSIENT_WORDS))]
        if kind == "request_user_input":
            return [_question(record.get("questions"))]
        return []

    def stderr(self, line: str) -> list[Item]:
        if _SANDBOX_REFUSAL in line:
            return [WarningItem(line.split("error=", 1)[-1].strip(), denial=True)]
        return []


def _item(item: dict[str, Any], *, started: bool) -> list[Item]:
    kind, item_id = as_str(item.get("type")), as_str(item.get("id"))
    if kind == "agent_message":
        return [TextItem(as_str(item.get("text")))]
    if kind in ("reasoning", "plan"):
        return [NoteItem(as_str(item.get("text")))] if not started else []
    if kind == "error":
        return [WarningItem(as_str(item.get("message")))]
    if kind == "todo_list":
        entries = item.get("items")
        done = sum(1 for e in entries if isinstance(e, dict) and e.get("completed") is True) \
            if isinstance(entries, list) else 0
        total = len(entries) if isinstance(entries, list) else 0
        return [NoteItem(f"plan: {done}/{total} steps done")]
    if kind not in ("command_execution", "file_change", "mcp_tool_call", "web_search", "collab_tool_call"):
        return []
    name, label, claims = _tool(kind, item)
    if started:
        return [ToolStart(item_id, name, label, claims)]
    status = as_str(item.get("status"))
    failed = status in _FAILED_STATUSES or isinstance(item.get("error"), dict)
    # A file_change may come as item.completed only (docs); its changes are claims once completed.
    return [ToolEnd(item_id, name, is_error=failed, denied=status == "declined",
                    preview=as_str(item.get("aggregated_output")), claims=claims)]


def _tool(kind: str, item: dict[str, Any]) -> tuple[str, str, tuple[Claim, ...]]:
    if kind == "command_execution":
        return "command", as_str(item.get("command")), ()
    if kind == "file_change":
        claims = tuple(
            Claim(as_str(c.get("path")), ClaimKind.DELETE if c.get("kind") == "delete" else ClaimKind.WRITE)
            for c in item.get("changes") or [] if isinstance(c, dict) and as_str(c.get("path")))
        return "file_change", ", ".join(c.path for c in claims), claims
    if kind == "mcp_tool_call":
        return "mcp", f"{as_str(item.get('server'))}.{as_str(item.get('tool'))}", ()
    if kind == "web_search":
        return "web_search", as_str(item.get("query")), ()
    return kind, as_str(item.get("tool")), ()


def _usage(raw: object) -> UsageItem:
    usage = raw if isinstance(raw, dict) else {}
    return UsageItem(input_tokens=as_int(usage.get("input_tokens")),
                     cached_input_tokens=as_int(usage.get("cached_input_tokens")),
                     output_tokens=as_int(usage.get("output_tokens")), running_total=True)


def _question(raw: object) -> QuestionItem:
    questions = [q for q in raw if isinstance(q, dict)] if isinstance(raw, list) else []
    text = "\n".join(as_str(q.get("question")) for q in questions if as_str(q.get("question")))
    options = tuple(as_str(o.get("label")) for q in questions for o in q.get("options") or []
                    if isinstance(o, dict) and as_str(o.get("label")))
    return QuestionItem(text or "Codex asked for input", options)
