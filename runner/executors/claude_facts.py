"""Facts Claude Code states in its stream-json, read the way the real binary writes them.

Pure functions over single decoded lines (`dict`s), checked against the recordings of the real
CLI (2.1.197 and 2.1.332) in tests/fixtures/streams/claude/. Nothing here masks: callers mask
every string before it is logged or shown.

- Permission denials come three ways: `result.permission_denials[]` (tool name, id, input),
  a `tool_result` with `is_error` whose text says "requested permissions" / "requires
  approval", and (2.1.332) a `system/permission_denied` line.
- Errors: `result.errors[]` when present, `api_error_status` / `api_error_type` for a failed
  model call, `subtype` `error_max_turns` / `error_during_execution`. A failed API call still
  has `subtype: "success"` with `is_error: true`: the subtype alone never says success.
- `system/api_retry` lines are retries in progress, not failures.
- Model names: `claude-opus-4-8[1m]` is `claude-opus-4-8` with a 1M context window; 2.1.332
  names the model itself in `modelUsage.<key>.canonicalModel`; `<synthetic>` is no model.
- stderr: "Ignoring N permissions.allow entry|entries from .claude/settings.json: this workspace
  has not been trusted" — the project's allow rules are off until Claude's trust dialog was
  accepted (deny rules still apply and are not mentioned).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from runner.executors.denied_tool import DeniedTool
from runner.notices import Notice

_DENIAL_PHRASES = ("requested permissions", "requires approval", "haven't granted")
_UNKNOWN_SESSION = "No conversation found with session ID"
_CONTEXT_SUFFIX = re.compile(r"\[[^\]]*\]$")
_UNTRUSTED = re.compile(r"Ignoring (\d+) permissions\.allow entr(?:y|ies) from (\S+): this workspace has not been trusted")


@dataclass(frozen=True)
class ResultError:
    """Why a `result` line is a failure, in words a user can act on."""

    kind: str  # "max_turns", "unknown_session", "api_error", "error"
    reason: str
    api_status: int | None = None
    api_type: str | None = None
    hint: str | None = None


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def tool_target(tool_input: object) -> str:
    """What a tool call acts on: the file it writes or the command it runs."""
    if not isinstance(tool_input, dict):
        return ""
    for key in ("file_path", "notebook_path", "command", "path", "url", "pattern"):
        if isinstance(tool_input.get(key), str):
            return str(tool_input[key])
    return ""


def denials_in_result(result: dict[str, Any]) -> list[DeniedTool]:
    """`permission_denials[]` of the final `result` line."""
    denials = result.get("permission_denials")
    return [DeniedTool(_str(d.get("tool_name")) or "tool", tool_target(d.get("tool_input")),
                       _str(d.get("tool_use_id")))
            for d in (denials if isinstance(denials, list) else []) if isinstance(d, dict)]


def denial_message(tool_result: dict[str, Any]) -> str | None:
    """The refusal text of a `tool_result` block that was denied, else None (an ordinary error)."""
    if tool_result.get("is_error") is not True:
        return None
    content = tool_result.get("content")
    if isinstance(content, list):
        content = " ".join(_str(block.get("text")) for block in content if isinstance(block, dict))
    text = _str(content)
    return text if any(phrase in text for phrase in _DENIAL_PHRASES) else None


def permission_denied_line(record: dict[str, Any]) -> DeniedTool | None:
    """A 2.1.332 `system/permission_denied` line (its target comes from the matching tool_use)."""
    if record.get("type") != "system" or record.get("subtype") != "permission_denied":
        return None
    return DeniedTool(_str(record.get("tool_name")) or "tool", "", _str(record.get("tool_use_id")),
                      _str(record.get("message")) or _str(record.get("decision_reason")))


def merge_denials(*groups: list[DeniedTool]) -> list[DeniedTool]:
    """One entry per tool call, first seen first, each keeping the most that any source knew."""
    merged: dict[str, DeniedTool] = {}
    for denial in (d for group in groups for d in group):
        key = denial.tool_use_id or f"{denial.tool}:{denial.target}"
        known = merged.get(key)
        if known is None:
            merged[key] = denial
        else:
            merged[key] = DeniedTool(known.tool, known.target or denial.target, known.tool_use_id,
                                     known.message or denial.message)
    return list(merged.values())


def result_error(result: dict[str, Any]) -> ResultError | None:
    """Why the `result` line reports a failure, or None when it reports success."""
    subtype = _str(result.get("subtype"))
    if result.get("is_error") is not True and subtype in ("", "success"):
        return None
    errors = [e for e in result.get("errors") or [] if isinstance(e, str) and e.strip()]
    text = "; ".join(errors) or _str(result.get("result")).strip()
    status = result.get("api_error_status")
    status = status if isinstance(status, int) and not isinstance(status, bool) else None
    api_type = _str(result.get("api_error_type")) or None
    if subtype == "error_max_turns":
        return ResultError("max_turns", f"Claude Code stopped at its turn limit: {text or 'max turns reached'}")
    if subtype == "error_during_execution" and _UNKNOWN_SESSION in text:
        return ResultError("unknown_session", f"Claude Code has no such session to resume: {text}",
                           hint="the agent's session is gone; type the request again to start a fresh run")
    if status is not None:
        kind = f" ({api_type})" if api_type else ""
        return ResultError("api_error", f"Claude Code: API error {status}{kind}: {text}", status, api_type)
    named = f" ({subtype})" if subtype not in ("", "success") else ""
    return ResultError("error", f"Claude Code reported an error{named}: {text or 'no details'}")


def retry_text(record: dict[str, Any]) -> str | None:
    """`retry 1/1 after 500 (server_error)` for a `system/api_retry` line, else None."""
    if record.get("type") != "system" or record.get("subtype") != "api_retry":
        return None
    attempt, limit = record.get("attempt"), record.get("max_retries")
    status, error = record.get("error_status"), _str(record.get("error"))
    words = f"retry {attempt}/{limit}" if attempt is not None else "retry"
    if status is not None:
        words += f" after {status}"
    return f"{words} ({error})" if error else words


def normalise_model(name: object) -> str | None:
    """A model id without Claude Code's context-window suffix; None for none or `<synthetic>`."""
    text = _str(name).strip()
    if not text or text.startswith("<"):
        return None
    return _CONTEXT_SUFFIX.sub("", text) or None


