"""Agent stream formats: one decoder per wire format (`codex_jsonl`, `gemini_stream`), one shared fold."""
