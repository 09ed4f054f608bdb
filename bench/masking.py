"""`masking`: MB/s on realistic executor output with secrets, and growth on adversarial input.

Realistic text is masked two ways: `mask_text` in one call (prompts, event content) and
`StreamMasker` fed 64 KiB chunks (what executors do with a child's output). The floor is one
pass of one table-style regex with no literal prefix over the same text: the least a regex
masker must spend. Adversarial inputs are timed at a small and a 100× larger size; linear
time would grow 100×, and the target allows 120×.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable

from bench.harness import Figure, Target, figure, paired, repeat
from bench.sample_data import output_text
from runner.logs.masking import StreamMasker, mask_text

NAME = "masking"
REALISTIC_MIN_MB_S = 30
GROWTH_ALLOWANCE = 1.2  # 120× for 100× the size
CHUNK = 65_536
_FLOOR_RULE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{20,}+", re.ASCII)


def stream_mask(text: str) -> list[str]:
    masker = StreamMasker()
    out: list[str] = []
    for start in range(0, len(text), CHUNK):
        out.extend(masker.feed(text[start:start + CHUNK]))
    out.extend(masker.flush())
    return out


def one_regex_pass(text: str) -> int:
    return sum(1 for _ in _FLOOR_RULE.finditer(text))


def _repeat_to(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "one line, no newline": lambda n: _repeat_to("abcdefghij", n),
    "unclosed key headers": lambda n: _repeat_to("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n", n),
    "credential words, no values": lambda n: _repeat_to("password token secret api_key ", n),
    "unterminated quoted values": lambda n: _repeat_to('"token": "\\"\\"\\"\\"', n),
    "URL user:password, no @": lambda n: _repeat_to("https://user:" + "p" * 200 + " ", n),
    "env names, no values": lambda n: _repeat_to("DEPLOY_API_TOKEN DB_PASSWORD ", n),
}
# Fail closed: an unclosed private-key header hides the rest of the text, so mask_text stops early there.
FAMILY_NOTES = {"unclosed key headers": "everything after the first header is masked whole"}
MASKERS: dict[str, Callable[[str], object]] = {"mask_text": mask_text, "stream": stream_mask}


def _realistic(size: int, runs: int) -> list[Figure]:
    text = output_text(size)
    megabytes = len(text.encode()) / 1e6
    masked = mask_text(text)
    if masked.count("[MASKED:") < text.count("\n") // 60 or "sk-proj-" in masked:
        raise RuntimeError("realistic text was not masked as expected")
    return [_realistic_figure(label, masker, text, megabytes, runs) for label, masker in MASKERS.items()]


def _realistic_figure(label: str, masker: Callable[[str], object], text: str, megabytes: float,
                      runs: int) -> Figure:
    samples, floors = paired(lambda: masker(text), lambda: one_regex_pass(text), runs)
    return figure(NAME, f"realistic output, {label}", "MB/s", [megabytes / s for s in samples],
                  [megabytes / f for f in floors], "one pass of one table-style regex (no literal prefix)",
                  target=Target(REALISTIC_MIN_MB_S, at_most=False), higher_is_better=True,
                  note=f"{megabytes:.1f} MB, a secret every 50 lines")


def _growth(family: str, label: str, small: int, large: int, runs: int) -> Figure:
    masker = MASKERS[label]
    small_text, large_text = ADVERSARIAL[family](small), ADVERSARIAL[family](large)
    small_median = statistics.median(repeat(lambda: masker(small_text), max(5, runs * 5)))
    large_times = repeat(lambda: masker(large_text), runs)
    size_ratio = large / small
    growth = [t / small_median for t in large_times]
    rate = large / 1e6 / statistics.median(large_times)
    return figure(NAME, f"adversarial, {label}: {family}", "× time", growth, [size_ratio],
                  f"linear growth ({size_ratio:g}× the size)",
                  target=Target(GROWTH_ALLOWANCE * size_ratio),
                  note=f"{small // 1000} KB → {large // 1000} KB; {rate:.1f} MB/s at {large // 1000} KB"
                  + (f"; {FAMILY_NOTES[family]}" if family in FAMILY_NOTES else ""))


def run(quick: bool) -> list[Figure]:
    size, runs, small, large = (200_000, 2, 10_000, 100_000) if quick else (1_000_000, 5, 10_000, 1_000_000)
    figures = _realistic(size, runs)
    for family in ADVERSARIAL:
        for label in MASKERS:
            figures.append(_growth(family, label, small, large, 2 if quick else 3))
    return figures
