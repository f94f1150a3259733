"""A keyword-only index over the small fixture specs (eight botocore services, core
Kubernetes) and a learner with its own store, both in the test's home."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_sre.config import Settings, load_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "retrieval"
AWS = ["cloudwatch", "logs", "elbv2", "eks", "ce", "sns", "xray", "ec2"]
NAMES = [f"aws-{s}" for s in AWS] + ["k8s-core"]


def sources() -> list[dict[str, object]]:
    entries: list[dict[str, object]] = [
        {"name": f"aws-{s}", "provider": "aws", "url": str(FIXTURES / f"{s}.json.gz"),
         "format": "botocore", "service": s, "default": False} for s in AWS]
    entries.append({"name": "k8s-core", "provider": "kubernetes",
                    "url": str(FIXTURES / "kubernetes-core.json"), "format": "swagger",
                    "default": False})
    return entries


@pytest.fixture
def small_settings(home: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("MCP_SRE_INDEX_SOURCES", ",".join(NAMES))
    monkeypatch.setenv("MCP_SRE_EMBEDDER", "none")
    return load_settings(home=home, offline=True, sources=sources())


@pytest.fixture
def learner(home: Path):
    from mcp_sre.learning import FailureStore, Learner

    store = FailureStore(home / "learning" / "failures.sqlite")
    yield Learner(store)
    store.close()


@pytest.fixture
def retriever(small_settings: Settings, learner):
    from mcp_sre.retrieval import Retriever

    r = Retriever(small_settings, embedder=None, learner=learner)
    r.ensure_index()
    ids = {d.id for d in r.current().docs}
    learner.known = ids.__contains__
    return r
