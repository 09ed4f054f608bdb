"""The user's remembered answers: which projects' settings files were trusted, and in which exact form.

Kept in `$XDG_CONFIG_HOME/pm-runner/trusted-projects.json` (`~/.config/pm-runner/...` without the
variable; `$PM_RUNNER_CONFIG_DIR/trusted-projects.json` when that is set, as the tests do), a file of
the user's own, never of a repository:

    {"version": 1, "projects": {"/abs/project": {"runner.config.json": "sha256:…", "repl.json": "sha256:…"}}}

A project's file is trusted while its bytes hash to the remembered digest (`config.file_digest`);
any change (a `git pull`, another branch) asks again. A store that cannot be read is treated as
empty (everything is asked again) and reported; one that cannot be written only loses the memory
of this answer.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from runner.logs.store import safe_files
from runner.logs.store.safe_files import Limit

STORE_NAME = "trusted-projects.json"
STORE_VERSION = 1
CONFIG_DIR_ENV = "PM_RUNNER_CONFIG_DIR"


def store_path(environ: Mapping[str, str]) -> Path:
    """Where the answers live: `$PM_RUNNER_CONFIG_DIR`, else `$XDG_CONFIG_HOME/pm-runner/`, else `~/.config/pm-runner/`."""
    own = environ.get(CONFIG_DIR_ENV, "")
    if os.path.isabs(own):
        return Path(own) / STORE_NAME
    base = environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative value is invalid and ignored
        home = environ.get("HOME") or str(Path.home())
        base = os.path.join(home, ".config")
    return Path(base) / "pm-runner" / STORE_NAME


@dataclass
class TrustStore:
    """The remembered answers, read once; `remember` writes them back atomically (0600)."""

    path: Path
    projects: dict[str, dict[str, str]] = field(default_factory=dict)
    problem: str | None = None  # why the file could not be used, when it could not

    @classmethod
    def load(cls, path: Path) -> TrustStore:
        try:
            raw = safe_files.read_bytes(path, limit=Limit.SMALL)
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            return cls(path, problem=f"cannot read {path}: {exc.strerror or exc}; every project is asked again")
        projects = _parse(raw)
        if projects is None:
            return cls(path, problem=f"{path} is not a trust file this version wrote; every project is asked again")
        return cls(path, projects)

    def trusted(self, project: Path, file_name: str, digest: str) -> bool:
        return self.projects.get(str(project), {}).get(file_name) == digest

    def remember(self, project: Path, files: Mapping[str, str]) -> None:
        """Trust these files (name → digest) of `project`; raises OSError when the store cannot be written."""
        self.projects.setdefault(str(project), {}).update(files)
        payload = {"version": STORE_VERSION, "projects": self.projects}
        os.makedirs(self.path.parent, mode=safe_files.PRIVATE_DIR_MODE, exist_ok=True)
        safe_files.write_atomic(self.path, orjson.dumps(payload, option=orjson.OPT_INDENT_2), durable=True)


def _parse(raw: bytes) -> dict[str, dict[str, str]] | None:
    """The projects table of a store file, or None when it is not one this version wrote."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("version") != STORE_VERSION:
        return None
    projects = data.get("projects")
    if not isinstance(projects, dict):
        return None
    return {project: {name: digest for name, digest in files.items()
                      if isinstance(name, str) and isinstance(digest, str)}
            for project, files in projects.items() if isinstance(files, dict)}
