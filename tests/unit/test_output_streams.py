"""Output channels and budgets without a child: decoding across chunk borders and the two caps."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.executors.streams import MAX_EVENT_CHARS, MENU_LINES, OutputBudget, OutputChannel
from runner.logs.models import EventType
from tests.helpers.recording_sink import RecordingSink
from tests.helpers.secret_samples import MAKERS, leaked

ALL_MAKERS = [maker for makers in MAKERS.values() for maker in makers]


def test_multibyte_character_split_across_reads_survives() -> None:
    """A UTF-8 character cut between two reads is decoded whole, not replaced."""
    sink = RecordingSink()
    channel = OutputChannel("stdout", OutputBudget(sink), emit_events=True, scan_prompts=True)
    encoded = "日本語\n".encode()
    channel.feed(encoded[:4])
    channel.feed(encoded[4:])
    channel.finish()
    assert sink.raw == [("stdout", "日本語")]


def test_raw_log_cap_keeps_a_note() -> None:
    """Past the raw-byte cap lines are dropped and one note says how many bytes were not kept."""
    sink = RecordingSink()
    budget = OutputBudget(sink, max_events=2, max_raw_bytes=50)
    channel = OutputChannel("stdout", budget, emit_events=True, scan_prompts=False)
    channel.feed(b"".join(b"line %d\n" % i for i in range(20)))
    channel.finish()
    budget.close()
    kept = [line for stream, line in sink.raw if stream == "stdout"]
    assert kept == [f"line {i}" for i in range(len(kept))] and 0 < len(kept) < 20
    assert sink.raw[-1][0] == "runner" and "more bytes were not kept" in sink.raw[-1][1]
    outputs = sink.of_type(EventType.EXECUTOR_OUTPUT)
    assert len(outputs) == 3 and outputs[-1]["dropped_lines"] == 18


def test_trailing_line_without_newline_is_kept_and_scanned() -> None:
    """The unterminated last line is the stream's waiting prompt while it lasts, and is logged at end of stream."""
    sink = RecordingSink()
    channel = OutputChannel("stderr", OutputBudget(sink), emit_events=False, scan_prompts=True)
    channel.feed(b"Continue? [Y/n] ")
    assert channel.partial_line() == "Continue? [Y/n] "
    assert channel.waiting_prompt() == "Continue? [Y/n]"
    channel.finish()
    assert channel.trailing_partial == "Continue? [Y/n] "
    assert sink.raw == [("stderr", "Continue? [Y/n] ")]


def test_a_prompt_followed_by_a_menu_is_still_waiting_but_not_after_more_output() -> None:
    """A `? ` line stays the waiting prompt for up to MENU_LINES lines after it; more lines end it."""
    channel = OutputChannel("stdout", OutputBudget(RecordingSink()), emit_events=False, scan_prompts=True)
    channel.feed(b"? Pick a template\n" + b"".join(b"  %d) option\n" % i for i in range(MENU_LINES)))
    assert channel.waiting_prompt() == "? Pick a template"
    channel.feed(b"compiling...\n")
    assert channel.waiting_prompt() is None


def test_an_over_long_line_is_one_event_and_every_byte_reaches_the_raw_log() -> None:
    """A 10 MB line arriving in 64 KiB reads is one output event (cut, marked) and one counted line;
    the raw log still receives all of it, in pieces."""
    sink = RecordingSink()
    channel = OutputChannel("stdout", OutputBudget(sink), emit_events=True, scan_prompts=True)
    block = b"a" * 65_536
    for _ in range(160):
        channel.feed(block)
    channel.feed(b"\nnext\n")
    channel.finish()
    lines = [event["line"] for event in sink.of_type(EventType.EXECUTOR_OUTPUT)]
    assert len(lines) == 2 and lines[1] == "next"
    assert lines[0] == "a" * MAX_EVENT_CHARS + "[TRUNCATED]"
    assert channel.line_count == 2
    assert sum(len(text) for stream, text in sink.raw if stream == "stdout") == 160 * 65_536 + len("next")


