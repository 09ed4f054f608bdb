"""Turning a child's raw output bytes into masked lines for the TaskLog and the raw log, within caps.

Each stream is decoded incrementally (invalid UTF-8 is replaced, never fatal), masked on
whole lines, and split a second time into unmasked lines that only stay in memory for
prompt detection and executor parsers. One `OutputBudget` per run caps what reaches the sink.
"""

from __future__ import annotations

import codecs
from collections import deque
from collections.abc import Callable
from typing import Any

from runner.executors.base import EventSink, raw_log_block, raw_log_line
from runner.executors.prompts import (
    SCAN_CHARS,
    match_prompt,
    match_stdin_message,
    mentions_stdin_message,
)
from runner.logs.masking import StreamMasker
from runner.logs.masking.stream import Piece
from runner.logs.models import EventType

MAX_OUTPUT_EVENTS = 500
MAX_RAW_BYTES = 20 * 1024 * 1024
MAX_EVENT_CHARS = 4_000
# An unmasked line longer than this is cut before it reaches a parser (it is still fully raw-logged).
MAX_PARSE_CHARS = 16 * 1024 * 1024
TAIL_LINES = 40
# A prompt-like line still counts as the output's end when at most this many lines follow it.
MENU_LINES = 8


class OutputBudget:
    """Caps shared by every stream of one run: output events and raw-log bytes."""

    def __init__(self, sink: EventSink, *, max_events: int = MAX_OUTPUT_EVENTS,
                 max_raw_bytes: int = MAX_RAW_BYTES) -> None:
        self._sink = sink
        self._max_events = max_events
        self._max_raw_bytes = max_raw_bytes
        self.events_sent = 0
        self.events_dropped = 0
        self.raw_bytes = 0
        self.raw_bytes_dropped = 0

    def event(self, event_type: EventType, content: dict[str, Any]) -> None:
        """Send an output/progress event while under the cap; past it, only count it."""
        if self.events_sent >= self._max_events:
            self.events_dropped += 1
            return
        self.events_sent += 1
        self._sink.event(event_type, content)

    def raw(self, stream: str, line: str) -> None:
        """Append a masked line to the raw log while under the byte cap; once a line did not fit,
        nothing more is kept (the raw log has no holes), only counted."""
        size = len(raw_log_line(stream, line).encode("utf-8", "replace"))
        if self.raw_bytes_dropped or self.raw_bytes + size > self._max_raw_bytes:
            self.raw_bytes_dropped += size
            return
        self.raw_bytes += size
        self._sink.raw_line(stream, line)

    def raw_block(self, stream: str, lines: str) -> int:
        """`raw` for many lines (`lines`: joined by newlines) in one write; line by line only when
        the byte cap falls among them. Returns how many lines `lines` holds."""
        block = raw_log_block(stream, lines)
        size = len(block) if block.isascii() else len(block.encode("utf-8", "replace"))
        if self.raw_bytes_dropped:
            self.raw_bytes_dropped += size
        elif self.raw_bytes + size > self._max_raw_bytes:
            for line in lines.split("\n"):
                self.raw(stream, line)
        else:
            self.raw_bytes += size
            self._sink.raw_block(stream, block)
        # Each line got one prefix (and the block one final newline): counted without a second scan.
        return (len(block) - len(lines) - 1) // (len(stream) + 3)

    def events(self, stream: str, lines: str, count: int) -> None:
        """EXECUTOR_OUTPUT events for whole masked lines (`lines`: `count` lines joined by newlines)
        while under the cap (durable together); past it, only counted. Once the cap is reached the
        lines are not even split."""
        room = max(0, self._max_events - self.events_sent)
        kept = lines.split("\n", room)[:room] if room else []
        if kept:
            self.events_sent += len(kept)
            self._sink.event_batch(EventType.EXECUTOR_OUTPUT,
                                   [{"stream": stream, "line": _event_text(line)} for line in kept])
        self.events_dropped += count - len(kept)

    def close(self) -> None:
        """Leave one note for each cap that was reached, so the log says what it does not hold."""
        if self.events_dropped:
            self._sink.event(EventType.EXECUTOR_OUTPUT, {
                "stream": "runner",
                "line": f"[{self.events_dropped} more output lines were written only to the raw log]",
                "dropped_lines": self.events_dropped,
            })
        if self.raw_bytes_dropped:
            self._sink.raw_line("runner", f"[raw log cap of {self._max_raw_bytes} bytes reached; "
                                          f"{self.raw_bytes_dropped} more bytes were not kept]")


