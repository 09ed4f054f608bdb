"""The `--json` contract: every JSON document pm-runner prints carries `schema_version`, and
`pm-runner logs schema` prints the JSON Schema of those documents, generated from the models.

Bump SCHEMA_VERSION when a field is removed or changes meaning; adding a field does not.
"""

from __future__ import annotations

from typing import Any

import orjson

SCHEMA_VERSION = 1


def stamped(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with `schema_version` first."""
    return {"schema_version": SCHEMA_VERSION, **{k: v for k, v in document.items() if k != "schema_version"}}


def json_schema() -> dict[str, Any]:
    """One JSON Schema (draft 2020-12) with a definition per document: list, show, tree, sessions."""
    from pydantic import TypeAdapter

    from runner.logs.models import SessionSummary, TaskLog, TaskLogEntry

    defs: dict[str, Any] = {}

    def ref(model: type[Any]) -> dict[str, str]:
        schema = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
        return {"$ref": f"#/$defs/{model.__name__}"}

    version = {"const": SCHEMA_VERSION}
    documents = {
        "TaskListDocument": _object({"schema_version": version, "session_id": {"type": "string"},
                                     "tasks": {"type": "array", "items": ref(TaskLogEntry)},
                                     "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                                     "omitted": {"type": "integer", "minimum": 0}}),
        "TaskDetailDocument": {"allOf": [ref(TaskLog), _object({
            "schema_version": version, "visibility": {"enum": ["summary", "full"]},
            "hidden_events": {"type": "integer"}}, required=("schema_version",))]},
        "CorruptedTaskDocument": _object({"schema_version": version, "session_id": {"type": "string"},
                                          "task_id": {"type": "string"}, "error": {"type": "string"},
                                          "reason": {"type": "string"}}),
        "TreeDocument": _object({"schema_version": version, "session_id": {"type": "string"},
                                 "visibility": {"enum": ["summary", "full"]},
                                 "threads": {"type": "array", "items": {"type": "object"}},
                                 "omitted": {"type": "integer", "minimum": 0}}),
        "SessionsDocument": _object({"schema_version": version, "current": {"type": ["string", "null"]},
                                     "sessions": {"type": "array", "items": ref(SessionSummary)}}),
    }
    defs.update(documents)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "pm-runner logs --json documents",
        "schema_version": SCHEMA_VERSION,
        "oneOf": [{"$ref": f"#/$defs/{name}"} for name in documents],
        "$defs": defs,
    }


def _object(properties: dict[str, Any], required: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties,
            "required": list(required if required is not None else properties)}


def json_schema_text() -> str:
    return orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2).decode()
