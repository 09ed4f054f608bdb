"""Deterministic, realistic executor output for the benchmarks: test runs, builds, diffs, agent JSON.

About one line in fifty carries a (fake) secret of a kind the masker knows, and ordinary
words that trip the masker's cheap pre-checks (`PASSED`, `tokenizer`, `keyboard`) are common,
as they are in real output. Every secret value is random and valid for nothing.
"""

from __future__ import annotations

import random
import string

SECRET_EVERY = 50
_ALNUM = string.ascii_letters + string.digits


def _token(rng: random.Random, length: int, alphabet: str = _ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def secret_line(rng: random.Random) -> str:
    """One line holding one secret, in one of the shapes agents and tools really print."""
    kind = rng.randrange(8)
    if kind == 0:
        return f"export OPENAI_API_KEY=sk-proj-{_token(rng, 40)}"
    if kind == 1:
        return f"curl -H 'Authorization: Bearer {_token(rng, 32)}.{_token(rng, 12)}' https://api.example.com/v1/items"
    if kind == 2:
        return f"aws configure set aws_access_key_id AKIA{_token(rng, 16, string.ascii_uppercase + string.digits)}"
    if kind == 3:
        return f"remote: https://ci:{_token(rng, 20)}@git.example.com/team/repo.git"
    if kind == 4:
        return f'{{"type":"tool_result","content":"{{\\"password\\": \\"{_token(rng, 14)}\\"}}"}}'
    if kind == 5:
        return f"Using token ghp_{_token(rng, 36)} for the GitHub API"
    if kind == 6:
        return f"DATABASE_URL=postgres://app:{_token(rng, 18)}@db.internal:5432/app"
    return f"db_password = '{_token(rng, 16)}'  # from settings.local.py"


def plain_line(rng: random.Random, number: int) -> str:
    """One ordinary line of build, test, agent or diff output."""
    kind = number % 6
    module = f"src/app/module_{rng.randrange(400):03d}.py"
    if kind == 0:
        verdict = rng.choice(("PASSED", "PASSED", "PASSED", "FAILED", "SKIPPED"))
        return f"tests/unit/test_module_{rng.randrange(400):03d}.py::test_case_{number % 97} {verdict} [{number % 100:3d}%]"
    if kind == 1:
        return f"npm WARN deprecated left-pad@1.{number % 9}.0: use String.prototype.padStart (keyboard shortcuts unaffected)"
    if kind == 2:
        return f"+    result = tokenizer.encode(batch[{number % 64}], max_tokens={256 + number % 512})  # {module}"
    if kind == 3:
        return (f'{{"type":"assistant","message":{{"content":[{{"type":"text","text":"Updated {module}: '
                f'the cache now keys on the request path ({number} lines checked)."}}]}}}}')
    if kind == 4:
        return f"2026-01-12T10:{number % 60:02d}:{number % 59:02d}.{number % 1000:03d}Z INFO worker-{number % 8} finished job {number} in {rng.randrange(900)} ms"
    return f"  File \"{module}\", line {rng.randrange(1, 900)}, in handle_request_{number % 13}"


def output_lines(count: int, *, seed: int = 6) -> list[str]:
    """`count` lines of mixed output, every `SECRET_EVERY`-th holding a secret."""
    rng = random.Random(seed)
    return [secret_line(rng) if i % SECRET_EVERY == SECRET_EVERY - 1 else plain_line(rng, i)
            for i in range(count)]


def output_text(size: int, *, seed: int = 6) -> str:
    """About `size` characters of newline-terminated output lines (never fewer than one line)."""
    lines: list[str] = []
    total = 0
    rng = random.Random(seed)
    number = 0
    while total < size or not lines:
        line = secret_line(rng) if number % SECRET_EVERY == SECRET_EVERY - 1 else plain_line(rng, number)
        lines.append(line)
        total += len(line) + 1
        number += 1
    return "\n".join(lines) + "\n"


def secrets_in(count: int) -> int:
    """How many secret lines `output_lines(count)` holds (a floor on the markers masking must leave)."""
    return count // SECRET_EVERY


def long_line(rng: random.Random, chars: int) -> str:
    """One line of about `chars` characters made of ordinary output joined by ` | `."""
    parts: list[str] = []
    total = 0
    number = 0
    while total < chars:
        part = plain_line(rng, number)
        parts.append(part)
        total += len(part) + 3
        number += 1
    return " | ".join(parts)[:chars]
