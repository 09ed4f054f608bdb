"""Finding where rules may match, in one pass, before any rule's regex runs.

Every rule has literals one of which each of its matches holds (a token's prefix, a secret
word with the character that follows it, a provider keyword, a command name). One search
for all of them gives, per rule, the positions worth a look. With Hyperscan installed the
search is one scan of a literal database; without it, one `str.find` loop per literal.
Both give the same candidates; the rules' regexes then decide.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from runner.logs.masking.cache import cache_key, cached
from runner.logs.masking.relax import head_literals, prefilter_expression
from runner.logs.masking.table import MaskRule, Table

hyperscan: Any
ahocorasick: Any
try:  # the accelerator (wheels for x86-64 Linux and Windows, arm64 macOS)
    import hyperscan
except ImportError:  # pragma: no cover - the other engines are tested by forcing them
    hyperscan = None
try:  # the second choice (wheels for arm64 Linux, where Hyperscan has none)
    import ahocorasick  # type: ignore[import-not-found, no-redef]
except ImportError:  # pragma: no cover
    ahocorasick = None

ENGINES = ("hyperscan", "ahocorasick", "python")


def hyperscan_available() -> bool:
    return hyperscan is not None


def available_engines() -> list[str]:
    """The prefilter engines this installation can run, best first."""
    return [name for name, module in (("hyperscan", hyperscan), ("ahocorasick", ahocorasick), ("python", True))
            if module is not None]

Hits = dict[int, list[int]]
PLAN_FORMAT = "3"  # bump when build_plan's output or the Hyperscan blob's layout changes

# Literals the engine needs to know about besides the rules' (negative owner ids, so one
# scan answers them too instead of a `str` search of its own each): the two kinds of
# wrapping `views` unwraps, a private-key header, and a marker already in the text.
SHELL_QUOTES, JSON_ESCAPES, KEY_HEADER, MARKER = -1, -2, -3, -4
TRIGGERS: tuple[tuple[str, bool, int], ...] = (
    ("'\"'\"'", False, SHELL_QUOTES), ("'\\''", False, SHELL_QUOTES),
    ("\\u", False, JSON_ESCAPES), ("\\/", False, JSON_ESCAPES),
    ("BEGIN", False, KEY_HEADER), ("[masked:", True, MARKER),
)


_WIDE = bytes([0] + [0xFF] * 255)  # a byte of a character's upper bits: 0 stays 0, anything else 0xFF
# Latin-1 characters that can stand in for `?` while the encoder's "replace" marks the wide ones.
_SPARES = tuple(chr(code) for code in (*range(0x80, 0x100), *range(0x80)) if chr(code) != "?")


def byte_view(text: str) -> bytes:
    """`text` as one byte per character, so byte offsets stay character offsets: Latin-1 as it
    is, the Kelvin sign as `k` (what `str.lower` makes of it), anything else 0xFF, which no
    ASCII class of any rule matches and every negated class does, as the original would.

    All in C, linear: an encoding error handler of our own would be called once per run of wide
    characters (about 20 µs each: a megabyte of box-drawing lines or decoded binary took a
    second). The encoder's own "replace" makes each wide character a `?`; a `?` of the text
    itself stands aside as a Latin-1 character the text does not hold meanwhile.
    """
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    if "\u212a" in text:
        text = text.replace("\u212a", "k")
    if "?" not in text:
        return text.encode("latin-1", "replace").replace(b"?", b"\xff")
    spare = next((char for char in _SPARES if char not in text), None)
    if spare is None:  # every Latin-1 character occurs (binary)
        return _view_from_units(text)
    view = text.replace("?", spare).encode("latin-1", "replace").replace(b"?", b"\xff")
    return view.replace(spare.encode("latin-1"), b"?")


def _view_from_units(text: str) -> bytes:
    """byte_view from the UTF-32 units: low bytes ORed (as big integers) with 0xFF wherever the
    upper bits are not zero."""
    units = text.encode("utf-32-le", "surrogatepass")  # lone surrogates are characters too
    size = len(text)
    upper = int.from_bytes(units[1::4], "little") | int.from_bytes(units[2::4], "little")
    wide = upper.to_bytes(size, "little").translate(_WIDE)
    return (int.from_bytes(units[0::4], "little") | int.from_bytes(wide, "little")).to_bytes(size, "little")


class Prefilter(Protocol):
    name: str
    reads_lowered: bool  # False: `scan` folds case itself and ignores `lowered` (pass "")

    def scan(self, text: str, lowered: str) -> Hits:
        """Rule index → sorted positions where one of its literals starts (and a negative
        `TRIGGERS` id → where its literal starts)."""


def rule_literals(rule: MaskRule) -> list[tuple[str, bool]]:
    """The (literal, ignore case) pairs the prefilter looks for on behalf of `rule`."""
    if rule.near:
        return [(word, True) for word in rule.near]
    if rule.explicit_anchors:
        return [(a.text, a.lower) for a in rule.anchors]
    hot: Callable[[str], bool] | None = None
    if rule.kind == "keyword":  # follow only the weak words; provider names are rare enough
        own = set(rule.keywords)
        hot = lambda literal: literal in own and len(literal) < 10  # noqa: E731
    found = head_literals(rule.source, re.ASCII, hot=hot)
    if found is None:
        return [(a.text, a.lower) for a in rule.anchors]
    return [(literal.lower() if rule.lowered else literal, rule.lowered) for literal in found]


def anchored_at_start(rule: MaskRule) -> bool:
    """True when every match starts where its literal does, so the regex need only be tried
    there, rather than searched from the start of the line."""
    return (not rule.near and not rule.explicit_anchors and rule.prefilter == "literals"
            and not rule.source.startswith("(?<="))


def build_plan(rules: Sequence[MaskRule]) -> dict[str, Any]:
    """Every literal of every rule (and the engine's `TRIGGERS`), deduplicated, with the
    rules it stands for."""
    owners: dict[tuple[str, bool], set[int]] = defaultdict(set)
    regex_rules = []
    for index, rule in enumerate(rules):
        if rule.prefilter == "regex":
            regex_rules.append(index)
            continue
        for literal in rule_literals(rule):
            owners[literal].add(index)
    for text, lower, trigger in TRIGGERS:
        owners[(text, lower)].add(trigger)
    literals = sorted(owners)
    return {"literals": [[text, lower, sorted(owners[(text, lower)])] for text, lower in literals],
            "regex_rules": regex_rules}


class FindPrefilter:
    """The last resort: one `str.find` loop per literal (case-folded ones on the lowered copy)."""

    name = "python"
    reads_lowered = True

    def __init__(self, rules: Sequence[MaskRule], plan: dict[str, Any]) -> None:
        self._literals = [(text, lower, tuple(owners)) for text, lower, owners in plan["literals"]]
        self._regex = [(index, rules[index]) for index in plan["regex_rules"]]

    def scan(self, text: str, lowered: str) -> Hits:
        hits: Hits = defaultdict(list)
        for literal, lower, owners in self._literals:
            target = lowered if lower else text
            pos = target.find(literal)
            while pos != -1:
                for owner in owners:
                    hits[owner].append(pos)
                pos = target.find(literal, pos + 1)
        return _finish(hits, self._regex, text, lowered)


class AhoCorasickPrefilter:
    """The same candidates from two Aho-Corasick automata (exact and case-folded literals)."""

    name = "ahocorasick"
    reads_lowered = True

    def __init__(self, rules: Sequence[MaskRule], plan: dict[str, Any]) -> None:
        self._exact, self._folded = ahocorasick.Automaton(), ahocorasick.Automaton()
        for text, lower, owners in plan["literals"]:
            (self._folded if lower else self._exact).add_word(text, (len(text), tuple(owners)))
        for automaton in (self._exact, self._folded):
            if len(automaton):
                automaton.make_automaton()
        self._regex = [(index, rules[index]) for index in plan["regex_rules"]]

    def scan(self, text: str, lowered: str) -> Hits:
        hits: Hits = defaultdict(list)
        for automaton, target in ((self._exact, text), (self._folded, lowered)):
            if automaton.kind != ahocorasick.AHOCORASICK:
                continue  # an automaton with no words
            for end, (length, owners) in automaton.iter(target):
                for owner in owners:
                    hits[owner].append(end + 1 - length)
        return _finish(hits, self._regex, text, lowered)


def _finish(hits: Hits, regex_rules: list[tuple[int, MaskRule]], text: str, lowered: str) -> Hits:
    for index, rule in regex_rules:  # a search of its own, then every line it matched on
        target = lowered if rule.lowered else text
        for match in rule.pattern.finditer(target):
            hits[index].append(_line_start(text, match.start()))
    for positions in hits.values():
        positions.sort()
    return hits


class HyperscanPrefilter:
    """The same candidates from Hyperscan: one database of every literal (escaped as an
    expression) and the regexes of the few rules whose literal alone would be too common, so
    one scan finds both (two databases cost a second pass over the text: ~1.4 M instructions
    per MB)."""

    name = "hyperscan"
    reads_lowered = False  # the database's caseless literals fold case themselves

    def __init__(self, plan: dict[str, Any], blob: bytes) -> None:
        self._db = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
        self._owners = [tuple(owners) for _, _, owners in plan["literals"]]
        self._lengths = [len(text) for text, _, _ in plan["literals"]]
        self._regex_owner = list(plan["regex_rules"])
        self._local = threading.local()  # Hyperscan scratch space is per thread

    @staticmethod
    def compile(rules: Sequence[MaskRule], plan: dict[str, Any]) -> bytes:
        literals = [re.escape(byte_view(text).decode("latin-1")).encode("latin-1") for text, _, _ in plan["literals"]]
        regexes = [prefilter_expression(rules[i].source, re.ASCII).encode() for i in plan["regex_rules"]]
        database = hyperscan.Database()
        database.compile(
            expressions=literals + regexes, ids=list(range(len(literals) + len(regexes))),
            flags=[hyperscan.HS_FLAG_CASELESS if lower else 0 for _, lower, _ in plan["literals"]]
            + [hyperscan.HS_FLAG_CASELESS if rules[i].lowered else 0 for i in plan["regex_rules"]])
        return bytes(hyperscan.dumpb(database))

    def _scratch(self) -> Any:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        return scratch

    def scan(self, text: str, lowered: str) -> Hits:
        found: list[tuple[int, int]] = []
        self._db.scan(byte_view(text), match_event_handler=_collect, context=found, scratch=self._scratch())
        hits: Hits = defaultdict(list)
        owners, lengths, literal_count = self._owners, self._lengths, len(self._owners)
        for expression, end in found:
            if expression < literal_count:
                start = end - lengths[expression]
                for owner in owners[expression]:
                    hits[owner].append(start)
            else:  # a regex-prefiltered rule: its match ends at `end`; searched from its line's start
                hits[self._regex_owner[expression - literal_count]].append(_line_start(text, end))
        for positions in hits.values():
            positions.sort()
        return hits


_LOOK_BACK = 4096  # longer than any match of a regex-prefiltered rule


def _line_start(text: str, pos: int) -> int:
    """Where to search from for a match ending near `pos`: its line's start, looked for only
    a bounded way back (a long line with many candidates must not cost a scan each)."""
    floor = max(0, pos - _LOOK_BACK)
    return max(text.rfind("\n", floor, pos) + 1, floor)


def _collect(expression: int, _start: int, end: int, _flags: int, found: list[tuple[int, int]]) -> None:
    found.append((expression, end))  # called once per literal found: nothing else done here


def make_prefilter(table: Table, engine: str) -> Prefilter:
    """The prefilter for `engine` (one of `ENGINES`), built once per table and cached.

    Hyperscan's, found in the cache, needs only the table's digest: the rules are not built for it."""
    use_hyperscan = engine == "hyperscan" and hyperscan is not None
    version = getattr(hyperscan, "__version__", "none") if use_hyperscan else "literals"

    def build() -> tuple[dict[str, Any], bytes]:
        plan = build_plan(table.rules)
        return plan, HyperscanPrefilter.compile(table.rules, plan) if use_hyperscan else b""
    plan, blob = cached("prefilter", cache_key(table.digest, version, PLAN_FORMAT), build)
    if use_hyperscan:
        try:
            return HyperscanPrefilter(plan, blob)
        except Exception:  # a stale or damaged database: build again, in memory
            plan, blob = build()
            return HyperscanPrefilter(plan, blob)
    if engine in ("hyperscan", "ahocorasick") and ahocorasick is not None:
        return AhoCorasickPrefilter(table.rules, plan)
    return FindPrefilter(table.rules, plan)
