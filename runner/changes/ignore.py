"""`.gitignore` rules for the scan of a project that git does not manage (gitignore(5) semantics).

Each `.gitignore` applies to its folder and below; a deeper file overrides a higher one, and within
one file the last matching pattern wins (`!` re-includes). `*` and `?` never match `/`; `**` as a
whole component matches any number of folders; a trailing `/` matches folders only; a pattern with
a `/` before its end is anchored to the file's folder, otherwise it matches a name at any depth.
As in git, a file inside an ignored folder cannot be re-included: the scan never enters the folder.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from typing import TypeVar

MAX_IGNORE_FILE_BYTES = 1024 * 1024

_CLASSES = {
    "alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "blank": " \\t", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z", "xdigit": "0-9A-Fa-f", "punct": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
}


@dataclass(frozen=True)
class IgnoreRule:
    """One pattern line: its regex over a name (`basename`) or over the path below the file's folder."""

    regex: re.Pattern[str]
    negated: bool
    dir_only: bool
    basename: bool


def _bracket(pattern: str, start: int) -> tuple[str, int] | None:
    """The regex class for the bracket expression at `start`, and the index after it; None if unclosed."""
    i = start + 1
    negate = i < len(pattern) and pattern[i] in "!^"
    i += negate
    parts: list[str] = []
    first = True
    while i < len(pattern):
        char = pattern[i]
        if char == "]" and not first:
            body = "".join(parts)
            return (f"[^/{body}]" if negate else f"[{body}]"), i + 1
        first = False
        if pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            if end != -1 and pattern[i + 2:end] in _CLASSES:
                parts.append(_CLASSES[pattern[i + 2:end]])
                i = end + 2
                continue
        if char == "\\" and i + 1 < len(pattern):
            i += 1
            char = pattern[i]
        if char == "-" and parts and i + 1 < len(pattern) and pattern[i + 1] != "]":
            parts.append("-")
        else:
            parts.append(re.escape(char))
        i += 1
    return None


def _stars(pattern: str, i: int, out: list[str]) -> int:
    """Translate the run of `*` at `i`; returns the index after it."""
    j = i
    while j < len(pattern) and pattern[j] == "*":
        j += 1
    whole_component = j - i >= 2 and (i == 0 or pattern[i - 1] == "/") and (j == len(pattern) or pattern[j] == "/")
    if not whole_component:
        out.append("[^/]*")
        return j
    if j == len(pattern):
        out.append(".*")
        return j
    out.append("(?:.*/)?")
    return j + 1


