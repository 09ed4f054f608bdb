"""Random secrets of every masking rule's shape, for property tests of the masker.

Each maker takes a seeded `random.Random` and returns `(text, secret_part)`: the text a
rule must mask, and the random part that must not survive, not even 12 characters of it.
Bodies come from a PRNG rather than from hypothesis so they stay random while shrinking.
Every rule of the table gets a maker from its own example template; the hand-written makers
below add more shapes for the rules that predate the table.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Callable

B62 = string.ascii_letters + string.digits
B64 = B62 + "+/"
TOKEN = B62 + "_-"

Maker = Callable[[random.Random], tuple[str, str]]


def body(rng: random.Random, length: int, alphabet: str = B62) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _private_key(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(["RSA ", "EC ", "", "ENCRYPTED ", "OPENSSH ", "DSA "])
    lines = [body(rng, 64, B64) for _ in range(rng.randint(1, 6))]
    block = "\n".join(lines)
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{block}\n-----END {kind}PRIVATE KEY-----", block


def _pgp(rng: random.Random) -> tuple[str, str]:
    block = "\n".join(body(rng, 64, B64) for _ in range(3))
    return (f"-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: x\n\n{block}\n=Ab12\n"
            "-----END PGP PRIVATE KEY BLOCK-----", block)


def _simple(prefix: str, length: int, alphabet: str = B62, suffix: str = "") -> Maker:
    def make(rng: random.Random) -> tuple[str, str]:
        secret = body(rng, length, alphabet)
        return prefix + secret + suffix, secret
    return make


def _json_escaped(rng: random.Random) -> tuple[str, str]:
    escaped = json.dumps(body(rng, 24, B62 + ' "\\'))[1:-1]
    return '{"n": 1, "password": "' + escaped + '", "m": 2}', escaped


def _jwt(rng: random.Random) -> tuple[str, str]:
    head, claims, sig = body(rng, 20, TOKEN), body(rng, 40, TOKEN), body(rng, 43, TOKEN)
    return f"eyJ{head}.eyJ{claims}.{sig}", f"{claims}.{sig}"


HAND_WRITTEN: dict[str, list[Maker]] = {
    "PRIVATE_KEY": [_private_key, _pgp],
    "ANTHROPIC_KEY": [_simple("sk-ant-api03-", 60, TOKEN)],
    "OPENAI_KEY": [_simple("sk-proj-", 60, TOKEN), _simple("sk-", 48)],
    "GOOGLE_KEY": [_simple("AIza", 35, TOKEN)],
    "AWS_KEY": [_simple("AKIA", 16, string.ascii_uppercase + string.digits),
                _simple("ASIA", 16, string.ascii_uppercase + string.digits)],
    "GITHUB_TOKEN": [_simple("ghp_", 36), _simple("gho_", 36), _simple("github_pat_", 82, B62 + "_")],
    "GITLAB_TOKEN": [_simple("glpat-", 20, TOKEN)],
    "SLACK_TOKEN": [_simple("xoxb-1234567890-", 24)],
    "STRIPE_KEY": [_simple("sk_live_", 24), _simple("rk_test_", 24), _simple("whsec_", 32)],
    "NPM_TOKEN": [_simple("npm_", 36)],
    "HUGGINGFACE_TOKEN": [_simple("hf_", 34)],
    "AUTH_HEADER": [_simple("Authorization: Basic ", 24, B64), _simple("authorization: token ", 40)],
    "SET_COOKIE": [_simple("Set-Cookie: sid=", 24, suffix="; Path=/; HttpOnly")],
    "COOKIE": [_simple("Cookie: theme=dark; session=", 24)],
    "JWT": [_jwt],
    "GOOGLE_OAUTH_TOKEN": [_simple("ya29.", 60, TOKEN)],
    "BEARER_TOKEN": [_simple("Bearer 9", 30, B62 + "._-")],
    "URL_CREDENTIALS": [_simple("https://deploy:", 16, suffix="@example.com/x")],
    "JSON_CREDENTIAL": [_simple('{"client_secret": "', 24, suffix='"}'),
                        _json_escaped],
    "ENV_CREDENTIAL": [_simple("export MY_SERVICE_TOKEN=", 24), _simple("DB_PASSWORD=", 24)],
    "SECRET_FLAG": [_simple("--password ", 16), _simple("--token=", 16)],
    "CREDENTIAL": [_simple("db_password=", 16), _simple("?access_token=", 24, suffix="&x=1")],
    "GENERIC_SECRET": [_simple("password: ", 16), _simple("X-Api-Key: ", 24)],
}


ALPHABETS = {
    "an": B62, "lan": string.ascii_lowercase + string.digits, "uan": string.ascii_uppercase + string.digits,
    "hex": "0123456789abcdef", "lhex": "0123456789abcdef", "HEX": "0123456789ABCDEF",
    "al": string.ascii_letters, "lo": string.ascii_lowercase, "d": string.digits, "b64": B64,
    "url": TOKEN, "b32": string.ascii_uppercase + "234567", "bech": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
}
_FIELD = re.compile(r"\{([A-Za-z0-9]+):(\d+)\}")


def fill_fields(template: str, rng: random.Random) -> tuple[str, list[str]]:
    """`template` with each `{alphabet:N}` replaced by N random characters that mix the
    alphabet's classes (so every 12-character piece is unlikely anywhere by chance), and
    the random fields themselves."""
    fields: list[str] = []

    def one(match: re.Match[str]) -> str:
        alphabet, size = ALPHABETS[match.group(1)], int(match.group(2))
        chars = [rng.choice(alphabet) for _ in range(size)]
        classes = [[c for c in cls if c in alphabet] for cls in (string.digits, string.ascii_uppercase,
                                                                  string.ascii_lowercase)]
        classes = [cls for cls in classes if cls]
        for n, position in enumerate(range(0, size, 5)):
            chars[position] = rng.choice(classes[n % len(classes)])
        fields.append("".join(chars))
        return fields[-1]
    return _FIELD.sub(one, template.replace("{{", "\x00").replace("}}", "\x01")).replace("\x00", "{").replace("\x01", "}"), fields


def fill(template: str, rng: random.Random) -> str:
    return fill_fields(template, rng)[0]


def template_maker(template: str) -> Maker:
    """A maker for a rule's example template: the text, and its longest random field."""
    def make(rng: random.Random) -> tuple[str, str]:
        text, fields = fill_fields(template, rng)
        return text, max(fields, key=len)
    return make


def _table_makers() -> dict[str, list[Maker]]:
    from runner.logs.masking.engine import rules
    return {rule.name: [template_maker(rule.example), *HAND_WRITTEN.get(rule.name, [])] for rule in rules()}


MAKERS: dict[str, list[Maker]] = _table_makers()


def pieces(secret: str, width: int = 12) -> list[str]:
    """Every `width`-character piece of `secret` (line by line), the unit of a leak."""
    return [line[i:i + width] for line in secret.split("\n") for i in range(len(line) - width + 1)]


def leaked(secret: str, output: str) -> bool:
    """True when the secret, or any 12-character piece of it, appears in `output`."""
    return secret in output or any(piece in output for piece in pieces(secret))
