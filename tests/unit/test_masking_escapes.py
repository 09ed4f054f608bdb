"""A secret right after a JSON escape (`\\n`, `\\u00e9`) or a URL escape (`%0A`) is still masked.

Each rule's start guard refuses to start inside a run of the token's alphabet. The last
character of an escape is a letter or digit, so without the escape exemption in
`mask_rules._boundary` these secrets (common in JSON-encoded executor output) leaked.
"""

from __future__ import annotations

import orjson
import pytest

from runner.logs.masking import StreamMasker, mask_text
from tests.helpers.cpu_time import best_cpu_time

# (rule expected to fire, text carrying the secret, the part that must not survive)
SAMPLES: list[tuple[str, str, str]] = [
    ("ANTHROPIC_KEY", "sk-ant-api03-Qw7_Zr-9Lp2Xv8Nc4Tb6Hm1Ks3", "Qw7_Zr-9Lp2Xv8Nc4Tb6Hm1Ks3"),
    ("OPENAI_KEY", "sk-proj-Ab_c-D3fGhIjKlMnOpQrStUvWx", "Ab_c-D3fGhIjKlMnOpQrStUvWx"),
    ("GOOGLE_KEY", "AIzaSyA-k3Jd9Lq0Zx7Vb2Nm5Pw8Rt4Yh6Gf1Cs", "SyA-k3Jd9Lq0Zx7Vb2Nm5Pw8Rt4Yh6Gf1Cs"),
    ("AWS_KEY", "AKIAQ7ZK3LX9VB2NM5PW", "Q7ZK3LX9VB2NM5PW"),
    ("GITHUB_TOKEN", "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"),
    ("GITLAB_TOKEN", "glpat-Zk9Lq2Xv8Nc4Tb6Hm1Ks", "Zk9Lq2Xv8Nc4Tb6Hm1Ks"),
    ("SLACK_TOKEN", "xoxb-1234567890-Zk9Lq2Xv8Nc4Tb6H", "Zk9Lq2Xv8Nc4Tb6H"),
    ("STRIPE_KEY", "sk_live_Zk9Lq2Xv8Nc4Tb6Hm1Ks3Pw", "Zk9Lq2Xv8Nc4Tb6Hm1Ks3Pw"),
    ("NPM_TOKEN", "npm_Zk9Lq2Xv8Nc4Tb6Hm1Ks3Pw5Rt7Yh0Gf2Cs", "Zk9Lq2Xv8Nc4Tb6Hm1Ks3Pw5Rt7Yh0Gf2Cs"),
    ("HUGGINGFACE_TOKEN", "hf_Zk9Lq2Xv8Nc4Tb6Hm1Ks3Pw5Rt7Yh0Gf2", "Zk9Lq2Xv8Nc4Tb6Hm1Ks3Pw5Rt7Yh0Gf2"),
    ("JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
     "eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N"),
    ("GOOGLE_OAUTH_TOKEN", "ya29.a0AfH6SMBZk9Lq2Xv8Nc4Tb6Hm1Ks", "a0AfH6SMBZk9Lq2Xv8Nc4Tb6Hm1Ks"),
    ("AUTH_HEADER", "Authorization: Basic dXNlcjpaazlMcTJYdjhOYzQ=", "dXNlcjpaazlMcTJYdjhOYzQ="),
    ("COOKIE", "Cookie: theme=dark; session=Zk9Lq2Xv8Nc4Tb6Hm1", "session=Zk9Lq2Xv8Nc4Tb6Hm1"),
    ("SET_COOKIE", "Set-Cookie: sid=Zk9Lq2Xv8Nc4Tb6Hm1; Path=/", "sid=Zk9Lq2Xv8Nc4Tb6Hm1"),
    ("BEARER_TOKEN", "Bearer 9Zk9Lq2Xv8Nc4Tb6Hm1Ks3", "9Zk9Lq2Xv8Nc4Tb6Hm1Ks3"),
    ("ENV_CREDENTIAL", "MY_SERVICE_PASS=Zk9Lq2Xv8Nc4Tb6Hm1", "Zk9Lq2Xv8Nc4Tb6Hm1"),
    ("SECRET_FLAG", "--token Zk9Lq2Xv8Nc4Tb6Hm1", "Zk9Lq2Xv8Nc4Tb6Hm1"),
]
# Escapes whose last character is a letter or digit (`\\n` is the two characters `\` `n`).
ESCAPES = ["\\n", "\\t", "\\r", "\\u00e9", "%0A", "%20", "%2C"]


