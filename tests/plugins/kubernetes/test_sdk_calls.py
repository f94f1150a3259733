"""The Kubernetes plugin names ``kubernetes.client`` calls by the swagger's operationIds (the
``sdk_call_operation`` hook), so the registry's write check judges them by their spec."""

from __future__ import annotations

import pytest

from mcp_sre.specs.model import APISpec
from mcp_sre.toolcode.calls import SdkCall
from mcp_sre_kubernetes.sdk_calls import api_operation

# (API class, method of the official client) -> the operation it calls
CLIENT_METHODS = [
    ("CoreV1Api", "delete_namespaced_pod", "kubernetes/core_v1/deleteCoreV1NamespacedPod"),
    ("CoreV1Api", "list_namespaced_pod", "kubernetes/core_v1/listCoreV1NamespacedPod"),
    ("CoreV1Api", "read_namespaced_pod_log", "kubernetes/core_v1/readCoreV1NamespacedPodLog"),
    ("CoreV1Api", "list_pod_for_all_namespaces_with_http_info",
     "kubernetes/core_v1/listCoreV1PodForAllNamespaces"),
    ("AppsV1Api", "patch_namespaced_deployment_scale",
     "kubernetes/apps_v1/patchAppsV1NamespacedDeploymentScale"),
    ("BatchV1Api", "delete_collection_namespaced_job",
     "kubernetes/batch_v1/deleteBatchV1CollectionNamespacedJob"),
    ("RbacAuthorizationV1Api", "list_cluster_role",
     "kubernetes/rbacauthorization_v1/listRbacAuthorizationV1ClusterRole"),
    ("AutoscalingV2Api", "list_horizontal_pod_autoscaler_for_all_namespaces",
     "kubernetes/autoscaling_v2/listAutoscalingV2HorizontalPodAutoscalerForAllNamespaces"),
]


@pytest.mark.parametrize(("api", "method", "expected"), CLIENT_METHODS)
def test_client_methods_name_swagger_operations(api: str, method: str, expected: str,
                                                k8s_specs: dict[str, APISpec]) -> None:
    op = api_operation(api, method)
    assert op is not None and op.lower() == expected.lower()
    # the id is one the shipped swagger defines (the host matches names ignoring case)
    assert op.lower() in {spec_id.lower() for spec_id in k8s_specs}


def test_writes_are_classified_as_writes(k8s_specs: dict[str, APISpec]) -> None:
    by_lower = {spec_id.lower(): spec for spec_id, spec in k8s_specs.items()}
    delete = by_lower[api_operation("CoreV1Api", "delete_namespaced_pod").lower()]
    listing = by_lower[api_operation("CoreV1Api", "list_namespaced_pod").lower()]
    assert delete.access != "read" and listing.access == "read"


def test_the_hook_answers_only_for_api_clients(pm) -> None:
    def ask(factory: str, method: str) -> str | None:
        return pm.hook.sdk_call_operation(call=SdkCall(factory=factory, method=method))

    assert ask("client.CoreV1Api", "delete_namespaced_pod") == \
        "kubernetes/core_v1/deleteCoreV1NamespacedPod"
    assert ask("kubernetes.client.AppsV1Api", "list_namespaced_deployment") == \
        "kubernetes/apps_v1/listAppsV1NamespacedDeployment"
    assert ask("client.CustomObjectsApi", "list_namespaced_custom_object") == \
        "kubernetes/custom_objects/listNamespacedCustomObject"
    assert ask("client.ApiClient", "call_api") is None
    assert ask("client.CoreV1Api", "_private") is None
    assert ask("collections.OrderedDict", "pop") is None
