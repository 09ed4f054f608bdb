"""The masking rule table: `rules.toml` read once, each row built into a rule the engine runs.

The table is data (id, family, provider, kind, pattern, keywords, entropy, example, counter);
this module turns every row into a `MaskRule`: token rows get a start guard and a tail,
keyword rows the shared assignment template around their value, context rows their
fragments. Regexes are compiled on first use, and only the rules some text needs are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property
from pathlib import Path
from typing import Any

from runner.logs.masking.cache import cache_key, cached
from runner.logs.masking.relax import head_literals

TABLE_PATH = Path(__file__).with_name("rules.toml")
KINDS = ("token", "keyword", "context")
ACCEPTS = ("entropy", "generic", "header", "url_password", "random_value", "netrc", "user_password")
FIELDS = frozenset({
    "id", "family", "provider", "kind", "pattern", "anchors", "guard", "keywords", "near",
    "entropy", "accept", "case", "case_of_anchors", "extend_left", "then", "lines",
    "priority", "example", "counter", "also_keywords_of_keyword_rules", "rest_of_line",
    "assign", "prefilter",
})
_FRAGMENT = re.compile(r"%([A-Z_]+)%")
# A JSON (`\n`, `\u00e9`) or URL (`%0A`) escape ends in a letter or digit, which a guard
# alone would take for part of the token; the end of an escape counts as a boundary too.
_ESCAPE_ENDS = (r"\\[nrtbf]", r"\\u[0-9A-Fa-f]{4}", r"%[0-9A-Fa-f]{2}")
TOKEN_TAIL = "[A-Za-z0-9_-]*+"
DEFAULT_TOKEN_GUARD = "[A-Za-z0-9]"
DEFAULT_KEYWORD_ENTROPY = 2.5
NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789_.-\"'$<"


class TableError(ValueError):
    """The rule table is malformed (an unknown field, a bad pattern, a missing anchor)."""


class Priority(IntEnum):
    """The seed's three levels; the table is ordered by priority, then by specificity."""

    CRITICAL = 1  # a key that grants access on its own
    SESSION = 2  # session and authentication material: headers, cookies, URLs, command lines
    GENERIC = 3  # credential-looking assignments


@dataclass(frozen=True, slots=True)
class Anchor:
    """A literal every match of its rule holds; `lower` ones are looked for ignoring case."""

    text: str
    lower: bool


@dataclass(frozen=True)
class MaskRule:
    """One row of the table, built: its regex, how to find candidates, how to judge a match."""

    name: str
    family: str
    provider: str
    kind: str
    priority: Priority
    row_pattern: str  # the pattern as the table writes it, fragments expanded
    source: str  # the full regex the engine runs
    lowered: bool = False  # written in lower case, matched against the lowercased text
    keywords: tuple[str, ...] = ()  # keyword rules: the row's own keywords
    all_keywords: tuple[str, ...] = ()  # keyword rules: every keyword the regex accepts
    near: tuple[str, ...] = ()
    entropy: float | None = None
    accept: str | None = None
    extend_left: str = ""
    then_source: str | None = None
    lines: int | None = 1  # how many lines a match may span (None: any number)
    rest_of_line: bool = False  # an accepted unquoted value hides the rest of its line
    prefilter: str = "literals"  # how candidates are found: "literals" or "regex"
    anchor_texts: tuple[str, ...] = ()  # the table's explicit anchors, if any
    anchors_lower: bool = False
    example: str = ""
    counter: str = ""

    @cached_property
    def marker(self) -> str:
        return f"[MASKED:{self.name}]"

    @property
    def description(self) -> str:
        return self.provider

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.ASCII)

    @cached_property
    def folded(self) -> re.Pattern[str]:
        """The pattern with ASCII case folded: on the text itself it matches where `pattern`
        matches the lowercased copy (for a `lowered` rule, written in lower case), so no copy is
        needed — except for the Kelvin sign, the one character other than `İ` whose lowercase is
        ASCII (see `engine.lowered_copy`)."""
        return re.compile(self.source, re.ASCII | re.IGNORECASE)

    @cached_property
    def value_groups(self) -> tuple[int, ...]:
        """The numbers of the pattern's `value` and `value2` groups, in that order (judging a
        match reads them; looking them up by name cost a dict copy per match)."""
        groups = self.pattern.groupindex
        return tuple(groups[name] for name in ("value", "value2") if name in groups)

    @cached_property
    def then(self) -> re.Pattern[str] | None:
        return re.compile(self.then_source, re.ASCII) if self.then_source else None

    @cached_property
    def anchors(self) -> tuple[Anchor, ...]:
        """Literals one of which every match holds (the table's, or the pattern's own head)."""
        if self.anchor_texts:
            return tuple(Anchor(t, self.anchors_lower) for t in self.anchor_texts)
        if self.kind == "keyword":
            return tuple(Anchor(k, True) for k in self.all_keywords)
        texts = head_literals(self.source, re.ASCII, max_follow=0)
        if not texts:
            raise TableError(f"rule {self.name}: give `anchors`; the pattern opens with no literal")
        return tuple(Anchor(t.lower() if self.lowered else t, self.lowered) for t in texts)

    @property
    def explicit_anchors(self) -> bool:
        return bool(self.anchor_texts)


