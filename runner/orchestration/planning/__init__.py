"""The planner's parts: its vocabulary (`model`), the names it recognises (`names`), reading parts from
lines (`lines`) and from running text (`inline`), the size scale (`size`), and dependencies
(`dependencies`). All pure; `runner.orchestration.planner` puts them together.
"""
