"""The rule table as data: every rule's example and counter-example, the table's validation,
spec/masking.md generated from it, and both prefilters agreeing."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runner.logs.masking import engine, mask_text
from runner.logs.masking.engine import rules
from runner.logs.masking.prefilter import (
    JSON_ESCAPES,
    KEY_HEADER,
    MARKER,
    SHELL_QUOTES,
    FindPrefilter,
    HyperscanPrefilter,
    available_engines,
    build_plan,
    byte_view,
    hyperscan_available,
)
from runner.logs.masking.spec_table import BEGIN, END, SPEC_PATH, generate, replace_section
from runner.logs.masking.table import TableError, build_rule, load_table, read_rows
from tests.helpers.secret_samples import fill_fields, leaked

RULES = rules()


pytestmark = pytest.mark.usefixtures("no_env_secrets")


def _example(rule_index: int, seed: int = 19) -> tuple[str, list[str]]:
    return fill_fields(RULES[rule_index].example, random.Random(seed * 1000 + rule_index))


@pytest.mark.parametrize("index", range(len(RULES)), ids=[rule.name for rule in RULES])
def test_each_rule_masks_its_example_bare_and_in_context(index: int) -> None:
    """A rule's example is masked with the rule's own marker on its own, inside a log line and
    inside a JSON string, and none of its random parts survives."""
    rule = RULES[index]
    example, fields = _example(index)
    for text in (example, f"2026-01-12 INFO step 3: {example} (done)", json.dumps({"msg": example})):
        masked = mask_text(text)
        assert rule.marker in masked, (rule.name, text, masked)
        for field in fields:
            assert not leaked(field, masked) or len(field) < 12, (rule.name, field, masked)


@pytest.mark.parametrize("index", range(len(RULES)), ids=[rule.name for rule in RULES])
def test_each_rule_leaves_its_counter_example_alone(index: int) -> None:
    """A rule's counter-example (a look-alike, a placeholder, a prefix alone) comes back unchanged."""
    counter = RULES[index].counter.replace("{{", "{").replace("}}", "}")
    assert mask_text(counter) == counter


def test_ids_are_unique_and_priorities_ordered() -> None:
    """One row per id, in priority order (the order names joined matches)."""
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)) and len(names) >= 200
    assert [rule.priority for rule in RULES] == sorted(rule.priority for rule in RULES)


def test_the_table_covers_every_family_of_the_issue() -> None:
    """Cloud, VCS and registries, CI, payment, chat and webhooks, AI, databases, observability."""
    families = {rule.family for rule in RULES}
    assert {"cloud", "vcs", "registry", "ci", "payment", "chat", "ai", "database", "observability"} <= families
    named = {rule.name for rule in RULES}
    for required in ("AWS_KEY", "AWS_BEDROCK_KEY", "GITLAB_CI_JOB_TOKEN", "GITLAB_RUNNER_TOKEN", "GITLAB_DEPLOY_TOKEN",
                     "GITLAB_RUNNER_REGISTRATION_TOKEN", "GITLAB_TRIGGER_TOKEN", "GITLAB_FEED_TOKEN",
                     "GITLAB_SCIM_TOKEN", "GITLAB_AGENT_TOKEN", "GITLAB_SESSION_COOKIE", "PYPI_TOKEN",
                     "SLACK_APP_TOKEN", "SLACK_WEBHOOK", "DISCORD_WEBHOOK", "TWILIO_API_KEY", "SENDGRID_KEY",
                     "HUGGINGFACE_ORG_TOKEN", "STRIPE_KEY", "VAULT_TOKEN", "TERRAFORM_TOKEN", "DIGITALOCEAN_TOKEN",
                     "PLANETSCALE_TOKEN", "DATABRICKS_TOKEN", "AZURE_AD_CLIENT_SECRET", "SENTRY_ORG_TOKEN",
                     "SENTRY_USER_TOKEN", "GRAFANA_CLOUD_TOKEN", "GRAFANA_SERVICE_ACCOUNT_TOKEN", "JFROG_API_KEY",
                     "ATLASSIAN_TOKEN", "HEROKU_API_KEY", "PERPLEXITY_KEY", "CURL_USER"):
        assert required in named, required


