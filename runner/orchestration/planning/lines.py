"""Parts written one per line: Markdown checklists, numbered and bulleted lists, and the plain lines of a
pasted plan under a heading such as `Plan:` (spec/planning.md "Parts").

A list is its least-indented marker lines; deeper lines, and unmarked lines right under an item,
belong to that item. A blank line followed by an unindented line ends the list: what follows is
context, like what came before the list.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass

from runner.orchestration.planning.model import Extraction, Structure

_CHECK = re.compile(r"^(?P<indent>\s*)[-*+•]\s+\[(?P<mark>[ xX✓✔])\]\s*(?P<text>.*)$")
_NUMBER = re.compile(
    r"^(?P<indent>\s*)(?:"
    r"(?P<ascii>\d{1,3})[.)](?=\s)"  # 1.  1)
    r"|(?P<wide>[0-9０-９]{1,3})[．）、]"  # 1． １． 1、  (Japanese: no space needed)
    r"|[(（](?P<paren>[0-9０-９]{1,3})[)）]"  # (1) （１）
    r"|(?P<circled>[①-⑳])"
    r"|(?i:step)\s+(?P<step>\d{1,3})\s*[:.)]"  # Step 1:
    r")\s*(?P<text>.*)$")
_BULLET = re.compile(r"^(?P<indent>\s*)(?:[-*+](?=\s)|[•・‣▪●◦■])\s*(?P<text>.*)$")

# A line that announces a plan (a heading, or "...the following:"), after its Markdown marks are removed.
PLAN_HEADINGS = frozenset({
    "plan", "the plan", "steps", "tasks", "todo", "to do", "to-do", "todos", "checklist", "action items",
    "next steps", "work items", "changes", "subtasks", "implementation plan",
    "計画", "手順", "作業", "タスク", "やること", "ステップ", "作業内容", "実装計画", "todoリスト",
})
PLAN_INTRO_ENDINGS = ("the following", "following steps", "following tasks", "following changes",
                      "these steps", "these tasks", "these changes", "in this order", "in order")
PLAN_INTRO_JA = ("以下", "下記", "次の")


@dataclass(frozen=True)
class Line:
    raw: str
    kind: Structure | None  # CHECKLIST, NUMBERED or BULLETED when the line starts with that marker
    indent: int
    text: str  # without the marker
    number: int | None = None
    checked: bool = False

    @property
    def blank(self) -> bool:
        return not self.raw.strip()


def classify(raw: str) -> Line:
    """One line, with the list marker it starts with, if any."""
    raw = raw.expandtabs(4).rstrip()
    indent = len(raw) - len(raw.lstrip())
    if match := _CHECK.match(raw):
        return Line(raw, Structure.CHECKLIST, indent, match["text"].strip(), checked=match["mark"] != " ")
    if match := _NUMBER.match(raw):
        written = next(match[g] for g in ("ascii", "wide", "paren", "circled", "step") if match[g])
        return Line(raw, Structure.NUMBERED, indent, match["text"].strip(), number=_number(written))
    if match := _BULLET.match(raw):
        return Line(raw, Structure.BULLETED, indent, match["text"].strip())
    return Line(raw, None, indent, raw.strip())


def _number(written: str) -> int:
    if "①" <= written[0] <= "⑳":
        return int(unicodedata.numeric(written[0]))
    return int(written)  # int() reads fullwidth digits too


def introduces_plan(raw: str) -> bool:
    """Whether a line is a plan heading (`## Steps`, `TODO:`, `やること：`) or asks for what follows."""
    text = raw.strip().strip("#*_ ").rstrip(":：").strip("*_ ").lower()
    if text in PLAN_HEADINGS or text.endswith(PLAN_INTRO_ENDINGS):
        return True
    return any(word in text for word in PLAN_INTRO_JA) and raw.rstrip().endswith((":", "："))


def list_items(lines: list[Line], kind: Structure) -> Extraction | None:
    """The list of `kind` in `lines`: an Extraction (refused when it is not a plan), or None when there is none."""
    tops = [i for i, line in enumerate(lines) if line.kind is kind]
    if not tops:
        return None
    base = min(lines[i].indent for i in tops)
    tops = [i for i in tops if lines[i].indent == base]
    blocks, end = _item_blocks(lines, tops, base)
    if end is not None and any(i > end for i in tops):
        second = min(i for i in tops if i > end) + 1
        return _refused(f"two separate {kind}s (the second starts at line {second}); write them as one list "
                        "to split them", blocks)
    preamble = _join(lines[:tops[0]])
    epilogue = _join(lines[end:]) if end is not None else ""
    if kind is Structure.NUMBERED:
        return _numbered(lines, tops, blocks, preamble, epilogue)
    if kind is Structure.CHECKLIST:
        open_items = tuple(b for i, b in zip(tops, blocks, strict=True) if not lines[i].checked)
        done = tuple(b for i, b in zip(tops, blocks, strict=True) if lines[i].checked)
        return Extraction(kind, open_items, preamble, epilogue, left_out=done)
    last = next((line for line in reversed(lines[:tops[0]]) if not line.blank), None)
    if last is not None and not introduces_plan(last.raw):
        return _refused(f"the bulleted list follows an instruction ({_quote(last.raw)}), so it reads as that "
                        "instruction's details; number the items, or head them with a line such as 'Steps:', "
                        "to split them", blocks)
    return Extraction(kind, tuple(blocks), preamble, epilogue)


def _item_blocks(lines: list[Line], tops: list[int], base: int) -> tuple[list[str], int | None]:
    """Each item's text (its first line and the lines that belong to it), and where the list ends."""
    blocks: list[list[str]] = []
    starts = set(tops)
    gap = False
    for i in range(tops[0], len(lines)):
        line = lines[i]
        if i in starts:
            blocks.append([line.text])
            gap = False
        elif line.blank:
            gap = True
        elif gap and line.indent <= base:
            return [_block(b) for b in blocks], i
        else:
            blocks[-1].append(line.raw)
    return [_block(b) for b in blocks], None


