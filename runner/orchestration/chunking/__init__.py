"""Running a chunked request: a parent task holding the plan and one child task per part.

`plan_events` (the plan as events, and back), `prompt` (what each part's agent is told),
`outcome` (each part's result and the parent's status, pure) and `run` (the sequence: create,
run or skip, aggregate, conclude; fail-closed).
"""
