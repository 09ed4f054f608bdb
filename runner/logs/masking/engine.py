"""The masking pass over one text: exact env values, then the rule table, then an open private key.

One prefilter search finds where rules may match; each such rule's regex is tried only
from there, in table order, and its matches are judged (placeholders, entropy, names). All
matches are found in the same text and then joined, so one rule's match that swallows the
start of another secret cannot hide that secret from the rule that finds it. Unwrapped
views of the text (shell-quoted quotes, JSON `\\uXXXX` escapes) are searched the same way
and what they find is masked in the original.
"""

from __future__ import annotations

import bisect
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import overload

from runner.logs.masking.env import env_secrets
from runner.logs.masking.prefilter import (
    ENGINES,
    JSON_ESCAPES,
    KEY_HEADER,
    MARKER,
    SHELL_QUOTES,
    Hits,
    Prefilter,
    anchored_at_start,
    available_engines,
    make_prefilter,
    rule_literals,
)
from runner.logs.masking.relax import head_literals
from runner.logs.masking.splice import apply_then, line_local, splice
from runner.logs.masking.table import MaskRule, Table, expand, load_table
from runner.logs.masking.views import View, views, views_near, whole

MASKING_ERROR = "[MASKING_ERROR: content_hidden]"
ENGINE_ENV = "PM_RUNNER_MASKING_ENGINE"  # "ahocorasick" or "python" forces a slower prefilter
Span = tuple[int, int]


@lru_cache(maxsize=1)
def table() -> Table:
    return load_table()


def rules() -> tuple[MaskRule, ...]:
    return table().rules


@lru_cache(maxsize=3)
def _prefilter(engine: str) -> Prefilter:
    return make_prefilter(table(), engine)


def prefilter() -> Prefilter:
    """The prefilter in use: the best engine installed (Hyperscan, else Aho-Corasick, else
    `str.find`), or the one `PM_RUNNER_MASKING_ENGINE` names if it is installed.

    Asked once per masked string and by the short-string memo (about 24 times per task): the
    variable is read each time (a test or the bench may change it), the choice it leads to is
    remembered."""
    data = _ENVIRON_BYTES
    setting = data.get(_ENGINE_KEY, b"") if data is not None else os.environ.get(ENGINE_ENV, "")
    last = _last_choice
    return last[1] if last is not None and last[0] == setting else _choose(setting)


# `os.environ.get` of an unset variable costs about a microsecond (a KeyError raised and caught in
# `Mapping.get`). On POSIX CPython `os.environ` keeps the encoded environment in a dict, `_data`,
# which every change through `os.environ` updates at once: looking the encoded name up there reads
# the same value for a twentieth of that. Where `_data` is not such a dict the public read is used.
_environ_data = getattr(os.environ, "_data", None)
_ENVIRON_BYTES: dict[bytes, bytes] | None = _environ_data if type(_environ_data) is dict else None
_ENGINE_KEY = os.fsencode(ENGINE_ENV)
_last_choice: tuple[bytes | str, Prefilter] | None = None  # the last setting read, and its prefilter


def _choose(setting: bytes | str) -> Prefilter:
    global _last_choice
    chosen = _chosen(os.fsdecode(setting))
    _last_choice = (setting, chosen)  # rebinding a global is atomic: threads at worst choose again
    return chosen


@lru_cache(maxsize=8)
def _chosen(wanted: str) -> Prefilter:
    usable = available_engines()
    return _prefilter(wanted if wanted in ENGINES and wanted in usable else usable[0])


def scan(text: str, lowered: str, scanner: Prefilter | None = None) -> tuple[Hits, Hits]:
    """The prefilter's (`scanner`'s, if given) candidates per rule, and where each of its `TRIGGERS` occurs."""
    hits = (scanner or prefilter()).scan(text, lowered)
    triggers = {key: hits.pop(key) for key in [key for key in hits if key < 0]}
    return hits, triggers


def _views(text: str, triggers: Hits) -> list[View]:
    """The views of the regions around the wrappings the scan found."""
    if SHELL_QUOTES not in triggers and JSON_ESCAPES not in triggers:
        return []
    return views_near(text, triggers.get(SHELL_QUOTES, []), triggers.get(JSON_ESCAPES, []))


