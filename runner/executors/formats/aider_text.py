"""aider's plain text (`aider --message ... --no-pretty --no-stream`): there is no JSON mode.

Lines it prints (format strings of base_coder.py / repo.py, research §1.3): `Main model: M with
...` (the model), `Applied edit to PATH` (a claim), `Commit HASH MESSAGE`, `Tokens: 2.3k sent[,
1.1k cache write][, 4.5k cache hit], 85 received. Cost: $0.0082 message, $0.0082 session.`
(rounded tokens, a real cost), `The LLM did not conform to the edit format.` (the edit failed),
and API errors followed by `Retrying in N seconds...`. aider exits 0 whatever happened, so the
verdict is the last of: a `Tokens:` line (a model call finished: success so far), an API error
(failed so far), a malformed edit (failed). Every other line is the agent's text.
"""

from __future__ import annotations

import re
from typing import Any

from runner.executors.formats.items import (
    Claim,
    Item,
    NoteItem,
    Outcome,
    ResultItem,
    SessionItem,
    TextItem,
    ToolEnd,
    UsageItem,
    WarningItem,
)

_MODEL = re.compile(r"^Main model: (\S+)")
_APPLIED = re.compile(r"^Applied edit to (.+?)\s*$")
_COMMIT = re.compile(r"^Commit [0-9a-f]{7,} ")
_TOKENS = re.compile(r"^Tokens: (?P<sent>[\d.]+[kM]?) sent(?:, (?P<write>[\d.]+[kM]?) cache write)?"
                     r"(?:, (?P<hit>[\d.]+[kM]?) cache hit)?, (?P<received>[\d.]+[kM]?) received\.")
_COST = re.compile(r"Cost: \$(?P<message>[\d.]+) message")
_RETRY = re.compile(r"^Retrying in [\d.]+ seconds")
_API_ERROR = re.compile(r"^(litellm\.\w+|The API provider|\w+Error: )")
_EDIT_START, _EDIT_END = "<<<<<<< SEARCH", ">>>>>>> REPLACE"
_MALFORMED = "The LLM did not conform to the edit format."
_BANNER = ("Aider v", "Weak model:", "Git repo:", "Repo-map:", "Added ", "https://aider.chat/")


def tokens(text: str | None) -> int | None:
    """aider's rounded counts back to numbers: `2.3k` -> 2300, `12k` -> 12000, `85` -> 85."""
    if not text:
        return None
    scale = {"k": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return round(float(text.rstrip("kM")) * scale)


class AiderDecoder:
    """Decodes aider's stdout text line by line, one per run (it knows when it is inside an edit block)."""

    json_lines = False

    def __init__(self) -> None:
        self._in_edit = False

    def stdout(self, record: Any) -> list[Item]:
        line = str(record).rstrip()
        if line.startswith(_EDIT_START) or self._in_edit:
            self._in_edit = not line.startswith(_EDIT_END)
            return [NoteItem(line)]
        if found := _MODEL.match(line):
            return [SessionItem(None, found[1])]
        if found := _APPLIED.match(line):
            return [ToolEnd(f"edit:{found[1]}", "edit", claims=(Claim(found[1]),))]
        if found := _TOKENS.match(line):
            return [_usage(found, line), ResultItem(Outcome.SUCCESS)]
        if line == _MALFORMED:
            return [ResultItem(Outcome.FAILED, "edit_format", "aider's edit did not apply: " + _MALFORMED)]
        if _RETRY.match(line):
            return [WarningItem(line, transient=True)]
        if _API_ERROR.match(line):
            return [WarningItem(line), ResultItem(Outcome.FAILED, "api_error", line)]
        if _COMMIT.match(line) or line.startswith(_BANNER):
            return [NoteItem(line)]
        return [TextItem(line + "\n", delta=True)]

    def stderr(self, line: str) -> list[Item]:
        return []


def _usage(found: re.Match[str], line: str) -> UsageItem:
    sent, write, hit = tokens(found["sent"]), tokens(found["write"]), tokens(found["hit"])
    cost = _COST.search(line)
    known = [n for n in (sent, write, hit) if n is not None]
    return UsageItem(input_tokens=sum(known) if known else None, cached_input_tokens=hit,
                     output_tokens=tokens(found["received"]),
                     cost_usd=float(cost["message"]) if cost else None, num_turns=1)
