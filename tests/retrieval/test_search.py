"""The Retriever on a small real index (keyword + rerank; dense is covered separately)."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from mcp_sre.errors import NotFoundError, ValidationError
from mcp_sre.retrieval import Retriever
from mcp_sre.retrieval.store import INDEX_FORMAT

from .conftest import SOURCE_NAMES


@pytest.mark.parametrize(
    ("query", "provider", "want"),
    [
        ("list all pods in namespace shop", None, "kubernetes/core_v1/listCoreV1NamespacedPod"),
        ("list all stateful sets in every namespace", "kubernetes",
         "kubernetes/apps_v1/listAppsV1StatefulSetForAllNamespaces"),
        ("get the logs of container web in pod web-app-xyz", None,
         "kubernetes/core_v1/readCoreV1NamespacedPodLog"),
        ("节点的内存压力和磁盘压力状态", None, "kubernetes/core_v1/readCoreV1NodeStatus"),
        ("which CloudWatch alarms are currently firing", None, "aws/cloudwatch/DescribeAlarms"),
        ("哪些安全组对0.0.0.0/0开放了22端口", "aws", "aws/ec2/DescribeSecurityGroups"),
        ("本月每个服务花了多少钱", None, "aws/ce/GetCostAndUsage"),
        ("列出EKS集群的所有节点组", None, "aws/eks/ListNodegroups"),
        ("list notification topics", "aws", "aws/sns/ListTopics"),
        ("To delete a log group", "aws", "aws/logs/DeleteLogGroup"),
        # the head noun is the object of the last order, not the first noun of the request
        ("my deployment keeps failing, show the events recorded in namespace shop",
         "kubernetes", "kubernetes/events_v1/listEventsV1NamespacedEvent"),
        ("To add a tag to a load balancer", "aws", "aws/elbv2/AddTags"),
        # a vocabulary synonym of the head noun (dependency map -> service graph)
        ("show the dependency map of my services", "aws", "aws/xray/GetServiceGraph"),
        # resource + facet both named: the facet operation
        ("describe the status of instance i-123", "aws", "aws/ec2/DescribeInstanceStatus"),
        # the namespace a request is scoped to is not the resource it asks about
        ("show the config maps defined in namespace billing", "kubernetes",
         "kubernetes/core_v1/listCoreV1NamespacedConfigMap"),
        ("show the services defined in namespace billing", "kubernetes",
         "kubernetes/core_v1/listCoreV1NamespacedService"),
        ("查看命名空间 shop 中 service cart 的定义", "kubernetes",
         "kubernetes/core_v1/readCoreV1NamespacedService"),
        ("which secrets exist in namespace billing", "kubernetes",
         "kubernetes/core_v1/listCoreV1NamespacedSecret"),
        ("show the limit ranges in namespace dev", "kubernetes",
         "kubernetes/core_v1/listCoreV1NamespacedLimitRange"),
    ],
)
def test_finds_the_operation(shared_retriever: Retriever, query: str, provider: str | None,
                             want: str) -> None:
    results = shared_retriever.search(query, provider=provider, top_k=3)
    assert results[0].id == want, [r.id for r in results]


def test_result_fields_and_scores(shared_retriever: Retriever) -> None:
    results = shared_retriever.search("describe ec2 instances", top_k=5)
    top = results[0]
    assert top.id == "aws/ec2/DescribeInstances"
    assert (top.provider, top.service, top.operation, top.access) == (
        "aws", "ec2", "DescribeInstances", "read")
    assert top.method == "POST" and top.summary
    assert top.returns[0] == "Reservations" and "Instances" in top.returns  # the reply's fields
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_filters(shared_retriever: Retriever) -> None:
    k8s = shared_retriever.search("list events", provider="kubernetes", top_k=10)
    assert k8s and all(r.provider == "kubernetes" for r in k8s)
    logs = shared_retriever.search("list events", provider="aws", service="logs", top_k=10)
    assert logs and all(r.service == "logs" for r in logs)
    assert len(shared_retriever.search("pods", top_k=500)) == 100  # capped


def test_bad_input_is_a_typed_error(shared_retriever: Retriever) -> None:
    with pytest.raises(ValidationError, match="empty"):
        shared_retriever.search("   ")
    with pytest.raises(NotFoundError, match="known providers: aws, kubernetes"):
        shared_retriever.search("list pods", provider="azure")
    with pytest.raises(NotFoundError, match="did you mean: ec2"):
        shared_retriever.search("list instances", service="ec3")
    with pytest.raises(ValidationError, match="top_k"):
        shared_retriever.search("list pods", top_k=0)
    with pytest.raises(ValidationError, match="mode"):
        shared_retriever.search("list pods", mode="magic")  # type: ignore[arg-type]


def test_long_query_is_truncated_and_logged(shared_retriever: Retriever) -> None:
    results = shared_retriever.search("list pods in namespace shop " * 400)
    assert results[0].operation == "listCoreV1NamespacedPod"
    last = json.loads(shared_retriever.log_path.read_text(encoding="utf-8").splitlines()[-1])
    assert last["truncated"] is True and len(last["query"]) <= 1000


def test_every_query_is_logged(retriever: Retriever) -> None:
    retriever.search("列出EKS集群的所有节点组", top_k=3)
    line = retriever.log_path.read_text(encoding="utf-8").splitlines()[-1]
    record = json.loads(line)
    assert record["query"] == "列出EKS集群的所有节点组"
    assert "nodegroup" in record["rewritten"]
    assert record["top"][0] == "aws/eks/ListNodegroups"
    assert record["latency_ms"] > 0 and record["mode"] == "rerank"


def test_modes_all_answer(shared_retriever: Retriever) -> None:
    for mode in ("bm25", "dense", "hybrid", "rerank"):
        got = shared_retriever.search("list log groups", provider="aws", top_k=5, mode=mode)
        assert {"DescribeLogGroups", "ListLogGroups"} & {r.operation for r in got}, mode
        assert all(r.provider == "aws" for r in got)


def test_second_build_reuses_and_a_changed_source_is_reindexed_alone(
    retriever: Retriever, spec_dir: Path
) -> None:
    again = retriever.ensure_index()
    assert again.rebuilt == [] and sorted(again.reused) == sorted(SOURCE_NAMES)
    # change one source: a new SNS operation appears
    import gzip

    path = spec_dir / "sns.json.gz"
    model = json.loads(gzip.decompress(path.read_bytes()))
    op = dict(model["operations"]["ListTopics"])
    op["name"] = "ListQuarantinedTopics"
    op["documentation"] = "<p>Lists the quarantined topics of the account.</p>"
    model["operations"]["ListQuarantinedTopics"] = op
    path.write_bytes(gzip.compress(json.dumps(model).encode()))
    # max_age_hours=0: the catalog re-reads the files instead of trusting its 24 h cache
    settings = retriever.settings.model_copy(update={"max_age_hours": 0.0})
    fresh = Retriever(settings, embedder=None, sources=SOURCE_NAMES)
    status = fresh.ensure_index()
    assert status.rebuilt == ["aws-sns"]
    assert sorted(status.reused) == sorted(set(SOURCE_NAMES) - {"aws-sns"})
    assert fresh.search("list quarantined topics", top_k=1)[0].operation == "ListQuarantinedTopics"


def test_a_new_process_loads_what_the_index_derived(retriever: Retriever,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from mcp_sre.retrieval import index as index_module

    query = "which nodes are NotReady in the cluster"
    expected = [r.id for r in retriever.search(query, top_k=5)]
    assert (retriever.store.dir / "derived.pkl").exists()
    derived: list[object] = []
    real = index_module.answer_words
    monkeypatch.setattr(index_module, "answer_words",
                        lambda *a: derived.append(a) or real(*a))
    loaded = Retriever(retriever.settings, embedder=None, sources=SOURCE_NAMES)
    loaded.ensure_index()
    assert derived == [] and [r.id for r in loaded.search(query, top_k=5)] == expected
    # a file that does not read back is derived again (and rewritten), never an error
    (retriever.store.dir / "derived.pkl").write_bytes(b"torn")
    again = Retriever(retriever.settings, embedder=None, sources=SOURCE_NAMES)
    again.ensure_index()
    assert len(derived) == 1 and [r.id for r in again.search(query, top_k=5)] == expected
    # the key names the vocabulary and the documents, not just the files
    digests, order = {"a": "1"}, ["a"]
    vocab = retriever.vocabulary
    key = index_module.derivation_key(digests, order, vocab, 9)
    assert key == index_module.derivation_key(dict(digests), list(order), vocab, 9)
    assert key != index_module.derivation_key({"a": "2"}, order, vocab, 9)
    assert key != index_module.derivation_key(digests, order, vocab, 10)
    other = replace(vocab, title_noise=vocab.title_noise | {"zzz"})
    assert key != index_module.derivation_key(digests, order, other, 9)


def test_older_or_broken_index_is_rebuilt(retriever: Retriever) -> None:
    manifest = retriever.store.dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["index_format"] = INDEX_FORMAT - 1
    manifest.write_text(json.dumps(data))
    status = Retriever(retriever.settings, embedder=None, sources=SOURCE_NAMES).ensure_index()
    assert sorted(status.rebuilt) == sorted(SOURCE_NAMES)
    manifest.write_text("{not json")
    status = Retriever(retriever.settings, embedder=None, sources=SOURCE_NAMES).ensure_index()
    assert sorted(status.rebuilt) == sorted(SOURCE_NAMES)
    (retriever.store.dir / "bm25.npz").write_bytes(b"garbage")
    fresh = Retriever(retriever.settings, embedder=None, sources=SOURCE_NAMES)
    assert fresh.ensure_index().documents == status.documents
    assert fresh.search("list pods in namespace shop")[0].operation == "listCoreV1NamespacedPod"


def test_missing_index_is_built_on_first_search(small_settings) -> None:
    r = Retriever(small_settings, embedder=None, sources=SOURCE_NAMES)
    assert r.store.manifest() is None
    assert r.search("list sns topics", top_k=1)[0].id == "aws/sns/ListTopics"
    assert r.store.manifest() is not None


def test_unknown_source_is_reported_not_fatal(small_settings) -> None:
    r = Retriever(small_settings, embedder=None, sources=["aws-sns", "no-such-source"])
    status = r.ensure_index()
    assert status.sources == {"aws-sns": 42} or set(status.sources) == {"aws-sns"}
    assert "no-such-source" in status.failed
    with pytest.raises(NotFoundError, match="nothing to index"):
        Retriever(small_settings, embedder=None, sources=["no-such-source"]).ensure_index()


def test_concurrent_searches_while_reindexing(retriever: Retriever) -> None:
    errors: list[BaseException] = []
    answers: list[str] = []
    stop = threading.Event()

    def searcher() -> None:
        while not stop.is_set():
            try:
                answers.append(retriever.search("list sns topics", top_k=1)[0].id)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)
                return

    threads = [threading.Thread(target=searcher) for _ in range(3)]
    for t in threads:
        t.start()
    retriever.store.reset()  # force a full rebuild under the searchers
    status = retriever.ensure_index()
    stop.set()
    for t in threads:
        t.join(10)
    assert not errors
    assert status.documents > 1000 and answers
    assert set(answers) == {"aws/sns/ListTopics"}


def test_warm_ensure_index_is_cheap_and_still_sees_changes(
    retriever: Retriever, spec_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    import mcp_sre.retrieval.indexer as indexer_mod

    monkeypatch.setattr(indexer_mod, "DIGEST_CHECK_S", 0.0)
    settings = retriever.settings.model_copy(update={"max_age_hours": 0.0})
    r = Retriever(settings, embedder=None, sources=SOURCE_NAMES)
    r.ensure_index()
    quick = r.ensure_index()
    assert quick.rebuilt == [] and quick.seconds < 1.0
    path = spec_dir / "xray.json.gz"
    model = json.loads(gzip.decompress(path.read_bytes()))
    model["operations"].pop("GetServiceGraph")
    path.write_bytes(gzip.compress(json.dumps(model).encode()))
    status = r.ensure_index()
    assert status.rebuilt == ["aws-xray"] and status.sources["aws-xray"] == 37
    assert "GetServiceGraph" not in [x.operation for x in r.search("get service graph", top_k=5)]


def _things_doc(summary: str, *ops: str) -> str:
    paths = {f"/things/{op}": {"get": {"operationId": op, "summary": summary,
                                       "responses": {"200": {"description": "OK"}}}}
             for op in ops}
    return json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                       "paths": paths})


def test_a_shadowed_source_is_not_indexed_twice(tmp_path: Path) -> None:
    """A source that shadows another (a cluster's own spec over the upstream release) is
    indexed instead of it while it loads; when it cannot load, the upstream is indexed."""
    from mcp_sre.config import load_settings

    upstream, cluster = tmp_path / "upstream.json", tmp_path / "cluster.json"
    upstream.write_text(_things_doc("upstream copy", "listThings", "listOldThings"), "utf-8")
    cluster.write_text(_things_doc("cluster copy", "listThings", "listWidgets"), "utf-8")
    base = {"provider": "things", "format": "openapi", "service": "things"}
    sources = [{"name": "things", "url": str(upstream), **base},
               {"name": "things-cluster", "url": str(cluster), "shadows": ["things"], **base}]
    settings = load_settings(home=tmp_path / "home", sources=sources, offline=False)
    retriever = Retriever(settings, embedder=None, vector_seed=None,
                          sources=["things", "things-cluster"])
    status = retriever.ensure_index()
    assert status.shadowed == {"things": "things-cluster"}
    assert status.documents == 2  # not 4: every operation once
    hits = retriever.search("list things", provider="things", top_k=5)
    assert {h.summary for h in hits} == {"cluster copy"}

    cluster.unlink()  # the cluster cannot be reached and was never cached
    fresh = Retriever(load_settings(home=tmp_path / "home2", sources=sources),
                      embedder=None, vector_seed=None, sources=["things", "things-cluster"])
    status = fresh.ensure_index()
    assert status.shadowed == {} and "things-cluster" in status.failed
    assert {h.summary for h in fresh.search("list things", provider="things")} == \
        {"upstream copy"}


def test_a_span_of_time_brings_operations_that_take_one(shared_retriever: Retriever) -> None:
    """"average network throughput of web-asg over the last hour" names no metric service;
    the operations whose input opens a span of time still reach the reranker, best keyword
    matches first (the request shares a word with GetMetricData's text: ties among operations
    no word matches come in no set order, which numpy releases differ on)."""
    from mcp_sre.retrieval.candidates import span_candidates

    index = shared_retriever.current()
    rewriter = shared_retriever.searcher.rewriter_for(index)
    lexical = index.bm25.scores(rewriter.rewrite("average network throughput of web-asg").terms,
                                {"name": 1.0, "text": 0.35})
    metric_reads = {"aws/cloudwatch/GetMetricData", "aws/cloudwatch/GetMetricStatistics"}
    over_time = span_candidates(index, rewriter.rewrite(
        "average network throughput of web-asg over the last hour"), lexical, None)
    ids = {index.docs[int(i)].id for i in over_time}
    assert ids & metric_reads
    assert all(index.time_range[int(i)] == 1.0 for i in over_time)
    assert len(span_candidates(index, rewriter.rewrite("network traffic of web-asg"),
                               lexical, None)) == 0


def test_a_request_naming_no_provider_stays_in_the_configured_ones(
        shared_retriever: Retriever, caplog: pytest.LogCaptureFixture) -> None:
    searcher = shared_retriever.searcher
    try:
        searcher.providers = ("aws",)
        # a namespace called kube-system names no provider: only the configured one is searched
        scoped = shared_retriever.search("recent events in namespace kube-system", top_k=20)
        assert scoped and {r.provider for r in scoped} == {"aws"}
        # a request that names a provider is searched there, configured or not
        named = shared_retriever.search("recent k8s events in namespace shop", top_k=20)
        assert named[0].provider == "kubernetes"
        assert {r.provider for r in named} == {"kubernetes"}
        # a service named with the provider word still counts ("EKS" is AWS's)
        both = shared_retriever.search("kubernetes version of the EKS cluster prod", top_k=20)
        assert both[0].service == "eks"
        # an explicit filter wins over the configuration
        k8s = shared_retriever.search("recent events", provider="kubernetes", top_k=5)
        assert {r.provider for r in k8s} == {"kubernetes"}
        # a configured provider that is not indexed is a typo to report, not an empty search
        searcher.providers = ("awz",)
        with caplog.at_level(logging.WARNING, logger="mcp_sre.retrieval"):
            everywhere = shared_retriever.search("recent events in namespace shop", top_k=20)
        assert {r.provider for r in everywhere} == {"aws", "kubernetes"}
        assert "awz" in caplog.text and "not indexed" in caplog.text
    finally:
        searcher.providers = ()
        searcher._unknown_providers = []



def test_a_field_the_request_spells_brings_its_readers_in() -> None:
    """"ddb orders item count": in the named service, the operations whose reply holds
    ItemCount are candidates though no word of their names is written; not another
    service's, nor any without a named field or service."""
    from types import SimpleNamespace

    import numpy as np

    from mcp_sre.retrieval.candidates import field_candidates

    index = SimpleNamespace(
        keys=[("aws", "dynamodb"), ("aws", "rds")], service_of=np.array([0, 0, 1]),
        replies=[frozenset({"table"}), frozenset({"itemcount"}), frozenset({"itemcount"})])
    q = SimpleNamespace(fields=frozenset({"itemcount"}), services={("aws", "dynamodb"): 1.0})
    assert field_candidates(index, q, None).tolist() == [1]  # type: ignore[arg-type]
    assert field_candidates(index, q, np.array([True, False, True])).tolist() == []  # type: ignore[arg-type]
    q.services = {}
    assert field_candidates(index, q, None).tolist() == []  # type: ignore[arg-type]
