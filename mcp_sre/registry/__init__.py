"""The dynamic tool registry: working sandbox code becomes a versioned, scored MCP tool.

Tool contract (what ``register_tool`` accepts and what the code generator must produce)
-------------------------------------------------------------------------------------
**code** -- Python that runs in the sandbox (:mod:`mcp_sre.sandbox`). It defines a top-level
``def main(**params)`` whose keyword parameters are the tool's parameters and whose return
value (JSON data: dict, list, str, number, bool, None) is the tool's result. Nothing runs on
import: top-level statements are imports, ``def``/``class`` and constant assignments only.
``sre`` is already in scope (``import sre`` works too); use ``sre.call(op_id, **params)``,
``sre.pages(op_id, params, max_items=N)`` or an SDK shim (``boto3.client("ec2")``). Do not
call ``sre.result`` -- the registry runs ``sre.result(main(**sre.inputs))``, where
``sre.inputs`` holds the caller's arguments after validation against ``parameters``.

**test** -- Python appended after the code in the same module. It calls ``main(...)`` with
example arguments and asserts on the shape of the result, either at top level or in
``def test_*()`` functions (each is called, in order). It must call ``main`` at least once;
the first value main returns is kept as the tool's sample. It runs against whatever targets
the environment points the bridge at (moto, the local Kubernetes endpoint, a real account)::

    def main(namespace: str = "default", limit: int = 50) -> list[dict]:
        pods = sre.call("kubernetes/core_v1/listCoreV1NamespacedPod",
                        namespace=namespace, limit=limit)
        return [{"name": p["metadata"]["name"], "phase": p["status"]["phase"]}
                for p in pods["items"]]

    def test_lists_pods():
        rows = main(namespace="shop")
        assert isinstance(rows, list) and all({"name", "phase"} <= set(r) for r in rows)

**parameters** -- a JSON Schema ``{"type": "object", "properties": {...}, "required": [...]}``
that matches main's signature (every parameter without a default is required; every property
is a parameter unless main takes ``**kwargs``). **returns** (optional) -- a JSON Schema the
test's sample must satisfy; an ``object`` schema becomes the MCP tool's output schema.

Registration runs :func:`~mcp_sre.toolcode.review.review_tool` (static checks + the security
review) and then the test in the sandbox; a failure refuses the tool with every reason.
"""

from __future__ import annotations

from mcp_sre.registry.models import (
    CheckReport,
    RegisteredTool,
    TestReport,
    ToolMatch,
    ToolState,
    ToolStats,
    ToolSummary,
)
from mcp_sre.registry.tool_registry import (
    RegistrationRefused,
    ToolCallError,
    ToolRegistry,
    score,
)

__all__ = [
    "CheckReport",
    "RegisteredTool",
    "RegistrationRefused",
    "TestReport",
    "ToolCallError",
    "ToolMatch",
    "ToolRegistry",
    "ToolState",
    "ToolStats",
    "ToolSummary",
    "score",
]
