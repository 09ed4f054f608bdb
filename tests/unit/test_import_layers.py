"""Imports flow one way and never in a circle (STYLE.md "Shape", code-review.md §2).

Three rules, checked over every `import` in `runner/` — top-level, function-local ("lazy")
and `if TYPE_CHECKING:` imports alike:

- no module imports from a layer above its own (models → pure logic → I/O → orchestration → edge);
- no two modules import each other, directly or through others (no strongly connected component
  larger than one module);
- no two sibling units of a package (its modules and sub-packages) import each other, directly or
  through others: `config` → `logs` → `config` is a cycle even when no single module is in one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "runner"

# (module-name prefix, layer); the longest matching prefix wins.
LAYERS: list[tuple[str, int]] = [
    ("runner", 0),  # runner/__init__.py: the version only
    ("runner.errors", 0),
    ("runner.ids", 0),
    ("runner.timestamps", 0),
    ("runner.logs.models", 0),
    ("runner.logs.vocabulary", 0),  # the models' enums without pydantic (models re-exports them)
    ("runner.logs.log_rules", 0),  # the models' fail-closed and path rules without pydantic (shared with stored_header)
    ("runner.logs.limits", 0),
    ("runner.logs.parts", 0),
    ("runner.logs.stored_task", 0),  # data: a task's header and its events as stored, for the detail view
    ("runner.executors.base", 0),  # the protocol and its data
    ("runner.executors.denied_tool", 0),  # data: a refused tool call, part of the result
    ("runner.executors.failure_kind", 0),  # data: the kinds of failure and their recognisers (no I/O)
    ("runner.logs.retention.report", 0),  # data only: what retention removed and reports
    ("runner.notices", 0),
    ("runner.logs.masking", 1),  # masking.env reads os.environ once; no files
    ("runner.views", 1),
    ("runner.export", 1),
    ("runner.export.otlp.sender", 2),  # the OTLP sender talks to the network
    ("runner.durations", 1),
    ("runner.logs", 2),
    ("runner.executors", 2),
    ("runner.verify", 2),
    ("runner.changes", 2),
    ("runner.config", 2),
    ("runner.config_schema", 1),  # pure: the settings files' schema (pydantic), loaded only to validate
    ("runner.setting_choices", 0),  # data: the settings' enums, without pydantic
    ("runner.consent", 2),  # reads the repository's settings and the user's trust file
    ("runner.logs.manager", 3),
    ("runner.orchestration", 3),
    ("runner.orchestration.planner", 1),  # the planner is pure: a request in, a Plan out
    ("runner.orchestration.planning", 1),
    ("runner.orchestration.budget", 1),  # pure: spend, limits and crossings (views format it)
    ("runner.pricing", 1),  # pure, plus reading its own bundled prices.json
    ("runner.loop_settings", 1),  # data: the review, budget and models sections of the config file (prices too)
    ("runner.review", 2),  # reads the changed files and runs the user's checks
    ("runner.review.markers", 1),
    ("runner.review.parsers", 1),
    ("runner.review.criteria", 1),
    ("runner.review.facts", 0),
    ("runner.review.prompt", 1),
    ("runner.core", 3),
    ("runner.planned_requests", 3),  # RunnerCore's plan methods (a mixin)
    ("runner.repl", 4),
    ("runner.cli", 4),
    ("runner.__main__", 4),
]
LAYER_NAMES = ["models", "pure logic", "I/O", "orchestration", "edge"]

# Cycles that exist today and are being taken apart (code-review.md §6); each entry is the exact
# set of members, so a cycle that grows or a new one fails. Empty means: no cycle at all.
KNOWN_MODULE_CYCLES: list[frozenset[str]] = []
KNOWN_PACKAGE_CYCLES: list[frozenset[str]] = []


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    kind: str  # "top-level", "lazy" or "TYPE_CHECKING"


def layer_of(module: str) -> int:
    best = max((p for p, _ in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return dict(LAYERS)[best]


def all_modules(root: Path = RUNNER) -> dict[str, Path]:
    """Every module of the package by dotted name (a package is named by its `__init__.py`)."""
    return {module_name_under(root, path): path for path in sorted(root.rglob("*.py"))}


def module_name_under(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, kind: str) -> Iterable[tuple[ast.AST, str]]:
    """Every node with how it is reached: at module level, inside a function, or under TYPE_CHECKING."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for inner in child.body:
                yield inner, "TYPE_CHECKING"
                yield from _walk(inner, "TYPE_CHECKING")
            for inner in child.orelse:
                yield inner, kind
                yield from _walk(inner, kind)
            continue
        inner_kind = "lazy" if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else kind
        yield child, kind
        yield from _walk(child, inner_kind)


def import_edges(source: str, path: Path, modules: Mapping[str, Path]) -> list[Edge]:
    """The runner modules `path` imports; `from P import m` points at module `P.m` when it is one."""
    edges: list[Edge] = []
    for node, kind in _walk(ast.parse(path.read_text(), str(path)), "top-level"):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                targets.append(full if full in modules else node.module)
        for target in targets:
            edge = Edge(source, target, getattr(node, "lineno", 0), kind)
            if target in modules and target != source and edge not in edges:
                edges.append(edge)
    return edges


def import_graph(root: Path = RUNNER) -> list[Edge]:
    modules = all_modules(root)
    return [edge for name, path in modules.items() for edge in import_edges(name, path, modules)]


