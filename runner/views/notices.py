"""A `Notice` as the lines a person reads: `WARNING: ...`, `ERROR: ...`, a plain line, then `HINT: ...`.

Pure: the terminal edge neutralises each line (`views.safe_text`) as it writes it.
"""

from __future__ import annotations

from runner.notices import Notice, NoticeLevel

_PREFIX = {NoticeLevel.INFO: "", NoticeLevel.WARNING: "WARNING: ", NoticeLevel.ERROR: "ERROR: "}


def notice_lines(notice: Notice) -> list[str]:
    """The notice's message with its level's prefix, and its hint on a line of its own."""
    lines = [f"{_PREFIX[notice.level]}{notice.message}"]
    if notice.hint:
        lines.append(f"HINT: {notice.hint}")
    return lines


def notice_text(notice: Notice) -> str:
    """The same lines joined, for places that keep one string per notice (tests, reports)."""
    return "\n".join(notice_lines(notice))
