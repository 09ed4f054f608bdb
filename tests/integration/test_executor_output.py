"""Hostile output from real children: binary bytes, a 2 MB line, floods, and secrets split across writes."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest

from runner.executors.base import ExecutorLimits, ExecutorResult, ExecutorStatus, ExecutorTask
from runner.executors.shell import ShellExecutor
from runner.executors.streams import MAX_EVENT_CHARS, MAX_OUTPUT_EVENTS
from runner.logs.masking import mask_text, reset_env_secrets
from runner.logs.models import BlockedReason, EventType
from tests.helpers.cli import run_pm
from tests.helpers.recording_sink import RecordingSink, group_gone

LIMITS = ExecutorLimits(executor_timeout_ms=20_000, progress_timeout_ms=5_000, kill_grace_ms=1_000)


def run_python(tmp_path: Path, script: str) -> tuple[ExecutorResult, RecordingSink]:
    path = tmp_path / "child.py"
    path.write_text(script)
    sink = RecordingSink()
    task = ExecutorTask(prompt=f"{sys.executable} {path}", project_root=tmp_path, limits=LIMITS)
    return ShellExecutor().run(task, sink), sink


def test_binary_output_is_replaced_not_fatal(tmp_path: Path) -> None:
    """Invalid UTF-8 and NUL bytes are decoded with replacement and every event still serialises."""
    script = ("import sys\nsys.stdout.buffer.write(b'ok \\xff\\xfe\\x00 \\xed\\xa0\\x80 end\\n'"
              " + bytes(range(256)) + b'\\n')\n")
    result, sink = run_python(tmp_path, script)
    assert result.status is ExecutorStatus.SUCCEEDED
    lines = [content["line"] for content in sink.of_type(EventType.EXECUTOR_OUTPUT)]
    assert lines[0].startswith("ok \ufffd\ufffd\x00 ")
    orjson.dumps([content for _kind, content in sink.events])  # rejects lone surrogates
    orjson.dumps(sink.raw)


def test_two_megabyte_line_neither_stalls_nor_bloats_events(tmp_path: Path) -> None:
    """A 2 MB line without a newline is raw-logged whole, cut in events, and a later prompt is still seen."""
    script = ("import sys, time\nsys.stdout.write('x' * 2_000_000)\nsys.stdout.flush()\n"
              "time.sleep(0.3)\nprint()\nprint('? Continue with the upload', flush=True)\ntime.sleep(30)\n")
    result, sink = run_python(tmp_path, script)
    assert result.blocked_reason is BlockedReason.INTERACTIVE_PROMPT
    assert sum(len(line) for _stream, line in sink.raw) >= 2_000_000
    for content in sink.of_type(EventType.EXECUTOR_OUTPUT):
        assert len(content["line"]) <= MAX_EVENT_CHARS + len("[TRUNCATED]")
    assert group_gone(sink.child_pid())


def test_flood_is_capped_in_events_but_kept_in_the_raw_log(tmp_path: Path) -> None:
    """Past the event cap, lines go only to the raw log and one event says how many."""
    result, sink = run_python(tmp_path, "for i in range(2000):\n    print(f'line {i}')\n")
    assert result.status is ExecutorStatus.SUCCEEDED
    outputs = sink.of_type(EventType.EXECUTOR_OUTPUT)
    assert len(outputs) == MAX_OUTPUT_EVENTS + 1
    assert outputs[-1]["dropped_lines"] == 2000 - MAX_OUTPUT_EVENTS
    assert [line for stream, line in sink.raw if stream == "stdout"] == [f"line {i}" for i in range(2000)]


def test_stdout_and_stderr_are_both_read(tmp_path: Path) -> None:
    """Interleaved stdout and stderr lines all arrive, each tagged with its stream."""
    script = "import sys\nfor i in range(50):\n    print(i, flush=True)\n    print(-i, file=sys.stderr, flush=True)\n"
    result, sink = run_python(tmp_path, script)
    assert result.status is ExecutorStatus.SUCCEEDED
    streams = {stream for stream, _line in sink.raw}
    assert streams == {"stdout", "stderr"}
    assert len(sink.raw) == 100


@pytest.fixture
def planted_token(monkeypatch: pytest.MonkeyPatch) -> str:
    """A sensitive environment variable the masker must hide by exact value."""
    value = "plantedvalue-7Hq2Lx9Vw3Kp8Zr4"
    monkeypatch.setenv("PM_TEST_SERVICE_TOKEN", value)
    reset_env_secrets()
    yield value
    monkeypatch.delenv("PM_TEST_SERVICE_TOKEN")
    reset_env_secrets()


def test_secret_split_across_writes_is_masked(tmp_path: Path, planted_token: str) -> None:
    """A token written in two halves with a pause between them never reaches an event or the raw log."""
    github = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    script = (
        "import sys, time\n"
        f"for secret in ({github!r}, {planted_token!r}):\n"
        "    half = len(secret) // 2\n"
        "    sys.stdout.write('token=' + secret[:half]); sys.stdout.flush(); time.sleep(0.3)\n"
        "    sys.stdout.write(secret[half:] + ' done\\n'); sys.stdout.flush()\n"
    )
    result, sink = run_python(tmp_path, script)
    assert result.status is ExecutorStatus.SUCCEEDED
    everything = orjson.dumps([sink.events, sink.raw, result.final_message]).decode()
    for secret in (github, planted_token):
        assert secret not in everything
        assert secret[: len(secret) // 2] not in everything
    assert "[MASKED" in everything


def test_the_echo_limit_counts_lines_not_pieces(tmp_path: Path) -> None:
    """One 10 MB line is one echoed line (cut), so the REPL's 200-line echo stays small and later lines show."""
    script = "head -c 10000000 /dev/zero | tr '\\0' a; echo; echo after-the-long-line\n"
    run = run_pm(["repl", "--executor", "shell"], stdin=script, cwd=tmp_path)
    assert "RESULT: COMPLETE" in run.stdout, run.transcript()[-2000:]
    assert "  | after-the-long-line" in run.lines
    assert len(run.stdout) < 20_000


