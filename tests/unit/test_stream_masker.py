"""StreamMasker: whole-line masking of streamed output, held key blocks, over-long lines."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runner.logs import masking
from runner.logs.masking import MASKING_ERROR, StreamMasker, mask_text, reset_env_secrets
from runner.logs.masking import engine as mask_engine
from runner.logs.masking.stream import mask_in_windows
from tests.helpers.cpu_time import best_cpu_time
from tests.helpers.secret_samples import MAKERS, body, leaked

OPENAI = "sk-proj-" + "Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lM"
KEY_BLOCK = ("-----BEGIN OPENSSH PRIVATE KEY-----\n"
             "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2\n"
             "QyNTUxOQAAACDZq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lMnBvCxZ1aAAAAJgAAAAAAA\n"
             "-----END OPENSSH PRIVATE KEY-----")
ALL_MAKERS = [maker for makers in MAKERS.values() for maker in makers]


pytestmark = pytest.mark.usefixtures("no_env_secrets")


def stream(text: str, cuts: list[int], masker: StreamMasker | None = None) -> list[str]:
    masker = masker or StreamMasker()
    out: list[str] = []
    edges = [0, *sorted(c % (len(text) + 1) for c in cuts), len(text)]
    for start, end in zip(edges, edges[1:], strict=False):
        out += masker.feed(text[start:end])
    return out + masker.flush()


def test_complete_lines_come_back_masked_without_newlines() -> None:
    """feed returns only complete lines; the rest waits for its newline or for flush."""
    masker = StreamMasker()
    assert masker.feed(f"one {OPENAI}\ntw") == ["one [MASKED:OPENAI_KEY]"]
    assert masker.feed("o\n\nthree") == ["two", ""]
    assert masker.flush() == ["three"]
    assert masker.flush() == []


def test_a_secret_split_across_feeds_at_every_point_is_masked() -> None:
    """Whatever byte a read ends on, the secret comes out masked, never in pieces."""
    text = f"token line {OPENAI} end\nCookie: a=1; b=Zq8xW2vR5tY7uI9o\n"
    for cut in range(len(text) + 1):
        assert stream(text, [cut]) == ["token line [MASKED:OPENAI_KEY] end", "[MASKED:COOKIE]"], cut


def test_an_env_secret_split_across_feeds_is_masked() -> None:
    """An exact env value written in two halves is still replaced by its marker."""
    reset_env_secrets({"DEPLOY_TOKEN": "env-value-Zq8xW2vR5t"})
    for cut in range(1, 30):
        assert stream("x env-value-Zq8xW2vR5t y\n", [cut]) == ["x [MASKED:ENV_DEPLOY_TOKEN] y"]


def test_a_private_key_block_is_held_until_its_footer() -> None:
    """Nothing of a key block is returned before its footer; then it is one masked line."""
    masker = StreamMasker()
    header, *body_lines, footer = KEY_BLOCK.split("\n")
    assert masker.feed("before\nkey: " + header + "\n") == ["before"]
    for line in body_lines:
        assert masker.feed(line + "\n") == []
    assert masker.feed(footer + " after\nnext\n") == ["key: [MASKED:PRIVATE_KEY] after", "next"]


def test_a_header_split_across_reads_still_starts_a_held_block() -> None:
    """`-----BEG` in one read and `IN ... PRIVATE KEY-----` in the next is still a key header."""
    masker = StreamMasker()
    reads = ["ok\nkey: -----BEG", "IN RSA PRIVATE KEY-----\nMIIEsecretKeyBody0123\n", "MIIEmoreKeyBody4567\n"]
    out = [line for read in reads for line in masker.feed(read)] + masker.flush()
    assert out == ["ok", "key: [MASKED:PRIVATE_KEY]"]


def test_a_held_block_past_the_line_cap_is_hidden_until_its_footer() -> None:
    """Past the cap the block is returned masked and further key lines are dropped until the footer."""
    masker = StreamMasker(hold_lines=5)
    lines = [body(random.Random(i), 64) for i in range(20)]
    text = "ok\n-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----\ndone\n"
    out = stream(text, [17, 300, 901], masker)
    assert out == ["ok", "[MASKED:PRIVATE_KEY]", "done"]


def test_a_held_block_past_the_size_cap_is_released_masked() -> None:
    """The character cap works like the line cap, also when one key line is huge."""
    masker = StreamMasker(line_limit=1024, window=256, hold_chars=2048)
    huge = body(random.Random(1), 5000)
    text = "-----BEGIN PRIVATE KEY-----\n" + huge + "\n-----END PRIVATE KEY-----\nvisible\n"
    out = stream(text, list(range(0, len(text), 97)), masker)
    assert out == ["[MASKED:PRIVATE_KEY]", "visible"]
    assert not leaked(huge, "\n".join(out))


def test_an_unterminated_block_is_masked_to_the_end_of_the_stream() -> None:
    """A header with no footer before the end hides everything after it."""
    assert stream("a\nb -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBk\nmore", [9]) == ["a", "b [MASKED:PRIVATE_KEY]"]


def test_a_footer_split_across_feeds_ends_suppression() -> None:
    """While dropping key lines, a footer split across two reads is still recognised."""
    text = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(["QUJD" * 16] * 8) + "\n-----END PRIVATE KEY-----\nback\n"
    footer_at = text.index("-----END") + 7
    assert stream(text, [footer_at], StreamMasker(hold_lines=3)) == ["[MASKED:PRIVATE_KEY]", "back"]


def test_an_over_long_line_comes_back_in_pieces() -> None:
    """A line past the limit is returned in pieces no longer than the limit, content intact."""
    masker = StreamMasker(line_limit=1000, window=200)
    line = "".join(f"word{i} " for i in range(2000))
    out = stream(line, list(range(0, len(line), 333)), masker)
    assert len(out) > 5 and all(len(piece) <= 1000 for piece in out)
    assert "".join(out) == line


@pytest.mark.parametrize("offset", [-150, -40, -5, 0, 5, 40, 150])
def test_a_secret_straddling_a_cut_is_masked(offset: int) -> None:
    """A secret placed around where a piece would be cut is masked whole in exactly one piece."""
    masker = StreamMasker(line_limit=1000, window=200)
    start = 800 + offset
    line = "x" * start + " " + OPENAI + " " + "y" * 3000
    out = stream(line, [1001, 1400, 2300], masker)
    joined = "".join(out)
    assert joined.count("[MASKED:OPENAI_KEY]") == 1 and not leaked(OPENAI[8:], joined)
    assert joined.replace("[MASKED:OPENAI_KEY]", OPENAI) == line


def test_a_cut_never_separates_a_secret_from_the_context_its_rule_needs() -> None:
    """A URL password (found only after `://`) or a token right after `\\n` is masked wherever the cut falls."""
    for secret_text, secret in (("https://deploy:Zq8xW2vR5tY7uI9o@example.com/x", "Zq8xW2vR5tY7uI9o"),
                                ("\\nghp_Zq8xW2vR5tY7uI9oP1aS3dF6gH4jK0lM", "Zq8xW2vR5tY7uI9oP1aS3dF6")):
        for offset in range(780, 860):
            masker = StreamMasker(line_limit=1000, window=200)
            line = "x" * offset + " " + secret_text + " " + "y" * 2000
            out = stream(line, [1001, 1500], masker)
            assert not leaked(secret, "\n".join(out)), (secret_text, offset)


def test_a_secret_filling_the_whole_buffer_drops_the_rest_of_its_line() -> None:
    """A token longer than the buffer is masked and the rest of that line is dropped, not leaked."""
    masker = StreamMasker(line_limit=1000, window=200)
    token = "sk-" + body(random.Random(3), 5000)
    out = stream(f"pre {token} tail\nnext line\n", list(range(0, 6000, 256)), masker)
    assert out[0].startswith("pre ") and "[MASKED:OPENAI_KEY]" in "".join(out) and out[-1] == "next line"
    assert " tail" not in "".join(out)  # the rest of the line went with the secret
    assert not leaked(token[3:], "\n".join(out))


def test_blank_lines_and_carriage_returns_are_kept() -> None:
    """Empty lines stay as empty strings and a CR before the newline stays in its line."""
    assert stream("a\r\n\r\n\nb", [2]) == ["a\r", "\r", "", "b"]


def test_an_internal_error_yields_the_masking_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """If masking breaks mid-stream, the secret is replaced by MASKING_ERROR and never shown."""
    class Broken:
        def scan(self, *_: object) -> None:
            raise RuntimeError("boom")
    monkeypatch.setattr(mask_engine, "prefilter", Broken)
    masker = StreamMasker(line_limit=1000, window=200)
    out = masker.feed(f"{OPENAI}\n" + "z" * 1500) + masker.flush()  # the line-by-line path
    out += masker.feed(f"a\n{OPENAI}\nb") + masker.flush()  # the one-pass path for short lines
    assert len(out) >= 4 and all(line == MASKING_ERROR for line in out)


def test_window_must_fit_the_line_limit() -> None:
    """A carry-over window larger than half the line limit is refused."""
    with pytest.raises(ValueError):
        StreamMasker(line_limit=1000, window=600)


def test_very_large_text_is_masked_in_windows_with_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above the size backstop mask_text goes through the stream masker and gives the same text."""
    rng = random.Random(5)
    lines = []
    for i in range(3000):
        maker = ALL_MAKERS[i % len(ALL_MAKERS)]
        lines.append(f"line {i} {maker(rng)[0] if i % 7 == 0 else body(rng, 40)} end")
    text = "\n".join(lines)
    monkeypatch.setattr(masking, "WINDOWED_ABOVE", 10_000)
    assert mask_text(text) == mask_in_windows(text) == mask_engine.mask_text(text)


