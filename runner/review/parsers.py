"""Q4: does a changed file still parse? One parser per file type the runner can check without guessing.

`.py` is compiled (never run); `.json` loaded; `.toml` loaded with tomllib; `.yaml`/`.yml` loaded
with PyYAML's safe loader when it is installed. Every other type, and JSON-with-comments files
(`tsconfig*.json`, `jsconfig*.json`, `devcontainer.json`, `.jsonc`), is skipped and said to be.
Pure: a path and its text in, a `ParseResult` out.
"""

from __future__ import annotations

import json
import posixpath
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

_JSONC_NAMES = ("tsconfig", "jsconfig", "devcontainer")


@dataclass(frozen=True)
class ParseResult:
    """`error` ("line 3: invalid syntax") when the file does not parse; `skipped` when not checked, and why."""

    kind: str | None  # "Python", "JSON", "TOML", "YAML"; None when the type has no parser here
    error: str | None = None
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _python(path: str, text: str) -> str | None:
    try:
        compile(text, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f"line {exc.lineno}: " if exc.lineno else ""
        return f"{where}{exc.msg}"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _json(path: str, text: str) -> str | None:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return f"line {exc.lineno} column {exc.colno}: {exc.msg}"
    except RecursionError:
        return "nested too deeply to load"
    return None


def _toml(path: str, text: str) -> str | None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return str(exc)
    return None


def _yaml_loader() -> Callable[[str], Any] | None:
    try:
        yaml = import_module("yaml")
    except ImportError:
        return None
    loader: Callable[[str], Any] = yaml.safe_load
    return loader


def _yaml(path: str, text: str) -> str | None:
    load = _yaml_loader()
    if load is None:  # checked by the caller first
        return None
    try:
        load(text)
    except Exception as exc:  # noqa: BLE001 - PyYAML raises its own YAMLError family (and RecursionError)
        first = str(exc).strip().splitlines()
        return first[0] if first else type(exc).__name__
    return None


_PARSERS: dict[str, tuple[str, Callable[[str, str], str | None]]] = {
    ".py": ("Python", _python),
    ".json": ("JSON", _json),
    ".toml": ("TOML", _toml),
    ".yaml": ("YAML", _yaml),
    ".yml": ("YAML", _yaml),
}


def parser_kind(path: str) -> str | None:
    """The file type Q4 checks `path` as, or None."""
    entry = _PARSERS.get(posixpath.splitext(path)[1].lower())
    return entry[0] if entry else None


def check_parses(path: str, text: str) -> ParseResult:
    """Parse `text` as the type its name says; other types are skipped, never guessed."""
    suffix = posixpath.splitext(path)[1].lower()
    entry = _PARSERS.get(suffix)
    if entry is None:
        return ParseResult(None, skipped="no parser for this file type")
    kind, parse = entry
    name = posixpath.basename(path).lower()
    if suffix == ".json" and name.startswith(_JSONC_NAMES):
        return ParseResult(kind, skipped="JSON with comments (not checked)")
    if kind == "YAML" and _yaml_loader() is None:
        return ParseResult(kind, skipped="no YAML parser installed (pip install pyyaml to check YAML)")
    return ParseResult(kind, error=parse(path, text))
