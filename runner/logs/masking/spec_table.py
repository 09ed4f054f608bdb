"""spec/masking.md's rule table, generated from `rules.toml` (a test keeps the two equal).

`python -m runner.logs.masking.spec_table` prints the generated section;
`--write [PATH]` replaces the section between its markers in spec/masking.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from runner.logs.masking.table import MaskRule, load_table

BEGIN = "<!-- rule table: generated from rules.toml by runner.logs.masking.spec_table; do not edit by hand -->"
END = "<!-- end of rule table -->"
SPEC_PATH = Path(__file__).resolve().parents[3] / "spec" / "masking.md"
_KIND_TEXT = {"token": "bare token", "keyword": "keyword + value", "context": "in context"}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")


def _code(text: str) -> str:
    if not text:
        return ""
    body = _cell(text)
    ticks = "``" if "`" in body else "`"
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{ticks}{pad}{body}{pad}{ticks}"


def _row(rule: MaskRule) -> str:
    what = rule.row_pattern
    if rule.kind == "keyword":
        words = ", ".join(rule.keywords) + (" and every keyword-rule keyword" if len(rule.all_keywords) > len(rule.keywords) else "")
        what = f"name holds {words}; value {rule.row_pattern} (any case)"
    checks = []
    if rule.near:
        checks.append("after " + " / ".join(rule.near) + " on the line")
    if rule.entropy is not None:
        checks.append(f"entropy ≥ {rule.entropy:g}")
    if rule.accept and rule.accept != "entropy":
        checks.append(rule.accept.replace("_", " "))
    return (f"| {int(rule.priority)} | `{rule.name}` | {rule.family} | {_cell(rule.provider)} | "
            f"{_KIND_TEXT[rule.kind]} | {_code(what)} | {_cell('; '.join(checks))} | "
            f"{_code(rule.example)} | {_code(rule.counter)} |")


def generate() -> str:
    """The generated section, markers included."""
    rules = load_table().rules
    lines = [BEGIN, "",
             f"{len(rules)} rules. Example templates: `{{an:N}}` is N random letters and digits, "
             "`{hex:N}` lower-case hex, `{HEX:N}` upper-case hex, `{uan:N}`/`{lan:N}` upper/lower "
             "letters and digits, `{al:N}` letters, `{d:N}` digits, `{b64:N}` base64, `{url:N}` "
             "URL-safe base64, `{b32:N}` base32, `{bech:N}` bech32; tests fill them in at run time.",
             "",
             "| priority | rule | family | provider and form | kind | pattern | checks | example | counter-example |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += [_row(rule) for rule in rules]
    lines += ["", END]
    return "\n".join(lines)


def replace_section(spec: str, section: str) -> str:
    """`spec` with the text between the markers replaced by `section`."""
    start, end = spec.find(BEGIN), spec.find(END)
    if start == -1 or end == -1 or end < start:
        raise ValueError("spec/masking.md has no generated rule-table section (its markers are missing)")
    return spec[:start] + section + spec[end + len(END):]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write"]:
        path = Path(argv[1]) if len(argv) > 1 else SPEC_PATH
        path.write_text(replace_section(path.read_text(encoding="utf-8"), generate()), encoding="utf-8")
        return 0
    sys.stdout.write(generate() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
