"""Random secrets of every masking rule's shape, for property tests of the masker.

Each maker takes a seeded `random.Random` and returns `(text, secret_part)`: the text a
rule must mask, and the random part that must not survive, not even 12 characters of it.
Bodies come from a PRNG rather than from hypothesis so they stay random while shrinking.
"""

from __future__ import annotations

import json
import random
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


MAKERS: dict[str, list[Maker]] = {
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


def pieces(secret: str, width: int = 12) -> list[str]:
    """Every `width`-character piece of `secret` (line by line), the unit of a leak."""
    return [line[i:i + width] for line in secret.split("\n") for i in range(len(line) - width + 1)]


def leaked(secret: str, output: str) -> bool:
    """True when the secret, or any 12-character piece of it, appears in `output`."""
    return secret in output or any(piece in output for piece in pieces(secret))
