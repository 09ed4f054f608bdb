"""OTLP for a session: spans and log records (`spans`, `render`), their encoding, protobuf, and the sender (`sender`, the one I/O module)."""
