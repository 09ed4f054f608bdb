"""The one gate every logged string passes on its way to the screen or to JSON output.

Display-time masking (the second layer after save-time masking), then neutralisation of
control characters and terminal escape sequences, then a `rich.text.Text` that is never
parsed as markup. rich does none of this for us: `Text`, `markup=False` and `escape()`
all let ESC and C1 bytes through.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import compress, filterfalse
from typing import TYPE_CHECKING, Any, cast

from runner.logs.masking import MASKING_ERROR, mask_obj, mask_text

if TYPE_CHECKING:
    from rich.text import Text

    from runner.logs.models import LogEvent

# Characters shown escaped instead of reaching the terminal:
# C0 controls except tab and newline; DEL and the C1 block (which holds the 8-bit CSI,
# OSC, DCS and ST introducers); the Unicode line/paragraph separators; the bidi embedding,
# override and isolate controls that reorder what the user sees (plus the invisible
# direction marks LRM, RLM and ALM); and lone surrogates, which cannot be encoded to a
# UTF-8 terminal at all.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)


# `_UNSAFE`'s ASCII characters, as bytes: an ASCII text is checked for them by one `bytes.translate`,
# several times faster than the character class (whose Unicode ranges slow every character's test).
_ASCII_UNSAFE = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_ASCII_UNSAFE_CHARS = tuple(map(chr, _ASCII_UNSAFE))
# Above this length an ASCII text is searched for each of those 31 characters (`in`: a vectorised memchr
# each), ~4 times fewer instructions than the byte-by-byte `translate` (a 10 MB detail's values: ~100 M).
_SEARCH_EACH_ABOVE = 4096


def has_unsafe(text: str) -> bool:
    """Whether `neutralise` would change `text`."""
    if text.isascii():
        if len(text) > _SEARCH_EACH_ABOVE:
            return any(char in text for char in _ASCII_UNSAFE_CHARS)
        data = text.encode("ascii")
        return len(data.translate(None, _ASCII_UNSAFE)) != len(data)
    return _UNSAFE.search(text) is not None


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str) -> str:
    """Show every unsafe character as visible text (`\\x1b`, `\\x07`, `\\u202e`).

    Escaping each control character is enough to neutralise whole sequences: CSI, OSC,
    DCS, SOS, PM, APC and two-character `ESC x` sequences only act when their introducer
    (ESC or a C1 byte) reaches the terminal, and every other byte of them is printable, so
    `ESC [2J` is displayed as the text `\\x1b[2J`. Works in one linear pass.
    """
    return _UNSAFE.sub(_escape_char, text)


def safe_str(text: object) -> str:
    """Mask, then neutralise: the plain-string form of any value about to be displayed.

    Masking runs on the raw text first, so a secret wrapped in colour codes is still
    recognised. Any failure yields the masking-error marker, never the original text.
    """
    try:
        raw = text if isinstance(text, str) else str(text)
        return neutralise(mask_text(raw))
    except Exception:  # fail closed: a broken masker must not show the unmasked text
        return MASKING_ERROR


# Ids and timestamps have digit-only bodies: no secret or escape fits in them, so they skip
# the (comparatively slow) display masking. Any other string, free text or a forged id, is masked.
_DIGIT_TOKEN = re.compile(r"(?:task|thr|run|sess|evt)-[0-9-]{3,24}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z")


_DIGIT_LINES = re.compile(f"^(?:{_DIGIT_TOKEN.pattern})$", re.MULTILINE)
_DIGIT_TOKEN_MAX = 29  # the longest string `_DIGIT_TOKEN` matches: a prefix, a dash and 24 digits or dashes


def is_digit_token(value: str) -> bool:
    """An id or timestamp made of a known prefix and digits only (nothing to mask or neutralise)."""
    return _DIGIT_TOKEN.fullmatch(value) is not None


class SafeStrings:
    """`safe_str` for one view of many rows: ids skip masking, and each other value is masked once.

    `prepare` masks the values a view is about to show in a few batched passes instead of one
    masking call per value (each call has a fixed cost of tens of microseconds: 10,000 prompts
    took seconds). What it gives for a value is exactly what `safe_str` gives.
    """

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}
        self._same: set[str] = set()  # prepared values that are shown as they are
        self.changed: set[str] = set()  # prepared values shown differently from how they are stored

    @property
    def unchanged(self) -> set[str]:
        """Prepared values shown exactly as they are (read it; never change it)."""
        return self._same

    def __call__(self, value: object) -> str:
        if type(value) is not str:
            return safe_str(value)
        shown = self._seen.get(value)
        if shown is None:
            if value in self._same:
                return value
            shown = value if _DIGIT_TOKEN.fullmatch(value) is not None else safe_str(value)
            if len(value) < 200:  # short values repeat (names, statuses); long ones rarely do
                self._seen[value] = shown
        return shown

    def prepare(self, values: Iterable[object]) -> None:
        """Make every string among `values` safe now, so showing it later is a look-up.

        The values are masked together, one line each, in passes of `mask_text` over their joined
        text (every masking rule stops at a line break, so a line comes back changed only if
        masking it alone changes it; a pass that changes the number of lines proves nothing).
        A value a pass changes, or one holding a line break, is then masked alone by `safe_str`:
        the batch only finds the values that need it, and the result stays exactly `safe_str`'s.
        Ids and timestamps are picked out of the short values' joined text by one regular-expression pass.
        """
        known, same = self._seen, self._same
        unique = dict.fromkeys(values)  # in order of first appearance: the passes are reproducible
        fresh: list[str]
        if not known and not same and set(map(type, unique)) <= {str}:
            fresh = cast(list[str], list(unique))  # (the usual first call, told at C speed)
        else:
            fresh = [value for value in unique if type(value) is str and value not in same and value not in known]
        broken = [value for value in fresh if "\n" in value] if "\n" in "".join(fresh) else []
        if broken:  # some values hold a line break: each is masked alone
            for value in broken:
                self._show_as(value, safe_str(value))
            fresh = [value for value in fresh if "\n" not in value]
        same.update(fresh)
        # Only short values can be ids or timestamps: the pass reads those alone (a multi-line pattern
        # tries every position of the text it is given, and a detail view's values run to megabytes).
        tokens = set(_DIGIT_LINES.findall("\n".join(compress(fresh, map(_DIGIT_TOKEN_MAX.__ge__, map(len, fresh))))))
        candidates = list(filterfalse({"", *tokens}.__contains__, fresh)) if tokens or "" in unique else fresh
        for chunk in _chunks(candidates, MASK_BATCH_CHARS):
            self._prepare_chunk(chunk)

    def _prepare_chunk(self, chunk: list[str]) -> None:
        joined = "\n".join(chunk)
        try:
            masked_text = mask_text(joined)
        except Exception:  # fail closed: each value is masked (or hidden) on its own instead
            masked_text = None
        masked = [] if masked_text is None else chunk if masked_text == joined else masked_text.split("\n")
        if len(masked) != len(chunk):  # a match ran across lines, or masking failed: value by value
            for value in chunk:
                self._show_as(value, safe_str(value))
            return
        # Neutralising keeps line breaks: the joined text's lines are the values neutralised one by one.
        neutralised = neutralise(joined).split("\n") if has_unsafe(joined) else chunk
        if masked is chunk and neutralised is chunk:
            return  # the usual case: nothing to mask, nothing to neutralise
        for value, shown, safe in zip(chunk, masked, neutralised, strict=True):
            if shown != value:
                self._show_as(value, safe_str(value))
            elif safe != value:
                self._show_as(value, safe)

    def _show_as(self, value: str, shown: str) -> None:
        self._seen[value] = shown
        if shown != value:
            self._same.discard(value)
            self.changed.add(value)


# Characters per batched masking pass: far below the size where masking switches to windows.
MASK_BATCH_CHARS = 256 * 1024


def _chunks(values: list[str], limit: int) -> Iterator[list[str]]:
    if not values:  # nothing new to mask: no pass (and no masking table built for it)
        return
    if sum(map(len, values)) + len(values) <= limit:  # all in one pass (measured at C speed)
        yield values
        return
    chunk: list[str] = []
    size = 0
    for value in values:
        if chunk and size + len(value) > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += len(value) + 1
    if chunk:
        yield chunk


def safe_text(text: object, style: str | None = None) -> Text:
    """A rich `Text` of `safe_str(text)`; built directly, so its content is never read as markup."""
    from rich.text import Text  # rich is imported only by the views that still need it

    return Text(safe_str(text), style=style or "")


def mask_structure(obj: Any) -> Any:
    """`mask_obj` over a JSON-like structure (it also masks values under credential-named keys).

    If the masker fails on the structure, each string is masked on its own instead, so the
    structure survives and no leaf is ever shown unmasked.
    """
    try:
        return mask_obj(obj)
    except Exception:  # fail closed, leaf by leaf
        return _map_strings(obj, _mask_or_hide)


def _mask_or_hide(text: str) -> str:
    try:
        return mask_text(text)
    except Exception:  # fail closed
        return MASKING_ERROR


def safe_json(obj: Any) -> Any:
    """Mask and neutralise every string of a JSON-able structure; only string leaves change.

    Pydantic models are dumped in JSON mode first; dict keys are strings too and go through
    the same gate; tuples become lists; numbers, booleans and None pass through.
    """
    if _is_model(obj):
        obj = obj.model_dump(mode="json")
    return _map_strings(mask_structure(obj), neutralise)


def _is_model(obj: object) -> bool:
    """A pydantic model; none exists before pydantic is loaded, and a view of stored rows never loads it."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(obj, pydantic.BaseModel)


