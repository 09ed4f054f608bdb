"""The Anthropic Messages API (`POST /v1/messages`, SSE) as Claude Code calls it.

Usage per call is fixed (1200 input + 300 cache-write + 2000 cache-read, 42 output), as in
the recordings, so the CLI's sums can be checked exactly.
"""

from __future__ import annotations

import json
from typing import Any

from tests.real_agents.fake_model import scripts
from tests.real_agents.fake_model.wire import Context, Reply, json_reply, new_id, sse_reply, text_of

USAGE = {"input_tokens": 1200, "cache_creation_input_tokens": 300,
         "cache_read_input_tokens": 2000, "output_tokens": 42}
ERRORS = {
    "server_error": (500, "api_error", "Internal server error"),
    "overloaded": (529, "overloaded_error", "Overloaded"),
    "invalid_model": (404, "not_found_error", "model: {model}"),
}


def handles(method: str, path: str) -> bool:
    return method == "POST" and path.split("?")[0] in ("/v1/messages", "/v1/messages/count_tokens")


def reply(path: str, body: dict[str, Any], ctx: Context) -> Reply:
    if path.split("?")[0].endswith("/count_tokens"):
        return json_reply(200, {"input_tokens": USAGE["input_tokens"]})
    model = str(body.get("model") or "")
    prompt, done = conversation(body.get("messages"))
    script = scripts.script_for(prompt, model)
    if script.failure is not None:
        status, kind, message = ERRORS[script.failure.kind]
        return json_reply(status, {"type": "error", "error": {"type": kind, "message": message.format(model=model)}})
    offered = {tool.get("name") for tool in body.get("tools") or [] if isinstance(tool, dict)}
    block = _block(script.step(done), offered, ctx)
    stop = "tool_use" if block["type"] == "tool_use" else "end_turn"
    if body.get("stream") is not True:
        return json_reply(200, _message(model, [block], stop, USAGE))
    return sse_reply(_events(model, block, stop))


def conversation(messages: object) -> tuple[str, int]:
    """The latest user prompt and how many assistant turns already follow it."""
    turns = messages if isinstance(messages, list) else []
    prompt, start = "", 0
    for index, message in enumerate(turns):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result"
                                             for b in content):
            continue
        texts = [text for text in text_of(content) if not scripts.is_instruction_text(text)]
        if texts:
            prompt, start = texts[-1], index
    done = sum(1 for message in turns[start + 1:]
               if isinstance(message, dict) and message.get("role") == "assistant")
    return prompt, done


def _block(step: scripts.Step, offered: set[Any], ctx: Context) -> dict[str, Any]:
    if isinstance(step, scripts.WriteFile) and "Write" in offered:
        return _tool_use("Write", {"file_path": ctx.absolute(step.path), "content": step.content})
    if isinstance(step, scripts.RunCommand) and "Bash" in offered:
        return _tool_use("Bash", {"command": step.command, "description": step.description})
    if isinstance(step, scripts.AskUser):
        return {"type": "text", "text": step.question}
    return {"type": "text", "text": step.text if isinstance(step, scripts.Say) else "ok"}


def _tool_use(name: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tool_use", "id": new_id("toolu_"), "name": name, "input": tool_input}


def _message(model: str, content: list[dict[str, Any]], stop: str | None,
             usage: dict[str, int]) -> dict[str, Any]:
    return {"id": new_id("msg_"), "type": "message", "role": "assistant", "model": model,
            "content": content, "stop_reason": stop, "stop_sequence": None, "usage": usage}


def _events(model: str, block: dict[str, Any], stop: str) -> list[tuple[str | None, dict[str, Any]]]:
    """message_start, one content block streamed as a delta, message_delta with the usage, stop."""
    if block["type"] == "tool_use":
        start = {**block, "input": {}}
        delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
    else:
        start = {"type": "text", "text": ""}
        delta = {"type": "text_delta", "text": block["text"]}
    first = _message(model, [], None, {**USAGE, "output_tokens": 1})
    return [
        ("message_start", {"type": "message_start", "message": first}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": start}),
        ("ping", {"type": "ping"}),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                           "usage": {"output_tokens": USAGE["output_tokens"]}}),
        ("message_stop", {"type": "message_stop"}),
    ]
