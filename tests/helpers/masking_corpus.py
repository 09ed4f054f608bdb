"""A corpus of synthetic secrets in the forms agents print them, and of ordinary text that
only mentions credential words: the measure of issue 19 (coverage, bare-prefix tokens,
ordinary text changed).

The secret formats here are written again from the providers' documented formats and the
public catalogues (gitleaks, trufflehog), independently of `runner/logs/masking/rules.toml`,
so the corpus measures the table rather than restating it. Every value is generated from a
seeded PRNG at run time: nothing here is a real key, and no literal looks like a live one.

`python -m tests.helpers.masking_corpus` prints the figures the closing note quotes.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tests.helpers.secret_samples import fill


@dataclass(frozen=True)
class Format:
    family: str
    provider: str  # also the name prefix used in assignments (`TWILIO_API_KEY=`)
    template: str
    prefixed: bool  # a distinctive prefix or signature: masked bare, with no keyword around


def _f(family: str, provider: str, template: str, prefixed: bool = True) -> Format:
    return Format(family, provider, template, prefixed)


# Joined at run time so no line of this file holds a complete token prefix plus body.
P = "".join
FORMATS: list[Format] = [
    # AI providers
    _f("ai", "anthropic", P(["sk-", "ant-api03-"]) + "{url:93}AA"),
    _f("ai", "anthropic_admin", P(["sk-", "ant-admin01-"]) + "{url:93}AA"),
    _f("ai", "openai", P(["sk-", "proj-"]) + "{url:74}T3BlbkFJ{url:74}"),
    _f("ai", "openai_legacy", P(["sk-"]) + "{an:20}T3BlbkFJ{an:20}"),
    _f("ai", "openai_svcacct", P(["sk-", "svcacct-"]) + "{url:58}T3BlbkFJ{url:58}"),
    _f("ai", "openrouter", P(["sk-", "or-v1-"]) + "{hex:64}"),
    _f("ai", "perplexity", P(["pplx", "-"]) + "{an:48}"),
    _f("ai", "groq", P(["gsk", "_"]) + "{an:52}"),
    _f("ai", "xai", P(["xai", "-"]) + "{an:80}"),
    _f("ai", "replicate", P(["r8", "_"]) + "{an:37}"),
    _f("ai", "huggingface", P(["hf", "_"]) + "{al:34}"),
    _f("ai", "huggingface_org", P(["api_", "org_"]) + "{al:34}"),
    _f("ai", "langsmith", P(["lsv2", "_pt_"]) + "{hex:32}_{hex:10}"),
    _f("ai", "tavily", P(["tvly", "-"]) + "{an:32}"),
    _f("ai", "bedrock", P(["AB", "SK"]) + "{b64:132}"),
    _f("ai", "bedrock_short", P(["bedrock-api-key-", "YmVkcm9jay5hbWF6b25hd3MuY29t"]) + "{b64:200}"),
    _f("ai", "cohere", "{an:40}", False),
    _f("ai", "mistral", "{an:32}", False),
    # Cloud
    _f("cloud", "aws", P(["AK", "IA"]) + "{b32:16}"),
    _f("cloud", "aws_sts", P(["AS", "IA"]) + "{b32:16}"),
    _f("cloud", "aws_bearer", P(["AB", "IA"]) + "{b32:16}"),
    _f("cloud", "aws_context", P(["AC", "CA"]) + "{b32:16}"),
    _f("cloud", "aws_secret", "{b64:40}", False),
    _f("cloud", "gcp", P(["AI", "za"]) + "{url:35}"),
    _f("cloud", "google_oauth_secret", P(["GOC", "SPX-"]) + "{url:28}"),
    _f("cloud", "google_access", P(["ya", "29."]) + "{url:120}"),
    _f("cloud", "azure_ad", "{an:3}8" + P(["Q", "~"]) + "{an:34}"),
    _f("cloud", "azure_storage", "{b64:86}==", False),
    _f("cloud", "digitalocean", P(["dop", "_v1_"]) + "{hex:64}"),
    _f("cloud", "digitalocean_oauth", P(["doo", "_v1_"]) + "{hex:64}"),
    _f("cloud", "digitalocean_refresh", P(["dor", "_v1_"]) + "{hex:64}"),
    _f("cloud", "alibaba", P(["LT", "AI"]) + "{an:20}"),
    _f("cloud", "heroku", P(["HRKU", "-AA"]) + "{url:58}"),
    _f("cloud", "heroku_legacy", "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}", False),
    _f("cloud", "flyio", P(["fo1", "_"]) + "{url:43}"),
    _f("cloud", "terraform", "{an:14}." + P(["atlas", "v1"]) + ".{url:67}"),
    _f("cloud", "vault", P(["hv", "s."]) + "{url:95}"),
    _f("cloud", "vault_batch", P(["hv", "b."]) + "{url:140}"),
    _f("cloud", "pulumi", P(["pul", "-"]) + "{hex:40}"),
    _f("cloud", "doppler", P(["dp.", "pt."]) + "{an:43}"),
    _f("cloud", "infracost", P(["ico", "-"]) + "{an:32}"),
    _f("cloud", "onepassword", P(["ops_", "eyJ"]) + "{b64:260}"),
    _f("cloud", "age", P(["AGE-SECRET-", "KEY-1"]) + "{bech:58}"),
    _f("cloud", "scalingo", P(["tk-", "us-"]) + "{url:48}"),
    _f("cloud", "cloudflare", "{url:40}", False),
    _f("cloud", "cloudflare_ca", P(["v1.0", "-"]) + "{hex:24}-{hex:146}"),
    _f("cloud", "openshift", P(["sha256", "~"]) + "{url:43}"),
    _f("cloud", "yandex", P(["AQ", "VN"]) + "{url:36}", False),
    # Version control, registries, CI
    _f("vcs", "github", P(["gh", "p_"]) + "{an:36}"),
    _f("vcs", "github_oauth", P(["gh", "o_"]) + "{an:36}"),
    _f("vcs", "github_app", P(["gh", "s_"]) + "{an:36}"),
    _f("vcs", "github_user", P(["gh", "u_"]) + "{an:36}"),
    _f("vcs", "github_refresh", P(["gh", "r_"]) + "{an:36}"),
    _f("vcs", "github_fine", P(["github", "_pat_"]) + "{an:22}_{an:59}"),
    _f("vcs", "gitlab", P(["gl", "pat-"]) + "{url:20}"),
    _f("ci", "gitlab_job", P(["gl", "cbt-"]) + "{an:2}_{url:20}"),
    _f("vcs", "gitlab_deploy", P(["gl", "dt-"]) + "{url:20}"),
    _f("ci", "gitlab_runner", P(["gl", "rt-"]) + "{url:20}"),
    _f("ci", "gitlab_runner_registration", P(["GR13", "48941"]) + "{url:20}"),
    _f("ci", "gitlab_trigger", P(["gl", "ptt-"]) + "{hex:40}"),
    _f("vcs", "gitlab_feed", P(["gl", "ft-"]) + "{url:20}"),
    _f("vcs", "gitlab_scim", P(["gl", "soat-"]) + "{url:20}"),
    _f("ci", "gitlab_agent", P(["gl", "agent-"]) + "{url:50}"),
    _f("vcs", "gitlab_oauth", P(["gl", "oas-"]) + "{url:64}"),
    _f("vcs", "gitlab_session", P(["_gitlab", "_session="]) + "{lan:32}"),
    _f("vcs", "atlassian", P(["ATA", "TT3"]) + "{url:186}"),
    _f("vcs", "bitbucket", P(["AT", "BB"]) + "{an:32}"),
    _f("registry", "npm", P(["np", "m_"]) + "{an:36}"),
    _f("registry", "pypi", P(["py", "pi-"]) + "AgEIcHlwaS5vcmc{url:80}"),
    _f("registry", "rubygems", P(["ruby", "gems_"]) + "{hex:48}"),
    _f("registry", "nuget", P(["oy", "2"]) + "{lan:43}"),
    _f("registry", "clojars", P(["CLOJ", "ARS_"]) + "{lan:60}"),
    _f("registry", "artifactory", P(["AK", "Cp"]) + "{an:69}"),
    _f("registry", "docker", P(["dckr", "_pat_"]) + "{url:27}"),
    _f("ci", "sonar", P(["sq", "p_"]) + "{hex:40}"),
    _f("ci", "circleci", P(["CCIP", "AT_"]) + "{an:22}_{hex:40}"),
    _f("ci", "buildkite", P(["bk", "ua_"]) + "{hex:40}"),
    _f("ci", "postman", P(["PM", "AK-"]) + "{hex:24}-{hex:34}"),
    _f("ci", "octopus", P(["API", "-"]) + "{uan:26}"),
    _f("ci", "prefect", P(["pn", "u_"]) + "{an:36}"),
    _f("ci", "travis", "{an:22}", False),
    _f("ci", "codecov", "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}", False),
    _f("ci", "snyk", "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}", False),
    _f("ci", "azure_devops", "{b32:52}", False),
    _f("ci", "harness", P(["pa", "t."]) + "{url:22}.{an:24}.{an:20}"),
    # Payment
    _f("payment", "stripe", P(["sk_", "live_"]) + "{an:24}"),
    _f("payment", "stripe_restricted", P(["rk_", "live_"]) + "{an:24}"),
    _f("payment", "stripe_webhook", P(["wh", "sec_"]) + "{an:32}"),
    _f("payment", "square", P(["sq0", "atp-"]) + "{url:22}"),
    _f("payment", "braintree", P(["access_token$", "production$"]) + "{lan:16}${hex:32}"),
    _f("payment", "flutterwave", P(["FLWSECK", "_TEST-"]) + "{hex:32}-X"),
    _f("payment", "shippo", P(["shippo", "_live_"]) + "{hex:40}"),
    _f("payment", "easypost", P(["EZ", "AK"]) + "{an:54}"),
    _f("payment", "duffel", P(["duffel", "_test_"]) + "{url:43}"),
    _f("payment", "plaid", P(["access-", "sandbox-"]) + "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"),
    _f("payment", "razorpay", P(["rzp", "_live_"]) + "{an:14}"),
    _f("payment", "coinbase", "{url:64}", False),
    _f("payment", "kraken", "{b64:88}", False),
    # Chat, webhooks, messaging
    _f("chat", "slack", P(["xo", "xb-"]) + "{d:12}-{d:12}-{an:24}"),
    _f("chat", "slack_user", P(["xo", "xp-"]) + "{d:12}-{d:12}-{d:12}-{hex:32}"),
    _f("chat", "slack_app", P(["xa", "pp-"]) + "1-A{uan:10}-{d:13}-{hex:64}"),
    _f("chat", "slack_webhook", P(["https://hooks.", "slack.com/services/"]) + "T{uan:8}/B{uan:8}/{an:24}"),
    _f("chat", "discord_webhook", P(["https://discord.com/", "api/webhooks/"]) + "{d:18}/{url:68}"),
    _f("chat", "teams_webhook", P(["https://acme.webhook.", "office.com/webhookb2/"])
       + "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}@{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}/IncomingWebhook/{hex:32}/{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"),
    _f("chat", "telegram", "{d:10}:" + P(["A", "A"]) + "{url:33}"),
    _f("chat", "twilio", P(["S", "K"]) + "{hex:32}"),
    _f("chat", "sendgrid", P(["S", "G."]) + "{url:22}.{url:43}"),
    _f("chat", "sendinblue", P(["xkey", "sib-"]) + "{hex:64}-{an:16}"),
    _f("chat", "mailgun", P(["ke", "y-"]) + "{hex:32}"),
    _f("chat", "mailchimp", "{hex:32}" + P(["-u", "s"]) + "{d:2}"),
    _f("chat", "facebook", P(["EA", "AC"]) + "{an:120}"),
    _f("chat", "twitter_bearer", P(["A" * 11, "A" * 11]) + "{an:90}"),
    _f("chat", "discord", "M{url:23}.{url:6}.{url:27}", False),
    _f("chat", "mattermost", "{lan:26}", False),
    # SaaS
    _f("saas", "linear", P(["lin", "_api_"]) + "{an:40}"),
    _f("saas", "notion", P(["nt", "n_"]) + "{d:11}{an:35}"),
    _f("saas", "airtable", P(["pa", "t"]) + "{an:14}.{hex:64}"),
    _f("saas", "shopify", P(["shp", "at_"]) + "{hex:32}"),
    _f("saas", "shopify_secret", P(["shp", "ss_"]) + "{hex:32}"),
    _f("saas", "hubspot", P(["pat-", "na1-"]) + "{hex:8}-{hex:4}-{hex:4}-{hex:4}-{hex:12}"),
    _f("saas", "typeform", P(["tf", "p_"]) + "{url:59}"),
    _f("saas", "readme", P(["rd", "me_"]) + "{lan:70}"),
    _f("saas", "frameio", P(["fio", "-u-"]) + "{url:64}"),
    _f("saas", "dropbox", P(["s", "l."]) + "{url:138}"),
    _f("saas", "adobe", P(["p8", "e-"]) + "{an:32}"),
    _f("saas", "algolia", "{lan:32}", False),
    _f("saas", "zendesk", "{an:40}", False),
    _f("saas", "intercom", "{url:60}", False),
    _f("saas", "asana", "{lan:32}", False),
    # Databases
    _f("database", "databricks", P(["da", "pi"]) + "{hex:32}"),
    _f("database", "planetscale", P(["pscale", "_pw_"]) + "{url:43}"),
    _f("database", "planetscale_token", P(["pscale", "_tkn_"]) + "{url:43}"),
    _f("database", "clickhouse", P(["4b", "1d"]) + "{an:38}"),
    _f("database", "supabase", P(["sb", "p_"]) + "{hex:40}"),
    # Observability
    _f("observability", "dynatrace", P(["dt0", "c01."]) + "{uan:24}.{uan:64}"),
    _f("observability", "newrelic", P(["NR", "AK-"]) + "{uan:27}"),
    _f("observability", "grafana_cloud", P(["gl", "c_"]) + "{b64:80}"),
    _f("observability", "grafana_sa", P(["gl", "sa_"]) + "{an:32}_{hex:8}"),
    _f("observability", "sentry_user", P(["sntr", "yu_"]) + "{hex:64}"),
    _f("observability", "sentry_org", P(["sntr", "ys_"]) + "eyJpYXQiO{b64:120}_{b64:43}"),
    _f("observability", "datadog", "{hex:32}", False),
    _f("observability", "sumo", "{an:64}", False),
    _f("observability", "launchdarkly", "{url:40}", False),
    # Auth material
    _f("auth", "jwt", P(["ey", "J"]) + "{url:20}." + P(["ey", "J"]) + "{url:40}.{url:43}"),
    _f("auth", "okta", "00{url:40}", False),
]


@dataclass(frozen=True)
class Case:
    family: str
    provider: str
    context: str
    text: str
    secret: str
    bare_prefix: bool  # a prefixed token with nothing around it


def _names(provider: str) -> tuple[str, str, str]:
    """(UPPER_SNAKE, lower_snake, camel) names holding the provider and a credential word."""
    base = provider.split("_")[0]
    return f"{base.upper()}_API_KEY", f"{base}_token", f"{base}Token"


CONTEXTS: dict[str, Callable[[str, str], str]] = {
    "export": lambda p, s: f"export {_names(p)[0]}={s}",
    "env file": lambda p, s: f"{_names(p)[0]}=\"{s}\"",
    "config line": lambda p, s: f"{_names(p)[1]} = \"{s}\"",
    "yaml": lambda p, s: f"  {_names(p)[1]}: {s}",
    "json": lambda p, s: '{"' + _names(p)[1] + '": "' + s + '", "region": "eu"}',
    "escaped json": lambda p, s: '{\\"' + _names(p)[1] + '\\": \\"' + s + '\\"}',
    "go": lambda p, s: f"var {_names(p)[2]} string = \"{s}\"",
    "java": lambda p, s: f"System.setProperty(\"{_names(p)[0]}\", \"{s}\");",
    "php": lambda p, s: f"${_names(p)[2]} .= \"{s}\";",
    "make": lambda p, s: f"{_names(p)[0]} ::= {s}",
    "xml": lambda p, s: f"<{_names(p)[2]}>{s}</{_names(p)[2]}>",
    "url query": lambda p, s: f"GET https://api.example.com/v1/items?{_names(p)[1]}={s}&page=2",
    "header": lambda p, s: f"X-{_names(p)[2]}: {s}",
    "cli flag": lambda p, s: f"deploy --token {s} --verbose",
    "provider name only": lambda p, s: f"{p.split('_')[0].upper()}_CLIENT_ID={s}",
    "provider json": lambda p, s: '{"' + p.split("_")[0] + '": "' + s + '"}',
    "url user": lambda p, s: f"https://{s}@api.example.com/v1",
    "log line": lambda p, s: f"2026-01-12T10:00:00Z INFO using credential {s} for the request",
    "bare": lambda p, s: s,
}
PREFIX_ONLY = {"log line", "bare"}  # contexts with no credential word: only prefixed formats


def secret_cases(seed: int = 19) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    for fmt in FORMATS:
        for context, render in CONTEXTS.items():
            if context in PREFIX_ONLY and not fmt.prefixed:
                continue
            secret = fill(fmt.template, rng)
            cases.append(Case(fmt.family, fmt.provider, context, render(fmt.provider, secret), secret,
                              fmt.prefixed and context == "bare"))
    cases += _issue9_cases(rng)
    return cases


def _issue9_cases(rng: random.Random) -> list[Case]:
    """Credential forms of issue 9 item 7, each with its secret part."""
    pw = lambda: fill("{an:18}", rng)  # noqa: E731 - a tiny local factory
    forms = []
    for template in (
        "git clone https://{s}@github.com/acme/app.git",
        "git remote set-url origin https://x-access-token:{s}@github.com/acme/app.git",
        "curl -u deploy:{s} https://api.example.com/v1/items",
        "curl --user 'deploy:{s}' https://api.example.com",
        "mysql -h db -u root -p{s} app",
        "mysqldump --password={s} app > dump.sql",
        "sshpass -p {s} ssh deploy@host",
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={s}==;EndpointSuffix=core.windows.net",
        "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey={s}=",
        "https://acme.blob.core.windows.net/c/f?sv=2022-11-02&sr=b&sp=r&sig={s}%3D",
        "//registry.npmjs.org/:_authToken={s}",
        "machine api.example.com login deploy password {s}",
        "  password {s}",
        "docker login -u ci -p {s} registry.example.com",
        "redis-cli -h cache -a {s} ping",
    ):
        secret = pw()
        forms.append(Case("issue9", "credential forms", template.split()[0], template.format(s=secret), secret, False))
    return forms


ORDINARY: list[str] = [
    "SUMO_ACCESS_KEY=${X:=$2}",
    '-H "Authorization: Bearer $(gcloud auth print-access-token)"',
    "access_token_url='https://auth.example.com/oauth/token'",
    "token_endpoint: https://login.example.com/oauth2/v2.0/token",
    "password: ${DB_PASSWORD}",
    "password: <your-password>",
    "api_key: {{ vault_api_key }}",
    "API_KEY=%(api_key)s",
    "token = os.environ[\"GITHUB_TOKEN\"]",
    "api_key = os.getenv('OPENAI_API_KEY')",
    "const token = process.env.NPM_TOKEN;",
    "secret = settings.SECRET_KEY",
    "password = get_password()",
    "token: str",
    "api_key: Optional[str] = None",
    "password: string;",
    "apiKey?: string",
    "export GITHUB_TOKEN=$(gh auth token)",
    "export AWS_SECRET_ACCESS_KEY=\"$AWS_SECRET\"",
    "DB_PASSWORD=${{ secrets.DB_PASSWORD }}",
    "token: ${{ secrets.GITHUB_TOKEN }}",
    "password=changeme",
    "password: changeme",
    "secret_key = 'changeit'",
    "API_KEY=xxxxxxxxxxxxxxxxxxxx",
    "token: '****'",
    "password: ********",
    "OPENAI_API_KEY=your-api-key-here",
    "OPENAI_API_KEY=<YOUR_API_KEY>",
    "STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx",
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "curl -u \"$USER:$PASS\" https://api.example.com",
    "curl -u admin https://api.example.com",
    "mysql -u root -p -h db app",
    "docker login -u ci --password-stdin registry.example.com",
    "echo \"$CR_PAT\" | docker login ghcr.io -u USERNAME --password-stdin",
    "git clone https://github.com/acme/app.git",
    "git clone git@github.com:acme/app.git",
    "ssh://git@github.com/acme/app.git",
    "https://deploy-bot@example.com/repo.git",
    "max_tokens=4096 input_tokens: 12 tokens: 5",
    "the tokenizer=bpe and keyboard: us",
    "token_count: 512",
    "max_token_length = 2048",
    "token_type: bearer",
    "expires_in: 3600",
    "password_file: /run/secrets/db_password",
    "--password-file /etc/app/password",
    "SSH_PRIVATE_KEY_PATH=~/.ssh/id_ed25519",
    "private_key_path: ./keys/deploy.pem",
    "secret_name: prod/db/credentials",
    "credential_helper = store",
    "git config --global credential.helper cache",
    "The password must be at least 12 characters long.",
    "Please enter your password:",
    "Error: invalid token",
    "Your token has expired; run `gh auth login` again.",
    "See https://docs.github.com/en/authentication for how tokens work.",
    "Use --token to pass a token, or set GITHUB_TOKEN.",
    "passwordless login is enabled",
    "tests/unit/test_passwords.py::test_hash PASSED [ 42%]",
    "Collected 12 items; 12 PASSED",
    "sort_key = created_at",
    "cache_key = user:42:profile",
    "primary_key: id",
    "key_id: 7",
    "keyboard shortcuts: ctrl+k",
    "monkey patching the session",
    "session_timeout = 30",
    "SESSION_COOKIE_SECURE = True",
    "auth_method: oauth2",
    "AUTH_PROVIDER=github",
    "access_log: /var/log/nginx/access.log",
    "ACCESS_LOG_FORMAT=combined",
    "license: MIT",
    "signature_version = v4",
    "commit 3f2a9c1d4e5b6a7980f1e2d3c4b5a69788796a5b",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "request_id=5f0c6a2e-8b1d-4e3a-9c7f-2d4b6e8a0c1f",
    "trace_id: 4bf92f3577b34da6a3ce929d0e0e4736",
    "docker pull python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "Downloading torch-2.3.0-cp311-cp311-manylinux1_x86_64.whl (779.1 MB)",
    "npm WARN deprecated left-pad@1.3.0: use String.prototype.padStart",
    "task-abcdefghijklmnopqrstuvwxyz and disk-0123456789abcdefghij",
    "bearer authentication is configured",
    "see https://example.com:8080/path?q=1&page=2",
    "ASIA is a continent",
    "-----BEGIN CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO2 user@host",
    "Set-Cookie: sid=${SESSION_ID}; Path=/",
    "Authorization: Bearer ${TOKEN}",
    "Authorization: Bearer <token>",
    "Authorization: token $GITHUB_TOKEN",
    "-H \"X-Api-Key: $API_KEY\"",
    "X-Api-Key: {{api_key}}",
    "jdbc:postgresql://db:5432/app?user=app&password=${DB_PASSWORD}",
    "postgres://app:${DB_PASSWORD}@db:5432/app",
    "postgres://app:<password>@db:5432/app",
    "redis://:$REDIS_PASSWORD@cache:6379/0",
    "mongodb+srv://user:****@cluster0.example.mongodb.net/",
    "https://example.com/search?key=${KEY}&page=2",
    "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    "AccountKey=<storage-account-key>",
    "sshpass -p \"$SSH_PASS\" ssh deploy@host",
    "<password></password>",
    "<tokenCount>5</tokenCount>",
    "<add key=\"ApiToken\" value=\"$(ApiToken)\" />",
    "System.setProperty(\"API_TOKEN\", System.getenv(\"API_TOKEN\"));",
    "$token .= $suffix;",
    "API_TOKEN ?= $(shell cat .token)",
    "SECRET_KEY := $(SECRET_KEY)",
    "var apiToken string = os.Getenv(\"API_TOKEN\")",
    "String password = request.getParameter(\"password\");",
    "const { token } = await getSession();",
    "if token is None: raise ValueError('missing token')",
    "def check_password(password: str) -> bool:",
    "password_hash = bcrypt.hashpw(password, salt)",
    "self.token = token",
    "token = token.strip()",
    "return {\"token\": token, \"expires\": expires}",
    "assert response.json()[\"access_token\"]",
    "client_secret = config.get('oauth', 'client_secret')",
    "secrets.token_hex(32)",
    "from secrets import token_urlsafe",
    "import keyring; keyring.get_password('svc', 'user')",
    "kubectl create secret generic db --from-literal=password=$DB_PASS",
    "aws configure set aws_secret_access_key $AWS_SECRET_ACCESS_KEY",
    "gh secret set NPM_TOKEN < token.txt",
    "vault kv get -field=password secret/db",
    "op read op://vault/db/password",
    "PASSWORD_STORE_DIR=~/.password-store",
    "TOKENIZERS_PARALLELISM=false",
    "HF_HUB_ENABLE_HF_TRANSFER=1",
    "hf_hub_download(repo_id='bert-base-uncased', filename='config.json')",
    "npm_config_cache=/tmp/.npm",
    "pattern.match(text)",
    "API-DOCUMENTATION.md",
    "skip: TASK_COMPLETE and DISK_FULL",
    "EZAK is the EasyPost prefix",
    "sk-learn and sklearn models",
    "sha256~abc is an OpenShift prefix",
    "glpat- tokens are GitLab's",
    "The key-value store holds 42 keys.",
    "en-us and fr-fr locales",
    "12:AA is a hex pair",
    "Q~ appears in Azure secrets",
    "pscale_pw_ is PlanetScale's prefix",
    "token=",
    "password:",
    "Password: (hidden)",
    "password: null",
    "api_key: ''",
    "\"password\": null",
    "{\"password\": \"\"}",
    "\"token_url\": \"https://auth.example.com/token\"",
]


def ordinary_cases() -> list[str]:
    return list(ORDINARY)


def measure(mask: Callable[[str], str]) -> dict[str, object]:
    """The corpus figures for a masking function."""
    cases = secret_cases()
    masked = [(case, mask(case.text)) for case in cases]
    hidden = [case for case, out in masked if case.secret not in out and not _piece_left(case.secret, out)]
    bare = [case for case in cases if case.bare_prefix]
    bare_hidden = [case for case in hidden if case.bare_prefix]
    ordinary = ordinary_cases()
    changed = [text for text in ordinary if mask(text) != text]
    missed = [case for case in cases if case not in hidden]
    return {
        "cases": len(cases), "hidden": len(hidden), "coverage": len(hidden) / len(cases),
        "bare_prefix": len(bare), "bare_prefix_hidden": len(bare_hidden),
        "bare_prefix_coverage": len(bare_hidden) / len(bare),
        "ordinary": len(ordinary), "ordinary_changed": len(changed),
        "ordinary_change_rate": len(changed) / len(ordinary),
        "families": Counter(case.family for case in cases),
        "missed": missed, "changed": changed,
    }


def _piece_left(secret: str, output: str, width: int = 12) -> bool:
    return any(secret[i:i + width] in output for i in range(0, max(len(secret) - width + 1, 1)))


def report(figures: dict[str, object]) -> Iterator[str]:
    yield (f"secret cases: {figures['cases']}, hidden: {figures['hidden']} "
           f"({figures['coverage']:.1%})")
    yield (f"bare prefixed tokens: {figures['bare_prefix']}, hidden: {figures['bare_prefix_hidden']} "
           f"({figures['bare_prefix_coverage']:.1%})")
    yield (f"ordinary texts: {figures['ordinary']}, changed: {figures['ordinary_changed']} "
           f"({figures['ordinary_change_rate']:.1%})")
    yield "cases per family: " + ", ".join(f"{k} {v}" for k, v in sorted(figures["families"].items()))  # type: ignore[union-attr]


def main(argv: list[str]) -> int:
    from runner.logs.masking import mask_text, reset_env_secrets
    reset_env_secrets({})
    figures = measure(mask_text)
    for line in report(figures):
        print(line)
    if "-v" in argv:
        for case in figures["missed"]:  # type: ignore[union-attr]
            print(f"MISSED {case.provider} [{case.context}]: {case.text[:140]}")
        for text in figures["changed"]:  # type: ignore[union-attr]
            print(f"CHANGED {text!r} -> {mask_text(text)!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
