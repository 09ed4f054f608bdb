"""Whether a text holds any of a few fixed ASCII strings: one Hyperscan pass where it is installed.

A stream asks this of every read (is there a complaint about stdin anywhere in these 64 KiB?).
Seven `in` searches cost about four times one Hyperscan scan of the same text; without Hyperscan
(arm64 Linux) the searches are the answer. Both answer the same: the literals are ASCII, and an
ASCII string occurs in a text exactly where its bytes occur in the text's UTF-8 form (every byte
of a wider character is 0x80 or more).
"""

from __future__ import annotations

import threading
from typing import Any

hyperscan: Any
try:
    import hyperscan
except ImportError:  # pragma: no cover - the `in` searches are tested by forcing them
    hyperscan = None


SHORT_TEXT = 1024  # below this, the searches cost less than a call into Hyperscan


class AnyOf:
    """A fixed set of ASCII literals, asked whether any occurs in a text."""

    def __init__(self, literals: tuple[str, ...], *, use_hyperscan: bool = True) -> None:
        if not literals or not all(literal.isascii() and literal for literal in literals):
            raise ValueError("AnyOf takes non-empty ASCII literals")
        self.literals = literals
        self._use_hyperscan = use_hyperscan and hyperscan is not None
        self._database: Any = None
        self._local = threading.local()  # Hyperscan scratch space is per thread
        self._lock = threading.Lock()

    def found_in(self, text: str) -> bool:
        if not self._use_hyperscan or len(text) < SHORT_TEXT:
            return any(literal in text for literal in self.literals)
        database = self._compiled()
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(database)
        try:  # the first match stops the scan
            database.scan(text.encode("utf-8", "surrogatepass"), match_event_handler=_stop, scratch=scratch)
        except hyperscan.ScanTerminated:
            return True
        return False

    def _compiled(self) -> Any:
        if self._database is not None:
            return self._database
        with self._lock:
            if self._database is None:
                database = hyperscan.Database()
                database.compile(expressions=[literal.encode() for literal in self.literals],
                                 ids=list(range(len(self.literals))), flags=[0] * len(self.literals),
                                 literal=True)
                self._database = database
            return self._database


def _stop(*_: object) -> bool:
    return True