@pytest.mark.parametrize(("text", "rule"), [
    ("ABIAQ7ZK3LX9VB2NM5PW", "AWS_KEY"), ("ACCAQ7ZK3LX9VB2NM5PW", "AWS_KEY"),
    ("glcbt-64_Zq8xW2vR5tY7uI9oP1aS3dF", "GITLAB_CI_JOB_TOKEN"), ("glrt-Zq8xW2vR5tY7uI9oP1aS3dF", "GITLAB_RUNNER_TOKEN"),
    ("gldt-Zq8xW2vR5tY7uI9oP1aS3dF", "GITLAB_DEPLOY_TOKEN"), ("GR1348941Zq8xW2vR5tY7uI9oP1aS", "GITLAB_RUNNER_REGISTRATION_TOKEN"),
    ("xapp-1-A0123456789-1234567890123-0a1b2c3d4e5f6a7b8c9d", "SLACK_APP_TOKEN"),
    ("hvs." + "Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMnBv" * 3, "VAULT_TOKEN"),
    ("dop_v1_" + "0a1b2c3d4e5f6a7b" * 4, "DIGITALOCEAN_TOKEN"), ("pscale_pw_" + "Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMnB", "PLANETSCALE_TOKEN"),
    ("dapi" + "0a1b2c3d4e5f6a7b" * 2, "DATABRICKS_TOKEN"), ("sntryu_" + "0a1b2c3d4e5f6a7b" * 4, "SENTRY_USER_TOKEN"),
    ("glsa_" + "Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lM" + "_0a1b2c3d", "GRAFANA_SERVICE_ACCOUNT_TOKEN"),
    ("pplx-" + "Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMnBvCx1Ez2Fy3Gw4H", "PERPLEXITY_KEY"),
    ("SK" + "0a1b2c3d4e5f6a7b" * 2, "TWILIO_API_KEY"), ("rk_live_Zq8xW2vR5tY7uI9oP1aS", "STRIPE_KEY"),
    ("api_org_" + "ZqxWvRtYuIoPaSdFgHjKlMnBvCxEzFyGwH", "HUGGINGFACE_ORG_TOKEN"),
    ("Zq8" + "1Q~" + "Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMn", "AZURE_AD_CLIENT_SECRET"),
])
def test_bare_tokens_of_the_issue_are_masked_with_no_keyword_around(text: str, rule: str) -> None:
    """The formats issue 19 found leaking are masked bare, each by its own rule."""
    assert mask_text(f"output {text} here") == f"output [MASKED:{rule}] here"


# -- the table is validated ------------------------------------------------------------


@pytest.mark.parametrize(("change", "message"), [
    ({"colour": "red"}, "unknown fields"),
    ({"kind": "magic"}, "unknown kind"),
    ({"id": "lower_case"}, "upper-case"),
    ({"accept": "maybe"}, "unknown accept"),
    ({"pattern": "%NOPE%x"}, "unknown fragment"),
])
def test_a_malformed_row_is_refused_with_its_id(change: dict[str, str], message: str) -> None:
    """A row with an unknown field, kind, accept or fragment fails to load, naming the rule."""
    row = {"id": "DEMO_TOKEN", "family": "ai", "provider": "demo", "kind": "token",
           "pattern": "demo_[a-z]{20}", "example": "demo_{lo:20}", "counter": "demo_"} | change
    with pytest.raises(TableError, match=message):
        build_rule(row, {})


def test_a_row_without_an_example_is_refused() -> None:
    """Every rule must carry an example and a counter-example."""
    with pytest.raises(TableError, match="missing fields"):
        build_rule({"id": "DEMO_TOKEN", "family": "ai", "provider": "demo", "kind": "token", "pattern": "demo_x"}, {})


def test_the_table_reads_the_same_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached copy of the table (JSON) gives the same rows as the TOML; a damaged cache
    file is ignored and written again."""
    monkeypatch.setenv("PM_RUNNER_CACHE_DIR", str(tmp_path))
    first = read_rows()
    files = list(tmp_path.glob("table-*.bin"))
    assert len(files) == 1
    assert read_rows() == first
    files[0].write_bytes(files[0].read_bytes()[:-10] + b"corrupted!")
    assert read_rows() == first
    assert read_rows() == first
    monkeypatch.setenv("PM_RUNNER_CACHE_DIR", "off")
    assert read_rows() == first


# -- spec/masking.md is generated from the table -----------------------------------------


def test_spec_rule_table_is_generated_from_the_table() -> None:
    """spec/masking.md's rule table is exactly what `python -m runner.logs.masking.spec_table` generates."""
    spec = SPEC_PATH.read_text(encoding="utf-8")
    section = spec[spec.index(BEGIN):spec.index(END) + len(END)]
    assert section == generate(), "run: python -m runner.logs.masking.spec_table --write"