LineCallback = Callable[[str, str], None]


def _event_text(masked: str, *, whole: bool = True) -> str:
    """An output event's line: already masked, so cut without masking a second time."""
    if len(masked) > MAX_EVENT_CHARS or not whole:
        return masked[:MAX_EVENT_CHARS] + "[TRUNCATED]"
    return masked


class OutputChannel:
    """One output stream of a child: decode, mask, log, and watch for prompts."""

    def __init__(self, stream: str, budget: OutputBudget, *, emit_events: bool, scan_prompts: bool,
                 on_line: LineCallback | None = None) -> None:
        self.stream = stream
        self._budget = budget
        self._emit_events = emit_events
        self.scan_prompts = scan_prompts
        self._on_line = on_line
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._masker = StreamMasker()
        self._partial: list[str] = []
        self._partial_len = 0
        self._tail: deque[str] = deque(maxlen=TAIL_LINES)
        self._tail_block: str | None = None  # the last block of whole lines, not yet split into the tail
        self.last_prompt: str | None = None  # the last prompt-like line, while few lines followed it
        self._lines_after_prompt = 0
        self.stdin_message: str | None = None
        self.trailing_partial: str = ""
        self.line_count = 0
        self._line_open = False  # a piece of the current line was emitted and more of it follows

    @property
    def tail(self) -> deque[str]:
        """The last TAIL_LINES masked lines (each cut to MAX_EVENT_CHARS): the run's result shows them.
        A block of lines is split into it only when asked, not on every read."""
        self._settle_tail()
        return self._tail

    def _settle_tail(self) -> None:
        if self._tail_block is not None:
            block, self._tail_block = self._tail_block, None
            self._tail.extend(line[:MAX_EVENT_CHARS] for line in block.rsplit("\n", TAIL_LINES)[-TAIL_LINES:])

    def feed(self, data: bytes) -> None:
        """Take bytes as they were read; handle every line they complete."""
        self._take(self._decoder.decode(data))

    def finish(self) -> None:
        """End of stream: flush the decoder, the masker and the unterminated last line."""
        self._take(self._decoder.decode(b"", final=True))
        for masked in self._masker.flush_pieces():
            self._emit(masked)
        last = self.partial_line()
        self.trailing_partial = last
        if self._partial_len:
            self._raw_line("".join(self._partial))
        self._partial, self._partial_len = [], 0

    def partial_line(self) -> str:
        """The head of the current unterminated line (what a `Continue? [Y/n] ` prompt leaves)."""
        return "".join(self._partial)[:SCAN_CHARS] if self._partial_len else ""

    def waiting_prompt(self) -> str | None:
        """The prompt this stream's output ends with, if any: its unterminated line, else a prompt-like
        line followed by at most MENU_LINES lines (a menu's choices)."""
        if not self.scan_prompts:
            return None
        partial = self.partial_line()
        if partial.strip() and (prompt := match_prompt(partial)) is not None:
            return prompt
        return self.last_prompt

    def _take(self, text: str) -> None:
        if not text:
            return
        masked = self._masker.feed_text(text)
        if isinstance(masked, list) and masked and all(piece.ends_line and piece.shown for piece in masked):
            masked = "\n".join(piece.text for piece in masked)
        if isinstance(masked, str) and not self._line_open:
            self._emit_block(masked)
        else:
            for piece in masked if isinstance(masked, list) else [Piece(line, True) for line in masked.split("\n")]:
                self._emit(piece)
        first_end = text.find("\n")
        if first_end == -1:
            self._append_partial(text)
            return
        self._append_partial(text[:first_end])
        first = "".join(self._partial)
        self._partial, self._partial_len = [], 0
        last_end = text.rfind("\n")
        self._watch_lines(first, text[first_end + 1:last_end] if last_end > first_end else None,
                          complaint=self.stdin_message is None and mentions_stdin_message(text))
        self._append_partial(text[last_end + 1:])

    def _emit_block(self, masked: str) -> None:
        """Whole masked lines (joined by newlines), the usual case, handled together: one raw-log
        write, the events the cap still allows, the tail (the same result as `_emit` for each), and
        no object per line."""
        count = self._budget.raw_block(self.stream, masked)
        self.line_count += count
        if count < TAIL_LINES:  # the tail also needs lines of the block before this one
            self._settle_tail()
        self._tail_block = masked
        if self._emit_events:
            self._budget.events(self.stream, masked, count)

    def _watch_lines(self, first: str, rest: str | None, *, complaint: bool) -> None:
        """The unmasked complete lines of one read (`first`, then the lines of `rest`, joined by
        newlines; None: no more), for prompts, stdin complaints and the parser.

        Only the last MENU_LINES + 1 lines can leave a prompt standing, so only they are split off
        (unless a parser wants every line); a complaint about stdin is looked for line by line only
        when the read may hold one (`complaint`; the head of a line continued from an earlier read
        is checked on its own)."""
        if rest is None:
            last = []
        else:
            last = rest.split("\n") if self._on_line is not None else rest.rsplit("\n", MENU_LINES + 1)
        if self._on_line is not None or len(last) <= MENU_LINES:
            self._raw_line(first)
            for line in last:
                self._raw_line(line)
            return
        if self.stdin_message is None and (complaint or mentions_stdin_message(first)):
            lines = (line.removesuffix("\r") for line in [first, *(rest or "").split("\n")])
            self.stdin_message = next(filter(None, map(match_stdin_message, lines)), None)
        if self.scan_prompts:
            self.last_prompt, self._lines_after_prompt = None, 0
        for line in last[-(MENU_LINES + 1):]:
            self._raw_line(line)

    def _append_partial(self, piece: str) -> None:
        if not piece or self._partial_len >= MAX_PARSE_CHARS:
            self._partial_len += len(piece)
            return
        self._partial.append(piece[: MAX_PARSE_CHARS - self._partial_len])
        self._partial_len += len(piece)

    def _emit(self, piece: Piece) -> None:
        """One masked piece: every piece goes to the raw log; only a line's first piece becomes an
        output event (cut to MAX_EVENT_CHARS), so events, the echo and their caps count lines."""
        starts_line = not self._line_open
        self._line_open = not piece.ends_line
        if not piece.shown:
            return
        masked = piece.text
        self._budget.raw(self.stream, masked)
        if not starts_line:
            return
        self.line_count += 1
        self.tail.append(masked[:MAX_EVENT_CHARS])  # after the lines of any earlier block
        if self._emit_events:
            line = _event_text(masked, whole=piece.ends_line)
            self._budget.event(EventType.EXECUTOR_OUTPUT, {"stream": self.stream, "line": line})

    def _raw_line(self, line: str) -> None:
        line = line.removesuffix("\r")
        if self.scan_prompts:
            prompt = match_prompt(line)
            if prompt is not None:
                self.last_prompt, self._lines_after_prompt = prompt, 0
            elif self.last_prompt is not None:
                self._lines_after_prompt += 1
                if self._lines_after_prompt > MENU_LINES:
                    self.last_prompt = None
        if self.stdin_message is None:
            self.stdin_message = match_stdin_message(line)
        if self._on_line is not None:
            self._on_line(self.stream, line)
