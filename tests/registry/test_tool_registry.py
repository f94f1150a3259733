"""ToolRegistry end to end with real sandbox runs (pure-compute tools; AWS ones against moto
are in test_aws_tools.py)."""

from __future__ import annotations

import json

import pytest

from mcp_sre.errors import NotFoundError, ValidationError
from mcp_sre.registry import RegistrationRefused, ToolCallError, ToolRegistry

FLAKY = '''
def main(fail: bool = False, delay: float = 0) -> dict:
    if delay:
        import time
        time.sleep(delay)
    if fail:
        raise RuntimeError("upstream said no")
    return {"ok": True}
'''
FLAKY_PARAMS = {"type": "object", "properties": {"fail": {"type": "boolean"},
                                                 "delay": {"type": "number"}}}
FLAKY_TEST = "assert main() == {'ok': True}\n"


@pytest.fixture
def wc(word_count: dict):
    def register(registry: ToolRegistry, **kw):
        return registry.register(**{**word_count, **kw})

    return register


def test_register_then_call_records_everything(registry: ToolRegistry, wc, word_count: dict) -> None:
    tool = wc(registry, request="how often does each word appear")
    assert tool.version == 1 and tool.providers == [] and tool.operations == []
    assert tool.checks and tool.checks.passed
    assert tool.test_result and tool.test_result.passed
    assert tool.test_result.tests == ["test_counts_words"]
    assert tool.test_result.sample == {"words": 6, "top": [{"word": "a", "count": 3},
                                                           {"word": "b", "count": 2}]}
    stored = json.loads((registry.store.root / "word_count" / "v1" / "meta.json").read_text())
    assert stored["request"] == "how often does each word appear"

    assert registry.call("word_count", {"text": "x y x", "top": 1}) == {
        "words": 3, "top": [{"word": "x", "count": 2}]}
    summary = registry.summary("word_count")
    assert (summary.stats.calls, summary.stats.successes) == (1, 1)
    assert summary.stats.latency_p50_ms and summary.stats.latency_p50_ms > 0


def test_arguments_are_validated_against_the_schema(registry: ToolRegistry, wc, word_count: dict) -> None:
    wc(registry)
    with pytest.raises(ValidationError, match=r"top: 0 is less than the minimum of 1"):
        registry.call("word_count", {"text": "a", "top": 0})
    with pytest.raises(ValidationError, match=r"'text' is a required property.*parameters: "
                                              r"text, top"):
        registry.call("word_count", {})
    with pytest.raises(ValidationError, match=r"\('txt' was unexpected\)"):
        registry.call("word_count", {"text": "a", "txt": "a"})
    assert registry.summary("word_count").stats.calls == 0  # rejected before any run
    # a schema that does not forbid extra properties: refused by name all the same
    registry.register("flaky_tool", "Fails when asked to, for argument checks.", FLAKY,
                      FLAKY_TEST, FLAKY_PARAMS)
    with pytest.raises(ValidationError, match=r"unknown arguments for flaky_tool: failed "
                                              r"\(parameters: delay, fail\)"):
        registry.call("flaky_tool", {"failed": True})


def test_failing_test_refuses_with_the_failing_line(registry: ToolRegistry, wc, word_count: dict) -> None:
    bad_test = word_count["test"].replace("== 6", "== 7")
    with pytest.raises(RegistrationRefused) as info:
        wc(registry, test=bad_test)
    message = str(info.value)
    assert "AssertionError" in message
    assert 'test line 4: assert result["words"] == 7' in message
    assert info.value.test is not None and not info.value.test.passed
    assert registry.store.names() == []  # nothing stored


def test_review_refusal_skips_the_sandbox_and_lists_every_reason(registry: ToolRegistry, wc, word_count: dict) -> None:
    code = 'def main(x):\n    return sre.call("aws/ec2/TerminateInstances", InstanceIds=[x])\n'
    with pytest.raises(RegistrationRefused) as info:
        registry.register("Bad Name", "short", code, "main(x='i-1')\n",
                          {"type": "object", "properties": {}})
    message = str(info.value)
    for expected in ("[name]", "[description]", "[write_call] code line 2",
                     "main() needs 'x'"):
        assert expected in message
    assert info.value.test is None  # refused before running anything


