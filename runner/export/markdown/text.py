"""Logged text in Markdown that stays text: escaped inline, fenced blocks, cut with a visible marker.

Logged text is masked before it gets here (`MaskedSession`); this module only makes it inert for
Markdown readers (GitHub, GitLab, editors): every ASCII punctuation character that CommonMark or
GFM could read as markup is backslash-escaped, so a logged `![x](http://…)` is never an image, a
`<script>` never HTML, a `# x` never a heading and a `|` never a table column. Multi-line text goes
in a fenced block whose fence is longer than any backtick run inside it.
"""

from __future__ import annotations

import re

EMPTY = "—"  # a section or cell with no data
CUT_MARKER = "[… {n} more characters elided …]"
# Inline markup anywhere in a line: escapes, code, emphasis, links and images, HTML and entities,
# table pipes, strikethrough. At the start of a line (or a list item) any punctuation may open a
# block (`#`, `>`, `-`, `+`, `=`, fences, `1.`), so there every punctuation character is escaped too.
_MARKUP = re.compile(r"([\\`*_\[\]<>|~&])")
_LEADING = re.compile(r"^([!-/:-@\[-`{-~])|^(\d+)([.)])")
_BACKTICKS = re.compile(r"`+")


def inline(text: object, limit: int = 300) -> str:
    """One line of inert Markdown: whitespace collapsed, cut to `limit` characters, markup escaped."""
    flat = " ".join(str(text).split())
    cut = flat if len(flat) <= limit else flat[:limit] + "…"
    if not cut:
        return EMPTY
    escaped = _MARKUP.sub(r"\\\1", cut)
    if escaped.startswith("\\"):
        return escaped  # already escaped by the pass above
    return _LEADING.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), escaped, count=1)


def code(text: object, *, in_table: bool = False) -> str:
    """An inline code span for short machine text (ids, paths, commands) on one line.

    In a table a `|` ends the cell even inside a code span, so there it is escaped (GFM).
    """
    flat = " ".join(str(text).split())
    if in_table:
        flat = flat.replace("|", "\\|")
    if not flat:
        return EMPTY
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def cut(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, saying how many were dropped."""
    if len(text) <= limit:
        return text
    return text[:limit] + "\n" + CUT_MARKER.format(n=len(text) - limit)


def block(text: str, *, language: str = "text", limit: int = 2_000) -> str:
    """A fenced block holding `text` verbatim (cut to `limit` characters), never read as Markdown."""
    body = cut(text.rstrip("\n"), limit)
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{body}\n{fence}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GFM table; cells must already be inert (`inline`, `code`, or our own words)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell or EMPTY for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def bullets(items: list[str]) -> str:
    """A bullet list of inert items, or the empty mark."""
    return "\n".join(f"- {item}" for item in items) if items else EMPTY


def elided(count: int) -> str:
    return f"[… {count} events elided …]"


def head_and_tail(items: list[str], keep: int | None) -> list[str]:
    """All items, or the first and last `keep` with a marker saying how many were elided between."""
    if keep is None or len(items) <= 2 * keep:
        return items
    return items[:keep] + [elided(len(items) - 2 * keep)] + items[len(items) - keep:]