def test_stdout_and_stderr_keep_the_order_they_were_read_in(tmp_path: Path) -> None:
    """Lines the child writes to stdout and stderr apart in time are echoed and logged in that order,
    one merged sequence (lines written within one read of the runner cannot be ordered: see spec)."""
    script = "for i in 1 2 3; do echo out$i; sleep 0.5; echo err$i >&2; sleep 0.5; done\n"
    run = run_pm(["repl", "--executor", "shell"], stdin=script, cwd=tmp_path)
    echoed = [line.removeprefix("  | ") for line in run.lines if line.startswith("  | ")]
    assert echoed == ["out1", "err1", "out2", "err2", "out3", "err3"], run.transcript()
    (raw,) = tmp_path.glob(".claude/logs/raw/*/task-001_*.log")
    assert raw.read_text().splitlines() == [
        "[stdout] out1", "[stderr] err1", "[stdout] out2", "[stderr] err2", "[stdout] out3", "[stderr] err3"]


def test_a_burst_on_both_streams_keeps_each_streams_order_in_one_merged_sequence(tmp_path: Path) -> None:
    """Lines written to stdout and stderr with nothing between them (one read of the runner may hold several
    of each: their relative order is not guaranteed, see spec) keep each stream's own order, each line is
    recorded once with its stream, and the events and the raw log hold the same merged sequence."""
    result, sink = run_python(tmp_path, "import os\nfor i in range(200):\n    os.write(1, b'o%d\\n' % i)\n"
                                        "    os.write(2, b'e%d\\n' % i)\n")
    assert result.status is ExecutorStatus.SUCCEEDED
    assert [line for stream, line in sink.raw if stream == "stdout"] == [f"o{i}" for i in range(200)]
    assert [line for stream, line in sink.raw if stream == "stderr"] == [f"e{i}" for i in range(200)]
    events = [(content["stream"], content["line"]) for content in sink.of_type(EventType.EXECUTOR_OUTPUT)]
    assert events == sink.raw


def test_one_stream_for_both_keeps_the_exact_order(tmp_path: Path) -> None:
    """A command that sends stderr into stdout (`2>&1`, what spec names for an exact order) is recorded
    line for line in the order it wrote, however fast it writes."""
    path = tmp_path / "child.py"
    path.write_text("import os\nfor i in range(200):\n    os.write(1, b'o%d\\n' % i)\n    os.write(2, b'e%d\\n' % i)\n")
    sink = RecordingSink()
    task = ExecutorTask(prompt=f"{sys.executable} {path} 2>&1", project_root=tmp_path, limits=LIMITS)
    assert ShellExecutor().run(task, sink).status is ExecutorStatus.SUCCEEDED
    assert sink.raw == [("stdout", f"{kind}{i}") for i in range(200) for kind in "oe"]


READ = 65_536  # the supervisor's read size: `cat` into a pipe mostly hands over reads that end at its multiples


def _numbered_lines_with_straddling_secrets(count: int, secret: str) -> tuple[list[str], int]:
    """`count` numbered 99-character lines; each line holding a multiple of READ gets `token=<secret>`
    placed over that offset when the line has room, so the secret is cut by the read boundary."""
    lines, offset, straddling = [], 0, 0
    assignment = "token=" + secret
    for number in range(count):
        line = f"{number:08d} " + "abcdefghij" * 9
        boundary = (offset // READ + 1) * READ
        if boundary < offset + len(line) + 1:
            column = boundary - offset  # where the read boundary falls in this line
            start = min(max(column - len(assignment) // 2, 9), len(line) - len(assignment))
            line = line[:start] + assignment + line[start + len(assignment):]
            straddling += start + len("token=") < column < start + len(assignment)
        lines.append(line)
        offset += len(line) + 1
    return lines, straddling


def test_every_byte_of_an_18_mb_output_reaches_the_raw_log_in_order_with_split_secrets_masked(tmp_path: Path) -> None:
    """18 MB of numbered lines `cat`ed through the REPL arrive in the raw log complete and in order
    (just under its 20 MiB cap with the stream prefixes), and a token cut by a read boundary is masked
    there exactly as masking its line alone masks it."""
    secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    lines, straddling = _numbered_lines_with_straddling_secrets(180_000, secret)
    assert straddling > 200
    output = tmp_path / "output.log"
    output.write_text("\n".join(lines) + "\n")
    run = run_pm(["repl", "--executor", "shell", "--non-interactive"], stdin=f"cat {output}\n", cwd=tmp_path,
                 timeout=240)
    assert "RESULT: COMPLETE" in run.stdout, run.transcript()[-2000:]
    (raw,) = tmp_path.glob(".claude/logs/raw/*/task-001_*.log")
    kept = raw.read_text().split("\n")
    assert kept.pop() == ""
    assert secret[:10] not in raw.read_text()
    expected = ["[stdout] " + (mask_text(line) if "token=" in line else line) for line in lines]
    assert sum("[MASKED:" in line for line in expected) == sum("token=" in line for line in lines) > 250
    assert len(kept) == len(expected)
    assert kept == expected
