"""The ManagerAgent: plans (playbooks or a ReAct loop), runs them across agents, records them.

Public API::

    from mcp_sre.agents.manager import ManagerAgent
    manager = ManagerAgent(ServerState())
    result = await manager.investigate("列出CPU>80%的EC2实例", session_id="s1")
    again = await manager.investigate(resume=result.run_id)   # only unfinished steps run
"""

from __future__ import annotations

from mcp_sre.agents.manager.manager import InvestigateResult, ManagerAgent, StepView
from mcp_sre.agents.manager.plans import Budget, Plan, PlanError, PlanStep, run_plan
from mcp_sre.agents.manager.playbooks import Playbook, PlaybookLibrary
from mcp_sre.agents.manager.protocol import (
    AgentContext,
    AgentResult,
    AgentSpec,
    AgentTask,
    Cost,
    Entity,
)
from mcp_sre.agents.manager.records import RunRecord, RunRecordError, RunStore
from mcp_sre.agents.manager.sessions import SessionStore, resolve

__all__ = [
    "AgentContext",
    "AgentResult",
    "AgentSpec",
    "AgentTask",
    "Budget",
    "Cost",
    "Entity",
    "InvestigateResult",
    "ManagerAgent",
    "Plan",
    "PlanError",
    "PlanStep",
    "Playbook",
    "PlaybookLibrary",
    "RunRecord",
    "RunRecordError",
    "RunStore",
    "SessionStore",
    "StepView",
    "resolve",
    "run_plan",
]
