"""SDK-shaped writes are refused at registration for every cloud whose plugin names its SDK
calls (``sdk_call_operation``): a Kubernetes client delete like a boto3 terminate, judged by
the operation's spec, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_moto import SpecLookup

from mcp_sre.config import PROJECT_ROOT, Settings
from mcp_sre.plugin_manager import make_plugin_manager
from mcp_sre.registry import RegistrationRefused, ToolRegistry
from mcp_sre.specs.model import APISpec, SpecSource
from mcp_sre.specs.parse import parse_content
from mcp_sre.toolcode.calls import sdk_namer
from mcp_sre.toolcode.review import review_tool

SWAGGER = PROJECT_ROOT / "plugins" / "mcp_sre_kubernetes" / "specs" / "kubernetes-swagger.json"
PARAMS = {"type": "object", "properties": {"namespace": {"type": "string"}}}
TEST = "def test_runs():\n    assert main() is not None\n"
K8S_DELETE = '''
from kubernetes import client, config

def main(namespace: str = "default") -> int:
    config.load_kube_config()
    v1 = client.CoreV1Api()
    pods = v1.list_namespaced_pod(namespace)
    for pod in pods.items[:5]:
        v1.delete_namespaced_pod(pod.metadata.name, namespace)
    return len(pods.items)
'''


@pytest.fixture(scope="module")
def k8s_pm():
    return make_plugin_manager(only={"swagger", "kubernetes"})


@pytest.fixture(scope="module")
def k8s_lookup(k8s_pm) -> SpecLookup:
    source = SpecSource(name="kubernetes", provider="kubernetes", url=str(SWAGGER),
                        format="swagger")
    specs: dict[str, APISpec] = {s.id: s for s in parse_content(k8s_pm, SWAGGER.read_bytes(),
                                                                source)}
    return SpecLookup(specs)


def _registry(settings: Settings, pm, lookup) -> ToolRegistry:
    # no sandbox: a refusal by the review must come before any run
    def no_sandbox():
        raise AssertionError("the review should have refused the tool before the test ran")

    return ToolRegistry(settings, sandbox=no_sandbox, pm=pm, operation_lookup=lookup,
                        embed=None)


def test_kubernetes_client_write_is_refused_by_its_spec(reg_settings: Settings, k8s_pm,
                                                        k8s_lookup: SpecLookup) -> None:
    registry = _registry(reg_settings, k8s_pm, k8s_lookup)
    report, result = registry.check("pod_sweeper", "Deletes the pods of a namespace, counting "
                                    "them.", K8S_DELETE, TEST, PARAMS)
    assert not report.passed and result is None
    writes = [f for f in report.findings if f.rule == "write_call"]
    assert [(f.line, f.where) for f in writes] == [(9, "code")]
    assert "kubernetes/core_v1/deleteCoreV1NamespacedPod" in writes[0].message
    assert k8s_lookup("kubernetes/core_v1/deleteCoreV1NamespacedPod").access in writes[0].message
    assert report.operations == ["kubernetes/core_v1/listCoreV1NamespacedPod",
                                 "kubernetes/core_v1/deleteCoreV1NamespacedPod"]
    with pytest.raises(RegistrationRefused, match="deleteCoreV1NamespacedPod"):
        registry.register("pod_sweeper", "Deletes the pods of a namespace, counting them.",
                          K8S_DELETE, TEST, PARAMS)
    assert not (Path(reg_settings.registry_dir) / "pod_sweeper").exists()


def test_kubernetes_client_reads_pass_the_review(k8s_pm, k8s_lookup: SpecLookup) -> None:
    read_only = K8S_DELETE.replace(
        "    for pod in pods.items[:5]:\n        v1.delete_namespaced_pod(pod.metadata.name, "
        "namespace)\n", "")
    assert "delete" not in read_only
    report = review_tool(read_only, TEST, PARAMS, lookup=k8s_lookup, sdk=sdk_namer(k8s_pm))
    assert report.passed, [str(f) for f in report.findings]
    assert report.operations == ["kubernetes/core_v1/listCoreV1NamespacedPod"]