def strongly_connected(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[frozenset[str]]:
    """Tarjan's algorithm (iterative): the components with more than one member."""
    graph: dict[str, set[str]] = {node: set() for node in nodes}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.add(member)
                    if member == node:
                        break
                if len(members) > 1:
                    found.append(frozenset(members))
    return found


def package_edges(edges: Iterable[Edge], packages: Iterable[str]) -> dict[str, list[Edge]]:
    """For each package, the imports between its direct children (a child stands for all below it)."""
    by_package: dict[str, list[Edge]] = {package: [] for package in packages}
    for edge in edges:
        for package in by_package:
            source, target = _child_of(package, edge.source), _child_of(package, edge.target)
            if source is not None and target is not None and source != target:
                via = Edge(source, target, 0, f"{edge.source}:{edge.line} → {edge.target}, {edge.kind}")
                if via not in by_package[package]:
                    by_package[package].append(via)
    return by_package


def _child_of(package: str, module: str) -> str | None:
    if not module.startswith(package + "."):
        return None
    return f"{package}.{module[len(package) + 1:].split('.')[0]}"


def describe(cycle: frozenset[str], edges: Iterable[Edge]) -> str:
    inside = sorted((e for e in edges if e.source in cycle and e.target in cycle),
                    key=lambda e: (e.source, e.target, e.line))
    lines = [f"cycle of {len(cycle)}: {', '.join(sorted(cycle))}"]
    lines += [f"    {e.source}{f':{e.line}' if e.line else ''} → {e.target} ({e.kind})" for e in inside]
    return "\n".join(lines)


def module_cycles(root: Path = RUNNER) -> tuple[list[frozenset[str]], list[Edge]]:
    edges = import_graph(root)
    return strongly_connected(all_modules(root), [(e.source, e.target) for e in edges]), edges


def package_cycles(root: Path = RUNNER) -> list[tuple[frozenset[str], list[Edge]]]:
    modules = all_modules(root)
    packages = [name for name, path in modules.items() if path.name == "__init__.py"]
    found = []
    for edges in package_edges(import_graph(root), packages).values():
        for cycle in strongly_connected([], [(e.source, e.target) for e in edges]):
            # A cycle of plain modules is the module check's to report; this one adds packages.
            if any(member in packages for member in cycle):
                found.append((cycle, edges))
    return found


def test_no_import_points_the_wrong_way() -> None:
    """No module imports from a layer above its own (e.g. a view importing the store)."""
    wrong = []
    for edge in import_graph():
        if layer_of(edge.target) > layer_of(edge.source):
            wrong.append(f"{edge.source}:{edge.line} ({LAYER_NAMES[layer_of(edge.source)]}) imports "
                         f"{edge.target} ({LAYER_NAMES[layer_of(edge.target)]}, {edge.kind})")
    assert not wrong, "imports pointing the wrong way:\n" + "\n".join(wrong)


def test_no_module_import_cycle() -> None:
    """No strongly connected component of more than one module, lazy and TYPE_CHECKING imports included."""
    cycles, edges = module_cycles()
    new = [describe(cycle, edges) for cycle in cycles if cycle not in KNOWN_MODULE_CYCLES]
    assert not new, "module import cycles:\n" + "\n".join(new)
    gone = [sorted(cycle) for cycle in KNOWN_MODULE_CYCLES if cycle not in cycles]
    assert not gone, f"these cycles are gone; remove them from KNOWN_MODULE_CYCLES: {gone}"


def test_no_package_import_cycle() -> None:
    """No two sibling modules or sub-packages of any package import each other, even indirectly."""
    found = package_cycles()
    new = [describe(cycle, edges) for cycle, edges in found if cycle not in KNOWN_PACKAGE_CYCLES]
    assert not new, "package import cycles:\n" + "\n".join(new)
    gone = [sorted(c) for c in KNOWN_PACKAGE_CYCLES if c not in [cycle for cycle, _ in found]]
    assert not gone, f"these cycles are gone; remove them from KNOWN_PACKAGE_CYCLES: {gone}"


def test_the_layer_test_catches_a_wrong_arrow(tmp_path: Path) -> None:
    """The checker itself flags a view importing the store (so the test above can fail)."""
    assert layer_of("runner.views.task_list") < layer_of("runner.logs.store")
    assert layer_of("runner.logs.manager") > layer_of("runner.logs.store")
    assert layer_of("runner.logs.masking") < layer_of("runner.logs.store")


def _write_package(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "runner"


def test_the_cycle_checks_see_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    """A cycle closed only by a function-local or TYPE_CHECKING import is still found, at both levels."""
    root = _write_package(tmp_path, {
        "runner/__init__.py": "",
        "runner/a/__init__.py": "",
        "runner/a/one.py": "from runner.b import two\n",
        "runner/b/__init__.py": "",
        "runner/b/two.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from runner.c import three\n",
        "runner/c/__init__.py": "",
        "runner/c/three.py": "def f():\n    from runner.a import one\n",
        "runner/d.py": "from runner.a.one import x\n",
    })
    cycles, edges = module_cycles(root)
    assert cycles == [frozenset({"runner.a.one", "runner.b.two", "runner.c.three"})]
    kinds = {e.kind for e in edges}
    assert {"top-level", "lazy", "TYPE_CHECKING"} <= kinds
    assert [cycle for cycle, _ in package_cycles(root)] == [frozenset({"runner.a", "runner.b", "runner.c"})]


def test_the_package_check_sees_a_cycle_no_module_is_in(tmp_path: Path) -> None:
    """`a.x` → `b.y` and `b.z` → `a.w` is a package cycle though no module imports itself back."""
    root = _write_package(tmp_path, {
        "runner/__init__.py": "",
        "runner/a/__init__.py": "",
        "runner/a/x.py": "import runner.b.y\n",
        "runner/a/w.py": "",
        "runner/b/__init__.py": "",
        "runner/b/y.py": "",
        "runner/b/z.py": "from runner.a import w\n",
    })
    assert module_cycles(root)[0] == []
    assert [cycle for cycle, _ in package_cycles(root)] == [frozenset({"runner.a", "runner.b"})]
