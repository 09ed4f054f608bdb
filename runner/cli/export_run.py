"""The work behind `pm-runner logs export|report|stats`: read, render, write or send, and say what happened."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

import orjson

from runner.errors import ExitStatus, RunnerError
from runner.export.masked import MaskedSession
from runner.logs.export_source import Selection, index_rows, session_ids, session_is_live
from runner.logs.store import LogReader
from runner.repl.masked_sessions import load_session
from runner.views.safe_text import safe_str

TRACES_FILE = "otel-traces.jsonl"
LOGS_FILE = "otel-logs.jsonl"


def write_file(path: Path, data: bytes) -> None:
    """Write a document the user asked for: atomic, durable, private (0600), never half-written."""
    from runner.logs.store import safe_files

    if path.is_dir():
        raise RunnerError(f"--output {path} is a folder", hint="name a file, e.g. --output report.html")
    if not path.parent.is_dir():
        raise RunnerError(f"--output {path}: the folder {path.parent} does not exist", hint="create it first")
    try:
        safe_files.write_atomic(path, data, durable=True)
    except OSError as exc:
        raise RunnerError(f"cannot write {path}: {exc.strerror or exc}", hint="check the folder's permissions") from None


def _emit(data: bytes, output: Path | None, out: TextIO, err: TextIO, what: str) -> None:
    if output is None:
        out.write(data.decode("utf-8"))
        out.flush()
        return
    write_file(output, data)
    err.write(f"Wrote {what} to {output}\n")


def _left_out_notes(reader: LogReader, sessions: list[MaskedSession], err: TextIO) -> None:
    for session in sessions:
        if session_is_live(reader, session.session_id):
            err.write(f"NOTE: session {session.session_id} is still running; exported its finished tasks only\n")
        for item in session.left_out:
            err.write(f"NOTE: left out {item.task_id} of {session.session_id}: {safe_str(item.reason)}\n")


def _otlp_paths(given: str) -> tuple[Path, Path]:
    """A folder gets otel-traces.jsonl and otel-logs.jsonl (a missing one named with a trailing `/` is
    made, 0700); a file name gets a `-logs` sibling."""
    output = Path(given)
    if given.endswith("/") and not output.exists():
        try:
            output.mkdir(mode=0o700)
        except OSError as exc:
            raise RunnerError(f"cannot create --output folder {output}: {exc.strerror or exc}",
                              hint="create its parent folder first") from None
    if output.is_dir():
        return output / TRACES_FILE, output / LOGS_FILE
    name = output.name.replace("traces", "logs") if "traces" in output.name else f"{output.stem}-logs{output.suffix}"
    return output, output.with_name(name)


def _headers(pairs: list[str]) -> dict[str, str]:
    headers = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise RunnerError(f"--header needs KEY=VALUE, got {safe_str(pair.split('=')[0])!r}...",
                              hint="e.g. --header x-project-name=demo --header 'authorization=Bearer …'")
        headers[key.strip()] = value
    return headers


def run_export(project: Path, args: argparse.Namespace, since: int | None, out: TextIO, err: TextIO) -> ExitStatus:
    from runner.export.jsonl import render_jsonl
    from runner.export.otlp.render import render_otlp, trace_requests
    from runner.export.otlp.spans import ContentMode

    reader = LogReader(project, logs_dir=args.logs_dir)
    headers = _headers(args.header)
    if args.format == "jsonl" and (args.endpoint or args.content != "none"):
        raise RunnerError("--endpoint and --content are for --format otlp", hint="jsonl always holds the masked events")
    sessions = [load_session(reader, sid, since_ms=since, terminal_only=True)
                for sid in session_ids(reader, Selection(args.session, args.all, since))]
    _left_out_notes(reader, sessions, err)
    if args.format == "jsonl":
        events = sum(len(log.events) for s in sessions for log in s.logs)
        _emit(render_jsonl(sessions), Path(args.output) if args.output else None, out, err, f"{events} events")
        return ExitStatus.SUCCESS
    content = ContentMode(args.content)
    documents = render_otlp(sessions, content)
    if args.output is not None:
        traces_path, logs_path = _otlp_paths(args.output)
        write_file(traces_path, documents.traces)
        write_file(logs_path, documents.logs)
        err.write(f"Wrote {documents.span_count} spans to {traces_path} and "
                  f"{documents.log_record_count} log records to {logs_path}\n")
    elif args.endpoint is None:
        _emit(documents.traces, None, out, err, "traces")
        err.write("NOTE: the log records (TaskLog events) need a file: add --output DIR\n")
    if args.endpoint is None:
        return ExitStatus.SUCCESS
    return _send([r for s in sessions for r in trace_requests(s, content)], args.endpoint, headers, err)


def _send(requests: list[dict[str, object]], endpoint: str, headers: dict[str, str], err: TextIO) -> ExitStatus:
    from runner.export.otlp.sender import send_traces

    report = send_traces(requests, endpoint, headers)
    for note in report.notes:
        err.write(f"NOTE: {note}\n")
    err.write(f"{report.spans_accepted} of {report.spans_sent} spans accepted by {report.url}"
              f" ({report.requests} request(s), {report.retries} retried)\n")
    if report.spans_accepted < report.spans_sent:
        raise RunnerError(f"{report.spans_sent - report.spans_accepted} span(s) were not accepted by {report.url}",
                          hint="see the notes above; the files from --output hold every span")
    return ExitStatus.SUCCESS


def run_report(project: Path, args: argparse.Namespace, out: TextIO, err: TextIO, *, generated_at: str) -> ExitStatus:
    from runner.export.html.report import render_session_html
    from runner.export.markdown.session import render_session_markdown
    from runner.export.markdown.task import render_task_markdown

    reader = LogReader(project, logs_dir=args.logs_dir)
    (session_id,) = session_ids(reader, Selection(args.session))
    session = load_session(reader, session_id)
    if args.task:
        if args.format == "html":
            raise RunnerError("an HTML report covers a whole session",
                              hint=f"pm-runner logs report --session {session_id} --format html, or --format md")
        task_id = reader.resolve_task(session_id, args.task)
        broken = next((item for item in session.left_out if item.task_id == task_id), None)
        if broken is not None:
            raise RunnerError(f"{task_id}: Log file corrupted ({broken.reason})", hint="pm-runner logs list shows it")
        text, what = render_task_markdown(session, task_id), f"the report of {task_id}"
    elif args.format == "html":
        text, what = render_session_html(session, generated_at=generated_at), f"the report of {session_id}"
    else:
        text, what = render_session_markdown(session), f"the report of {session_id}"
    _emit(text.encode("utf-8"), args.output, out, err, what)
    return ExitStatus.SUCCESS


def run_stats(project: Path, args: argparse.Namespace, since: int | None, out: TextIO) -> ExitStatus:
    from runner.export.stats import compute_stats, stats_json
    from runner.export.stats_text import stats_text

    rows = index_rows(LogReader(project, logs_dir=args.logs_dir), Selection(args.session, args.all, since))
    stats = compute_stats(rows)
    out.write(orjson.dumps(stats_json(stats), option=orjson.OPT_INDENT_2).decode() + "\n" if args.json
              else stats_text(stats))
    return ExitStatus.SUCCESS
