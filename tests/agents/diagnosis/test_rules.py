"""The rule language (paths, conditions), knowledge loading, log scanning, the reasoner."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_sre.agents.diagnosis.knowledge import load_knowledge
from mcp_sre.agents.diagnosis.models import DiagnosisError, ObjectRef, Signal
from mcp_sre.agents.diagnosis.paths import check, fill, first, values
from mcp_sre.agents.diagnosis.reason import explain, layered
from mcp_sre.agents.diagnosis.signals import scan_log

POD = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]},
                               {"name": "b", "livenessProbe": {"httpGet": {"port": 81}}}]},
       "status": {"conditions": [{"type": "Ready", "status": "False"}]}}


def test_paths_and_conditions() -> None:
    assert values(POD, "spec.containers[].name") == ["a", "b"]
    assert first(POD, "spec.containers[name={c}].livenessProbe.httpGet.port", {"c": "b"}) == 81
    assert first(POD, "spec.nope|spec.containers[name=a].ports[].containerPort") == 80
    assert first({"obj": POD}, "obj.spec.containers[name=b].{p}Probe.httpGet.port",
                 {"p": "liveness"}) == 81
    assert check(POD, {"path": "status.conditions[type=Ready].status", "eq": "False"})
    assert not check(POD, {"path": "status.conditions[type=Ready].status", "ne": "False"})
    assert check(POD, {"path": "spec.containers[].name", "in": ["b", "z"]})
    assert check(POD, {"path": "spec.missing", "absent": True, "empty": True})
    assert check({"port": 81}, {"path": "port", "not_in_fact": "ports"}, {"ports": ["80"]})
    assert not check({"port": 80}, {"path": "port", "not_in_fact": "ports"}, {"ports": ["80"]})
    assert check({"n": 5}, {"path": "n", "gt": 2, "lt": 6})
    assert fill("{a} and {b}", {"a": [1, 2]}) == "1, 2 and "


def test_knowledge_merges_and_names_broken_files(diag_pm, tmp_path: Path) -> None:
    knowledge = load_knowledge(diag_pm)
    assert "Pod" in knowledge.kinds and knowledge.log_patterns and knowledge.rules
    assert {"en", "zh"} <= set(knowledge.texts)
    for rule in knowledge.rules:  # every rule speaks both languages
        assert {"en", "zh"} <= set(rule.text), rule.id
    broken = tmp_path / "broken.yaml"
    broken.write_text("signals:\n  - {id: x, kind: Pod, layer: sideways}\n")
    with pytest.raises(DiagnosisError, match=r"broken\.yaml"):
        load_knowledge(diag_pm, extra=[broken])
    with pytest.raises(DiagnosisError, match="does not exist"):
        load_knowledge(diag_pm, extra=[tmp_path / "nope.yaml"])


def test_log_scan_names_what_is_at_fault(diag_pm) -> None:
    patterns = load_knowledge(diag_pm).log_patterns
    cases = {
        "Error: connect ECONNREFUSED 10.0.0.5:5432": ("connection_refused", "10.0.0.5:5432"),
        "dial tcp: lookup db.prod.svc on 10.96.0.10:53: no such host": ("dns", "db.prod.svc"),
        "panic: open /etc/app/config.yaml: no such file or directory": (
            "file_missing", "/etc/app/config.yaml"),
        "mkdir /data/wal: permission denied": ("permission", "/data/wal"),
        "ERROR: REDIS_URL environment variable is required": ("env_missing", "REDIS_URL"),
        "KeyError: 'SECRET_KEY'": ("env_missing", "SECRET_KEY"),
        "write /var/log/app.log: no space left on device": ("disk_full", "/var/log/app.log"),
        "exec: \"gunicorn\": executable file not found in $PATH": (
            "command_not_found", "gunicorn"),
    }
    for line, (pattern, entity) in cases.items():
        hits = scan_log("starting\n" + line + "\n", patterns)
        assert hits and hits[0]["pattern"] == pattern, (line, hits[:1])
        assert hits[0]["entity"] == entity, (line, hits[0])
    assert scan_log("all good\nserving on :8080\n", patterns) == []


def test_reasoner_layers_and_backing_signals(diag_pm) -> None:
    knowledge = load_knowledge(diag_pm)
    pod = ObjectRef(kind="Pod", namespace="ns", name="p")
    policy = ObjectRef(kind="NetworkPolicy", namespace="ns", name="deny")
    signals = [
        Signal(rule="container_waiting", layer="symptom", score=60, object=pod,
               facts={"reason": "CrashLoopBackOff", "container": "c", "restarts": 4,
                      "last_exit": "1", "last_reason": "Error"}),
        Signal(rule="log_line", layer="root", score=70, object=pod,
               facts={"pattern": "timeout", "entity": "10.0.0.9:6379", "port": "6379",
                      "line": "i/o timeout", "name": "p"}),
        Signal(rule="egress_policy", layer="root", score=20, object=policy,
               facts={"policy": "deny", "allowed_ports": ["53"], "namespace": "ns"}),
    ]
    unrelated = layered(explain(signals, knowledge, lambda a, b: False), [], "en", pod)
    assert "time out" in unrelated["root_cause"] and "CrashLoopBackOff" in unrelated["symptom"]
    joined = layered(explain(signals, knowledge, lambda a, b: True), [], "zh", pod)
    assert "deny" in joined["root_cause"] and "6379" in joined["root_cause"]
    assert joined["fix"] and 0 < joined["confidence"] <= 0.95


def test_core_rules_are_neutral_and_plugins_reword_them(diag_pm) -> None:
    core = {r.id: r for r in load_knowledge(None).rules}
    assert not any(word in str(r.model_dump()).lower()
                   for r in core.values() for word in ("kubectl", "kubernetes", "configmap"))
    merged = {r.id: r for r in load_knowledge(diag_pm).rules}
    assert "kubectl" in merged["log_env_missing"].fix["en"][0]
    assert merged["log_env_missing"].text == core["log_env_missing"].text  # only fix replaced
