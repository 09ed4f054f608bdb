"""What a person sees of a running task at the prompt: its output live, folded when long.

Shell and command executors show their output lines (`  | line`); agent executors show the
assistant's text and one line per tool use (`● Write notes.md`, `● Bash: pytest -q`), not their
protocol (session start, tool results that went well, the result record). The first LIVE_LINES lines
of a task are printed as they come; the rest fold, and when the task ends the last FOLD_TAIL of them
are shown under a line saying how many were folded and where to read them all.
Every line is masked and neutralised here (`safe_str`): it came from the executor.
"""

from __future__ import annotations

from collections import deque

from runner.views.safe_text import safe_str

LIVE_LINES = 60
FOLD_TAIL = 5
TOOL_MARK = "●"
# Progress kinds that are protocol, not work a person follows (an error result is shown).
_QUIET_KINDS = frozenset({"init", "result", "tool_result"})


def display_lines(line: str, kind: str | None) -> list[str]:
    """The screen lines of one progress item (masked, neutralised); [] for protocol noise."""
    if kind in _QUIET_KINDS:
        return []
    if kind == "tool_use":
        return [f"{TOOL_MARK} {safe_str(line.splitlines()[0] if line.strip() else line)}"]
    if kind == "text":
        return [safe_str(part) for part in line.splitlines() if part.strip()]
    return [f"  | {safe_str(line)}"]


class Fold:
    """Counts a task's screen lines: live up to LIVE_LINES, then the last FOLD_TAIL kept for the end."""

    def __init__(self, task_id: str) -> None:
        self.task_id = task_id
        self.shown = 0
        self.folded = 0
        self._tail: deque[str] = deque(maxlen=FOLD_TAIL)

    def take(self, text: str) -> bool:
        """True when `text` is to be printed now; otherwise it is folded."""
        if self.shown < LIVE_LINES:
            self.shown += 1
            return True
        self.folded += 1
        self._tail.append(text)
        return False

    def closing_lines(self) -> list[str]:
        """After the task: how much was folded and its last lines (nothing when nothing was)."""
        if not self.folded:
            return []
        hidden = self.folded - len(self._tail)
        lines = [f"  … {hidden} more line{'s' if hidden != 1 else ''} folded "
                 f"(all of them: /logs {self.task_id} --full)"] if hidden else []
        return lines + list(self._tail)
