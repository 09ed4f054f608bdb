"""Hypothesis strategies for one secret of each masking rule (`runner.logs.masking.MASK_RULES`).

Each strategy draws a `Secret`: the text as a program would print it, and the `bodies` that must
never be seen again (the random parts; a 12-character piece of any of them counts as a leak).
Every piece of a body mixes digits and letters, so it cannot occur anywhere by chance.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from hypothesis import strategies as st

from tests.helpers.secret_samples import fill_fields

ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
URLSAFE = ALNUM + "-_"
BASE64 = ALNUM + "+/"
PIECE = 12


@dataclass(frozen=True)
class Secret:
    rule: str
    text: str  # may span lines (a PEM block)
    bodies: tuple[str, ...]

    @property
    def single_line(self) -> bool:
        return "\n" not in self.text and "'" not in self.text


_CLASSES = (string.digits, string.ascii_uppercase, string.ascii_lowercase)


def _weave(text: str, picks: list[int], alphabet: str) -> str:
    """Replace every 4th character by a digit, an upper-case and a lower-case letter in turn.

    Every 12-character piece then mixes them: Hypothesis also draws strings from constants in
    the code under test (`TASK_COMPLETE`), and a body made of such a word would "leak" through
    words the runner prints anyway.
    """
    classes = [[c for c in cls if c in alphabet] for cls in _CLASSES]
    classes = [cls for cls in classes if cls]
    chars = list(text)
    for n, position in enumerate(range(0, len(chars), 4)):
        cls = classes[n % len(classes)]
        chars[position] = cls[picks[n % len(picks)] % len(cls)]
    return "".join(chars)


def body(alphabet: str, min_size: int, max_size: int | None = None) -> st.SearchStrategy[str]:
    """A secret body over `alphabet`, of a length the rule accepts."""
    texts = st.text(alphabet, min_size=min_size, max_size=max_size or min_size + 24)
    picks = st.lists(st.integers(0, 1000), min_size=1, max_size=40)
    return st.builds(_weave, texts, picks, st.just(alphabet))


def pieces(text: str) -> set[str]:
    """Every 12-character piece of a secret body."""
    return {text[i:i + PIECE] for i in range(len(text) - PIECE + 1)}


def _one(rule: str, template: str, *parts: st.SearchStrategy[str]) -> st.SearchStrategy[Secret]:
    """`template` uses {0}, {1}... for fixed choices and {b0}, {b1}... for secret bodies."""
    def build(values: tuple[str, ...]) -> Secret:
        fixed = [v for v in values if not v.startswith("\x00")]
        secret = tuple(v[1:] for v in values if v.startswith("\x00"))
        return Secret(rule, template.format(*fixed, **{f"b{i}": b for i, b in enumerate(secret)}), secret)
    return st.tuples(*parts).map(build)


def secret_body(alphabet: str, min_size: int, max_size: int | None = None) -> st.SearchStrategy[str]:
    """A body, tagged so `_one` can tell it from the fixed choices."""
    return body(alphabet, min_size, max_size).map(lambda text: "\x00" + text)


def pem_block() -> st.SearchStrategy[Secret]:
    def build(kind: str, encoded: str) -> Secret:
        lines = tuple(encoded[i:i + 64] for i in range(0, len(encoded), 64))
        text = f"-----BEGIN {kind}PRIVATE KEY-----\n" + "\n".join(lines) + f"\n-----END {kind}PRIVATE KEY-----"
        return Secret("PRIVATE_KEY", text, tuple(line for line in lines if len(line) >= PIECE))
    return st.builds(build, st.sampled_from(["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "]), body(BASE64, 128, 400))


def _choice(*options: str) -> st.SearchStrategy[str]:
    return st.sampled_from(options)


HAND_WRITTEN: dict[str, st.SearchStrategy[Secret]] = {
    "PRIVATE_KEY": pem_block(),
    "ANTHROPIC_KEY": _one("ANTHROPIC_KEY", "sk-ant-{0}{b0}", _choice("api03-", "admin01-", ""),
                          secret_body(URLSAFE, 24, 90)),
    "OPENAI_KEY": _one("OPENAI_KEY", "sk-{0}{b0}", _choice("proj-", "svcacct-", ""), secret_body(URLSAFE, 24, 80)),
    "GOOGLE_KEY": _one("GOOGLE_KEY", "AIza{b0}", secret_body(URLSAFE, 35, 35)),
    "AWS_KEY": _one("AWS_KEY", "{0}{b0}", _choice("AKIA", "ASIA"), secret_body(UPPER_DIGITS, 16, 16)),
    "GITHUB_TOKEN": st.one_of(
        _one("GITHUB_TOKEN", "{0}{b0}", _choice("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), secret_body(ALNUM, 36, 40)),
        _one("GITHUB_TOKEN", "github_pat_{b0}_{b1}", secret_body(ALNUM, 22, 22), secret_body(ALNUM, 59, 59))),
    "GITLAB_TOKEN": _one("GITLAB_TOKEN", "glpat-{b0}", secret_body(URLSAFE, 20, 30)),
    "SLACK_TOKEN": _one("SLACK_TOKEN", "xox{0}-{b0}", _choice(*"abeoprs"), secret_body(ALNUM + "-", 24, 60)),
    "STRIPE_KEY": _one("STRIPE_KEY", "{0}_{b0}", _choice("sk_live", "sk_test", "rk_live", "whsec"),
                       secret_body(ALNUM, 24, 40)),
    "NPM_TOKEN": _one("NPM_TOKEN", "npm_{b0}", secret_body(ALNUM, 36, 36)),
    "HUGGINGFACE_TOKEN": _one("HUGGINGFACE_TOKEN", "hf_{b0}", secret_body(ALNUM, 34, 40)),
    "AUTH_HEADER": _one("AUTH_HEADER", "{0}: {1} {b0}", _choice("Authorization", "authorization", "AUTHORIZATION",
                                                                 "Proxy-Authorization"),
                        _choice("Bearer", "Basic", "token", "Digest"), secret_body(ALNUM + "+/=", 20, 60)),
    "SET_COOKIE": _one("SET_COOKIE", "{0}: sid={b0}; Path=/; HttpOnly", _choice("Set-Cookie", "set-cookie"),
                       secret_body(ALNUM, 20, 40)),
    "COOKIE": _one("COOKIE", "{0}: theme=dark; session={b0}; csrf={b1}", _choice("Cookie", "cookie", "COOKIE"),
                   secret_body(ALNUM, 20, 40), secret_body(ALNUM, 20, 40)),
    "JWT": _one("JWT", "eyJ{b0}.eyJ{b1}.{b2}", secret_body(URLSAFE, 20, 60), secret_body(URLSAFE, 20, 80),
                secret_body(URLSAFE, 20, 60)),
    "GOOGLE_OAUTH_TOKEN": _one("GOOGLE_OAUTH_TOKEN", "ya29.{b0}", secret_body(URLSAFE, 30, 80)),
    "BEARER_TOKEN": _one("BEARER_TOKEN", "sent with {0} {b0}9", _choice("bearer", "Bearer", "BEARER"),
                         secret_body(ALNUM + "._~+/=-", 20, 50)),
    "URL_CREDENTIALS": _one("URL_CREDENTIALS", "{0}://deploy:{b0}@db.example.com:5432/app",
                            _choice("postgres", "https", "redis", "amqp"), secret_body(ALNUM + "!$%*._~-", 16, 40)),
    "JSON_CREDENTIAL": _one("JSON_CREDENTIAL", '{{"{0}": "{b0}"}}', _choice(
        "client_secret", "password", "api_key", "accessToken", "refresh_token", "db_password"),
        secret_body(ALNUM + "!#$%&()*+,./:;<=>?@[]^_{|}~-", 16, 40)),
    "ENV_CREDENTIAL": _one("ENV_CREDENTIAL", "{0}{1}={b0}", _choice("", "export "), _choice(
        "DEPLOY_SECRET_ACCESS_KEY", "DB_PASSWORD", "BILLING_API_KEY", "GH_TOKEN", "APP_SECRET", "SMTP_PASS"),
        secret_body(ALNUM + "/+=", 16, 40)),
    "SECRET_FLAG": _one("SECRET_FLAG", "dbtool --user root {0}{b0}", _choice(
        "--password ", "--password=", "--token ", "--api-key=", "--client-secret ", "-pass "),
        secret_body(ALNUM + "!#%^*_+=.,:", 16, 40)),
    "CREDENTIAL": _one("CREDENTIAL", "GET /hook?{0}={b0}&page=2", _choice(
        "token", "password", "db_password", "client_secret", "api_key", "access_token"),
        # Not "=": the rule leaves `name==value` alone on purpose (a comparison, not an assignment).
        secret_body(ALNUM + "!#%^*_+.,:/", 16, 40)),
    "GENERIC_SECRET": _one("GENERIC_SECRET", "{0}: {b0}", _choice(
        "password", "X-Api-Key", "client_secret", "Private-Token", "db_password"),
        secret_body(ALNUM + "!#%^*_+=.,/", 16, 40)),
}


def _from_template(rule: str, template: str) -> st.SearchStrategy[Secret]:
    """A rule's example template filled from a drawn seed; its 12+-character random fields
    are the bodies that must not be seen again."""
    def build(seed: int) -> Secret:
        text, fields = fill_fields(template, random.Random(seed))
        bodies = tuple(field for field in fields if len(field) >= PIECE)
        if not bodies:  # short fields only (`8hex:8hex`): the stretch of text they span
            start = text.index(fields[0])
            bodies = (text[start:text.index(fields[-1], start) + len(fields[-1])],)
        return Secret(rule, text, bodies)
    return st.integers(0, 2**32).map(build)


def _all_strategies() -> dict[str, st.SearchStrategy[Secret]]:
    from runner.logs.masking.engine import rules
    return {rule.name: HAND_WRITTEN[rule.name] if rule.name in HAND_WRITTEN else _from_template(rule.name, rule.example)
            for rule in rules()}


STRATEGIES: dict[str, st.SearchStrategy[Secret]] = _all_strategies()
