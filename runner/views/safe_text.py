"""The one gate every logged string passes on its way to the screen or to JSON output.

Display-time masking (the second layer after save-time masking), then neutralisation of
control characters and terminal escape sequences, then a `rich.text.Text` that is never
parsed as markup. rich does none of this for us: `Text`, `markup=False` and `escape()`
all let ESC and C1 bytes through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from rich.text import Text

from runner.logs.masking import MASKING_ERROR, mask_obj, mask_text

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


def safe_text(text: object, style: str | None = None) -> Text:
    """A rich `Text` of `safe_str(text)`; built directly, so its content is never read as markup."""
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
    if isinstance(obj, BaseModel):
        obj = obj.model_dump(mode="json")
    return _map_strings(mask_structure(obj), neutralise)


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
