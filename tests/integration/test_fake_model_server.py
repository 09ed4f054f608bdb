"""The fake model server over real HTTP, without any agent CLI: scripts, wire formats, errors."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.real_agents.fake_model.server import FakeModelServer

PROMPT = "Create hello.py that prints hello, then run it"


@pytest.fixture
def server(tmp_path: Path) -> Any:
    with FakeModelServer(tmp_path) as running:
        yield running


def post(server: FakeModelServer, path: str, body: dict[str, Any]) -> tuple[int, str]:
    request = urllib.request.Request(server.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def sse_data(text: str) -> list[dict[str, Any]]:
    return [json.loads(line[len("data: "):]) for line in text.splitlines() if line.startswith("data: ")]


def claude_body(messages: list[dict[str, Any]], model: str = "claude-opus-4-8") -> dict[str, Any]:
    return {"model": model, "stream": True, "messages": messages,
            "tools": [{"name": "Write"}, {"name": "Bash"}]}


def test_anthropic_script_writes_runs_then_answers(server: FakeModelServer, tmp_path: Path) -> None:
    """Each call plays the next step after the prompt: Write with an absolute path, Bash, then text."""
    prompt = {"role": "user", "content": [{"type": "text", "text": "<system-reminder>x</system-reminder>"},
                                          {"type": "text", "text": PROMPT}]}
    tool_turn = [{"role": "assistant", "content": [{"type": "tool_use"}]},
                 {"role": "user", "content": [{"type": "tool_result", "content": "ok"}]}]
    kinds = []
    for history in ([prompt], [prompt, *tool_turn], [prompt, *tool_turn, *tool_turn]):
        status, text = post(server, "/v1/messages?beta=true", claude_body(history))
        assert status == 200
        events = sse_data(text)
        assert [e["type"] for e in events][:2] == ["message_start", "content_block_start"]
        assert events[-1]["type"] == "message_stop"
        kinds.append(events[1]["content_block"])
    assert kinds[0]["name"] == "Write" and kinds[1]["name"] == "Bash" and kinds[2]["type"] == "text"
    write = json.loads(sse_data(post(server, "/v1/messages", claude_body([prompt]))[1])[3]["delta"]["partial_json"])
    assert write == {"file_path": str(tmp_path / "hello.py"), "content": "print('hello')\n"}
    assert server.call_summaries()[0] == "POST /v1/messages?beta=true model=claude-opus-4-8"


@pytest.mark.parametrize(("path", "body", "status", "needle"), [
    ("/v1/messages", claude_body([{"role": "user", "content": "fail-500: x"}]), 500, "api_error"),
    ("/v1/messages", claude_body([{"role": "user", "content": "fail-529: x"}]), 529, "overloaded_error"),
    ("/v1/messages", claude_body([{"role": "user", "content": PROMPT}], "no-such-model"), 404, "not_found_error"),
    ("/v1/responses", {"model": "gpt-5.5", "input": [{"type": "message", "role": "user", "content": [
        {"type": "input_text", "text": "fail-529: x"}]}]}, 529, "Overloaded"),
    ("/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse",
     {"contents": [{"role": "user", "parts": [{"text": "fail-529: x"}]}]}, 503, "UNAVAILABLE"),
    ("/v1beta/models/no-such-model:streamGenerateContent?alt=sse",
     {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}]}, 404, "NOT_FOUND"),
])
def test_failure_scenarios_answer_with_each_apis_error(server: FakeModelServer, path: str, body: dict[str, Any],
                                                       status: int, needle: str) -> None:
    """fail-500, fail-529 and an unknown model get the HTTP status and error body of that API."""
    got, text = post(server, path, body)
    assert (got, needle in text) == (status, True)


def test_codex_write_is_a_freeform_apply_patch(server: FakeModelServer, tmp_path: Path) -> None:
    """A write becomes Codex's custom `apply_patch` tool call adding the file by absolute path."""
    body = {"model": "gpt-5.5", "tools": [{"type": "custom", "name": "apply_patch"}], "input": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "<environment_context/>"}]},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": PROMPT}]}]}
    status, text = post(server, "/v1/responses", body)
    events = sse_data(text)
    item = next(e["item"] for e in events if e["type"] == "response.output_item.done")
    assert status == 200 and events[-1]["type"] == "response.completed"
    assert item["type"] == "custom_tool_call" and item["name"] == "apply_patch"
    assert item["input"] == f"*** Begin Patch\n*** Add File: {tmp_path / 'hello.py'}\n+print('hello')\n*** End Patch\n"
    assert events[-1]["response"]["usage"]["input_tokens_details"] == {"cached_tokens": 3000}


def test_gemini_router_call_and_a_tool_it_was_not_offered(server: FakeModelServer) -> None:
    """The router gets a complexity rating; without `write_file` on offer the model just says ok."""
    router = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}], "generationConfig": {
        "responseJsonSchema": {"properties": {"complexity_reasoning": {}, "complexity_score": {}}}}}
    status, text = post(server, "/v1beta/models/gemini-3.5-flash-lite:generateContent", router)
    rating = json.loads(json.loads(text)["candidates"][0]["content"]["parts"][0]["text"])
    assert status == 200 and set(rating) == {"complexity_reasoning", "complexity_score"}
    stream = {"contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
              "tools": [{"functionDeclarations": [{"name": "read_file"}]}]}
    status, text = post(server, "/v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse", stream)
    assert status == 200 and sse_data(text)[0]["candidates"][0]["content"]["parts"] == [{"text": "ok"}]
    assert server.call_summaries()[-1] == "POST /v1beta/models/gemini-3.8-flash:streamGenerateContent?alt=sse model=-"
