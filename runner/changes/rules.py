"""What counts as a project file for verification (seed 003 §2.7.3), and which hidden files are sensitive.

Counted: regular files and symlinks under the project root whose path has no dot-component and
passes through no dependency, cache or virtualenv folder. Not counted but still watched: the
sensitive hidden paths (CI workflows, git hooks and config, `.env*`, Claude Code settings and
commands) that a task could change to act later, outside any supervision.
"""

from __future__ import annotations

import fnmatch
import re

EXCLUDED_DIR_NAMES = frozenset({"node_modules", "__pycache__", "venv"})
# A folder holding this file is a virtualenv, whatever its name.
VENV_MARKER = "pyvenv.cfg"
GITIGNORE = ".gitignore"

# The sensitive hidden paths, relative to the project root ("*" never crosses a "/"; "**" does).
SENSITIVE_PATTERNS = (
    ".github/workflows/**",
    ".git/hooks/**",
    ".git/config",
    "**/.env*",
    ".claude/settings*.json",
    ".claude/commands/**",
)


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for pattern in patterns:
        text = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        parts.append(text.replace(r"\*", "[^/]*"))
    return re.compile("|".join(f"(?:{part})" for part in parts), re.DOTALL)


_SENSITIVE = _compile(SENSITIVE_PATTERNS)


def skipped_name(name: str, is_dir: bool) -> bool:
    """Dot-entries are never counted; neither are dependency, cache and virtualenv folders by name."""
    return name.startswith(".") or (is_dir and name in EXCLUDED_DIR_NAMES)


def counts(path: str) -> bool:
    """True when a relative POSIX path is a project file by the seed's rules (folder names only;
    a virtualenv found by its marker is the scan's to skip)."""
    parts = path.split("/")
    if any(part.startswith(".") or not part for part in parts):
        return False
    return not any(part in EXCLUDED_DIR_NAMES for part in parts[:-1])


def is_sensitive(path: str) -> bool:
    """True for a hidden path a task must not change unnoticed (see SENSITIVE_PATTERNS)."""
    return _SENSITIVE.fullmatch(path) is not None


def is_env_file(name: str) -> bool:
    """`.env`, `.env.local`, `.envrc`: the hidden files that carry secrets and settings."""
    return fnmatch.fnmatchcase(name, ".env*")
