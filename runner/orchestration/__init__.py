"""Orchestration: what happens to a task between its line and its terminal TaskLog.

One module per step — `gates` (may it run), `attempt` (run the executor, check the disk), `judge`
(what the facts mean: PASS / REJECT / RETRY), `policy` (what to do next: conclude, retry, fall back,
resume, escalate), `budget` (spend against limits), `record` (write it down), `tally` (what decides
the exit code) — and the `loop` package, the only place that sequences them (spec/review-loop.md).
Judgments are pure functions returning data. Nothing here prints; nothing is imported by this `__init__`.
"""
