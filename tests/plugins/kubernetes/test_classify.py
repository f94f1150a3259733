"""Access classes and sensitive reads of every Kubernetes operation, through the real parser."""

from __future__ import annotations

import fnmatch

from mcp_sre.sandbox.policy import Policy
from mcp_sre.specs.model import APISpec, SourceInfo
from mcp_sre_kubernetes.classify import (
    QUERY_KINDS,
    SENSITIVE_OPERATIONS,
    classify_operation,
    kubernetes_access,
)


def _by_name(specs: dict[str, APISpec]) -> dict[str, APISpec]:
    return {s.name: s for s in specs.values()}


def test_reads_are_exactly_the_safe_gets(k8s_specs: dict[str, APISpec]) -> None:
    ops = _by_name(k8s_specs)
    for name in ("listCoreV1NamespacedPod", "readCoreV1NamespacedPodLog",
                 "listCoreV1PodForAllNamespaces", "watchCoreV1NamespacedPodList",
                 "readAppsV1NamespacedDeploymentScale", "getCodeVersion", "getCoreV1APIResources",
                 "listNamespacedCustomObject", "getClusterCustomObjectStatus"):
        assert ops[name].access == "read", name
    for name in ("connectCoreV1GetNamespacedPodExec", "connectCoreV1GetNamespacedPodAttach",
                 "connectCoreV1GetNamespacedPodPortforward", "connectCoreV1GetNamespacedPodProxy",
                 "connectCoreV1GetNodeProxyWithPath", "connectCoreV1GetNamespacedServiceProxy",
                 "createCoreV1NamespacedPodEviction", "createCoreV1NamespacedPodBinding",
                 "createCoreV1NamespacedServiceAccountToken", "deleteCoreV1NamespacedPod",
                 "patchAppsV1NamespacedDeployment", "replaceAppsV1NamespacedDeploymentScale",
                 "deleteCoreV1CollectionNamespacedPod", "createNamespacedCustomObject",
                 "patchNamespacedCustomObjectStatus"):
        assert ops[name].access == "write", name
    for spec in k8s_specs.values():  # the rule, over all 1,149 operations
        subresources = spec.endpoint.split("{name}")[-1] if "{name}" in spec.endpoint else ""
        opens_channel = any(s in subresources.split("/") for s in
                            ("exec", "attach", "portforward", "proxy"))
        question = (spec.method == "POST"
                    and spec.endpoint.rstrip("/").rsplit("/", 1)[-1] in QUERY_KINDS)
        expected = "read" if (spec.method == "GET" and not opens_channel) or question else "write"
        assert spec.access == expected, spec.id
    assert sum(s.access == "read" for s in k8s_specs.values()) > 450


def test_an_access_review_is_a_question_not_a_write(k8s_specs: dict[str, APISpec]) -> None:
    """"kubectl auth can-i" POSTs a SelfSubjectAccessReview: the API server answers it and
    stores nothing, so read-only code may ask. A TokenReview (someone's token) stays a write,
    and so does every other create."""
    ops = _by_name(k8s_specs)
    for name in ("createAuthorizationV1SelfSubjectAccessReview",
                 "createAuthorizationV1SubjectAccessReview",
                 "createAuthorizationV1NamespacedLocalSubjectAccessReview",
                 "createAuthorizationV1SelfSubjectRulesReview",
                 "createAuthenticationV1SelfSubjectReview"):
        assert ops[name].access == "read", name
        assert Policy().decide(ops[name]).allowed, name
    for name in ("createAuthenticationV1TokenReview", "createCoreV1NamespacedPodBinding",
                 "createRbacAuthorizationV1ClusterRoleBinding"):
        assert ops[name].access == "write", name
        assert not Policy().decide(ops[name]).allowed, name
    # a review kind's other verbs, were a cluster to serve any, are not questions
    assert kubernetes_access(
        "DELETE", "/apis/authorization.k8s.io/v1/subjectaccessreviews") == "write"


def test_other_providers_are_left_alone() -> None:
    spec = APISpec(id="aws/ec2/GetConsoleOutput", name="GetConsoleOutput", provider="aws",
                   service="ec2", method="POST", endpoint="/",
                   source=SourceInfo(url="x", format="botocore"))
    assert classify_operation(spec) is None
    assert kubernetes_access("GET", "/api/v1/namespaces/{namespace}/pods/{name}/exec") == "write"
    assert kubernetes_access("GET", "/api/v1/nodes/{name}", action="connect") == "write"
    assert kubernetes_access("HEAD", "/api/v1/nodes") == "write"


def test_secret_reads_are_sensitive(pm, k8s_specs: dict[str, APISpec]) -> None:
    patterns = [p for group in pm.hook.sensitive_operations() for p in group]
    assert set(SENSITIVE_OPERATIONS) <= set(patterns)
    policy = Policy(sensitive=patterns)
    secret_reads = [s for s in k8s_specs.values()
                    if "Secret" in s.name and s.access == "read"]
    assert {s.name for s in secret_reads} == {
        "readCoreV1NamespacedSecret", "listCoreV1NamespacedSecret",
        "listCoreV1SecretForAllNamespaces", "watchCoreV1NamespacedSecret",
        "watchCoreV1NamespacedSecretList", "watchCoreV1SecretListForAllNamespaces"}
    for spec in secret_reads:
        decision = policy.decide(spec)
        assert not decision.allowed and decision.rule == "sensitive", spec.id
    configmaps = k8s_specs["kubernetes/core_v1/listCoreV1NamespacedConfigMap"]
    assert policy.decide(configmaps).allowed
    matched = {s.id for s in k8s_specs.values()
               if any(fnmatch.fnmatchcase(s.id, p) for p in SENSITIVE_OPERATIONS)}
    assert len(matched) == 8  # the six Secret reads and the API server's log files
