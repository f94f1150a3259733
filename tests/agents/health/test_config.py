"""Thresholds YAML: shipped defaults, layered overrides, and typos that name their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_sre.agents.health.config import load_health_config
from mcp_sre.agents.health.yamlfile import ConfigFileError


def test_shipped_config_loads_with_every_metric_judgeable(tmp_path: Path) -> None:
    config = load_health_config(home=tmp_path)
    for name, threshold in config.metrics.items():
        assert threshold.warn is not None or threshold.crit is not None, name
        assert threshold.label.get("zh") and threshold.label.get("en"), name
    assert "电商平台" in config.scope.businesses["ecommerce"]


def test_overrides_per_kind_and_business(tmp_path: Path) -> None:
    (tmp_path / "health.yaml").write_text(
        "metrics:\n  cpu_utilization: {warn: 60}\n"
        "business:\n  shop:\n    cpu_utilization: {crit: 75}\n"
    )
    config = load_health_config(home=tmp_path)
    assert config.threshold("cpu_utilization").warn == 60
    assert config.threshold("cpu_utilization").crit == 90
    assert config.threshold("cpu_utilization", "database").warn == 70  # shipped kind override
    assert config.threshold("cpu_utilization", "instance", "shop").crit == 75
    assert config.threshold("no_such_metric") is None


def test_typo_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text("window_minutes: 30\nmetrics:\n  cpu_utilization:\n    wran: 70\n")
    with pytest.raises(ConfigFileError) as err:
        load_health_config(bad, home=tmp_path)
    assert "mine.yaml line 4" in str(err.value) and "wran" in str(err.value)
    assert "unknown field" in str(err.value)


def test_wrong_type_and_broken_yaml_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "health.yaml"
    bad.write_text("scoring:\n  unhealthy_share: lots\n")
    with pytest.raises(ConfigFileError, match=r"line 2: scoring\.unhealthy_share"):
        load_health_config(home=tmp_path)
    bad.write_text("metrics: {cpu_utilization: [\n")
    with pytest.raises(ConfigFileError, match="line 2: not valid YAML"):
        load_health_config(home=tmp_path)
