"""TaskLogs for export tests: the sample session plus a task with tool calls and a hostile task.

The hostile task is written by hand, bypassing the save-time masker, the way a tampered or
pre-masking log file would arrive: every export must still mask it and render it inert.
"""

from __future__ import annotations

from runner.logs.models import ErrorCode, EventType, Metrics, TaskLog, TaskStatus, VerifiedFile
from tests.helpers.sample_logs import CLAUDE_COMMAND, make_event, make_log, session_logs, stamp

SESSION_STARTED = "2025-01-12T11:29:58.000Z"
OPENAI_KEY = "sk-proj-" + "Ab3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1eF3hJ5kL7nP9rS1uV3xY5zA7cE9gI1kM3oQ5"
GITHUB_TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
AWS_KEY = "AKIA" + "QWERTYUIOPASDFGH"
PRIVATE_KEY = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
               "-----END PRIVATE KEY-----")
SECRETS = (OPENAI_KEY, GITHUB_TOKEN, AWS_KEY, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7")
SCRIPT = "<script>document.title='PWNED'</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror="document.body.setAttribute(\'data-pwned\',1)">'
MARKDOWN_IMAGE = "![track](http://evil.example/pixel.png)"
ESCAPES = "\x1b]0;title\x07\x1b[2J\u202egnp.exe"
HOSTILE_TEXT = f"{SCRIPT} {ATTRIBUTE_BREAK} {MARKDOWN_IMAGE} </details></pre> {ESCAPES} # not a heading | cell"


def tool_task() -> TaskLog:
    """task-006: thread thr-004; Claude writes a file and runs a test command, one tool call failing."""
    progress = EventType.EXECUTOR_PROGRESS
    events = [
        make_event(1, EventType.USER_INPUT, "11:50:00.000", prompt="write calc.py and test it"),
        make_event(2, EventType.EXECUTOR_START, "11:50:00.200", executor="claude-code", model="sonnet",
                   command=CLAUDE_COMMAND),
        make_event(3, progress, "11:50:01.000", kind="tool_use", tool="Write", tool_use_id="toolu_01",
                   file_path="/home/dev/project/calc.py", text="Write /home/dev/project/calc.py"),
        make_event(4, progress, "11:50:01.500", kind="tool_result", tool="Write", tool_use_id="toolu_01",
                   is_error=False, preview="File created successfully"),
        make_event(5, progress, "11:50:02.000", kind="tool_use", tool="Bash", tool_use_id="toolu_02",
                   command="python -m pytest -q", text="Bash: python -m pytest -q"),
        make_event(6, progress, "11:50:05.000", kind="tool_result", tool="Bash", tool_use_id="toolu_02",
                   is_error=True, preview="1 failed, 2 passed"),
        make_event(7, EventType.EXECUTOR_OUTPUT, "11:50:06.000", text="calc.py written; one test fails."),
        make_event(8, EventType.TASK_COMPLETE, "11:50:06.100", files_verified=["calc.py"]),
    ]
    return make_log(
        6, events, thread_id="thr-004", run_id="run-005", files_modified_count=1,
        verified_files=[VerifiedFile(path="calc.py", exists=True, detected_at=stamp("11:50:06.000"),
                                     detection_method="executor_claim", size=120)],
        resume_token="5b3c9e7a-1d2f-4e6a-9c8b-7a6f5e4d3c2b",
        metrics=Metrics(duration_ms=6100, input_tokens=1110, cache_read_input_tokens=1000,
                        cache_creation_input_tokens=100, output_tokens=250, cost_usd=0.0123,
                        model="claude-sonnet-4-5-20250929", num_turns=3),
    )


def hostile_task() -> TaskLog:
    """task-007: thread thr-005; secrets and markup everywhere a string can be, ending in error."""
    secret_line = f"token {OPENAI_KEY} and {GITHUB_TOKEN} key {AWS_KEY}"
    events = [
        make_event(1, EventType.USER_INPUT, "11:55:00.000", prompt=f"deploy with {OPENAI_KEY} {SCRIPT}"),
        make_event(2, EventType.EXECUTOR_START, "11:55:00.100", executor="claude-code", model="sonnet",
                   command=f"claude -p 'use {GITHUB_TOKEN}'"),
        make_event(3, EventType.EXECUTOR_PROGRESS, "11:55:01.000", kind="tool_use", tool=f"Bash{SCRIPT}",
                   tool_use_id="toolu_09", command=f"echo {AWS_KEY} {ATTRIBUTE_BREAK}", text="Bash"),
        make_event(4, EventType.EXECUTOR_PROGRESS, "11:55:02.000", kind="tool_result", tool="Bash",
                   tool_use_id="toolu_09", is_error=True, preview=f"{PRIVATE_KEY}\n{HOSTILE_TEXT}"),
        make_event(5, EventType.EXECUTOR_OUTPUT, "11:55:03.000", text=f"{HOSTILE_TEXT}\n{secret_line}"),
        make_event(6, EventType.TASK_ERROR, "11:55:03.100", reason=f"failed: {secret_line} {SCRIPT}"),
    ]
    return make_log(
        7, events, thread_id="thr-005", run_id="run-006", status=TaskStatus.ERROR,
        prompt_summary=f"deploy {SCRIPT}"[:100], error_code=ErrorCode.EXECUTOR_FAILED,
        error_reason=f"{HOSTILE_TEXT} {secret_line}", executor_summary=secret_line,
        resume_token=GITHUB_TOKEN,
    )


def export_logs(*, with_running: bool = False) -> list[TaskLog]:
    """The sample session (clarification, answer, retry, blocked, maybe running) plus the tool and hostile tasks."""
    return [*session_logs(with_running=with_running), tool_task(), hostile_task()]
