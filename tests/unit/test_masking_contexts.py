"""Every keyword context people write, the placeholders left alone, the credential forms and
wrapped text of issue 9, `find_secret` and the per-rule counts (spec/masking.md)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from runner.logs.masking import (
    find_secret,
    mask_obj,
    mask_text,
    mask_text_counted,
    reset_env_secrets,
)
from runner.logs.masking.values import is_placeholder

SECRET = "Zq8" + "xW2vR5tY7uI9oP1aS3dF6"  # synthetic; built from pieces like every test secret


pytestmark = pytest.mark.usefixtures("no_env_secrets")


@pytest.mark.parametrize("text", [
    f"export DEPLOY_TOKEN={SECRET}", f'DEPLOY_TOKEN="{SECRET}"',  # shell, .env
    f"DEPLOY_TOKEN = {SECRET}", f'DEPLOY_TOKEN := "{SECRET}"', f'DEPLOY_TOKEN ::= "{SECRET}"',  # make
    f'DEPLOY_TOKEN :::= "{SECRET}"', f'DEPLOY_TOKEN ?= "{SECRET}"', f'DEPLOY_TOKEN += "{SECRET}"',
    f"api_token = '{SECRET}'", f'token: str = "{SECRET}"', f":api_token => '{SECRET}'",  # Python, Ruby
    f'api_token = "{SECRET}"', f"[server]\napi_token={SECRET}",  # TOML, INI
    f'const apiToken = "{SECRET}";', f'apiToken: string = "{SECRET}"', f'{{ apiToken: "{SECRET}" }}',  # JS/TS
    f'var apiToken string = "{SECRET}"', f"apiToken := `{SECRET}`",  # Go
    f'String apiToken = "{SECRET}";', f'System.setProperty("API_TOKEN", "{SECRET}");',  # Java
    f'string apiToken = "{SECRET}";', f'var apiToken = "{SECRET}"',  # C#, Kotlin
    f'$apiToken = "{SECRET}";', f'$apiToken .= "{SECRET}";', f"'api_token' => '{SECRET}'",  # PHP
    f"api_token: {SECRET}", f'api_token: "{SECRET}"', f"api_token: |\n  {SECRET}",  # YAML
    f'{{"api_token": "{SECRET}"}}', f'{{\\"api_token\\": \\"{SECRET}\\"}}',  # JSON, escaped JSON
    f"<apiToken>{SECRET}</apiToken>", f'<add key="ApiToken" value="{SECRET}" />',  # XML
    f"<apiToken>\n    {SECRET}\n</apiToken>", f'<connection token="{SECRET}"/>',
    f"X-Api-Key: {SECRET}", f"Authorization: Bearer {SECRET}",  # HTTP headers
    f"tool --token {SECRET}", f"tool --password={SECRET}", f"tool --api-key {SECRET}",  # CLI flags
    f"https://deploy:{SECRET}@example.com/x", f"GET /cb?token={SECRET}&state=1",  # URLs
    f"GET /cb?access_token={SECRET}", f"https://x.blob.core.windows.net/c?sv=1&sig={SECRET}",
])
def test_every_keyword_context_is_masked(text: str) -> None:
    """The value of a credential name is masked in every assignment form of the spec."""
    masked = mask_text(text)
    assert SECRET not in masked and "[MASKED:" in masked, masked


@pytest.mark.parametrize("text", [
    "SUMO_ACCESS_KEY=${X:=$2}", '-H "Authorization: Bearer $(gcloud auth print-access-token)"',
    "access_token_url='https://auth.example.com/oauth/token'", "password: ${DB_PASSWORD}",
    "password: <your-password>", "api_key: {{ vault_api_key }}", "API_KEY=%(api_key)s",
    'token = os.environ["GITHUB_TOKEN"]', "const token = process.env.NPM_TOKEN;", "token: str",
    "api_key: Optional[str] = None", "password=changeme", "API_KEY=xxxxxxxxxxxxxxxxxxxx", "token: '****'",
    "OPENAI_API_KEY=your-api-key-here", "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    'curl -u "$USER:$PASS" https://api.example.com', "mysql -u root -p -h db app",
    "postgres://app:${DB_PASSWORD}@db:5432/app", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    "token_type: bearer", "password_file: /run/secrets/db", "max_tokens=4096 and tokens: 5",
    "self.token = token", "next_token=next_token,", "Password: (hidden)", "docker run -p 8080:80 app",
])
def test_placeholders_and_references_are_left_alone(text: str) -> None:
    """A value that only refers to a secret elsewhere, or a name that only says where it is, stays."""
    assert mask_text(text) == text


@pytest.mark.parametrize(("value", "expected"), [
    ("${VAR}", True), ("$(command)", True), ("%(name)s", True), ("{{ var }}", True), ("<your-key>", True),
    ("xxxxxxxx", True), ("****", True), ("changeme", True), ('"$USER:$PASS"', True), ("DB_PASSWORD", True),
    ("os.getenv('X')", True), ("your_token_here", True), (SECRET, False), (f'"{SECRET}"', False),
    ("hunter2", False), ('"DB_PASSWORD"', False), ("$2a$10$abcdefghij", False),
])
def test_the_placeholder_list(value: str, expected: bool) -> None:
    """The documented placeholder list, value by value (a quoted constant is a literal)."""
    assert is_placeholder(value) is expected


@pytest.mark.parametrize(("text", "rule"), [
    (f"git clone https://{SECRET}@github.com/acme/app.git", "URL_TOKEN_USER"),
    (f"git remote add origin https://x-access-token:{SECRET}@github.com/acme/app.git", "URL_CREDENTIALS"),
    (f"curl -u deploy:{SECRET} https://api.example.com", "CURL_USER"),
    (f"curl --user 'deploy:{SECRET}' https://api.example.com", "CURL_USER"),
    (f"mysql -h db -u root -p{SECRET} app", "MYSQL_PASSWORD"),
    (f"mysqldump --password={SECRET} app", "SECRET_FLAG"),
    (f"sshpass -p {SECRET} ssh deploy@host", "SSHPASS_PASSWORD"),
    (f"DefaultEndpointsProtocol=https;AccountName=a;AccountKey={SECRET}==;EndpointSuffix=x", "AZURE_CONNECTION_KEY"),
    (f"Endpoint=sb://a.servicebus.windows.net/;SharedAccessKeyName=r;SharedAccessKey={SECRET}=", "AZURE_CONNECTION_KEY"),
    (f"https://a.blob.core.windows.net/c/f?sv=2022-11-02&sig={SECRET}%3D", "URL_QUERY_SECRET"),
    (f"https://hooks.slack.com/services/T0123ABCD/B0123ABCD/{SECRET}", "SLACK_WEBHOOK"),
    (f"https://discord.com/api/webhooks/123456789012345678/{SECRET}{SECRET}{SECRET}", "DISCORD_WEBHOOK"),
    (f"//registry.npmjs.org/:_authToken={SECRET}", "NPM_AUTH_TOKEN"),
    (f"machine api.example.com login deploy password {SECRET}", "NETRC_PASSWORD"),
    (f"  password {SECRET}", "NETRC_PASSWORD"),
    (f"docker login -u ci -p {SECRET} registry.example.com", "REGISTRY_LOGIN_PASSWORD"),
    (f"redis-cli -h cache -a {SECRET} ping", "REDIS_CLI_PASSWORD"),
])
def test_credential_forms_of_issue_9_are_masked_by_their_rule(text: str, rule: str) -> None:
    """Each credential form is masked, and named by its own rule."""
    masked = mask_text(text)
    assert SECRET not in masked and f"[MASKED:{rule}]" in masked, masked


def test_a_secret_in_a_shell_quoted_command_line_is_masked() -> None:
    """`{'password':'…'}` typed as a task and recorded with `'"'"'` quoting loses its value."""
    command = "/bin/sh -c '{'\"'\"'password'\"'\"':'\"'\"'" + SECRET + "'\"'\"'}'"
    masked = mask_text(command)
    assert SECRET not in masked and "[MASKED:" in masked, masked
    posix = "sh -c 'echo {'\\''password'\\'':'\\''" + SECRET + "'\\''}'"
    assert SECRET not in mask_text(posix)


def test_a_secret_written_with_json_unicode_escapes_is_masked() -> None:
    """A key whose characters are `\\uXXXX` escapes in stream-json is masked where it stands."""
    key = "sk-ant-api03-" + SECRET + SECRET
    escaped = "".join(f"\\u{ord(char):04x}" if index % 3 == 0 else char for index, char in enumerate(key))
    line = '{"type":"assistant","message":{"content":[{"type":"text","text":"key ' + escaped + ' done"}]}}'
    masked = mask_text(line)
    decoded = json.loads(masked)["message"]["content"][0]["text"]
    assert SECRET[:12] not in decoded and "[MASKED:ANTHROPIC_KEY]" in masked, masked
    assert mask_text('{"text": "see https:\\/\\/deploy:' + SECRET + '@example.com\\/x"}').count(SECRET) == 0


def test_find_secret_names_the_rule_and_never_the_secret() -> None:
    """`find_secret` answers which rule would mask the text, for refusing a secret as a `/model` value."""
    assert find_secret("sk-ant-api03-" + SECRET + SECRET) == "ANTHROPIC_KEY"
    assert find_secret(f"GITHUB_TOKEN={SECRET}") == "ENV_CREDENTIAL"
    assert find_secret("claude-sonnet-4-5") is None
    assert find_secret("gpt-5.1-codex") is None
    reset_env_secrets({"MY_SERVICE_TOKEN": SECRET})
    assert find_secret(f"use {SECRET}") == "ENV_MY_SERVICE_TOKEN"


def test_counts_say_how_many_values_each_rule_masked() -> None:
    """`mask_text_counted` and `mask_obj(counts=…)` count the masked values per rule."""
    text = f"ghp_{SECRET}{SECRET[:15]} and ghp_{SECRET[::-1]}{SECRET[:15]} and DB_PASSWORD={SECRET}"
    masked, counts = mask_text_counted(text)
    assert counts == Counter({"GITHUB_TOKEN": 2, "ENV_CREDENTIAL": 1}), (masked, counts)
    total: dict[str, int] = {}
    mask_obj({"password": "x", "note": text, "list": [f"sk-proj-{SECRET}"]}, total)
    assert total == {"JSON_CREDENTIAL": 1, "GITHUB_TOKEN": 2, "ENV_CREDENTIAL": 1, "OPENAI_KEY": 1}
    names: dict[str, int] = {}  # a list of names is masked in one pass, and still counted
    shown = mask_obj(["a.txt", f"notes/sk-proj-{SECRET}.txt", "b.txt"], names)
    assert names == {"OPENAI_KEY": 1} and shown[0] == "a.txt" and SECRET not in str(shown)
    assert mask_text_counted("nothing here") == ("nothing here", Counter())
