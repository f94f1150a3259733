"""The spec-derived training requests: deterministic, every provider, no evaluation query,
Chinese only from the plugins' vocabulary."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from mcp_sre.config import load_settings
from mcp_sre.retrieval.documents import has_cjk
from mcp_sre.retrieval.evaluate import load_cases
from mcp_sre.retrieval.training import ChineseWords, generate, normalise

from .conftest import FIXTURES, source_entries

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
EVAL = Path(__file__).resolve().parents[1] / "fixtures" / "eval"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    """Real spec files of four formats: botocore, Kubernetes swagger, a GCP discovery document,
    and two gRPC APIs added as a user would (providers no vocabulary describes)."""
    from mcp_sre.retrieval import Retriever

    entries = [
        *source_entries(FIXTURES),
        {"name": "gcp-cloudtrace", "provider": "gcp", "format": "discovery", "default": False,
         "url": str(SPECS / "gcp_cloudtrace_v2.discovery.json")},
        {"name": "grpc-health", "provider": "grpc-health", "default": False,
         "url": str(SPECS / "grpc_health_v1.proto")},
        {"name": "grpc-channelz", "provider": "grpc-channelz", "default": False,
         "url": str(SPECS / "grpc_channelz_v1.proto")},
    ]
    home = tmp_path_factory.mktemp("training-home")
    settings = load_settings(home=home, offline=True, sources=entries)
    r = Retriever(settings, embedder=None, sources=[str(e["name"]) for e in entries])
    r.ensure_index()
    return r.current().docs, r.vocabulary


def test_same_seed_same_cases_other_seed_other_cases(small) -> None:
    docs, vocab = small
    first = generate(docs, vocab, per_provider=30, seed=1)
    assert first == generate(list(reversed(docs)), vocab, per_provider=30, seed=1)
    assert [c.query for c in first] != [c.query for c in generate(docs, vocab, per_provider=30, seed=2)]


def test_every_provider_capped_gold_indexed(small) -> None:
    docs, vocab = small
    cases = generate(docs, vocab, per_provider=25)
    providers = {d.provider for d in docs}
    assert {c.provider for c in cases} == providers
    ids = {d.id: d.provider for d in docs}
    for p in providers:
        assert 0 < sum(c.provider == p for c in cases) <= 25
    for c in cases:
        assert c.gold and all(ids[g] == c.provider for g in c.gold)


def test_evaluation_queries_never_produced(small) -> None:
    docs, vocab = small
    cases = generate(docs, vocab, per_provider=40)
    evaluation = {c.query for path in sorted(EVAL.glob("*.jsonl")) for c in load_cases(path)}
    taken = {normalise(c.query) for c in cases[::3]}  # a third of them made "evaluation" queries
    again = generate(docs, vocab, per_provider=40, exclude=evaluation | {q.upper() for q in taken})
    produced = {normalise(c.query) for c in again}
    assert not produced & taken
    assert not produced & {normalise(q) for q in evaluation}
    assert len(again) >= len(cases) * 0.8  # other requests of the same operations instead


def test_chinese_only_from_the_vocabulary(small) -> None:
    docs, vocab = small
    words = ChineseWords(vocab)
    known = set(words.nouns.values()) | set(words.verbs.values())
    chinese = [c for c in generate(docs, vocab, per_provider=80) if has_cjk(c.query)]
    assert chinese, "the plugins' vocabulary names Kubernetes resources in Chinese"
    for case in chinese:
        rest = case.query
        for w in sorted(known, key=len, reverse=True):
            rest = rest.replace(w, " ")
        assert not re.search(r"[\u3400-\u9fff]", rest), case.query
    english_only = replace(vocab, terms={k: v for k, v in vocab.terms.items() if not has_cjk(k)})
    assert not any(has_cjk(c.query) for c in generate(docs, english_only, per_provider=80))
