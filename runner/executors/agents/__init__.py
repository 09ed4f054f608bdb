"""The natively read agent CLIs: one module per agent (or family) holding its `AgentProfile`."""
