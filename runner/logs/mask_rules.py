"""The masking rule table (seed 003 §6.1 plus the formats and leaks DESIGN §6 adds), as data.

Rules run in table order; each replaces its whole match with `[MASKED:<name>]`. Every
pattern opens with a lookbehind guard, and every unbounded quantifier is possessive, so a
rule examines each character of a text a bounded number of times (linear time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum


class Priority(IntEnum):
    """The seed's three levels; the table is ordered by priority, then by specificity."""

    CRITICAL = 1  # a key that grants access on its own
    SESSION = 2  # session and authentication material: headers, cookies, JWTs
    GENERIC = 3  # credential-looking assignments


@dataclass(frozen=True, slots=True)
class MaskRule:
    """One pattern of the table; `triggers` are lowercase literals, one of which every match contains.

    A `literal_first` pattern opens with a literal, so the regex engine's own prefix scan
    is its pre-check and it runs on the whole text. Any other rule never matches across a
    newline, and the engine runs it only on the lines that hold one of its triggers.
    """

    name: str
    priority: Priority
    description: str
    pattern: re.Pattern[str]
    triggers: tuple[str, ...]
    literal_first: bool = False

    @property
    def marker(self) -> str:
        return f"[MASKED:{self.name}]"

    def may_match(self, lowered: str) -> bool:
        """A cheap substring pre-check on the lowercased text before the regex runs."""
        return any(trigger in lowered for trigger in self.triggers)


def _rule(name: str, priority: Priority, description: str, pattern: str,
          triggers: tuple[str, ...], *, ignore_case: bool = False) -> MaskRule:
    # ASCII-only case folding keeps the pre-check sound: a match can only contain a
    # trigger's ASCII letters in some case, which `str.lower` folds back to the trigger.
    flags = re.ASCII | (re.IGNORECASE if ignore_case else 0)
    # Case-insensitive patterns get no literal-prefix scan from the engine, nor do ones
    # that open with a lookbehind or a group.
    literal_first = not ignore_case and not pattern.startswith("(")
    return MaskRule(name, priority, description, re.compile(pattern, flags), triggers, literal_first)


# Shared fragments. `*+`, `++` and `{n,}+` are possessive: they never give characters back.
_DQ = r'"(?:[^"\\\r\n]|\\.)*+"?'  # double-quoted, escapes honoured; unterminated runs to line end
_SQ = r"'[^'\r\n]*+'?"
_WORDS = (r"(?:passphrase|password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key"
          r"|private[_-]?key|credentials?)")
# A credential-looking name: any prefix (`db_`, `client`), a secret word, then nothing or a
# separated suffix (`_id`), so `max_tokens` and `tokenizer` are not names of secrets.
_NAME = rf"[A-Za-z0-9_.-]{{0,48}}{_WORDS}(?:[_.-][A-Za-z0-9_.-]{{0,32}})?"
_JSON_NAME = (rf"[A-Za-z0-9_. -]{{0,48}}(?:{_WORDS}|authorization|cookie|auth)"
              rf"(?:[_. -][A-Za-z0-9_. -]{{0,32}})?")
_ENV_WORDS = (r"(?:API_?KEY|APIKEY|SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|_PASS|CREDENTIALS?"
              r"|ACCESS_?KEY|PRIVATE_?KEY|AUTH_?KEY)")
_HEADER_VALUE = r"[ \t]*+:[ \t]*+[^\s][^\r\n]*+"  # header values run to the end of the line


def _guarded(prefix: str, width: int, before: str) -> str:
    """`prefix` (a regex of fixed `width`) not preceded by a character of class `before`.

    The literal comes first and the guard is a lookbehind just after it, so the regex
    engine can skip straight to occurrences of the literal instead of trying every position.
    """
    return f"{prefix}(?<!{before}.{{{width}}})"


_ALNUM = "[A-Za-z0-9]"
_WORD = "[A-Za-z0-9_]"
_TOKEN = "[A-Za-z0-9_-]"
_DASHES = "----(?<!-----)-*+"  # four or more dashes, starting at the first dash of the run
PRIVATE_KEY_HEADER = _DASHES + r" ?BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,}+"
PRIVATE_KEY_FOOTER = _DASHES + r" ?END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,}+"
# The body stops at the first run of four dashes, so a header with no footer costs one
# scan up to the next header or footer, never a scan to the end of the text per header.
_KEY_BODY = r"(?:[^-]|-(?!---)){0,65536}+"
_KEY_TRIGGERS = ("-begin", "- begin")

_CRITICAL: tuple[MaskRule, ...] = (
    _rule("PRIVATE_KEY", Priority.CRITICAL,
          "a complete PEM, PKCS#8, encrypted, OpenSSH, SSH2 or PGP private key block",
          PRIVATE_KEY_HEADER + _KEY_BODY + PRIVATE_KEY_FOOTER, _KEY_TRIGGERS),
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
          + r")[A-Za-z0-9]{16,}+", ("k_live_", "k_test_", "whsec_")),
    _rule("NPM_TOKEN", Priority.CRITICAL, "`npm_` and 30+ alphanumerics",
          _guarded("npm_", 4, _WORD) + r"[A-Za-z0-9]{30,}+", ("npm_",)),
    _rule("HUGGINGFACE_TOKEN", Priority.CRITICAL, "`hf_` and 30+ alphanumerics",
          _guarded("hf_", 3, _WORD) + r"[A-Za-z0-9]{30,}+", ("hf_",)),
)