def test_runtime_failures_of_the_test_are_refused(registry: ToolRegistry, wc, word_count: dict) -> None:
    with pytest.raises(RegistrationRefused, match="never called main"):
        registry.register("lazy_tool", "A tool whose test never runs it.", FLAKY,
                          "reference = main\n", FLAKY_PARAMS)
    with pytest.raises(RegistrationRefused, match=r"does not match 'returns' at ok"):
        registry.register("typed_tool", "A tool whose result breaks its schema.", FLAKY,
                          FLAKY_TEST, FLAKY_PARAMS,
                          returns={"type": "object", "properties": {"ok": {"type": "string"}}})


def test_versions_and_rollback(registry: ToolRegistry, wc, word_count: dict) -> None:
    wc(registry)
    v2 = wc(registry, description=word_count["description"] + " Version two.",
            code=word_count["code"].replace('"words": len', '"version": 2, "words": len'))
    assert v2.version == 2
    assert registry.call("word_count", {"text": "a"})["version"] == 2
    assert registry.rollback("word_count").version == 1
    assert "version" not in registry.call("word_count", {"text": "a"})
    head = registry.store.head("word_count")
    assert (head.active_version, head.latest_version) == (1, 2)
    assert "rollback v2 -> v1" in head.history[-1]
    with pytest.raises(ValidationError, match="no version before v1"):
        registry.rollback("word_count")
    assert registry.rollback("word_count", 2).version == 2
    # a re-registration after a rollback gets a fresh number, never reuses one
    assert wc(registry).version == 3


def test_failures_deprecate_then_restore(reg_settings, sandbox, lookup) -> None:
    registry = ToolRegistry(reg_settings, sandbox=sandbox, operation_lookup=lookup, min_calls=3)
    registry.register("flaky_tool", "Fails when asked to, for the deprecation rule.", FLAKY,
                      FLAKY_TEST, FLAKY_PARAMS)
    for _ in range(3):
        with pytest.raises(ToolCallError, match=r"RuntimeError: upstream said no \(at tool line 7"):
            registry.call("flaky_tool", {"fail": True})
    head = registry.store.head("flaky_tool")
    assert head.status == "deprecated" and "after 3 calls (0 succeeded)" in head.status_reason
    assert registry.list() == []
    assert [s.name for s in registry.list(include_deprecated=True)] == ["flaky_tool"]
    assert [t.name for t in registry.active_tools()] == []
    with pytest.raises(NotFoundError, match=r"deprecated.*tools restore flaky_tool"):
        registry.call("flaky_tool", {})
    assert (registry.store.root / "flaky_tool" / "v1" / "tool.py").is_file()  # kept on disk

    registry.restore("flaky_tool")
    assert registry.call("flaky_tool", {}) == {"ok": True}
    summary = registry.summary("flaky_tool")
    assert summary.status == "active"
    assert (summary.stats.window_calls, summary.stats.calls) == (1, 4)  # window starts afresh


def test_call_timeout_is_a_tool_error(registry: ToolRegistry, wc, word_count: dict) -> None:
    registry.register("flaky_tool", "Sleeps when asked to, for the timeout path.", FLAKY,
                      FLAKY_TEST, FLAKY_PARAMS)
    with pytest.raises(ToolCallError, match="timeout"):
        registry.call("flaky_tool", {"delay": 30}, timeout_s=1)
    assert "timeout" in (registry.summary("flaky_tool").stats.last_error or "")


def test_best_first_and_find_by_meaning(registry: ToolRegistry, wc, word_count: dict) -> None:
    wc(registry)
    registry.register("flaky_tool", "Report whether the upstream service answers.", FLAKY,
                      FLAKY_TEST, FLAKY_PARAMS)
    registry.call("word_count", {"text": "a"})
    with pytest.raises(ToolCallError):
        registry.call("flaky_tool", {"fail": True})
    assert [s.name for s in registry.list()] == ["word_count", "flaky_tool"]
    summaries = registry.list()
    assert summaries[0].score > summaries[1].score

    matches = registry.find("count the words in my text and show the most frequent")
    assert matches[0].tool.name == "word_count" and matches[0].reuse
    assert all(not m.reuse for m in matches[1:])
    assert not any(m.reuse for m in registry.find("list unattached EBS volumes"))
    strict = registry.find("count words", threshold=1.01)
    assert strict and not strict[0].reuse
    with pytest.raises(ValidationError):
        registry.find("   ")


def test_remove_hides_the_tool_and_drops_stats(registry: ToolRegistry, wc, word_count: dict) -> None:
    wc(registry)
    registry.call("word_count", {"text": "a"})
    path = registry.remove("word_count")
    assert path.is_dir() and registry.list() == []
    with pytest.raises(NotFoundError):
        registry.call("word_count", {"text": "a"})
    assert registry.stats.get("word_count").calls == 0
