"""Imports flow one way: models → pure logic → I/O → orchestration → edge (STYLE.md "Shape")."""

from __future__ import annotations

import ast
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "runner"

# (module-name prefix, layer); the longest matching prefix wins.
LAYERS: list[tuple[str, int]] = [
    ("runner", 0),  # runner/__init__.py: the version only
    ("runner.errors", 0),
    ("runner.ids", 0),
    ("runner.timestamps", 0),
    ("runner.logs.models", 0),
    ("runner.logs.masking", 1),
    ("runner.logs.mask_rules", 1),
    ("runner.logs.mask_engine", 1),
    ("runner.logs.mask_env", 1),  # reads os.environ once; no files
    ("runner.logs.mask_stream", 1),
    ("runner.views", 1),
    ("runner.durations", 1),
    ("runner.logs", 2),
    ("runner.executors", 2),
    ("runner.verify", 2),
    ("runner.tree_snapshot", 2),
    ("runner.config", 2),
    ("runner.providers", 2),
    ("runner.logs.manager", 3),
    ("runner.dispatch", 3),
    ("runner.core", 3),
    ("runner.repl", 4),
    ("runner.cli", 4),
    ("runner.__main__", 4),
]
LAYER_NAMES = ["models", "pure logic", "I/O", "orchestration", "edge"]


def layer_of(module: str) -> int:
    best = max((p for p, _ in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return dict(LAYERS)[best]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(RUNNER.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n == "runner" or n.startswith("runner.")}


def test_no_import_points_the_wrong_way() -> None:
    """No module imports from a layer above its own (e.g. a view importing the store)."""
    wrong = []
    for path in sorted(RUNNER.rglob("*.py")):
        source = module_name(path)
        for target in imported_modules(path):
            if not (RUNNER.parent / (target.replace(".", "/") + ".py")).exists() and not (
                RUNNER.parent / target.replace(".", "/")
            ).is_dir():
                continue  # `from runner.x import name` where name is not a module
            if layer_of(target) > layer_of(source):
                wrong.append(f"{source} ({LAYER_NAMES[layer_of(source)]}) imports {target} "
                             f"({LAYER_NAMES[layer_of(target)]})")
    assert not wrong, "imports pointing the wrong way:\n" + "\n".join(wrong)


def test_the_layer_test_catches_a_wrong_arrow(tmp_path: Path) -> None:
    """The checker itself flags a view importing the store (so the test above can fail)."""
    assert layer_of("runner.views.task_list") < layer_of("runner.logs.store")
    assert layer_of("runner.logs.manager") > layer_of("runner.logs.store")
    assert layer_of("runner.logs.masking") < layer_of("runner.logs.store")