_SESSION: tuple[MaskRule, ...] = (
    _rule("AUTH_HEADER", Priority.SESSION,
          "an `Authorization:` or `Proxy-Authorization:` header, any scheme, to the end of the line",
          r"(?<![A-Za-z0-9_-])(?:proxy-)?authorization" + _HEADER_VALUE, ("authorization",),
          ignore_case=True),
    _rule("SET_COOKIE", Priority.SESSION, "a `Set-Cookie:` header to the end of the line",
          r"(?<![A-Za-z0-9_-])set-cookie" + _HEADER_VALUE, ("set-cookie",), ignore_case=True),
    _rule("COOKIE", Priority.SESSION, "a `Cookie:` header, every pair, to the end of the line",
          r"(?<![A-Za-z0-9_-])cookie" + _HEADER_VALUE, ("cookie",), ignore_case=True),
    _rule("JWT", Priority.SESSION, "`eyJ...` `.eyJ...` `.signature` (a JSON Web Token)",
          _guarded("eyJ", 3, _TOKEN) + r"[A-Za-z0-9_-]++\.eyJ[A-Za-z0-9_-]++\.[A-Za-z0-9_-]*+",
          ("eyj",)),
    _rule("GOOGLE_OAUTH_TOKEN", Priority.SESSION,
          "`ya29.` and 20+ characters (a Google OAuth access token)",
          _guarded(r"ya29\.", 5, "[A-Za-z0-9_.-]") + r"[A-Za-z0-9_.-]{20,}+", ("ya29.",)),
    _rule("BEARER_TOKEN", Priority.SESSION,
          "`Bearer` and a token of 8+ characters that is not a plain word, anywhere in a line",
          r"(?<![A-Za-z0-9_-])bearer[ \t]++(?=[A-Za-z]*+[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}+",
          ("bearer",), ignore_case=True),
    _rule("URL_CREDENTIALS", Priority.SESSION,
          "the `user:password` of `scheme://user:password@host` (up to the last `@`)",
          r"(?<=://)[^\s:/?#@]{0,256}:[^\s/?#]{1,1024}(?=@)", ("://",)),
)

_GENERIC: tuple[MaskRule, ...] = (
    _rule("JSON_CREDENTIAL", Priority.GENERIC,
          'a JSON member `"<credential name>": value`, escaped quotes honoured, also inside an '
          "escaped JSON string; an object holding only that member is masked whole",
          r"(?<![A-Za-z0-9_\\])(?:(\{)[ \t]*+)?\\{0,2}\"" + _JSON_NAME + r"\\{0,2}\"[ \t]*+:[ \t]*+"
          r'(?:\\{0,2}' + _DQ + r'|[^\s,}\]"]++)(?(1)[ \t]*+\})',
          ("pass", "secret", "token", "key", "credential", "auth", "cookie"), ignore_case=True),
    _rule("ENV_CREDENTIAL", Priority.GENERIC,
          "`NAME=value` for an upper-case sensitive name (`*_API_KEY`, `*_TOKEN`, `*_SECRET*`, "
          "`*PASSWORD*`, `*_PASS`, `*CREDENTIAL*`, `*_ACCESS_KEY`), with or without `export`",
          r"(?<![A-Za-z0-9_])(?:export[ \t]++)?[A-Z0-9_]{0,48}" + _ENV_WORDS
          + r"(?:_[A-Z0-9_]{0,32})?=(?:" + _DQ + "|" + _SQ + r"""|[^\s"']\S*+)""",
          ("key", "secret", "token", "pass", "credential")),
    _rule("SECRET_FLAG", Priority.GENERIC,
          "a command-line flag and its value: `--password x`, `--password=x`, `--token x`, `--api-key x` ...",
          r"(?<![A-Za-z0-9_-])--?(?:passphrase|password|passwd|pass|token|secret|api[_-]?key"
          r"|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)(?:[ \t]++|=)"
          r"(?:" + _DQ + "|" + _SQ + r"""|(?!--)[^\s"']\S*+)""",
          ("-pass", "-token", "-secret", "-api", "-access", "-auth", "-client", "-private"),
          ignore_case=True),
    _rule("CREDENTIAL", Priority.GENERIC,
          "`<credential name>=value` in any case (`password=`, `db_password =`, `token=` in a "
          "query string, `secret => x`); an unquoted value ends at whitespace or `&`",
          r"(?<![A-Za-z0-9_.-])" + _NAME + r"""["']?[ \t]*+=>?(?!=)[ \t]*+(?:""" + _DQ + "|"
          + _SQ + r"""|[^\s&"'][^\s&]*+)""",
          ("pass", "secret", "token", "key", "credential"), ignore_case=True),
    _rule("GENERIC_SECRET", Priority.GENERIC,
          "`<credential name>: value` (YAML, headers such as `X-Api-Key:`, Python dict reprs); "
          "an unquoted value runs to the end of the line",
          r"(?<![A-Za-z0-9_.-])" + _NAME + r"""["']?[ \t]*+:(?!:)[ \t]*+(?:""" + _DQ + "|" + _SQ
          + r"""|[^\s"'][^\r\n]*+)""",
          ("pass", "secret", "token", "key", "credential"), ignore_case=True),
)

MASK_RULES: tuple[MaskRule, ...] = _CRITICAL + _SESSION + _GENERIC
"""Every pattern, in the order it is applied."""

PRIVATE_KEY_RULE = MASK_RULES[0]
PRIVATE_KEY_MARKER = PRIVATE_KEY_RULE.marker
HEADER_RE = re.compile(PRIVATE_KEY_HEADER)
FOOTER_RE = re.compile(PRIVATE_KEY_FOOTER)
