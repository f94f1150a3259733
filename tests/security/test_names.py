"""Red team (issue 20, item 4): names are checked whole, so no variant slips past a check.

Before the fix ``"run_code\\n"`` passed the tool-name pattern (``$`` matches before a final
newline) and was listed beside the real tool. The class: every identifier pattern the host
checks guest or user input with (tool names, spec source names, regions, guest module names).
"""

from __future__ import annotations

import pytest

from mcp_sre.registry.models import NAME_PATTERN
from mcp_sre.sandbox.bridge import _REGION
from mcp_sre.sandbox.runner import _MODULE_NAME
from mcp_sre.specs.sources import _NAME as SOURCE_NAME

VARIANTS = ("{}\n", "{} ", " {}", "{}\t", "{}\r\n", "{}\x00", "{}\u200b", "{}\u00a0")


@pytest.mark.parametrize("pattern,good", [
    (NAME_PATTERN, "run_code"), (SOURCE_NAME, "aws"), (_REGION, "us-east-1"),
    (_MODULE_NAME, "mcp_sre.guest"),
])
def test_patterns_refuse_padded_variants(pattern, good: str) -> None:
    assert pattern.match(good)
    for variant in VARIANTS:
        name = variant.format(good)
        assert not pattern.match(name), repr(name)


@pytest.mark.parametrize("look_alike", ["Run_code", "RUN_CODE", "run_cоde", "ｒｕｎ_code",
                                        "run_code\n", "run\u2011code"])
def test_tool_names_refuse_case_and_unicode_look_alikes(look_alike: str) -> None:
    # lower-case ASCII only: a name differing from a built-in by case or by a confusable
    # character cannot be registered, so it cannot be listed beside the real tool.
    assert not NAME_PATTERN.match(look_alike)


@pytest.mark.parametrize("look_alike", ["run_c0de", "runcode", "run__code", "ru_n_code",
                                        "find_tooi", "caii_tool"])
def test_registered_names_cannot_pass_for_a_built_in(reg_settings, sandbox, word_count,
                                                     look_alike: str) -> None:
    """Lower-case ASCII still has look-alikes (0/o, 1/l/i, rn/m) and separator variants."""
    from mcp_sre.registry import ToolRegistry
    from mcp_sre.registry.tool_registry import RegistrationRefused

    registry = ToolRegistry(reg_settings, sandbox=sandbox,
                            reserved_names={"run_code", "find_tool", "call_tool"})
    with pytest.raises(RegistrationRefused, match="look-alike"):
        registry.register(**{**word_count, "name": look_alike})


def test_registered_names_cannot_pass_for_another_tool(reg_settings, sandbox,
                                                       word_count) -> None:
    from mcp_sre.registry import ToolRegistry
    from mcp_sre.registry.tool_registry import RegistrationRefused

    registry = ToolRegistry(reg_settings, sandbox=sandbox)
    registry.register(**word_count)
    registry.register(**word_count)  # a new version of the same tool is fine
    with pytest.raises(RegistrationRefused, match="'word_count'"):
        registry.register(**{**word_count, "name": "word_c0unt"})
    assert registry.register(**{**word_count, "name": "word_total"}).name == "word_total"
