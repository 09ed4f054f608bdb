"""The files and code symbols a piece of request text names: what the size estimate counts and what
links a later plan item to an earlier one.

Deterministic patterns over ASCII names (a name in another script is not recognised):

- a file is a path whose last part has a known extension (`src/parser.py`, `README.md`), a path
  that starts with `./`, `../`, `~/` or `/` or ends with `/`, or a well-known extensionless file
  (`Makefile`, `Dockerfile`, `README`, `LICENSE`, ...);
- a symbol is a call with empty parentheses (`parse()`, `Config.load()`), a snake_case name with
  an underscore (`parse_config`), a CamelCase name with two capitals (`ConfigParser`; a short list
  of product names such as `GitHub` is left out), or a dotted name (`os.path`);
- text in backticks is a file when it looks like one, else a symbol when it is a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# Extensions a request's file names end in; a dotted word with another ending (`e.g`, `os.path`) is no file.
EXTENSIONS = frozenset("""
    adoc bash bat c cc cfg cjs clj cmake conf cpp cs css csv cts dart diff dockerfile el env erl ex exs
    fish gif go gradle graphql h hcl hpp hs htm html ini ipynb java jpeg jpg js json jsonl jsx kt kts
    less lock log lua m md mdx mjs mk ml mm mts nim nix patch php pl png proto ps1 py pyi r rb rs rst
    sass scala scss sh sql svelte svg swift tf tfvars toml ts tsv tsx txt vue wasm xml yaml yml zig zsh
""".split())
WELL_KNOWN_FILES = ("Makefile", "Dockerfile", "Containerfile", "Jenkinsfile", "Vagrantfile", "Procfile",
                    "Gemfile", "Rakefile", "README", "LICENSE", "CHANGELOG", "CONTRIBUTING")
# CamelCase words that are products or platforms, not code symbols.
NOT_SYMBOLS = frozenset({
    "GitHub", "GitLab", "JavaScript", "TypeScript", "PowerShell", "PostgreSQL", "MySQL", "SQLite",
    "MongoDB", "MacOS", "YouTube", "LinkedIn", "WordPress", "OpenAI", "ChatGPT", "DevOps", "NumPy",
    "PyPI", "FastAPI", "GraphQL", "CircleCI", "BitBucket", "DynamoDB", "CloudFront", "VSCode",
})

_A = r"A-Za-z0-9_"  # names are matched with ASCII boundaries: Japanese text around them is fine
_URL = re.compile(r"\b(?:https?|ftp|file)://\S+")
_BACKTICKED = re.compile(r"`([^`\n]{1,200})`")
_DOTTED_FILE = re.compile(rf"(?<![{_A}@/.-])((?:~/|\.{{1,2}}/|/)?(?:[{_A}.-]+/)*[{_A}-][{_A}.-]*\.([A-Za-z0-9]{{1,10}}))(?![{_A}/-])")
_ROOTED_PATH = re.compile(rf"(?<![{_A}@/.-])((?:~|\.{{1,2}})?/[{_A}.-]+(?:/[{_A}.-]+)*/?)(?![{_A}/-])")
_DIRECTORY = re.compile(rf"(?<![{_A}@/.-])((?:[{_A}-][{_A}.-]*/)+)(?![{_A}])")
_WELL_KNOWN = re.compile(rf"(?<![{_A}/.-])({'|'.join(WELL_KNOWN_FILES)})(?![{_A}]|\.[A-Za-z])")
_CALL = re.compile(rf"(?<![{_A}.])([A-Za-z_][{_A}]*(?:\.[A-Za-z_][{_A}]*)*\(\))")
_SNAKE = re.compile(rf"(?<![{_A}.])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![{_A}(])")
_CAMEL = re.compile(rf"(?<![{_A}.])([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)(?![{_A}(])")
_DOTTED_NAME = re.compile(rf"(?<![{_A}.])([A-Za-z_][{_A}]+(?:\.[A-Za-z_][{_A}]+)+)(?![{_A}(.])")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:(?:\.|::)[A-Za-z_][A-Za-z0-9_]*)*(?:\(\))?$")


@dataclass(frozen=True)
class Names:
    """Distinct files and symbols, in order of first mention."""

    files: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        return self.files + self.symbols


def names_in(text: str) -> Names:
    """The files and symbols `text` names, in order of first mention (see the module docstring for the rules)."""
    files: list[tuple[int, str]] = []
    symbols: list[tuple[int, str]] = []
    text = _URL.sub(lambda m: " " * len(m.group(0)), text)
    for match in _BACKTICKED.finditer(text):
        inner = match.group(1).strip()
        if "/" in inner and " " not in inner or _is_file(inner):
            files.append((match.start(), inner))
        elif _NAME.match(inner):
            symbols.append((match.start(), inner))
    text = _BACKTICKED.sub(lambda m: " " * len(m.group(0)), text)
    for pattern in (_DOTTED_FILE, _ROOTED_PATH, _DIRECTORY, _WELL_KNOWN):
        text = _take(pattern, text, files, _is_file)
    for pattern in (_CALL, _SNAKE, _CAMEL, _DOTTED_NAME):
        text = _take(pattern, text, symbols, lambda name: name not in NOT_SYMBOLS)
    return Names(_in_order(files), _in_order(symbols))


def _take(pattern: re.Pattern[str], text: str, found: list[tuple[int, str]], keep: Callable[[str], bool]) -> str:
    """Add the matches `keep` accepts to `found`; the text with them blanked, so no name counts twice."""
    def blank(match: re.Match[str]) -> str:
        name = match.group(1)
        if not keep(name):
            return match.group(0)
        found.append((match.start(1), name))
        return " " * len(match.group(0))

    return pattern.sub(blank, text)


def _in_order(found: list[tuple[int, str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for _, name in sorted(found)))


def _is_file(name: str) -> bool:
    if name in WELL_KNOWN_FILES:
        return True
    if " " in name or not name.strip("/.~"):
        return False
    if name.startswith(("./", "../", "~/", "/")) or name.endswith("/"):
        return True
    last = name.rsplit("/", 1)[-1]
    return "." in last.strip(".") and last.rsplit(".", 1)[1].lower() in EXTENSIONS


def artefact_key(name: str) -> str:
    """The form two mentions of one file or symbol share: `./src/a.py` and `a.py` are one file,
    `README` and `README.md` one document, `parse()` and `parse` one function."""
    name = name.strip().rstrip("/")
    if name.endswith("()"):
        name = name[:-2]
    base = name.rsplit("/", 1)[-1].lower()
    stem = base.split(".", 1)[0]
    if stem.upper() in {w.upper() for w in WELL_KNOWN_FILES}:
        return stem
    return base
