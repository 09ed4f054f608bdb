"""Masking of streamed output (executor stdout/stderr, raw logs) on whole lines (DESIGN §6).

Output is masked a line at a time so a secret split across reads is seen whole. A
private-key block is held until its footer line (or a size cap, after which everything up
to the footer is hidden); a line longer than the line limit is emitted in pieces cut only
outside secrets, keeping a carry-over window longer than any secret's recognisable part.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple, overload

from runner.logs.masking.engine import (
    MASKING_ERROR,
    has_open_private_key,
    key_patterns,
    mask_block,
    mask_text,
    masked_spans,
    opens_value,
    splice_head,
)
from runner.logs.masking.env import env_secrets

LINE_LIMIT = 64 * 1024
CARRY_WINDOW = 4 * 1024
HOLD_CHARS = 64 * 1024
HOLD_LINES = 200
_FOOTER_KEEP = 128  # longer than any footer, so one split across two reads is still found
_CONTEXT = 32  # wider than any rule's lookbehind or lookahead, kept on both sides of a cut


class _Mode(StrEnum):
    NORMAL = "normal"
    HOLDING = "holding"  # a private-key header was seen; lines wait for the footer
    SUPPRESSING = "suppressing"  # the hold cap was hit; lines are dropped until the footer


class _Segment(NamedTuple):
    text: str
    ends_line: bool  # a newline followed this text in the input
    shown: bool = True  # False for a bare line end whose content was hidden


Piece = _Segment  # what feed_pieces returns: (text, ends_line, shown)


class StreamMasker:
    """Feed text as it arrives; get back masked complete lines (and pieces of over-long ones)."""

    _parts: list[str]  # the incomplete current line, in pieces (no quadratic joins)
    _pending: int  # its length
    _mode: _Mode
    _held: list[str]  # the lines of a private-key block waiting for its footer
    _held_chars: int
    _swallow: bool  # a secret ran past a cut: drop the rest of this line
    _opener: str | None  # the last line, if it opened a value on the next one (`token: |`)

    def __init__(self, *, line_limit: int = LINE_LIMIT, window: int = CARRY_WINDOW,
                 hold_chars: int = HOLD_CHARS, hold_lines: int = HOLD_LINES) -> None:
        if not 0 < window * 2 <= line_limit:
            raise ValueError("the carry-over window must be positive and at most half the line limit")
        self._line_limit, self._window = line_limit, window
        self._hold_chars, self._hold_lines = hold_chars, hold_lines
        self._reset()

    def feed(self, chunk: str) -> list[str]:
        """Masked complete lines (without their newline) and pieces of over-long lines."""
        masked = self.feed_text(chunk)
        if isinstance(masked, str):
            return masked.split("\n")
        return [seg.text for seg in masked if seg.shown]

    def flush(self) -> list[str]:
        """The masked rest at end of stream; the masker is then ready for a new stream."""
        return [seg.text for seg in self._flush() if seg.shown]

    def feed_pieces(self, chunk: str) -> list[Piece]:
        """Like `feed`, as pieces saying whether each ends a line (False: a piece of an over-long
        line, more of it follows) and whether it is shown (a hidden piece may still end a line)."""
        masked = self.feed_text(chunk)
        if isinstance(masked, str):
            return [Piece(line, True) for line in masked.split("\n")]
        return masked

    def feed_text(self, chunk: str) -> str | list[Piece]:
        """Like `feed_pieces`, but the usual case, a chunk that completes only whole short lines
        with nothing held, comes back as one string: those masked lines joined by newlines (no
        final newline). No object per line is made: a read of many short lines stays one string."""
        try:
            block = self._plain_block(chunk)
        except Exception:  # fail closed and start over
            self._reset()
            return [Piece(MASKING_ERROR, True)]
        if block is not None:
            return block
        return self._feed(chunk)

    def flush_pieces(self) -> list[Piece]:
        """Like `flush`, as pieces (see `feed_pieces`)."""
        return self._flush()

    def _plain_block(self, chunk: str) -> str | None:
        """The usual case in one pass: whole, short lines with no key header and no held state.

        None when the chunk needs the line-by-line path (a header, an over-long line, a
        held block, or no newline at all).
        """
        last = chunk.rfind("\n")
        if (last == -1 or self._mode is not _Mode.NORMAL or self._swallow or len(chunk) > self._line_limit
                or self._pending + chunk.find("\n") > self._line_limit):
            return None
        text = "".join(self._parts) + chunk[:last]
        # The joined text is what is checked for a key header: one may span two reads.
        block = self._mask_block(text, key_header_ok=False)
        if block is None:
            return None
        rest = chunk[last + 1:]
        self._parts, self._pending = ([rest], len(rest)) if rest else ([], 0)
        return block

    def _mask_lines(self, text: str) -> list[str]:
        """Complete lines masked in one pass (see `_mask_block`), one per line of `text`."""
        return self._mask_block(text).split("\n")

    @overload
    def _mask_block(self, text: str) -> str: ...
    @overload
    def _mask_block(self, text: str, *, key_header_ok: bool) -> str | None: ...

    def _mask_block(self, text: str, *, key_header_ok: bool = True) -> str | None:
        """Complete lines masked in one pass (joined by newlines, as `text` is), seen after the
        previous line if that one opened a value on the next line (`token: |`), which then is
        masked as that value. None, with nothing changed, if `key_header_ok` is False and the
        text holds a key header."""
        opener = self._opener
        found = mask_block(text if opener is None else opener + "\n" + text, key_header_ok=key_header_ok)
        if found is None:
            return None
        # Masking keeps one line per line, so the opener's (masked) line ends at the first newline.
        block = found[found.index("\n") + 1:] if opener is not None else found
        last = text[text.rfind("\n") + 1:]
        self._opener = last if opens_value(last) else None
        return block

    def _feed(self, chunk: str) -> list[_Segment]:
        out: list[_Segment] = []
        try:
            *complete, partial = chunk.split("\n")
            batch: list[str] = []
            batch_chars = 0
            for line in complete:
                if self._is_plain(line) and batch_chars + len(line) < self._line_limit:
                    batch.append(line)
                    batch_chars += len(line) + 1
                    continue
                self._emit_batch(batch, out)
                batch_chars = 0
                self._append(line, out)
                self._end_line(out)
            self._emit_batch(batch, out)
            self._append(partial, out)
        except Exception:  # fail closed and start over rather than risk a half-masked state
            self._reset()
            return [_Segment(MASKING_ERROR, True)]
        return out

    def _flush(self) -> list[_Segment]:
        out: list[_Segment] = []
        try:
            had_partial = bool(self._parts) or self._swallow
            if had_partial:
                self._end_line(out)
            if self._mode is _Mode.HOLDING:
                self._release_held(out)
            if had_partial and out:  # the input did not end with a newline
                out[-1] = out[-1]._replace(ends_line=False)
        except Exception:  # fail closed
            out = [_Segment(MASKING_ERROR, False)]
        self._reset()
        return out

    # -- state -------------------------------------------------------------------------

    def _reset(self) -> None:
        self._opener = None
        self._parts = []
        self._pending = 0
        self._mode = _Mode.NORMAL
        self._held = []
        self._held_chars = 0
        self._swallow = False

    def _take_partial(self) -> str:
        text = "".join(self._parts)
        self._parts, self._pending = [], 0
        return text

    def _is_plain(self, line: str) -> bool:
        return (self._mode is _Mode.NORMAL and not self._parts and not self._swallow
                and len(line) <= self._line_limit and "BEGIN" not in line)

    def _emit_batch(self, batch: list[str], out: list[_Segment]) -> None:
        """Mask many ordinary lines in one pass; no rule matches across a newline."""
        if not batch:
            return
        out.extend(_Segment(text, True) for text in self._mask_lines("\n".join(batch)))
        batch.clear()

    # -- complete lines ----------------------------------------------------------------

    def _end_line(self, out: list[_Segment]) -> None:
        line = self._take_partial()
        if self._swallow:
            self._swallow = False
            out.append(_Segment("", True, shown=False))
        elif self._mode is _Mode.SUPPRESSING:
            self._suppressed_line(line, out)
        elif self._mode is _Mode.HOLDING:
            self._held_line(line, out)
        elif has_open_private_key(line):
            self._mode, self._held, self._held_chars = _Mode.HOLDING, [line], len(line)
        else:
            out.append(_Segment(self._mask_lines(line)[0], True))

    def _held_line(self, line: str, out: list[_Segment]) -> None:
        self._held.append(line)
        self._held_chars += len(line) + 1
        if "END" in line and key_patterns()[1].search(line):
            text = "\n".join(self._held)
            if not has_open_private_key(text):
                self._mode, self._held, self._held_chars = _Mode.NORMAL, [], 0
                out.extend(_Segment(t, True) for t in mask_text(text).split("\n"))
                return
        if self._held_chars > self._hold_chars or len(self._held) > self._hold_lines:
            self._release_held(out)

    def _release_held(self, out: list[_Segment]) -> None:
        """Emit a held block whose footer did not come: masked from its header on."""
        text = "\n".join(self._held)
        self._mode, self._held, self._held_chars = _Mode.SUPPRESSING, [], 0
        out.extend(_Segment(t, True) for t in mask_text(text).split("\n"))

    def _suppressed_line(self, line: str, out: list[_Segment]) -> None:
        footer = key_patterns()[1].search(line)
        if footer is None:
            return
        self._mode = _Mode.NORMAL
        rest = line[footer.end():]
        self._append(rest, out)
        if rest:
            self._end_line(out)
        else:
            out.append(_Segment("", True, shown=False))

    # -- the incomplete current line ---------------------------------------------------

    def _append(self, text: str, out: list[_Segment]) -> None:
        # Take only enough to pass the limit by one character, so a buffer never holds
        # more than the limit plus one and no emitted piece is longer than the limit.
        pos = 0
        while pos < len(text) and not self._swallow:
            take = self._line_limit + 1 - self._pending
            piece = text[pos:pos + take]
            pos += len(piece)
            self._parts.append(piece)
            self._pending += len(piece)
            while self._pending > self._line_limit and not self._swallow:
                self._overflow(out)

    def _overflow(self, out: list[_Segment]) -> None:
        """The current line outgrew the limit: emit what is safe, keep the rest pending."""
        buf = self._take_partial()
        if self._mode is _Mode.HOLDING:
            self._release_held(out)
        if self._mode is _Mode.SUPPRESSING:
            footer = key_patterns()[1].search(buf)
            if footer is None:
                self._parts, self._pending = [buf[-_FOOTER_KEEP:]], min(len(buf), _FOOTER_KEEP)
                return
            self._mode, buf = _Mode.NORMAL, buf[footer.end():]
        elif has_open_private_key(buf):
            out.append(_Segment(mask_text(buf), False))
            self._mode = _Mode.SUPPRESSING
            self._parts, self._pending = [buf[-_FOOTER_KEEP:]], min(len(buf), _FOOTER_KEEP)
            return
        else:
            buf = self._cut(buf, out)
        if buf:
            self._parts, self._pending = [buf], len(buf)

    def _cut(self, buf: str, out: list[_Segment]) -> str:
        """Emit a masked piece that ends outside every secret; return the carry-over.

        One masking pass of the buffer both finds the secrets (so the cut falls outside them and
        their context) and masks the piece. A line that opened a value on this one (`token: |`)
        is masked in front of the buffer, as the value's context, and left out of the piece."""
        if len(buf) <= self._line_limit:
            return buf
        window = min(max(self._window, env_secrets().longest + 1), self._line_limit // 2)
        cut = len(buf) - window
        opener, self._opener = self._opener, None
        text = buf if opener is None else opener + "\n" + buf
        offset = len(text) - len(buf)
        spans = masked_spans(text)
        for start, end in _widened(spans, _CONTEXT, len(text)):
            start, end = max(start - offset, 0), end - offset
            if start < cut < end:
                if start == 0 and end == len(buf):  # one secret fills the buffer and may go on
                    out.append(_Segment(_head(text, spans, len(text), offset), False))
                    self._swallow = True
                    return ""
                # After the secret when it ended here: its recognisable context (a variable name,
                # a header) stays with it; a cut at its start would hand the next piece a bare value.
                cut = end if end < len(buf) else start
                break
        out.append(_Segment(_head(text, spans, offset + cut, offset), False))
        return buf[cut:]


def _widened(spans: list[tuple[int, int, str]], margin: int, length: int) -> list[tuple[int, int]]:
    """The spans each widened by `margin` on both sides (within the text), overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end, _ in spans:
        start, end = max(start - margin, 0), min(end + margin, length)
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _head(text: str, spans: list[tuple[int, int, str]], end: int, offset: int) -> str:
    """`text[offset:end]` masked with the spans found in `text`: a value's opener line before
    `offset` is masked with it (masking keeps one line per line) and then left out."""
    masked = splice_head(text, spans, end)
    return masked[masked.index("\n") + 1:] if offset else masked


def mask_in_windows(text: str) -> str:
    """Mask a very large text through a stream masker, so no regex ever sees more than a window."""
    try:
        masker = StreamMasker()
        segments = masker._feed(text) + masker._flush()
        return "".join(seg.text + ("\n" if seg.ends_line else "") for seg in segments)
    except Exception:  # fail closed
        return MASKING_ERROR
