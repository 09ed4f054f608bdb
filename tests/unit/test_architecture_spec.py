"""spec/architecture.md stays true to runner/: its layer table is the import test's, its paths exist, every package is in it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.test_import_layers import LAYERS, RUNNER

PAGE = RUNNER.parent / "spec" / "architecture.md"
LAYER_ROW = re.compile(r"^\| (\d) [^|]*\| ([^|]*) \| [^|]* \|$")
# A backticked name that is a path under runner/ (`logs/store/`, `cli/repl.py`, `cli/__init__.py:main`).
REPO_FOLDERS = ("runner/", "tests/", "spec/", "bench/")
PATH_TOKEN = re.compile(r"[\w.]+(?:/[\w.]*)*(?::\w+)?")


def page_text(page: Path = PAGE) -> str:
    return page.read_text(encoding="utf-8")


def backticked(text: str) -> list[str]:
    return re.findall(r"`([^`\s]+)`", text)


def module_of(token: str) -> str:
    """`logs/models`, `logs/store/` or `cli/repl.py` as the dotted name the import test uses."""
    path = token.split(":")[0].removesuffix("/").removesuffix(".py")
    parts = [part for part in path.split("/") if part != "__init__"]
    return ".".join(["runner", *parts])


def table_layers(text: str) -> set[tuple[str, int]]:
    """(module, layer) for every name in the package column of the layer table."""
    rows = [LAYER_ROW.match(line) for line in text.splitlines()]
    return {(module_of(token), int(row.group(1)))
            for row in rows if row for token in backticked(row.group(2))}


def table_text(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if LAYER_ROW.match(line))


def named_paths(text: str) -> list[str]:
    """Backticked names that point into runner/: a slash or a `.py` (not `/exit`, `.claude/`, `x.md`)."""
    return [token for token in backticked(text)
            if PATH_TOKEN.fullmatch(token) and not token.startswith((".", "/"))
            and ("/" in token or token.split(":")[0].endswith(".py"))
            and not token.split(":")[0].endswith((".md", ".json", ".toml", ".jsonl"))]


def exists_under(root: Path, token: str) -> bool:
    path = token.split(":")[0]
    if path.startswith(REPO_FOLDERS):
        return (root.parent / path).exists()
    target = root / path.removesuffix("/")
    return target.exists() or target.with_suffix(".py").exists()


def packages(root: Path = RUNNER) -> list[str]:
    """Every folder of runner/ that holds Python modules, as `a/b/`."""
    return sorted(f"{path.relative_to(root).as_posix()}/" for path in root.rglob("*")
                  if path.is_dir() and any(path.glob("*.py")))


def top_modules(root: Path = RUNNER) -> list[str]:
    return sorted(path.name for path in root.glob("*.py"))


def test_the_checks_can_fail() -> None:
    """The scans find what they check, and a made-up path, package or layer would be caught."""
    text = page_text()
    assert len(table_layers(text)) >= 20
    assert len(named_paths(text)) >= 40
    assert "logs/store/" in packages()
    assert not exists_under(RUNNER, "logs/no_such_module.py")
    assert not exists_under(RUNNER, "no_such_package/")
    assert module_of("cli/__init__.py:main") == "runner.cli"
    assert table_layers("| 2 I/O | `views/` | renderers |") == {("runner.views", 2)}
    assert ("runner.views", 2) not in set((prefix, layer) for prefix, layer in LAYERS)


def test_the_layer_table_is_the_import_tests() -> None:
    """The page's layer table names exactly the import test's prefixes, each at the import test's layer."""
    documented = table_layers(page_text())
    enforced = set(LAYERS)
    assert documented == enforced, (
        f"in the import test, not in the page: {sorted(enforced - documented)}\n"
        f"in the page, not in the import test: {sorted(documented - enforced)}")


def test_every_path_the_page_names_exists() -> None:
    """Every module or package path the page names (relative to runner/) exists on disk."""
    missing = [token for token in named_paths(page_text()) if not exists_under(RUNNER, token)]
    assert not missing, f"spec/architecture.md names paths that do not exist: {missing}"


def test_every_package_and_top_level_module_is_in_the_table() -> None:
    """Every package of runner/ and every module directly in runner/ is named in the layer table."""
    table = set(backticked(table_text(page_text())))
    undescribed = [name for name in packages() + top_modules() if name not in table]
    assert not undescribed, f"runner/ has packages or modules spec/architecture.md leaves out: {undescribed}"
