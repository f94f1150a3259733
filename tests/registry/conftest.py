"""Registry fixtures: one real sandbox per session (its compiled interpreter shared with the
sandbox tests through pytest's cache), real botocore specs for EC2 and CloudWatch, moto for
the AWS calls, and a fresh registry folder per test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # tests/ holds conftest_moto
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conftest_moto import seed_aws

from mcp_sre.config import Settings, load_settings
from mcp_sre.registry import ToolRegistry
from mcp_sre.sandbox import Sandbox

__all__: list[str] = []

WORD_COUNT = '''
def main(text: str, top: int = 3) -> dict:
    counts = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return {"words": len(text.split()), "top": [{"word": w, "count": c} for w, c in best]}
'''
WORD_COUNT_TEST = '''
def test_counts_words():
    result = main(text="a b a c a b", top=2)
    assert result["words"] == 6
    assert result["top"][0] == {"word": "a", "count": 3}
'''
WORD_COUNT_PARAMS = {
    "type": "object",
    "properties": {"text": {"type": "string", "description": "The text to count"},
                   "top": {"type": "integer", "minimum": 1, "description": "How many words"}},
    "required": ["text"],
    "additionalProperties": False,
}
WORD_COUNT_DESC = "Count the words of a text and list the most frequent ones."


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory, plugin_manager, lookup,
            module_dir: Path) -> Sandbox:
    home = tmp_path_factory.mktemp("registry-sandbox-home")
    box = Sandbox(load_settings(home=home), plugin_manager, lookup, module_dir=module_dir)
    box.warm()
    return box


@pytest.fixture
def reg_settings(home: Path, tmp_path: Path) -> Settings:
    return load_settings(home=home, registry_dir=tmp_path / "tool_registry")


@pytest.fixture
def registry(reg_settings: Settings, sandbox: Sandbox, lookup, plugin_manager) -> ToolRegistry:
    return ToolRegistry(reg_settings, sandbox=sandbox, operation_lookup=lookup,
                        pm=plugin_manager)


@pytest.fixture
def word_count() -> dict[str, object]:
    """A pure-compute tool as an assistant would submit it (register(**word_count))."""
    return {"name": "word_count", "description": WORD_COUNT_DESC, "code": WORD_COUNT,
            "test": WORD_COUNT_TEST, "parameters": WORD_COUNT_PARAMS}


@pytest.fixture(scope="session")
def seeded(aws_env: str) -> dict[str, object]:
    return seed_aws()