def translate(pattern: str) -> str:
    """The regex (for `fullmatch`) of a wildmatch pattern with pathname semantics."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            i = _stars(pattern, i, out)
            continue
        if char == "?":
            out.append("[^/]")
        elif char == "[":
            bracket = _bracket(pattern, i)
            if bracket is not None:
                out.append(bracket[0])
                i = bracket[1]
                continue
            out.append(re.escape(char))
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def _strip_trailing_spaces(line: str) -> str:
    end = len(line)
    while end and line[end - 1] == " " and not (end >= 2 and line[end - 2] == "\\"):
        end -= 1
    return line[:end]


def parse_rule(line: str) -> IgnoreRule | None:
    """One line of a `.gitignore`; None for blank lines and comments."""
    text = _strip_trailing_spaces(line.rstrip("\r\n"))
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    if negated:
        text = text[1:]
    dir_only = text.endswith("/")
    text = text.rstrip("/") if dir_only else text
    if not text:
        return None
    basename = "/" not in text
    text = text.removeprefix("/")
    try:
        regex = re.compile(translate(text), re.DOTALL)
    except re.error:
        return None  # a pattern git could not use either
    return IgnoreRule(regex, negated, dir_only, basename)


class IgnoreFile:
    """The rules of one `.gitignore`; `base` is its folder as a relative prefix (`""` or `"src/"`)."""

    def __init__(self, base: str, rules: list[IgnoreRule]) -> None:
        self.base = base
        self.rules = rules
        self.simple = not any(rule.negated for rule in rules)
        self._any = self.joined([r for r in rules if r.basename]), self.joined([r for r in rules if not r.basename])
        files = [r for r in rules if not r.dir_only]
        self._files = self.joined([r for r in files if r.basename]), self.joined([r for r in files if not r.basename])

    @staticmethod
    def joined(rules: list[IgnoreRule]) -> re.Pattern[str] | None:
        """One regex matching what any of `rules` matches (None for no rules)."""
        if not rules:
            return None
        return re.compile("|".join(f"(?:{rule.regex.pattern})" for rule in rules), re.DOTALL)

    def decide(self, path: str, name: str, is_dir: bool) -> bool | None:
        """True (ignored), False (re-included) or None (no pattern here says anything)."""
        below = path[len(self.base):]
        if self.simple:
            name_regex, path_regex = self._any if is_dir else self._files
            if (name_regex is not None and name_regex.fullmatch(name)) or (
                    path_regex is not None and path_regex.fullmatch(below)):
                return True
            return None
        for rule in reversed(self.rules):
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.fullmatch(name if rule.basename else below):
                return not rule.negated
        return None


IgnoreChain = tuple[IgnoreFile, ...]
T = TypeVar("T")


def is_ignored(chain: IgnoreChain, path: str, name: str, is_dir: bool) -> bool:
    """Whether the deepest file with an opinion ignores `path` (relative to the project root)."""
    for ignore_file in reversed(chain):
        decided = ignore_file.decide(path, name, is_dir)
        if decided is not None:
            return decided
    return False


class IgnoreMatcher:
    """The `.gitignore` files above a folder, compiled for the common case: with no `!` pattern
    anywhere, a path is ignored when any pattern of any file matches, so one regex over the name
    and one per file over the path decide."""

    def __init__(self, chain: IgnoreChain) -> None:
        self.chain = chain
        self._exact = any(not ignore_file.simple for ignore_file in chain)
        name_rules = [rule for f in chain for rule in f.rules if rule.basename]
        self._names = IgnoreFile.joined(name_rules), IgnoreFile.joined([r for r in name_rules if not r.dir_only])
        self._paths = [(f.base, IgnoreFile.joined(anchored),
                        IgnoreFile.joined([r for r in anchored if not r.dir_only]))
                       for f in chain if (anchored := [r for r in f.rules if not r.basename])]

    def with_file(self, ignore_file: IgnoreFile) -> IgnoreMatcher:
        return IgnoreMatcher((*self.chain, ignore_file))

    def drop_ignored(self, prefix: str, files: dict[str, T], folders: list[str]) -> list[str]:
        """Remove the ignored names from the folder `prefix`'s `files` (`""` or `"src/"`); the
        folders not ignored. One C-level pass of the name regex over each list: the scan's hot path."""
        if self._exact:
            for name in [name for name in files if is_ignored(self.chain, prefix + name, name, False)]:
                del files[name]
            return [name for name in folders if not is_ignored(self.chain, prefix + name, name, True)]
        for_dirs, for_files = self._names
        ignored = set(filter(for_files.fullmatch, files)) if for_files is not None else set()
        dropped = set(filter(for_dirs.fullmatch, folders)) if for_dirs is not None and folders else set()
        for base, dirs_regex, files_regex in self._paths:
            below = prefix[len(base):]
            if files_regex is not None:
                ignored.update(name for name in files if files_regex.fullmatch(below + name))
            if dirs_regex is not None:
                dropped.update(name for name in folders if dirs_regex.fullmatch(below + name))
        for name in ignored:
            del files[name]
        return [name for name in folders if name not in dropped] if dropped else folders


def read_ignore_file(path: str, base: str) -> IgnoreFile | None:
    """The rules of the `.gitignore` at `path`, or None when it is not a readable regular file
    (git does not follow a symlinked `.gitignore` either)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        data = os.read(fd, MAX_IGNORE_FILE_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    lines = os.fsdecode(data).split("\n") if data else []
    rules = [rule for rule in map(parse_rule, lines) if rule is not None]
    return IgnoreFile(base, rules) if rules else None
