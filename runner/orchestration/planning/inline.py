"""Parts written inside running text: an inline numbered list (`1. add the parser 2. add tests`) and a
"first … then … finally" sequence, in English or Japanese (`まず…、次に…、最後に…`).

Both need an explicit opener: the number 1 at the start of the text or after a colon or a
sentence's end, or the word "first" (まず, 最初に) opening a sentence. A plain "do X then Y" is
never split: "then" alone also joins a condition ("if it fails then retry").
"""

from __future__ import annotations

import re

from runner.orchestration.planning.model import Extraction, Structure

_INLINE_MARK = re.compile(
    r"(?:(?<=[\s、。,;；:：])|^)"
    r"(?:(?P<ascii>\d{1,2})[.)](?=\s)|(?P<wide>[0-9０-９]{1,2})[．）]|[(（](?P<paren>[0-9０-９]{1,2})[)）]"
    r"|(?P<circled>[①-⑳]))\s*")
_OPENS_LIST = (":", "：", ".", "。", "!", "?", "！", "？")

_FIRST = re.compile(r"(?:^|(?<=[.!?:]\s)|(?<=\n))(?:first of all|firstly|first|to begin with)\b[,:]?\s*", re.I)
_THEN = re.compile(r"(?:[,;.]\s*(?:and\s+)?|\s+and\s+)(then|next|after that|afterwards|afterward|finally|lastly)"
                   r"\b(?!\s+to\b)[,:]?\s*", re.I)
_FIRST_JA = re.compile(r"(?:^|(?<=[。\n]))(?:まず|最初に|はじめに)[、,]?\s*")
_THEN_JA = re.compile(r"[、。,]?\s*(次に|それから|その後|そのあと|続いて|最後に)[、,]?\s*")
# A sequence told in the first person is an account of what happened, not steps to take.
_ACCOUNT = re.compile(r"^(?:(?:i|we|i've|we've|i'd|we'd|i'm|we're|my|our)\b|私|僕|我々)", re.I)
_TRAILING = " \t\n.,;、。，；"


def inline_numbered(text: str) -> Extraction | None:
    """`1. a 2. b 3. c` in running text: numbers 1, 2, 3... in order, the first opening the text or a
    sentence, the others inside a line."""
    marks = list(_INLINE_MARK.finditer(text))
    for start, mark in enumerate(marks):
        before = text[: mark.start()].rstrip()
        if _written(mark) != 1 or (before and not before.endswith(_OPENS_LIST)):
            continue
        chain = [mark]
        for later in marks[start + 1:]:
            if _written(later) == len(chain) + 1 and not _opens_line(text, later):
                chain.append(later)
        if len(chain) >= 2:
            ends = [m.start() for m in chain[1:]] + [len(text)]
            items = tuple(text[m.end():end].strip(_TRAILING) for m, end in zip(chain, ends, strict=True))
            if all(items):
                return Extraction(Structure.INLINE_NUMBERED, items, before)
    return None


def _opens_line(text: str, mark: re.Match[str]) -> bool:
    """A number opening a line belongs to a list written one item per line (`planning.lines`), not to running text."""
    line_start = text.rfind("\n", 0, mark.start()) + 1
    return not text[line_start:mark.start()].strip()


def _written(mark: re.Match[str]) -> int:
    if mark["circled"]:
        return "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳".index(mark["circled"]) + 1
    return int(mark["ascii"] or mark["wide"] or mark["paren"])


def sequence(text: str) -> Extraction | None:
    """"First X, then Y, and finally Z" (or まず X、次に Y、最後に Z): one item per step, each after the one before."""
    for first, then in ((_FIRST, _THEN), (_FIRST_JA, _THEN_JA)):
        opener = first.search(text)
        if opener is None:
            continue
        rest = text[opener.end():]
        pieces: list[str] = []
        words: list[str | None] = [None]
        cursor = 0
        for match in then.finditer(rest):
            pieces.append(rest[cursor:match.start()])
            words.append(match.group(1).lower())
            cursor = match.end()
        pieces.append(rest[cursor:])
        items = tuple(piece.strip(_TRAILING) for piece in pieces)
        if len(items) < 2 or not all(items):
            continue
        if _ACCOUNT.match(items[0]):
            return Extraction(None, items, refused="the sequence reads as an account of what happened "
                              f"({items[0][:40]!r}…), not as steps to take")
        return Extraction(Structure.SEQUENCE, items, text[: opener.start()].strip(), order_words=tuple(words))
    return None