class CountingSink(RecordingSink):
    """A RecordingSink that also counts the raw-log writes it was asked for."""

    writes = 0

    def raw_line(self, stream: str, line: str) -> None:
        self.writes += 1
        super().raw_line(stream, line)

    def raw_block(self, stream: str, block: str) -> None:
        self.writes += 1
        super().raw_block(stream, block)


SAMPLE = ([f"line {i} with ? and (y/n) inside" for i in range(300)] + ["? Pick a template"]
          + [f"  {i}) option" for i in range(MENU_LINES)] + ["Error: Input is not a terminal (fd=0)", "done"])


def _fed(chunks: list[bytes]) -> tuple[CountingSink, OutputChannel]:
    sink = CountingSink()
    channel = OutputChannel("stdout", OutputBudget(sink, max_events=120), emit_events=True, scan_prompts=True)
    for chunk in chunks:
        channel.feed(chunk)
    return sink, channel


def _state(sink: CountingSink, channel: OutputChannel) -> tuple[object, ...]:
    return (sink.raw, sink.events, list(channel.tail), channel.line_count, channel.waiting_prompt(),
            channel.stdin_message)


def test_many_lines_in_one_read_are_handled_like_one_line_per_read() -> None:
    """Lines arriving together are logged, evented, tailed and watched for prompts and stdin complaints
    exactly as when each arrives alone, with one raw-log write per read instead of one per line."""
    lines = [line.encode() + b"\n" for line in SAMPLE]
    one_by_one = _fed(lines)
    together = _fed([b"".join(lines)])
    assert _state(*together) == _state(*one_by_one)
    assert together[1].stdin_message == "Error: Input is not a terminal (fd=0)"
    assert together[0].writes == 1 and one_by_one[0].writes == len(lines)
    prompt_then_more = _fed([b"".join(lines[:301]) + b"".join(b"more %d\n" % i for i in range(MENU_LINES + 1))])
    assert prompt_then_more[1].waiting_prompt() is None


def test_nothing_is_kept_after_the_first_line_past_the_raw_cap() -> None:
    """Once a line did not fit under the raw-byte cap, later (even short) lines are only counted: no holes."""
    sink = RecordingSink()
    budget = OutputBudget(sink, max_raw_bytes=40)
    channel = OutputChannel("stdout", budget, emit_events=False, scan_prompts=False)
    channel.feed(b"short\n" + b"x" * 40 + b"\nok\n")
    channel.finish()
    assert [line for stream, line in sink.raw if stream == "stdout"] == ["short"]
    assert budget.raw_bytes_dropped == len("[stdout] " + "x" * 40 + "\n") + len("[stdout] ok\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_MAKERS), st.integers(0, 2**32)), min_size=1, max_size=4),
       st.lists(st.integers(0, 200_000), max_size=12), st.integers(20, 400))
def test_reads_cut_anywhere_give_what_one_line_per_read_gives(made: Any, cuts: list[int], filler: int) -> None:
    """Output of many short lines with secrets, cut into reads at any points (inside a secret, a line, a
    UTF-8 character), reaches the raw log, the events, the tail and the prompt watch exactly as when each
    line arrives alone: no line lost, reordered or split, no secret left, the same prompt found."""
    rng = random.Random(len(made) + filler)
    lines = [f"{n:06d} processed item é{rng.random():.6f}" for n in range(filler)]
    secrets = []
    for maker, seed in made:
        text, secret = maker(random.Random(seed))
        if "\n" not in text:
            lines.insert(rng.randrange(len(lines) + 1), f"value {text} end")
            secrets.append(secret)
    lines += ["? Pick a template", "  1) option"]
    data = "".join(line + "\n" for line in lines).encode()
    edges = [0, *sorted(cut % (len(data) + 1) for cut in cuts), len(data)]
    cut_up = _fed([data[start:end] for start, end in zip(edges, edges[1:], strict=False)])
    one_by_one = _fed([line.encode() + b"\n" for line in lines])
    assert _state(*cut_up) == _state(*one_by_one)
    raw = "\n".join(line for _stream, line in cut_up[0].raw)
    assert len(cut_up[0].raw) == len(lines) and not any(leaked(secret, raw) for secret in secrets)
    assert cut_up[1].waiting_prompt() == "? Pick a template"
