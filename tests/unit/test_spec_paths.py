"""The spec names only code that exists: every `runner/...` path and `runner.x.y` name in spec/ and README."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted((REPO / "spec").glob("*.md")) + [REPO / "README.md"]
PATH_RE = re.compile(r"(?<![\w/.-])runner/[\w/]*[\w/](?:\.(?:py|json))?")
# A dotted name in backticks; `runner.config.json` is a file name, not a module.
NAME_RE = re.compile(r"`(runner(?:\.\w+)+)`")
FILE_SUFFIXES = (".json", ".jsonl", ".md")


def named_paths() -> list[tuple[str, str]]:
    return [(page.name, match) for page in PAGES for match in PATH_RE.findall(page.read_text())]


def named_modules() -> list[tuple[str, str]]:
    return [(page.name, match) for page in PAGES for match in NAME_RE.findall(page.read_text())
            if not match.endswith(FILE_SUFFIXES)]


def resolves(dotted: str) -> bool:
    """True when the longest importable prefix is a module and the rest are attributes of it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def test_the_pages_name_code_at_all() -> None:
    """The scan finds the references it is meant to check (so the tests below can fail)."""
    assert len(named_paths()) >= 10
    assert len(named_modules()) >= 5
    assert not resolves("runner.no_such_module")
    assert not resolves("runner.logs.models.NoSuchName")


def test_every_named_path_exists() -> None:
    """Every `runner/...py` file and `runner/.../` folder named in spec/ or the README exists."""
    missing = [f"{page}: {path}" for page, path in named_paths() if not (REPO / path).exists()]
    assert not missing, "paths named in the docs that do not exist:\n" + "\n".join(missing)


def test_every_named_module_exists() -> None:
    """Every backticked `runner.x.y` module (or module attribute) named in spec/ or the README exists."""
    missing = [f"{page}: {name}" for page, name in named_modules() if not resolves(name)]
    assert not missing, "modules named in the docs that do not exist:\n" + "\n".join(missing)
