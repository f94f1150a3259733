"""A local Kubernetes API endpoint for tests and demos (``mcp-sre k8s-sim``)."""

from mcp_sre_kubernetes.sim.scenario import Scenario, ScenarioError, list_scenarios, load_scenario
from mcp_sre_kubernetes.sim.server import DEFAULT_TOKEN, SimServer, default_swagger_path

__all__ = [
    "DEFAULT_TOKEN",
    "Scenario",
    "ScenarioError",
    "SimServer",
    "default_swagger_path",
    "list_scenarios",
    "load_scenario",
]
