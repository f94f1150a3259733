"""The agent registry: built-in and plugin agents, collected through ``register_agents``.

The built-in agents (:mod:`.builtin`) are an ordinary plugin registered into the manager's
plugin manager when it is missing (as pytest does with its default plugins); a plugin may add
agents, and a name registered twice is an error, not a silent replacement.
"""

from __future__ import annotations

from typing import Any

from mcp_sre.agents.manager import builtin
from mcp_sre.agents.manager.protocol import Agent, AgentSpec
from mcp_sre.errors import McpSreError

__all__ = ["BUILTIN_PLUGIN", "load_agents"]

BUILTIN_PLUGIN = "mcp_sre.manager.builtin_agents"


def load_agents(pm: Any) -> dict[str, AgentSpec]:
    """Every registered agent by name."""
    if pm.get_plugin(BUILTIN_PLUGIN) is None and not pm.is_registered(builtin):
        pm.register(builtin, name=BUILTIN_PLUGIN)
    agents: dict[str, AgentSpec] = {}

    def register(name: str, run: Agent, description: str = "",
                 inputs: dict[str, str] | None = None) -> None:
        if name in agents:
            raise McpSreError(f"two plugins register an agent named {name!r}")
        agents[name] = AgentSpec(name=name, run=run, description=description or name,
                                 inputs=inputs or {})

    pm.hook.register_agents(register=register)
    return agents