def _map_strings(obj: Any, change: Callable[[str], str]) -> Any:
    if isinstance(obj, str):
        return change(obj)
    if isinstance(obj, dict):
        result: dict[str, Any] = {}
        for key, value in obj.items():
            new_key = change(key if isinstance(key, str) else str(key))
            # Two keys can mask to the same text; keep both values rather than dropping one.
            candidate, suffix = new_key, 2
            while candidate in result:
                candidate, suffix = f"{new_key}#{suffix}", suffix + 1
            result[candidate] = _map_strings(value, change)
        return result
    if isinstance(obj, list | tuple):
        return [_map_strings(item, change) for item in obj]
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    return change(str(obj))


_RULE_ID = re.compile(r"[A-Z][A-Z0-9_]{0,80}")


def restore_mask_counts(shown_events: object, events: Sequence[LogEvent]) -> None:
    """Put each event's `masked` counts back into its `safe_json` copy, checked instead of masked.

    The counts hold masking rule ids and numbers only, but `mask_obj` would take
    `{"GITHUB_TOKEN": 2}` for a credential and hide the number. A copy that masking mangled
    beyond recognition (not a list of dicts, not one per event) is left as it is.
    """
    if not isinstance(shown_events, list) or len(shown_events) != len(events):
        return
    for shown, event in zip(shown_events, events, strict=True):
        if not isinstance(shown, dict):
            continue
        counts = {rule: number for rule, number in event.masked.items()
                  if _RULE_ID.fullmatch(rule) and isinstance(number, int)}
        if counts:
            shown["masked"] = counts
        else:
            shown.pop("masked", None)