def _block(parts: list[str]) -> str:
    first, rest = parts[0], parts[1:]
    return "\n".join([first, textwrap.dedent("\n".join(rest))]).strip() if rest else first


def _numbered(lines: list[Line], tops: list[int], blocks: list[str], preamble: str, epilogue: str) -> Extraction:
    numbers = [lines[i].number or 0 for i in tops]
    if len(set(numbers)) == 1 and len(numbers) > 1:  # Markdown's "1. 1. 1.": the numbers mean nothing
        return Extraction(Structure.NUMBERED, tuple(blocks), preamble, epilogue)
    for before, after, index in zip(numbers, numbers[1:], tops[1:], strict=False):
        if after <= before:
            return _refused(f"the numbering restarts at {after} on line {index + 1}: two separate numbered "
                            "lists; write them as one list to split them", blocks)
    references = {number: position for position, number in enumerate(numbers, 1)}
    return Extraction(Structure.NUMBERED, tuple(blocks), preamble, epilogue, references=references)


def plan_lines(lines: list[Line]) -> Extraction | None:
    """Plain lines under a plan heading (`Plan:` then one step per line), when there are at least two."""
    for index, line in enumerate(lines):
        if line.kind is None and introduces_plan(line.raw) and _is_heading(line.raw):
            start = index + 1
            while start < len(lines) and lines[start].blank:
                start += 1
            end = start
            while end < len(lines) and not lines[end].blank:
                end += 1
            body = lines[start:end]
            if len(body) >= 2 and all(b.kind is None for b in body):
                items = _plain_items(body)
                if len(items) >= 2:
                    return Extraction(Structure.PLAN_LINES, tuple(items), _join(lines[:start]), _join(lines[end:]))
    return None


def _is_heading(raw: str) -> bool:
    stripped = raw.strip()
    return stripped.startswith("#") or stripped.endswith((":", "：")) or stripped.strip("*_").lower() in PLAN_HEADINGS


def _plain_items(body: list[Line]) -> list[str]:
    """One item per line; a line indented deeper than the first continues the item above it."""
    base = body[0].indent
    items: list[list[str]] = []
    for line in body:
        if line.indent > base and items:
            items[-1].append(line.raw)
        else:
            items.append([line.text])
    return [_block(item) for item in items]


def _join(lines: list[Line]) -> str:
    return "\n".join(line.raw for line in lines).strip()


def _quote(raw: str, limit: int = 60) -> str:
    text = raw.strip()
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _refused(reason: str, items: list[str]) -> Extraction:
    """Not a plan; the items still count towards the request's size."""
    return Extraction(None, tuple(items), refused=reason)
