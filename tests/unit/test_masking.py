"""The masking rules, the seed's examples, the leaks we close, env values, mask_obj, truncation."""

from __future__ import annotations

import json
from typing import Any, NamedTuple
from urllib.parse import quote

import orjson
import pytest

from runner.logs import masking
from runner.logs.masking import (
    MASK_RULES,
    MASKING_ERROR,
    is_credential_key,
    mask_and_truncate,
    mask_obj,
    mask_text,
    reset_env_secrets,
)
from runner.logs.masking import engine as mask_engine
from runner.logs.masking import env as mask_env
from runner.logs.masking.rules import MaskRule, Priority

pytestmark = pytest.mark.usefixtures("no_env_secrets")


class Case(NamedTuple):
    rule: str
    text: str
    secret: str  # a piece that must not survive


CASES = [
    Case("PRIVATE_KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7xQ\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7xQ"),
    Case("ANTHROPIC_KEY", "key sk-ant-api03-Zq8xW2vR5tY7uI9oP1aS3dF6", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("OPENAI_KEY", "OPENAI sk-Zq8xW2vR5tY7uI9oP1aS3dF6gH", "Zq8xW2vR5tY7uI9oP1aS3dF6gH"),
    Case("GOOGLE_KEY", "g AIzaSyZq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMn", "SyZq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("AWS_KEY", "id AKIAZQ8XW2VR5TY7UI9O", "ZQ8XW2VR5TY7UI9O"),
    Case("AWS_KEY", "temporary ASIAZQ8XW2VR5TY7UI9O", "ZQ8XW2VR5TY7UI9O"),
    Case("GITHUB_TOKEN", "gh ghp_Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMnB", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("GITHUB_TOKEN", "gh ghs_Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMnB", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("GITHUB_TOKEN", "pat github_pat_11ABCDEFG0_Zq8xW2vR5tY7uI9oP1aS3dF6gH", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("GITLAB_TOKEN", "gl glpat-Zq8xW2vR5tY7uI9oP1aS", "Zq8xW2vR5tY7uI9oP1aS"),
    Case("SLACK_TOKEN", "slack xoxb-123456789012-Zq8xW2vR5tY7uI9oP1aS", "Zq8xW2vR5tY7uI9oP1aS"),
    Case("STRIPE_KEY", "stripe sk_live_Zq8xW2vR5tY7uI9oP1aS3dF6", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("STRIPE_KEY", "stripe rk_test_Zq8xW2vR5tY7uI9oP1aS3dF6", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("STRIPE_KEY", "hook whsec_Zq8xW2vR5tY7uI9oP1aS3dF6", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("NPM_TOKEN", "npm npm_Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMnBv", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("HUGGINGFACE_TOKEN", "hf hf_Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMn", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("AUTH_HEADER", "Proxy-Authorization: Digest username=\"u\", response=\"Zq8xW2vR5tY7\"", "Zq8xW2vR5tY7"),
    Case("SET_COOKIE", "Set-Cookie: sid=Zq8xW2vR5tY7uI9o; Path=/; HttpOnly", "Zq8xW2vR5tY7uI9o"),
    Case("COOKIE", "cookie: sid=Zq8xW2vR5tY7uI9o", "Zq8xW2vR5tY7uI9o"),
    Case("JWT", "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJaMDEifQ.Zq8xW2vR5tY7uI9oP1aS3dF6", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("GOOGLE_OAUTH_TOKEN", "oauth ya29.a0Zq8xW2vR5tY7uI9oP1aS3dF6", "Zq8xW2vR5tY7uI9oP1aS3dF6"),
    Case("BEARER_TOKEN", 'headers=["Bearer Zq8xW2vR5tY7uI9o.P1aS3dF6"]', "Zq8xW2vR5tY7uI9o"),
    Case("BEARER_TOKEN", "use bearer Zq8xW2vR5tY7uI9oP1aS3 for it", "Zq8xW2vR5tY7uI9oP1aS3"),
    Case("URL_CREDENTIALS", "git clone https://bob:Zq8xW2vR5tY7@example.com/r.git", "Zq8xW2vR5tY7"),
    Case("JSON_CREDENTIAL", '{"user": "bob", "refreshToken": "Zq8xW2vR5tY7uI9o"}', "Zq8xW2vR5tY7uI9o"),
    Case("ENV_CREDENTIAL", "export SERVICE_API_KEY=Zq8xW2vR5tY7uI9o", "Zq8xW2vR5tY7uI9o"),
    Case("ENV_CREDENTIAL", "DB_PASS='Zq8xW2vR5tY7 uI9o' ./run", "uI9o"),
    Case("SECRET_FLAG", "tool --api-key Zq8xW2vR5tY7uI9o --verbose", "Zq8xW2vR5tY7uI9o"),
    Case("CREDENTIAL", "GET /cb?access_token=Zq8xW2vR5tY7uI9o&state=1", "Zq8xW2vR5tY7uI9o"),
    Case("CREDENTIAL", "$conf = {secret => Zq8xW2vR5tY7uI9o}", "Zq8xW2vR5tY7uI9o"),
    Case("GENERIC_SECRET", "X-Api-Key: Zq8xW2vR5tY7uI9o", "Zq8xW2vR5tY7uI9o"),
    Case("GENERIC_SECRET", "{'client_secret': 'Zq8xW2vR5tY7uI9o'}", "Zq8xW2vR5tY7uI9o"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{i}" for i, c in enumerate(CASES)])
def test_each_rule_masks_its_secret_with_its_own_marker(case: Case) -> None:
    """Every rule fires on its example: its marker appears and the secret is gone."""
    masked = mask_text(case.text)
    assert f"[MASKED:{case.rule}]" in masked
    assert case.secret not in masked


def test_every_hand_written_case_names_a_rule_of_the_table() -> None:
    """These cases predate the table; each still names a rule it has (every rule's own example
    is tested in test_masking_rules.py)."""
    assert {case.rule for case in CASES} <= {rule.name for rule in MASK_RULES}


@pytest.mark.parametrize(("text", "expected"), [
    ("API key: sk-1234567890abcdefghij", "API key: [MASKED:OPENAI_KEY]"),
    ("Authorization: Bearer eyJhbGci...", "[MASKED:AUTH_HEADER]"),
    ("Cookie: session=abc123", "[MASKED:COOKIE]"),
    ('{"api_key": "secret123"}', "[MASKED:JSON_CREDENTIAL]"),
])
def test_seed_examples_exactly(text: str, expected: str) -> None:
    """Seed 003 §6.5: each example masks to exactly the expected string."""
    assert mask_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("key=sk-proj-Ab3_Cd5-Ef7_Gh9-Ij1_Kl3-Mn5_Op7", "key=[MASKED:OPENAI_KEY]", id="openai-project-key"),
    pytest.param("sk-ant-api03-abc_defGHIjklMNOpqr_stuVWX-yz0", "[MASKED:ANTHROPIC_KEY]", id="anthropic-underscore"),
    pytest.param("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----", "[MASKED:PRIVATE_KEY]", id="pkcs8"),
    pytest.param("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHzBJBgkq\n-----END ENCRYPTED PRIVATE KEY-----", "[MASKED:PRIVATE_KEY]", id="encrypted"),
    pytest.param("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----", "[MASKED:PRIVATE_KEY]", id="openssh"),
    pytest.param("-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF0-x\n=Zq8x\n-----END PGP PRIVATE KEY BLOCK-----", "[MASKED:PRIVATE_KEY]", id="pgp"),
    pytest.param("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B\n\nMIIE\n-----END RSA PRIVATE KEY-----", "[MASKED:PRIVATE_KEY]", id="legacy-encrypted-pem"),
    pytest.param("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----\nComment: \"k\"\nP2/56wAAA\n---- END SSH2 ENCRYPTED PRIVATE KEY ----", "[MASKED:PRIVATE_KEY]", id="ssh2"),
    pytest.param("id: x\n-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBk\nand everything after", "id: x\n[MASKED:PRIVATE_KEY]", id="key-without-footer"),
    pytest.param("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "[MASKED:AWS_SECRET_KEY]", id="aws-secret-env"),
    pytest.param("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "[MASKED:AWS_SECRET_KEY]", id="aws-secret-ini"),
    pytest.param("Authorization: Basic dXNlcjpwYXNzd29yZA==", "[MASKED:AUTH_HEADER]", id="basic-auth"),
    pytest.param("authorization: token 0123456789abcdef", "[MASKED:AUTH_HEADER]", id="token-auth"),
    pytest.param("Cookie: a=1; b=Zq8xW2vR5tY7", "[MASKED:COOKIE]", id="cookie-second-pair"),
    pytest.param("db:\n  password: hunter2\n  host: x", "db:\n  [MASKED:GENERIC_SECRET]\n  host: x", id="yaml-password"),
    pytest.param("mysql --password hunter2 -h db", "mysql [MASKED:SECRET_FLAG] -h db", id="flag-space"),
    pytest.param("mysql --password=hunter2 -h db", "mysql [MASKED:SECRET_FLAG] -h db", id="flag-equals"),
    pytest.param("gh auth --token Zq8xW2vR5tY7 x", "gh auth [MASKED:SECRET_FLAG] x", id="flag-token"),
    pytest.param("postgres://app:p@ss:w0rd@db.internal:5432/app", "postgres://[MASKED:URL_CREDENTIALS]@db.internal:5432/app", id="url-credentials"),
    pytest.param('{"client_id": "abc", "client_secret": "Zq8x W2vR"}', '{"client_id": "abc", [MASKED:JSON_CREDENTIAL]}', id="json-client-secret"),
    pytest.param('{"password": "a\\"b c"}', "[MASKED:JSON_CREDENTIAL]", id="json-escaped-quote"),
    pytest.param('{"user": "u", "password": "a\\"b c", "n": 1}', '{"user": "u", [MASKED:JSON_CREDENTIAL], "n": 1}', id="json-escaped-quote-member"),
    pytest.param('{"args": "{\\"password\\": \\"hunter2\\"}"}', '{"args": "[MASKED:JSON_CREDENTIAL]', id="json-inside-json-string"),
])
def test_seed_leaks_are_closed(text: str, expected: str) -> None:
    """Each way the seed's table leaks (DESIGN §6) now masks to exactly this output."""
    assert mask_text(text) == expected


def test_a_rule_covering_an_open_key_header_does_not_let_the_body_through() -> None:
    """`password: -----BEGIN ...` with no footer: the header is not merely masked as a value; the body goes too."""
    text = "a\npassword: -----BEGIN RSA PRIVATE KEY-----\nMIIEsecretKeyBody0123\nmore"
    assert mask_text(text) == "a\npassword: [MASKED:PRIVATE_KEY]"


def test_anthropic_rule_wins_over_openai() -> None:
    """An `sk-ant-` key is named ANTHROPIC_KEY although OPENAI_KEY's pattern also fits it."""
    names = [rule.name for rule in MASK_RULES]
    assert names.index("ANTHROPIC_KEY") < names.index("OPENAI_KEY")
    assert mask_text("sk-ant-api03-" + "Zq8xW2vR5tY7" * 3) == "[MASKED:ANTHROPIC_KEY]"


@pytest.mark.parametrize("text", [
    "max_tokens=4096 input_tokens: 12 tokens: 5",
    "the tokenizer=bpe and keyboard: us",
    "task-abcdefghijklmnopqrstuvwxyz and disk-0123456789abcdefghij",
    "bearer authentication is configured",
    "see https://example.com:8080/path?q=1",
    "ASIA is a continent",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    """Words near secret names (`max_tokens`, `tokenizer`, `disk-...`, certificates) stay readable."""
    assert mask_text(text) == text


def test_masking_is_idempotent_on_every_example() -> None:
    """Masking masked text changes nothing, so save-time plus display-time masking is stable."""
    for case in CASES:
        once = mask_text(case.text)
        assert mask_text(once) == once


def test_table_is_data_in_priority_order() -> None:
    """The exported table is ordered by priority, with unique names and lowercase case-free anchors."""
    assert all(isinstance(rule, MaskRule) for rule in MASK_RULES)
    priorities = [rule.priority for rule in MASK_RULES]
    assert priorities == sorted(priorities)
    assert {Priority.CRITICAL, Priority.SESSION, Priority.GENERIC} == set(priorities)
    assert len({rule.name for rule in MASK_RULES}) == len(MASK_RULES)
    for rule in MASK_RULES:
        assert rule.description and rule.anchors
        assert all(anchor.text == anchor.text.lower() for anchor in rule.anchors if anchor.lower)
        assert rule.marker == f"[MASKED:{rule.name}]"


# -- failing closed ---------------------------------------------------------------------


def _explode_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def scan(self, *_: object) -> None:
            raise RuntimeError("boom")
    monkeypatch.setattr(mask_engine, "prefilter", Broken)


def test_an_exception_inside_masking_hides_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that raises makes mask_text return MASKING_ERROR, never the input."""
    _explode_rules(monkeypatch)
    secret = "password=hunter2 sk-1234567890abcdefghij"
    assert mask_text(secret) == MASKING_ERROR
    assert mask_and_truncate(secret, 5) == MASKING_ERROR[:5] + "[TRUNCATED]"
    assert secret not in json.dumps(mask_obj({"a": [secret]}))


def test_non_string_input_is_hidden() -> None:
    """mask_text given something that is not a str answers MASKING_ERROR instead of raising."""
    assert mask_text(b"sk-1234567890abcdefghij") == MASKING_ERROR  # type: ignore[arg-type]
    assert mask_text(None) == MASKING_ERROR  # type: ignore[arg-type]


def test_mask_obj_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error while walking a structure yields MASKING_ERROR for the whole structure."""
    def broken(key: str) -> bool:
        raise RuntimeError("boom")
    monkeypatch.setattr(masking, "is_credential_key", broken)
    assert mask_obj({"k": "sk-1234567890abcdefghij"}) == MASKING_ERROR


def test_a_cycle_is_hidden_not_looped() -> None:
    """A self-referencing list cannot loop forever; it fails closed."""
    looped: list[Any] = ["sk-1234567890abcdefghij"]
    looped.append(looped)
    assert mask_obj(looped) == MASKING_ERROR


# -- mask_obj --------------------------------------------------------------------------


def test_mask_obj_recurses_through_every_container() -> None:
    """Strings inside dicts (keys too), lists, tuples, sets and bytes are masked; scalars stay."""
    key = "sk-1234567890abcdefghij"
    data = {
        "plain": f"use {key}",
        key: 1,
        "nested": {"list": [key, 2, None, True], "tuple": (key, 3.5)},
        "set": {key},
        "raw": key.encode(),
    }
    assert mask_obj(data) == {
        "plain": "use [MASKED:OPENAI_KEY]",
        "[MASKED:OPENAI_KEY]": 1,
        "nested": {"list": ["[MASKED:OPENAI_KEY]", 2, None, True], "tuple": ("[MASKED:OPENAI_KEY]", 3.5)},
        "set": {"[MASKED:OPENAI_KEY]"},
        "raw": b"[MASKED:OPENAI_KEY]",
    }


def test_mask_obj_hides_values_under_credential_keys() -> None:
    """`{"api_key": "secret123"}` as a dict keeps its key and loses its value, whatever the value."""
    data = {"api_key": "secret123", "clientSecret": 42, "Authorization": {"scheme": "Basic", "v": ["x"]},
            "password": None, "token": "", "max_tokens": 5, "token_count": 7}
    assert mask_obj(data) == {
        "api_key": "[MASKED:JSON_CREDENTIAL]",
        "clientSecret": "[MASKED:JSON_CREDENTIAL]",
        "Authorization": {"scheme": "[MASKED:JSON_CREDENTIAL]", "v": ["[MASKED:JSON_CREDENTIAL]"]},
        "password": None,
        "token": "",
        "max_tokens": 5,
        "token_count": 7,
    }


def test_mask_obj_keeps_both_values_when_keys_collide() -> None:
    """Two keys that mask to the same text both survive, the second with a suffix."""
    data = {"sk-1234567890abcdefghij": "a", "sk-0987654321abcdefghij": "b"}
    assert mask_obj(data) == {"[MASKED:OPENAI_KEY]": "a", "[MASKED:OPENAI_KEY]#2": "b"}


def test_mask_obj_leaves_other_objects_and_returns_plain_tuples() -> None:
    """A named tuple comes back as a plain tuple; an arbitrary object is returned as is."""
    class Pair(NamedTuple):
        a: str
        b: int

    marker = object()
    assert mask_obj(Pair("sk-1234567890abcdefghij", 1)) == ("[MASKED:OPENAI_KEY]", 1)
    assert mask_obj(marker) is marker


@pytest.mark.parametrize(("key", "expected"), [
    ("password", True), ("DB_PASSWORD", True), ("api_key", True), ("apiKey", True),
    ("x-api-key", True), ("clientSecret", True), ("access_token", True), ("refresh_token", True),
    ("private_key", True), ("Authorization", True), ("cookie", True), ("credentials", True),
    ("aws_secret_access_key", True), ("secret", True),
    ("max_tokens", False), ("token_count", False), ("tokens", False), ("author", False),
    ("keyboard", False), ("passthrough", False), ("bypass", False), ("key", False),
    ("resume_token", False), ("resumeToken", False), ("resume_tokens_secret", True),
])
def test_credential_key_names(key: str, expected: bool) -> None:
    """Key-name detection: the secret word must end the name."""
    assert is_credential_key(key) is expected


# -- environment values ----------------------------------------------------------------


def test_env_values_are_masked_by_exact_value() -> None:
    """A sensitive variable's value is masked anywhere, named by its variable; short or benign ones are not."""
    reset_env_secrets({"OPENAI_API_KEY": "plain-looking-value-42", "HOME": "/home/somebody",
                       "SHORT_TOKEN": "1234567", "EDITOR": "plain-looking-value-43"})
    text = "v=plain-looking-value-42 h=/home/somebody s=1234567 e=plain-looking-value-43"
    assert mask_text(text) == "v=[MASKED:ENV_OPENAI_API_KEY] h=/home/somebody s=1234567 e=plain-looking-value-43"


def test_env_values_are_masked_json_escaped_and_url_encoded() -> None:
    """The JSON-escaped (both styles) and URL-encoded forms of a value are masked too."""
    value = 'pä"ss w\\o/rd:1@x'
    reset_env_secrets({"SERVICE_PASSWORD": value})
    forms = [value, orjson.dumps(value).decode()[1:-1], json.dumps(value)[1:-1],
             quote(value, safe=""), quote(value)]
    for form in forms:
        assert mask_text(f"<{form}>") == "<[MASKED:ENV_SERVICE_PASSWORD]>", form
    assert "ss w" not in mask_text(orjson.dumps({"k": value}).decode())


def test_an_env_value_inside_a_longer_token_leaves_nothing_of_the_token() -> None:
    """An env value in the middle of a key does not break the key's rule: the whole key goes."""
    value = "Q7wLp2Rk9sTz4VbN8mYc"
    reset_env_secrets({"DEPLOY_TOKEN": value})
    assert mask_text(f"found AIza{value}Xf3Hd6Jk1Lq5Wz0 here") == "found [MASKED:ENV_DEPLOY_TOKEN] here"


def test_multi_line_env_values_are_masked_line_by_line() -> None:
    """A multi-line value (a key in a variable) is masked one line at a time."""
    reset_env_secrets({"DEPLOY_SECRET": "first-line-Zq8x\nsecond-line-W2vR\nab"})
    assert mask_text("x second-line-W2vR y") == "x [MASKED:ENV_DEPLOY_SECRET] y"


def test_env_table_is_built_lazily_from_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no table yet, the first mask reads os.environ; reset_env_secrets() re-reads it."""
    monkeypatch.setenv("PMR_UNIT_AUTH_TOKEN", "lazy-value-Zq8xW2vR")
    monkeypatch.setattr(mask_env, "_current", None)
    assert mask_text("lazy-value-Zq8xW2vR") == "[MASKED:ENV_PMR_UNIT_AUTH_TOKEN]"
    monkeypatch.setenv("PMR_UNIT_AUTH_TOKEN", "later-value-Zq8xW2vR")
    reset_env_secrets()
    assert mask_text("later-value-Zq8xW2vR") == "[MASKED:ENV_PMR_UNIT_AUTH_TOKEN]"


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("OPENAI_API_KEY", "x", True), ("ANTHROPIC_API_KEY", "x", True), ("GITHUB_TOKEN", "x", True),
    ("AWS_SECRET_ACCESS_KEY", "x", True), ("AWS_SESSION_TOKEN", "x", True), ("DB_PASSWORD", "x", True),
    ("MYSQL_PASS", "x", True), ("SMTP_CREDENTIALS", "x", True), ("CLIENT_SECRET_VALUE", "x", True),
    ("NPM_CONFIG__AUTH", "x", True), ("STRIPE_KEY", "sk9a8sd7f6g5h4j3k2", True),
    ("SSH_KEY", "/home/u/.ssh/id_ed25519", False), ("SORT_KEY", "name", False),
    ("PASSWORD_STORE_DIR", "/home/u/.pw", False), ("GIT_ASKPASS", "/usr/bin/askpass", False),
    ("TOKENIZERS_PARALLELISM", "false", False), ("PWD", "/work", False), ("HOME", "/root", False),
])
def test_sensitive_env_names(name: str, value: str, expected: bool) -> None:
    """Which variable names count as secret (`*_KEY` only when the value looks like a key)."""
    assert mask_env.is_sensitive_env_name(name, value) is expected


# -- mask first, then truncate ---------------------------------------------------------


def test_secret_straddling_the_cut_is_fully_masked() -> None:
    """Masking happens before the cut, so no prefix of a secret crossing the limit shows."""
    text = "x" * 95 + " sk-" + "Zq8xW2vR5tY7uI9oP1aS3dF6"
    result = mask_and_truncate(text, 100)
    assert result == "x" * 95 + " [TRUNCATED]"
    assert "sk-" not in result and len(result) <= 100 + len("[TRUNCATED]")


def test_truncation_limits_and_short_text() -> None:
    """Short text is only masked; long text is cut to max_chars plus the marker."""
    assert mask_and_truncate("short sk-1234567890abcdefghij", 100) == "short [MASKED:OPENAI_KEY]"
    assert mask_and_truncate("a" * 50, 10, marker="…") == "a" * 10 + "…"
    assert mask_and_truncate("abc", 0) == "[TRUNCATED]"
    assert mask_and_truncate("sk-1234567890abcdefghij tail", 25) == "[MASKED:OPENAI_KEY] tail"


def test_resume_token_value_is_shown_but_a_secret_in_it_is_masked() -> None:
    """An agent's session id under `resume_token` stays readable; a key pasted into it is still masked."""
    session = "5b3c9e7a-1d2f-4e6a-9c8b-7a6f5e4d3c2b"
    assert mask_obj({"resume_token": session}) == {"resume_token": session}
    assert mask_obj({"resume_token": "sk-1234567890abcdefghij"}) == {"resume_token": "[MASKED:OPENAI_KEY]"}