def test_stream_masking_time_grows_linearly_on_a_huge_line() -> None:
    """Cutting one adversarial over-long line into pieces stays linear (ratio under 30 for 10x input)."""
    def feed_all(text: str) -> None:
        masker = StreamMasker()
        for i in range(0, len(text), 65536):
            masker.feed(text[i:i + 65536])
        masker.flush()

    def run(text: str) -> float:
        return best_cpu_time(lambda: feed_all(text))

    for unit in ("token=", "a=", "Cookie: "):
        small, large = unit * (100_000 // len(unit)), unit * (1_000_000 // len(unit))
        assert run(large) / run(small) < 30, unit


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_MAKERS), st.integers(0, 2**32),
       st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
       st.lists(st.integers(0, 10_000), max_size=5), st.booleans())
def test_a_secret_split_at_random_points_never_survives(maker: Any, seed: int, noise: str,
                                                         cuts: list[int], long_line: bool) -> None:
    """Any rule's secret fed in random chunks, in a short or an over-long line, never survives."""
    rng = random.Random(seed)
    text, secret = maker(rng)
    padding = body(rng, rng.randint(200, 700)) + " " if long_line else ""
    full = f"{noise}\n{padding}{text} {padding}{noise}\n{noise}"
    masker = StreamMasker(line_limit=512, window=160) if long_line else StreamMasker()
    assert not leaked(secret, "\n".join(stream(full, cuts, masker)))


