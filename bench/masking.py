"""`masking`: MB/s on realistic executor output with secrets, and growth on adversarial input.

Realistic text is masked three ways: `mask_text` in one call (prompts, event content), the
same with each slower prefilter installed here (`PM_RUNNER_MASKING_ENGINE=ahocorasick` or
`python`: what platforms without Hyperscan wheels get), and `StreamMasker` fed 64 KiB chunks: "stream" through `feed`
(a list of lines, what the raw log takes), "stream, feed_text" through `feed_text` (what executors do with a
child's output: a read of whole lines comes back as one string, no object per line); plus three texts with no secrets (log lines, Python source full of
credential words, the log lines behind box drawing and emoji). The floor is one `re.finditer` pass of one table-style regex with no
literal prefix over the same text, in the same run: the least any regex masker spends.
Adversarial inputs are timed at a small and a 100× larger size, interleaved and in thread CPU
time (see `_growth`); linear time would grow 100×, and the target allows 120×.
"""

from __future__ import annotations

import gc
import os
import random
import re
import statistics
import string
import sysconfig
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.harness import Figure, Target, figure, paired
from bench.sample_data import output_text
from runner.logs.masking import StreamMasker, engine, mask_text
from runner.logs.masking.prefilter import available_engines

NAME = "masking"
REALISTIC_MIN_MB_S = 100  # issue 10: at most 10 ms per MB of realistic output
GROWTH_ALLOWANCE = 1.2  # 120× for 100× the size
CHUNK = 65_536
_FLOOR_RULE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{20,}+", re.ASCII)
FLOOR_LABEL = "one re.finditer pass of one table-style regex (no literal prefix) over the same text"


def stream_mask(text: str) -> int:
    """`feed` per read as the raw log uses it: each read's list of lines is taken and let go (the raw
    log writes them and keeps none); the number of lines comes back. Keeping every line of the
    megabyte until the end, as this did before, timed holding ~11,000 line objects (fresh memory
    pages, then freeing them all: ~10 % of the figure) that no caller of `feed` holds."""
    masker = StreamMasker()
    lines = 0
    for start in range(0, len(text), CHUNK):
        lines += len(masker.feed(text[start:start + CHUNK]))
    return lines + len(masker.flush())


def stream_text(text: str) -> list[object]:
    """The stream masker as executors use it: `feed_text` per read, one string per read of whole lines."""
    masker = StreamMasker()
    out: list[object] = [masker.feed_text(text[start:start + CHUNK]) for start in range(0, len(text), CHUNK)]
    out.append(masker.flush_pieces())
    return out


def one_regex_pass(text: str) -> int:
    return sum(1 for _ in _FLOOR_RULE.finditer(text))


@contextmanager
def prefilter_engine(name: str) -> Iterator[None]:
    """The named prefilter engine for the duration (what platforms without Hyperscan get)."""
    before = os.environ.get(engine.ENGINE_ENV)
    os.environ[engine.ENGINE_ENV] = name
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(engine.ENGINE_ENV, None)
        else:
            os.environ[engine.ENGINE_ENV] = before


def _repeat_to(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


_LONG_LINE_TOKEN = "ghp_" + "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=36))
_LONG_LINE_UNIT = (f"Using token {_LONG_LINE_TOKEN} for the GitHub API | npm WARN deprecated "
                   "left-pad@1.3.0: use String.prototype.padStart | 2026-01-12T10:00:00.000Z INFO worker-3 finished "
                   "job 17 in 250 ms | ")
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "one line, no newline": lambda n: _repeat_to("abcdefghij", n),
    "unclosed key headers": lambda n: _repeat_to("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n", n),
    "credential words, no values": lambda n: _repeat_to("password token secret api_key ", n),
    "credential names, one line": lambda n: _repeat_to("token= api_key: X_TOKEN= --password ", n),
    "unterminated quoted values": lambda n: _repeat_to('"token": "\\"\\"\\"\\"', n),
    "URL user:password, no @": lambda n: _repeat_to("https://user:" + "p" * 200 + " ", n),
    "env names, no values": lambda n: _repeat_to("DEPLOY_API_TOKEN DB_PASSWORD ", n),
    "token prefixes, no bodies": lambda n: _repeat_to("ghp_ sk- glpat- xoxb- AKIA hvs. pypi-AgE ", n),
    "escapes before prefixes": lambda n: _repeat_to("\\nsk-\\u0041eyJ%0Aghp_", n),
    "shell quoting and unicode escapes": lambda n: _repeat_to("'\"'\"'password\\u0041", n),
    "100-column lines of one letter": lambda n: _repeat_to("a" * 99 + "\n", n),
    # A line longer than the stream's 64 KiB limit with a secret every ~200 characters: the stream
    # cuts it into pieces between secrets (213× in thread CPU before each piece was masked in one pass, not three).
    "secrets on one long line": lambda n: _repeat_to(_LONG_LINE_UNIT, n),
}
# Fail closed: an unclosed private-key header hides the rest of the text, so mask_text stops early there.
FAMILY_NOTES = {"unclosed key headers": "everything after the first header is masked whole"}
MASKERS: dict[str, Callable[[str], object]] = {"mask_text": mask_text, "stream": stream_mask}


