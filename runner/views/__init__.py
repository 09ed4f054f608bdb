"""Pure renderers from `runner.logs.models` to rich renderables, plain lines and JSON-able dicts.

Nothing here reads files or prints; every logged string passes `views.safe_text` on its way out.
"""
