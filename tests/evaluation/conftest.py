"""A home whose config points at the small fixture index (eight botocore services and the core
Kubernetes APIs, keyword-only) so ``mcp-sre eval all`` runs its real code path in seconds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "fixtures" / "retrieval"
AWS = ["cloudwatch", "logs", "elbv2", "eks", "ce", "sns", "xray", "ec2"]

CASES = [
    {"query": "list all pods in namespace shop", "provider": "kubernetes",
     "gold": ["listCoreV1NamespacedPod"]},
    {"query": "which CloudWatch alarms are currently firing", "provider": "aws",
     "gold": ["cloudwatch:DescribeAlarms"]},
    {"query": "本月每个服务花了多少钱", "provider": "aws", "gold": ["ce:GetCostAndUsage"]},
    {"query": "recent log events of a log group", "provider": "aws",
     "gold": ["logs:GetLogEvents", "logs:FilterLogEvents"]},
]


@pytest.fixture
def small_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    sources = [{"name": f"aws-{s}", "provider": "aws", "url": str(FIXTURES / f"{s}.json.gz"),
                "format": "botocore", "service": s, "default": False} for s in AWS]
    sources.append({"name": "k8s-core", "provider": "kubernetes",
                    "url": str(FIXTURES / "kubernetes-core.json"), "format": "swagger",
                    "default": False})
    (home / "config.yaml").write_text(yaml.safe_dump({"offline": True, "sources": sources}))
    monkeypatch.setenv("MCP_SRE_INDEX_SOURCES", ",".join(s["name"] for s in sources))
    monkeypatch.setenv("MCP_SRE_EMBEDDER", "none")
    return home


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "retrieval-tiny.jsonl").write_text(
        "\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n", encoding="utf-8")
    return folder
