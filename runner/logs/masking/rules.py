"""The rule table as the rest of the runner sees it (DESIGN §6, spec/masking.md).

The rules themselves are data, in `rules.toml`, built by `runner.logs.masking.table`. This
module names them without loading them at import: `MASK_RULES` and the private-key
patterns are read on first use, so importing the masking package costs nothing until
something is masked.
"""

from __future__ import annotations

from typing import Any

from runner.logs.masking.table import Anchor, MaskRule, Priority

__all__ = ["Anchor", "FOOTER_RE", "HEADER_RE", "MASK_RULES", "MaskRule", "PRIVATE_KEY_MARKER",  # noqa: F822
           "PRIVATE_KEY_RULE", "Priority"]  # noqa: F822 - loaded on first use by __getattr__

PRIVATE_KEY_MARKER = "[MASKED:PRIVATE_KEY]"


def __getattr__(name: str) -> Any:
    from runner.logs.masking import engine  # noqa: PLC0415 - the table loads on first use
    if name == "MASK_RULES":
        return engine.rules()
    if name == "PRIVATE_KEY_RULE":
        return engine.rules()[0]
    if name == "HEADER_RE":
        return engine.key_patterns()[0]
    if name == "FOOTER_RE":
        return engine.key_patterns()[1]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