@lru_cache(maxsize=1)
def key_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The private-key header, footer and whole block."""
    fragments = table().fragments
    return tuple(re.compile(expand(f"%{name}%", fragments)) for name in  # type: ignore[return-value]
                 ("PK_HEADER", "PK_FOOTER", "PK_BLOCK"))


@lru_cache(maxsize=1)
def opener_pattern() -> re.Pattern[str]:
    """A line that ends by opening a value on the next line (`token: |`, `<apiToken>`)."""
    return re.compile("(?i)" + expand("%OPENER%", table().fragments) + "$", re.ASCII)


@lru_cache(maxsize=1)
def _opener_words() -> tuple[str, ...] | None:
    """The credential words one of which every opener starts with (None: no literal head)."""
    pattern = expand("%OPENER%", table().fragments)
    words = head_literals(pattern, re.IGNORECASE | re.ASCII, hot=lambda _: False)
    return tuple(words) if words else None


def opens_value(line: str) -> bool:
    """Whether `line` (no newline) ends by opening a value on the next line (`token: |`).

    The regex costs about half a microsecond per character even on a line of one letter
    (an alternation of words tried at every position), and the stream asks it of every read's
    last line; so two necessary conditions come first: the line ends in `|`, `>`, or one of
    them and `-`/`+` before its trailing blanks (the `%OPENER%` fragment's ends), and holds one
    of the words the pattern starts with.
    """
    tail = line.rstrip(" \t")[-2:]
    if not tail or (tail[-1] not in "|>" and (tail[-1] not in "-+" or tail[:-1] not in ("|", ">"))):
        return False
    words = _opener_words()
    if words is not None:
        lowered = lowercase(line)
        if not any(word in lowered for word in words):
            return False
    return opener_pattern().search(line) is not None


def mask_text(text: str) -> str:
    """Every layer, in order; any failure yields `MASKING_ERROR`, never the original text."""
    return mask_text_counted(text)[0]


def mask_text_counted(text: str) -> tuple[str, Counter[str]]:
    """The masked text and how many values each rule (or `ENV_<NAME>`) masked in it."""
    try:
        return _mask(text)
    except Exception:  # fail closed: whatever went wrong, the input must not come back
        return MASKING_ERROR, Counter({"MASKING_ERROR": 1})


def _mask(text: str) -> tuple[str, Counter[str]]:
    if not isinstance(text, str):
        raise TypeError("mask_text expects a str")
    counts: Counter[str] = Counter()
    # Hyperscan folds case itself: then the lowered copy is made only once there is a candidate
    # (lowering costs ~1 ms per MB of ASCII, ~5 ms per MB of text with wide characters).
    scanner = prefilter()  # asked once per text: reading the environment costs microseconds
    lowered = lowercase(text) if scanner.reads_lowered else ""
    env_hits = env_secrets().matches(text)
    hits, triggers = scan(text, lowered, scanner)
    wrapped = _views(text, triggers)
    if not env_hits and not hits and not wrapped and not triggers:
        return text, counts  # the common case: nothing any layer could match
    lowered = lowered or lowered_copy(text)
    # Cut at an unterminated key header first: a rule whose match covers the header line
    # (`password: -----BEGIN ...`) must not hide the header and so let the key body through.
    open_at = _open_key_start(text) if KEY_HEADER in triggers else None
    tail = ""
    if open_at is not None:
        tail, counts["PRIVATE_KEY"] = "[MASKED:PRIVATE_KEY]", 1
        text, lowered = text[:open_at], lowered[:open_at]
        env_hits = [hit for hit in env_hits if hit[1] <= open_at]
        hits = {rule: [p for p in positions if p < open_at] for rule, positions in hits.items()}
        wrapped = views(text)
    spans = _intervals(text, lowered, hits, env_hits, wrapped=wrapped)
    counts.update(marker[8:-1] for _, _, marker in spans)
    # A value on the line after its name keeps the line break: one marker per line.
    return splice(text, spans, _then_rules(), MARKER in triggers) + tail, counts


@overload
def mask_lines(text: str) -> list[str]: ...
@overload
def mask_lines(text: str, *, key_header_ok: bool) -> list[str] | None: ...


def mask_lines(text: str, *, key_header_ok: bool = True) -> list[str] | None:
    """`text` masked and split into its lines, one output line per input line, even where a
    match spans a line break (a YAML `token: |` block): each line keeps its share of the
    span, replaced by the marker. For text with no private-key header (the stream masker's
    batches; with `key_header_ok=False`, None if the text holds `BEGIN` after all); any
    failure yields `MASKING_ERROR` for every line."""
    masked = _masked_lines(text, key_header_ok)
    return masked.split("\n") if isinstance(masked, str) else masked


@overload
def mask_block(text: str) -> str: ...
@overload
def mask_block(text: str, *, key_header_ok: bool) -> str | None: ...


def mask_block(text: str, *, key_header_ok: bool = True) -> str | None:
    """`"\n".join(mask_lines(text))`: the same lines joined again, but the common case (nothing
    any layer could match) is `text` itself, never split into lines (a stream's whole read)."""
    masked = _masked_lines(text, key_header_ok, joined=True)
    return "\n".join(masked) if isinstance(masked, list) else masked


def _masked_lines(text: str, key_header_ok: bool, *, joined: bool = False) -> list[str] | str | None:
    """`mask_lines`' answer, or `text` itself when nothing any layer could match in it; with
    `joined`, the masked lines may come back joined already (see `_splices_as_lines`)."""
    try:
        # Hyperscan folds case itself: then the lowered copy is made only once there is a candidate.
        scanner = prefilter()
        lowered = lowercase(text) if scanner.reads_lowered else ""
        hits, triggers = scan(text, lowered, scanner)
        if KEY_HEADER in triggers and not key_header_ok:
            return None
        env_hits = env_secrets().matches(text)
        wrapped = _views(text, triggers)
        if not hits and not env_hits and not wrapped:
            return text  # the common case: nothing any layer could match
        lowered = lowered or lowered_copy(text)
        spans = _intervals(text, lowered, hits, env_hits, wrapped=wrapped)
        if joined and _splices_as_lines(text, spans):
            return splice(text, spans, _then_rules(), MARKER in triggers)
        lines = text.split("\n")
        out = _split_masked(text, lines, spans)
        if MARKER in triggers:  # a `then` may also apply to a marker already in the input
            out = [_then(line) if "[MASKED:" in line else line for line in out]
        return out
    except Exception:  # fail closed, line for line
        return [MASKING_ERROR] * (text.count("\n") + 1)


def _splices_as_lines(text: str, spans: Sequence[tuple[int, int, str]]) -> bool:
    """Whether `splice` gives `"\n".join(_split_masked(...))` (with `_then` per line) for these
    spans: none runs over a line break, and every `then` pattern stays on one line. Then a
    block of lines is masked without being split into lines and joined again."""
    return (all(text.find("\n", start, end) == -1 for start, end, _ in spans)
            and all(line_local(rule) for rule in _then_rules()))


def _split_masked(text: str, lines: list[str], spans: Sequence[tuple[int, int, str]]) -> list[str]:
    """`lines` (the lines of `text`) with `spans` masked; only the lines a span touches are
    rebuilt, found by counting line breaks from one span to the next (linear in the text)."""
    out = list(lines)
    index = line_no = offset = 0
    while index < len(spans) and line_no < len(lines):
        skipped = text.count("\n", offset, max(spans[index][0], offset))
        if skipped:  # jump to the line where the next span starts
            line_no += skipped
            offset = text.rfind("\n", offset, spans[index][0]) + 1
        end = offset + len(lines[line_no])
        pieces: list[str] = []
        done, probe = offset, index
        while probe < len(spans) and spans[probe][0] < end:
            start, stop, marker = spans[probe]
            pieces += (text[done:max(start, offset)], marker)
            done = min(stop, end)
            probe += 1
        if pieces:
            pieces.append(text[done:end])
            out[line_no] = _then("".join(pieces))
        line_no, offset = line_no + 1, end + 1
        while index < len(spans) and spans[index][1] <= offset:
            index += 1
    return out


@lru_cache(maxsize=1)
def _then_rules() -> tuple[MaskRule, ...]:
    built = table()
    return tuple(map(built.rule, built.indexes_with("then")))


def _then(masked: str) -> str:
    """A rule's `then`: `{"password": "x"}` masked to `{[MASKED:JSON_CREDENTIAL]}` becomes the marker."""
    return apply_then(masked, _then_rules())


def _intervals(text: str, lowered: str, hits: Hits, env_hits: Sequence[tuple[int, int, str]],
               margin: int = 0, wrapped: Sequence[View] = ()) -> list[tuple[int, int, str]]:
    """Every env value and rule match (and every one found in an unwrapped view), overlapping
    ones joined, each named after its first layer: an env value, else the first rule in
    table order."""
    ranked = [(start, end, -1, marker) for start, end, marker in env_hits]
    ranked += _rule_matches(text, lowered, hits, [(s, e) for s, e, _ in env_hits])
    for view in wrapped:
        if "BEGIN" in view.text and view.original_length < len(text):
            view = whole(text, view.kind)  # a key block runs on for many lines: search it all
        found = _view_matches(view)
        if any(view.cut_short(start, end, len(text)) for start, end, _, _ in found):
            view = whole(text, view.kind)  # a match may run past the region: search it all
            found = _view_matches(view)
        ranked += [(*view.original_span(s, e), rank, marker) for s, e, rank, marker in found]
        open_at = _open_key_start(view.text)
        if open_at is not None:  # fail closed, as for the text itself: hide the rest
            ranked.append((view.original_span(open_at, open_at)[0], len(text), _key_rank(), "[MASKED:PRIVATE_KEY]"))
    merged: list[tuple[int, int, int, str]] = []
    for start, end, rank, marker in sorted(ranked):
        start, end = max(start - margin, 0), min(end + margin, len(text))
        if merged and start < merged[-1][1]:
            last = merged[-1]
            best = (rank, marker) if rank < last[2] else (last[2], last[3])
            merged[-1] = (last[0], max(last[1], end), *best)
        else:
            merged.append((start, end, rank, marker))
    return [(start, end, marker) for start, end, _, marker in merged]


@lru_cache(maxsize=1)
def _key_rank() -> int:
    return table().index_of("PRIVATE_KEY")


def _view_matches(view: View) -> list[tuple[int, int, int, str]]:
    """Env values and rule matches in a view, in the view's positions."""
    view_lowered = lowercase(view.text)
    view_env = env_secrets().matches(view.text)
    found = [(s, e, -1, m) for s, e, m in view_env]
    return found + _rule_matches(view.text, view_lowered, scan(view.text, view_lowered)[0],
                                 [(s, e) for s, e, _ in view_env])


def _rule_matches(text: str, lowered: str, hits: Hits, covered_spans: list[Span]) -> list[tuple[int, int, int, str]]:
    rule_at = table().rule  # only the rules with a candidate are built
    covered = _Covered(covered_spans)
    found: list[tuple[int, int, int, str]] = []
    for index in sorted(hits):  # table order: a match inside an earlier span needs no judging
        spans = rule_spans(rule_at(index), text, lowered, hits[index], _shift(index), covered)
        if spans:
            covered.add(spans)
            marker = rule_at(index).marker
            found += [(start, end, index, marker) for start, end in spans]
    return found


def _shifts() -> tuple[int | None, ...]:
    """`_shift` of every rule, in table order."""
    return tuple(map(_shift, range(len(rules()))))


@cache
def _shift(index: int) -> int | None:
    """How far after its candidate every match of the rule at `index` starts — 0 for a rule
    `anchored_at_start`, the literal's length for one opening with a lookbehind of exactly its
    one literal (`(?<=://)`: the match starts right after each `://`) — or None: searched from
    the candidate's line start."""
    rule = table().rule(index)
    return 0 if anchored_at_start(rule) else lookbehind_shift(rule)


def lookbehind_shift(rule: MaskRule) -> int | None:
    """The length of the rule's one literal when its pattern opens with a lookbehind of just that
    literal (and is no `near` rule), so each match starts where a candidate's literal ends; else None."""
    literals = [] if rule.near or rule.prefilter != "literals" else rule_literals(rule)
    if len(literals) != 1:
        return None
    literal = literals[0][0]
    plain = re.escape(literal) == literal and literal.lower() == literal.upper()  # no case to fold
    return len(literal) if plain and rule.source.startswith(f"(?<={literal})") else None


class _Covered:
    """The spans accepted so far, to tell whether a new match would add anything: `starts` and
    `ends` are theirs in sorted order."""

    def __init__(self, spans: list[Span]) -> None:
        self._spans: list[Span] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.add(spans)

    def add(self, spans: list[Span]) -> None:
        if spans:
            self._spans = sorted(self._spans + spans)
            self.starts = [start for start, _ in self._spans]
            self.ends = [end for _, end in self._spans]

    def covers(self, start: int, end: int) -> bool:
        """Whether the last span starting at or before `start` (the longest, of those starting
        there) reaches `end`."""
        index = bisect.bisect_right(self.starts, start) - 1
        return index >= 0 and self.ends[index] >= end


@lru_cache(maxsize=1)
def judging() -> Callable[[MaskRule, str, re.Match[str], int], Span | None]:
    """`judge.judge`, imported on first use: judging (its word lists and regexes) loads once a
    rule is tried, so a text with no candidate needs none; remembered, because an import
    statement in the per-rule functions cost 1.5–2.5 µs per call (19 rules × 16 reads per MB
    of a stream)."""
    from runner.logs.masking.judge import judge

    return judge


def rule_spans(rule: MaskRule, text: str, lowered: str, positions: Sequence[int], shift: int | None,
               covered: _Covered | None = None) -> list[Span]:
    """Where `rule` masks `text`, trying it from each candidate position on.

    A rule with a `shift` (`_shifts`) matches only that far after its candidate, so its regex is
    tried there only; any other rule is searched from the start of the candidate's line to the
    end of that line. No character is searched twice, so the cost stays linear in the text.
    """
    if shift is None:
        return _searched_spans(rule, text, lowered, positions, covered)
    return _anchored_spans(rule, text, lowered, positions, covered, shift)


def _searched_spans(rule: MaskRule, text: str, lowered: str, positions: Sequence[int],
                    covered: _Covered | None) -> list[Span]:
    judge = judging()
    pattern, target = _pattern_and_target(rule, text, lowered)
    found: list[Span] = []
    cursor = 0
    for position in positions:
        if position < cursor:
            continue
        limit = _limit(rule, text, position)
        begin = max(cursor, text.rfind("\n", 0, position) + 1)
        if covered is not None and not rule.rest_of_line and covered.covers(begin, limit):
            cursor = limit
            continue  # whatever matches here lies inside an earlier span
        while begin < limit and (match := pattern.search(target, begin, limit)) is not None:
            begin = max(match.end(), match.start() + 1)
            if covered is not None and not rule.rest_of_line and covered.covers(*match.span()):
                continue  # already hidden by an earlier rule: judging it would change nothing
            span = judge(rule, text, match, found[-1][1] if found else 0)
            if span is not None:
                found.append(span)
                begin = max(begin, span[1])
        cursor = limit
    return found


def exhaustive_spans(rule: MaskRule, text: str) -> list[Span]:
    """Where `rule` masks `text` found by searching from every line's start to the rule's
    limit, with no prefilter: the reference the tests hold the prefilter's candidates to.

    Unlike the engine's search it never skips a line because an earlier window reached it: a
    two-line rule's window starting on a line that a previous window ended on is searched too
    (a `token: |` opener after a private key's END marker, its value on the next line)."""
    judge = judging()
    lowered = lowercase(text)
    target = lowered if rule.lowered else text
    found: list[Span] = []
    for begin in [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]:
        limit = _limit(rule, text, begin)
        position = max(begin, found[-1][1] if found else 0)
        while position < limit and (match := rule.pattern.search(target, position, limit)) is not None:
            position = max(match.end(), match.start() + 1)
            span = judge(rule, text, match, found[-1][1] if found else 0)
            if span is not None:
                found.append(span)
                position = max(position, span[1])
    return found


def _anchored_spans(rule: MaskRule, text: str, lowered: str, positions: Sequence[int],
                    covered: _Covered | None, shift: int = 0) -> list[Span]:
    """Each match starts `shift` characters after a candidate: tried there only.

    The loop runs once per candidate (a thousand per MB of output): `_Covered.covers` is
    written out in it, and the one bisection serves both questions, since a match tried at
    `position` starts there and ends by the line's limit."""
    judge = judging()
    pattern, target = _pattern_and_target(rule, text, lowered)
    match_at, find = pattern.match, text.find  # names looked up once
    starts, ends = (covered.starts, covered.ends) if covered is not None and not rule.rest_of_line else ([], [])
    one_line = rule.lines == 1
    found: list[Span] = []
    cursor = line_end = limit = -1
    for candidate in positions:
        position = candidate + shift
        if position < cursor:
            continue
        if position > line_end:  # positions rise: each line's end is looked for once
            line_end = find("\n", position)
            if line_end == -1:
                line_end = len(text)
            limit = line_end if one_line else _limit(rule, text, line_end)
        reach = ends[at] if starts and (at := bisect.bisect_right(starts, position) - 1) >= 0 else -1
        if reach >= limit:
            continue  # whatever matches here lies inside an earlier span
        match = match_at(target, position, limit)
        if match is None:
            continue
        cursor = match.end()
        if reach >= cursor:
            continue  # already hidden by an earlier rule: judging it would change nothing
        span = judge(rule, text, match, found[-1][1] if found else 0)
        if span is not None:
            found.append(span)
            cursor = max(cursor, span[1])
    return found


def _pattern_and_target(rule: MaskRule, text: str, lowered: str) -> tuple[re.Pattern[str], str]:
    """The regex to run for `rule` and the string to run it on: a `lowered` rule runs on the
    lowercased copy when there is one (`lowered` not empty), else folds case on the text."""
    if not rule.lowered:
        return rule.pattern, text
    return (rule.pattern, lowered) if lowered else (rule.folded, text)


def _line_end(text: str, position: int) -> int:
    end = text.find("\n", position)
    return len(text) if end == -1 else end


def _limit(rule: MaskRule, text: str, position: int) -> int:
    """Where a match starting on `position`'s line must end: the end of its line (or lines)."""
    if rule.lines is None:
        return len(text)
    end = _line_end(text, position)
    for _ in range(rule.lines - 1):
        if end < len(text):
            end = _line_end(text, end + 1)
    return end


def lowercase(text: str) -> str:
    """`text` lowercased with every position still lined up (for ASCII-only patterns).

    `İ` is the one character whose lowercase is two characters; it is swapped for `ı`
    (also not ASCII) first. The Kelvin sign becomes `k`, which can only add matches.
    """
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.replace("\u0130", "\u0131").lower()


def lowered_copy(text: str) -> str:
    """What `_intervals` and `judge` take as the lowercased text once the prefilter has found
    candidates: "" (no copy: `lowered` rules fold case on the text, judging lowers the few
    characters it reads) unless the text holds a Kelvin sign, whose lowercase `k` a case-folding
    ASCII regex would not match, so the copy is made as before. A copy of a megabyte costs a
    millisecond or more (its fresh memory, too, not just the lowering)."""
    return lowercase(text) if "\u212a" in text else ""


def _open_key_start(text: str) -> int | None:
    """Where the first private-key header that no footer closes starts, if there is one."""
    if "BEGIN" not in text:
        return None
    header, _, block = key_patterns()
    pos = 0
    while (found := header.search(text, pos)) is not None:
        closed = block.match(text, found.start())
        if closed is None:
            return found.start()
        pos = closed.end()
    return None


def has_open_private_key(text: str) -> bool:
    """True when `text` holds a private-key header that no footer in `text` closes."""
    return _open_key_start(text) is not None


def find_spans(rule: MaskRule, text: str) -> list[Span]:
    """Where one rule masks `text`, found the way the engine finds it."""
    index = rules().index(rule)
    lowered = lowercase(text)
    return rule_spans(rule, text, lowered, scan(text, lowered)[0].get(index, []), _shifts()[index])


def secret_intervals(text: str, margin: int = 0) -> list[Span]:
    """Merged, sorted spans of `text` that some layer would mask, each widened by `margin`.

    The stream masker cuts an over-long line only outside these, so no secret is split
    between two masked pieces nor cut off from the context its rule looks at.
    """
    lowered = lowercase(text)
    hits, triggers = scan(text, lowered)
    wrapped = _views(text, triggers)
    spans = _intervals(text, lowered, hits, env_secrets().matches(text), margin, wrapped)
    return [(start, end) for start, end, _ in spans]


def masked_spans(text: str) -> list[tuple[int, int, str]]:
    """The merged (start, end, marker) spans masking `text` replaces, in order, for a text the
    caller knows holds no unterminated private-key header (the stream's over-long line, checked
    before): the stream chooses where to cut a piece from them and splices the piece with
    `splice_head`, so the piece is masked in the same pass that found where it may end."""
    scanner = prefilter()
    lowered = lowercase(text) if scanner.reads_lowered else ""
    env_hits = env_secrets().matches(text)
    hits, triggers = scan(text, lowered, scanner)
    wrapped = _views(text, triggers)
    if not env_hits and not hits and not wrapped:
        return []
    return _intervals(text, lowered or lowered_copy(text), hits, env_hits, wrapped=wrapped)


def splice_head(text: str, spans: Sequence[tuple[int, int, str]], end: int) -> str:
    """`text[:end]` with the `masked_spans` of `text` that lie before `end` replaced (none may
    run past it), and the table's `then` rules applied, as `mask_text` puts a text together."""
    head = [span for span in spans if span[1] <= end]
    return splice(text[:end], head, _then_rules()) if head or text.find("[MASKED:", 0, end) != -1 else text[:end]
