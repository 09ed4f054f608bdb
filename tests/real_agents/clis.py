"""The real agent CLIs at pinned versions: where they are cached, and how one is set up to run.

Each CLI is installed with `npm install --prefix <cache>/<name>-<version>` (see `install.py`)
into a cache outside the repository: `$PM_RUNNER_AGENT_CACHE`, else
`$XDG_CACHE_HOME/pm-runner/agents`, else `~/.cache/pm-runner/agents`.

A run gets an isolated HOME holding the CLI's settings and an environment built from nothing
(never the developer's own keys), pointing the CLI at the fake model server:
- Claude Code: `ANTHROPIC_BASE_URL`, `ANTHROPIC_API_KEY`, one retry (`CLAUDE_CODE_MAX_RETRIES`);
- Codex CLI: a `fake` model provider in `~/.codex/config.toml` (Responses API, model `gpt-5.5`,
  a slug Codex knows) whose key comes from `FAKE_OPENAI_KEY`; one request and one stream retry;
- Gemini CLI: `GOOGLE_GEMINI_BASE_URL`, `GEMINI_API_KEY`, settings `selectedType: gemini-api-key`
  and `maxAttempts: 2`.
These are the settings the recordings in `tests/fixtures/streams/` were made with.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "PM_RUNNER_AGENT_CACHE"
# Fake credentials: never real, recognisable in any output that leaks them.
FAKE_KEYS = {
    "claude": "sk-ant-api03-fakeModelServerKeyForRealAgentTests0000000000000000",
    "codex": "sk-proj-fakeModelServerKeyForRealAgentTests00000000000000",
    "gemini": "AIzaFakeModelServerKeyForRealAgentTests000",
}


@dataclass(frozen=True)
class AgentCli:
    """One pinned CLI: its npm package and version, its binary, and its recordings folder."""

    name: str
    package: str
    version: str
    recordings: str

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    def prefix(self, cache: Path) -> Path:
        return cache / self.key

    def executable(self, cache: Path) -> Path:
        return self.prefix(cache) / "node_modules" / ".bin" / self.name


CLAUDE = AgentCli("claude", "@anthropic-ai/claude-code", "2.1.197", "claude")
CLAUDE_LATEST = AgentCli("claude", "@anthropic-ai/claude-code", "2.1.332", "claude/2.1.332")
CODEX = AgentCli("codex", "@openai/codex", "0.171.0", "codex")
GEMINI = AgentCli("gemini", "@google/gemini-cli", "0.61.0", "gemini")
PINNED = (CLAUDE, CLAUDE_LATEST, CODEX, GEMINI)


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pm-runner" / "agents"


def missing_reason(cli: AgentCli) -> str | None:
    """Why this CLI cannot run here, or None when it is installed and node is on PATH."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node/npm are not on PATH: the real-agent tier needs Node.js 20+ and npm"
    if not cli.executable(cache_dir()).exists():
        return (f"{cli.spec} is not installed in {cache_dir()}: run "
                f"`python -m tests.real_agents.install` (or set {CACHE_ENV})")
    return None


def environment(cli: AgentCli, home: Path, server_url: str) -> dict[str, str]:
    """The whole environment of a run: PATH with node, the isolated HOME, the CLI's variables."""
    node_dir = os.path.dirname(shutil.which("node") or "/usr/bin/node")
    env = {"PATH": os.pathsep.join(dict.fromkeys([node_dir, "/usr/local/bin", "/usr/bin", "/bin"])),
           "HOME": str(home), "LANG": "C.UTF-8", "TMPDIR": str(home / "tmp")}
    if cli.name == "claude":
        env.update(ANTHROPIC_BASE_URL=server_url, ANTHROPIC_API_KEY=FAKE_KEYS["claude"],
                   CLAUDE_CODE_MAX_RETRIES="1", DISABLE_TELEMETRY="1", DISABLE_AUTOUPDATER="1",
                   CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1")
    elif cli.name == "codex":
        env.update(FAKE_OPENAI_KEY=FAKE_KEYS["codex"])
    elif cli.name == "gemini":
        env.update(GEMINI_API_KEY=FAKE_KEYS["gemini"], GOOGLE_GEMINI_BASE_URL=server_url)
    return env


def prepare_home(cli: AgentCli, home: Path, server_url: str) -> None:
    """Write the CLI's own settings into a fresh HOME."""
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    if cli.name == "codex":
        (home / ".codex").mkdir(exist_ok=True)
        (home / ".codex" / "config.toml").write_text(codex_config(server_url))
    elif cli.name == "gemini":
        (home / ".gemini").mkdir(exist_ok=True)
        (home / ".gemini" / "settings.json").write_text(json.dumps(GEMINI_SETTINGS, indent=2))


GEMINI_SETTINGS = {
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "general": {"maxAttempts": 2, "enableAutoUpdate": False, "enableAutoUpdateNotification": False},
    "privacy": {"usageStatisticsEnabled": False},
}


def codex_config(server_url: str) -> str:
    return "\n".join([
        'model = "gpt-5.5"',
        'model_provider = "fake"',
        "",
        "[analytics]",
        "enabled = false",
        "",
        "[model_providers.fake]",
        'name = "fake"',
        f'base_url = "{server_url}/v1"',
        'wire_api = "responses"',
        'env_key = "FAKE_OPENAI_KEY"',
        "request_max_retries = 1",
        "stream_max_retries = 1",
        "",
    ])
