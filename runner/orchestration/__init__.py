"""Orchestration: what happens to a task between its line and its terminal TaskLog.

One module per step — `gates` (may it run), `attempt` (run the executor, check the disk), `judge`
(what the facts mean), `policy` (what to do next), `record` (write it down), `tally` (what decides the
exit code) — and `loop`, the only one that sequences them. Judgments are pure functions returning
data. Nothing here prints; nothing is imported by this `__init__`.
"""
