"""The Kubernetes manifests validate against the Kubernetes schemas, and the server's access
stays read-only: get/list/watch only, nothing on secrets, the token from a Secret, probes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]


def documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [(path.name, d) for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [d for _, d in documents() if d["kind"] == kind]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_validates_strictly(version: str) -> None:
    docs = documents()
    assert {d["kind"] for _, d in docs} >= {
        "Deployment",
        "Service",
        "ConfigMap",
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Secret",
        "Namespace",
    }
    for _name, doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)  # raises on any error


def test_validation_catches_a_broken_manifest() -> None:
    broken = yaml.safe_load((K8S / "deployment.yaml").read_text())
    broken["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "http"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSIONS[-1], strict=True)


def test_cluster_role_is_read_only_and_never_reads_secrets() -> None:
    (role,) = by_kind("ClusterRole")
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= {"get", "list", "watch"}, rule
        assert "*" not in rule["resources"] and "*" not in rule.get("apiGroups", [])
        assert not any(r.split("/")[0] == "secrets" for r in rule["resources"]), rule
    (binding,) = by_kind("ClusterRoleBinding")
    (account,) = by_kind("ServiceAccount")
    assert binding["roleRef"]["name"] == role["metadata"]["name"]
    assert binding["subjects"][0]["name"] == account["metadata"]["name"]


def test_deployment_token_probes_and_hardening() -> None:
    (deployment,) = by_kind("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["serviceAccountName"] == by_kind("ServiceAccount")[0]["metadata"]["name"]
    env = {e["name"]: e for e in container["env"]}
    secret_ref = env["MCP_SRE_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert secret_ref["name"] == by_kind("Secret")[0]["metadata"]["name"]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
    assert "streamable-http" in container["args"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    (service,) = by_kind("Service")
    assert service["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
    (config,) = by_kind("ConfigMap")
    assert "config.yaml" in config["data"]


def test_the_configmap_is_a_valid_settings_file(tmp_path: Path) -> None:
    from mcp_sre.config import load_settings

    (config,) = by_kind("ConfigMap")
    (tmp_path / "config.yaml").write_text(config["data"]["config.yaml"])
    settings = load_settings(home=tmp_path)
    assert settings.log_format == "json" and settings.tool_budget == 20
