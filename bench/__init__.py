"""Benchmarks of pm-runner against the physical floor: `python -m bench [NAME ...] [--quick] [--json]`.

One module per benchmark, each exposing `run(quick) -> list[Figure]`; `harness` holds the
timing, the statistics and the floors; `bench/RESULTS.md` holds the latest full run.
"""