def _samples(size: int) -> dict[str, tuple[str, str]]:
    """(text, note) per realistic sample, each about `size` characters."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    source = "".join(path.read_text(errors="replace") for path in sorted(stdlib.glob("*.py")))
    logs = "\n".join(line for line in output_text(size * 2).splitlines() if "[MASKED" not in line
                     and not any(word in line for word in ("export", "Bearer", "AKIA", "remote:", "password",
                                                           "ghp_", "DATABASE_URL")))
    return {
        "realistic output": (output_text(size), "a secret every 50 lines (bench/sample_data.py)"),
        "log lines, no secrets": (logs[:size], "the sample's ordinary lines"),
        "Python source, no secrets": (source[:size], "the standard library, full of credential words"),
        "wide characters, no secrets": (_wide(logs)[:size], "the ordinary lines behind box drawing and emoji"),
    }


def _wide(lines: str) -> str:
    """Each line behind `─── ✓ ` or `🚀 `: text no longer Latin-1 (progress bars, status marks)."""
    return "\n".join(("\u2500\u2500\u2500 \u2713 " if i % 2 else "\U0001f680 ") + line
                     for i, line in enumerate(lines.splitlines()))


def _realistic(size: int, runs: int, quick: bool) -> list[Figure]:
    figures = []
    samples = _samples(size)
    for sample, (text, note) in (list(samples.items())[:1] if quick else samples.items()):
        megabytes = len(text.encode()) / 1e6
        if sample == "realistic output":
            masked = mask_text(text)
            if masked.count("[MASKED:") < text.count("\n") // 60 or "sk-proj-" in masked:
                raise RuntimeError("realistic text was not masked as expected")
            slower = [] if quick else [name for name in available_engines() if name != engine.prefilter().name]
            labels = ["mask_text", *(f"mask_text, {name} prefilter" for name in slower), "stream", "stream, feed_text"]
        else:
            labels = ["mask_text"]
        for label in labels:
            figures.append(_rate(sample, label, text, megabytes, runs, note))
    return figures


def _rate(sample: str, label: str, text: str, megabytes: float, runs: int, note: str) -> Figure:
    masker = {"stream": stream_mask, "stream, feed_text": stream_text}.get(label, mask_text)
    target: Target | None = Target(REALISTIC_MIN_MB_S, at_most=False)
    used = engine.prefilter().name
    if label.endswith(" prefilter"):
        with prefilter_engine(label.split(", ")[1].split()[0]):
            used = engine.prefilter().name  # built (or loaded) before timing
            samples, floors = paired(lambda: masker(text), lambda: one_regex_pass(text), runs)
        target = None  # informative: the target is for the default engine
    else:
        samples, floors = paired(lambda: masker(text), lambda: one_regex_pass(text), runs)
    return figure(NAME, f"{sample}, {label}", "MB/s", [megabytes / s for s in samples],
                  [megabytes / f for f in floors], FLOOR_LABEL, target=target, higher_is_better=True,
                  note=f"{megabytes:.1f} MB, {note}; prefilter: {used}")


def cpu_timed(action: Callable[[], object]) -> float:
    """CPU seconds of this thread for one call (after a collection, as `harness.timed`): time spent
    waiting while other processes of a shared machine run is not billed to the masker."""
    gc.collect()
    started = time.thread_time()
    action()
    return time.thread_time() - started


def _growth(family: str, label: str, small: int, large: int, runs: int) -> Figure:
    """Each run times the large text once and the small one five times around it, so both share
    that moment's load; the run's growth is the large time over the median small time. CPU time,
    not the wall clock: a large run outlasts a time slice and waits for the CPU in proportion to
    the load while a small one often does not, which made wall-clock growth read as the load."""
    masker = MASKERS[label]
    small_text, large_text = ADVERSARIAL[family](small), ADVERSARIAL[family](large)
    masker(small_text)  # warm-up
    growth: list[float] = []
    large_times: list[float] = []
    for _ in range(runs):
        before = [cpu_timed(lambda: masker(small_text)) for _ in range(3)]
        large_times.append(cpu_timed(lambda: masker(large_text)))
        after = [cpu_timed(lambda: masker(small_text)) for _ in range(2)]
        growth.append(large_times[-1] / statistics.median(before + after))
    size_ratio = large / small
    rate = large / 1e6 / statistics.median(large_times)
    return figure(NAME, f"adversarial, {label}: {family}", "× time", growth, [size_ratio],
                  f"linear growth ({size_ratio:g}× the size)",
                  target=Target(GROWTH_ALLOWANCE * size_ratio),
                  note=f"{small // 1000} KB → {large // 1000} KB, thread CPU time; {rate:.1f} MB/s (CPU) at "
                  f"{large // 1000} KB" + (f"; {FAMILY_NOTES[family]}" if family in FAMILY_NOTES else ""))


def run(quick: bool) -> list[Figure]:
    size, runs, small, large = (200_000, 2, 10_000, 100_000) if quick else (1_000_000, 5, 10_000, 1_000_000)
    engine.prefilter()  # the table and the prefilter are built (or loaded from the cache) before timing
    figures = _realistic(size, runs, quick)
    for family in ADVERSARIAL:  # a smoke run (--quick) times mask_text only
        for label in (["mask_text"] if quick else list(MASKERS)):
            figures.append(_growth(family, label, small, large, 2 if quick else 3))
    return figures
