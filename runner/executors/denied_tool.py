"""A tool call an agent's own permissions refused: a leaf, shared by the result type and the parsers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeniedTool:
    """A tool call the agent was refused: which tool, on what (a path or a command), and its words."""

    tool: str
    target: str
    tool_use_id: str = ""
    message: str = ""

    @property
    def label(self) -> str:
        return f"{self.tool} {self.target}".strip()