def result_model(result: dict[str, Any], init_model: str | None) -> str | None:
    """The model that answered: `canonicalModel`, else the `modelUsage` key, else `system/init`'s."""
    usage = result.get("modelUsage")
    for key, entry in (usage.items() if isinstance(usage, dict) else []):
        canonical = entry.get("canonicalModel") if isinstance(entry, dict) else None
        model = normalise_model(canonical) or normalise_model(key)
        if model:
            return model
    return normalise_model(init_model)


def untrusted_settings(stderr_line: str) -> Notice | None:
    """Claude Code's "workspace has not been trusted" stderr notice as a warning with what to do.

    Claude ignores a project's `.claude/settings.json` permission rules until someone accepts
    its trust dialog there, which print mode never shows: the rules silently do not apply.
    """
    found = _UNTRUSTED.search(stderr_line)
    if found is None:
        return None
    count, source = int(found[1]), found[2]
    message = (f"Claude Code ignored {count} permissions.allow rule(s) in {source}: this folder is not "
               "a trusted Claude Code workspace")
    hint = ("give the rules to pm-runner instead (--allowed-tools 'RULE', or executors.claude-code."
            "allowed_tools in .claude/runner.config.json), or run `claude` here once and accept its trust dialog")
    return Notice.warning(message, hint, warning="untrusted_workspace", ignored_rules=count, settings_file=source)
