"""The OpenAI Responses API (`POST /v1/responses`, SSE) as Codex CLI calls it.

Writes go through Codex's freeform `apply_patch` tool, commands through `exec_command`, and
questions through `request_user_input`. Usage per call is fixed (5000 input of which 3000
cached, 60 output of which 10 reasoning), as in the recordings.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tests.real_agents.fake_model import scripts
from tests.real_agents.fake_model.wire import Context, Reply, json_reply, new_id, sse_reply, text_of

USAGE = {"input_tokens": 5000, "input_tokens_details": {"cached_tokens": 3000},
         "output_tokens": 60, "output_tokens_details": {"reasoning_tokens": 10}, "total_tokens": 5060}
_MODEL_TURN_TYPES = frozenset({"function_call", "custom_tool_call", "local_shell_call"})


def handles(method: str, path: str) -> bool:
    return method == "POST" and path.split("?")[0] == "/v1/responses"


def reply(path: str, body: dict[str, Any], ctx: Context) -> Reply:
    model = str(body.get("model") or "")
    prompt, done = conversation(body.get("input"))
    script = scripts.script_for(prompt, model)
    if script.failure is not None:
        return _error(script.failure.kind, model)
    offered = {tool.get("name") for tool in body.get("tools") or [] if isinstance(tool, dict)}
    item = _item(script.step(done), offered, ctx)
    return sse_reply(_events(model, item))


def conversation(items: object) -> tuple[str, int]:
    """The latest user prompt and how many model turns (calls or messages) follow it."""
    entries = items if isinstance(items, list) else []
    prompt, start = "", 0
    for index, item in enumerate(entries):
        if isinstance(item, dict) and item.get("type") == "message" and item.get("role") == "user":
            texts = [text for text in text_of(item.get("content")) if not scripts.is_instruction_text(text)]
            if texts:
                prompt, start = texts[-1], index
    done = sum(1 for item in entries[start + 1:] if isinstance(item, dict) and (
        item.get("type") in _MODEL_TURN_TYPES
        or (item.get("type") == "message" and item.get("role") == "assistant")))
    return prompt, done


def _error(kind: str, model: str) -> Reply:
    if kind == "invalid_model":
        return json_reply(404, {"error": {
            "message": f"The model `{model}` does not exist or you do not have access to it.",
            "type": "invalid_request_error", "param": None, "code": "model_not_found"}})
    if kind == "overloaded":
        return Reply(529, b"Overloaded", "text/plain")
    return json_reply(500, {"error": {"message": "The server had an error while processing your request.",
                                      "type": "server_error", "param": None, "code": None}})


def _item(step: scripts.Step, offered: set[Any], ctx: Context) -> dict[str, Any]:
    if isinstance(step, scripts.WriteFile) and "apply_patch" in offered:
        lines = "".join(f"+{line}\n" for line in step.content.splitlines())
        patch = f"*** Begin Patch\n*** Add File: {ctx.absolute(step.path)}\n{lines}*** End Patch\n"
        return {"type": "custom_tool_call", "id": new_id("ctc_"), "call_id": new_id("call_"),
                "name": "apply_patch", "input": patch, "status": "completed"}
    if isinstance(step, scripts.RunCommand) and "exec_command" in offered:
        return _function_call("exec_command", {"cmd": step.command})
    if isinstance(step, scripts.AskUser) and "request_user_input" in offered:
        question = {"id": "file_name", "header": "File name", "question": step.question, "options": [
            {"label": "greeting.txt (Recommended)", "description": "A descriptive name."},
            {"label": "hello.txt", "description": "A short name."}]}
        return _function_call("request_user_input", {"questions": [question]})
    text = step.text if isinstance(step, scripts.Say) else "ok"
    return {"type": "message", "id": new_id("msg_"), "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": []}]}


def _function_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function_call", "id": new_id("fc_"), "call_id": new_id("call_"), "name": name,
            "arguments": json.dumps(arguments), "status": "completed"}


def _events(model: str, item: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    """response.created, the one output item added and done, response.completed with usage."""
    response = {"id": new_id("resp_"), "object": "response", "created_at": int(time.time()),
                "model": model, "status": "in_progress", "output": []}
    done = {**response, "status": "completed", "output": [item], "usage": USAGE}
    events: list[tuple[str | None, dict[str, Any]]] = [
        ("response.created", {"type": "response.created", "response": response}),
        ("response.output_item.added", {"type": "response.output_item.added", "output_index": 0,
                                        "item": {**item, "status": "in_progress"}}),
    ]
    if item["type"] == "message":
        text = item["content"][0]["text"]
        events.append(("response.output_text.delta", {"type": "response.output_text.delta",
                                                      "item_id": item["id"], "output_index": 0,
                                                      "content_index": 0, "delta": text}))
    events += [
        ("response.output_item.done", {"type": "response.output_item.done", "output_index": 0, "item": item}),
        ("response.completed", {"type": "response.completed", "response": done}),
    ]
    return [(name, {**data, "sequence_number": number}) for number, (name, data) in enumerate(events)]
