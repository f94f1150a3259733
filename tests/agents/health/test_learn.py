"""The adapter's LLM path behind a real seam: an OpenAI-compatible stand-in server on
127.0.0.1 (tests/chat_endpoint.py) proposes a rule; the adapter checks it on the sample, saves
it under MCP_SRE_HOME, and the next adapter maps the same shape with no model at all."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # tests/ holds chat_endpoint
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from chat_endpoint import running_chat_server

from mcp_sre.agents.health.adapter import DataAdapter, learned_rules_dir
from mcp_sre.agents.health.learn import RuleLearner
from mcp_sre.llm.openai_compat import OpenAICompatLLM

OPERATION = "acme/monitor/ListProbes"
SAMPLE = {
    "probes": [
        {"probeId": "p-1", "target": "checkout", "owner": {"biz": "shop"}, "successPct": 71.5},
        {"probeId": "p-2", "target": "cart", "owner": {"biz": "shop"}, "successPct": 99.9},
    ]
}
GOOD = """Here is the rule:
```yaml
name: acme-probes
records: probes[*]
id: target
kind: {value: service}
labels: owner
metrics:
  - metric: {value: availability}
    value: successPct
    unit: {value: percent}
```"""
USELESS = "name: nothing\nrecords: probes[*]\nid: target\n"


def _llm(url: str) -> OpenAICompatLLM:
    env = {"MCP_SRE_LLM_BASE_URL": url, "MCP_SRE_LLM_MODEL": "stand-in"}
    llm = OpenAICompatLLM.from_env(env)
    assert llm is not None
    return llm


def test_proposed_rule_is_checked_saved_and_reused(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    def answer(body: dict[str, Any]) -> str:
        seen.append(body)
        return GOOD

    with running_chat_server(answer) as server:
        learner = RuleLearner(_llm(server.url))
        adapter = DataAdapter([], home=tmp_path, learner=learner)
        observed = adapter.adapt(OPERATION, SAMPLE)
    assert len(seen) == 1 and "successPct" in seen[0]["messages"][-1]["content"]
    assert [(o.id, o.labels["biz"], o.metrics["availability"][0][0][1]) for o in observed] == [
        ("checkout", "shop", 71.5),
        ("cart", "shop", 99.9),
    ]
    saved = list(learned_rules_dir(tmp_path).glob("*.yaml"))
    assert [p.name for p in saved] == ["acme-acme-probes.yaml"]
    # a new adapter, no model: the saved rule is the fast path now
    again = DataAdapter([], home=tmp_path, learner=None)
    assert [o.id for o in again.adapt(OPERATION, SAMPLE)] == ["checkout", "cart"]
    assert again.unmapped == []


def test_a_rule_that_reads_nothing_is_refused(tmp_path: Path) -> None:
    with running_chat_server(lambda body: USELESS) as server:
        learner = RuleLearner(_llm(server.url))
        adapter = DataAdapter([], home=tmp_path, learner=learner)
        assert adapter.adapt(OPERATION, SAMPLE) == []
    assert adapter.unmapped == [OPERATION]
    assert "reads no signal" in learner.rejected[0]
    assert not learned_rules_dir(tmp_path).exists()


def test_garbage_answer_is_refused(tmp_path: Path) -> None:
    with running_chat_server(lambda body: "records: [unclosed") as server:
        learner = RuleLearner(_llm(server.url))
        assert DataAdapter([], home=tmp_path, learner=learner).adapt(OPERATION, SAMPLE) == []
    assert learner.rejected
