"""Which tag values a request means, in any language; ambiguity and untagged businesses."""

from __future__ import annotations

from mcp_sre.agents.health.adapter import Observation
from mcp_sre.agents.health.config import load_health_config
from mcp_sre.agents.health.scope import assemble, discover_scopes, resolve_scope

SCOPE = load_health_config().scope


def _obs(ident: str, provider: str = "aws", **labels: str) -> Observation:
    return Observation(
        provider=provider,
        source="x/y/Z",
        id=ident,
        name=ident,
        kind="instance",
        labels=dict(labels),
    )


OBS = [
    _obs("a", business="shop"),
    _obs("b", **{"业务": "电商平台"}),
    _obs("c", team="crm"),
    _obs("d", business="shop-eu"),
    _obs("e", business="shop-us"),
    _obs("f", Name="nothing"),
]


def test_discovery_lists_values_with_where_they_were_found() -> None:
    scopes = discover_scopes(OBS, SCOPE)
    assert scopes["电商平台"] == {"aws:业务": 1}
    assert set(scopes) == {"shop", "电商平台", "crm", "shop-eu", "shop-us"}


def test_aliases_in_any_language_join_one_business() -> None:
    scopes = discover_scopes(OBS, SCOPE)
    got = resolve_scope("帮我分析电商平台业务的健康状况", scopes, SCOPE)
    assert got.values == {"shop", "电商平台"} and got.business == "ecommerce"
    assert resolve_scope("crm", scopes, SCOPE).values == {"crm"}


def test_untagged_and_ambiguous() -> None:
    scopes = discover_scopes(OBS, SCOPE)
    untagged = resolve_scope("物流平台的健康状况", scopes, SCOPE)
    assert not untagged.values and untagged.reason == "untagged"
    assert "shop" in untagged.candidates
    only_regions = {k: v for k, v in scopes.items() if k.startswith("shop-")}
    ambiguous = resolve_scope("shop", only_regions, SCOPE)
    assert ambiguous.reason == "ambiguous" and ambiguous.candidates == ["shop-eu", "shop-us"]


def test_assemble_merges_across_providers_and_records_how() -> None:
    prom = Observation(
        provider="prometheus",
        source="prometheus/api/queryRange",
        id="a",
        name="a",
        kind="service",
        labels={"business": "shop"},
    )
    alarm = Observation(
        provider="aws", source="aws/cloudwatch/DescribeAlarms", id="a", component=False
    )
    comps = assemble([*OBS, prom, alarm], {"shop"}, SCOPE)
    [comp] = comps
    assert len(comp.members) == 3
    assert {(m.provider, m.via, m.key) for m in comp.matched} == {
        ("aws", "label", "business"),
        ("prometheus", "label", "business"),
    }
