"""Business health across clouds: schema, thresholds, the DataAdapter, scope, the report.

``HealthAgent(pm, lookup).report("电商平台")`` -> :class:`HealthReport`; ``render_markdown``
for people. Provider knowledge comes from the plugins' ``health_mappings`` YAML.
"""

from mcp_sre.agents.health.adapter import DataAdapter, Observation
from mcp_sre.agents.health.config import HealthConfig, load_health_config
from mcp_sre.agents.health.render import render_markdown
from mcp_sre.agents.health.report import HealthAgent, detect_language
from mcp_sre.agents.health.schema import (
    ComponentHealth,
    HealthReport,
    HealthStatus,
    LogHealth,
    MetricHealth,
    ResourceHealth,
    TraceHealth,
)

__all__ = [
    "ComponentHealth",
    "DataAdapter",
    "HealthAgent",
    "HealthConfig",
    "HealthReport",
    "HealthStatus",
    "LogHealth",
    "MetricHealth",
    "Observation",
    "ResourceHealth",
    "TraceHealth",
    "detect_language",
    "load_health_config",
    "render_markdown",
]
