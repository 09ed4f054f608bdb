"""`pm-runner logs export|report|stats`: read the logs, render them with `runner.export`, write or send.

Documents go to stdout unless `--output` names a file; notes (what was left out, where files
went, how many spans an endpoint accepted) go to stderr, so a pipe receives the document alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from runner.cli.env import Environment
from runner.cli.folder_flag import LOGS_DIR_READ_HELP, folder_path
from runner.cli.options import parser_class
from runner.cli.project_root import project_from
from runner.durations import parse_since_ms
from runner.errors import ExitStatus, UsageError
from runner.timestamps import now_iso, now_ms

SUBCOMMANDS = ("export", "report", "stats")
EXPORT_EPILOG = """\
examples:
  pm-runner logs export --format otlp --output traces/         otel-traces.jsonl + otel-logs.jsonl
  pm-runner logs export --all --since 7d --format jsonl > events.jsonl
  pm-runner logs export --format otlp --endpoint http://127.0.0.1:6006 --header x-project-name=demo
"""
REPORT_EPILOG = """\
examples:
  pm-runner logs report --format html --output session.html    the latest session, one self-contained file
  pm-runner logs report task-003 --format md                   the 12-section report of one task
"""
STATS_EPILOG = """\
examples:
  pm-runner logs stats                        the latest session
  pm-runner logs stats --all --since 7d --json
"""


def _selection_options(parser: argparse.ArgumentParser, *, many: bool) -> None:
    parser.add_argument("--project", type=Path, metavar="DIR",
                        help="project folder (default: the nearest folder up with .claude/, then .git)")
    parser.add_argument("--logs-dir", type=folder_path, metavar="DIR", help=LOGS_DIR_READ_HELP)
    parser.add_argument("--session", metavar="ID", help="session id, or 'latest' (the default)")
    if many:
        parser.add_argument("--all", action="store_true", help="every session of the project")
        parser.add_argument("--since", metavar="WHEN",
                            help="only tasks started since: a duration (7d), a UTC day (2025-01-12) or a time")


def build_parser(env: Environment) -> argparse.ArgumentParser:
    parser_type = parser_class(env)  # a mistake is a UsageError (exit 64)
    parser = parser_type(prog="pm-runner logs", add_help=False)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=parser_type)
    export = commands.add_parser("export", help="OTLP/JSON Lines or JSONL for other tools, or send to an OTLP endpoint",
                                 description="Export task logs (masked) for tracing backends and data tools.",
                                 epilog=EXPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _selection_options(export, many=True)
    export.add_argument("--format", choices=["otlp", "jsonl"], default="otlp", help="otlp (default) or jsonl")
    export.add_argument("--output", metavar="PATH",
                        help="file (or, for otlp, a folder for otel-traces.jsonl and otel-logs.jsonl; "
                             "a name ending in / is made); default stdout")
    export.add_argument("--content", choices=["none", "masked"], default="none",
                        help="otlp: also export prompts, outputs and tool arguments, masked (default none)")
    export.add_argument("--endpoint", metavar="URL", help="send the traces as OTLP http/protobuf (needs pm-runner[otel])")
    export.add_argument("--header", action="append", default=[], metavar="K=V", help="an HTTP header for --endpoint")
    report = commands.add_parser("report", help="a Markdown or self-contained HTML report",
                                 description="A human report: one task (12 sections, md) or a session (md or html).",
                                 epilog=REPORT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    report.add_argument("task", nargs="?", metavar="TASK_ID", help="one task (md only); default: the whole session")
    _selection_options(report, many=False)
    report.add_argument("--format", choices=["md", "html"], default="md", help="md (default) or html")
    report.add_argument("--output", type=Path, metavar="PATH", help="write to this file (default stdout)")
    stats = commands.add_parser("stats", help="totals by status, error code, executor, model, session and day",
                                description="Task statistics, read from the indexes.", epilog=STATS_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    _selection_options(stats, many=True)
    stats.add_argument("--json", action="store_true", help="one JSON document (with schema_version)")
    return parser


def main(argv: list[str], env: Environment | None = None) -> ExitStatus:
    """Run `logs export|report|stats ARGS`; argv starts with the subcommand."""
    from runner.cli.export_run import run_export, run_report, run_stats
    from runner.logs.store.logs_root import choose_logs_dir

    env = env or Environment()
    out, err = env.stdout, env.stderr
    args = build_parser(env).parse_args(argv)
    project = project_from(args.project, env)
    choice = choose_logs_dir(args.logs_dir, env.environ, env.cwd)
    args.logs_dir = choice.path if choice else None
    if args.command == "report":
        return run_report(project, args, out, err, generated_at=now_iso())
    since = parse_since_ms(args.since, now_ms=now_ms()) if args.since else None
    if args.all and args.session:
        raise UsageError("--all and --session cannot be combined", hint="pick one session, or --all")
    if args.command == "export":
        return run_export(project, args, since, out, err)
    return run_stats(project, args, since, out)
