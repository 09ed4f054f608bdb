"""`python -m bench [NAME[:CASE,...] ...] [--quick] [--json] [--write-results]`: run benchmarks and report them.

Each benchmark module exposes `run(quick) -> list[Figure]`; this module selects them, runs
them one after the other, each in an interpreter of its own (`bench/section.py`: no benchmark
is measured in the heap another left behind; a failure is reported and the others still run), prints a table
per benchmark or one JSON document, and can rewrite `bench/RESULTS.md`. A module with a
`CASES` mapping runs only the cases named after its name (`big_repos:added-plain,touch-git`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import datasets
from bench.harness import TEMP_ENV, temp_base
from bench.machine import describe
from bench.report import Results, header_text, markdown, merge_sections, text_table
from bench.section import SectionResult

BENCHMARKS = ("event_append", "write_scale", "read_scale", "detail_2000", "detail_10mb", "masking", "startup",
              "verify_scan", "repl_throughput", "big_repos", "output_pipeline")
RESULTS_PATH = Path(__file__).resolve().parent / "RESULTS.md"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Benchmarks of pm-runner against the physical floor, measured "
        "in the same run on the same filesystem. Run from the repository root.")
    parser.add_argument("names", nargs="*", metavar="NAME[:CASE,...]",
                        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}; a benchmark with cases "
                        "(see --list) can be limited to some, as big_repos:added-plain")
    parser.add_argument("--quick", action="store_true", help="small sizes and few runs (a smoke run, well under a minute)")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    parser.add_argument("--write-results", action="store_true",
                        help=f"rewrite {RESULTS_PATH.name} with this run; with NAMEs, replace only those benchmarks' "
                        "sections (each then says when it ran and under what load) and keep the others")
    parser.add_argument("--list", action="store_true", help="list the benchmark names and exit")
    parser.add_argument("--tmp", metavar="DIR", type=Path,
                        help=f"where scratch folders go (default: ${TEMP_ENV}, else the system temp dir "
                        "when it is on the working directory's filesystem, else ./.bench-tmp)")
    parser.add_argument("--data", metavar="DIR", type=Path,
                        help=f"keep the big sessions the read benchmarks use in DIR and reuse them while the store "
                        f"code is unchanged (default: ${datasets.DATA_ENV}, else rebuilt every run)")
    return parser


def _load_average() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg()) + " (1/5/15 min)"
    except OSError:
        return "unknown"


def _cases_of(name: str) -> tuple[str, ...]:
    return tuple(getattr(importlib.import_module(f"bench.{name}"), "CASES", ()))


def _selection(parser: argparse.ArgumentParser, args: list[str]) -> dict[str, list[str]]:
    """Benchmark name -> the cases asked for (empty: all), in the suite's order; a bad name or case is a usage error."""
    asked: dict[str, list[str]] = {}
    for arg in args:
        name, _, cases = arg.partition(":")
        if name not in BENCHMARKS:
            parser.error(f"unknown benchmark {name}; choose from {', '.join(BENCHMARKS)}")
        known = _cases_of(name) if cases else ()
        wanted = [case for case in cases.split(",") if case] if cases else []
        unknown = [case for case in wanted if case not in known]
        if unknown:
            choices = ", ".join(known) if known else "none: it has no cases"
            parser.error(f"unknown case {', '.join(unknown)} of {name}; choose from {choices}")
        asked.setdefault(name, []).extend(wanted)
    return {name: asked[name] for name in BENCHMARKS if name in asked}


def _run_one(name: str, quick: bool, results: Results, cases: list[str]) -> None:
    """Run one benchmark in a fresh interpreter (`bench/section.py`) and record what it reports."""
    env = dict(os.environ)
    data = datasets.data_root()
    if data is not None:  # the run's scratch data sets are shared with every section
        env[datasets.DATA_ENV] = str(data)
    base = temp_base()
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pm-bench-section-", dir=base) as scratch:
        out = Path(scratch) / "result.pickle"
        command = [sys.executable, "-m", "bench.section", name, str(out), *(["--quick"] if quick else []), *cases]
        code = subprocess.run(command, env=env, stdout=sys.stderr, check=False).returncode
        if out.is_file():
            result: SectionResult = pickle.loads(out.read_bytes())
        else:
            result = SectionResult(error=f"the benchmark's interpreter exited with {code} and reported nothing")
    results.seconds[name] = result.seconds
    if result.error is not None:
        results.errors[name] = result.error
    if result.figures:
        results.figures[name] = result.figures


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(name + (f"  (cases: {', '.join(cases)})" if (cases := _cases_of(name)) else "")
                        for name in BENCHMARKS))
        return 0
    selection = _selection(parser, args.names)
    partial = bool(args.names) and set(selection) != set(BENCHMARKS)
    if args.write_results and any(selection.values()):
        parser.error("--write-results records whole benchmarks: name them without :CASE")
    if args.write_results and partial and not RESULTS_PATH.is_file():
        parser.error(f"--write-results with NAME replaces sections of {RESULTS_PATH.name}, which does not exist yet: "
                     "run the whole suite first")
    if args.tmp is not None:
        os.environ[TEMP_ENV] = str(args.tmp.resolve())
    if args.data is not None:
        args.data.mkdir(parents=True, exist_ok=True)
        os.environ[datasets.DATA_ENV] = str(args.data.resolve())
    names = list(selection) if args.names else list(BENCHMARKS)
    command = " ".join(["python -m bench", *(["--quick"] if args.quick else []),
                        *(["--write-results"] if args.write_results else []), *(names if partial else [])])
    results = Results(date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), command=command, quick=args.quick,
                      machine=describe(temp_base()), load_start=_load_average())
    progress = sys.stderr if args.json else sys.stdout
    print(header_text(results), file=progress, flush=True)
    with datasets.scope():
        for name in names:
            print(f"running {name} ...", file=sys.stderr, flush=True)
            _run_one(name, args.quick, results, selection.get(name, []))
            if name in results.figures:
                print(text_table(name, results.figures[name], results.seconds[name]) + "\n", file=progress, flush=True)
    results.load_end = _load_average()
    if args.json:
        print(json.dumps(results.to_dict(), indent=2, ensure_ascii=False))
    for name, error in results.errors.items():
        print(f"FAILED {name}: {error}", file=sys.stderr)
    if args.write_results:
        text = (merge_sections(RESULTS_PATH.read_text(encoding="utf-8"), results, BENCHMARKS) if partial
                else markdown(results))
        RESULTS_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS_PATH}", file=sys.stderr)
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
