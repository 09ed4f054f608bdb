"""The Gemini API (`/v1beta/models/<model>:streamGenerateContent?alt=sse`, `:generateContent`).

Gemini CLI first asks a small model to rate the prompt's complexity (a JSON `generateContent`
call, counted in its stats) and then streams from the model it picked. Usage per call is fixed
(4000 prompt tokens of which 1000 cached, 50 output, 20 thinking), as in the recordings.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tests.real_agents.fake_model import scripts
from tests.real_agents.fake_model.wire import Context, Reply, json_reply, new_id, sse_reply

USAGE = {"promptTokenCount": 4000, "candidatesTokenCount": 50, "cachedContentTokenCount": 1000,
         "thoughtsTokenCount": 20, "totalTokenCount": 4070}
_PATH = re.compile(r"^/v1beta/models/(?P<model>[^:/]+):(?P<method>\w+)")
ERRORS = {
    "server_error": (500, "Internal error encountered.", "INTERNAL"),
    "overloaded": (503, "The model is overloaded. Please try again later.", "UNAVAILABLE"),
    "invalid_model": (404, "models/{model} is not found for API version v1beta, or is not supported "
                           "for generateContent.", "NOT_FOUND"),
}


def handles(method: str, path: str) -> bool:
    return method == "POST" and _PATH.match(path) is not None


def reply(path: str, body: dict[str, Any], ctx: Context) -> Reply:
    match = _PATH.match(path)
    assert match is not None
    model, method = match["model"], match["method"]
    if method == "countTokens":
        return json_reply(200, {"totalTokens": 100})
    prompt, done = conversation(body.get("contents"))
    script = scripts.script_for(prompt, model)
    if method == "generateContent":
        return json_reply(200, _candidate([{"text": _router_answer(body)}], model))
    if script.failure is not None:
        status, message, code = ERRORS[script.failure.kind]
        return json_reply(status, {"error": {"code": status, "message": message.format(model=model),
                                             "status": code}})
    offered = {declaration.get("name") for tool in body.get("tools") or [] if isinstance(tool, dict)
               for declaration in tool.get("functionDeclarations") or [] if isinstance(declaration, dict)}
    part = _part(script.step(done), offered, ctx)
    return sse_reply([(None, _candidate([part], model))], separator="\r\n")


def conversation(contents: object) -> tuple[str, int]:
    """The latest user prompt and how many model turns follow it."""
    entries = contents if isinstance(contents, list) else []
    prompt, start = "", 0
    for index, content in enumerate(entries):
        if not isinstance(content, dict) or content.get("role") != "user":
            continue
        parts = [part for part in content.get("parts") or [] if isinstance(part, dict)]
        texts = [part["text"] for part in parts if isinstance(part.get("text"), str)
                 and not scripts.is_instruction_text(part["text"])]
        if texts and not any("functionResponse" in part for part in parts):
            prompt, start = texts[-1], index
    done = sum(1 for content in entries[start + 1:]
               if isinstance(content, dict) and content.get("role") == "model")
    return prompt, done


def _router_answer(body: dict[str, Any]) -> str:
    """The complexity rating Gemini CLI's model router asks for: trivial, so the flash model."""
    schema = (body.get("generationConfig") or {}).get("responseJsonSchema") or {}
    wanted = set((schema.get("properties") or {}).keys())
    answer: dict[str, Any] = {"complexity_reasoning": "A single small file.", "complexity_score": 1}
    return json.dumps({key: value for key, value in answer.items() if key in wanted} or answer)


def _part(step: scripts.Step, offered: set[Any], ctx: Context) -> dict[str, Any]:
    if isinstance(step, scripts.WriteFile) and "write_file" in offered:
        return {"functionCall": {"name": "write_file",
                                 "args": {"file_path": ctx.absolute(step.path), "content": step.content}}}
    if isinstance(step, scripts.RunCommand) and "run_shell_command" in offered:
        return {"functionCall": {"name": "run_shell_command",
                                 "args": {"command": step.command, "description": step.description}}}
    if isinstance(step, scripts.AskUser):
        return {"text": step.question}
    return {"text": step.text if isinstance(step, scripts.Say) else "ok"}


def _candidate(parts: list[dict[str, Any]], model: str) -> dict[str, Any]:
    return {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": USAGE, "modelVersion": model, "responseId": new_id("", 22)}