class Table:
    """The rule table of one file: its digest at once, its rows read on first use, each rule built
    when it is first asked for.

    Masking asks for a rule only once the prefilter (loaded from the per-user cache by the digest)
    found a candidate for it, so a text no rule's literal occurs in, as most shown values, is masked
    without reading the rows (`pm-runner logs list` reads none), and a text with a few secrets builds
    the few rules that find them, not all 235 (`rule`); `rules` builds every one."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.digest = cache_key(data)  # a hash of the table file, for caches built from it

    @cached_property
    def _rows(self) -> tuple[list[dict[str, Any]], dict[str, str], list[str]]:
        """The rows, the fragments, and every keyword of the keyword rules (what `build_rule` takes)."""
        rows, fragments = _rows_of(self._data, self.digest)
        keyword_words = sorted({str(kw).lower() for row in rows if row.get("kind") == "keyword"
                                and not row.get("also_keywords_of_keyword_rules") for kw in row.get("keywords", ())})
        return rows, fragments, keyword_words

    @cached_property
    def _made(self) -> list[MaskRule | None]:
        return [None] * len(self._rows[0])

    def rule(self, index: int) -> MaskRule:
        """The rule of row `index` (table order), built on first use."""
        made = self._made
        rule = made[index]
        if rule is None:
            rows, fragments, keyword_words = self._rows
            rule = made[index] = build_rule(rows[index], fragments, keyword_words)
        return rule

    @cached_property
    def rules(self) -> tuple[MaskRule, ...]:
        return tuple(map(self.rule, range(len(self._made))))

    @property
    def fragments(self) -> Mapping[str, str]:
        return self._rows[1]

    def index_of(self, name: str) -> int:
        """The table index of the rule named `name`."""
        return next(index for index, row in enumerate(self._rows[0]) if row.get("id") == name)

    def indexes_with(self, field: str) -> tuple[int, ...]:
        """The table indexes of the rows that give `field` a value (`then`: the rules with a `then_source`)."""
        return tuple(index for index, row in enumerate(self._rows[0]) if row.get(field))


def guard(cls: str) -> str:
    """A lookbehind: the match must not follow a character of `cls` (an escape's end may)."""
    allowed = [f"(?<!{cls})"] + [f"(?<={escape})" for escape in _ESCAPE_ENDS]
    return "(?:" + "|".join(allowed) + ")"


def expand(pattern: str, fragments: Mapping[str, str], depth: int = 0) -> str:
    """`pattern` with every `%NAME%` replaced by its fragment (fragments may nest)."""
    if depth > 8:
        raise TableError("fragments nest too deep")

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in fragments:
            raise TableError(f"unknown fragment %{name}%")
        return expand(fragments[name], fragments, depth + 1)
    return _FRAGMENT.sub(one, pattern)


def read_rows(path: Path = TABLE_PATH) -> tuple[list[dict[str, Any]], dict[str, str], str]:
    """The table's rows and fragments as plain data, and its digest (cached as JSON)."""
    data = path.read_bytes()
    key = cache_key(data)
    return (*_rows_of(data, key), key)


def _rows_of(data: bytes, key: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    def parse() -> tuple[dict[str, Any], bytes]:
        import tomllib  # only when the per-user cache misses: a cached table needs no TOML parser

        parsed = tomllib.loads(data.decode("utf-8"))
        return {"rows": parsed.get("rule", []), "fragments": parsed.get("fragments", {})}, b""
    document, _ = cached("table", key, parse)
    return list(document["rows"]), dict(document["fragments"])


def load_table(path: Path = TABLE_PATH) -> Table:
    """The table of `path`: read now, its rules built on first use (their regexes compiled on theirs)."""
    return Table(path.read_bytes())


def build_rule(row: Mapping[str, Any], fragments: Mapping[str, str], keyword_words: Iterable[str] = ()) -> MaskRule:
    """One row → one rule; every malformed field is refused with the rule's id."""
    name = str(row.get("id", "?"))
    unknown = set(row) - FIELDS
    if unknown:
        raise TableError(f"rule {name}: unknown fields {sorted(unknown)}")
    missing = {"id", "family", "provider", "kind", "pattern", "example", "counter"} - set(row)
    if missing:
        raise TableError(f"rule {name}: missing fields {sorted(missing)}")
    kind = str(row["kind"])
    if kind not in KINDS:
        raise TableError(f"rule {name}: unknown kind {kind!r}")
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
        raise TableError(f"rule {name}: ids are upper-case words")
    if row.get("accept") is not None and row["accept"] not in ACCEPTS:
        raise TableError(f"rule {name}: unknown accept {row['accept']!r}")
    written = expand(str(row["pattern"]), fragments)
    common: dict[str, Any] = dict(
        name=name, family=str(row["family"]), provider=str(row["provider"]), kind=kind,
        row_pattern=written, near=tuple(str(w).lower() for w in row.get("near", ())),
        extend_left=str(row.get("extend_left", "")), example=str(row["example"]),
        counter=str(row["counter"]),
        then_source=expand(str(row["then"]), fragments) if row.get("then") else None,
        lines=int(row.get("lines", 1)) or None,
        rest_of_line=bool(row.get("rest_of_line", False)), prefilter=str(row.get("prefilter", "literals")),
        anchor_texts=tuple(str(a) for a in row.get("anchors", ())))
    if kind == "token":
        return _token_rule(row, written, common)
    if kind == "keyword":
        return _keyword_rule(row, written, fragments, keyword_words, common)
    return _context_rule(row, written, common)


def _token_rule(row: Mapping[str, Any], written: str, common: dict[str, Any]) -> MaskRule:
    source = guard(str(row.get("guard", DEFAULT_TOKEN_GUARD))) + "(?:" + written + ")" + TOKEN_TAIL
    return MaskRule(priority=Priority(int(row.get("priority", 1))), source=source,
                    entropy=float(row["entropy"]) if "entropy" in row else None,
                    accept=str(row.get("accept", "entropy")), anchors_lower=False, **common)


def _keyword_rule(row: Mapping[str, Any], written: str, fragments: Mapping[str, str],
                  keyword_words: Iterable[str], common: dict[str, Any]) -> MaskRule:
    own = tuple(str(k).lower() for k in row["keywords"])
    everything = tuple(sorted(set(own) | set(keyword_words))) if row.get("also_keywords_of_keyword_rules") else own
    words = "|".join(re.escape(k) for k in sorted(everything, key=len, reverse=True))
    assign = str(row.get("assign", "KEYWORD_ASSIGN"))
    source = (f"(?:{words})" + expand(f"%{assign}%", fragments) + f"(?P<value>{written})"
              + expand("%VALUE_END%", fragments))
    common = {**common, "extend_left": common["extend_left"] or NAME_CHARACTERS}
    return MaskRule(priority=Priority(int(row.get("priority", 3))), source=source, lowered=True,
                    keywords=own, all_keywords=everything,
                    entropy=float(row.get("entropy", DEFAULT_KEYWORD_ENTROPY)),
                    accept=str(row.get("accept", "entropy")), anchors_lower=True, **common)


def _context_rule(row: Mapping[str, Any], written: str, common: dict[str, Any]) -> MaskRule:
    lowered = row.get("case") == "lower"
    source = (guard(str(row["guard"])) if "guard" in row else "") + written
    return MaskRule(priority=Priority(int(row.get("priority", 3))), source=source, lowered=lowered,
                    entropy=float(row["entropy"]) if "entropy" in row else None,
                    accept=row.get("accept"), anchors_lower=lowered or row.get("case_of_anchors") == "lower",
                    **common)
