"""Exact-value masking of sensitive environment variables (the first masking layer, DESIGN §6).

The values of variables whose names look secret (`*_API_KEY`, `*_TOKEN`, `*SECRET*`,
`*PASSWORD*`, ...) are masked wherever they appear, also JSON-escaped or URL-encoded. The
table is built lazily from `os.environ` and rebuilt by `reset_env_secrets`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import orjson

MIN_VALUE_CHARS = 8

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSPHRASE|CREDENTIAL|SECRET|PRIVATE_?KEY"
    r"|(?:^|_)(?:API_?KEY|APIKEY|TOKEN|ACCESS_?KEY|AUTH_?KEY|PASS|PASSWD)(?:_|$)|(?:^|_)AUTH$"
)
# Names that hold where a secret lives, not the secret (`PASSWORD_STORE_DIR`).
_LOCATION_NAME = re.compile(r"_(?:FILE|DIR|PATH|HOME)$")
_PLAIN_KEY_NAME = re.compile(r"(?:^|_)KEY$")
_SECRET_LOOKING = re.compile(r"(?=[^/~.])(?=.*[A-Za-z])(?=.*[0-9])\S{16,}", re.ASCII)


def is_sensitive_env_name(name: str, value: str = "") -> bool:
    """True when a variable's name (or, for a bare `*_KEY`, its value's shape) says it is secret."""
    upper = name.upper()
    if _LOCATION_NAME.search(upper):
        return False
    if _SECRET_NAME.search(upper):
        return True
    return bool(_PLAIN_KEY_NAME.search(upper) and _SECRET_LOOKING.fullmatch(value))


def _marker(name: str) -> str:
    # Only the variable's name is shown, reduced to a safe alphabet and length.
    safe = re.sub(r"[^A-Z0-9_]", "_", name.upper())[:64]
    return f"[MASKED:ENV_{safe}]"


def _forms(value: str) -> set[str]:
    """The value as it may appear in output: raw, JSON-escaped, URL-encoded; line by line if multi-line."""
    candidates = {value, value.strip(), json.dumps(value)[1:-1], quote(value),
                  quote(value, safe=""), quote_plus(value, safe="")}
    try:
        candidates.add(orjson.dumps(value).decode()[1:-1])  # non-ASCII kept as is
    except orjson.JSONEncodeError:  # lone surrogates from undecodable environment bytes
        pass
    candidates.update(line.strip() for line in value.splitlines())
    return {form for form in candidates if len(form) >= MIN_VALUE_CHARS and "\n" not in form}


@dataclass(frozen=True)
class EnvSecrets:
    """(form, marker) pairs, longest form first so a value inside a longer one cannot split it."""

    forms: tuple[tuple[str, str], ...] = ()

    @property
    def longest(self) -> int:
        return len(self.forms[0][0]) if self.forms else 0

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """Where the forms occur in `text` (overlaps included), each with its marker."""
        found: list[tuple[int, int, str]] = []
        for form, marker in self.forms:
            start = text.find(form)
            while start != -1:
                found.append((start, start + len(form), marker))
                start = text.find(form, start + 1)
        return found


def build_env_secrets(environ: Mapping[str, str]) -> EnvSecrets:
    """The exact-value table for one environment; values under 8 characters are ignored."""
    table: dict[str, str] = {}
    for name in sorted(environ):
        value = environ[name]
        if len(value) < MIN_VALUE_CHARS or not is_sensitive_env_name(name, value):
            continue
        for form in _forms(value):
            table.setdefault(form, _marker(name))
    ordered = sorted(table.items(), key=lambda item: (-len(item[0]), item[0]))
    return EnvSecrets(tuple(ordered))


# Rebinding a module global is atomic, so concurrent first uses at worst build the table twice.
_current: EnvSecrets | None = None


def env_secrets() -> EnvSecrets:
    """The current table, built from `os.environ` on first use."""
    global _current
    if _current is None:
        _current = build_env_secrets(os.environ)
    return _current


def reset_env_secrets(environ: Mapping[str, str] | None = None) -> None:
    """Rebuild the exact-value table from `environ` (default: `os.environ`)."""
    global _current
    _current = build_env_secrets(os.environ if environ is None else environ)
