"""Markdown reports: the twelve-section task report (`task`), the session summary (`session`), inert logged text (`text`)."""
