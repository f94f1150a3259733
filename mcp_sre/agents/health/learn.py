"""The adapter's LLM path: a response shape no rule knows -> a proposed rule, checked, saved.

The model sees the operation id, the rule format and a trimmed sample of the response, and
answers with one rule in YAML. The rule is used only if it parses, fits the schema, and reads
at least one resource with at least one signal from the very sample it was made from; the
adapter then saves it under ``$MCP_SRE_HOME/health/rules/`` and the next response of that shape
takes the fast path without asking again. No model configured -> no learner -> unknown.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import anyio
import yaml

from mcp_sre.agents.health.adapter import apply_rule
from mcp_sre.agents.health.rules import Rule
from mcp_sre.llm import LLM, Message

__all__ = ["RuleLearner", "learner_from_env"]

log = logging.getLogger("mcp_sre.health")

PROMPT = """\
You map cloud API responses onto health signals. Write ONE mapping rule, in YAML, for the
response of operation {operation} shown below. Answer with the YAML only.

Rule fields (paths: dotted keys, `[*]` for every list item, `[0]` to index, `[Key=Name]` to pick
a list item by a field, `$params.X` for a request parameter; a list of paths = first that exists):
  name: short-kebab-name
  records: path of the list of records in the response (e.g. items[*])
  id: path of the resource identifier inside a record
  kind: {{value: <component kind, e.g. instance, service, database, queue>}}
  display: path of a human name (optional)
  labels: path of a mapping of labels/tags (optional)
  component: true if records are resources, false if they only add signals to resources
  metrics: list of {{metric: {{value: <canonical name>}}, value: path, unit: {{value: <unit>}},
            time: path}}; canonical names: {metrics}
  states: list of {{signal: name, path: path, map: {{<state value>: healthy|degraded|unhealthy}}}}

Response sample:
{sample}
"""


def _trim(value: Any, depth: int = 0) -> Any:
    if isinstance(value, dict):
        return {k: _trim(v, depth + 1) for k, v in list(value.items())[:30]}
    if isinstance(value, list):
        return [_trim(v, depth + 1) for v in value[:2]]
    if isinstance(value, str) and len(value) > 120:
        return value[:120] + "..."
    return value


def _yaml_block(text: str) -> str:
    fenced = re.search(r"```(?:ya?ml)?\s*\n(.*?)```", text, re.DOTALL)
    return fenced.group(1) if fenced else text


class RuleLearner:
    """``(operation, provider, response) -> Rule | None`` over any LLM of the seam."""

    def __init__(self, llm: LLM, metrics: list[str] | None = None) -> None:
        self.llm = llm
        self.metrics = metrics or [
            "cpu_utilization",
            "memory_utilization",
            "error_rate",
            "latency_p95",
            "up",
            "ready_ratio",
            "restarts",
        ]
        self.asked = 0
        self.rejected: list[str] = []

    def _ask(self, prompt: str) -> str:
        messages = [Message(role="user", content=prompt)]

        async def call() -> str:
            return (await self.llm.complete(messages, max_tokens=800)).text

        try:
            return anyio.from_thread.run(call)
        except RuntimeError:  # not in an anyio worker thread
            return anyio.run(call)

    def __call__(self, operation: str, provider: str, response: Any) -> Rule | None:
        sample = json.dumps(_trim(response), ensure_ascii=False, default=str)[:6000]
        self.asked += 1
        try:
            text = self._ask(
                PROMPT.format(operation=operation, sample=sample, metrics=", ".join(self.metrics))
            )
            data = yaml.safe_load(_yaml_block(text))
            if isinstance(data, dict) and isinstance(data.get("rules"), list) and data["rules"]:
                data = data["rules"][0]
            if not isinstance(data, dict):
                raise ValueError("the answer is not a YAML mapping")
            data["operation"] = operation  # the rule applies to what it was made from
            rule = Rule.model_validate(data)
            observed = apply_rule(rule, provider, operation, response, {})
        except Exception as exc:  # any bad answer: the shape stays unknown
            self.rejected.append(f"{operation}: {type(exc).__name__}: {exc}"[:300])
            log.info("proposed rule for %s rejected: %s", operation, exc)
            return None
        useful = [o for o in observed if o.metrics or o.states or o.logs or o.traces or o.labels]
        if not useful:
            self.rejected.append(f"{operation}: the rule reads no signal from the sample")
            return None
        return rule


def learner_from_env() -> RuleLearner | None:
    """The configured OpenAI-compatible endpoint as a learner, else None (rules only)."""
    from mcp_sre.llm.openai_compat import OpenAICompatLLM

    endpoint = OpenAICompatLLM.from_env()
    return RuleLearner(endpoint) if endpoint is not None else None
