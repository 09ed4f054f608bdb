"""pm-runner: a REPL between a person (or CI) and a coding agent that records a TaskLog for every task."""

__version__ = "0.1.0"
