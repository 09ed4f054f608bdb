"""What the prefilter looks for, derived from the rules' own regexes.

`head_literals` gives the literals one of which every match of a rule starts with (a
token's prefix, a secret word followed by each character that can come next), so one
literal search finds every candidate. `prefilter_expression` gives, for the few rules with
no selective literal, a Hyperscan expression matching a prefix of every match. Both only
ever widen what the rule accepts (lookarounds dropped, bounds relaxed), so a candidate is
never missed; the rule's own regex then decides.
"""

from __future__ import annotations

import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Callable
from typing import Any

_MAX_COUNT = 8  # longer counts widen to "at least 8": cheap to compile, still selective
_SPECIAL = set(".^$*+?{}[]\\|()/-")
_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D", sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S", sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class Unsupported(ValueError):
    """No useful widening; the rule is then found by its literal anchors instead."""


def prefilter_expression(pattern: str, flags: int = 0) -> str:
    """A Hyperscan expression matching a prefix of every match of `pattern` (see module doc)."""
    items = _cut(list(sre_parse.parse(pattern, flags)))
    out = _emit(items, trailing=True)
    if not out or _min_length(items) < 2:
        raise Unsupported("the expression would match almost anywhere")
    return out


def _cut(items: list[Any]) -> list[Any]:
    """Top-level items up to the first capturing group, lookarounds and anchors dropped,
    a leading literal lookbehind turned into a literal prefix."""
    kept: list[Any] = []
    for index, (op, av) in enumerate(items):
        if op == sre.ASSERT and av[0] == -1 and index == 0 and all(o == sre.LITERAL for o, _ in av[1]):
            kept.extend(av[1])
            continue
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
            continue
        if op == sre.SUBPATTERN and av[0] is not None:
            break  # the value: a prefix up to here is enough
        kept.append((op, av))
    while kept and kept[-1][0] in _REPEATS and kept[-1][1][0] == 0:
        kept.pop()  # nothing follows an optional tail: leave it out
    return kept


def _emit(items: list[Any], *, trailing: bool) -> str:
    items = [(op, av) for op, av in items if op not in (sre.ASSERT, sre.ASSERT_NOT, sre.AT)]
    parts = []
    for index, (op, av) in enumerate(items):
        last = trailing and index == len(items) - 1
        parts.append(_item(op, av, last))
    return "".join(parts)


def _item(op: Any, av: Any, last: bool) -> str:
    if op in _REPEATS:
        low, high, inner = av
        body = _group(_emit(list(inner), trailing=False))
        if last and (high != low or low > _MAX_COUNT):
            low = min(low, _MAX_COUNT)
            return "" if low == 0 else (body if low == 1 else f"{body}{{{low}}}")
        return _repeat(body, low, high)
    if op == sre.SUBPATTERN:
        return _group(_emit(list(av[-1]), trailing=last))
    if op == sre.ATOMIC_GROUP:
        return _group(_emit(list(av), trailing=last))
    if op == sre.BRANCH:
        branches = [_emit(list(b), trailing=last) for b in av[1]]
        if any(b == "" for b in branches):
            branches = [b for b in branches if b]
            return "" if not branches else "(?:" + "|".join(branches) + ")?"
        return "(?:" + "|".join(branches) + ")"
    return _atom(op, av)


def _group(body: str) -> str:
    return f"(?:{body})" if body else ""


def _repeat(body: str, low: int, high: int) -> str:
    if not body:
        return ""
    if high == sre.MAXREPEAT or high > _MAX_COUNT:
        return f"{body}{{{min(low, _MAX_COUNT)},}}"
    return f"{body}{{{low},{high}}}" if low != high else f"{body}{{{low}}}"


def _min_length(items: list[Any]) -> int:
    total = 0
    for op, av in items:
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY):
            total += 1
        elif op in _REPEATS:
            total += av[0] * _min_length(list(av[2]))
        elif op == sre.SUBPATTERN:
            total += _min_length(list(av[-1]))
        elif op == sre.ATOMIC_GROUP:
            total += _min_length(list(av))
        elif op == sre.BRANCH:
            total += min(_min_length(list(b)) for b in av[1])
    return total


def _atom(op: Any, av: Any) -> str:
    if op == sre.LITERAL:
        return _char(av)
    if op == sre.NOT_LITERAL:
        return f"[^{_class_char(av)}]"
    if op == sre.ANY:
        return "[^\\n]"
    if op == sre.IN:
        return _class(av)
    raise Unsupported(f"cannot widen {op}")


def _class(av: Any) -> str:
    negate = False
    body = []
    for op, arg in av:
        if op == sre.NEGATE:
            negate = True
        elif op == sre.LITERAL:
            body.append(_class_char(arg))
        elif op == sre.RANGE:
            body.append(f"{_class_char(arg[0])}-{_class_char(arg[1])}")
        elif op == sre.CATEGORY:
            body.append(_CATEGORIES[arg])
        else:
            raise Unsupported(f"class item {op}")
    return "[" + ("^" if negate else "") + "".join(body) + "]"


def _char(code: int) -> str:
    char = chr(code)
    if code > 0x7E or code < 0x20:
        return f"\\x{min(code, 0xFF):02x}"
    return "\\" + char if char in _SPECIAL else char


