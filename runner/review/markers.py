"""What Q2 and Q3 look for in a line an agent added: work-left markers and omission markers.

Q2: `TODO`, `FIXME` or `XXX` as a whole upper-case word (lower-case "todo" in prose is not a marker).
Q3: a placeholder where code was left out — `// ... rest unchanged`, `# ... existing code ...`,
`/* 省略 */`, `(rest of file unchanged)`, "omitted for brevity" and the like (spec/review-loop.md
lists every form). Python's `...` alone, or prose that merely mentions "the rest", is not one.
Pure: one line in, the marker found (or None) out. Lines are cut to `MAX_LINE_CHARS` first, and every
pattern is a plain alternation without nested repetition, so matching stays linear.
"""

from __future__ import annotations

import re

MAX_LINE_CHARS = 2_000

_TODO = re.compile(r"(?<![A-Za-z0-9_])(TODO|FIXME|XXX)(?![A-Za-z0-9_])")

_DOTS = r"(?:\.{3}|…)"
_AS_BEFORE = r"(?:unchanged|the same|as is|as before)"
_KEPT = rf"(?:unchanged|omitted|elided|not shown|(?:remains?|stays?|is|are)\s+{_AS_BEFORE})"
_PART = r"(?:file|code|function|class|method|implementation|content|module|component|body|logic|test|tests|script|config|document)"
_OLD = r"(?:existing|previous|original|unchanged|other|remaining|same|old)"
_OLD_AFTER_DOTS = r"(?:rest|remainder|existing|previous|original|remaining|unchanged|omitted|snip(?:ped)?)"
_OLD_THING = r"(?:code|content|implementation|logic|methods|functions|imports|tests|fields|properties|lines|styles|config|definitions|cases)"

_OMISSIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # `... rest of the code`, `… existing code …`, `... (unchanged)`, `...remaining methods`
    ("ellipsis placeholder", re.compile(
        rf"{_DOTS}\s*\(?\s*(?:the\s+)?{_OLD_AFTER_DOTS}\b", re.I)),
    # `existing code ...`, `previous implementation here`, `unchanged methods omitted`
    ("placeholder for old code", re.compile(
        rf"\b{_OLD}\s+{_OLD_THING}\s*(?:{_DOTS}|\b(?:here|goes here|unchanged|omitted|not shown|(?:remains?|stays?)\s+{_AS_BEFORE})\b)", re.I)),
    # `rest of file unchanged`, `(rest of the function remains the same)`
    ("rest unchanged", re.compile(
        rf"\b(?:rest|remainder)\s+of\s+(?:the\s+|this\s+)?{_PART}s?\b[^\n]{{0,40}}?\b{_KEPT}", re.I)),
    # `omitted for brevity`, `code omitted`, `snip`
    ("omitted for brevity", re.compile(
        r"\b(?:omitted|elided|skipped|truncated)\s+for\s+(?:brevity|clarity|space)\b|\b(?:code|content|details)\s+omitted\b"
        r"|\[\s*snip\s*\]|<\s*snip\s*>", re.I)),
    # a comment that is nothing but an ellipsis: `# ...`, `// …`, `/* ... */`, `<!-- ... -->`
    ("bare ellipsis comment", re.compile(rf"^\s*(?:#|//|/\*|<!--|--|;)\s*{_DOTS}\s*(?:\*/|-->)?\s*$")),
    # Japanese: 省略 ("omitted"), 以下略 / 以下同様 ("the rest as before"), （略）, 変更なし ("unchanged") in a comment
    ("省略 marker", re.compile(r"省略|以下略|以下同様|以下同じ|[（(]\s*略\s*[）)]|変更なし")),
)

# Where a line's comment or text could hold a placeholder: anything after a comment opener, or a
# line that is nothing but a parenthesised/bracketed note.
_COMMENT_OPENERS = ("#", "//", "/*", "<!--", "--", ";", "*", "{/*", '"""', "'''")


def todo_marker(line: str) -> str | None:
    """`TODO`, `FIXME` or `XXX` when the line holds one as a whole word, else None."""
    found = _TODO.search(line[:MAX_LINE_CHARS])
    return found.group(1) if found else None


def omission_marker(line: str) -> str | None:
    """The kind of omission placeholder the line holds, else None."""
    text = line[:MAX_LINE_CHARS]
    if not _could_be_placeholder(text):
        return None
    for kind, pattern in _OMISSIONS:
        if pattern.search(text):
            return kind
    return None


def _could_be_placeholder(text: str) -> bool:
    """A comment, a bracketed note or a bare ellipsis line — not code that happens to use `...`."""
    stripped = text.strip()
    if not stripped:
        return False
    if any(opener in stripped for opener in _COMMENT_OPENERS):
        return True
    if stripped[0] in "([{<" or stripped[0] in "…" or stripped.startswith("..."):
        return True
    return "省略" in stripped or "以下" in stripped or "略" in stripped


# Q5: words with which an agent's closing message says it changed files ("I've updated app.py",
# "Created hello.py", "- Fixed the parser"). Only past-tense first-person or sentence-start verbs
# count; "I will create" or "to update it, run …" do not.
_VERBS = ("created", "updated", "modified", "edited", "wrote", "written", "added", "fixed", "changed",
          "implemented", "refactored", "removed", "deleted", "renamed", "rewrote", "rewritten", "replaced",
          "moved")
_CHANGE_CLAIM = re.compile(
    rf"\bI(?:'ve|’ve| have)?\s+(?:also\s+|now\s+|just\s+)?(?:{'|'.join(_VERBS)})\b"
    rf"|^[ \t]*(?:[-*•][ \t]+|\d+[.)][ \t]+)?(?:\*\*)?(?:{'|'.join(v.capitalize() for v in _VERBS)})\b",
    re.M)


def change_claim(message: str) -> str | None:
    """The words of `message` that say the agent changed something, else None."""
    found = _CHANGE_CLAIM.search(message[:20_000])
    return found.group(0).strip(" \t-*•.)0123456789") if found else None
