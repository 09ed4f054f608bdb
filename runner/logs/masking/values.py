"""What a matched value is: a placeholder or reference (left alone), random enough to be a
secret, or under a name that only says where a secret is (`token_url`, `password_file`).

These are the judgments the rule table names in its `accept` field; they look at one value
of bounded length, so they never change the linear cost of a pass.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

# A reference to a value kept elsewhere: shell and make variables and commands, GitHub
# expressions, Python %-formats, Jinja/Helm/Go templates, ERB, Ruby interpolation, Windows
# %VAR%, autoconf @VAR@, format fields `{0}`, and `<angle placeholders>`.
_REFERENCE = (r"\$\{\{[^}\n]*\}\}|\$\{[^}\n]*\}|\$\([^)\n]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9]"
              r"|%\([A-Za-z_][A-Za-z0-9_]*\)[sdrf]|%[A-Za-z_][A-Za-z0-9_]*%|%[sdv]"
              r"|\{\{[^}\n]*\}\}|\{%[^%\n]*%\}|<%[^%\n]*%>|#\{[^}\n]*\}|@[A-Za-z_][A-Za-z0-9_]*@"
              r"|\{[A-Za-z0-9_.\[\]'\"]{0,64}\}|<[^<>\n]{1,64}>|\[[A-Z][A-Z_:]{2,40}\]|\[MASKED:[A-Z0-9_]+\]"
              r"|\((?:[a-z]+ ?){1,3}\)")
_ALL_REFERENCES = re.compile(rf"(?:{_REFERENCE}|\\[nrt]|[\s:/@._,;=+'\"-])+")
_OPENS_REFERENCE = re.compile(r"\$\{|\$\(|%\(|\{\{|\{%|<%|#\{")
_PLACEHOLDER_WORDS = frozenset("""
changeme changeit password passwd passphrase secret secrets token apikey key none null nil
undefined true false redacted hidden masked placeholder example sample dummy fake test testing
todo tbd na empty default required optional str string bytes int bool any object secretstr
text value values xxx yes no on off env unset missing notset replaceme fixme blank
to a an the or and is for from in on with of if when as by at this that it you your
credential credentials tokens keys auth session type
""".split())
_PLACEHOLDER_PHRASE = re.compile(
    r"(?:your|my|insert|enter|replace|put|paste|add|some|the)[-_ .]?(?:own[-_ .]?)?"
    r"(?:[a-z]+[-_ .]?){0,3}(?:key|token|secret|password|pass|pwd|credentials?|value)(?:[-_ .]?here)?"
    r"|.*[-_ ]here|x{3,}|\*{3,}|\.{3,}|…+|•+|-|_+")
_FILLER_CHARACTERS = "xX*.•…-_ "
_MOSTLY_FILLER = re.compile(r"(?:x{6,}|X{6,}|\*{6,})[xX*._-]*$")  # `sk_test_xxxxxxxx`: a prefix, then filler
_CODE_REFERENCE = re.compile(
    r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*[(\[].*"  # a call or a subscript: getenv("X"), ENV["X"]
    r"|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+"  # an attribute chain: process.env.TOKEN, self.password
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+",  # a constant: DB_PASSWORD
    re.ASCII)
_IDENTIFIER = re.compile(r"[a-z]+(?:_[a-z]+)+|[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}", re.ASCII)
_SECRET_WORDS = frozenset({"token", "tokens", "password", "passwd", "secret", "secrets", "key", "keys",
                           "credential", "credentials", "auth", "session", "apikey", "passphrase"})
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_WORD_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_QUOTES = "\"'`\\"
_TRAILING_ESCAPES = re.compile(r"(?:\\[nrt])+$")  # a JSON-escaped line break ends a value
# The last word of a name that says where or what kind a secret is, not the secret itself.
NON_SECRET_SUFFIXES = frozenset("""
url uri urls endpoint endpoints path paths file files dir directory folder name names type types
length len size count limit max min format header prefix suffix expiry expires expiration ttl
timeout version field label hint description desc help policy provider required enabled mode kind
algorithm algo scope scopes location helper command cmd env var variable store manager rotation
index idx offset pos position start end begin stop line col column lineno num number node nodes
list dict map set tree stream parser lexer pattern regex char chars range span spans info meta
class cls domain domains source sources arn kinds counts lengths sizes id ids
""".split())


def is_filler(token: str) -> bool:
    """A token that only shows where one goes: `ghp_xxxx…`, `AKIAXXXX…`, `sk-****…`. Random
    bodies, however repetitive, are not filler: only a run of x or * that makes up most of it."""
    if len(set(token)) <= 2:
        return True
    return _has_filler_run(token) and sum(token.count(c) for c in "xX*") >= 0.6 * len(token)


def _has_filler_run(text: str) -> bool:
    """Six x, X or * in a row (substring tests: far cheaper than a regex search)."""
    return "xxxxxx" in text or "XXXXXX" in text or "******" in text


def shannon_entropy(text: str) -> float:
    """Bits per character of `text` (0 for an empty or one-letter text)."""
    total = len(text)
    if total < 2:
        return 0.0
    # Counted in one C pass; a character seen once adds 1·log2(1) = 0, so only repeats are summed.
    return math.log2(total) - sum(n * math.log2(n) for n in Counter(text).values() if n > 1) / total


def unquote(value: str) -> tuple[str, bool]:
    """The value without surrounding quotes, escapes of quotes and trailing `;`/`,`; and
    whether it was quoted (a quoted value is a literal, never a code reference)."""
    return _unquote_remembered(value) if len(value) <= _REMEMBERED_CHARS else _unquote(value)


_REMEMBERED_CHARS = 512  # so the remembered values stay small


@lru_cache(maxsize=256)  # judging one match asks it of the same value two or three times
def _unquote_remembered(value: str) -> tuple[str, bool]:
    return _unquote(value)


def _unquote(value: str) -> tuple[str, bool]:
    stripped = value.strip()
    if "\\" in stripped:
        stripped = _TRAILING_ESCAPES.sub("", stripped)
    stripped = stripped.rstrip(";,:")
    for opening, closing in ("()", "[]", "{}"):  # a call's or a literal's closing bracket
        if stripped.endswith(closing) and opening not in stripped:
            stripped = stripped.rstrip(closing)
    quoted = bool(stripped) and stripped[0] in _QUOTES
    core = stripped.strip(_QUOTES).strip()
    return core, quoted


def is_placeholder(value: str) -> bool:
    """True for a value that only stands for a secret kept elsewhere (see the spec's list).

    Asked of every judged assignment, so each question is one C-level string operation
    (`_one_character`, `_all_filler`, a class search) rather than a set of the value's characters."""
    core, quoted = unquote(value)
    if not core:
        return True
    lowered = core.lower()
    if lowered in _PLACEHOLDER_WORDS or (core.isdigit() and len(core) <= 6):
        return True  # `changeme`, `str`, `null`; `ERRORTOKEN = 58` is a number, not a credential
    if (len(core) >= 3 and _one_character(core)) or _all_filler(core) or _ALNUM.search(core) is None:
        return True  # `aaaaaaaa`, `xxxx`, `****`, `[`
    opening = value.strip()[:1]
    if opening in "\"'`" and " " in core and opening not in value.strip()[1:]:
        return True  # an unterminated quote running into prose: `the "password:" prompt`
    if _REFERENCE_CHAR.search(core) and (_ALL_REFERENCES.fullmatch(core) or _OPENS_REFERENCE.match(core)):
        return True
    if _has_filler_run(core) and _MOSTLY_FILLER.search(core):
        return True  # `sk_test_xxxxxxxx`: a prefix, then filler
    if ("here" in lowered or lowered.startswith(_PHRASE_STARTS)) and _PLACEHOLDER_PHRASE.fullmatch(lowered):
        return True
    if core.isalpha() or "_" in core:
        if _IDENTIFIER.fullmatch(core) and _SECRET_WORDS & set(name_words(core)):
            return True  # a variable named after what it holds: `next_token`, `TokenCredential`
    if quoted or ("(" not in core and "[" not in core and "." not in core and not core.isupper()):
        return False
    return _CODE_REFERENCE.fullmatch(core) is not None


_REFERENCE_CHAR = re.compile(r"[$%{}<>\[\]()#@]")  # a character some reference form holds
_ALNUM = re.compile(r"[^\W_]")  # a character `str.isalnum` says yes to (the same Unicode test)
_PHRASE_STARTS = ("your", "my", "insert", "enter", "replace", "put", "paste", "add", "some", "the")


def _one_character(text: str) -> bool:
    """`text` (not empty) is one character repeated: `len(set(text)) == 1`."""
    return text.count(text[0]) == len(text)


def _all_filler(text: str) -> bool:
    """Every character of `text` is filler: `set(text) <= _FILLER`."""
    return not text.strip(_FILLER_CHARACTERS)


def is_reference(value: str) -> bool:
    """True for a value that only refers to a secret (`${TOKEN}`, `$(cmd)`, `<token>`, `****`);
    unlike `is_placeholder`, words and numbers count as values (a cookie `a=1`, a password
    `postgres`)."""
    core, _ = unquote(value)
    if not core or _all_filler(core) or (len(core) >= 3 and _one_character(core)):
        return True
    return bool(_REFERENCE_CHAR.search(core)) and bool(_ALL_REFERENCES.fullmatch(core) or _OPENS_REFERENCE.match(core))


def is_url_without_secret(value: str) -> bool:
    core, _ = unquote(value)
    lowered = core.lower()
    return lowered.startswith(("http://", "https://")) and "@" not in core.split("/", 3)[2 if "//" in core else 0]


def is_path(value: str) -> bool:
    core, _ = unquote(value)
    return core.startswith(("/", "~/", "./", "../")) or bool(re.match(r"[A-Za-z]:\\", core))


def looks_random(value: str, *, min_length: int = 12, uuid_is_random: bool = True) -> bool:
    """A value that could be a generated secret: long enough, mixed, high in entropy."""
    core, _ = unquote(value)
    if len(core) < min_length or is_placeholder(core) or is_path(core) or "://" in core:
        return False
    if not uuid_is_random and _UUID.fullmatch(core):
        return False
    classes = sum((any(c.islower() for c in core), any(c.isupper() for c in core),
                   any(c.isdigit() for c in core)))
    return classes >= 2 and shannon_entropy(core) >= 3.0


def name_words(name: str) -> list[str]:
    """`deployApiToken_url` → ["deploy", "api", "token", "url"] (lower case)."""
    return [part.lower() for part in _WORD_PARTS.findall(name)]


LOCATION_SUFFIXES = frozenset("url uri urls endpoint path file dir directory folder host hostname region zone domain location".split())


@lru_cache(maxsize=1024)  # asked of every judged assignment; names repeat (`password`, `OPENAI_API_KEY`)
def names_a_non_secret(name: str, suffixes: frozenset[str] = NON_SECRET_SUFFIXES) -> bool:
    """True when the name's last word says where or what kind the secret is (`token_url`)."""
    words = name_words(name)
    return bool(words) and words[-1] in suffixes