def _class_char(code: int) -> str:
    char = chr(code)
    if code > 0x7E or code < 0x20 or char in "\\]^-[":
        return f"\\x{min(code, 0xFF):02x}"
    return char


def _first(items: list[Any]) -> set[str] | None:
    """Every character a match of `items` can start with; None if any (or the items can be empty)."""
    chars: set[str] = set()
    for op, av in items:
        got, nullable = _first_item(op, av)
        if got is None:
            return None
        chars |= got
        if not nullable:
            return chars
    return None  # everything optional: the match may end here


def _first_item(op: Any, av: Any) -> tuple[set[str] | None, bool]:
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):
        return set(), True  # zero-width
    if op == sre.LITERAL:
        return {chr(av)}, False
    if op == sre.IN:
        chars = _class_chars(av)
        return chars, False
    if op in _REPEATS:
        got = _first(list(av[2]))
        return got, av[0] == 0 or got is None
    if op == sre.SUBPATTERN:
        got = _first(list(av[-1]))
        return got, got is None
    if op == sre.ATOMIC_GROUP:
        got = _first(list(av))
        return got, got is None
    if op == sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            got = _first(list(branch))
            if got is None:
                return None, True
            union |= got
        return union, False
    return None, True


def _class_chars(av: Any) -> set[str] | None:
    chars: set[str] = set()
    for op, arg in av:
        if op == sre.NEGATE or op == sre.CATEGORY:
            return None
        if op == sre.LITERAL:
            chars.add(chr(arg))
        elif op == sre.RANGE:
            chars.update(chr(c) for c in range(arg[0], arg[1] + 1))
    return chars


def _zero_width(op: Any, av: Any) -> bool:
    """A group of lookarounds only (the engine's start guard)."""
    if op == sre.SUBPATTERN:
        return all(_zero_width(o, a) for o, a in av[-1])
    if op == sre.BRANCH:
        return all(all(_zero_width(o, a) for o, a in branch) for branch in av[1])
    return op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT)


def head_literals(pattern: str, flags: int = 0, *, max_follow: int = 40,
                  hot: Callable[[str], bool] | None = None, max_literals: int = 600) -> list[str] | None:
    """Literals one of which every match of `pattern` starts with. A short literal (under
    `short` characters) is followed by every character that can come next when few can
    (`token_`, `token=`, `token"` …), so a plain literal search finds candidates about as
    selectively as a regex would. None when the pattern has no literal head of 2+ characters.
    `hot` says which literals get the follow characters (default: those under 8 characters)."""
    parsed = list(sre_parse.parse(pattern, flags))
    head: list[Any] = []
    index = 0
    if parsed and parsed[0][0] == sre.ASSERT and parsed[0][1][0] == -1 \
            and all(o == sre.LITERAL for o, _ in parsed[0][1][1]):
        head.extend(parsed[0][1][1])
        index = 1
    while index < len(parsed) and (parsed[index][0] in (sre.ASSERT, sre.ASSERT_NOT, sre.AT)
                                   or _zero_width(*parsed[index])):
        index += 1
    while index < len(parsed) and (parsed[index][0] == sre.LITERAL or _small_class(*parsed[index])):
        head.append(parsed[index])
        index += 1
    if index < len(parsed) and parsed[index][0] in (sre.SUBPATTERN, sre.BRANCH) \
            and (parsed[index][0] == sre.BRANCH or parsed[index][1][0] is None):
        head.append(parsed[index])
        index += 1
    literals, complete = _prefix_set(head, max_literals)
    if not literals or min(len(lit) for lit in literals) < 2:
        return None
    follow = _first(parsed[index:]) if complete else None
    if not follow or len(follow) > max_follow:
        return sorted(literals)
    expanded = set()
    for literal in literals:
        is_hot = hot(literal) if hot is not None else len(literal) < 8
        expanded.update([literal + char for char in follow] if is_hot else [literal])
    return sorted(expanded) if len(expanded) <= max_literals else sorted(literals)


def _small_class(op: Any, av: Any) -> bool:
    if op != sre.IN:
        return False
    chars = _class_chars(av)
    return chars is not None and len(chars) <= 8


def _prefix_set(items: list[Any], limit: int) -> tuple[set[str], bool]:
    """The literal prefixes of `items` (small classes and alternatives expanded), and whether
    they are whole: every match of `items` is one of them."""
    results = {""}
    for op, av in items:
        if op == sre.LITERAL:
            results = {r + chr(av) for r in results}
            continue
        if _small_class(op, av):
            results = {r + c for r in results for c in _class_chars(av) or ()}
            continue
        if op in (sre.SUBPATTERN, sre.BRANCH):
            branches = [list(av[-1])] if op == sre.SUBPATTERN else [list(b) for b in av[1]]
            inner: set[str] = set()
            whole = True
            for branch in branches:
                got, done = _prefix_set(branch, limit)
                inner |= got
                whole &= done
            results = {r + i for r in results for i in inner}
            if len(results) > limit:
                return set(), False
            if not whole:
                return results, False
            continue
        if op in _REPEATS and av[1] <= 1:
            got, done = _prefix_set(list(av[2]), limit)
            if not done:
                return results, False
            results = {r + i for r in results for i in got | ({""} if av[0] == 0 else set())}
            continue
        return results, False
    return results, True
