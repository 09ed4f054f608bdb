"""A session as one self-contained HTML file: the report (`report`) and its parts (assets, cards, events, text, timeline, usage)."""
