"""One message model between the manager and the agents it hands work to.

A task names an agent and its inputs; a result says how it went (status), what it found (data,
a one-line summary, the entities it named), the evidence behind it, what it cost and what went
wrong. Any agent -- built in or from a plugin's ``register_agents`` hook -- speaks only this, so
agents can be swapped or added without touching the manager.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from mcp_sre.errors import McpSreError

__all__ = [
    "Agent",
    "AgentContext",
    "AgentError",
    "AgentResult",
    "AgentSpec",
    "AgentTask",
    "Cost",
    "Entity",
    "Status",
]

Status = Literal["ok", "failed", "skipped", "cancelled", "needs_input"]


class AgentError(McpSreError):
    """An agent cannot do the task (bad inputs, nothing to work on); becomes a failed result."""


class Entity(BaseModel):
    """Something a request or a result named, kept for follow-up questions."""

    kind: str = Field(description="business | namespace | pod | workload | instance | tool | id")
    value: str = Field(description="Its name or identifier, e.g. 'shop/web-app-7d9f', 'i-0abc'")
    namespace: str = Field(default="", description="Namespace, for namespaced objects")


class Cost(BaseModel):
    """What a task spent: model tokens and money (when the endpoint reports prices)."""

    input_tokens: int = Field(default=0, description="Prompt tokens")
    output_tokens: int = Field(default=0, description="Completion tokens")
    usd: float = Field(default=0.0, description="Money, in the endpoint's price unit")
    calls: int = Field(default=0, description="Cloud reads or tool runs made")

    def add(self, other: Cost) -> Cost:
        return Cost(input_tokens=self.input_tokens + other.input_tokens,
                    output_tokens=self.output_tokens + other.output_tokens,
                    usd=self.usd + other.usd, calls=self.calls + other.calls)


class AgentTask(BaseModel):
    """Work handed to one agent."""

    agent: str = Field(description="Registered agent name, e.g. 'tool', 'diagnose'")
    inputs: dict[str, Any] = Field(default_factory=dict, description="Agent-specific inputs")
    request: str = Field(default="", description="The user's request (after reference "
                         "resolution), for agents that read it")
    why: str = Field(default="", description="Why the planner asked for this")


class AgentResult(BaseModel):
    """What an agent hands back."""

    status: Status = Field(description="ok | failed | skipped | cancelled | needs_input")
    summary: str = Field(default="", description="One or a few lines for people and planners")
    data: dict[str, Any] = Field(default_factory=dict, description="Structured findings")
    evidence: list[str] = Field(default_factory=list, description="Quoted facts behind the data")
    entities: list[Entity] = Field(default_factory=list, description="What the result named")
    cost: Cost = Field(default_factory=Cost, description="What it spent")
    errors: list[str] = Field(default_factory=list, description="What went wrong, if anything")

    @classmethod
    def failed(cls, message: str, **kw: Any) -> AgentResult:
        return cls(status="failed", summary=message, errors=[message], **kw)


@dataclass
class AgentContext:
    """What an agent may use, passed in: the server's parts (built on first use), the model
    (None without one), a way to ask the user and to report progress."""

    services: Any  # ServerState-like: settings, pm, catalog, sandbox, registry, retriever
    llm: Any = None
    ask_user: Callable[[str], Awaitable[str | None]] | None = None
    progress: Callable[[str], Awaitable[None]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Agent(Protocol):
    async def __call__(self, task: AgentTask, ctx: AgentContext) -> AgentResult: ...


@dataclass(frozen=True)
class AgentSpec:
    """A registered agent: its name, what it does (for the LLM planner) and its inputs."""

    name: str
    run: Agent
    description: str
    inputs: dict[str, str] = field(default_factory=dict)  # input name -> what it means
