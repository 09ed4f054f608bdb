"""Pure renderers of TaskLogs to documents for other tools: OTLP/JSON, JSONL, Markdown, HTML, stats.

Each module takes models (a `MaskedSession`, index rows) and returns text or bytes; none reads a
log or writes a file. The edge (`pm-runner logs export|report|stats`, `/logs --report`) reads
through the store and writes through it.
"""
