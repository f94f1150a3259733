"""Spec sources of the kubernetes provider, and fetching a cluster's own /openapi/v2."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_sre.errors import SpecFetchError
from mcp_sre.specs.fetch import fetch_source
from mcp_sre.specs.model import SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre_kubernetes.executor import execute_operation
from mcp_sre_kubernetes.sim import SimServer
from mcp_sre_kubernetes.sources import builtin_sources


def test_builtin_sources(pm) -> None:
    sources = {s.name: s for s in builtin_sources(include_cluster=False)}
    upstream = sources["kubernetes"]
    assert upstream.url.endswith("/release-1.36/api/openapi-spec/swagger.json")
    assert (upstream.format, upstream.snapshot, upstream.default) == (
        "swagger", "kubernetes-swagger.json", True)
    custom = sources["kubernetes-custom-objects"]
    assert Path(custom.url).is_file() and custom.default
    assert "kubernetes-cluster" not in sources  # no kubeconfig in the test environment
    registered: list[SpecSource] = []
    pm.hook.register_doc_sources(register=registered.append)
    names = {s.name for s in registered if s.provider == "kubernetes"}
    assert names == {"kubernetes", "kubernetes-custom-objects"}


def test_cluster_source_registered_when_a_kubeconfig_exists(
        kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    cluster = {s.name: s for s in builtin_sources()}["kubernetes-cluster"]
    assert cluster.url == "kubeconfig:/openapi/v2" and cluster.default is False


def test_fetch_and_parse_the_clusters_openapi(pm, sim: SimServer, kubeconfig: Path) -> None:
    source = {s.name: s for s in builtin_sources(include_cluster=True)}["kubernetes-cluster"]
    source = source.model_copy(update={"options": {"kubeconfig": str(kubeconfig)}})
    fetched = fetch_source(source, pm=pm)
    assert fetched.url == f"{sim.url}/openapi/v2" and fetched.etag
    specs = {s.id: s for s in parse_content(pm, fetched.content, source)}
    assert "kubernetes/core_v1/readCoreV1NamespacedPodLog" in specs
    # the cluster's own document covers its CRDs, named as kube-apiserver names them
    certs = specs["kubernetes/certmanagerio_v1/listCertManagerIoV1NamespacedCertificate"]
    assert certs.access == "read" and len(specs) == 1123 + 4
    assert specs["kubernetes/certmanagerio_v1/deleteCertManagerIoV1NamespacedCertificate"
                 ].access == "write"
    listing = execute_operation(certs, {"namespace": "shop"}, {"kubeconfig": str(kubeconfig)})
    assert [c["metadata"]["name"] for c in listing["items"]] == ["shop-tls"]
    assert sim.requests_matching("GET", "/openapi/v2")[-1].authorized


def test_fetch_without_a_cluster_is_a_typed_error(pm) -> None:
    source = SpecSource(name="kubernetes-cluster", provider="kubernetes",
                        url="kubeconfig:/openapi/v2", format="swagger")
    with pytest.raises(SpecFetchError, match="no Kubernetes cluster configured"):
        fetch_source(source, pm=pm)
    bad = source.model_copy(update={"options": {"kubeconfig": "/nonexistent/config"}})
    with pytest.raises(SpecFetchError, match="does not exist"):
        fetch_source(bad, pm=pm)


def test_every_service_the_vocabulary_names_is_one_the_swagger_has(k8s_specs) -> None:
    """A service the search vocabulary names must be spelt as the index spells the spec's
    (rbacauthorization_v1, not the tag's rbacAuthorization_v1), or its words never count."""
    from mcp_sre.plugin_manager import make_plugin_manager
    from mcp_sre.retrieval.vocabulary import load_vocabulary

    vocab = load_vocabulary(make_plugin_manager())
    services = {spec.service for spec in k8s_specs.values()}
    named = {s for p, s in vocab.services if p == "kubernetes"}
    named |= set(vocab.common.get("kubernetes", ()))
    assert named and not named - services, named - services
