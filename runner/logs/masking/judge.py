"""Whether a rule's regex match is a secret to mask, and which span to mask.

The regex finds the shape; this module applies the rule's `accept` check (entropy,
placeholders, names), its `near` words and `rest_of_line`, and the left widening over
the rest of a name (`db_password=` is matched at `password` and masked from `db_`).
"""

from __future__ import annotations

import re

from runner.logs.masking.table import MaskRule
from runner.logs.masking.values import (
    LOCATION_SUFFIXES,
    NON_SECRET_SUFFIXES,
    is_filler,
    is_placeholder,
    is_reference,
    is_url_without_secret,
    looks_random,
    name_words,
    names_a_non_secret,
    shannon_entropy,
    unquote,
)

NEAR_WINDOW = 512  # how far back on the line a rule's `near` words are looked for
_SCHEMES = frozenset({"bearer", "basic", "token", "digest", "negotiate", "ntlm", "apikey",
                      "api-key", "key", "aws4-hmac-sha256", "hawk", "mac", "oauth", "sso-key"})
_ESCAPED_BREAK = re.compile(r"(?<!\\)\\[nr]")
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")


def judge(rule: MaskRule, text: str, match: re.Match[str], floor: int) -> tuple[int, int] | None:
    """The span to mask for `match`, or None if the rule's checks reject it."""
    start, end = match.span()
    if rule.near and not _near(rule, text, start):
        return None
    if text.find("[MASKED:", max(0, start - 64), max(end, start + 1)) != -1 and (
            _inside_marker(text, start) or _only_markers(text[start:end])):
        return None  # our own marker (`[MASKED:PRIVATE_KEY] = x`, `://[MASKED:X]@`) is no secret
    value_span = _value_span(rule, match)
    value = text[value_span[0]:value_span[1]] if value_span else text[start:end]
    left = widen_left(rule, text, start, floor)
    if not _accepts(rule, text, value, left, value_span[0] if value_span else start, start):
        return None
    if rule.kind == "keyword" and value_span:
        return value_span  # `ALGOLIA_KEY=[MASKED:ALGOLIA_KEY]`: the name stays readable
    if rule.rest_of_line and value_span and not unquote(value)[1]:
        end = max(end, _line_end(text, value_span[0]))
    return left, end


def widen_left(rule: MaskRule, text: str, left: int, floor: int) -> int:
    """The match start moved left over the characters of `extend_left` (at most 48; of the
    lowercased window for a `lowered` rule)."""
    if not rule.extend_left:
        return left
    window = text[max(floor, left - 48):left]
    if rule.lowered:
        window = lower_window(window)
    return left - (len(window) - len(window.rstrip(rule.extend_left)))


def _value_span(rule: MaskRule, match: re.Match[str]) -> tuple[int, int] | None:
    for group in rule.value_groups:
        span = match.span(group)
        if span[0] != -1:
            return span
    return None


def _near(rule: MaskRule, text: str, start: int) -> bool:
    floor = max(0, start - NEAR_WINDOW)
    line_start = text.rfind("\n", floor, start) + 1
    window = lower_window(text[max(line_start, floor):start])
    return any(word in window for word in rule.near)


def lower_window(window: str) -> str:
    """A few characters of the text lowercased as `engine.lowercase` lowers the whole (the
    same length: `İ` first becomes `ı`), so they read as the lowercased copy would."""
    lowered = window.lower()
    return lowered if len(lowered) == len(window) else window.replace("\u0130", "\u0131").lower()


