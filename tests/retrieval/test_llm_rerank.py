"""The model as the last reranker, with a stand-in model behind a real OpenAI-compatible HTTP
server on 127.0.0.1 (tests/chat_endpoint.py): it only reorders the window it is shown, and
every failure keeps the order below with a reason."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner

from mcp_sre.llm.openai_compat import EndpointSettings, OpenAICompatLLM
from mcp_sre.retrieval.cli import eval_group
from mcp_sre.retrieval.llm_rerank import (
    ModelRerankStage,
    apply_choice,
    llm_rerank,
    parse_choice,
    rerank_messages,
)

from .conftest import FIXTURES, SOURCE_NAMES, source_entries

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds chat_endpoint
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from chat_endpoint import running_chat_server

REQUEST = "which CloudWatch alarms are currently firing"


def _line_of(prompt: str, operation: str) -> str:
    """The number the prompt gives ``operation`` (the stand-in 'reads' the list)."""
    found = re.search(rf"^(\d+)\. \S+/{operation} ", prompt, re.M)
    return found.group(1) if found else "none of them"


def _model(url: str) -> OpenAICompatLLM:
    return OpenAICompatLLM(EndpointSettings(base_url=url, model="stand-in-model", max_retries=0))


def _names_subscriptions(body: dict) -> str:
    """A stand-in that searches for SNS subscriptions, then picks ListSubscriptionsByTopic."""
    prompt = body["messages"][-1]["content"]
    if "API words" in prompt:  # the rewrite prompt
        return "sns list subscriptions by topic"
    return _line_of(prompt, "ListSubscriptionsByTopic")


@pytest.mark.parametrize(("text", "n", "want"), [
    ("3, 1", 5, [2, 0]),
    ("The best match is 2.", 5, [1]),
    ("2, 2, 4", 5, [1, 3]),
    ("7", 5, []),
    ("0", 5, []),
    ("version 1.5 of op", 5, []),
    ("nothing fits", 5, []),
])
def test_parse_choice(text: str, n: int, want: list[int]) -> None:
    assert parse_choice(text, n) == want


def test_apply_choice_keeps_everything_and_scores_fall(shared_retriever) -> None:
    results = shared_retriever.search(REQUEST, top_k=6)
    out = apply_choice(results, [3, 1])
    assert [r.id for r in out] == [results[i].id for i in (3, 1, 0, 2, 4, 5)]
    assert [r.score for r in out] == sorted((r.score for r in out), reverse=True)


def test_the_models_pick_comes_first_and_the_window_is_unchanged(shared_retriever) -> None:
    results = shared_retriever.search(REQUEST, top_k=10)
    wanted = results[4].operation  # a result the stage below put fifth
    with running_chat_server(lambda body: _line_of(body["messages"][-1]["content"], wanted)) as s:
        outcome = anyio.run(llm_rerank, _model(s.url), REQUEST, results)
        prompt = s.requests[0]["messages"][-1]["content"]
    assert outcome.applied and outcome.note is None and outcome.model == "stand-in-model"
    assert outcome.results[0].operation == wanted
    assert {r.id for r in outcome.results} == {r.id for r in results}
    assert REQUEST in prompt and all(f"{i}. {r.id} " in prompt for i, r in enumerate(results, 1))
    assert [m.role for m in rerank_messages(REQUEST, results)] == ["system", "user"]
    shown = next(r for r in results if r.returns)  # what it returns helps the model pick
    assert f"(returns {', '.join(shown.returns)})" in prompt


def test_the_models_own_search_words_widen_the_window(shared_retriever) -> None:
    """Asked for API words first, the model's words find an operation the stage below did not
    rank; it joins the window, the model picks it, and as many results come back as went in."""
    request = "nobody got the page last night"  # a symptom: no operation is named
    results = shared_retriever.search(request, provider="aws", top_k=5)
    assert "ListSubscriptionsByTopic" not in {r.operation for r in results}

    def search_more(words: str) -> list:
        return shared_retriever.search(request, provider="aws", top_k=5, model_words=words)

    with running_chat_server(_names_subscriptions) as s:
        outcome = anyio.run(lambda: llm_rerank(_model(s.url), request, results,
                                               search_more=search_more))
        asked = [r["messages"][-1]["content"] for r in s.requests]
    assert len(asked) == 2 and request in asked[0] and "API words" in asked[0]
    assert outcome.applied and outcome.added >= 1
    assert outcome.results[0].operation == "ListSubscriptionsByTopic"
    assert len(outcome.results) == len(results)
    assert [r.id for r in outcome.results[1:]] == [r.id for r in results[:4]]  # in their order

    # a model that gives no words still reranks the stage's own window
    with running_chat_server(lambda body: "2" if "API words" not in body["messages"][-1]["content"]
                             else "") as s:
        plain = anyio.run(lambda: llm_rerank(_model(s.url), request, results,
                                             search_more=search_more))
    assert plain.applied and plain.added == 0 and plain.results[0].id == results[1].id


@pytest.mark.parametrize("fault", ["server error", "no number"])
def test_a_failing_model_keeps_the_order_below(shared_retriever, fault: str) -> None:
    results = shared_retriever.search(REQUEST, top_k=5)
    with running_chat_server(lambda body: "I would rather not say") as s:
        if fault == "server error":
            s.script.append((500, {}, {"error": {"message": "boom"}}, 0.0))
        outcome = anyio.run(llm_rerank, _model(s.url), REQUEST, results)
    assert not outcome.applied and [r.id for r in outcome.results] == [r.id for r in results]
    assert outcome.note and outcome.note.startswith("model rerank skipped")
    assert ("named no candidate" in outcome.note) == (fault == "no number")


def test_stage_counts_applied_and_skipped(shared_retriever) -> None:
    results = shared_retriever.search(REQUEST, top_k=5)
    answers = iter(["2", "no idea"])
    with running_chat_server(lambda body: next(answers)) as s:
        stage = ModelRerankStage(_model(s.url))
        first = stage(REQUEST, results)
        second = stage(REQUEST, results)
    assert first[0].id == results[1].id and [r.id for r in second] == [r.id for r in results]
    assert stage.stats.applied == 1 and stage.stats.skipped == 1
    assert "named no candidate" in (stage.stats.first_note or "")


@pytest.fixture
def cli_env(home: Path) -> dict[str, str]:
    (home / "config.yaml").write_text(json.dumps({"sources": source_entries(FIXTURES)}))
    return {"MCP_SRE_HOME": str(home), "MCP_SRE_OFFLINE": "1", "MCP_SRE_EMBEDDER": "none",
            "MCP_SRE_INDEX_SOURCES": ",".join(SOURCE_NAMES), "MCP_SRE_LLM_BASE_URL": "",
            "MCP_SRE_LLM_MODEL": ""}


def test_eval_retrieval_llm_rerank(cli_env: dict[str, str], tmp_path: Path,
                                   shared_retriever) -> None:
    """A case the stages below miss at Top-1 but hold in the top 10 is won back when the model
    picks the gold operation; the report says it is the model stage and how often it applied."""
    query = "show the alarms"
    gold = shared_retriever.search(query, top_k=10)[3]
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"query": query, "gold": [gold.id]}) + "\n")
    plain = CliRunner().invoke(eval_group, ["retrieval", str(cases), "--json"], env=cli_env)
    assert json.loads(plain.stdout)["top1"] == 0.0

    with running_chat_server(lambda body: _line_of(body["messages"][-1]["content"],
                                                   gold.operation)) as s:
        env = {**cli_env, "MCP_SRE_LLM_BASE_URL": s.url, "MCP_SRE_LLM_MODEL": "stand-in-model"}
        result = CliRunner().invoke(eval_group, ["retrieval", str(cases), "--json",
                                                 "--llm-rerank"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["top1"] == 1.0 and data["mode"] == "rerank+llm"
    assert data["llm_rerank"]["applied"] == 1 and data["llm_rerank"]["model"] == "stand-in-model"


def test_eval_retrieval_llm_rerank_reaches_past_the_top_10(cli_env: dict[str, str],
                                                          tmp_path: Path) -> None:
    """A request no stage below ranks the gold for: the model's own search words bring it into
    the window and the model picks it; the report counts the widened requests."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"query": "nobody got the page last night", "provider": "aws",
                                 "gold": ["sns:ListSubscriptionsByTopic"]}) + "\n")
    plain = json.loads(CliRunner().invoke(eval_group, ["retrieval", str(cases), "--json"],
                                          env=cli_env).stdout)
    assert plain["recall10"] == 0.0

    with running_chat_server(_names_subscriptions) as s:
        env = {**cli_env, "MCP_SRE_LLM_BASE_URL": s.url, "MCP_SRE_LLM_MODEL": "stand-in-model"}
        result = CliRunner().invoke(eval_group, ["retrieval", str(cases), "--json",
                                                 "--llm-rerank"], env=env)
    data = json.loads(result.stdout)
    assert data["top1"] == 1.0 and data["llm_rerank"]["widened"] == 1


def test_eval_retrieval_llm_rerank_without_a_model(cli_env: dict[str, str], tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"query": "list pods", "gold": ["listCoreV1NamespacedPod"]}) + "\n")
    result = CliRunner().invoke(eval_group, ["retrieval", str(cases), "--llm-rerank"], env=cli_env)
    assert result.exit_code == 1
    assert "MCP_SRE_LLM_BASE_URL" in result.output and "Traceback" not in result.output
