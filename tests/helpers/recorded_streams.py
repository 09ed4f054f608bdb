"""The real agent CLI runs recorded in `tests/fixtures/streams/` (see its README).

Each scenario has `<name>.jsonl` (stdout), `<name>.stderr.txt` and `<name>.meta.json` (version,
argv, exit code, files on disk afterwards and the model API calls the CLI made). Folders:
`claude` (Claude Code 2.1.197), `claude/2.1.332`, `codex` (0.171.0), `gemini` (0.61.0).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STREAMS = Path(__file__).resolve().parents[1] / "fixtures" / "streams"
# How the recordings name the places of the machine they were made on.
RECORDED_PROJECT = "/home/dev/project"
RECORDED_HOME = "/home/dev"
RECORDED_PORT = "PORT"


@dataclass(frozen=True)
class Recording:
    """One recorded run of a real CLI."""

    folder: str
    scenario: str
    meta: dict[str, Any]
    stdout: list[str]
    stderr: str

    @property
    def argv(self) -> list[str]:
        return list(self.meta["argv"])

    @property
    def exit_code(self) -> int:
        return int(self.meta["exit_code"])

    @property
    def model_calls(self) -> list[str]:
        return list(self.meta.get("model_api_calls", []))

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stdout if line.strip()]


def recording(folder: str, scenario: str) -> Recording:
    base = STREAMS / folder / scenario
    meta = json.loads(base.with_suffix(".meta.json").read_text())
    stdout = base.with_suffix(".jsonl").read_text().splitlines()
    stderr = base.with_suffix(".stderr.txt").read_text()
    return Recording(folder, scenario, meta, stdout, stderr)


def scenarios(folder: str) -> list[str]:
    """Scenario names of one folder (not of its version subfolders), sorted."""
    return sorted(path.name.removesuffix(".meta.json") for path in (STREAMS / folder).glob("*.meta.json"))


def all_stdout(folder: str) -> list[list[str]]:
    """The stdout lines of every scenario in a folder and its version subfolders."""
    return [path.read_text().splitlines() for path in sorted((STREAMS / folder).rglob("*.jsonl"))
            if not path.name.endswith(".responses.jsonl")]
