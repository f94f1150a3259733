"""The no-LLM diagnosis against simulated clusters: dev cases, bad input, 403s, the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mcp_sre.agents.diagnosis import DiagnosisError, to_markdown
from mcp_sre.agents.diagnosis.evaluate import evaluate_cases, matches
from mcp_sre_kubernetes.sim.scenario import load_scenario

from .conftest import FIXTURES, cluster


def test_dev_cases_reach_the_target(diagnoser, diag_pm) -> None:
    result = evaluate_cases(FIXTURES / "diagnosis", diagnoser,
                            lambda folder: diag_pm.hook.replay_cluster(folder=folder))
    failed = [(c.name, c.root_cause, c.error) for c in result.cases if not c.passed]
    assert result.n == 8 and result.accuracy >= 0.8, failed
    assert result.p50_s < 3


def test_report_layers_evidence_and_language(diagnoser, tmp_path: Path) -> None:
    case = FIXTURES / "diagnosis" / "fix-oomkilled"
    spec = yaml.safe_load((case / "case.yaml").read_text())
    with cluster(case / "scenario.yaml", tmp_path) as context:
        diagnoser.context = context
        report = diagnoser.diagnose(spec["question"], spec["target"])
        zh = diagnoser.diagnose("webapp-backend 命名空间的 backend-api 为什么一直重启?")
    assert report.language == "en" and report.status == "problem_found"
    assert "OOMKilled" in report.root_cause and "128Mi" in report.root_cause
    assert report.symptom and report.direct_cause and report.fix and report.prevention
    assert 0.5 <= report.confidence <= 0.95
    quoted = {e.source for e in report.evidence}
    assert "field" in quoted and all(e.operation for e in report.evidence if e.source == "field")
    assert any(s.action == "read" and "listCoreV1NamespacedPod" in s.detail
               for s in report.steps)
    # no target given: the namespace and the name come from the Chinese question
    assert zh.language == "zh" and zh.target and zh.target.name == "backend-api"
    assert "内存" in zh.root_cause and "128Mi" in zh.root_cause
    markdown = to_markdown(zh, diagnoser.knowledge.texts)
    assert "根本原因" in markdown and "证据" in markdown
    json.dumps(report.model_dump(mode="json"))


def test_reads_are_audited_and_never_write(diagnoser, diag_home: Path, tmp_path: Path) -> None:
    with cluster("crashloop", tmp_path) as context:
        diagnoser.context = context
        report = diagnoser.diagnose("why is checkout crash looping?", {
            "kind": "Deployment", "namespace": "shop", "name": "checkout"})
    assert "OOMKilled" in report.root_cause
    audit = (diag_home / "audit.log").read_text()
    assert "listCoreV1NamespacedPod" in audit and "readCoreV1NamespacedPodLog" in audit
    ops = {s.detail.split("(")[0] for s in report.steps if s.action == "read"}
    assert ops and all(op.split("/")[-1].startswith(("list", "read")) for op in ops)


def test_unknown_target_and_empty_question(diagnoser, tmp_path: Path) -> None:
    with cluster("crashloop", tmp_path) as context:
        diagnoser.context = context
        report = diagnoser.diagnose("why?", {"kind": "Pod", "namespace": "shop",
                                             "name": "no-such-pod"})
        with pytest.raises(DiagnosisError, match="unknown kind"):
            diagnoser.diagnose("why?", {"kind": "Gizmo", "namespace": "shop", "name": "x"})
    assert report.status == "target_not_found" and "no-such-pod" in report.root_cause
    with pytest.raises(DiagnosisError, match="empty"):
        diagnoser.diagnose("  ")


def test_nothing_abnormal_says_what_was_checked(diagnoser, tmp_path: Path) -> None:
    case = FIXTURES / "diagnosis" / "fix-service-routing"
    with cluster(case / "scenario.yaml", tmp_path) as context:
        diagnoser.context = context
        report = diagnoser.diagnose("is the api deployment in namespace web healthy?",
                                    {"kind": "Deployment", "namespace": "web", "name": "api"})
    assert report.status == "nothing_abnormal", report.root_cause
    assert report.root_cause == "nothing abnormal found"
    assert any("Pod" in c for c in report.checked) and report.ruled_out


def test_forbidden_reads_become_could_not_see(diagnoser, tmp_path: Path) -> None:
    case = FIXTURES / "diagnosis" / "fix-oomkilled"
    scenario = load_scenario(case / "scenario.yaml")
    data = scenario.model_dump()
    data["forbidden"] = [{"resource": "events"}, {"resource": "pods", "verbs": ["get"]}]
    scenario = scenario.model_validate(data)
    with cluster(scenario, tmp_path) as context:
        diagnoser.context = context
        report = diagnoser.diagnose("why does backend-api crash?", {
            "kind": "Deployment", "namespace": "webapp-backend", "name": "backend-api"})
    assert report.status == "problem_found" and "128Mi" in report.root_cause
    assert any(("Event" in c and "403" not in c) or "forbidden" in c.lower()
               for c in report.could_not_see), report.could_not_see
    assert any(s.outcome == "forbidden" for s in report.steps)


def test_expect_matching() -> None:
    assert matches("Storage class \"sc\" is missing", r"/\bsc\b/")
    assert not matches("the disc is full", r"/\bsc\b/")
    assert matches("OOMKilled at 128Mi", "oomkilled")


def test_metrics_where_the_cluster_serves_them(diagnoser, tmp_path: Path) -> None:
    """With metrics.k8s.io served (the simulator's ``metrics`` section), usage near a limit
    becomes a signal quoted from the metrics read; without it the diagnosis goes on."""
    pytest.importorskip("mcp_sre_kubernetes.sim.metrics")
    with cluster("crashloop", tmp_path) as context:
        diagnoser.context = context
        report = diagnoser.diagnose("why does checkout keep restarting?", {
            "kind": "Deployment", "namespace": "shop", "name": "checkout"})
    near = [s for s in report.signals if s.rule == "resource_near_limit"]
    assert near and max(s.facts["usage_pct"] for s in near) >= 90
    metric = [e for e in report.evidence if e.source == "metric"]
    assert metric and metric[0].operation.endswith("listNamespacedCustomObject")


def test_targets_found_from_the_question_alone(diagnoser, tmp_path: Path) -> None:
    case = FIXTURES / "diagnosis" / "fix-service-with-no-endpoints"
    with cluster(case / "scenario.yaml", tmp_path) as context:
        diagnoser.context = context
        pod = diagnoser.diagnose("web-app Pod 一直 CrashLoopBackOff, 为什么?")
        deployment = diagnoser.diagnose("why is web-app-deployment not running?")
        whole = diagnoser.diagnose("what is wrong in namespace webshop-frontend?")
    assert pod.target and pod.target.kind == "Pod" and pod.target.name.startswith("web-app")
    assert pod.language == "zh" and "production-gpu" in pod.root_cause
    assert deployment.target and deployment.target.kind == "Deployment"
    assert whole.target and whole.target.name == "webshop-frontend"
    assert "production-gpu" in whole.root_cause
