"""The report end to end against the Kubernetes simulator, through the read-only bridge."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import anyio
import yaml

from mcp_sre import hookimpl
from mcp_sre.agents.health import HealthAgent, HealthStatus, render_markdown
from mcp_sre.plugin_manager import make_plugin_manager


def _report(pm, specs, home: Path, scope: str = "shop", **kw):
    agent = HealthAgent(pm, specs, home=home, providers=["kubernetes"])
    return anyio.run(lambda: agent.report(scope, **kw))


def test_crashloop_shop(pm, specs, sim, tmp_path: Path) -> None:
    report = _report(pm, specs, tmp_path)
    by_name = {c.name: c for c in report.components}
    assert by_name["checkout"].status == HealthStatus.unhealthy
    assert by_name["payments"].status == HealthStatus.degraded
    assert by_name["frontend"].status == HealthStatus.healthy
    assert by_name["node-b"].status == HealthStatus.degraded  # MemoryPressure
    assert {m.via for m in by_name["node-a"].matched} == {"placement"}
    assert {m.via for m in by_name["checkout"].matched} == {"namespace"}
    assert report.status == HealthStatus.unhealthy
    assert report.problems[0].component == "checkout" and report.problems[0].fix
    assert all(d.signal for c in report.components for d in c.deductions)
    checkout = by_name["checkout"]
    assert checkout.score == max(0, 100 - sum(d.points for d in checkout.deductions))
    # every read went through the policy and is in the audit log
    audit = [json.loads(line) for line in (tmp_path / "audit.log").read_text().splitlines()]
    assert audit and {a["decision"] for a in audit} == {"allowed"}
    assert all(a["run_id"].startswith("health-") for a in audit)
    assert not sim.requests_matching("DELETE") and not sim.requests_matching("PATCH")
    text = render_markdown(report)
    assert "# Health of shop" in text and "checkout" in text


def test_chinese_request_gets_a_chinese_report(pm, specs, sim, tmp_path: Path) -> None:
    report = _report(pm, specs, tmp_path, scope="帮我分析shop业务的健康状况")
    assert report.language == "zh" and report.matched_values == ["shop"]
    assert "健康报告" in render_markdown(report)


def test_untagged_business_lists_what_exists(pm, specs, sim, tmp_path: Path) -> None:
    report = _report(pm, specs, tmp_path, scope="logistics")
    assert report.status == HealthStatus.unknown and not report.components
    assert "shop" in report.candidates and "no resource is tagged" in report.notes[0]


def test_parallel_and_sequential_agree(pm, specs, sim, tmp_path: Path) -> None:
    fast = _report(pm, specs, tmp_path / "a")
    slow = _report(pm, specs, tmp_path / "b", parallel=False)
    assert [(c.name, c.status) for c in fast.components] == [
        (c.name, c.status) for c in slow.components
    ]


def test_source_down_still_reports(pm, specs, sim, tmp_path: Path, monkeypatch) -> None:
    config = yaml.safe_load(Path(sim.write_kubeconfig(tmp_path / "kc")).read_text())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
    (tmp_path / "down").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "down"))
    report = _report(pm, specs, tmp_path)
    [source] = report.sources
    assert not source.ok and source.failed == source.calls > 0 and source.error
    assert any("could not be read" in n for n in report.notes)
    assert report.status == HealthStatus.unknown


class WritingPlugin:
    """A mapping that asks for a write: the bridge's policy must refuse it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def health_mappings(self) -> list[Path]:
        return [self.path]


def test_a_write_in_a_mapping_is_refused(specs, sim, tmp_path: Path) -> None:
    mapping = tmp_path / "evil.yaml"
    mapping.write_text(
        yaml.safe_dump(
            {
                "provider": "kubernetes",
                "calls": [
                    {
                        "operation": "kubernetes/core_v1/deleteCoreV1NamespacedPod",
                        "params": {"namespace": "shop", "name": "checkout-6d5f9c7b8-9wq7z"},
                    }
                ],
            }
        )
    )
    pm = make_plugin_manager(extra=[WritingPlugin(mapping)])
    report = _report(pm, specs, tmp_path)
    assert any("policy_denied" in s.error for s in report.sources)
    assert not sim.requests_matching("DELETE")
    assert any(c.name == "checkout" for c in report.components)  # the rest still came
