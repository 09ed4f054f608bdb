"""The rule table is built into rules only when masking needs one: a text no rule's literal occurs in
(most of what a view shows) is masked with the cached prefilter alone, and a text with a secret builds the
rules that have a candidate in it, not the whole table."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runner.logs.masking import cache
from runner.logs.masking.engine import rules
from runner.logs.masking.prefilter import hyperscan_available
from runner.logs.masking.table import load_table
from tests.helpers.cli import REPO

# Masks each argument in a fresh process and says, after each, how many of the table's rules were built.
_MASK_AND_TELL = """
import json, sys
from runner.logs.masking import engine, mask_text
shown = []
for text in sys.argv[1:]:
    shown.append([mask_text(text), sum(rule is not None for rule in vars(engine.table()).get("_made", []))])
print(json.dumps(shown))
"""
PLAIN = "Wrote 3 files in src/app.py"  # no literal of any rule (a task id holds "sk-": a candidate)
AWS_KEY = "AKIA" + "QWERTYUIOPASDFGH"  # the AWS_ACCESS_KEY rule's shape, split so no scanner flags this file


def _masked_in_fresh_process(cache: Path, *texts: str) -> list[tuple[str, int]]:
    env = {**os.environ, "PM_RUNNER_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", _MASK_AND_TELL, *texts], env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return [(text, built) for text, built in json.loads(done.stdout)]


@pytest.mark.skipif(not hyperscan_available(), reason="only Hyperscan's prefilter is cached apart from the rules")
def test_a_text_with_no_candidate_builds_no_rule(tmp_path: Path) -> None:
    """With the prefilter cached, masking a plain text builds no rule; the first text with a candidate
    builds the few rules with a candidate in it (of 235) and is masked as always."""
    _masked_in_fresh_process(tmp_path, AWS_KEY)  # fills the per-user cache, as any earlier run did
    shown = _masked_in_fresh_process(tmp_path, PLAIN, PLAIN + " " + AWS_KEY, PLAIN)
    assert shown[0] == (PLAIN, 0)
    assert 0 < shown[1][1] <= 10 and AWS_KEY not in shown[1][0] and "[MASKED:" in shown[1][0]
    assert shown[2] == (PLAIN, shown[1][1])


def test_without_a_cache_every_text_is_still_masked(tmp_path: Path) -> None:
    """`PM_RUNNER_CACHE_DIR=off`: the prefilter is built from the rules, and masking is unchanged."""
    shown = _masked_in_fresh_process(Path("off"), PLAIN, AWS_KEY)
    assert shown[0] == (PLAIN, len(rules()))
    assert AWS_KEY not in shown[1][0]


def test_the_cache_digests_are_sha256() -> None:
    """The masking cache's digest (CPython's built-in SHA-256 when there is one) is hashlib's SHA-256."""
    data = b"pm-runner" * 10_000
    assert cache.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()


def test_a_cache_file_is_checked_by_blake2b_of_its_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache file's check is BLAKE2b (32 bytes) of its sizes and content: a file whose content changed
    under an unchanged check is not read, and is written again."""
    monkeypatch.setenv("PM_RUNNER_CACHE_DIR", str(tmp_path))
    document = {"rows": [1, 2, 3]}
    assert cache.cached("demo", "k", lambda: (document, b"blob")) == (document, b"blob")
    data = (tmp_path / "demo-k.bin").read_bytes()
    rest = data[len(b"pmr-masking\n"):]
    assert rest[:32] == hashlib.blake2b(rest[32:], digest_size=32).digest()
    (tmp_path / "demo-k.bin").write_bytes(data.replace(b"[1,2,3]", b"[1,2,4]"))
    assert cache.cached("demo", "k", lambda: (document, b"blob")) == (document, b"blob")
    assert (tmp_path / "demo-k.bin").read_bytes() == data


def test_a_lazily_built_table_is_the_table() -> None:
    """A table read anew builds the same rules, in the same order, as the engine's."""
    table = load_table()
    assert "_rows" not in vars(table)
    assert [(r.name, r.source, r.priority) for r in table.rules] == [(r.name, r.source, r.priority) for r in rules()]


def test_each_rule_built_alone_is_the_rule_built_with_the_others() -> None:
    """A fresh table asked for one rule at a time, last to first, builds each equal to the engine's (every
    field), and knows where `then` rules and PRIVATE_KEY are without building the others."""
    table = load_table()
    assert [table.rule(index) for index in reversed(range(len(rules())))] == list(reversed(rules()))
    fresh = load_table()
    assert [fresh.rules[index] for index in fresh.indexes_with("then")] == [r for r in rules() if r.then_source]
    assert rules()[fresh.index_of("PRIVATE_KEY")].name == "PRIVATE_KEY"