def test_the_spec_check_notices_a_difference() -> None:
    """Editing one row of the generated section makes it differ from the generated text."""
    spec = SPEC_PATH.read_text(encoding="utf-8")
    begin = spec.index(BEGIN)
    edited = spec[:begin] + spec[begin:].replace("`OPENAI_KEY`", "`OPENAI_KEYS`", 1)
    assert edited[edited.index(BEGIN):edited.index(END) + len(END)] != generate()
    assert replace_section(edited, generate()) == spec
    with pytest.raises(ValueError, match="markers"):
        replace_section("no markers here", generate())


# -- both prefilters find the same -------------------------------------------------------


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan is not installed on this platform")
def test_hyperscan_and_the_python_prefilter_give_the_same_candidates() -> None:
    """The accelerated and the fallback prefilter agree on every rule's example and on noise."""
    table = load_table()
    plan = build_plan(table.rules)
    fast = HyperscanPrefilter(plan, HyperscanPrefilter.compile(table.rules, plan))
    slow = FindPrefilter(table.rules, build_plan(table.rules))
    rng = random.Random(4)
    texts = [fill_fields(rule.example, rng)[0] for rule in table.rules]
    texts += ["naïve café Kelvin \u212a token= 日本語 password: x", "x" * 500, "\n".join(texts),
              "a \\u0041 b \\/ '\"'\"' '\\'' -----BEGIN X----- [Masked:Y]"]
    for text in texts:
        lowered = engine.lowercase(text)
        assert fast.scan(text, lowered) == slow.scan(text, lowered), text[:80]


def one_byte_each(text: str) -> bytes:
    """byte_view's definition, a character at a time."""
    return bytes(ord(c) if c <= "\xff" else ord("k") if c == "\u212a" else 0xFF for c in text)


@given(st.text(st.sampled_from("aZ09?\x80 \n\t\xe9\xff\u0100\u212a\u2500\u2713\ufffd\ud800\udcff\U0001f600")
               | st.characters(), max_size=300))
def test_the_byte_view_has_one_byte_per_character(text: str) -> None:
    """The prefilter's bytes keep Latin-1, make the Kelvin sign `k` and any wider character 0xFF."""
    assert byte_view(text) == one_byte_each(text)


def test_the_byte_view_of_much_wide_text_is_right_at_scale() -> None:
    """Box-drawing lines with and without `?`, decoded binary and text holding every Latin-1 character are viewed exactly."""
    rng = random.Random(3)
    binary = bytes(rng.getrandbits(8) for _ in range(200_000)).decode("utf-8", "replace")
    every_latin1 = "".join(map(chr, range(256)))  # no spare character: the UTF-32 route
    for text in (binary, "\u2500\u2500 \u2713 built? \u212a\n" * 40_000, "\u2500 no question mark\n" * 40_000,
                 binary.encode().decode("ascii", "surrogateescape"), every_latin1 + binary):
        assert byte_view(text) == one_byte_each(text)


@pytest.mark.parametrize("name", available_engines())
def test_every_installed_prefilter_masks_alike(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With `PM_RUNNER_MASKING_ENGINE` set to each installed engine, masking gives the same text."""
    rng = random.Random(8)
    text = "\n".join(f"line {i}: {fill_fields(rule.example, rng)[0]}" for i, rule in enumerate(RULES))
    text += "\nnaïve café \u212a token= 日本語 password: x and more " + "ghp_ " * 50
    default = mask_text(text)
    monkeypatch.setenv(engine.ENGINE_ENV, name)
    assert engine.prefilter().name == name
    assert mask_text(text) == default


@pytest.mark.parametrize("name", available_engines())
@pytest.mark.parametrize(("text", "expected"), [
    ("plain output, nothing wrapped", set()),
    ("echo '\"'\"'quoted'\"'\"' and 'it'\\''s'", {SHELL_QUOTES}),
    ('{"k": "\\u0041\\/"}', {JSON_ESCAPES}),
    ("-----BEGIN RSA PRIVATE KEY-----", {KEY_HEADER}),
    ("already [masked:GITHUB_TOKEN] here", {MARKER}),
])
def test_one_scan_also_says_which_wrappings_the_text_holds(name: str, text: str, expected: set[int],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Every prefilter engine reports the shell quoting, JSON escapes, key headers and markers
    the engine would otherwise search the text for one by one; no rule sees them as candidates."""
    monkeypatch.setenv(engine.ENGINE_ENV, name)
    hits, triggers = engine.scan(text, engine.lowercase(text))
    assert set(triggers) == expected
    assert all(index >= 0 for index in hits)
