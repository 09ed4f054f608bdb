"""The masking rule table (seed 003 §6.1 plus the formats and leaks DESIGN §6 adds), as data.

Every rule looks at the same text; overlapping matches join into one `[MASKED:<name>]`
named after the first rule in table order. Every pattern opens with a literal the regex
engine can jump to (a token prefix, a header name, a secret word) or with a lookbehind
guard, and every unbounded quantifier is possessive, so a rule examines each character of
a text a bounded number of times (linear time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Priority(IntEnum):
    """The seed's three levels; the table is ordered by priority, then by specificity."""

    CRITICAL = 1  # a key that grants access on its own
    SESSION = 2  # session and authentication material: headers, cookies, JWTs
    GENERIC = 3  # credential-looking assignments


class Scan(StrEnum):
    """How the engine finds a rule's matches without trying the regex at every position."""

    WHOLE = "whole"  # the pattern opens with a literal the regex engine itself jumps to
    LINES = "lines"  # only the lines holding a trigger are searched
    ANCHORED = "anchored"  # every match starts with a trigger; the pattern is tried only there


@dataclass(frozen=True, slots=True)
class MaskRule:
    """One pattern of the table, with how the engine runs it.

    `triggers` are lowercase literals, one of which is in every match (ANCHORED: with one of
    which every match starts). `lowered` patterns are written in lower case and matched
    against the text with its ASCII letters lowercased (same length, so spans carry over).
    Every rule but PRIVATE_KEY stays within one line. `extend_left` lists the characters a
    match widens over to the left (at most 48): the rest of a name whose secret word the
    pattern starts at. `then` is replaced by the marker too once the rule has fired.
    """

    name: str
    priority: Priority
    description: str
    pattern: re.Pattern[str]
    triggers: tuple[str, ...]
    lowered: bool = False
    scan: Scan = Scan.WHOLE
    extend_left: str = ""
    then: re.Pattern[str] | None = None

    @property
    def marker(self) -> str:
        return f"[MASKED:{self.name}]"

    def spans(self, text: str, lowered: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Where the rule matches `text[start:end]` (`lowered` is `text` with ASCII lowercased)."""
        target = lowered if self.lowered else text
        found: list[tuple[int, int]] = []
        for match in self.pattern.finditer(target, start, len(text) if end is None else end):
            floor = found[-1][1] if found else start
            found.append((self._widen(target, match.start(), floor), match.end()))
        return found

    def match_at(self, text: str, lowered: str, pos: int, end: int, floor: int) -> tuple[int, int] | None:
        """The match starting exactly at `pos` (and ending by `end`), if any."""
        target = lowered if self.lowered else text
        match = self.pattern.match(target, pos, end)
        return None if match is None else (self._widen(target, pos, floor), match.end())

    def _widen(self, target: str, left: int, floor: int) -> int:
        if not self.extend_left:
            return left
        window = target[max(floor, left - 48):left]
        return left - (len(window) - len(window.rstrip(self.extend_left)))


def _rule(name: str, priority: Priority, description: str, pattern: str, triggers: tuple[str, ...],
          *, lowered: bool = False, scan: Scan = Scan.WHOLE, extend_left: str = "",
          then: str | None = None) -> MaskRule:
    # ASCII classes and case folding only: the lowercased copy the engine matches `lowered`
    # rules against folds exactly the ASCII letters, and no other character changes.
    compiled_then = re.compile(then, re.ASCII) if then else None
    return MaskRule(name, priority, description, re.compile(pattern, re.ASCII), triggers, lowered,
                    scan, extend_left, compiled_then)


# A JSON (`\n`, `\u00e9`) or URL (`%0A`) escape ends in a letter or digit, which a guard
# alone would take for part of the token: the secret right after it would not be masked.
# The end of an escape therefore counts as a boundary too; each escape allows at most one
# extra start, so the work stays linear.
_ESCAPE_ENDS = (r"\\[nrtbf]", r"\\u[0-9A-Fa-f]{4}", r"%[0-9A-Fa-f]{2}")


def _guarded(prefix: str, width: int, before: str) -> str:
    """`prefix` (a regex of fixed `width`) not preceded by a character of class `before`
    (unless that character ends an escape).

    The literal comes first and the guard is a lookbehind just after it, so the regex
    engine can skip straight to occurrences of the literal instead of trying every position.
    """
    skip = f".{{{width}}}"
    allowed = [f"(?<!{before}{skip})"] + [f"(?<={escape}{skip})" for escape in _ESCAPE_ENDS]
    return prefix + "(?:" + "|".join(allowed) + ")"


# Shared fragments. `*+`, `++` and `{n,}+` are possessive: they never give characters back.
_DQ = r'"(?:[^"\\\r\n]|\\.)*+"?'  # double-quoted, escapes honoured; unterminated runs to line end
_SQ = r"'[^'\r\n]*+'?"
_WORDS = (r"(?:passphrase|password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key"
          r"|private[_-]?key|credentials?)")
# After the secret word: nothing, or a separated suffix (`_id`), so `max_tokens` and
# `tokenizer` do not count. The rest of the name before the word is taken by `extend_left`.
_SUFFIX = r"(?:[_.-][a-z0-9_.-]{0,32})?"
_NAME_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_.-"
_ENV_WORDS = (r"(?:API_?KEY|APIKEY|SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|_PASS|CREDENTIALS?"
              r"|ACCESS_?KEY|PRIVATE_?KEY|AUTH_?KEY)")
_FLAG_WORDS = (r"(?:passphrase|password|passwd|pass|token|secret|api[_-]?key|access[_-]?token"
               r"|auth[_-]?token|client[_-]?secret|private[_-]?key)")


def _bare(stop: str = "") -> str:
    """An unquoted value: it ends at whitespace (or a character of `stop`), at a JSON-escaped
    line break or tab (`\\n`, `\\r`, `\\t`; an escaped backslash goes on), and where another
    secret flag starts. So in `-TOKEN (--password x` or `A_TOKEN=\\nB_TOKEN=x` the next
    secret's name is not swallowed as this value, which would leave that secret unmasked."""
    char = rf"""(?:[^\s\\\-{stop}]|\\\\|\\(?![nrt])|-(?!-{_FLAG_WORDS}))"""
    return rf"""(?!["']){char}++"""


_HEADER_VALUE = r"[ \t]*+:[ \t]*+[^\s][^\r\n]*+"  # header values run to the end of the line
_ALNUM = "[A-Za-z0-9]"
_WORD = "[A-Za-z0-9_]"
_TOKEN = "[A-Za-z0-9_-]"
_DASHES = "----(?<!-----)-*+"  # four or more dashes, starting at the first dash of the run
PRIVATE_KEY_HEADER = _DASHES + r" ?BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,}+"
PRIVATE_KEY_FOOTER = _DASHES + r" ?END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,}+"
# The body stops at the first run of four dashes, so a header with no footer costs one
# scan up to the next header or footer, never a scan to the end of the text per header.
_KEY_BODY = r"(?:[^-]|-(?!---)){0,65536}+"
# How every alternative of `_WORDS` starts, as selective as can be (`passw`, not `pass`:
# test runners print PASSED on every other line, and URLs are full of `/api/`).
_WORD_STARTS = ("passw", "passp", "secret", "token", "api_", "api-", "apik", "access_", "access-",
                "accessk", "private_", "private-", "privatek", "credential")

_CRITICAL: tuple[MaskRule, ...] = (
    _rule("PRIVATE_KEY", Priority.CRITICAL,
          "a complete PEM, PKCS#8, encrypted, OpenSSH, SSH2 or PGP private key block",
          PRIVATE_KEY_HEADER + _KEY_BODY + PRIVATE_KEY_FOOTER, ("-begin", "- begin")),
    _rule("ANTHROPIC_KEY", Priority.CRITICAL, "`sk-ant-` and 20+ characters of `[A-Za-z0-9_-]`",
          _guarded("sk-ant-", 7, _ALNUM) + r"[A-Za-z0-9_-]{20,}+", ("sk-ant-",)),
    _rule("OPENAI_KEY", Priority.CRITICAL,
          "`sk-` and 20+ characters of `[A-Za-z0-9_-]` (includes `sk-proj-`, `sk-svcacct-`)",
          _guarded("sk-", 3, _ALNUM) + r"[A-Za-z0-9_-]{20,}+", ("sk-",)),
    _rule("GOOGLE_KEY", Priority.CRITICAL, "`AIza` and 35+ characters of `[A-Za-z0-9_-]`",
          _guarded("AIza", 4, _TOKEN) + r"[A-Za-z0-9_-]{35,}+", ("aiza",)),
    _rule("AWS_KEY", Priority.CRITICAL, "AWS access key ids: `AKIA` or `ASIA` and 16+ of `[A-Z0-9]`",
          _guarded("A[KS]IA", 4, _ALNUM) + r"[A-Z0-9]{16,}+", ("akia", "asia")),
    _rule("GITHUB_TOKEN", Priority.CRITICAL,
          "`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 20+ alphanumerics; `github_pat_` tokens",
          "(?:" + _guarded("gh[opsur]_", 4, _WORD) + r"[A-Za-z0-9]{20,}+|"
          + _guarded("github_pat_", 11, _WORD) + r"[A-Za-z0-9_]{20,}+)",
          ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")),
    _rule("GITLAB_TOKEN", Priority.CRITICAL, "`glpat-` and 20+ characters of `[A-Za-z0-9_.-]`",
          _guarded("glpat-", 6, _TOKEN) + r"[A-Za-z0-9_.-]{20,}+", ("glpat-",)),
    _rule("SLACK_TOKEN", Priority.CRITICAL,
          "`xoxa-`, `xoxb-`, `xoxe-`, `xoxo-`, `xoxp-`, `xoxr-`, `xoxs-` tokens",
          _guarded("xox[abeoprs]-", 5, _TOKEN) + r"[A-Za-z0-9-]{10,}+", ("xox",)),
    _rule("STRIPE_KEY", Priority.CRITICAL,
          "`sk_live_`, `sk_test_`, `rk_live_`, `rk_test_`, `whsec_` keys",
          "(?:" + _guarded("[sr]k_(?:live|test)_", 8, _WORD) + "|" + _guarded("whsec_", 6, _WORD)
          + r")[A-Za-z0-9]{16,}+", ("sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"),
          scan=Scan.ANCHORED),
    _rule("NPM_TOKEN", Priority.CRITICAL, "`npm_` and 30+ alphanumerics",
          _guarded("npm_", 4, _WORD) + r"[A-Za-z0-9]{30,}+", ("npm_",)),
    _rule("HUGGINGFACE_TOKEN", Priority.CRITICAL, "`hf_` and 30+ alphanumerics",
          _guarded("hf_", 3, _WORD) + r"[A-Za-z0-9]{30,}+", ("hf_",)),
)

_SESSION: tuple[MaskRule, ...] = (
    _rule("AUTH_HEADER", Priority.SESSION,
          "an `Authorization:` or `Proxy-Authorization:` header, any scheme, to the end of the line",
          "authorization" + _HEADER_VALUE, ("authorization",),
          lowered=True, extend_left="abcdefghijklmnopqrstuvwxyz-"),
    _rule("SET_COOKIE", Priority.SESSION, "a `Set-Cookie:` header to the end of the line",
          "set-cookie" + _HEADER_VALUE, ("set-cookie",), lowered=True),
    _rule("COOKIE", Priority.SESSION, "a `Cookie:` header, every pair, to the end of the line",
          "cookie" + _HEADER_VALUE, ("cookie",), lowered=True),
    _rule("JWT", Priority.SESSION, "`eyJ...` `.eyJ...` `.signature` (a JSON Web Token)",
          _guarded("eyJ", 3, _TOKEN) + r"[A-Za-z0-9_-]++\.eyJ[A-Za-z0-9_-]++\.[A-Za-z0-9_-]*+",
          ("eyj",)),
    _rule("GOOGLE_OAUTH_TOKEN", Priority.SESSION,
          "`ya29.` and 20+ characters (a Google OAuth access token)",
          _guarded(r"ya29\.", 5, "[A-Za-z0-9_.-]") + r"[A-Za-z0-9_.-]{20,}+", ("ya29.",)),
    _rule("BEARER_TOKEN", Priority.SESSION,
          "`Bearer` and a token of 8+ characters that is not a plain word, anywhere in a line",
          r"bearer[ \t]++(?=[a-z]*+[0-9._~+/=-])[a-z0-9._~+/=-]{8,}+",
          ("bearer",), lowered=True),
    _rule("URL_CREDENTIALS", Priority.SESSION,
          "the `user:password` of `scheme://user:password@host` (up to the last `@`)",
          r"(?<=://)[^\s:/?#@]{0,256}:[^\s/?#]{1,1024}(?=@)", ("://",), scan=Scan.LINES),
)

_GENERIC: tuple[MaskRule, ...] = (
    _rule("JSON_CREDENTIAL", Priority.GENERIC,
          'a JSON member `"<credential name>": value`, escaped quotes honoured, also inside an '
          "escaped JSON string; an object holding only that member is masked whole",
          rf"(?:{_WORDS}|authorization|cookie|auth)(?:[_. -][a-z0-9_. -]{{0,32}})?\\{{0,2}}\""
          r'[ \t]*+:[ \t]*+(?:\\{0,2}' + _DQ + r'|[^\s,}\]"]++)',
          (*_WORD_STARTS, "auth", "cookie"), lowered=True, scan=Scan.ANCHORED,
          extend_left=_NAME_CHARS + '"\\', then=r"\{[ \t]*+\[MASKED:JSON_CREDENTIAL\][ \t]*+\}"),
    _rule("ENV_CREDENTIAL", Priority.GENERIC,
          "`NAME=value` for an upper-case sensitive name (`*_API_KEY`, `*_TOKEN`, `*_SECRET*`, "
          "`*PASSWORD*`, `*_PASS`, `*CREDENTIAL*`, `*_ACCESS_KEY`), as in `export NAME=value`",
          _ENV_WORDS + r"(?:_[A-Z0-9_]{0,32})?=(?:" + _DQ + "|" + _SQ + "|" + _bare() + ")",
          ("passw", "passp", "_pass", "secret", "token", "api_", "apik", "access_", "accessk",
           "private_", "privatek", "credential", "auth_", "authk"), scan=Scan.ANCHORED,
          extend_left="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
    _rule("SECRET_FLAG", Priority.GENERIC,
          "a command-line flag and its value: `--password x`, `--password=x`, `--token x`, `--api-key x` ...",
          _guarded("-", 1, "[a-z0-9_]") + _FLAG_WORDS + r"(?:[ \t]++|=)(?:" + _DQ + "|" + _SQ
          + "|" + _bare() + ")",
          ("-pass", "-token", "-secret", "-api", "-access", "-auth", "-client", "-private"),
          lowered=True, scan=Scan.ANCHORED, extend_left="-"),
    _rule("CREDENTIAL", Priority.GENERIC,
          "`<credential name>=value` in any case (`password=`, `db_password =`, `token=` in a "
          "query string, `secret => x`); an unquoted value ends at whitespace or `&`",
          _WORDS + _SUFFIX + r"""["']?[ \t]*+=>?(?!=)[ \t]*+(?:""" + _DQ + "|" + _SQ
          + "|" + _bare("&") + ")",
          _WORD_STARTS, lowered=True, scan=Scan.ANCHORED, extend_left=_NAME_CHARS + "\"'"),
    _rule("GENERIC_SECRET", Priority.GENERIC,
          "`<credential name>: value` (YAML, headers such as `X-Api-Key:`, Python dict reprs); "
          "an unquoted value runs to the end of the line",
          _WORDS + _SUFFIX + r"""["']?[ \t]*+:(?!:)[ \t]*+(?:""" + _DQ + "|" + _SQ
          + r"""|[^\s"'][^\r\n]*+)""",
          _WORD_STARTS, lowered=True, scan=Scan.ANCHORED, extend_left=_NAME_CHARS + "\"'"),
)

MASK_RULES: tuple[MaskRule, ...] = _CRITICAL + _SESSION + _GENERIC
"""Every pattern, in the order it is applied."""

PRIVATE_KEY_RULE = MASK_RULES[0]
PRIVATE_KEY_MARKER = PRIVATE_KEY_RULE.marker
HEADER_RE = re.compile(PRIVATE_KEY_HEADER)
FOOTER_RE = re.compile(PRIVATE_KEY_FOOTER)