def _accepts(rule: MaskRule, text: str, value: str, left: int, value_start: int, start: int) -> bool:
    check = rule.accept
    if check is None:
        return True
    if check == "entropy":
        if rule.kind == "token":
            return not is_filler(value) and (rule.entropy is None or shannon_entropy(value) >= rule.entropy)
        if rule.kind == "keyword" and (is_placeholder(value)
                                       or names_a_non_secret(_name(text, left, value_start), LOCATION_SUFFIXES)):
            return False
        return rule.entropy is None or shannon_entropy(unquote(value)[0]) >= rule.entropy
    if check == "generic":
        if rule.name == "GENERIC_SECRET" and _glued_colon(text, value_start, value):
            return False
        if text.find(",", start, value_start) != -1 and text[left] not in "\"'" and (left == 0 or text[left - 1] not in "\"'"):
            return False  # `f("X_TOKEN", v)` pairs a quoted name with a value; `"bad token", x` does not
        return not is_placeholder(value) and not names_a_non_secret(_name(text, left, value_start)) \
            and not is_url_without_secret(value)
    if check == "header":
        return not is_reference(_credential_of_header(value))
    if check == "url_password":
        return not is_reference(value)
    if check == "random_value":
        return _random_value(rule, text, value, left, value_start, start)
    if check == "netrc":
        floor = max(0, start - NEAR_WINDOW)
        line_start = max(text.rfind("\n", floor, start) + 1, floor)
        before = text[line_start:start].lower()
        if is_placeholder(value):
            return False
        if "machine" in before or "login" in before or "default" in before:
            return True
        line_end = text.find("\n", start)
        after = text[start:len(text) if line_end == -1 else line_end].split(None, 2)
        return not before.strip() and len(after) == 2  # a line of its own: `  password s3cr3t`
    if check == "user_password":
        core, _ = unquote(value)
        user, sep, password = core.partition(":")
        return bool(sep and password) and not is_placeholder(password) and not is_placeholder(core)
    raise ValueError(f"unknown accept {check!r}")  # the table loader rejects these first


def _name(text: str, left: int, value_start: int) -> str:
    """The assigned name: the identifier characters of the match before its value."""
    head = text[left:value_start]
    name = _NAME.search(head)
    return name.group() if name else head


def _credential_of_header(value: str) -> str:
    tokens = value.split()
    if len(tokens) > 1 and tokens[0].lower().rstrip(":") in _SCHEMES:
        return tokens[1]
    first = tokens[0] if tokens else ""
    return first.partition("=")[2] if "=" in first else first


def _random_value(rule: MaskRule, text: str, value: str, left: int, value_start: int, start: int) -> bool:
    if rule.kind != "keyword":  # a URL's user part
        return looks_random(value, min_length=16)
    keyword_end = start + next((len(k) for k in sorted(rule.keywords, key=len, reverse=True)
                                if text[start:start + len(k)].lower() == k), 0)
    weak = keyword_end > start
    if weak and not _whole_word(text, start):
        return False
    name = _name(text, left, value_start)
    if names_a_non_secret(name, NON_SECRET_SUFFIXES if weak else LOCATION_SUFFIXES) or not name_words(name):
        return False
    return looks_random(value, uuid_is_random=not weak)


def _whole_word(text: str, start: int) -> bool:
    """The keyword at `start` begins a word of its name (`api_key`, `apiKey`, not `monkey`)."""
    if start == 0:
        return True
    before, first = text[start - 1], text[start]
    if not before.isalpha():
        return True
    return first.isupper() and before.islower()


def _line_end(text: str, pos: int) -> int:
    """Where the line holding `pos` ends: at a newline or a JSON-escaped line break."""
    end = text.find("\n", pos)
    end = len(text) if end == -1 else end
    escaped = _ESCAPED_BREAK.search(text, pos, end)
    return escaped.start() if escaped else end


def _glued_colon(text: str, value_start: int, value: str) -> bool:
    """`name:value` with nothing around the colon and no quotes: an ARN, a URI or a type
    annotation rather than a YAML mapping (which needs a space after the colon)."""
    colon = value_start - 1
    return (colon > 0 and text[colon] == ":" and text[colon - 1] not in "\"'`"
            and not unquote(value)[1])


_MARKER = re.compile(r"\[MASKED:[A-Z0-9_]+\]")


def _inside_marker(text: str, start: int) -> bool:
    """True when `start` lies inside a complete `[MASKED:RULE]` marker (a rule id is no
    credential name). An unclosed `[MASKED:` in front of a secret hides nothing."""
    opening = text.rfind("[MASKED:", max(0, start - 64), start + 1)
    if opening == -1:
        return False
    marker = _MARKER.match(text, opening)
    return marker is not None and marker.end() > start


def _only_markers(matched: str) -> bool:
    """True when a match holds nothing but complete markers and punctuation."""
    if "[MASKED:" not in matched:
        return False
    rest = _MARKER.sub("", matched)
    return not any(char.isalnum() for char in rest)
