"""The planner's measures: which files and symbols a text names, and the S/M/L/XL size scale."""

from __future__ import annotations

import pytest

from runner.orchestration.planning.dependencies import parallel_groups
from runner.orchestration.planning.model import Dependency, Size
from runner.orchestration.planning.names import Names, artefact_key, names_in
from runner.orchestration.planning.size import display_length, estimate_size

NAMES = [
    ("update README.md and src/parser.py", ("README.md", "src/parser.py"), ()),
    ("e.g. this, i.e. that, etc.", (), ()),
    ("call os.path.join() from Config.load", (), ("os.path.join()", "Config.load")),
    ("the README and the Makefile", ("README", "Makefile"), ()),
    ("see https://example.com/docs/a.py for details", (), ()),
    ("GitHub Actions runs the TypeScript build", (), ()),
    ("TaskLogManager and parse_config", (), ("TaskLogManager", "parse_config")),
    ("move scripts/ to ./tools and ~/bin/run", ("scripts/", "./tools", "~/bin/run"), ()),
    ("and/or either way", (), ()),
    ("src/parser.pyにパーサーを追加", ("src/parser.py",), ()),
    ("`make lint` and `load_config` and `docs/x`", ("docs/x",), ("load_config",)),
    ("version 1.2.3 of v2.0", (), ()),
]


@pytest.mark.parametrize(("text", "files", "symbols"), NAMES, ids=[n[0] for n in NAMES])
def test_names_in_text(text: str, files: tuple[str, ...], symbols: tuple[str, ...]) -> None:
    """Files and symbols are found by the documented patterns, and prose abbreviations or URLs are not."""
    assert names_in(text) == Names(files, symbols)


def test_artefact_keys_join_mentions_of_one_thing() -> None:
    """A path and its bare name, README and README.md, a call and its name: each pair is one artefact."""
    assert artefact_key("./src/a.py") == artefact_key("a.py")
    assert artefact_key("README") == artefact_key("README.md")
    assert artefact_key("parse()") == artefact_key("parse")
    assert artefact_key("a.py") != artefact_key("a.ts")


SIZES = [
    ("x" * 199, 0, Names(), Size.S, "length"),
    ("x" * 200, 0, Names(), Size.M, "length"),
    ("あ" * 100, 0, Names(), Size.M, "length"),  # a wide character counts as two
    ("x" * 800, 0, Names(), Size.L, "length"),
    ("x" * 2000, 0, Names(), Size.XL, "length"),
    ("short", 1, Names(("a.py",), ("f", "g")), Size.S, "length"),
    ("short", 2, Names(), Size.M, "items"),
    ("short", 4, Names(), Size.L, "items"),
    ("short", 7, Names(), Size.XL, "items"),
    ("short", 0, Names(("a.py", "b.py")), Size.M, "files"),
    ("short", 0, Names(tuple(f"{n}.py" for n in "abcdefgh")), Size.XL, "files"),
    ("short", 0, Names((), ("a", "b", "c")), Size.M, "symbols"),
    ("short", 3, Names(tuple(f"{n}.py" for n in "abcde")), Size.L, "files"),
]


@pytest.mark.parametrize(("text", "items", "names", "size", "by"), SIZES)
def test_size_scale(text: str, items: int, names: Names, size: Size, by: str) -> None:
    """The size is the largest any measure reaches, and the first measure to reach it is named."""
    estimate = estimate_size(text, items, names)
    assert (estimate.size, estimate.decided_by) == (size, by)


def test_display_length_counts_wide_characters_twice() -> None:
    """Japanese text measures as it displays: two cells a character."""
    assert display_length("ab") == 2
    assert display_length("日本") == 4


def test_parallel_groups_are_dependency_levels() -> None:
    """Items with no waits form the first group; an item joins the level after its latest wait."""
    deps = [Dependency(3, 1, ""), Dependency(4, 3, ""), Dependency(5, 2, "")]
    assert parallel_groups(5, deps) == ((1, 2), (3, 5), (4,))
    assert parallel_groups(0, []) == ()