pytestmark = pytest.mark.usefixtures("no_env_secrets")


def pieces(secret: str, width: int = 12) -> list[str]:
    return [secret[i:i + width] for i in range(max(len(secret) - width + 1, 1))]


def leaked(secret: str, output: str) -> bool:
    return any(piece in output for piece in pieces(secret))


@pytest.mark.parametrize("escape", ESCAPES)
@pytest.mark.parametrize(("rule", "text", "part"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_secret_right_after_an_escape_is_masked_by_its_rule(rule: str, text: str, part: str,
                                                             escape: str) -> None:
    """A secret glued to the end of an escape is masked by its own rule, nothing of it left."""
    masked = mask_text(f"log line{escape}{text} end")
    assert not leaked(part, masked)
    assert f"[MASKED:{rule}]" in masked


@pytest.mark.parametrize(("rule", "text", "part"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_secret_after_a_newline_inside_a_json_string_is_masked(rule: str, text: str, part: str) -> None:
    """JSON-encoding text whose secret starts a line (`"...\\nSECRET"`) still masks the secret."""
    encoded = orjson.dumps({"type": "tool_result", "content": f"$ env\nfirst\n{text}\nlast"}).decode()
    assert "\\n" + text.replace('"', '\\"')[:6] in encoded  # the secret really follows an escape
    assert not leaked(part, mask_text(encoded))


@pytest.mark.parametrize(("rule", "text", "part"), SAMPLES[:6] + SAMPLES[-4:],
                         ids=[s[0] for s in SAMPLES[:6] + SAMPLES[-4:]])
def test_escaped_secret_split_across_stream_reads_is_masked(rule: str, text: str, part: str) -> None:
    """A JSON line whose secret follows `\\n` is masked whatever read boundary splits it."""
    line = orjson.dumps({"content": f"out\n{text}\nmore"}).decode() + "\n"
    for cut in range(len(line) + 1):
        masker = StreamMasker()
        out = masker.feed(line[:cut]) + masker.feed(line[cut:]) + masker.flush()
        assert not leaked(part, "\n".join(out)), cut


@pytest.mark.parametrize("text", [
    "task-management-and-scheduling-for-teams",  # `sk-` inside a word is not a key
    "mask-layer-abcdefghijklmnopqrstuvwxyz",
    "the tokens=5 and max_tokens=4096 settings",
])
def test_the_exemption_does_not_mask_ordinary_words(text: str) -> None:
    """Only a real escape end counts as a boundary: a key prefix inside a word stays unmasked."""
    assert mask_text(text) == text


@pytest.mark.parametrize("unit", ["\\nsk-", "\\neyJ", "%0Aghp_", "\\u00e9AKIA", "\\nAuthorization: ",
                                  "\\n--token ", "\\nBearer 9"])
def test_escape_starts_keep_masking_linear(unit: str) -> None:
    """Runs of escape-then-prefix cost linear time: 1 MB takes < 30x the time of 100 KB."""
    small = unit * (100_000 // len(unit))
    large = unit * (1_000_000 // len(unit))
    ratio = best_cpu_time(lambda: mask_text(large)) / best_cpu_time(lambda: mask_text(small))
    assert ratio < 30, f"{unit!r}: 1 MB / 100 KB time ratio {ratio:.1f} (linear is about 10)"
