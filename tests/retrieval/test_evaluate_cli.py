from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcp_sre.errors import NotFoundError, ValidationError
from mcp_sre.retrieval.cli import eval_group, search_command
from mcp_sre.retrieval.evaluate import evaluate, load_cases

from .conftest import FIXTURES, SOURCE_NAMES, source_entries

EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "eval"
CASES = [
    {"query": "list all pods in namespace shop", "provider": "kubernetes",
     "gold": ["listCoreV1NamespacedPod"]},
    {"query": "which CloudWatch alarms are currently firing", "provider": "aws",
     "gold": ["cloudwatch:DescribeAlarms"]},
    {"query": "本月每个服务花了多少钱", "provider": "aws", "gold": ["ce:GetCostAndUsage"]},
    {"query": "frobnicate the quux", "provider": "aws", "gold": ["ec2:NoSuchOperation"]},
]


def _write(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def test_dev_sets_ship_with_the_repo() -> None:
    for name in ("retrieval-dev.jsonl", "awscli-dev.jsonl"):
        cases = load_cases(EVAL / name)
        assert len(cases) >= 45 and all(c.gold for c in cases)


def test_evaluate_metrics_and_misses(shared_retriever, tmp_path: Path) -> None:
    report = evaluate(shared_retriever, load_cases(_write(tmp_path, CASES)))
    assert report.n == 4 and report.top1 == 0.75 and report.top3 == 0.75
    assert report.mrr == 0.75
    assert [m.query for m in report.misses] == ["frobnicate the quux"]
    assert report.misses[0].rank is None and len(report.misses[0].got) == 3
    assert 0 < report.p50_ms <= report.p95_ms


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "x", "gold": ["a"]}\n{"query": "y"}\n')
    with pytest.raises(ValidationError, match=r"bad.jsonl:2"):
        load_cases(bad)
    with pytest.raises(NotFoundError):
        load_cases(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(ValidationError, match="no cases"):
        load_cases(empty)


@pytest.fixture
def cli_env(home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    (home / "config.yaml").write_text(json.dumps({"sources": source_entries(FIXTURES)}))
    return {"MCP_SRE_HOME": str(home), "MCP_SRE_OFFLINE": "1", "MCP_SRE_EMBEDDER": "none",
            "MCP_SRE_INDEX_SOURCES": ",".join(SOURCE_NAMES)}


def test_cli_search_json(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(search_command, ["list my EKS node groups", "--top", "2", "--json"],
                                env=cli_env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data) == 2 and data[0]["id"] == "aws/eks/ListNodegroups"
    assert set(data[0]) == {"id", "provider", "service", "operation", "method", "endpoint",
                            "summary", "access", "returns", "score", "ref"}
    assert data[0]["ref"].startswith("s-")  # for `mcp-sre feedback REF right|wrong`


def test_cli_search_errors_are_one_line(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(search_command, ["list pods", "--provider", "gcp"], env=cli_env)
    assert result.exit_code == 1
    last = result.output.strip().splitlines()[-1]  # earlier lines: first-run index progress
    assert last == "error: unknown provider 'gcp' (known providers: aws, kubernetes)"
    assert "Traceback" not in result.output


def test_cli_eval_retrieval(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = _write(tmp_path, CASES)
    result = CliRunner().invoke(eval_group, ["retrieval", str(path), "--json"], env=cli_env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 4 and data["top1"] == 0.75 and data["mrr"] == 0.75
    assert {"p50_ms", "p95_ms", "misses"} <= set(data)
    text = CliRunner().invoke(eval_group, ["retrieval", str(path)], env=cli_env)
    assert text.exit_code == 0
    assert "n=4 top1=0.750 top3=0.750" in text.output and "MISS" in text.output
    missing = CliRunner().invoke(eval_group, ["retrieval", str(tmp_path / "nope.jsonl")],
                                 env=cli_env)
    assert missing.exit_code == 1 and missing.output.startswith("error:")
    # cases searched as requests that name no provider, in the configured ones
    scoped = CliRunner().invoke(eval_group, ["retrieval", str(path), "--no-provider-filter",
                                             "--json"], env={**cli_env, "MCP_SRE_PROVIDERS": "aws"})
    data = json.loads(scoped.stdout)
    assert data["providers"] == ["aws"]
    assert data["misses"][0]["query"] == "list all pods in namespace shop"  # not searched
    assert all(not g.startswith("core_v1:") for g in data["misses"][0]["got"])


def test_cli_search_asks_the_configured_model_to_rewrite(cli_env: dict[str, str]) -> None:
    """With MCP_SRE_LLM_QUERY_REWRITE=1, the endpoint (a stand-in model behind a real HTTP
    server on 127.0.0.1) turns a request no vocabulary knows into API words."""
    if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds chat_endpoint
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from chat_endpoint import running_chat_server

    query = "frobnicate the shop wombats"
    with running_chat_server(lambda body: "list EKS node groups") as server:
        env = {**cli_env, "MCP_SRE_LLM_QUERY_REWRITE": "1", "MCP_SRE_LLM_BASE_URL": server.url,
               "MCP_SRE_LLM_MODEL": "stand-in-model"}
        result = CliRunner().invoke(search_command, [query, "--top", "1", "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["id"] == "aws/eks/ListNodegroups"
    assert query in server.requests[0]["messages"][-1]["content"]
    plain = CliRunner().invoke(search_command, [query, "--top", "1", "--json"], env=cli_env)
    assert json.loads(plain.stdout)[0]["id"] != "aws/eks/ListNodegroups"