LINE_NOISE = ["", "plain words here", '  File "app.py", line 3, in run', "token: |", "password:",
              "xoxb-", "'\"'\"'", "{\\u0022a\\u0022: 1}"]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(ALL_MAKERS), st.integers(0, 2**32)), min_size=1, max_size=6),
       st.lists(st.sampled_from(LINE_NOISE), min_size=7, max_size=7), st.sampled_from(["\n", " ", "\n\n", " | "]))
def test_mask_lines_gives_each_line_what_masking_the_whole_text_gives_it(made: Any, noise: list[str], sep: str) -> None:
    """Rebuilding only the lines a secret touches gives, line for line, the whole text masked at once
    (and `mask_block`, which leaves text without candidates unsplit, gives those lines joined)."""
    parts = [noise[0]]
    for i, (maker, seed) in enumerate(made):
        parts += [sep, maker(random.Random(seed))[0], "\n" if i % 2 else sep, noise[i + 1]]
    text = "".join(parts)
    whole = mask_text(text)
    if "[MASKED:PRIVATE_KEY]" in whole:
        return  # a key block is one marker for all its lines in mask_text; the stream holds it
    assert mask_engine.mask_lines(text) == whole.split("\n")
    assert mask_engine.mask_block(text) == whole


@pytest.mark.parametrize("opener", ["deploy_token: |", "  API_KEY: >-  ", "<apiToken>", "'password' :\t|+"])
def test_a_value_read_after_its_opener_line_is_masked(opener: str) -> None:
    """A value whose name ended the previous read (`token: |`) is masked when its own line comes later."""
    masker = StreamMasker()
    first = masker.feed(opener + "\n")
    value = masker.feed("  " + OPENAI + "\n") + masker.flush()
    assert first == [opener]
    assert OPENAI[8:] not in "".join(value) and "[MASKED:" in "".join(value)


_OPENER_PIECES = ["token", "TOKEN", "apiKey", "api-key", "passwd", "credentials", "secret", "Secret_x",
                  "a", "aaaa", "_", ".", "-", "+", "|", ">", "<", ":", '"', "'", " ", "\t", "\r",
                  "\u0130", "\u212a", "é", "key", "pass", "word", "access", "private"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_OPENER_PIECES), max_size=12))
def test_the_quick_opener_check_agrees_with_the_opener_pattern(pieces: list[str]) -> None:
    """opens_value's cheap pre-checks never change the answer of the `%OPENER%` regex they stand before."""
    line = "".join(pieces)
    assert mask_engine.opens_value(line) is (mask_engine.opener_pattern().search(line) is not None)


@pytest.mark.parametrize("text", [
    "BUNDLE_ENTERPRISE__CONTRIBSYS__COM=3283fafc:90cd0a87",  # the variable name is what marks it
    "deploy_token: |\n  3K2ZWSqhFWdEPyY5gFb5AyBMWaaSCr0Z",  # the opener ends one over-long line
])
def test_a_secret_near_the_cut_of_an_over_long_line_keeps_its_context(text: str) -> None:
    """Found by the property test: a cut at a secret's start, or a value line cut into pieces,
    handed the next piece a bare value that no rule recognises."""
    rng = random.Random(1)
    secret = text.rsplit("=", 1)[-1].rsplit(" ", 1)[-1].split(":")[0]
    for size in range(200, 700, 37):
        padding = body(rng, size) + " "
        out = stream(f"\n{padding}{text} {padding}\n", [], StreamMasker(line_limit=512, window=160))
        assert not leaked(secret, "\n".join(out)), size
